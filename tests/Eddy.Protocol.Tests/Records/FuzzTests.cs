using System.Buffers;
using System.Diagnostics;
using Eddy.Protocol.Compression;
using Eddy.Protocol.Records;

namespace Eddy.Protocol.Tests.Records;

/// <summary>
/// Random and mutated blobs through the batch reader, the record enumerator, header enumeration,
/// control parsing and the produce validator: only <see cref="KafkaProtocolException"/> may escape,
/// nothing hangs, and decompression stays within its limit. Deterministic (fixed seed).
/// </summary>
public class FuzzTests
{
    private const int Iterations = 100_000;

    private static List<byte[]> Corpus()
    {
        var corpus = new List<byte[]>();
        using var builder = new RecordBatchBuilder();
        foreach (var compression in new[] { CompressionType.None, CompressionType.Gzip })
        {
            foreach (int count in new[] { 1, 3, 20 })
            {
                builder.Reset();
                builder.Compression = compression;
                builder.ProducerId = count;
                builder.BaseSequence = 0;
                foreach (var record in TestRecord.Mix(count, seed: count).Select(r => r with { Key = r.Key is { Length: > 300 } ? r.Key[..300] : r.Key, Value = r.Value is { Length: > 300 } ? r.Value[..300] : r.Value }))
                {
                    record.AppendTo(builder);
                }

                corpus.Add(builder.ToArray());
            }
        }

        var output = new ArrayBufferWriter<byte>();
        new EndTransactionMarker(ControlRecordType.Abort, 4).WriteControlBatch(output, 10, 1, 1, 100);
        corpus.Add(output.WrittenSpan.ToArray());
        corpus.Add([.. corpus[0], .. corpus[1], .. corpus[^1]]);
        corpus.Add([.. corpus[3], .. corpus[4]]);
        return corpus;
    }

    private static byte[] Mutate(Random random, List<byte[]> corpus)
    {
        var source = corpus[random.Next(corpus.Count)];
        var blob = (byte[])source.Clone();
        int kind = random.Next(9);
        switch (kind)
        {
            case 0: // bit flips anywhere
                for (int i = random.Next(1, 8); i > 0; i--)
                {
                    int at = random.Next(blob.Length);
                    blob[at] ^= (byte)(1 << random.Next(8));
                }

                break;
            case 1: // truncation
                return blob[..random.Next(blob.Length)];
            case 2: // corrupt Length, RecordCount or LastOffsetDelta
                int field = random.Next(3) switch { 0 => 8, 1 => 57, _ => 23 };
                System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(blob.AsSpan(field), random.Next(4) switch
                {
                    0 => random.Next(),
                    1 => -random.Next(),
                    2 => int.MaxValue,
                    _ => System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(blob.AsSpan(field)) + random.Next(-3, 4),
                });
                break;
            case 3: // a huge or overlong varint somewhere in the records
                if (blob.Length > 62)
                {
                    int at = random.Next(61, blob.Length);
                    for (int i = 0; i < random.Next(1, 11) && at + i < blob.Length; i++)
                    {
                        blob[at + i] = random.Next(2) == 0 ? (byte)0xFF : (byte)0x80;
                    }
                }

                break;
            case 4: // random bytes in the records section
                for (int i = random.Next(1, 20); i > 0; i--)
                {
                    blob[random.Next(Math.Min(61, blob.Length - 1), blob.Length)] = (byte)random.Next(256);
                }

                break;
            case 5: // mutated and then the CRC fixed, so validation reaches the records
                if (blob.Length > 62)
                {
                    blob[random.Next(61, blob.Length)] = (byte)random.Next(256);
                    try
                    {
                        RecordBatchEditor.UpdateCrc(blob);
                    }
                    catch (KafkaProtocolException)
                    {
                    }
                }

                break;
            case 6: // random header with random body
                var noise = new byte[random.Next(0, 200)];
                random.NextBytes(noise);
                if (noise.Length > 17)
                {
                    noise[16] = 2;
                    System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(noise.AsSpan(8), noise.Length - 12 - random.Next(0, 3));
                }

                return noise;
            case 7: // change the codec bits
                if (blob.Length > 22)
                {
                    blob[22] = (byte)((blob[22] & ~7) | random.Next(8));
                }

                break;
            default: // extend with garbage after the batch
                var extra = new byte[random.Next(1, 40)];
                random.NextBytes(extra);
                return [.. blob, .. extra];
        }

        return blob;
    }

    private static long Exercise(byte[] blob, DecompressionBuffer buffer)
    {
        long touched = 0;
        var reader = new RecordBatchReader(blob);
        while (reader.TryReadNext(out var batch))
        {
            touched += batch.IsCrcValid ? 1 : 0;
            var records = batch.GetRecords(buffer);
            try
            {
                int guard = 0;
                while (records.MoveNext())
                {
                    Assert.True(++guard <= batch.Header.RecordCount, "more records than the batch declares");
                    var record = records.Current;
                    touched += record.Key.Length + record.Value.Length + record.Offset;
                    foreach (RecordHeaderView header in record.Headers)
                    {
                        touched += header.Key.Length + header.Value.Length;
                    }

                    if (batch.Header.IsControl)
                    {
                        var key = ControlRecordKey.Read(record.Key);
                        touched += (int)key.Type;
                        if (key.Type is ControlRecordType.Commit or ControlRecordType.Abort)
                        {
                            touched += EndTransactionMarker.Read(key, record.Value).CoordinatorEpoch;
                        }
                    }
                }
            }
            finally
            {
                records.Dispose();
            }
        }

        return touched;
    }

    [Fact]
    public void Random_and_mutated_blobs_only_ever_raise_protocol_exceptions()
    {
        var random = new Random(0x5EED);
        var corpus = Corpus();
        using var buffer = new DecompressionBuffer(maxDecompressedBytes: 1 << 20);
        var options = new ProduceValidationOptions { MaxDecompressedBytes = 1 << 20 };
        var watch = Stopwatch.StartNew();
        int rejected = 0;
        int accepted = 0;
        for (int i = 0; i < Iterations; i++)
        {
            var blob = Mutate(random, corpus);
            try
            {
                Exercise(blob, buffer);
                accepted++;
            }
            catch (KafkaProtocolException e)
            {
                Assert.False(string.IsNullOrWhiteSpace(e.Message));
                rejected++;
            }

            if (i % 10 == 0)
            {
                try
                {
                    ProduceValidator.Validate(blob, 9, options, buffer);
                }
                catch (KafkaProtocolException)
                {
                }
            }
        }

        // Both outcomes must occur, or the mutations are not reaching the parser.
        Assert.True(rejected > Iterations / 10, $"only {rejected} rejected");
        Assert.True(accepted > Iterations / 10, $"only {accepted} accepted");
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(60), $"took {watch.Elapsed}");
        Assert.True(GC.GetTotalMemory(false) < 1L << 30, "memory grew beyond 1 GiB");
    }

    [Fact]
    public void Gzip_bomb_is_stopped_at_the_decompression_limit()
    {
        using var builder = new RecordBatchBuilder { Compression = CompressionType.Gzip };
        builder.Append(0, NullableBytes.Null, new byte[8 << 20]);
        var bytes = builder.ToArray();
        using var buffer = new DecompressionBuffer(maxDecompressedBytes: 1 << 20);
        long before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<KafkaProtocolException>(() => RecordBatchView.Read(bytes).GetRecords(buffer));
        Assert.Contains("1048576", e.Message, StringComparison.Ordinal);
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 8 << 20, "decompressed past the limit");
    }
}
