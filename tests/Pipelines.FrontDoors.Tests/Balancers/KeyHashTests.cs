using System.Text;
using Pipelines.FrontDoors.Balancers;

namespace Pipelines.FrontDoors.Tests.Balancers;

public sealed class KeyHashTests
{
    // Kafka's own vectors (org.apache.kafka.common.utils.UtilsTest.testMurmur2): the Java client's hash of these keys.
    [Theory]
    [InlineData("21", -973932308)]
    [InlineData("foobar", -790332482)]
    [InlineData("a-little-bit-long-string", -985981536)]
    [InlineData("a-little-bit-longer-string", -1486304829)]
    [InlineData("lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8", -58897971)]
    [InlineData("abc", 479470107)]
    public void Murmur2_KafkaUtilsTestVectors_MatchTheJavaClient(string key, int expected) =>
        Murmur2Hash.Compute(Encoding.UTF8.GetBytes(key)).Should().Be(expected);

    [Fact]
    public void Murmur2Partition_MasksTheSignBitBeforeTheModulo_AsUtilsToPositive()
    {
        // toPositive(-790332482) = 1357151166; 1357151166 % 50 = 16 and % 10 = 6 (Math.Abs would give 32 and 2).
        Murmur2Hash.Partition("foobar"u8, 50).Should().Be(16);
        Murmur2Hash.Partition("foobar"u8, 10).Should().Be(6);
    }

    // Go's hash/fnv golden values for New32a.
    [Theory]
    [InlineData("", 0x811c9dc5u)]
    [InlineData("a", 0xe40c292cu)]
    [InlineData("ab", 0x4d2505cau)]
    [InlineData("abc", 0x1a47e90bu)]
    [InlineData("foobar", 0xbf9cf968u)]
    public void Fnv1a_GoHashFnvVectors_Match(string key, uint expected) =>
        Fnv1aHash.Compute(Encoding.UTF8.GetBytes(key)).Should().Be(expected);

    [Fact]
    public void Fnv1aPartition_KeyHashingToMinInt32_StaysInRange_AsSaramaTestHashPartitionerMinInt32()
    {
        // Sarama's test key: its FNV-1a is 2147483648, int32's minimum once converted; -2147483648 % 50 = -48, negated 48.
        Fnv1aHash.Compute("1468509572224"u8).Should().Be(0x80000000u);
        Fnv1aHash.Partition("1468509572224"u8, 50).Should().Be(48);
    }

    [Fact]
    public void Fnv1aPartition_NegativeHash_IsNegatedAfterTheModulo_NotMaskedOrUnsigned()
    {
        // FNV-1a("a") = 0xe40c292c: as int32 -468965076. Sarama: -468965076 % 7 = -6, negated 6.
        // The Java rule (mask the sign bit) would give 3, an unsigned modulo 5.
        Fnv1aHash.Partition("a"u8, 7).Should().Be(6);
        ((int)(0xe40c292cu & 0x7fffffff) % 7).Should().Be(3);
        ((int)(0xe40c292cu % 7)).Should().Be(5);
    }
}
