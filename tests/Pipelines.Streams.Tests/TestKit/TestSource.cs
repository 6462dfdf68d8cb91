using System.Threading.Channels;
using Pipelines.Streams.Dsl;
using Pipelines.Streams.Stage;

namespace Pipelines.Streams.Tests.TestKit;

/// <summary>A source controlled by the test: it records demand and cancellation, and emits what the test sends.</summary>
internal static class TestSource
{
    public static Source<T, SourceProbe<T>> Probe<T>() => Source.FromGraph(new ProbeSourceStage<T>());

    private sealed class ProbeSourceStage<T> : GraphStageWithMaterializedValue<SourceShape<T>, SourceProbe<T>>
    {
        public override SourceShape<T> Shape { get; } = new(new Outlet<T>("ProbeSource.out"));

        public override (GraphStageLogic Logic, SourceProbe<T> MaterializedValue) CreateLogicAndMaterializedValue(Attributes inheritedAttributes)
        {
            var probe = new SourceProbe<T>();
            return (new Logic(Shape, probe), probe);
        }

        private sealed class Logic : OutGraphStageLogic
        {
            private readonly Outlet<T> _out;
            private readonly SourceProbe<T> _probe;

            public Logic(SourceShape<T> shape, SourceProbe<T> probe)
                : base(shape)
            {
                _out = shape.Outlet;
                _probe = probe;
                SetHandler(_out, this);
                probe.PushCallback = GetAsyncCallback<T>(element => Push(_out, element));
                probe.CompleteCallback = GetAsyncCallback(CompleteStage);
                probe.FailCallback = GetAsyncCallback<Exception>(FailStage);
            }

            public override void OnPull() => _probe.Signals.Writer.TryWrite(ProbeSignal.Request);

            public override void OnDownstreamFinish(Exception? cause)
            {
                _probe.CancelCause = cause;
                _probe.Signals.Writer.TryWrite(ProbeSignal.Cancel);
                CompleteStage();
            }
        }
    }
}

internal enum ProbeSignal
{
    Request,
    Cancel,
}

/// <summary>The test's handle on a materialized probe source.</summary>
internal sealed class SourceProbe<T>
{
    private long _outstanding;

    internal Channel<ProbeSignal> Signals { get; } = Channel.CreateUnbounded<ProbeSignal>();

    internal StageCallback<T> PushCallback { get; set; } = null!;

    internal StageCallback CompleteCallback { get; set; } = null!;

    internal StageCallback<Exception> FailCallback { get; set; } = null!;

    internal Exception? CancelCause { get; set; }

    /// <summary>Waits for the next demand signal and returns the demand outstanding.</summary>
    public async Task<long> ExpectRequestAsync()
    {
        var signal = await NextSignalAsync();
        if (signal != ProbeSignal.Request)
        {
            throw new Xunit.Sdk.XunitException("Expected demand, but the stream cancelled the probe source.");
        }

        return ++_outstanding;
    }

    /// <summary>Emits <paramref name="element"/> once there is demand for it.</summary>
    public async Task SendNextAsync(T element)
    {
        if (_outstanding == 0)
        {
            await ExpectRequestAsync();
        }

        _outstanding--;
        PushCallback.Invoke(element);
    }

    public async Task SendNextAsync(params T[] elements)
    {
        foreach (var element in elements)
        {
            await SendNextAsync(element);
        }
    }

    public void SendComplete() => CompleteCallback.Invoke();

    public void SendError(Exception cause) => FailCallback.Invoke(cause);

    /// <summary>Waits until the stream cancels the probe (demand signals before it are skipped) and returns the cause.</summary>
    public async Task<Exception?> ExpectCancellationAsync()
    {
        while (await NextSignalAsync() != ProbeSignal.Cancel)
        {
            _outstanding++;
        }

        return CancelCause;
    }

    /// <summary>Waits <paramref name="duration"/> of real time and fails if the stream signalled demand or cancelled meanwhile.</summary>
    public async Task ExpectNoMessageAsync(TimeSpan duration)
    {
        await Task.Delay(duration);
        if (Signals.Reader.TryPeek(out var signal))
        {
            throw new Xunit.Sdk.XunitException($"Expected no signal, got {signal}.");
        }
    }

    private async Task<ProbeSignal> NextSignalAsync()
    {
        try
        {
            return await Signals.Reader.ReadAsync().AsTask().WaitAsync(SinkProbe<T>.Timeout);
        }
        catch (TimeoutException)
        {
            throw new Xunit.Sdk.XunitException($"No signal arrived at the probe source within {SinkProbe<T>.Timeout}.");
        }
    }
}
