using System.Threading.Channels;
using Pipelines.Engine.Dsl;
using Pipelines.TestKit.Engine;

namespace Pipelines.Engine.Tests.Stages;

public sealed class ChannelWriterSinkTests : StreamTestBase
{
    [Fact]
    public async Task ChannelWriter_Elements_WritesThemAllAndCompletesTheWriter()
    {
        var channel = Channel.CreateUnbounded<int>();

        await Source.From([1, 2, 3]).RunWith(Sink.ChannelWriter(channel.Writer), Materializer);

        (await channel.Reader.ReadAllAsync().ToListAsync()).Should().Equal(1, 2, 3);
        channel.Reader.Completion.IsCompletedSuccessfully.Should().BeTrue();
    }

    [Fact]
    public async Task ChannelWriter_ChannelFull_BackPressuresUntilTheReaderMakesRoom()
    {
        var channel = Channel.CreateBounded<int>(2);
        var (source, done) = TestSource.Probe<int>().ToMaterialized(Sink.ChannelWriter(channel.Writer), Keep.Both).Run(Materializer);

        await source.ExpectRequestAsync();
        await source.SendNextAsync(1);
        await source.ExpectRequestAsync();
        await source.SendNextAsync(2);
        await source.ExpectRequestAsync();
        await source.SendNextAsync(3);
        await source.ExpectNoMessageAsync(NoMessage);

        (await channel.Reader.ReadAsync()).Should().Be(1);
        await source.ExpectRequestAsync();
        source.SendComplete();
        await done.WaitAsync(Patience);
        (await channel.Reader.ReadAllAsync().ToListAsync()).Should().Equal(2, 3);
    }

    [Fact]
    public async Task ChannelWriter_UpstreamFails_FaultsTheTaskAndCompletesTheWriterWithTheError()
    {
        var channel = Channel.CreateUnbounded<int>();
        var boom = new InvalidOperationException("boom");

        var done = Source.From([1, 2]).Select(x => x == 2 ? throw boom : x).RunWith(Sink.ChannelWriter(channel.Writer), Materializer);

        (await done.Invoking(t => t).Should().ThrowAsync<InvalidOperationException>()).Which.Should().BeSameAs(boom);
        (await channel.Reader.ReadAsync()).Should().Be(1);
        (await channel.Reader.Completion.Invoking(t => t).Should().ThrowAsync<InvalidOperationException>()).Which.Should().BeSameAs(boom);
    }

    [Fact]
    public async Task ChannelWriter_NotOwningTheWriter_LeavesItOpen()
    {
        var channel = Channel.CreateUnbounded<int>();

        await Source.From([1]).RunWith(Sink.ChannelWriter(channel.Writer, completeWriter: false), Materializer);

        channel.Writer.TryWrite(2).Should().BeTrue();
        channel.Reader.Completion.IsCompleted.Should().BeFalse();
    }

    [Fact]
    public async Task ChannelWriter_WriterCompletedBySomeoneElse_FailsTheStreamInsteadOfDroppingElements()
    {
        var channel = Channel.CreateBounded<int>(1);
        var (source, done) = TestSource.Probe<int>().ToMaterialized(Sink.ChannelWriter(channel.Writer), Keep.Both).Run(Materializer);

        await source.SendNextAsync(1, 2);
        channel.Writer.Complete();

        await done.Invoking(t => t).Should().ThrowAsync<InvalidOperationException>().WithMessage("*channel was completed by someone else*");
        await source.ExpectCancellationWithoutFurtherDemandAsync();
        await Materializer.AssertAllStagesStoppedAsync();
    }
}
