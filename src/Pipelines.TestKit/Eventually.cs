using System.Diagnostics;

namespace Pipelines.TestKit;

/// <summary>
/// Waits for a condition on state that other threads change (records processed, offsets committed), polling it until it
/// holds or a generous timeout passes: the way to wait in a test that involves real time, instead of a fixed sleep.
/// </summary>
public static class Eventually
{
    /// <summary>The timeout used when none is given: 30 seconds, generous on a loaded machine.</summary>
    public static TimeSpan DefaultTimeout { get; } = TimeSpan.FromSeconds(30);

    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(10);

    /// <summary>Completes once <paramref name="condition"/> returns true; fails with <see cref="ExpectationFailedException"/> after the timeout.</summary>
    /// <param name="condition">Checked at once, then every few milliseconds.</param>
    /// <param name="timeout">How long to wait; <see cref="DefaultTimeout"/> when null.</param>
    /// <param name="what">What is awaited, for the failure message.</param>
    public static Task TrueAsync(Func<bool> condition, TimeSpan? timeout = null, string? what = null)
    {
        ArgumentNullException.ThrowIfNull(condition);
        return condition() ? Task.CompletedTask : TrueAsync(() => Task.FromResult(condition()), timeout, what);
    }

    /// <summary>Completes once <paramref name="condition"/> returns true; fails with <see cref="ExpectationFailedException"/> after the timeout.</summary>
    /// <param name="condition">An asynchronous check (e.g. a query of committed offsets), awaited at once, then every few milliseconds.</param>
    /// <param name="timeout">How long to wait; <see cref="DefaultTimeout"/> when null.</param>
    /// <param name="what">What is awaited, for the failure message.</param>
    public static async Task TrueAsync(Func<Task<bool>> condition, TimeSpan? timeout = null, string? what = null)
    {
        ArgumentNullException.ThrowIfNull(condition);
        var budget = timeout ?? DefaultTimeout;
        var watch = Stopwatch.StartNew();
        while (!await condition().ConfigureAwait(false))
        {
            if (watch.Elapsed >= budget)
            {
                throw new ExpectationFailedException($"Timed out after {budget.TotalSeconds:0.#} s waiting for {what ?? "the condition"}.");
            }

            await Task.Delay(PollInterval).ConfigureAwait(false);
        }
    }
}
