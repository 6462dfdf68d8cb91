using System.Threading.Channels;
using Pipelines.Engine.Stage;

namespace Pipelines.TestKit.Engine;

/// <summary>
/// The materialized value of <see cref="TestSink.Probe{T}"/>: controls demand by hand and asserts on what arrives.
/// No element is requested until the test calls <see cref="Request"/>. Expectations wait up to <see cref="Timeout"/>
/// (real time) and throw <see cref="ExpectationFailedException"/> with what arrived instead.
/// </summary>
/// <typeparam name="T">The element type.</typeparam>
public sealed class SinkProbe<T>
{
    private readonly Channel<ProbeSignal<T>> _signals = Channel.CreateUnbounded<ProbeSignal<T>>();
    private StageCallback<long>? _request;
    private StageCallback? _cancel;

    internal SinkProbe()
    {
    }

    /// <summary>How long expectations wait for a signal.</summary>
    /// <value>Defaults to 10 seconds.</value>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Signals demand for <paramref name="n"/> more elements.</summary>
    public SinkProbe<T> Request(long n)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(n);
        Callbacks().Request.Invoke(n);
        return this;
    }

    /// <summary>Cancels the stream from the sink's side.</summary>
    public void Cancel() => Callbacks().Cancel.Invoke();

    /// <summary>Requests one element and returns it.</summary>
    public Task<T> RequestNextAsync()
    {
        Request(1);
        return ExpectNextAsync();
    }

    /// <summary>Requests one element and asserts it equals <paramref name="expected"/>.</summary>
    public Task RequestNextAsync(T expected)
    {
        Request(1);
        return ExpectNextAsync(expected);
    }

    /// <summary>Expects the next signal to be an element, and returns it.</summary>
    public async Task<T> ExpectNextAsync()
    {
        var signal = await NextSignalAsync("an element").ConfigureAwait(false);
        return signal.Kind == ProbeSignalKind.Next ? signal.Element : throw Unexpected("an element", signal);
    }

    /// <summary>Expects the next signal to be <paramref name="expected"/>.</summary>
    public async Task ExpectNextAsync(T expected)
    {
        var signal = await NextSignalAsync($"OnNext({expected})").ConfigureAwait(false);
        if (signal.Kind != ProbeSignalKind.Next || !EqualityComparer<T>.Default.Equals(signal.Element, expected))
        {
            throw Unexpected($"OnNext({expected})", signal);
        }
    }

    /// <summary>Expects the next signals to be <paramref name="expected"/>, in order.</summary>
    public async Task ExpectNextAsync(params T[] expected)
    {
        ArgumentNullException.ThrowIfNull(expected);
        foreach (var element in expected)
        {
            await ExpectNextAsync(element).ConfigureAwait(false);
        }
    }

    /// <summary>Expects <paramref name="n"/> elements and returns them.</summary>
    public async Task<IReadOnlyList<T>> ExpectNextNAsync(int n)
    {
        var elements = new List<T>(n);
        for (var i = 0; i < n; i++)
        {
            elements.Add(await ExpectNextAsync().ConfigureAwait(false));
        }

        return elements;
    }

    /// <summary>Expects the next signals to be exactly the elements of <paramref name="expected"/>, in any order.</summary>
    public async Task ExpectNextUnorderedAsync(params T[] expected)
    {
        ArgumentNullException.ThrowIfNull(expected);
        var missing = expected.ToList();
        while (missing.Count > 0)
        {
            var signal = await NextSignalAsync($"one of [{string.Join(", ", missing)}]").ConfigureAwait(false);
            var index = signal.Kind == ProbeSignalKind.Next ? missing.FindIndex(e => EqualityComparer<T>.Default.Equals(e, signal.Element)) : -1;
            if (index < 0)
            {
                throw Unexpected($"one of [{string.Join(", ", missing)}]", signal);
            }

            missing.RemoveAt(index);
        }
    }

    /// <summary>Expects completion.</summary>
    public async Task ExpectCompleteAsync()
    {
        var signal = await NextSignalAsync("OnComplete").ConfigureAwait(false);
        if (signal.Kind != ProbeSignalKind.Complete)
        {
            throw Unexpected("OnComplete", signal);
        }
    }

    /// <summary>Expects failure, and returns the cause.</summary>
    public async Task<Exception> ExpectErrorAsync()
    {
        var signal = await NextSignalAsync("OnError").ConfigureAwait(false);
        return signal.Kind == ProbeSignalKind.Error ? signal.Error! : throw Unexpected("OnError", signal);
    }

    /// <summary>
    /// Expects that nothing arrives during <paramref name="duration"/> (real time: keep it short). A signal that already
    /// arrived fails it at once, so <see cref="TimeSpan.Zero"/> checks that nothing is pending now.
    /// </summary>
    public async Task ExpectNoMessageAsync(TimeSpan duration)
    {
        if (_signals.Reader.TryPeek(out var pending))
        {
            throw new ExpectationFailedException($"Expected no signal for {duration}, but got {pending}.");
        }

        using var cancel = new CancellationTokenSource(duration);
        try
        {
            if (await _signals.Reader.WaitToReadAsync(cancel.Token).ConfigureAwait(false) && _signals.Reader.TryPeek(out var signal))
            {
                throw new ExpectationFailedException($"Expected no signal for {duration}, but got {signal}.");
            }
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested)
        {
            // Nothing arrived: as expected.
        }
    }

    /// <summary>Requests everything and returns all elements once the stream completes (fails if it fails).</summary>
    public async Task<IReadOnlyList<T>> ToStrictAsync()
    {
        Request(long.MaxValue);
        var elements = new List<T>();
        while (true)
        {
            var signal = await NextSignalAsync("an element or OnComplete").ConfigureAwait(false);
            switch (signal.Kind)
            {
                case ProbeSignalKind.Next:
                    elements.Add(signal.Element);
                    break;
                case ProbeSignalKind.Complete:
                    return elements;
                default:
                    throw Unexpected("an element or OnComplete", signal);
            }
        }
    }

    internal void Attach(StageCallback<long> request, StageCallback cancel)
    {
        _request = request;
        _cancel = cancel;
    }

    internal void Signal(ProbeSignal<T> signal) => _signals.Writer.TryWrite(signal);

    private (StageCallback<long> Request, StageCallback Cancel) Callbacks() =>
        _request is not null && _cancel is not null ? (_request, _cancel) : throw new InvalidOperationException("The probe is not materialized.");

    private async Task<ProbeSignal<T>> NextSignalAsync(string expected)
    {
        using var cancel = new CancellationTokenSource(Timeout);
        try
        {
            return await _signals.Reader.ReadAsync(cancel.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested)
        {
            throw new ExpectationFailedException($"Expected {expected} within {Timeout}, but nothing arrived.");
        }
    }

    private static ExpectationFailedException Unexpected(string expected, ProbeSignal<T> actual) =>
        actual.Kind == ProbeSignalKind.Error
            ? new ExpectationFailedException($"Expected {expected}, but got {actual}.", actual.Error!)
            : new ExpectationFailedException($"Expected {expected}, but got {actual}.");
}
