using System.Collections.Concurrent;
using Confluent.Kafka;
using Pipelines.Kafka.Embedded;
using Pipelines.TestKit.Kafka;

namespace Pipelines.Kafka.Tests.Embedded;

/// <summary>Each test injects faults, so each gets a cluster of its own.</summary>
public sealed class EmbeddedKafkaClusterFaultTests : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private readonly KafkaClusterFixture _kafka = new(externalBootstrapServers: null);

    private EmbeddedKafkaCluster Cluster => _kafka.Embedded!;

    public Task InitializeAsync() => _kafka.InitializeAsync();

    public Task DisposeAsync() => _kafka.DisposeAsync();

    [Fact]
    public async Task SetBrokerDown_LeaderDownWhileProducing_EveryMessageIsDeliveredOnceItIsBack()
    {
        var topic = await _kafka.CreateTopicAsync(partitions: 1);
        Cluster.SetPartitionLeader(topic, 0, brokerId: 2);
        // librdkafka 2.16 reports a lost connection through the log (facility FAIL), not as an error.
        var leaderDisconnected = new TaskCompletionSource<LogMessage>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var producer = new ProducerBuilder<string, string>(_kafka.ProducerConfig())
            .SetLogHandler((_, log) =>
            {
                if (log.Facility == "FAIL" && log.Message.Contains("/2: Disconnected", StringComparison.Ordinal))
                {
                    leaderDisconnected.TrySetResult(log);
                }
            })
            .Build();

        var before = await Task.WhenAll(Enumerable.Range(0, 20).Select(i => producer.ProduceAsync(topic, Message(i))));
        Cluster.SetBrokerDown(2);
        var during = Enumerable.Range(20, 20).Select(i => producer.ProduceAsync(topic, Message(i))).ToList();

        // The producer notices the outage: the leader's connection is gone, nothing can be acknowledged.
        await leaderDisconnected.Task.WaitAsync(Patience);
        during.Should().OnlyContain(delivery => !delivery.IsCompleted, "the partition leader is down");

        Cluster.SetBrokerUp(2);
        var after = await Task.WhenAll(during).WaitAsync(Patience);

        before.Concat(after).Should().OnlyContain(d => d.Status == PersistenceStatus.Persisted);
        after.Select(d => d.Offset.Value).Should().Equal(Enumerable.Range(20, 20).Select(o => (long)o), "no message is lost or duplicated");
        var read = await _kafka.ConsumeAllAsync(topic, 40, Patience);
        read.Select(r => r.Message.Value).Should().Equal(Enumerable.Range(0, 40).Select(i => $"value-{i}"));
    }

    [Fact]
    public async Task PushRequestErrors_RetriableOffsetCommitErrors_CommitIsRetriedAndLands()
    {
        var topic = await _kafka.CreateTopicAsync(partitions: 1);
        var groupId = KafkaClusterFixture.NewGroupId();
        await _kafka.ProduceBatchAsync(topic, 5);
        var commitResponses = new ConcurrentQueue<string>();
        var config = _kafka.ConsumerConfig(groupId);
        // The consumer-group debug log has one line per OffsetCommit response; it shows the retries happen.
        config.Debug = "cgrp";

        await Task.Run(() =>
        {
            using var consumer = new ConsumerBuilder<string, string>(config)
                .SetLogHandler((_, log) =>
                {
                    if (log.Message.Contains("OffsetCommit for", StringComparison.Ordinal))
                    {
                        commitResponses.Enqueue(log.Message);
                    }
                })
                .Build();
            consumer.Subscribe(topic);
            using var timeout = new CancellationTokenSource(Patience);
            for (var i = 0; i < 5; i++)
            {
                consumer.Consume(timeout.Token);
            }

            Cluster.PushRequestErrors(KafkaApiKey.OffsetCommit, ErrorCode.GroupLoadInProgress, ErrorCode.GroupLoadInProgress);
            consumer.Commit();
            consumer.Close();
        });

        commitResponses.Should().HaveCountGreaterThanOrEqualTo(3, "two injected failures are retried before the commit lands");
        var committed = await _kafka.GetCommittedOffsetsAsync(groupId, topic);
        committed.Should().ContainSingle().Which.Offset.Value.Should().Be(5);
    }

    [Fact]
    public async Task PushRequestErrors_NonRetriableOffsetCommitError_FailsThatCommitOnly()
    {
        var topic = await _kafka.CreateTopicAsync(partitions: 1);
        var groupId = KafkaClusterFixture.NewGroupId();
        var partition = new TopicPartition(topic, 0);

        var (failure, retried) = await Task.Run(() =>
        {
            // Manual assignment commits without joining the group, which keeps this test quick.
            using var consumer = new ConsumerBuilder<string, string>(_kafka.ConsumerConfig(groupId)).Build();
            consumer.Assign(partition);
            Cluster.PushRequestErrors(KafkaApiKey.OffsetCommit, ErrorCode.OffsetMetadataTooLarge);
            var error = Record.Exception(() => consumer.Commit([new TopicPartitionOffset(partition, 3)]));
            consumer.Commit([new TopicPartitionOffset(partition, 4)]);
            return (error, consumer.Committed([partition], Patience).Single().Offset.Value);
        });

        failure.Should().BeAssignableTo<KafkaException>()
            .Which.Error.Code.Should().Be(ErrorCode.OffsetMetadataTooLarge);
        retried.Should().Be(4, "the injected error fails one request, the next commit lands");
    }

    [Fact]
    public async Task SetBrokerRoundTripTime_LongerThanTheMessageTimeout_DeliveryTimesOut()
    {
        var topic = await _kafka.CreateTopicAsync(partitions: 1);
        Cluster.SetPartitionLeader(topic, 0, brokerId: 3);
        var config = _kafka.ProducerConfig();
        config.EnableIdempotence = false;
        using var producer = new ProducerBuilder<string, string>(config).Build();
        await producer.ProduceAsync(topic, Message(0));

        Cluster.SetBrokerRoundTripTime(3, TimeSpan.FromMinutes(10));
        config.MessageTimeoutMs = 1000;
        using var impatient = new ProducerBuilder<string, string>(config).Build();
        var act = () => impatient.ProduceAsync(topic, Message(1));

        (await act.Should().ThrowAsync<ProduceException<string, string>>())
            .Which.Error.Code.Should().Be(ErrorCode.Local_MsgTimedOut);
    }

    [Fact]
    public async Task SetPartitionLeader_ThenOldLeaderDown_ProducersFollowTheNewLeader()
    {
        var topic = await _kafka.CreateTopicAsync(partitions: 1);
        Cluster.SetPartitionLeader(topic, 0, brokerId: 1);
        using var producer = new ProducerBuilder<string, string>(_kafka.ProducerConfig()).Build();
        await producer.ProduceAsync(topic, Message(0));

        Cluster.SetPartitionLeader(topic, 0, brokerId: 3);
        Cluster.SetBrokerDown(1);
        var delivery = await producer.ProduceAsync(topic, Message(1)).WaitAsync(Patience);

        delivery.Status.Should().Be(PersistenceStatus.Persisted);
        delivery.Offset.Value.Should().Be(1);
    }

    [Fact]
    public async Task SetGroupCoordinator_OnlyThatBrokerUp_GroupConsumesAndCommits()
    {
        var topic = await _kafka.CreateTopicAsync(partitions: 1);
        // The leader moves before producing: records written under an older leader epoch than the partition's current one
        // are left out of Commit() by librdkafka 2.16 (it compares the stored offset's epoch with the one OffsetFetch reports).
        Cluster.SetPartitionLeader(topic, 0, brokerId: 3);
        await _kafka.ProduceBatchAsync(topic, 3);
        // With brokers 1 and 2 down, the group can only work if broker 3 really is its coordinator.
        const string groupId = "coordinated-group";
        Cluster.SetGroupCoordinator(groupId, brokerId: 3);
        Cluster.SetBrokerDown(1);
        Cluster.SetBrokerDown(2);

        await Task.Run(() =>
        {
            using var consumer = new ConsumerBuilder<string, string>(_kafka.ConsumerConfig(groupId)).Build();
            consumer.Subscribe(topic);
            using var timeout = new CancellationTokenSource(Patience);
            for (var i = 0; i < 3; i++)
            {
                consumer.Consume(timeout.Token);
            }

            consumer.Commit();
            consumer.Close();
        });

        var committed = await _kafka.GetCommittedOffsetsAsync(groupId, topic);
        committed.Should().ContainSingle().Which.Offset.Value.Should().Be(3);
    }

    private static Message<string, string> Message(int i) => new() { Key = "same-key", Value = $"value-{i}" };
}
