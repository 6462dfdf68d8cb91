using Pipelines.Engine.Dsl;
using Pipelines.Engine.Stage;
using Pipelines.TestKit.Engine;

namespace Pipelines.Engine.Tests.Stages;

public sealed class PartitionStageTests : StreamTestBase
{
    [Fact]
    public async Task Partition_Elements_RoutesEachToTheOutputThePartitionerNames()
    {
        var (source, even, odd) = RunPartition(x => x % 2);

        even.Request(10);
        odd.Request(10);
        await source.SendNextAsync(1, 2, 3, 4, 5);
        source.SendComplete();
        await even.ExpectNextAsync(2, 4);
        await even.ExpectCompleteAsync();
        await odd.ExpectNextAsync(1, 3, 5);
        await odd.ExpectCompleteAsync();
        await Materializer.AssertAllStagesStoppedAsync();
    }

    [Fact]
    public async Task Partition_IndexOutOfRange_FailsWithAnErrorNamingTheIndexAndTheValidRange()
    {
        var (source, even, odd) = RunPartition(x => x);

        even.Request(1);
        odd.Request(1);
        await source.SendNextAsync(5);
        var error = await even.ExpectErrorAsync();
        error.Should().BeOfType<PartitionOutOfBoundsException>();
        error.Message.Should().Contain("returned 5").And.Contain("'5'").And.Contain("0 to 1");
        (await odd.ExpectErrorAsync()).Should().BeSameAs(error);
        (await source.ExpectCancellationWithoutFurtherDemandAsync()).Should().BeSameAs(error);
        await Materializer.AssertAllStagesStoppedAsync();
    }

    [Fact]
    public async Task Partition_TargetOutputHasNotPulled_HoldsTheElementAndBackPressures()
    {
        var (source, even, odd) = RunPartition(x => x % 2);

        even.Request(10);
        await source.ExpectRequestAsync();
        await source.SendNextAsync(1);
        await source.ExpectNoMessageAsync(NoMessage);
        await even.ExpectNoMessageAsync(TimeSpan.Zero);

        odd.Request(1);
        await odd.ExpectNextAsync(1);
        await source.ExpectRequestAsync();
        await source.SendNextAsync(2);
        await even.ExpectNextAsync(2);

        even.Cancel();
        odd.Cancel();
    }

    [Fact]
    public async Task Partition_UpstreamCompletesWhileAnElementWaits_CompletesAfterEmittingIt()
    {
        var (source, even, odd) = RunPartition(x => x % 2);

        even.Request(1);
        await source.SendNextAsync(1);
        source.SendComplete();
        await even.ExpectNoMessageAsync(NoMessage);
        odd.Request(1);
        await odd.ExpectNextAsync(1);
        await odd.ExpectCompleteAsync();
        await even.ExpectCompleteAsync();
        await Materializer.AssertAllStagesStoppedAsync();
    }

    [Fact]
    public async Task Partition_ElementForACancelledOutput_IsDroppedAndTheOthersContinue()
    {
        var (source, even, odd) = RunPartition(x => x % 2);

        odd.Cancel();
        even.Request(10);
        await source.SendNextAsync(1, 2, 3, 4);
        await even.ExpectNextAsync(2, 4);

        even.Cancel();
    }

    [Fact]
    public async Task Partition_AllOutputsCancel_CancelsUpstream()
    {
        var (source, even, odd) = RunPartition(x => x % 2);

        even.Cancel();
        odd.Cancel();
        await source.ExpectCancellationWithoutFurtherDemandAsync();
        await Materializer.AssertAllStagesStoppedAsync();
    }

    [Fact]
    public async Task Partition_EagerCancel_FirstCancellationCancelsUpstreamAndCompletesTheOthers()
    {
        var (source, even, odd) = RunPartition(x => x % 2, eagerCancel: true);

        odd.Request(1);
        await source.ExpectRequestAsync();
        even.Cancel();
        await source.ExpectCancellationWithoutFurtherDemandAsync();
        await odd.ExpectCompleteAsync();
        await Materializer.AssertAllStagesStoppedAsync();
    }

    [Fact]
    public async Task Partition_PartitionerThrowsUnderResume_DropsTheElementAndContinues()
    {
        var result = await Source.From([1, 2, 3, 4])
            .Via(Flow.FromGraph(GraphDsl.Create(Sink.Seq<int>(), (b, odd) =>
            {
                var partition = b.Add(Partition<int>.Create(2, x => x == 3 ? throw new InvalidOperationException("three") : x % 2));
                b.Connect(partition.Out[1], odd.Inlet);
                return new FlowShape<int, int>(partition.In, partition.Out[0]);
            })).WithAttributes(Attributes.Supervision(Deciders.ResumingDecider)))
            .RunWith(Sink.Seq<int>(), Materializer);

        result.Should().Equal(2, 4);
    }

    private (SourceProbe<int> Source, SinkProbe<int> Out0, SinkProbe<int> Out1) RunPartition(Func<int, int> partitioner, bool eagerCancel = false)
    {
        var graph = GraphDsl.Create(TestSource.Probe<int>(), TestSink.Probe<int>(), Keep.Both, (b, source, out0) =>
        {
            var partition = b.Add(Partition<int>.Create(2, partitioner, eagerCancel));
            b.Connect(source.Outlet, partition.In);
            b.Connect(partition.Out[0], out0.Inlet);
            return new SourceShape<int>(partition.Out[1]);
        });
        var ((source, out0), out1) = Source.FromGraph(graph).ToMaterialized(TestSink.Probe<int>(), Keep.Both).Run(Materializer);
        return (source, out0, out1);
    }
}
