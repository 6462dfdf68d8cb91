using Pipelines.Kafka;

namespace Pipelines.Configuration.Tests.Kafka;

public sealed class CommitterSettingsTests
{
    [Fact]
    public void Default_ComesFromTheReference()
    {
        var settings = CommitterSettings.Default;

        settings.MaxBatch.Should().Be(1000);
        settings.MaxInterval.Should().Be(TimeSpan.FromSeconds(10));
        settings.Parallelism.Should().Be(100);
        settings.Delivery.Should().Be(CommitDelivery.WaitForAck);
        settings.When.Should().Be(CommitWhen.OffsetFirstObserved);
    }

    [Theory]
    [InlineData("when = next-offset-observed, delivery = SendAndForget", CommitWhen.NextOffsetObserved, CommitDelivery.SendAndForget)]
    [InlineData("when = NextOffsetObserved, delivery = send-and-forget", CommitWhen.NextOffsetObserved, CommitDelivery.SendAndForget)]
    [InlineData("when = offset-first-observed, delivery = WaitForAck", CommitWhen.OffsetFirstObserved, CommitDelivery.WaitForAck)]
    public void Create_EnumSpellings_AreAccepted(string hocon, CommitWhen when, CommitDelivery delivery)
    {
        var settings = CommitterSettings.Create(PipelinesConfiguration.ParseString("akka.kafka.committer { " + hocon + " }"));

        settings.When.Should().Be(when);
        settings.Delivery.Should().Be(delivery);
        settings.MaxBatch.Should().Be(1000);
    }

    [Fact]
    public void Create_WithInvalidValues_ReportsEveryProblemWithItsKey()
    {
        var config = PipelinesConfiguration.ParseString("akka.kafka.committer { max-batch = 0, max-interval = soon, parallelism = -1, delivery = maybe, when = 1 }");

        var act = () => CommitterSettings.Create(config);

        var problems = act.Should().Throw<SettingsException>().Which.Problems;
        problems.Should().HaveCount(5);
        problems.Should().Contain("akka.kafka.committer.max-batch: must be at least 1, but is 0");
        problems.Should().Contain("akka.kafka.committer.parallelism: must be at least 1, but is -1");
        problems.Should().Contain("akka.kafka.committer.delivery: must be one of wait-for-ack, send-and-forget, but is \"maybe\"");
        problems.Should().Contain(p => p.StartsWith("akka.kafka.committer.max-interval: must be a duration", StringComparison.Ordinal));
        problems.Should().Contain(p => p.StartsWith("akka.kafka.committer.when: must be one of offset-first-observed, next-offset-observed", StringComparison.Ordinal));
    }

    [Fact]
    public void WithMethods_ReturnValidatedCopies()
    {
        var changed = CommitterSettings.Default.WithMaxBatch(10).WithMaxInterval(TimeSpan.FromMilliseconds(100))
            .WithParallelism(2).WithDelivery(CommitDelivery.SendAndForget).WithWhen(CommitWhen.NextOffsetObserved);

        changed.MaxBatch.Should().Be(10);
        changed.MaxInterval.Should().Be(TimeSpan.FromMilliseconds(100));
        changed.Parallelism.Should().Be(2);
        changed.Delivery.Should().Be(CommitDelivery.SendAndForget);
        changed.When.Should().Be(CommitWhen.NextOffsetObserved);
        CommitterSettings.Default.MaxBatch.Should().Be(1000);

        var act = () => CommitterSettings.Default.WithMaxInterval(TimeSpan.FromSeconds(-1));
        act.Should().Throw<SettingsException>().Which.Problems.Should().Equal("akka.kafka.committer.max-interval: must be greater than zero, but is -00:00:01");
    }
}
