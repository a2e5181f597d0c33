using Eddy.Compatibility.Tests.Infrastructure;
using Eddy.Protocol;
using Eddy.Protocol.Messages;
using Xunit.Abstractions;

namespace Eddy.Compatibility.Tests;

/// <summary>
/// Points real clients at a loopback listener, captures the requests they really send, and checks
/// that Eddy decodes every one and re-encodes it to the very same bytes.
/// </summary>
public class GoldenCaptureTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    [Theory]
    [InlineData("none")]
    [InlineData("gzip")]
    [InlineData("snappy")]
    [InlineData("lz4")]
    [InlineData("zstd")]
    public async Task Kcat_requests_decode_and_reencode_byte_for_byte(string codec)
    {
        await using var broker = new ScriptedBroker();
        var run = await Peers.RunAsync(
            Peers.Kcat,
            ["-b", broker.Bootstrap, "-P", "-t", "golden", "-K", ":", "-H", "h=1", "-z", codec, "-X", "client.id=kcat-golden", "-X", "message.timeout.ms=20000"],
            Deadline,
            standardInput: "key-0:value-0\nkey-1:value-1\nkey-2:value-2\n");
        Assert.True(run.ExitCode == 0, run.ToString());

        var captured = AssertAllDecodedAndReencoded(broker);

        // librdkafka 2.0.2 opens with a flexible ApiVersions v3 naming itself (kafka-protocol.md §1.1).
        var first = captured[0];
        Assert.Equal(ApiKey.ApiVersions, first.Header.ApiKey);
        Assert.Equal(3, first.Header.ApiVersion);
        var apiVersions = Assert.IsType<ApiVersionsRequest>(first.Body);
        Assert.Equal("librdkafka", apiVersions.ClientSoftwareName);
        Assert.Equal("2.0.2", apiVersions.ClientSoftwareVersion);
        Assert.Equal("kcat-golden", first.Header.ClientId);

        var produce = AssertProduced(captured, codec, expectedVersion: 7);
        Assert.Equal(-1, produce.Acks);
    }

    [Theory]
    [InlineData("none")]
    [InlineData("gzip")]
    [InlineData("snappy")]
    [InlineData("lz4")]
    [InlineData("zstd")]
    public async Task Kafka_python_requests_decode_and_reencode_byte_for_byte(string codec)
    {
        await using var broker = new ScriptedBroker();
        var run = await Peers.RunAsync(Peers.Python, [Path.Combine(Peers.PythonPeers, "produce.py"), broker.Bootstrap, "golden", codec, "3"], Deadline);
        Assert.True(run.ExitCode == 0, run.ToString());

        var captured = AssertAllDecodedAndReencoded(broker);

        // kafka-python probes with ApiVersions v0 then Metadata v0 on one connection (§1.4).
        Assert.Equal((ApiKey.ApiVersions, (short)0), (captured[0].Header.ApiKey, captured[0].Header.ApiVersion));
        Assert.Equal((ApiKey.Metadata, (short)0), (captured[1].Header.ApiKey, captured[1].Header.ApiVersion));
        Assert.Equal(captured[0].Connection, captured[1].Connection);

        // It infers Kafka 2.3 from the advertised ranges and sends Produce v7.
        var produce = AssertProduced(captured, codec, expectedVersion: 7);
        Assert.Equal(-1, produce.Acks);
    }

    [Theory]
    [InlineData("none")]
    [InlineData("gzip")]
    public async Task KafkaJS_requests_decode_and_reencode_byte_for_byte(string codec)
    {
        await using var broker = new ScriptedBroker();
        var run = await Peers.RunAsync(Peers.Node, [Path.Combine(Peers.NodePeers, "produce.js"), broker.Bootstrap, "golden", codec, "3"], Deadline, workingDirectory: Peers.NodePeers);
        Assert.True(run.ExitCode == 0, run.ToString());

        var captured = AssertAllDecodedAndReencoded(broker);

        // KafkaJS asks for ApiVersions v2 first, then picks min(its max, ours) per API (§1.3).
        Assert.Equal((ApiKey.ApiVersions, (short)2), (captured[0].Header.ApiKey, captured[0].Header.ApiVersion));
        Assert.Contains(captured, c => c.Header.ApiKey == ApiKey.Metadata && c.Header.ApiVersion == 6);
        var produce = AssertProduced(captured, codec, expectedVersion: 7);
        Assert.Equal(-1, produce.Acks);
        Assert.Equal("kafkajs-golden", captured[0].Header.ClientId);
    }

    private List<CapturedRequest> AssertAllDecodedAndReencoded(ScriptedBroker broker)
    {
        Assert.True(broker.Errors.IsEmpty, string.Join("\n", broker.Errors));
        var captured = broker.Captured.ToList();
        output.WriteLine(string.Join(", ", captured.Select(c => $"{c.Header.ApiKey} v{c.Header.ApiVersion} (connection {c.Connection})")));
        Assert.NotEmpty(captured);
        foreach (var request in captured)
        {
            using var writer = new KafkaWriter();
            request.Header.Write(writer);
            Assert.Equal(Convert.ToHexString(request.Frame, 0, request.BodyOffset), Convert.ToHexString(writer.WrittenSpan));
            if (request.Body is null)
            {
                continue; // an ApiVersions version we refused, per the fallback rule
            }

            writer.Reset();
            request.Body.Write(writer, request.Header.ApiVersion);
            string expected = Convert.ToHexString(request.Frame.AsSpan(request.BodyOffset));
            string actual = Convert.ToHexString(writer.WrittenSpan);
            Assert.True(expected == actual, $"{request.Header.ApiKey} v{request.Header.ApiVersion} re-encoded differently:\nclient: {expected}\neddy:   {actual}");
        }

        return captured;
    }

    private static ProduceRequest AssertProduced(List<CapturedRequest> captured, string codec, short expectedVersion)
    {
        var produces = captured.Where(c => c.Header.ApiKey == ApiKey.Produce).ToList();
        Assert.NotEmpty(produces);
        Assert.All(produces, p => Assert.Equal(expectedVersion, p.Header.ApiVersion));
        var produce = (ProduceRequest)produces[0].Body!;
        var topic = Assert.Single(produce.TopicData);
        Assert.Equal("golden", topic.Name);
        var partition = Assert.Single(topic.PartitionData);
        Assert.Equal(0, partition.Index);
        Assert.NotNull(partition.Records);
        Assert.True(partition.Records.Value.Length > 61, $"a {codec} record batch is at least its 61-byte header");
        return produce;
    }
}
