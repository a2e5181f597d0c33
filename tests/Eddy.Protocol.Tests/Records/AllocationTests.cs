using Eddy.Protocol.Records;

namespace Eddy.Protocol.Tests.Records;

public class AllocationTests
{
    private static long IterateAll(ReadOnlySpan<byte> blob)
    {
        long total = 0;
        var reader = new RecordBatchReader(blob);
        while (reader.TryReadNext(out var batch))
        {
            foreach (RecordView record in batch.GetRecords())
            {
                total += record.Offset + record.Timestamp + record.Key.Length + record.Value.Length;
                foreach (RecordHeaderView header in record.Headers)
                {
                    total += header.Key.Length + header.Value.Length;
                }
            }
        }

        return total;
    }

    [Fact]
    public void Iterating_1000_uncompressed_records_allocates_nothing()
    {
        using var builder = new RecordBatchBuilder();
        var value = new byte[100];
        var headers = new[] { new RecordHeader("trace", new byte[8]) };
        for (int i = 0; i < 1000; i++)
        {
            builder.Append(1_000 + i, BitConverter.GetBytes(i), value, i % 2 == 0 ? headers : default);
        }

        var blob = builder.ToArray();
        long expected = IterateAll(blob); // warm-up: JIT, statics
        IterateAll(blob);

        long before = GC.GetAllocatedBytesForCurrentThread();
        long result = IterateAll(blob);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(expected, result);
        Assert.Equal(0, allocated);
    }

    [Fact]
    public void Appending_and_writing_into_a_reused_builder_allocates_nothing_per_record()
    {
        using var builder = new RecordBatchBuilder();
        using var output = new KafkaWriter(256 * 1024);
        var value = new byte[100];
        void Round()
        {
            builder.Reset();
            output.Reset();
            for (int i = 0; i < 1000; i++)
            {
                builder.Append(1_000 + i, value.AsSpan(0, 8), value);
            }

            builder.WriteTo(output);
        }

        Round();
        Round();
        long before = GC.GetAllocatedBytesForCurrentThread();
        Round();
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(0, allocated);
    }
}
