using System.Threading.Channels;
using Pipelines.Streams.Dsl;
using Pipelines.Streams.Stage;

namespace Pipelines.Streams.Tests.Support;

/// <summary>
/// The test's start of a stream: every pull of downstream is recorded as a request of one element for
/// <see cref="ExpectRequestAsync"/>; elements sent with <see cref="SendNext"/> wait in the probe until downstream pulls.
/// </summary>
public sealed class SourceProbe<T>
{
    private readonly Channel<Signal> _signals = Channel.CreateUnbounded<Signal>();
    private StageCallback<T> _sendNext = null!;
    private StageCallback _sendComplete = null!;
    private StageCallback<Exception> _sendError = null!;

    public static Source<T, SourceProbe<T>> Create() => Source.FromGraph(new Stage());

    /// <summary>Emits <paramref name="element"/> as soon as downstream pulls (elements are emitted in the order sent).</summary>
    public SourceProbe<T> SendNext(T element)
    {
        _sendNext.Invoke(element);
        return this;
    }

    public SourceProbe<T> SendNext(params T[] elements)
    {
        foreach (var element in elements)
        {
            _sendNext.Invoke(element);
        }

        return this;
    }

    /// <summary>Completes the stream once the elements sent before were emitted.</summary>
    public void SendComplete() => _sendComplete.Invoke();

    public void SendError(Exception cause) => _sendError.Invoke(cause);

    /// <summary>Waits for downstream's next pull; returns the number of elements requested (one per pull).</summary>
    public async Task<long> ExpectRequestAsync()
    {
        var signal = await NextSignalAsync("a request");
        return signal.Kind == SignalKind.Request ? 1 : throw Unexpected("a request", signal);
    }

    /// <summary>Waits for downstream's cancellation; returns its cause (null for a normal cancellation).</summary>
    public async Task<Exception?> ExpectCancellationAsync()
    {
        var signal = await NextSignalAsync("a cancellation");
        return signal.Kind == SignalKind.Cancel ? signal.Cause : throw Unexpected("a cancellation", signal);
    }

    /// <summary>Waits <paramref name="duration"/> (real time; keep it short) and fails if downstream pulls or cancels meanwhile.</summary>
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
        Request,
        Cancel,
    }

    private readonly record struct Signal(SignalKind Kind, Exception? Cause)
    {
        public override string ToString() => Kind == SignalKind.Request ? "a request" : $"cancellation ({Cause?.Message ?? "normal"})";
    }

    private sealed class Stage : GraphStageWithMaterializedValue<SourceShape<T>, SourceProbe<T>>
    {
        public override SourceShape<T> Shape { get; } = new(new Outlet<T>("SourceProbe.out"));

        public override (GraphStageLogic Logic, SourceProbe<T> MaterializedValue) CreateLogicAndMaterializedValue(Attributes inheritedAttributes)
        {
            var probe = new SourceProbe<T>();
            return (new Logic(Shape, probe), probe);
        }
    }

    private sealed class Logic : OutGraphStageLogic
    {
        private readonly Outlet<T> _out;
        private readonly SourceProbe<T> _probe;
        private readonly Queue<T> _pending = new();
        private bool _completeWhenEmpty;

        public Logic(SourceShape<T> shape, SourceProbe<T> probe)
            : base(shape)
        {
            _out = shape.Outlet;
            _probe = probe;
            probe._sendNext = GetAsyncCallback<T>(element =>
            {
                if (_pending.Count == 0 && IsAvailable(_out))
                {
                    Push(_out, element);
                }
                else
                {
                    _pending.Enqueue(element);
                }
            });
            probe._sendComplete = GetAsyncCallback(() =>
            {
                _completeWhenEmpty = true;
                if (_pending.Count == 0)
                {
                    CompleteStage();
                }
            });
            probe._sendError = GetAsyncCallback<Exception>(FailStage);
            SetHandler(_out, this);
        }

        public override void OnPull()
        {
            _probe._signals.Writer.TryWrite(new Signal(SignalKind.Request, null));
            if (_pending.TryDequeue(out var element))
            {
                Push(_out, element);
                if (_pending.Count == 0 && _completeWhenEmpty)
                {
                    CompleteStage();
                }
            }
        }

        public override void OnDownstreamFinish(Exception? cause)
        {
            _probe._signals.Writer.TryWrite(new Signal(SignalKind.Cancel, cause));
            CompleteStage();
        }
    }
}
