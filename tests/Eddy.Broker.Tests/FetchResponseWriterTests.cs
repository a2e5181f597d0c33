using System.Buffers;
using System.IO.Pipelines;
using Eddy.Broker.Internal.Handlers;
using Eddy.Broker.Internal.Storage;
using Eddy.Protocol;
using Eddy.Protocol.Messages;

namespace Eddy.Broker.Tests;

/// <summary>The hand-written Fetch response (copied from the log into the pipe) is byte for byte the generated one.</summary>
public class FetchResponseWriterTests
{
    [Theory]
    [InlineData(4, false)]
    [InlineData(5, false)]
    [InlineData(7, true)]
    [InlineData(9, false)]
    [InlineData(11, false)]
    [InlineData(11, true)]
    public async Task Hand_written_fetch_response_equals_the_generated_encoding(short version, bool readCommitted)
    {
        using var dir = new TempDir();
        using var log = PartitionLog.Open(dir.Path, "t", 0, Batches.TopicConfig(Batches.Config()), TimeProvider.System, false, true, 0, 0);
        Batches.Append(log, Batches.Make(5));
        Batches.Append(log, Batches.Make(3));
        log.DeleteRecordsBefore(2, out _);
        Assert.Equal(ErrorCode.None, log.Read(2, 1 << 20, log.HighWatermark, out var slice));
        var records = new byte[slice!.Length];
        slice.Segment.Read(slice.Position, records);

        var results = new List<FetchPartitionResult>
        {
            new("t", 0) { HighWatermark = 8, LastStableOffset = 8, LogStartOffset = 2, Slice = slice },
            new("t", 1) { Error = ErrorCode.NotLeaderOrFollower },
            new("other", 3) { HighWatermark = 0, LastStableOffset = 0, LogStartOffset = 0 },
        };
        var pipe = new Pipe();
        using (var body = new FetchResponseBody(ErrorCode.None, results, readCommitted))
        {
            body.Write(pipe.Writer, 77, version);
        }

        await pipe.Writer.FlushAsync();
        await pipe.Writer.CompleteAsync();
        var read = await pipe.Reader.ReadAsync();
        var actual = read.Buffer.ToArray();

        var expected = new FetchResponse();
        var t = new FetchResponse.FetchableTopicResponse { Topic = "t" };
        t.Partitions.Add(new FetchResponse.PartitionData { PartitionIndex = 0, HighWatermark = 8, LastStableOffset = 8, LogStartOffset = version >= 5 ? 2 : -1, AbortedTransactions = readCommitted ? [] : null, Records = records });
        t.Partitions.Add(new FetchResponse.PartitionData { PartitionIndex = 1, ErrorCode = (short)ErrorCode.NotLeaderOrFollower, HighWatermark = -1, LastStableOffset = -1, LogStartOffset = -1, AbortedTransactions = readCommitted ? [] : null, Records = ReadOnlyMemory<byte>.Empty });
        var other = new FetchResponse.FetchableTopicResponse { Topic = "other" };
        other.Partitions.Add(new FetchResponse.PartitionData { PartitionIndex = 3, HighWatermark = 0, LastStableOffset = 0, LogStartOffset = version >= 5 ? 0 : -1, AbortedTransactions = readCommitted ? [] : null, Records = ReadOnlyMemory<byte>.Empty });
        expected.Responses.Add(t);
        expected.Responses.Add(other);
        using var writer = new KafkaWriter();
        KafkaFrame.WriteResponse(writer, 77, version, expected);
        Assert.Equal(writer.ToArray(), actual);
    }
}
