using Eddy.Compatibility.Tests.Infrastructure;
using Eddy.Protocol;
using Eddy.Protocol.Compression;
using Eddy.Protocol.Messages;
using Eddy.Protocol.Records;
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
            ["-b", broker.Bootstrap, "-P", "-t", "golden", "-K", ":", "-H", "h=1", "-X", $"compression.codec={codec}", "-X", "client.id=kcat-golden", "-X", "message.timeout.ms=20000", "-X", "linger.ms=200"],
            Deadline,
            standardInput: string.Concat(Enumerable.Range(0, 3).Select(i => $"key-{i}:{ScriptedValue(i)}\n")));
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
        var records = DecodeRecords(captured, codec);
        Assert.Equal(["key-0", "key-1", "key-2"], records.Select(r => r.Key));
        Assert.Equal(Enumerable.Range(0, 3).Select(ScriptedValue), records.Select(r => r.Value));
        Assert.All(records, r => Assert.Equal("h=1", r.Headers));
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
        AssertScriptedRecords(DecodeRecords(captured, codec));
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
        AssertScriptedRecords(DecodeRecords(captured, codec));
    }

    /// <summary>A compressible value, so that clients really compress (librdkafka sends a batch uncompressed when that is smaller).</summary>
    private static string ScriptedValue(int i) => $"value-{i}-" + string.Concat(Enumerable.Repeat("abcdefghij", 20));

    /// <summary>What produce.py and produce.js send: key-i, ScriptedValue(i), header h=i, timestamp 1700000000000 + i.</summary>
    private static void AssertScriptedRecords(List<DecodedRecord> records)
    {
        Assert.Equal(3, records.Count);
        for (int i = 0; i < 3; i++)
        {
            Assert.Equal($"key-{i}", records[i].Key);
            Assert.Equal(ScriptedValue(i), records[i].Value);
            Assert.Equal($"h={i}", records[i].Headers);
            Assert.Equal(1_700_000_000_000 + i, records[i].Timestamp);
        }
    }

    private sealed record DecodedRecord(string Key, string Value, string Headers, long Timestamp);

    /// <summary>Decodes every record of every captured Produce batch, checking CRC and codec on the way.</summary>
    private static List<DecodedRecord> DecodeRecords(List<CapturedRequest> captured, string codec)
    {
        var expected = codec switch
        {
            "gzip" => CompressionType.Gzip,
            "snappy" => CompressionType.Snappy,
            "lz4" => CompressionType.Lz4,
            "zstd" => CompressionType.Zstd,
            _ => CompressionType.None,
        };
        var records = new List<DecodedRecord>();
        using var buffer = new DecompressionBuffer();
        foreach (var request in captured.Where(c => c.Header.ApiKey == ApiKey.Produce))
        {
            foreach (var partition in ((ProduceRequest)request.Body!).TopicData.SelectMany(t => t.PartitionData))
            {
                var reader = new RecordBatchReader(partition.Records!.Value.Span);
                while (reader.TryReadNext(out var batch))
                {
                    batch.EnsureValidCrc();
                    Assert.Equal(expected, batch.Header.Attributes.Compression);
                    foreach (var record in batch.GetRecords(buffer))
                    {
                        var headers = new List<string>();
                        foreach (var header in record.Headers)
                        {
                            headers.Add($"{System.Text.Encoding.UTF8.GetString(header.Key)}={System.Text.Encoding.UTF8.GetString(header.Value)}");
                        }

                        records.Add(new DecodedRecord(
                            System.Text.Encoding.UTF8.GetString(record.Key),
                            System.Text.Encoding.UTF8.GetString(record.Value),
                            string.Join(",", headers),
                            record.Timestamp));
                    }
                }

                Assert.False(reader.IsTruncated);
            }
        }

        return records;
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
