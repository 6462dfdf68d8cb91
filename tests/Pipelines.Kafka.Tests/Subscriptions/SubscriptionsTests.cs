using Confluent.Kafka;

// Not Pipelines.Kafka.Tests.Subscriptions: a namespace of that name would hide the Subscriptions class from every test.
namespace Pipelines.Kafka.Tests;

public sealed class SubscriptionsTests
{
    [Fact]
    public void Topics_Duplicates_AreKeptOnce()
    {
        var subscription = Subscriptions.Topics("a", "b", "a");

        subscription.Topics.Should().Equal("a", "b");
        subscription.AssignmentHandler.Should().BeNull();
    }

    [Theory]
    [InlineData("")]
    [InlineData("bad topic")]
    [InlineData("..")]
    public void Topics_InvalidName_Throws(string topic)
    {
        var act = () => Subscriptions.Topics(topic);

        act.Should().Throw<ArgumentException>().WithMessage("*topic name*");
    }

    [Fact]
    public void Topics_None_Throws()
    {
        var act = () => Subscriptions.Topics();

        act.Should().Throw<ArgumentException>();
    }

    [Fact]
    public void TopicPattern_WithoutCaret_GetsOne()
    {
        Subscriptions.TopicPattern("orders-.*").Pattern.Should().Be("^orders-.*");
        Subscriptions.TopicPattern("^x").Pattern.Should().Be("^x");
    }

    [Fact]
    public void WithPartitionAssignmentHandler_ReturnsACopy_OriginalUnchanged()
    {
        var original = Subscriptions.Topics("a");

        var withHandler = original.WithPartitionAssignmentHandler(PartitionAssignmentHandler.Empty);

        original.AssignmentHandler.Should().BeNull();
        withHandler.AssignmentHandler.Should().BeSameAs(PartitionAssignmentHandler.Empty);
        withHandler.Should().BeOfType<TopicSubscription>().Which.Topics.Should().Equal("a");
    }

    [Fact]
    public void AssignmentWithOffset_SamePartitionTwice_Throws()
    {
        var act = () => Subscriptions.AssignmentWithOffset(
            new TopicPartitionOffset("a", 0, 5), new TopicPartitionOffset("a", 0, 9));

        act.Should().Throw<ArgumentException>().WithMessage("*twice*");
    }

    [Fact]
    public void Assignment_NegativePartition_Throws()
    {
        var act = () => Subscriptions.Assignment(new TopicPartition("a", -1));

        act.Should().Throw<ArgumentException>();
    }

    [Fact]
    public void AssignmentOffsetsForTimes_KeepsTheTimestamps()
    {
        var at = new Timestamp(DateTime.UnixEpoch.AddSeconds(10));

        var subscription = Subscriptions.AssignmentOffsetsForTimes(new TopicPartitionTimestamp("a", 1, at));

        subscription.Timestamps.Should().ContainSingle().Which.Timestamp.Should().Be(at);
    }
}
