using System.Text;

namespace Eddy.Protocol.Tests.Compression;

/// <summary>Deterministic inputs for the codec tests: every generator takes a seed.</summary>
internal static class TestData
{
    private static readonly string[] Words =
    [
        "the", "stream", "record", "offset", "partition", "topic", "consumer", "producer", "batch", "kafka",
        "eddy", "state", "store", "window", "join", "key", "value", "timestamp", "header", "compression",
        "snappy", "lz4", "zstd", "gzip", "broker", "leader", "replica", "commit", "group", "rebalance",
    ];

    public static byte[] Random(int length, int seed)
    {
        var data = new byte[length];
        new Random(seed).NextBytes(data);
        return data;
    }

    /// <summary>A random pattern of <paramref name="period"/> bytes repeated: long, overlapping matches.</summary>
    public static byte[] Repeating(int length, int period, int seed)
    {
        byte[] pattern = Random(period, seed);
        var data = new byte[length];
        for (int i = 0; i < length; i++)
        {
            data[i] = pattern[i % period];
        }

        return data;
    }

    /// <summary>Words, spaces and punctuation: what log lines look like.</summary>
    public static byte[] Text(int length, int seed)
    {
        var random = new Random(seed);
        var builder = new StringBuilder(length + 32);
        while (builder.Length < length)
        {
            builder.Append(Words[random.Next(Words.Length)]);
            int r = random.Next(20);
            builder.Append(r == 0 ? ".\n" : r == 1 ? ", " : r == 2 ? random.Next(100000).ToString(System.Globalization.CultureInfo.InvariantCulture) + " " : " ");
        }

        return Encoding.ASCII.GetBytes(builder.ToString(0, length));
    }

    /// <summary>Semi-repetitive JSON-ish records of about <paramref name="recordSize"/> bytes each: a record batch's payload.</summary>
    public static byte[] JsonRecords(int count, int recordSize, int seed)
    {
        var random = new Random(seed);
        var output = new MemoryStream();
        for (int i = 0; i < count; i++)
        {
            string record = string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"{{\"id\":{1000000 + i},\"user\":\"user-{random.Next(500)}\",\"event\":\"{Words[random.Next(Words.Length)]}\",\"ts\":{1700000000000L + (i * 37)},\"v\":{random.NextDouble():F4}}}");
            record = record.Length >= recordSize ? record[..recordSize] : record.PadRight(recordSize, ' ');
            byte[] bytes = Encoding.ASCII.GetBytes(record);
            output.Write(bytes);
        }

        return output.ToArray();
    }

    /// <summary>Chunks of text, random bytes, runs and patterns: every decoder path in one input.</summary>
    public static byte[] Mixed(int length, int seed)
    {
        var random = new Random(seed);
        var output = new MemoryStream(length);
        while (output.Length < length)
        {
            int chunk = random.Next(1, 20000);
            byte[] part = random.Next(5) switch
            {
                0 => Random(chunk, random.Next()),
                1 => Repeating(chunk, random.Next(1, 40), random.Next()),
                2 => Text(chunk, random.Next()),
                3 => JsonRecords((chunk / 100) + 1, 100, random.Next()),
                _ => new byte[chunk],
            };
            output.Write(part);
        }

        return output.ToArray().AsSpan(0, length).ToArray();
    }

    /// <summary>The standard input set every codec is checked on.</summary>
    public static IEnumerable<(string Name, byte[] Data)> Standard()
    {
        yield return ("empty", []);
        yield return ("one-byte", [0x42]);
        yield return ("three-bytes", "abc"u8.ToArray());
        yield return ("short-text", Text(100, 1));
        yield return ("random-1k", Random(1000, 2));
        yield return ("random-300k", Random(300_000, 3));
        yield return ("zeros-1m", new byte[1 << 20]);
        yield return ("period-1", Repeating(70_000, 1, 4));
        yield return ("period-3", Repeating(100_000, 3, 5));
        yield return ("period-7", Repeating(100_000, 7, 6));
        yield return ("period-13", Repeating(100_000, 13, 7));
        yield return ("period-1000", Repeating(200_000, 1000, 8));
        yield return ("period-70000", Repeating(300_000, 70_000, 9));
        yield return ("text-1.5m", Text(1_500_000, 10));
        yield return ("json-records", JsonRecords(1000, 100, 11));
        yield return ("mixed-1m", Mixed(1 << 20, 12));
        yield return ("small-alphabet", SmallAlphabet(50_000, 13));
    }

    /// <summary>Random bytes from a 4-symbol alphabet: skewed Huffman tables without matches.</summary>
    public static byte[] SmallAlphabet(int length, int seed)
    {
        var random = new Random(seed);
        var data = new byte[length];
        for (int i = 0; i < length; i++)
        {
            int r = random.Next(16);
            data[i] = r < 8 ? (byte)'a' : r < 12 ? (byte)'b' : r < 14 ? (byte)'c' : (byte)'d';
        }

        return data;
    }
}
