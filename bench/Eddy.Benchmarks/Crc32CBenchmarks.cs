using System.Numerics;
using System.Runtime.InteropServices;
using BenchmarkDotNet.Attributes;
using Eddy.Protocol;

namespace Eddy.Benchmarks;

/// <summary>CRC-32C over 1 MB: the shipped path (3-way interleaved instruction), one stream, BitOperations.Crc32C, the table, and a copy.</summary>
[MemoryDiagnoser]
public class Crc32CBenchmarks
{
    private readonly byte[] _data = new byte[1 << 20];
    private readonly byte[] _copy = new byte[1 << 20];

    [GlobalSetup]
    public void Setup() => new Random(1).NextBytes(_data);

    [Benchmark(Baseline = true, Description = "Copy 1 MB")]
    public int MemoryCopy()
    {
        _data.AsSpan().CopyTo(_copy);
        return _copy[^1];
    }

    [Benchmark(Description = "Crc32C.Compute (3-way interleaved)")]
    public uint Compute() => Crc32C.Compute(_data);

    [Benchmark(Description = "CRC32C instruction, one stream")]
    public uint SingleStream() => Crc32C.AppendHardwareSingleStream(0, _data);

    [Benchmark(Description = "BitOperations.Crc32C per ulong")]
    public uint BitOperationsLoop()
    {
        uint crc = ~0u;
        foreach (ulong word in MemoryMarshal.Cast<byte, ulong>(_data))
        {
            crc = BitOperations.Crc32C(crc, word);
        }

        return ~crc;
    }

    [Benchmark(Description = "Slicing-by-8 table")]
    public uint Table() => Crc32C.AppendPortable(0, _data);
}
