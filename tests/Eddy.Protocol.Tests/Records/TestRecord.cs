using System.Text;
using Eddy.Protocol.Records;

namespace Eddy.Protocol.Tests.Records;

/// <summary>A record as tests describe it, with null and empty kept apart.</summary>
internal sealed record TestRecord(long Timestamp, byte[]? Key, byte[]? Value, (string Key, byte[]? Value)[] Headers)
{
    public TestRecord(long timestamp, byte[]? key, byte[]? value)
        : this(timestamp, key, value, [])
    {
    }

    public RecordHeader[] WireHeaders()
    {
        var headers = new RecordHeader[Headers.Length];
        for (int i = 0; i < Headers.Length; i++)
        {
            headers[i] = new RecordHeader(Headers[i].Key, Headers[i].Value);
        }

        return headers;
    }

    public void AppendTo(RecordBatchBuilder builder) => builder.Append(Timestamp, Key, Value, WireHeaders());

    /// <summary>Asserts that <paramref name="record"/> has exactly this record's key, value and headers.</summary>
    public void AssertMatches(RecordView record)
    {
        AssertBytes(Key, record.Key, record.IsKeyNull, "key");
        AssertBytes(Value, record.Value, record.IsValueNull, "value");
        Assert.Equal(Headers.Length, record.HeaderCount);
        int i = 0;
        foreach (RecordHeaderView header in record.Headers)
        {
            Assert.Equal(Headers[i].Key, Encoding.UTF8.GetString(header.Key));
            AssertBytes(Headers[i].Value, header.Value, header.IsValueNull, $"header {i} value");
            i++;
        }

        Assert.Equal(Headers.Length, i);
    }

    public static void AssertBytes(byte[]? expected, ReadOnlySpan<byte> actual, bool actualIsNull, string what)
    {
        if (expected is null)
        {
            Assert.True(actualIsNull, $"{what} should be null");
            Assert.Equal(0, actual.Length);
        }
        else
        {
            Assert.False(actualIsNull, $"{what} should not be null");
            Assert.True(expected.AsSpan().SequenceEqual(actual), $"{what} bytes differ");
        }
    }

    /// <summary>A deterministic mix: null/empty/small/large keys and values, headers with null values.</summary>
    public static List<TestRecord> Mix(int count, int seed, long baseTimestamp = 1_700_000_000_000)
    {
        var random = new Random(seed);
        var records = new List<TestRecord>(count);
        for (int i = 0; i < count; i++)
        {
            byte[]? Bytes(int kind) => kind switch
            {
                0 => null,
                1 => [],
                2 => RandomBytes(random, random.Next(1, 20)),
                3 => RandomBytes(random, random.Next(100, 300)),
                _ => RandomBytes(random, random.Next(20_000, 70_000)),
            };

            int headerCount = random.Next(0, 4);
            var headers = new (string, byte[]?)[headerCount];
            for (int h = 0; h < headerCount; h++)
            {
                headers[h] = (h == 1 ? $"ключ-{i}-{h}" : $"h{h}", Bytes(random.Next(0, 4)));
            }

            long timestamp = baseTimestamp + random.Next(-5_000, 5_000);
            records.Add(new TestRecord(timestamp, Bytes(random.Next(0, i % 50 == 7 ? 5 : 4)), Bytes(random.Next(0, i % 40 == 3 ? 5 : 4)), headers));
        }

        return records;
    }

    public static byte[] RandomBytes(Random random, int length)
    {
        var bytes = new byte[length];
        random.NextBytes(bytes);
        return bytes;
    }
}
