namespace Pipelines.Delay;

/// <summary>
/// How late the router's deliveries were: the time from each message's due time to the target's acknowledgement, on
/// the router's clock. Percentiles are within about 3 % above 64 ms and never below the true value.
/// </summary>
/// <param name="Count">Deliveries measured.</param>
/// <param name="Early">Deliveries acknowledged before their due time (the router never sends early, so this stays 0).</param>
/// <param name="P50">The median lateness.</param>
/// <param name="P99">The 99th percentile of lateness.</param>
/// <param name="Max">The largest lateness.</param>
/// <param name="Mean">The mean lateness.</param>
public sealed record DelayLateness(long Count, long Early, TimeSpan P50, TimeSpan P99, TimeSpan Max, TimeSpan Mean);
