using System.Collections;
using System.Reflection;
using Akka.Configuration;
using Akka.Streams;
using Akka.Streams.Dsl;
using Akka.Streams.TestKit;
using Akka.TestKit;
using Xunit.Abstractions;

namespace Pipelines.Streams.Tests;

/// <summary>
/// An ActorSystem on Akka.TestKit's virtual clock (<see cref="TestScheduler"/>), its materializer, and helpers to run a
/// flow between stream probes.
/// </summary>
public abstract class StageSpec : Akka.TestKit.Xunit2.TestKit
{
    /// <summary>How long a test waits (real time) for something that must happen.</summary>
    protected static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    /// <summary>How long a test watches (real time) for something that must not happen.</summary>
    protected static readonly TimeSpan Quiet = TimeSpan.FromMilliseconds(200);

    private static readonly Config VirtualTime = ConfigurationFactory.ParseString("""
        akka.scheduler.implementation = "Akka.TestKit.TestScheduler, Akka.TestKit"
        akka.loglevel = WARNING
        """);

    // The TestScheduler keeps its timers in a private dictionary keyed by due instant (UTC ticks); see AwaitTimerAsync.
    private static readonly FieldInfo ScheduledWork = typeof(TestScheduler).GetField("_scheduledWork", BindingFlags.Instance | BindingFlags.NonPublic)
        ?? throw new InvalidOperationException(
            "Akka.TestKit.TestScheduler has no field _scheduledWork any more; update StageSpec.AwaitTimerAsync for this Akka version.");

    protected StageSpec(ITestOutputHelper output)
        : base(VirtualTime, output: output)
    {
        Materializer = Sys.Materializer();
    }

    protected ActorMaterializer Materializer { get; }

    /// <summary>The virtual clock: it moves only when a test advances it.</summary>
    protected TestScheduler Scheduler => (TestScheduler)Sys.Scheduler;

    /// <summary>Runs <paramref name="flow"/> between a source probe and a sink probe.</summary>
    protected (TestPublisher.Probe<TIn> Upstream, TestSubscriber.Probe<TOut> Downstream) Probe<TIn, TOut, TMat>(Flow<TIn, TOut, TMat> flow) =>
        this.SourceProbe<TIn>().Via(flow).ToMaterialized(this.SinkProbe<TOut>(), Keep.Both).Run(Materializer);

    /// <summary>
    /// Waits until a timer is scheduled for <paramref name="due"/>. A stage computes its timer's delay from the clock's
    /// current reading; advancing the clock between that reading and the scheduling would move the timer by the
    /// advance, so a test advances only once the timer it means to fire is in place.
    /// </summary>
    protected Task AwaitTimerAsync(DateTimeOffset due) =>
        AwaitConditionAsync(
            () => ((IDictionary)ScheduledWork.GetValue(Scheduler)!).Contains(due.UtcTicks),
            Patience,
            $"a timer due at {due:O}");
}
