using System.Text;

namespace Eddy.Protocol.Tests.Records;

public class Crc32CTests
{
    public static TheoryData<string, uint> KnownAnswers => new()
    {
        { string.Empty, 0x00000000u },
        { "123456789", 0xE3069283u },
        { "a", 0xC1D04330u },
        { "The quick brown fox jumps over the lazy dog", 0x22620404u },
    };

    [Theory]
    [MemberData(nameof(KnownAnswers))]
    public void Known_answers_match_for_hardware_and_table(string text, uint expected)
    {
        var bytes = Encoding.ASCII.GetBytes(text);
        Assert.Equal(expected, Crc32C.Compute(bytes));
        Assert.Equal(expected, Crc32C.AppendPortable(0, bytes));
        Assert.Equal(expected, Crc32C.AppendHardwareSingleStream(0, bytes));
    }

    [Fact]
    public void Rfc3720_iscsi_test_vectors_match()
    {
        // RFC 3720 appendix B.4.
        var zeros = new byte[32];
        var ones = Enumerable.Repeat((byte)0xFF, 32).ToArray();
        var ascending = Enumerable.Range(0, 32).Select(i => (byte)i).ToArray();
        var descending = Enumerable.Range(0, 32).Select(i => (byte)(31 - i)).ToArray();
        Assert.Equal(0x8A9136AAu, Crc32C.Compute(zeros));
        Assert.Equal(0x62A8AB43u, Crc32C.Compute(ones));
        Assert.Equal(0x46DD794Eu, Crc32C.Compute(ascending));
        Assert.Equal(0x113FDB5Cu, Crc32C.Compute(descending));
    }

    [Fact]
    public void Hardware_and_table_agree_on_random_data_of_every_shape()
    {
        var random = new Random(20240601);
        var data = new byte[(3 * 8192 * 2) + 3000];
        random.NextBytes(data);

        int[] lengths = [0, 1, 7, 8, 9, 63, 255, 256, 767, 768, 769, 1000, 8191, 24575, 24576, 24577, 30000, data.Length - 20];
        foreach (int length in lengths)
        {
            for (int offset = 0; offset < 9; offset++)
            {
                var slice = data.AsSpan(offset, Math.Min(length, data.Length - offset));
                uint table = Crc32C.AppendPortable(0, slice);
                Assert.Equal(table, Crc32C.Compute(slice));
                Assert.Equal(table, Crc32C.AppendHardwareSingleStream(0, slice));
            }
        }

        for (int i = 0; i < 200; i++)
        {
            int offset = random.Next(0, 100);
            var slice = data.AsSpan(offset, random.Next(0, data.Length - offset));
            Assert.Equal(Crc32C.AppendPortable(0, slice), Crc32C.Compute(slice));
        }
    }

    [Fact]
    public void Append_in_pieces_equals_compute_over_the_whole()
    {
        var random = new Random(7);
        var data = new byte[100_000];
        random.NextBytes(data);
        uint whole = Crc32C.Compute(data);
        for (int i = 0; i < 50; i++)
        {
            int cut1 = random.Next(0, data.Length);
            int cut2 = random.Next(cut1, data.Length);
            uint crc = Crc32C.Append(0, data.AsSpan(0, cut1));
            crc = Crc32C.Append(crc, data.AsSpan(cut1, cut2 - cut1));
            crc = Crc32C.Append(crc, data.AsSpan(cut2));
            Assert.Equal(whole, crc);
            Assert.Equal(whole, Crc32C.AppendPortable(Crc32C.AppendPortable(0, data.AsSpan(0, cut1)), data.AsSpan(cut1)));
        }
    }

    [Fact]
    public void Hardware_path_is_used_on_x64_and_arm64()
    {
        bool expected = System.Runtime.Intrinsics.X86.Sse42.X64.IsSupported || System.Runtime.Intrinsics.Arm.Crc32.Arm64.IsSupported;
        Assert.Equal(expected, Crc32C.IsHardwareAccelerated);
    }
}
