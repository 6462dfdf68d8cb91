using System.ComponentModel;
using Pipelines.FrontDoors.Balancers;

namespace Pipelines.FrontDoors.Tests.Balancers;

public sealed class BalancerTests
{
    [Fact]
    public void RoundRobin_WalksEachTopicsPartitionsFromZero()
    {
        var balancer = Balancer.RoundRobin.ForProducer();

        var orders = Enumerable.Range(0, 7).Select(_ => balancer.Choose("orders", 3, null, null)).ToList();
        var audit = Enumerable.Range(0, 3).Select(_ => balancer.Choose("audit", 2, null, null)).ToList();

        orders.Should().Equal(0, 1, 2, 0, 1, 2, 0);
        audit.Should().Equal(0, 1, 0);
    }

    [Fact]
    public void RoundRobin_EachProducerHasItsOwnCounter()
    {
        var first = Balancer.RoundRobin.ForProducer();
        var second = Balancer.RoundRobin.ForProducer();

        first.Choose("t", 4, null, null);
        first.Choose("t", 4, null, null);

        second.Choose("t", 4, null, null).Should().Be(0);
        first.Should().NotBeSameAs(second);
    }

    [Fact]
    public void LeastBytes_ChoosesThePartitionWithFewestBytes_LowestOnATie()
    {
        var balancer = Balancer.LeastBytes.ForProducer();
        var big = new byte[100];
        var small = new byte[10];

        balancer.Choose("t", 3, null, big).Should().Be(0, "all are empty: the lowest");
        balancer.Choose("t", 3, small, small).Should().Be(1, "0 has 100 bytes");
        balancer.Choose("t", 3, null, small).Should().Be(2);
        balancer.Choose("t", 3, null, small).Should().Be(2, "2 has 10 bytes, 1 has 20 (key and value count)");
        balancer.Choose("t", 3, null, big).Should().Be(1, "1 and 2 both have 20: the lowest");
    }

    [Fact]
    public void LeastBytes_PartitionsAdded_NewOnesAreChosenFirst()
    {
        var balancer = Balancer.LeastBytes.ForProducer();
        balancer.Choose("t", 2, null, new byte[5]);
        balancer.Choose("t", 2, null, new byte[5]);

        balancer.Choose("t", 3, null, new byte[1]).Should().Be(2);
    }

    [Fact]
    public void Custom_CallsTheDelegateWithTopicCountKeyAndValue()
    {
        (string, int, byte[]?, byte[]?)? seen = null;
        var balancer = Balancer.Custom((topic, count, key, value) =>
        {
            seen = (topic, count, key, value);
            return count - 1;
        }, "last");
        byte[] key = [1];
        byte[] value = [2, 3];

        balancer.Choose("t", 5, key, value).Should().Be(4);

        seen.Should().Be(("t", 5, key, value));
        balancer.Name.Should().Be("last");
    }

    [Theory]
    [InlineData("murmur2", "murmur2")]
    [InlineData("FNV1A", "fnv1a")]
    [InlineData("round-robin", "round-robin")]
    [InlineData("RoundRobin", "round-robin")]
    [InlineData("least_bytes", "least-bytes")]
    [InlineData("manual", "manual")]
    public void Parse_ConfigurationNames_GiveTheBalancer(string text, string name) =>
        Balancer.Parse(text).Name.Should().Be(name);

    [Fact]
    public void Parse_UnknownName_SaysWhichNamesExist()
    {
        var act = () => Balancer.Parse("sticky");

        act.Should().Throw<ArgumentException>().WithMessage("*\"sticky\"*murmur2*fnv1a*round-robin*least-bytes*manual*");
    }

    [Fact]
    public void TypeConverter_ConvertsNames_ForConfigurationBinding() =>
        TypeDescriptor.GetConverter(typeof(Balancer)).ConvertFrom("least-bytes").Should().BeSameAs(Balancer.LeastBytes);

    [Fact]
    public void Hash_UsesLibrdkafkasOwnPartitioners()
    {
        Balancer.Hash(KeyHash.Murmur2).Should().BeSameAs(Balancer.Murmur2);
        Balancer.Hash(KeyHash.Fnv1a).Should().BeSameAs(Balancer.Fnv1a);
        Balancer.Murmur2.LibrdkafkaPartitioner.Should().Be("murmur2_random");
        Balancer.Fnv1a.LibrdkafkaPartitioner.Should().Be("fnv1a_random");
        Balancer.Murmur2.ChoosesBeforeSend.Should().BeFalse();
        Balancer.RoundRobin.ChoosesBeforeSend.Should().BeTrue("librdkafka may call a partitioner more than once per record");
        Balancer.LeastBytes.ChoosesBeforeSend.Should().BeTrue();
    }
}
