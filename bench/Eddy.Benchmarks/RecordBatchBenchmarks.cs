using System.Text;
using BenchmarkDotNet.Attributes;
using Eddy.Protocol;
using Eddy.Protocol.Compression;
using Eddy.Protocol.Records;

namespace Eddy.Benchmarks;

/// <summary>
/// Record batch v2 encode and decode of 1,000 records with 100-byte values (and 8-byte keys), per codec
/// that <see cref="CompressionCodecs"/> supports, next to a copy of the same uncompressed batch's bytes
/// (the memory-copy baseline). Decode iterates every record and touches key and value lengths.
/// </summary>
[MemoryDiagnoser]
public class RecordBatchBenchmarks : IDisposable
{
    private const int RecordCount = 1_000;
    private readonly byte[][] _values = new byte[RecordCount][];
    private readonly byte[][] _keys = new byte[RecordCount][];
    private RecordBatchBuilder _builder = null!;
    private KafkaWriter _output = null!;
    private DecompressionBuffer _buffer = null!;
    private byte[] _batch = [];
    private byte[] _uncompressedBatch = [];
    private byte[] _copy = [];

    public static IEnumerable<CompressionType> SupportedCodecs => Enum.GetValues<CompressionType>().Where(CompressionCodecs.CanCompress);

    [ParamsSource(nameof(SupportedCodecs))]
    public CompressionType Codec { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(42);
        for (int i = 0; i < RecordCount; i++)
        {
            // Text-like values, so compression has something to do.
            var text = Encoding.ASCII.GetBytes($"{{\"id\":{i},\"user\":\"user-{random.Next(1000)}\",\"event\":\"click\",\"page\":\"/p/{random.Next(100000)}\",\"pad\":\"");
            var value = new byte[100];
            text.AsSpan(0, Math.Min(text.Length, 100)).CopyTo(value);
            for (int j = text.Length; j < 100; j++)
            {
                value[j] = (byte)('a' + random.Next(26));
            }

            _values[i] = value;
            _keys[i] = BitConverter.GetBytes((long)i);
        }

        _builder = new RecordBatchBuilder(256 * 1024) { Compression = Codec };
        _output = new KafkaWriter(256 * 1024);
        _buffer = new DecompressionBuffer();
        _batch = Encode().ToArray();
        _builder.Compression = CompressionType.None;
        _uncompressedBatch = Encode().ToArray();
        _builder.Compression = Codec;
        _copy = new byte[_uncompressedBatch.Length];
        Console.WriteLine($"// {Codec}: batch {_batch.Length} bytes, uncompressed batch {_uncompressedBatch.Length} bytes");
    }

    [GlobalCleanup]
    public void Dispose()
    {
        _builder.Dispose();
        _output.Dispose();
        _buffer.Dispose();
        GC.SuppressFinalize(this);
    }

    [Benchmark(Baseline = true, Description = "Copy uncompressed batch bytes")]
    public int MemoryCopy()
    {
        _uncompressedBatch.AsSpan().CopyTo(_copy);
        return _copy[^1];
    }

    [Benchmark(Description = "Encode 1,000 records")]
    public int EncodeBatch() => Encode().Length;

    [Benchmark(Description = "Decode 1,000 records")]
    public long DecodeBatch()
    {
        long total = 0;
        var reader = new RecordBatchReader(_batch);
        while (reader.TryReadNext(out var batch))
        {
            foreach (RecordView record in batch.GetRecords(_buffer))
            {
                total += record.Key.Length + record.Value.Length;
            }
        }

        return total;
    }

    [Benchmark(Description = "Decode 1,000 records + CRC check")]
    public long DecodeBatchWithCrc()
    {
        long total = 0;
        var reader = new RecordBatchReader(_batch);
        while (reader.TryReadNext(out var batch))
        {
            batch.EnsureValidCrc();
            foreach (RecordView record in batch.GetRecords(_buffer))
            {
                total += record.Key.Length + record.Value.Length;
            }
        }

        return total;
    }

    private ReadOnlySpan<byte> Encode()
    {
        _builder.Reset();
        _output.Reset();
        for (int i = 0; i < RecordCount; i++)
        {
            _builder.Append(1_700_000_000_000 + i, _keys[i], _values[i]);
        }

        _builder.WriteTo(_output);
        return _output.WrittenSpan;
    }
}
