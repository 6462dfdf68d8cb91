using System.Diagnostics;
using Akka.Streams;
using Akka.Streams.Dsl;
using Confluent.Kafka;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using Pipelines.Configuration;
using Pipelines.Kafka;
using Pipelines.Telemetry;

namespace Pipelines.Benchmarks.Kafka;

/// <summary>
/// The cost of telemetry on the consuming path: <c>CommittableSource</c> → <c>SelectTraced</c> → <c>Committer.Sink</c> with
/// the OpenTelemetry SDK listening to the Pipelines meter and activity source (every span recorded and exported in batches
/// to an exporter that discards them, metrics collected every second), against the same graph with nobody listening (the
/// anchor), and again with 10 % of traces sampled. Runs alternate; the best of each side counts.
/// </summary>
internal static class TelemetryCase
{
    private const int CommitEvery = 1000;
    private const int ConsumerBufferSize = 128;

    public static async Task RunAsync(
        string suite, IMaterializer materializer, string bootstrapServers, TopicPartition[] partitions, int count, int rounds, BenchReport report, CancellationToken cancellationToken)
    {
        await TracedToSinkAsync(materializer, bootstrapServers, partitions, count / 10, cancellationToken).ConfigureAwait(false);
        Run all = default, sampled = default, off = default;
        for (var round = 0; round < rounds; round++)
        {
            var offRun = await TracedToSinkAsync(materializer, bootstrapServers, partitions, count, cancellationToken).ConfigureAwait(false);
            var allRun = await ListenedAsync(1.0).ConfigureAwait(false);
            var sampledRun = await ListenedAsync(0.1).ConfigureAwait(false);
            Console.WriteLine($"  telemetry round {round + 1}: every span {allRun}; 10 % of traces {sampledRun}; nobody listening {offRun}");
            all = Run.Better(all, allRun);
            sampled = Run.Better(sampled, sampledRun);
            off = Run.Better(off, offRun);
        }

        report.Case(suite, "committable-source-to-committer-sink-telemetry-on", all.PerSecond, off.PerSecond, "msg/s",
            $"CommittableSource -> SelectTraced -> Committer.Sink with the OpenTelemetry SDK on the Pipelines meter and source (a span per record, "
            + $"batch-exported and discarded; metrics collected every second); anchor: the same graph, nobody listening; {Costs(all, off)}");
        report.Case(suite, "committable-source-to-committer-sink-telemetry-sampled-10pct", sampled.PerSecond, off.PerSecond, "msg/s",
            $"the same with traces.sampling-ratio = 0.1 (TraceIdRatioBased under ParentBased); {Costs(sampled, off)}");

        async Task<Run> ListenedAsync(double ratio)
        {
            using var tracer = Sdk.CreateTracerProviderBuilder()
                .AddSource(PipelinesTelemetry.ActivitySourceName)
                .SetSampler(new ParentBasedSampler(new TraceIdRatioBasedSampler(ratio)))
                .AddProcessor(new BatchActivityExportProcessor(new DiscardingExporter<Activity>()))
                .Build();
            using var meters = Sdk.CreateMeterProviderBuilder()
                .AddMeter(PipelinesTelemetry.MeterName)
                .AddReader(new PeriodicExportingMetricReader(new DiscardingExporter<Metric>(), exportIntervalMilliseconds: 1000))
                .Build();
            return await TracedToSinkAsync(materializer, bootstrapServers, partitions, count, cancellationToken).ConfigureAwait(false);
        }
    }

    private static string Costs(Run listened, Run off) =>
        $"overhead {(1 - (listened.PerSecond / off.PerSecond)) * 100:F1} %; process CPU per record: listened {listened.CpuMicroseconds:F2} us, "
        + $"off {off.CpuMicroseconds:F2} us; allocated per record: listened {listened.AllocatedBytes:F0} B, off {off.AllocatedBytes:F0} B";

    private static async Task<Run> TracedToSinkAsync(
        IMaterializer materializer, string bootstrapServers, TopicPartition[] partitions, int count, CancellationToken cancellationToken)
    {
        var settings = ConsumerSettings<long, byte[]>.Create(PipelinesConfiguration.Reference(), Deserializers.Int64, null)
            .WithBootstrapServers(bootstrapServers)
            .WithGroupId("bench-" + Guid.NewGuid().ToString("N"))
            .WithProperty("auto.offset.reset", "earliest")
            .WithStopTimeout(TimeSpan.Zero)
            .WithBufferSize(ConsumerBufferSize);
        var processed = 0;
        var all = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var measure = Measure.Start();
        var (control, done) = KafkaConsumer.CommittableSource(
                settings, Subscriptions.AssignmentWithOffset([.. partitions.Select(p => new TopicPartitionOffset(p, Offset.Beginning))]))
            .SelectTraced("bench process", Count)
            .ToMaterialized(Committer.Sink<ICommittableOffset>(CommitterSettings.Default.WithMaxBatch(CommitEvery)), Keep.Both)
            .Run(materializer);
        await all.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        await control.DrainAndShutdown(done).ConfigureAwait(false);
        return measure.Stop(count);

        ICommittableOffset Count(CommittableMessage<long, byte[]> message)
        {
            if (Interlocked.Increment(ref processed) == count)
            {
                all.TrySetResult();
            }

            return message.CommittableOffset;
        }
    }

    private sealed class DiscardingExporter<T> : BaseExporter<T>
        where T : class
    {
        public override ExportResult Export(in Batch<T> batch) => ExportResult.Success;
    }
}
