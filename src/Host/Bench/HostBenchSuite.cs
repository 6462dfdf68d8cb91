using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Confluent.Kafka;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using Pipelines.Benchmarks;
using Pipelines.Configuration;
using Pipelines.Host.Commands;
using Pipelines.Host.Topology;
using Pipelines.Kafka.Embedded;
using Pipelines.Telemetry;
using Config = Akka.Configuration.Config;

namespace Pipelines.Host.Bench;

/// <summary>
/// <c>bench host</c>: the main job's example topology end to end on a fresh embedded cluster per run (generator → orders
/// with results and reminders → delay router → reminders), as <c>config/akka.hocon</c> configures it, with no poison or
/// failures. Throughput: the generator unthrottled, orders per second between the first and the last result read back.
/// Latency: the generator at 200 orders per second (the configured rate), from an order's creation to its result read back by an independent consumer.
/// Each with telemetry off (the anchor) and on (the OpenTelemetry SDK's meter and tracer providers of
/// <c>AddPipelinesTelemetry</c> on the Pipelines meter and source, exporting to discarding exporters).
/// </summary>
internal sealed class HostBenchSuite : IBenchmarkSuite
{
    private const int LatencyRate = 200;
    private static readonly TimeSpan StallTimeout = TimeSpan.FromMinutes(2);

    public string Name => "host";

    /// <summary>Adds the suite to the bench command's suites.</summary>
    public static void Register() => BenchmarkRunner.AddSuite(new HostBenchSuite());

    public async Task RunAsync(BenchOptions options, BenchReport report, CancellationToken cancellationToken)
    {
        var throughputOrders = options.Size(8_000, 1_500);
        var latencyOrders = options.Size(2_000, 600);
        var rounds = options.Quick ? 1 : 2;

        // Warm-up: JIT and the first cluster's costs stay out of the figures.
        await RunAsync(telemetry: false, Math.Min(throughputOrders, 1_000), rate: 0, cancellationToken).ConfigureAwait(false);

        Run throughputOff = default, throughputOn = default, latencyOff = default, latencyOn = default;
        for (var round = 1; round <= rounds; round++)
        {
            var off = await RunAsync(telemetry: false, throughputOrders, rate: 0, cancellationToken).ConfigureAwait(false);
            var on = await RunAsync(telemetry: true, throughputOrders, rate: 0, cancellationToken).ConfigureAwait(false);
            var latency = await RunAsync(telemetry: false, latencyOrders, LatencyRate, cancellationToken).ConfigureAwait(false);
            var latencyListened = await RunAsync(telemetry: true, latencyOrders, LatencyRate, cancellationToken).ConfigureAwait(false);
            Console.WriteLine($"  host round {round}: throughput off {off}, on {on}; latency at {LatencyRate}/s off {latency}, on {latencyListened}");
            throughputOff = Run.Better(throughputOff, off, r => r.PerSecond);
            throughputOn = Run.Better(throughputOn, on, r => r.PerSecond);
            latencyOff = Run.Better(latencyOff, latency, r => -r.P99);
            latencyOn = Run.Better(latencyOn, latencyListened, r => -r.P99);
        }

        var overhead = (1 - (throughputOn.PerSecond / throughputOff.PerSecond)) * 100;
        report.Case(Name, "topology-throughput", throughputOff.PerSecond, "orders/s",
            $"{throughputOrders} orders through order-generator -> orders (result + reminder scheduled per order) with the delay router and reminders running; telemetry off");
        report.Case(Name, "topology-throughput-telemetry-on", throughputOn.PerSecond, throughputOff.PerSecond, "orders/s",
            string.Create(CultureInfo.InvariantCulture, $"anchor: telemetry off; overhead {overhead:F1} % (goal <= 10 %)"));
        report.Case(Name, "topology-latency-p50", latencyOff.P50, "ms",
            $"order created -> result read back, {latencyOrders} orders at {LatencyRate}/s, orders made while the pipelines were joining left out; telemetry off");
        report.Case(Name, "topology-latency-p99", latencyOff.P99, "ms");
        report.Case(Name, "topology-latency-p50-telemetry-on", latencyOn.P50, latencyOff.P50, "ms", "anchor: telemetry off");
        report.Case(Name, "topology-latency-p99-telemetry-on", latencyOn.P99, latencyOff.P99, "ms", "anchor: telemetry off");
    }

    /// <summary>One run on a cluster of its own: <paramref name="orders"/> orders at <paramref name="rate"/> per second (0: unthrottled).</summary>
    private static async Task<Run> RunAsync(bool telemetry, int orders, int rate, CancellationToken cancellationToken)
    {
        using var cluster = EmbeddedKafkaCluster.Start(1);
        var config = Config(telemetry, orders, rate);
        using var host = MainJob.Build(config, cluster.BootstrapServers, TextWriter.Null, TextWriter.Null, cluster, services =>
        {
            services.Configure<LoggerFilterOptions>(filter => filter.MinLevel = LogLevel.Warning);
            if (telemetry)
            {
                services.AddOpenTelemetry()
                    .WithTracing(tracing => tracing.AddProcessor(new BatchActivityExportProcessor(new DiscardingExporter<Activity>())))
                    .WithMetrics(metrics => metrics.AddReader(new PeriodicExportingMetricReader(new DiscardingExporter<Metric>(), exportIntervalMilliseconds: 1000)));
            }
        });
        await host.StartAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var results = config.GetString($"pipelines.pipelines.{OrdersPipeline.Name}.results-topic", "order-results");
            var partitions = config.GetInt("pipelines.main-job.partitions", 6);
            return await Task.Factory.StartNew(
                () => ReadResults(cluster.BootstrapServers, results, partitions, orders, cancellationToken),
                cancellationToken,
                TaskCreationOptions.LongRunning,
                TaskScheduler.Default).ConfigureAwait(false);
        }
        finally
        {
            await host.StopAsync(CancellationToken.None).ConfigureAwait(false);
        }
    }

    private static Config Config(bool telemetry, int orders, int rate)
    {
        var overrides = string.Create(CultureInfo.InvariantCulture, $$"""
            akka.loglevel = WARNING
            pipelines.main-job.status-interval = 1h
            pipelines.pipelines {
              order-generator { enabled = on, poison-share = 0, messages = {{orders}}, rate = {{(rate == 0 ? 1_000_000 : rate)}} }
              orders { enabled = on, transient-failure-rate = 0, reminder-delay { min = 1s, max = 3s } }
              reminders.enabled = on
              delay-router.enabled = on
            }
            pipelines.telemetry {
              metrics { enabled = {{(telemetry ? "on" : "off")}}, exporters = [], export-interval = 1s }
              traces { enabled = {{(telemetry ? "on" : "off")}}, exporters = [] }
            }
            """);
        return PipelinesConfiguration.ParseString(overrides, "bench host").WithFallback(PipelinesConfiguration.Load());
    }

    /// <summary>Reads the results topic from the beginning until <paramref name="expected"/> distinct results arrived.</summary>
    private static Run ReadResults(string bootstrapServers, string topic, int partitions, int expected, CancellationToken cancellationToken)
    {
        var config = new ConsumerConfig
        {
            BootstrapServers = bootstrapServers,
            GroupId = "bench-host-" + Guid.NewGuid().ToString("N"),
            EnableAutoCommit = false,
            FetchWaitMaxMs = 5,
        };
        using var consumer = new ConsumerBuilder<Ignore, byte[]>(config).Build();
        consumer.Assign(Enumerable.Range(0, partitions).Select(p => new TopicPartitionOffset(topic, p, Offset.Beginning)));
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var latencies = new List<double>(expected);
        var clock = TimeProvider.System;
        long first = 0, last = 0, lastProgress = clock.GetTimestamp();
        var firstAt = DateTimeOffset.MinValue;
        while (seen.Count < expected)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var record = consumer.Consume(TimeSpan.FromMilliseconds(100));
            if (record?.Message is null)
            {
                if (clock.GetElapsedTime(lastProgress) > StallTimeout)
                {
                    throw new TimeoutException($"bench host: only {seen.Count} of {expected} results arrived on {topic}; the topology stalled.");
                }

                continue;
            }

            var result = JsonSerializer.Deserialize<OrderResult>(record.Message.Value, Order.Json)!;
            if (!seen.Add(result.OrderId))
            {
                continue;
            }

            var now = clock.GetUtcNow();
            last = clock.GetTimestamp();
            lastProgress = last;
            if (first == 0)
            {
                first = last;
                firstAt = now;
            }

            // Orders made before the first result came back waited for the pipelines to join their groups: not latency.
            if (DateTimeOffset.FromUnixTimeMilliseconds(result.CreatedAt) >= firstAt)
            {
                latencies.Add((now - DateTimeOffset.FromUnixTimeMilliseconds(result.CreatedAt)).TotalMilliseconds);
            }
        }

        latencies.Sort();
        var seconds = clock.GetElapsedTime(first, last).TotalSeconds;
        return new Run((expected - 1) / Math.Max(seconds, 1e-3), Percentile(latencies, 0.50), Percentile(latencies, 0.99));
    }

    private static double Percentile(List<double> sorted, double p) =>
        sorted.Count == 0 ? double.NaN : sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p * sorted.Count) - 1)];

    /// <summary>One run's figures: results per second, latency p50 and p99 in milliseconds.</summary>
    private readonly record struct Run(double PerSecond, double P50, double P99)
    {
        public static Run Better(Run best, Run candidate, Func<Run, double> score) =>
            best == default || score(candidate) > score(best) ? candidate : best;

        public override string ToString() =>
            string.Create(CultureInfo.InvariantCulture, $"{PerSecond:F0} orders/s, p50 {P50:F1} ms, p99 {P99:F1} ms");
    }

    private sealed class DiscardingExporter<T> : BaseExporter<T>
        where T : class
    {
        public override ExportResult Export(in Batch<T> batch) => ExportResult.Success;
    }
}
