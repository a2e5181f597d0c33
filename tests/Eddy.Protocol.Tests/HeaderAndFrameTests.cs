using System.Buffers;
using Eddy.Protocol.Messages;

namespace Eddy.Protocol.Tests;

public class HeaderAndFrameTests
{
    [Fact]
    public void Request_header_v1_has_no_tagged_fields()
    {
        var header = new RequestHeader { ApiKey = ApiKey.Metadata, ApiVersion = 1, CorrelationId = 7, ClientId = "c" };
        using var writer = new KafkaWriter();
        header.Write(writer);
        Assert.Equal("00030001000000070001" + "63", Convert.ToHexString(writer.WrittenSpan));
    }

    [Fact]
    public void Request_header_v2_adds_tagged_fields_but_keeps_an_int16_client_id()
    {
        // ApiVersions v3 is flexible, so its header is v2 (librdkafka's first request, kafka-protocol.md §1.1).
        var header = new RequestHeader { ApiKey = ApiKey.ApiVersions, ApiVersion = 3, CorrelationId = 1, ClientId = "rdkafka" };
        using var writer = new KafkaWriter();
        header.Write(writer);
        Assert.Equal("0012000300000001000772646B61666B6100", Convert.ToHexString(writer.WrittenSpan));
        var reader = new KafkaReader(writer.WrittenSpan);
        var read = RequestHeader.Read(ref reader);
        Assert.Equal(ApiKey.ApiVersions, read.ApiKey);
        Assert.Equal("rdkafka", read.ClientId);
        Assert.True(reader.End);
    }

    [Fact]
    public void Request_header_of_an_unknown_api_still_yields_the_correlation_id()
    {
        var reader = new KafkaReader(Convert.FromHexString("03E70005000000290000"));
        var header = RequestHeader.Read(ref reader);
        Assert.Equal(999, (short)header.ApiKey);
        Assert.Equal(41, header.CorrelationId);
        Assert.Null(KafkaApis.Find(999));
    }

    [Fact]
    public void ApiVersions_responses_always_use_header_v0()
    {
        Assert.Equal(0, ResponseHeader.HeaderVersion(ApiKey.ApiVersions, 3));
        Assert.Equal(1, ResponseHeader.HeaderVersion(ApiKey.Metadata, 9));
        Assert.Equal(0, ResponseHeader.HeaderVersion(ApiKey.Metadata, 8));
        Assert.Equal(1, ResponseHeader.HeaderVersion(ApiKey.InitProducerId, 2));
    }

    [Fact]
    public void Framed_response_carries_size_header_and_body()
    {
        using var writer = new KafkaWriter();
        var response = new ApiVersionsResponse { ErrorCode = (short)ErrorCode.UnsupportedVersion };
        response.ApiKeys.Add(new ApiVersionsResponse.ApiVersion { ApiKey = 18, MinVersion = 0, MaxVersion = 3 });
        KafkaFrame.WriteResponse(writer, correlationId: 5, apiVersion: 0, response);
        // size, correlation id, error 35, one ApiVersion entry (key 18, 0..3).
        Assert.Equal("0000001000000005" + "0023" + "00000001" + "001200000003", Convert.ToHexString(writer.WrittenSpan));
    }

    [Fact]
    public void Frame_reader_waits_for_whole_frames()
    {
        var bytes = new ReadOnlySequence<byte>(Convert.FromHexString("00000002ABCD000000"));
        Assert.True(KafkaFrame.TryRead(ref bytes, 100, out var frame));
        Assert.Equal("ABCD", Convert.ToHexString(frame.ToArray()));
        Assert.False(KafkaFrame.TryRead(ref bytes, 100, out _));
        Assert.Equal(3, bytes.Length);
    }

    [Theory]
    [InlineData("7FFFFFFF", "larger than the 1048576-byte limit")]
    [InlineData("FFFFFFFF", "negative")]
    public void Frame_size_is_checked_before_the_bytes_arrive(string prefix, string message)
    {
        var bytes = new ReadOnlySequence<byte>(Convert.FromHexString(prefix));
        var e = Assert.Throws<KafkaProtocolException>(() => KafkaFrame.TryRead(ref bytes, 1 << 20, out _));
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Supported_ranges_lie_within_each_definition()
    {
        foreach (var api in KafkaApis.All)
        {
            Assert.InRange(api.MinSupported, api.LowestVersion, api.HighestVersion);
            Assert.InRange(api.MaxSupported, api.MinSupported, api.HighestVersion);
            Assert.Same(api, KafkaApis.Find((short)api.Key));
        }

        // librdkafka only enables group consumers when FindCoordinator v0 is offered (kafka-protocol.md §1.2).
        Assert.Equal(0, KafkaApis.Find((short)ApiKey.FindCoordinator)!.MinSupported);
        // librdkafka only compresses with gzip, snappy and lz4 when Produce v0 is offered (rdkafka_msgset_writer.c).
        Assert.Equal(0, KafkaApis.Find((short)ApiKey.Produce)!.MinSupported);
        Assert.Equal(32, KafkaApis.All.Count);
    }

    [Fact]
    public void Writing_a_field_the_version_cannot_carry_is_refused()
    {
        var request = new ProduceRequest { TransactionalId = "tx" };
        using var writer = new KafkaWriter();
        var e = Assert.Throws<KafkaUnsupportedVersionException>(() => request.Write(writer, 2));
        Assert.Contains("ProduceRequest.TransactionalId", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Ignorable_fields_are_dropped_silently_in_older_versions()
    {
        // ThrottleTimeMs is ignorable and absent from Fetch v0.
        var response = new FetchResponse { ThrottleTimeMs = 100 };
        using var writer = new KafkaWriter();
        response.Write(writer, 0);
        Assert.Equal("00000000", Convert.ToHexString(writer.WrittenSpan));
    }
}

public class ApiVersionsFallbackTests
{
    [Fact]
    public void A_v0_refusal_to_a_v3_request_is_read_as_v0()
    {
        var refusal = new Eddy.Protocol.Messages.ApiVersionsResponse { ErrorCode = (short)ErrorCode.UnsupportedVersion };
        refusal.ApiKeys.Add(new Eddy.Protocol.Messages.ApiVersionsResponse.ApiVersion { ApiKey = 18, MinVersion = 0, MaxVersion = 2 });
        using var writer = new KafkaWriter();
        refusal.Write(writer, 0);
        var (response, version) = Eddy.Protocol.Messages.ApiVersionsResponse.ReadWithFallback(writer.ToArray(), 3);
        Assert.Equal(0, version);
        Assert.Equal(2, Assert.Single(response.ApiKeys).MaxVersion);
    }

    [Fact]
    public void A_refusal_in_neither_format_still_yields_the_error()
    {
        // Body bytes librdkafka 2.0.2's mock cluster sent in answer to ApiVersions v3 (captured through the recording proxy).
        byte[] body = Convert.FromHexString("00230100120000000200000000");
        var (response, version) = Eddy.Protocol.Messages.ApiVersionsResponse.ReadWithFallback(body, 3);
        Assert.Equal(-1, version);
        Assert.Equal((short)ErrorCode.UnsupportedVersion, response.ErrorCode);
    }

    [Fact]
    public void Garbage_that_is_not_a_refusal_is_an_error() =>
        Assert.Throws<KafkaProtocolException>(() => Eddy.Protocol.Messages.ApiVersionsResponse.ReadWithFallback(Convert.FromHexString("0000FFFFFFFF"), 3));
}
