using System.Net.Sockets;
using Confluent.Kafka;
using Pipelines.Kafka.Embedded;

namespace Pipelines.Kafka.Tests.Embedded;

public sealed class EmbeddedKafkaClusterTests(EmbeddedClusterFixture fixture) : IClassFixture<EmbeddedClusterFixture>
{
    private EmbeddedKafkaCluster Cluster => fixture.Cluster;

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(EmbeddedKafkaCluster.MaxBrokerCount + 1)]
    public void Start_BrokerCountOutOfRange_ThrowsSayingTheRange(int brokers)
    {
        var act = () => EmbeddedKafkaCluster.Start(brokers);

        act.Should().Throw<ArgumentOutOfRangeException>()
            .Where(e => e.ParamName == "brokerCount")
            .WithMessage($"*1 to {EmbeddedKafkaCluster.MaxBrokerCount} brokers; {brokers} was given*");
    }

    [Fact]
    public void Start_OptionsOutOfRange_ThrowsNamingEveryProblem()
    {
        var options = new EmbeddedKafkaClusterOptions { BrokerCount = 0, GroupInitialRebalanceDelay = TimeSpan.FromMilliseconds(-1) };

        var act = () => EmbeddedKafkaCluster.Start(options);

        act.Should().Throw<ArgumentException>()
            .Where(e => e.ParamName == "options")
            .WithMessage($"*BrokerCount must be 1 to {EmbeddedKafkaCluster.MaxBrokerCount}, but is 0.*GroupInitialRebalanceDelay must be zero or positive*");
    }

    [Fact]
    public void Start_Options_RunsThatManyBrokers()
    {
        using var cluster = EmbeddedKafkaCluster.Start(new EmbeddedKafkaClusterOptions { BrokerCount = 2 });

        cluster.BrokerCount.Should().Be(2);
        cluster.BootstrapServers.Split(',').Should().HaveCount(2);
    }

    [Fact]
    public async Task Start_TwoBrokers_ListensOnOneLoopbackPortPerBroker()
    {
        using var cluster = EmbeddedKafkaCluster.Start(2);

        cluster.BrokerCount.Should().Be(2);
        var addresses = cluster.BootstrapServers.Split(',');
        addresses.Should().HaveCount(2).And.OnlyContain(a => a.StartsWith("127.0.0.1:", StringComparison.Ordinal));
        foreach (var address in addresses)
        {
            using var client = new TcpClient();
            await client.ConnectAsync("127.0.0.1", int.Parse(address.Split(':')[1], System.Globalization.CultureInfo.InvariantCulture));
            client.Connected.Should().BeTrue();
        }
    }

    [Fact]
    public async Task Dispose_RunningCluster_ClosesItsPorts()
    {
        var cluster = EmbeddedKafkaCluster.Start(1);
        var port = int.Parse(cluster.BootstrapServers.Split(':')[1], System.Globalization.CultureInfo.InvariantCulture);

        cluster.Dispose();

        using var client = new TcpClient();
        var connect = () => client.ConnectAsync("127.0.0.1", port);
        (await connect.Should().ThrowAsync<SocketException>()).Which.SocketErrorCode.Should().Be(SocketError.ConnectionRefused);
    }

    public static TheoryData<string, Action<EmbeddedKafkaCluster>> EveryOperation() => new()
    {
        { "CreateTopic", c => c.CreateTopic("t", 1) },
        { "SetTopicError", c => c.SetTopicError("t", ErrorCode.NoError) },
        { "SetBrokerDown", c => c.SetBrokerDown(1) },
        { "SetBrokerUp", c => c.SetBrokerUp(1) },
        { "SetBrokerRoundTripTime", c => c.SetBrokerRoundTripTime(1, TimeSpan.Zero) },
        { "PushRequestErrors", c => c.PushRequestErrors(KafkaApiKey.Produce, ErrorCode.NotLeaderForPartition) },
        { "ClearRequestErrors", c => c.ClearRequestErrors(KafkaApiKey.Produce) },
        { "SetPartitionLeader", c => c.SetPartitionLeader("t", 0, 1) },
        { "SetGroupCoordinator", c => c.SetGroupCoordinator("g", 1) },
        { "SetTransactionCoordinator", c => c.SetTransactionCoordinator("tx", 1) },
        { "DeleteTopic", c => c.DeleteTopic("t") },
        { "StartRequestTracking", c => c.StartRequestTracking() },
        { "StopRequestTracking", c => c.StopRequestTracking() },
        { "ClearRequests", c => c.ClearRequests() },
        { "GetRequests", c => c.GetRequests() },
    };

    [Theory]
    [MemberData(nameof(EveryOperation))]
    public void Operation_AfterDispose_ThrowsObjectDisposedException(string operation, Action<EmbeddedKafkaCluster> act)
    {
        var cluster = EmbeddedKafkaCluster.Start(1);
        cluster.Dispose();

        var call = () => act(cluster);

        call.Should().Throw<ObjectDisposedException>(operation).Which.ObjectName.Should().Contain(nameof(EmbeddedKafkaCluster));
    }

    [Fact]
    public void Dispose_Twice_IsHarmless()
    {
        var cluster = EmbeddedKafkaCluster.Start(1);
        cluster.Dispose();

        var again = cluster.Dispose;

        again.Should().NotThrow();
    }

    [Theory]
    [InlineData("", "it is empty")]
    [InlineData(".", "it is reserved")]
    [InlineData("..", "it is reserved")]
    [InlineData("orders placed", "it contains ' '")]
    [InlineData("orders/eu", "it contains '/'")]
    [InlineData("bestellungen-ä", "it contains 'ä'")]
    public void CreateTopic_IllegalName_ThrowsArgumentExceptionNamingTheRule(string name, string problem)
    {
        var act = () => Cluster.CreateTopic(name, 1);

        act.Should().Throw<ArgumentException>()
            .Where(e => e.ParamName == "name")
            .WithMessage($"Invalid topic name \"{name}\": {problem}*1 to 249 characters of ASCII letters, digits, '.', '_' and '-'*");
    }

    [Fact]
    public void CreateTopic_NameLongerThan249Characters_ThrowsArgumentException()
    {
        var act = () => Cluster.CreateTopic(new string('a', 250), 1);

        act.Should().Throw<ArgumentException>().WithMessage("*it is 250 characters long*");
    }

    [Fact]
    public void CreateTopic_NameOf249LegalCharacters_IsAccepted()
    {
        var name = "a._-Z9" + new string('x', 243);

        var act = () => Cluster.CreateTopic(name, 1);

        act.Should().NotThrow();
    }

    [Fact]
    public void CreateTopic_ZeroPartitions_ThrowsArgumentOutOfRange()
    {
        var act = () => Cluster.CreateTopic("zero-partitions", 0);

        act.Should().Throw<ArgumentOutOfRangeException>().Where(e => e.ParamName == "partitions");
    }

    [Theory]
    [InlineData(0)]
    [InlineData(4)]
    public void CreateTopic_ReplicationFactorOutOfRange_ThrowsSayingTheBrokerCount(int replicationFactor)
    {
        var act = () => Cluster.CreateTopic("replicated", 1, replicationFactor);

        act.Should().Throw<ArgumentOutOfRangeException>()
            .Where(e => e.ParamName == "replicationFactor")
            .WithMessage("*1 to 3 (the number of brokers)*");
    }

    [Fact]
    public void CreateTopic_ExistingName_ThrowsTopicAlreadyExists()
    {
        Cluster.CreateTopic("created-twice", 1);

        var act = () => Cluster.CreateTopic("created-twice", 2);

        act.Should().Throw<KafkaException>()
            .Where(e => e.Error.Code == ErrorCode.TopicAlreadyExists)
            .WithMessage("Creating topic \"created-twice\" failed*");
    }

    [Fact]
    public void CreateTopic_FivePartitionsThreeReplicas_ShowsInMetadata()
    {
        Cluster.CreateTopic("five-partitions", 5, replicationFactor: 3);

        var topic = Metadata("five-partitions");

        topic.Error.IsError.Should().BeFalse();
        topic.Partitions.Should().HaveCount(5).And.OnlyContain(p => p.Replicas.Length == 3 && p.Leader >= 1 && p.Leader <= 3);
    }

    [Fact]
    public async Task Produce_UnknownTopic_CreatesItWithFourPartitions()
    {
        using var producer = new ProducerBuilder<Null, string>(new ProducerConfig { BootstrapServers = Cluster.BootstrapServers }).Build();

        await producer.ProduceAsync("created-on-first-use", new Message<Null, string> { Value = "hello" });

        Metadata("created-on-first-use").Partitions.Should().HaveCount(4);
    }

    [Fact]
    public async Task Produce_MoreThanFiveMegabytesToOnePartition_DropsTheOldestRecords()
    {
        Cluster.CreateTopic("bounded-log", 1);
        var config = new ProducerConfig { BootstrapServers = Cluster.BootstrapServers, LingerMs = 0 };
        using var producer = new ProducerBuilder<Null, byte[]>(config).Build();
        var value = new byte[100 * 1024];

        for (var i = 0; i < 60; i++)
        {
            await producer.ProduceAsync("bounded-log", new Message<Null, byte[]> { Value = value });
        }

        using var consumer = new ConsumerBuilder<Ignore, Ignore>(new ConsumerConfig { BootstrapServers = Cluster.BootstrapServers, GroupId = "bounded" }).Build();
        var watermarks = consumer.QueryWatermarkOffsets(new TopicPartition("bounded-log", 0), TimeSpan.FromSeconds(10));
        watermarks.High.Value.Should().Be(60);
        watermarks.Low.Value.Should().BeGreaterThan(0, "the mock keeps about 5 MB per partition and drops the oldest batches");
    }

    [Theory]
    [InlineData(0)]
    [InlineData(4)]
    public void BrokerOperations_UnknownBrokerId_ThrowSayingTheValidIds(int brokerId)
    {
        var calls = new Action[]
        {
            () => Cluster.SetBrokerDown(brokerId),
            () => Cluster.SetBrokerUp(brokerId),
            () => Cluster.SetBrokerRoundTripTime(brokerId, TimeSpan.Zero),
            () => Cluster.SetPartitionLeader("t", 0, brokerId),
            () => Cluster.SetGroupCoordinator("g", brokerId),
        };

        foreach (var call in calls)
        {
            call.Should().Throw<ArgumentOutOfRangeException>().WithMessage($"Broker ids of this cluster are 1 to 3; {brokerId} was given*");
        }
    }

    [Fact]
    public void SetBrokerRoundTripTime_Negative_ThrowsArgumentOutOfRange()
    {
        var act = () => Cluster.SetBrokerRoundTripTime(1, TimeSpan.FromMilliseconds(-1));

        act.Should().Throw<ArgumentOutOfRangeException>().Where(e => e.ParamName == "roundTripTime");
    }

    [Fact]
    public void PushRequestErrors_NoErrors_ThrowsArgumentException()
    {
        var act = () => Cluster.PushRequestErrors(KafkaApiKey.Produce);

        act.Should().Throw<ArgumentException>().WithMessage("Give at least one error code*");
    }

    [Fact]
    public void SetGroupCoordinator_EmptyGroupId_ThrowsArgumentException()
    {
        var act = () => Cluster.SetGroupCoordinator(string.Empty, 1);

        act.Should().Throw<ArgumentException>().Where(e => e.ParamName == "groupId");
    }

    [Fact]
    public void SetTopicError_ThenCleared_ShowsInMetadataUntilCleared()
    {
        Cluster.CreateTopic("erroring", 1);

        Cluster.SetTopicError("erroring", ErrorCode.TopicAuthorizationFailed);
        var failing = Metadata("erroring").Error.Code;
        Cluster.SetTopicError("erroring", ErrorCode.NoError);
        var cleared = Metadata("erroring").Error.Code;

        failing.Should().Be(ErrorCode.TopicAuthorizationFailed);
        cleared.Should().Be(ErrorCode.NoError);
    }

    [Fact]
    public async Task PushRequestErrors_ProduceThenClear_FailsOneRequestAndDropsTheRest()
    {
        Cluster.CreateTopic("pushed-errors", 1);
        var config = new ProducerConfig { BootstrapServers = Cluster.BootstrapServers, Acks = Acks.All, LingerMs = 0 };
        using var producer = new ProducerBuilder<Null, string>(config).Build();
        await producer.ProduceAsync("pushed-errors", new Message<Null, string> { Value = "warm-up" });
        // A permanent error for the request only (a topic-level error would make the client fail the topic for a while).
        Cluster.PushRequestErrors(KafkaApiKey.Produce, ErrorCode.MsgSizeTooLarge, ErrorCode.MsgSizeTooLarge);

        var refused = () => producer.ProduceAsync("pushed-errors", new Message<Null, string> { Value = "refused" });
        (await refused.Should().ThrowAsync<ProduceException<Null, string>>()).Which.Error.Code.Should().Be(ErrorCode.MsgSizeTooLarge);
        Cluster.ClearRequestErrors(KafkaApiKey.Produce);
        var delivered = await producer.ProduceAsync("pushed-errors", new Message<Null, string> { Value = "accepted" });

        delivered.Status.Should().Be(PersistenceStatus.Persisted);
    }

    [Fact]
    public async Task DeleteTopic_TopicWithRecords_LeavesTheMetadataAndARecreatedTopicStartsEmpty()
    {
        Cluster.CreateTopic("deleted", 2);
        await fixture.Kafka.ProduceBatchAsync("deleted", 5);
        await Task.Run(() =>
        {
            using var consumer = new ConsumerBuilder<Ignore, Ignore>(fixture.Kafka.ConsumerConfig("deleted-group")).Build();
            consumer.Commit([new TopicPartitionOffset("deleted", 0, 2)]);
        });

        Cluster.DeleteTopic("deleted");

        AllTopics().Should().NotContain("deleted");
        Cluster.CreateTopic("deleted", 1);
        await fixture.Kafka.ProduceBatchAsync("deleted", 2);
        var read = await fixture.Kafka.ConsumeAllAsync("deleted", 2, TimeSpan.FromSeconds(30));
        read.Select(r => (r.Partition.Value, r.Offset.Value, r.Message.Value)).Should().Equal((0, 0L, "value-0"), (0, 1L, "value-1"));
        (await fixture.Kafka.GetCommittedOffsetsAsync("deleted-group", "deleted")).Should().ContainSingle()
            .Which.Offset.Should().Be(Offset.Unset, "the committed offsets went with the deleted topic");
    }

    [Fact]
    public void DeleteTopic_UnknownTopic_ThrowsUnknownTopicOrPart()
    {
        var act = () => Cluster.DeleteTopic("never-created");

        act.Should().Throw<KafkaException>()
            .Where(e => e.Error.Code == ErrorCode.UnknownTopicOrPart)
            .WithMessage("Deleting topic \"never-created\" failed*");
    }

    [Fact]
    public void DeleteTopic_IllegalName_ThrowsArgumentException()
    {
        var act = () => Cluster.DeleteTopic("orders/eu");

        act.Should().Throw<ArgumentException>().Where(e => e.ParamName == "name");
    }

    // Every topic of the cluster; asking for one topic by name would create it again (the mock creates topics on lookup).
    private List<string> AllTopics()
    {
        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = Cluster.BootstrapServers }).Build();
        return admin.GetMetadata(TimeSpan.FromSeconds(10)).Topics.Select(t => t.Topic).ToList();
    }

    private TopicMetadata Metadata(string topic)
    {
        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = Cluster.BootstrapServers }).Build();
        return admin.GetMetadata(topic, TimeSpan.FromSeconds(10)).Topics.Single(t => t.Topic == topic);
    }
}
