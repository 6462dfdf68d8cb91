using Pipelines.TestKit;
using Xunit.Abstractions;

namespace Pipelines.Kafka.Tests.Host;

/// <summary>
/// The host's main job (the example topology) run as processes against the standalone broker: a steady flow of results
/// and reminders, a SIGTERM that drains everything consumed, a restart that processes nothing twice, and three hosts in
/// the same groups of which one is killed without losing an order.
/// </summary>
[Collection(HostCommandsCollection.Name)]
public sealed class MainJobTopologyTests(BrokerProcessFixture broker, ITestOutputHelper output)
{
    private const int Partitions = 4;
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private static readonly string[] Pipelines = ["order-generator", "orders", "reminders", "delay-router"];

    [Fact]
    public async Task MainJob_SigtermWhileOrdersFlow_DrainsAndCommitsEverythingConsumedAndARestartProcessesNothingTwice()
    {
        var topology = new Topology();
        await using var first = Start(topology.Config(generator: true, messages: 0, rate: 200));
        await WaitForTopicsAsync(first);
        using var results = new TopicRecorder(broker.BootstrapServers, topology.Results, Partitions);
        using var reminders = new TopicRecorder(broker.BootstrapServers, topology.Reminders, Partitions);

        await WaitAsync(first, () => results.Distinct >= 300 && reminders.Distinct >= 20, "results and reminders flow");
        await first.TerminateAsync();
        var exitCode = await first.WaitForExitAsync(Patience);
        output.WriteLine(first.StandardError);

        exitCode.Should().Be(0, first.StandardError);
        first.StandardError.Should().Contain($"Drain summary ({Pipelines.Length} pipeline(s)):");
        foreach (var pipeline in Pipelines)
        {
            first.StandardError.Should().Contain($"pipeline={pipeline} outcome=Drained state=Stopped restarts=0");
        }

        // What the drained host committed is exactly what it processed: every order below the committed offsets has its
        // result, and no order beyond them has one.
        var committed = TopicRecorder.Committed(broker.BootstrapServers, topology.Group, topology.Orders, Partitions);
        using var orders = new TopicRecorder(broker.BootstrapServers, topology.Orders, Partitions);
        var produced = TopicRecorder.EndOffsets(broker.BootstrapServers, topology.Orders, Partitions).Values.Sum();
        await Eventually.TrueAsync(() => orders.ByOffset.Count == produced, Patience, $"the {produced} orders read back");
        var processed = orders.ByOffset.Where(o => o.Key.Offset < committed[o.Key.Partition]).Select(o => o.Value).ToHashSet(StringComparer.Ordinal);
        output.WriteLine($"produced {produced}, committed {committed.Values.Sum(o => Math.Max(o, 0))}, results {results.Distinct}");
        processed.Should().NotBeEmpty();
        await Eventually.TrueAsync(() => results.Ids.IsSupersetOf(processed), Patience, "a result for every committed order read back");
        results.Ids.Should().BeSubsetOf(processed, "the drain committed every order the host had processed");

        await using (var second = Start(topology.Config(generator: false, messages: 0, rate: 200)))
        {
            // The second host may find nothing left to do; it is signalled once it runs (a signal before the runtime
            // has its handlers installed ends any .NET process with 143).
            await WaitAsync(second, () => second.StandardError.Contains("Running pipelines:", StringComparison.Ordinal), "the second host's pipelines");
            await WaitAsync(second, () => results.Ids.IsSupersetOf(orders.Ids), "a result for every order");
            await second.TerminateAsync();
            (await second.WaitForExitAsync(Patience)).Should().Be(0, second.StandardError);
        }

        output.WriteLine($"orders {orders.Distinct}, results {results.Distinct}, duplicate results {results.Duplicates}");
        results.Duplicates.Should().Be(0, "the restarted host starts where the drained one committed");
    }

    [Fact]
    public async Task MainJob_ThreeHostsOneKilledWhileOrdersFlow_SurvivorsTakeOverAndNoOrderIsLost()
    {
        const int Orders = 3000;
        var topology = new Topology();
        await using var generator = Start(topology.Config(generator: true, messages: Orders, rate: 300));
        await WaitForTopicsAsync(generator);
        var processorConfig = topology.Config(generator: false, messages: 0, rate: 300);
        await using var second = Start(processorConfig);
        await using var victim = Start(processorConfig);
        using var results = new TopicRecorder(broker.BootstrapServers, topology.Results, Partitions);
        using var orders = new TopicRecorder(broker.BootstrapServers, topology.Orders, Partitions);

        await WaitAsync(victim, () => victim.StandardError.Contains("Kafka consumer orders: assigned", StringComparison.Ordinal), "the third host given order partitions");
        await WaitAsync(victim, () => results.Distinct >= 300, "results flow");
        victim.Kill();
        await victim.WaitForExitAsync(Patience);
        var atKill = results.Distinct;

        await WaitAsync(generator, () => orders.Distinct == Orders && results.Ids.IsSupersetOf(orders.Ids), "a result for every order", TimeSpan.FromSeconds(90));
        await WaitAsync(
            generator,
            () => TopicRecorder.Committed(broker.BootstrapServers, topology.Group, topology.Orders, Partitions).Values.Sum() == Orders,
            "the survivors' committed offsets at the end of the orders topic");

        var lost = orders.Ids.Except(results.Ids).Count();
        output.WriteLine($"orders {orders.Distinct}, results at the kill {atKill}, results {results.Distinct}, duplicates {results.Duplicates}, lost {lost}");
        lost.Should().Be(0);
        foreach (var survivor in new[] { generator, second })
        {
            await survivor.TerminateAsync();
            (await survivor.WaitForExitAsync(Patience)).Should().Be(0, survivor.StandardError);
        }
    }

    private HostProcess Start(string config)
    {
        var path = Path.Combine(Path.GetTempPath(), $"pipelines-main-job-{Guid.NewGuid():N}.conf");
        File.WriteAllText(path, config);
        return HostProcess.Start(broker.Environment, "--config-file", path);
    }

    /// <summary>Waits until the host says its topics exist (it creates them before its pipelines start).</summary>
    private static Task WaitForTopicsAsync(HostProcess host) =>
        WaitAsync(host, () => host.StandardError.Contains("topics exist.", StringComparison.Ordinal) || host.StandardError.Contains("of the topology's", StringComparison.Ordinal), "the topology's topics created");

    /// <summary>Waits for <paramref name="condition"/>; on time-out the failure carries the host's stderr.</summary>
    private static async Task WaitAsync(HostProcess host, Func<bool> condition, string what, TimeSpan? timeout = null)
    {
        try
        {
            await Eventually.TrueAsync(condition, timeout ?? Patience, what);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new InvalidOperationException($"{e.Message}\nhost stderr:\n{host.StandardError}", e);
        }
    }

    /// <summary>Topic and group names of one test's topology, and its configuration.</summary>
    private sealed class Topology
    {
        private readonly string _unique = "mj-" + Guid.NewGuid().ToString("N")[..10];

        public string Orders => _unique + "-orders";

        public string Results => _unique + "-results";

        public string Reminders => _unique + "-reminders";

        public string Group => _unique + "-orders";

        public string Config(bool generator, int messages, int rate) => $$"""
            akka.loglevel = INFO
            akka.kafka.consumer {
              stop-timeout = 0s
              kafka-clients { session.timeout.ms = 6000, heartbeat.interval.ms = 500, fetch.wait.max.ms = 50, topic.metadata.refresh.interval.ms = 1000 }
            }
            akka.kafka.producer.kafka-clients.linger.ms = 5
            akka.kafka.committer { max-batch = 100, max-interval = 200ms }
            pipelines.main-job { partitions = {{Partitions}}, status-interval = 2s }
            pipelines.delay {
              tiers = [1s, 5s, 30s]
              topic-prefix = "{{_unique}}-delay-"
              router-group-id = "{{_unique}}-router"
              cancellation.topic = "{{_unique}}-cancellations"
              topics.partitions = 2
            }
            pipelines.retry { in-place { attempts = 2, backoff = 20ms }, non-blocking { attempts = 1, backoff = 1s } }
            pipelines.pipelines {
              order-generator { enabled = {{(generator ? "on" : "off")}}, topic = "{{Orders}}", rate = {{rate}}, poison-share = 0, customers = 50, messages = {{messages}} }
              orders {
                topic = "{{Orders}}", group = "{{Group}}", results-topic = "{{Results}}", reminders-topic = "{{Reminders}}"
                parallelism = 16, work-time = 2ms, transient-failure-rate = 0
                reminder-delay { min = 1s, max = 2s }
              }
              reminders { topic = "{{Reminders}}", group = "{{_unique}}-reminders" }
              delay-router {}
            }
            """;
    }
}
