using System.Text;
using Eddy.Client.Internal;

namespace Eddy.Client.Tests;

public class PartitionerTests
{
    // Known answers from Kafka's UtilsTest.testMurmur2 (clients/src/test/java/org/apache/kafka/common/utils/UtilsTest.java).
    [Theory]
    [InlineData("21", -973932308)]
    [InlineData("foobar", -790332482)]
    [InlineData("a-little-bit-long-string", -985981536)]
    [InlineData("a-little-bit-longer-string", -1486304829)]
    [InlineData("lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8", -58897971)]
    [InlineData("abc", 479470107)]
    public void Murmur2_matches_the_java_client(string key, int expected) =>
        Assert.Equal(expected, Murmur2.Hash(Encoding.UTF8.GetBytes(key)));

    [Fact]
    public void Keyed_partition_is_the_positive_hash_modulo_the_count()
    {
        byte[] key = Encoding.UTF8.GetBytes("foobar");
        Assert.Equal((-790332482 & 0x7fffffff) % 7, Murmur2.Partition(key, 7));
        Assert.InRange(Murmur2.Partition([], 3), 0, 2);
    }
}
