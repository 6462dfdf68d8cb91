using System.Threading.Channels;
using Pipelines.Engine.Stage;

namespace Pipelines.TestKit.Engine;

/// <summary>
/// The materialized value of <see cref="TestSource.Probe{T}"/>: emits elements by hand (only as demand allows) and
/// asserts on the demand and cancellation it receives. Waits last up to <see cref="Timeout"/> (real time). Use it from
/// one test thread at a time.
/// </summary>
/// <typeparam name="T">The element type.</typeparam>
public sealed class SourceProbe<T>
{
    private readonly Channel<ProbeSignal<T>> _signals = Channel.CreateUnbounded<ProbeSignal<T>>();
    private long _pendingDemand;
    private StageCallback<T>? _push;
    private StageCallback? _complete;
    private StageCallback<Exception>? _fail;

    internal SourceProbe()
    {
    }

    /// <summary>How long waits last.</summary>
    /// <value>Defaults to 10 seconds.</value>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Emits <paramref name="element"/> once downstream has demand for it (waits for demand).</summary>
    /// <exception cref="ExpectationFailedException">No demand arrived within <see cref="Timeout"/>, or downstream cancelled.</exception>
    public async Task SendNextAsync(T element)
    {
        while (_pendingDemand == 0)
        {
            var signal = await NextSignalAsync($"demand to send {element}").ConfigureAwait(false);
            if (signal.Kind != ProbeSignalKind.Request)
            {
                throw new ExpectationFailedException($"Expected demand to send {element}, but got {signal}.");
            }

            _pendingDemand += signal.Demand;
        }

        _pendingDemand--;
        Attached().Push.Invoke(element);
    }

    /// <summary>Emits <paramref name="elements"/> in order, each once downstream has demand for it.</summary>
    public async Task SendNextAsync(params T[] elements)
    {
        ArgumentNullException.ThrowIfNull(elements);
        foreach (var element in elements)
        {
            await SendNextAsync(element).ConfigureAwait(false);
        }
    }

    /// <summary>Completes the source.</summary>
    public void SendComplete() => Attached().Complete.Invoke();

    /// <summary>Fails the source with <paramref name="cause"/>.</summary>
    public void SendError(Exception cause)
    {
        ArgumentNullException.ThrowIfNull(cause);
        Attached().Fail.Invoke(cause);
    }

    /// <summary>Waits for demand and returns how many elements were requested (all requests received so far, coalesced).</summary>
    public async Task<long> ExpectRequestAsync()
    {
        var signal = await NextSignalAsync("Request").ConfigureAwait(false);
        if (signal.Kind != ProbeSignalKind.Request)
        {
            throw new ExpectationFailedException($"Expected Request, but got {signal}.");
        }

        var demand = signal.Demand;
        while (_signals.Reader.TryPeek(out var next) && next.Kind == ProbeSignalKind.Request)
        {
            _signals.Reader.TryRead(out _);
            demand += next.Demand;
        }

        // The demand stays available to SendNextAsync.
        _pendingDemand += demand;
        return demand;
    }

    /// <summary>Waits for cancellation (skipping demand signals) and returns its cause (<see langword="null"/> for a normal cancellation).</summary>
    public async Task<Exception?> ExpectCancellationAsync()
    {
        while (true)
        {
            var signal = await NextSignalAsync("Cancel").ConfigureAwait(false);
            if (signal.Kind == ProbeSignalKind.Cancel)
            {
                return signal.Error;
            }
        }
    }

    /// <summary>
    /// Expects the next signal to be cancellation and returns its cause (<see langword="null"/> for a normal cancellation).
    /// Unlike <see cref="ExpectCancellationAsync"/> it fails if downstream signals demand first, so it also asserts that no
    /// more was requested since the demand the probe last consumed.
    /// </summary>
    public async Task<Exception?> ExpectCancellationWithoutFurtherDemandAsync()
    {
        var signal = await NextSignalAsync("Cancel").ConfigureAwait(false);
        return signal.Kind == ProbeSignalKind.Cancel ? signal.Error : throw new ExpectationFailedException($"Expected Cancel, but got {signal}.");
    }

    /// <summary>
    /// Expects that neither demand nor cancellation arrives during <paramref name="duration"/> (real time: keep it short).
    /// A signal that already arrived fails it at once, so <see cref="TimeSpan.Zero"/> checks that nothing is pending now.
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

    internal void Attach(StageCallback<T> push, StageCallback complete, StageCallback<Exception> fail)
    {
        _push = push;
        _complete = complete;
        _fail = fail;
    }

    internal void OnPull() => _signals.Writer.TryWrite(new ProbeSignal<T>(ProbeSignalKind.Request, default!, 1, null));

    internal void OnCancel(Exception? cause) => _signals.Writer.TryWrite(new ProbeSignal<T>(ProbeSignalKind.Cancel, default!, 0, cause));

    private (StageCallback<T> Push, StageCallback Complete, StageCallback<Exception> Fail) Attached() =>
        _push is not null && _complete is not null && _fail is not null
            ? (_push, _complete, _fail)
            : throw new InvalidOperationException("The probe is not materialized.");

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
}
