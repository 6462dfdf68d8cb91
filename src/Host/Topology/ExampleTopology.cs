using Akka.Hosting;
using Confluent.Kafka.Admin;
using Pipelines.Delay;
using Pipelines.Hosting;
using Config = Akka.Configuration.Config;

namespace Pipelines.Host.Topology;

/// <summary>
/// The host's example topology: <c>order-generator</c> → <c>orders</c> (results, reminders through the delay queue,
/// retries, dead letters) → the delay router → <c>reminders</c>. Each pipeline runs when its section
/// <c>pipelines.pipelines.&lt;name&gt;</c> exists and does not say <c>enabled = off</c>, so hosts sharing a cluster can
/// split the work (one generator, several processors).
/// </summary>
internal static class ExampleTopology
{
    /// <summary>The topology's pipelines in the order they are registered.</summary>
    public static IReadOnlyList<string> Names { get; } = [OrderGenerator.Name, OrdersPipeline.Name, RemindersPipeline.Name, DelayRouterHostingExtensions.DefaultName];

    /// <summary>The pipelines of the topology that <paramref name="config"/> enables.</summary>
    public static IReadOnlyList<string> Enabled(Config config) => [.. Names.Where(name => IsEnabled(config, name))];

    /// <summary>Adds the enabled pipelines to the actor system.</summary>
    public static void Add(AkkaConfigurationBuilder akka, Config config, TopologyCounters counters)
    {
        var enabled = Enabled(config);
        if (enabled.Contains(OrderGenerator.Name))
        {
            akka.WithPipeline(OrderGenerator.Name, (system, settings) => OrderGenerator.Graph(system, settings, counters));
        }

        if (enabled.Contains(OrdersPipeline.Name))
        {
            akka.WithPipeline(OrdersPipeline.Name, (system, settings) => OrdersPipeline.Graph(system, settings, counters));
        }

        if (enabled.Contains(RemindersPipeline.Name))
        {
            akka.WithPipeline(RemindersPipeline.Name, (system, settings) => RemindersPipeline.Graph(system, settings, counters));
        }

        if (enabled.Contains(DelayRouterHostingExtensions.DefaultName))
        {
            akka.WithDelayRouter();
        }
    }

    /// <summary>
    /// The topics the enabled pipelines use, with <c>pipelines.main-job.partitions</c> partitions (and
    /// <c>replication-factor</c>), plus the delay queue's tier and cancellation topics when orders or the router run.
    /// </summary>
    public static IReadOnlyList<TopicSpecification> Topics(Config config)
    {
        var enabled = Enabled(config);
        var partitions = config.GetInt("pipelines.main-job.partitions", 6);
        var replicas = (short)config.GetInt("pipelines.main-job.replication-factor", -1);
        var names = new List<string>();
        if (enabled.Contains(OrderGenerator.Name))
        {
            names.Add(Setting(config, OrderGenerator.Name, "topic", "orders"));
        }

        if (enabled.Contains(OrdersPipeline.Name))
        {
            var group = Setting(config, OrdersPipeline.Name, "group", "orders");
            var retry = RetrySettings.Create(config);
            names.AddRange([
                Setting(config, OrdersPipeline.Name, "topic", "orders"),
                Setting(config, OrdersPipeline.Name, "results-topic", "order-results"),
                Setting(config, OrdersPipeline.Name, "reminders-topic", "order-reminders"),
                retry.RetryTopic(group),
                retry.DeadLetterTopic(group),
            ]);
        }

        if (enabled.Contains(RemindersPipeline.Name))
        {
            names.Add(Setting(config, RemindersPipeline.Name, "topic", "order-reminders"));
        }

        var specifications = names.Distinct(StringComparer.Ordinal)
            .Select(name => new TopicSpecification { Name = name, NumPartitions = partitions, ReplicationFactor = replicas })
            .ToList();
        if (enabled.Contains(OrdersPipeline.Name) || enabled.Contains(DelayRouterHostingExtensions.DefaultName))
        {
            var tiers = new DelayTiers(DelaySettings.Create(config));
            specifications.AddRange(tiers.TopicSpecifications());
            specifications.Add(tiers.CancellationTopicSpecification());
        }

        return specifications;
    }

    private static bool IsEnabled(Config config, string name)
    {
        var path = PipelineSettingsPath(name);
        return config.HasPath(path) && config.GetBoolean(path + ".enabled", true);
    }

    private static string Setting(Config config, string pipeline, string key, string defaultValue) =>
        config.GetString(PipelineSettingsPath(pipeline) + "." + key, defaultValue);

    private static string PipelineSettingsPath(string name) => "pipelines.pipelines." + name;
}
