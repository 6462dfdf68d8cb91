using System.Globalization;
using Akka;
using Akka.Streams;
using Akka.Streams.Dsl;
using Akka.Streams.Supervision;
using Confluent.Kafka;
using Pipelines.Kafka.Embedded;
using Pipelines.Kafka.Tests.Embedded;
using Pipelines.Kafka.Tests.Support;
using Pipelines.TestKit;
using Pipelines.TestKit.Kafka;
using Xunit.Abstractions;

namespace Pipelines.Kafka.Tests.Producer;

/// <summary>Topic-to-topic pipelines ending in <see cref="KafkaProducer.CommittableSink{TKey, TValue}(ProducerSettings{TKey, TValue}, CommitterSettings)"/>.</summary>
public sealed class CommittableSinkTests : Akka.TestKit.Xunit2.TestKit, IClassFixture<EmbeddedClusterFixture>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private readonly EmbeddedClusterFixture _fixture;
    private readonly IMaterializer _materializer;

    public CommittableSinkTests(EmbeddedClusterFixture fixture, ITestOutputHelper output)
        : base(AkkaTestConfig.RealTime, nameof(CommittableSinkTests), output)
    {
        _fixture = fixture;
        _materializer = Sys.Materializer();
    }

    private KafkaClusterFixture Kafka => _fixture.Kafka;

    [Fact]
    public async Task CommittableSink_TopicToTopic_ProducesEveryRecordThenCommitsEveryOffset()
    {
        var (source, target, group) = await ArrangeAsync(partitions: 3, count: 300);

        var (control, done) = Pipeline(source, group, Copy(target), ProducerTestSettings.Strings(Kafka.BootstrapServers)).Run(_materializer);
        await UntilCommittedAsync(group, source, 300);
        await control.DrainAndShutdown(done).WaitAsync(Patience);

        var copied = await Kafka.ConsumeAllAsync(target, 300, Patience);
        copied.Select(r => r.Message.Value).Should().BeEquivalentTo(Enumerable.Range(0, 300).Select(Text));
        (await CommittedAsync(group, source)).Should().Equal(100, 100, 100);
    }

    [Fact]
    public async Task CommittableSink_ProduceFails_CommitsTheOffsetsBeforeItButNotItsOwn()
    {
        var (source, target, group) = await ArrangeAsync(partitions: 1, count: 10);
        var settings = ProducerTestSettings.Strings(Kafka.BootstrapServers).WithProperty("message.max.bytes", "1000").WithParallelism(1);

        // Record 4 becomes too large to produce; parallelism 1 has records 0-3 acknowledged before it is sent.
        var (control, done) = Pipeline(source, group, m => CopyTo(target, m, m.Record.Message.Value == "4" ? new string('x', 5000) : m.Record.Message.Value), settings)
            .Run(_materializer);

        var failure = (await done.Invoking(t => t.WaitAsync(Patience)).Should().ThrowAsync<KafkaProduceException<string, string>>()).Which;
        await control.Shutdown().WaitAsync(Patience);
        failure.Error.Code.Should().Be(ErrorCode.MsgSizeTooLarge);
        (await CommittedAsync(group, source)).Should().Equal([4L], "offsets 0-3 were produced and committed; offset 4 was not produced");
        (await Kafka.ConsumeAllAsync(target, 4, Patience)).Select(r => r.Message.Value).Should().Equal("0", "1", "2", "3");
    }

    [Fact]
    public async Task CommittableSink_DeliveryFailsUnderResumingDecider_LaterOffsetsAreNotCommittedPastIt()
    {
        var (source, target, group) = await ArrangeAsync(partitions: 1, count: 10);
        var refused = await Kafka.CreateTopicAsync(partitions: 1);
        var settings = ProducerTestSettings.Strings(Kafka.BootstrapServers).WithParallelism(1);
        var sink = KafkaProducer.CommittableSink(settings, KafkaTestSettings.Committer()).WithAttributes(ActorAttributes.CreateSupervisionStrategy(Deciders.ResumingDecider));

        // With parallelism 1 nothing else is in flight when record 4 is mapped, so the next produce request is record 4's and
        // the broker refuses it. It goes to a topic of its own because librdkafka then treats that topic as unwritable until
        // its next metadata refresh. Every other record is produced and reaches the committer.
        var (control, done) = KafkaConsumer.CommittableSource(KafkaTestSettings.Consumer(Kafka, group), Subscriptions.Topics(source))
            .Select(m =>
            {
                if (m.Record.Message.Value == "4")
                {
                    _fixture.Cluster.PushRequestErrors(KafkaApiKey.Produce, ErrorCode.TopicAuthorizationFailed);
                    return CopyTo(refused, m, m.Record.Message.Value);
                }

                return CopyTo(target, m, m.Record.Message.Value);
            })
            .ToMaterialized(sink, Keep.Both)
            .Run(_materializer);

        var copied = await Kafka.ConsumeAllAsync(target, 9, Patience);
        await control.DrainAndShutdown(done).WaitAsync(Patience);

        copied.Select(r => r.Message.Value).Should().Equal("0", "1", "2", "3", "5", "6", "7", "8", "9");
        (await CommittedAsync(group, source)).Should().Equal([4L], "the commit position never passes an offset whose record was not produced");
    }

    private static string Text(int i) => i.ToString(CultureInfo.InvariantCulture);

    private static Func<CommittableMessage<string, string>, IEnvelope<string, string, ICommittable>> Copy(string target) =>
        m => CopyTo(target, m, m.Record.Message.Value);

    private static IEnvelope<string, string, ICommittable> CopyTo(string topic, CommittableMessage<string, string> m, string value) =>
        ProducerMessage.Single<string, string, ICommittable>(new ProducerRecord<string, string>(topic, m.Record.Message.Key, value), m.CommittableOffset);

    private IRunnableGraph<(IControl Control, Task<Done> Done)> Pipeline(
        string source, string group, Func<CommittableMessage<string, string>, IEnvelope<string, string, ICommittable>> map, ProducerSettings<string, string> settings) =>
        KafkaConsumer.CommittableSource(KafkaTestSettings.Consumer(Kafka, group), Subscriptions.Topics(source))
            .Select(map)
            .ToMaterialized(KafkaProducer.CommittableSink(settings, KafkaTestSettings.Committer()), Keep.Both);

    private async Task<(string Source, string Target, string Group)> ArrangeAsync(int partitions, int count)
    {
        var source = await Kafka.CreateTopicAsync(partitions);
        var target = await Kafka.CreateTopicAsync(partitions);
        await TestProducer.ProduceAsync(Kafka, source, partitions, count);
        return (source, target, KafkaClusterFixture.NewGroupId());
    }

    private async Task<IReadOnlyList<long>> CommittedAsync(string group, string topic) =>
        [.. (await Kafka.GetCommittedOffsetsAsync(group, topic)).Select(o => o.Offset.Value)];

    private Task UntilCommittedAsync(string group, string topic, long total) =>
        Eventually.TrueAsync(async () => (await CommittedAsync(group, topic)).Where(o => o > 0).Sum() >= total, Patience, $"{total} committed records");
}
