using System.Collections.Concurrent;
using Confluent.Kafka;
using Pipelines.Kafka.Embedded;
using Pipelines.TestKit;

namespace Pipelines.Kafka.Tests.Embedded;

/// <summary>
/// How a new consumer group's first assignment depends on <see cref="EmbeddedKafkaClusterOptions.GroupInitialRebalanceDelay"/>:
/// asserted by who is in the first generation, not by how long it took. Each test starts a cluster with its own options.
/// </summary>
public sealed class EmbeddedKafkaClusterRebalanceDelayTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Start_DefaultOptions_NewGroupsFirstMemberIsAssignedEverythingBeforeTheNextOneJoins()
    {
        using var cluster = EmbeddedKafkaCluster.Start(new EmbeddedKafkaClusterOptions());

        var (first, second) = await JoinOneAfterTheOtherAsync(cluster);

        first.First.Should().BeEquivalentTo([0, 1], "with no initial delay the group assigns as soon as its first member joins");
        second.First.Should().ContainSingle("the second member joined the running group, which then shared the partitions");
    }

    [Fact]
    public async Task Start_WithGroupInitialRebalanceDelay_MembersJoiningWithinTheDelayShareTheFirstAssignment()
    {
        // Long enough for the second member to join after the first one's JoinGroup arrived, even on a loaded machine.
        using var cluster = EmbeddedKafkaCluster.Start(new EmbeddedKafkaClusterOptions { GroupInitialRebalanceDelay = TimeSpan.FromSeconds(3) });

        var (first, second) = await JoinOneAfterTheOtherAsync(cluster);

        first.First.Should().ContainSingle("the group waited for more members before its first assignment");
        second.First.Should().ContainSingle().And.NotIntersectWith(first.First);
        first.Everything.Should().ContainSingle("the first member never held both partitions");
    }

    // The first member subscribes; once the broker has its JoinGroup, the second one subscribes. Returns each member's first
    // non-empty assignment and every partition it was ever assigned, once both hold one partition.
    private static async Task<(Member First, Member Second)> JoinOneAfterTheOtherAsync(EmbeddedKafkaCluster cluster)
    {
        const string topic = "two-partitions";
        const string groupId = "joining-group";
        cluster.CreateTopic(topic, 2);
        cluster.StartRequestTracking();
        using var stop = new CancellationTokenSource();
        var first = new Member(cluster.BootstrapServers, groupId, topic, stop.Token);
        var second = new Member(cluster.BootstrapServers, groupId, topic, stop.Token);
        try
        {
            first.Start();
            await Eventually.TrueAsync(
                () => cluster.GetRequests().Any(r => r.ApiKey == KafkaApiKey.JoinGroup), Patience, "the first member's JoinGroup to reach the broker");
            second.Start();
            await Eventually.TrueAsync(() => first.Current.Count == 1 && second.Current.Count == 1, Patience, "both members to hold one partition each");
        }
        finally
        {
            cluster.StopRequestTracking();
            await stop.CancelAsync();
            await Task.WhenAll(first.Stopped, second.Stopped).WaitAsync(Patience);
        }

        return (first, second);
    }

    private sealed class Member(string bootstrapServers, string groupId, string topic, CancellationToken stop)
    {
        private readonly ConcurrentDictionary<int, byte> _everything = new();
        private volatile IReadOnlyList<int> _current = [];
        private volatile IReadOnlyList<int>? _first;

        public Task Stopped { get; private set; } = Task.CompletedTask;

        public IReadOnlyList<int> First => _first ?? [];

        public IReadOnlyList<int> Current => _current;

        public IReadOnlyCollection<int> Everything => _everything.Keys.ToList();

        public void Start() => Stopped = Task.Factory.StartNew(Run, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);

        private void Run()
        {
            var config = new ConsumerConfig
            {
                BootstrapServers = bootstrapServers,
                GroupId = groupId,
                EnableAutoCommit = false,
                SessionTimeoutMs = 6000,
                HeartbeatIntervalMs = 500,
            };
            using var consumer = new ConsumerBuilder<Ignore, Ignore>(config)
                .SetPartitionsAssignedHandler((_, partitions) =>
                {
                    var assigned = partitions.Select(p => p.Partition.Value).Order().ToList();
                    foreach (var partition in assigned)
                    {
                        _everything.TryAdd(partition, 0);
                    }

                    if (assigned.Count > 0)
                    {
                        _first ??= assigned;
                    }

                    _current = assigned;
                })
                .SetPartitionsRevokedHandler((_, _) => _current = [])
                .Build();
            consumer.Subscribe(topic);
            while (!stop.IsCancellationRequested)
            {
                consumer.Consume(TimeSpan.FromMilliseconds(50));
            }

            consumer.Close();
        }
    }
}
