using Microsoft.Extensions.Time.Testing;
using Pipelines.Hosting;
using Pipelines.Host.View;
using Pipelines.Telemetry;

namespace Pipelines.Configuration.Tests.Host.View;

public sealed class ViewAggregatorTests : IDisposable
{
    private readonly TestMeter _meter = new();
    private readonly PipelinesMeterReader _reader;
    private readonly FakeTimeProvider _time = new();
    private readonly FakePipelineRegistry _registry = new();
    private readonly ViewAggregator _view;

    public ViewAggregatorTests()
    {
        _reader = new PipelinesMeterReader(_meter.Name);
        _view = new ViewAggregator(_reader, _registry, _time, "pipelines-delay-");
    }

    [Fact]
    public void Take_CountersRecordedDuringTheInterval_ShowsRatesPerSecondOfTheClockAndTotals()
    {
        _meter.Consumed.Add(150, TestMeter.Client("orders"), TestMeter.Topic("orders"));
        _meter.Consumed.Add(50, TestMeter.Client("orders"), TestMeter.Topic("orders"));
        _meter.Produced.Add(100, TestMeter.Client("orders"), TestMeter.Topic("invoices"));
        _meter.Committed.Add(80, TestMeter.Client("orders"), TestMeter.Topic("orders"));
        _meter.Commits.Add(4, TestMeter.Client("orders"));
        _time.Advance(TimeSpan.FromSeconds(2));

        var first = Row(_view.Take(), "orders");

        first.InRate.Should().Be(100);
        first.OutRate.Should().Be(50);
        first.CommittedRate.Should().Be(40);
        first.Commits.Should().Be(4);
        first.Consumed.Should().Be(200);

        _meter.Consumed.Add(30, TestMeter.Client("orders"), TestMeter.Topic("orders"));
        _time.Advance(TimeSpan.FromMilliseconds(500));
        var second = _view.Take();
        var row = Row(second, "orders");

        second.Interval.Should().Be(TimeSpan.FromMilliseconds(500));
        second.Elapsed.Should().Be(TimeSpan.FromMilliseconds(2500));
        row.InRate.Should().Be(60, "30 records in half a second");
        row.OutRate.Should().Be(0, "nothing was produced in this interval");
        row.Consumed.Should().Be(230);
        row.Produced.Should().Be(100);
        row.State.Should().BeNull("no hosted pipeline has that name");
    }

    [Fact]
    public void Take_GaugesPerPartition_ShowsLagAndInFlightSummedPerClient()
    {
        _meter.SetLag(("orders", 0, 3), ("orders", 1, 4), ("billing", 0, 10));
        _meter.SetInFlight(("orders", 0, 16), ("orders", 1, 2));
        _time.Advance(TimeSpan.FromSeconds(1));

        var snapshot = _view.Take();

        Row(snapshot, "orders").Lag.Should().Be(7);
        Row(snapshot, "orders").InFlight.Should().Be(18);
        Row(snapshot, "billing").Lag.Should().Be(10);
        Row(snapshot, "billing").InFlight.Should().BeNull("nothing reported billing's records in flight");

        _meter.SetLag(("orders", 0, 1));
        _time.Advance(TimeSpan.FromSeconds(1));
        Row(_view.Take(), "orders").Lag.Should().Be(1, "gauges show what they observe now, not a sum over time");
    }

    [Fact]
    public void Take_HostedPipelines_JoinsTheRegistrysStateAndRestartsWithTheMetersSeriesOfTheirName()
    {
        _registry.Statuses.Add(ViewStatuses.Of("orders", PipelineState.Running, restarts: 2, received: 999, partitions: [(3, 5), (4, 6)]));
        _registry.Statuses.Add(ViewStatuses.NotRunning("audit", PipelineState.Restarting, restarts: 1));
        _meter.Consumed.Add(40, TestMeter.Client("orders"));
        _meter.Consumed.Add(10, TestMeter.Client("pipelines-delay-router"));
        _meter.SetLag(("orders", 0, 1000));
        _time.Advance(TimeSpan.FromSeconds(1));

        var snapshot = _view.Take();

        snapshot.Pipelines.Select(p => p.Name).Should().Equal(["orders", "audit", "pipelines-delay-router"], "pipelines in registration order, then other clients");
        var orders = Row(snapshot, "orders");
        orders.State.Should().Be(PipelineState.Running);
        orders.Restarts.Should().Be(2);
        orders.InRate.Should().Be(40, "the meter's series named after the pipeline wins over the registry's counter");
        orders.Lag.Should().Be(7, "the registry knows the pipeline's own partitions");
        orders.InFlight.Should().Be(11);
        var audit = Row(snapshot, "audit");
        audit.State.Should().Be(PipelineState.Restarting);
        audit.Restarts.Should().Be(1);
        audit.InRate.Should().BeNull("nothing was recorded for audit");
        audit.Lag.Should().BeNull();
        Row(snapshot, "pipelines-delay-router").State.Should().BeNull();
    }

    [Fact]
    public void Take_PipelineWithoutMeterSeries_CountsTheRegistrysRecordsAcrossARestart()
    {
        _registry.Statuses.Add(ViewStatuses.Of("billing", PipelineState.Running, received: 100, commits: 3));
        _time.Advance(TimeSpan.FromSeconds(1));
        Row(_view.Take(), "billing").Consumed.Should().Be(100);

        // The incarnation failed and the next one counts from zero again.
        _registry.Statuses[0] = ViewStatuses.Of("billing", PipelineState.Running, restarts: 1, received: 20, commits: 1);
        _time.Advance(TimeSpan.FromSeconds(2));
        var row = Row(_view.Take(), "billing");

        row.Consumed.Should().Be(120);
        row.InRate.Should().Be(10);
        row.Commits.Should().Be(4);
        row.Restarts.Should().Be(1);
    }

    [Fact]
    public void Take_LatenessRecordedInTheInterval_ShowsItsPercentilesThenNothingForAnEmptyInterval()
    {
        foreach (var ms in Enumerable.Range(1, 100).Reverse())
        {
            _meter.Lateness.Record(ms / 1000.0, TestMeter.Topic("pipelines-delay-1s"));
        }

        _time.Advance(TimeSpan.FromSeconds(1));
        var delay = _view.Take().Delay;

        delay.LatenessP50.Should().Be(TimeSpan.FromMilliseconds(50));
        delay.LatenessP99.Should().Be(TimeSpan.FromMilliseconds(99));

        _meter.Lateness.Record(0.2, TestMeter.Topic("pipelines-delay-1s"));
        _time.Advance(TimeSpan.FromSeconds(1));
        _view.Take().Delay.LatenessP99.Should().Be(TimeSpan.FromMilliseconds(200), "each interval has its own percentiles");

        _time.Advance(TimeSpan.FromSeconds(1));
        _view.Take().Delay.LatenessP50.Should().BeNull("nothing was delivered in the last interval");
    }

    [Fact]
    public void Take_DelayInstruments_ShowsPendingPerTierInTierOrderAndNothingBeforeTheFirstRecord()
    {
        _time.Advance(TimeSpan.FromSeconds(1));
        var before = _view.Take().Delay;
        before.Pending.Should().BeEmpty();
        before.Retries.Should().BeNull();
        before.DeadLetters.Should().BeNull();

        _meter.Pending.Add(40, TestMeter.Topic("pipelines-delay-5s"));
        _meter.Pending.Add(15, TestMeter.Topic("pipelines-delay-1s"));
        _meter.Pending.Add(-3, TestMeter.Topic("pipelines-delay-1s"));
        _meter.Pending.Add(2, TestMeter.Topic("pipelines-delay-1m"));
        _meter.Pending.Add(1, TestMeter.Topic("my-tier"));
        _meter.Retries.Add(2, TestMeter.Topic("orders"), new(TagNames.RetryKind, "in-place"));
        _meter.Retries.Add(1, TestMeter.Topic("orders"), new(TagNames.RetryKind, "non-blocking"));
        _meter.DeadLetters.Add(1, TestMeter.Topic("orders"), new(TagNames.ErrorType, "FormatException"));
        _time.Advance(TimeSpan.FromSeconds(1));
        var delay = _view.Take().Delay;

        delay.Pending.Should().Equal([new TierPending("1s", 12), new TierPending("5s", 40), new TierPending("1m", 2), new TierPending("my-tier", 1)]);
        delay.Retries.Should().Be(3);
        delay.DeadLetters.Should().Be(1);
    }

    [Fact]
    public void Take_FailedProducesAndCommits_CountAsTheClientsFailures()
    {
        _registry.Statuses.Add(ViewStatuses.Of("orders", PipelineState.Running));
        _meter.ProduceFailures.Add(2, TestMeter.Client("orders"), TestMeter.Topic("invoices"), new(TagNames.ErrorType, "MsgSizeTooLarge"));
        _meter.Commits.Add(5, TestMeter.Client("orders"));
        _meter.Commits.Add(1, TestMeter.Client("orders"), new(TagNames.ErrorType, "RebalanceInProgress"));
        _time.Advance(TimeSpan.FromSeconds(1));

        var orders = Row(_view.Take(), "orders");

        orders.Failures.Should().Be(3);
        orders.Commits.Should().Be(5, "a failed commit request is a failure, not a commit");
    }

    [Fact]
    public void Take_TheLibrarysOwnInstruments_ReachTheReaderByTheirNames()
    {
        var tier = "view-" + Guid.NewGuid().ToString("N") + "-5s";
        using var reader = new PipelinesMeterReader();
        var view = new ViewAggregator(reader, registry: null, _time, tier[..^2]);

        PipelinesInstruments.RecordDelayPending(tier, 7);
        PipelinesInstruments.RecordDelayLateness(tier, TimeSpan.FromMilliseconds(1));
        _time.Advance(TimeSpan.FromSeconds(1));
        var delay = view.Take().Delay;

        delay.Pending.Should().Contain(new TierPending("5s", 7));
        delay.LatenessP50.Should().NotBeNull("the delay router's lateness histogram is read by its name");
    }

    public void Dispose()
    {
        _reader.Dispose();
        _meter.Dispose();
    }

    private static PipelineView Row(ViewSnapshot snapshot, string name) => snapshot.Pipelines.Single(p => p.Name == name);
}
