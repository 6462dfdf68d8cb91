using System.Threading.Channels;
using Pipelines.Engine.Dsl;
using Pipelines.TestKit.Engine;

namespace Pipelines.Engine.Tests.Stages;

public sealed class ChannelReaderSourceTests : StreamTestBase
{
    [Fact]
    public async Task FromChannel_ChannelCompleted_EmitsEveryElementThenCompletes()
    {
        var channel = Channel.CreateUnbounded<int>();
        channel.Writer.TryWrite(1);
        channel.Writer.TryWrite(2);
        channel.Writer.Complete();

        var result = await Source.FromChannel(channel.Reader).RunWith(Sink.Seq<int>(), Materializer);

        result.Should().Equal(1, 2);
        await Materializer.AssertAllStagesStoppedAsync();
    }

    [Fact]
    public async Task FromChannel_NoDemand_ReadsNothingAhead()
    {
        var channel = Channel.CreateUnbounded<int>();
        channel.Writer.TryWrite(1);
        channel.Writer.TryWrite(2);
        channel.Writer.TryWrite(3);
        var sink = Source.FromChannel(channel.Reader).RunWith(TestSink.Probe<int>(), Materializer);

        (await sink.RequestNextAsync()).Should().Be(1);
        await sink.ExpectNoMessageAsync(NoMessage);

        channel.Reader.Count.Should().Be(2);

        sink.Cancel();
    }

    [Fact]
    public async Task FromChannel_EmptyChannel_EmitsAsSoonAsAnElementIsWritten()
    {
        var channel = Channel.CreateUnbounded<int>();
        var sink = Source.FromChannel(channel.Reader).RunWith(TestSink.Probe<int>(), Materializer);

        sink.Request(2);
        await sink.ExpectNoMessageAsync(NoMessage);
        channel.Writer.TryWrite(7);
        await sink.ExpectNextAsync(7);
        channel.Writer.Complete();
        await sink.ExpectCompleteAsync();
    }

    [Fact]
    public async Task FromChannel_ChannelCompletedWithAnError_FailsTheStream()
    {
        var channel = Channel.CreateUnbounded<int>();
        var boom = new InvalidOperationException("boom");
        var sink = Source.FromChannel(channel.Reader).RunWith(TestSink.Probe<int>(), Materializer);

        sink.Request(1);
        channel.Writer.Complete(boom);

        (await sink.ExpectErrorAsync()).Should().BeSameAs(boom);
        await Materializer.AssertAllStagesStoppedAsync();
    }

    [Fact]
    public async Task FromChannel_DownstreamCancels_StopsAndLeavesTheChannelOpen()
    {
        var channel = Channel.CreateUnbounded<int>();
        var sink = Source.FromChannel(channel.Reader).RunWith(TestSink.Probe<int>(), Materializer);

        sink.Request(1);
        sink.Cancel();
        await Materializer.AssertAllStagesStoppedAsync();

        channel.Writer.TryWrite(1).Should().BeTrue();
        channel.Reader.Completion.IsCompleted.Should().BeFalse();
    }
}
