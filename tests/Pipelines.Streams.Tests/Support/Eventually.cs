namespace Pipelines.Streams.Tests.Support;

/// <summary>Condition waits for state changed by stream stages on other threads (30 s budget, never a fixed sleep).</summary>
/// <remarks>The TestKit waits on stream signals and timers only; this waits on arbitrary state the tests observe.</remarks>
internal static class Eventually
{
    public static async Task TrueAsync(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new Xunit.Sdk.XunitException($"Timed out after 30 s waiting for {what}.");
            }

            await Task.Delay(5);
        }
    }
}
