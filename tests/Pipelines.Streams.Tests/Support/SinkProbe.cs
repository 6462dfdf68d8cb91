using System.Threading.Channels;
using Pipelines.Streams.Dsl;
using Pipelines.Streams.Stage;

namespace Pipelines.Streams.Tests.Support;

/// <summary>
/// The test's end of a stream: it signals demand only when the test calls <see cref="Request"/>, and records every
/// element, completion and failure for the Expect methods (which wait up to <see cref="Probes.Timeout"/>).
/// </summary>
public sealed class SinkProbe<T>
{
    private readonly Channel<Signal> _signals = Channel.CreateUnbounded<Signal>();
    private StageCallback<long> _request = null!;
    private StageCallback _cancel = null!;

    public static Sink<T, SinkProbe<T>> Create() => Sink.FromGraph(new Stage());

    /// <summary>Signals demand for <paramref name="n"/> more elements.</summary>
    public void Request(long n) => _request.Invoke(n);

    /// <summary>Cancels the stream from this end.</summary>
    public void Cancel() => _cancel.Invoke();

    public async Task<T> RequestNextAsync()
    {
        Request(1);
        return await ExpectNextAsync();
    }

    public async Task<T> ExpectNextAsync()
    {
        var signal = await NextSignalAsync("an element");
        return signal.Kind == SignalKind.Next ? signal.Element : throw Unexpected("an element", signal);
    }

    public async Task ExpectNextAsync(params T[] expected)
    {
        foreach (var element in expected)
        {
            (await ExpectNextAsync()).Should().Be(element);
        }
    }

    public async Task<List<T>> ExpectNextNAsync(int count)
    {
        var elements = new List<T>(count);
        for (var i = 0; i < count; i++)
        {
            elements.Add(await ExpectNextAsync());
        }

        return elements;
    }

    public async Task ExpectCompleteAsync()
    {
        var signal = await NextSignalAsync("completion");
        if (signal.Kind != SignalKind.Complete)
        {
            throw Unexpected("completion", signal);
        }
    }

    public async Task<Exception> ExpectErrorAsync()
    {
        var signal = await NextSignalAsync("a failure");
        return signal.Kind == SignalKind.Error ? signal.Error! : throw Unexpected("a failure", signal);
    }

    /// <summary>Waits <paramref name="duration"/> (real time; keep it short) and fails if any signal arrives.</summary>
    public async Task ExpectNoMessageAsync(TimeSpan duration)
    {
        using var cts = new CancellationTokenSource(duration);
        try
        {
            var signal = await _signals.Reader.ReadAsync(cts.Token);
            throw new Xunit.Sdk.XunitException($"Expected no signal for {duration}, but got {signal}.");
        }
        catch (OperationCanceledException) when (cts.IsCancellationRequested)
        {
        }
    }

    private async Task<Signal> NextSignalAsync(string expected)
    {
        using var cts = new CancellationTokenSource(Probes.Timeout);
        try
        {
            return await _signals.Reader.ReadAsync(cts.Token);
        }
        catch (OperationCanceledException) when (cts.IsCancellationRequested)
        {
            throw new Xunit.Sdk.XunitException($"Expected {expected} within {Probes.Timeout}, but nothing arrived.");
        }
    }

    private static Xunit.Sdk.XunitException Unexpected(string expected, Signal signal) => new($"Expected {expected}, but got {signal}.");

    private enum SignalKind
    {
        Next,
        Complete,
        Error,
    }

    private readonly record struct Signal(SignalKind Kind, T Element, Exception? Error)
    {
        public override string ToString() => Kind switch
        {
            SignalKind.Next => $"element '{Element}'",
            SignalKind.Complete => "completion",
            _ => $"failure {Error!.GetType().Name}: {Error.Message}",
        };
    }

    private sealed class Stage : GraphStageWithMaterializedValue<SinkShape<T>, SinkProbe<T>>
    {
        public override SinkShape<T> Shape { get; } = new(new Inlet<T>("SinkProbe.in"));

        public override (GraphStageLogic Logic, SinkProbe<T> MaterializedValue) CreateLogicAndMaterializedValue(Attributes inheritedAttributes)
        {
            var probe = new SinkProbe<T>();
            return (new Logic(Shape, probe), probe);
        }
    }

    private sealed class Logic : InGraphStageLogic
    {
        private readonly Inlet<T> _in;
        private readonly SinkProbe<T> _probe;
        private long _demand;

        public Logic(SinkShape<T> shape, SinkProbe<T> probe)
            : base(shape)
        {
            _in = shape.Inlet;
            _probe = probe;
            probe._request = GetAsyncCallback<long>(n =>
            {
                _demand += n;
                if (_demand > 0 && !HasBeenPulled(_in) && !IsClosed(_in))
                {
                    Pull(_in);
                }
            });
            probe._cancel = GetAsyncCallback(CompleteStage);
            SetHandler(_in, this);
        }

        public override void OnPush()
        {
            _probe._signals.Writer.TryWrite(new Signal(SignalKind.Next, Grab(_in), null));
            if (--_demand > 0)
            {
                Pull(_in);
            }
        }

        public override void OnUpstreamFinish()
        {
            _probe._signals.Writer.TryWrite(new Signal(SignalKind.Complete, default!, null));
            CompleteStage();
        }

        public override void OnUpstreamFailure(Exception cause)
        {
            _probe._signals.Writer.TryWrite(new Signal(SignalKind.Error, default!, cause));
            FailStage(cause);
        }
    }
}
