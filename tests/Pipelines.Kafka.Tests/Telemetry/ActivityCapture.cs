using System.Collections.Concurrent;
using System.Diagnostics;
using Pipelines.Telemetry;

namespace Pipelines.Kafka.Tests.Telemetry;

/// <summary>Listens to the Pipelines activity source (and the tests' own) while it lives, recording every span that ends.</summary>
internal sealed class ActivityCapture : IDisposable
{
    private const string TestSourceName = "Pipelines.Tests";

    /// <summary>The source of the tests' root spans.</summary>
    public static readonly ActivitySource TestSource = new(TestSourceName);

    private readonly ActivityListener _listener;
    private readonly ConcurrentQueue<Activity> _stopped = new();

    public ActivityCapture()
    {
        _listener = new ActivityListener
        {
            // By name: touching TestSource here could create it inside this very registration, unseen by the listener.
            ShouldListenTo = static source => source.Name is PipelinesTelemetry.ActivitySourceName or TestSourceName,
            Sample = static (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = _stopped.Enqueue,
        };
        ActivitySource.AddActivityListener(_listener);
    }

    /// <summary>The ended spans of one trace.</summary>
    public IReadOnlyList<Activity> InTrace(ActivityTraceId traceId) => [.. _stopped.Where(a => a.TraceId == traceId)];

    public void Dispose() => _listener.Dispose();
}
