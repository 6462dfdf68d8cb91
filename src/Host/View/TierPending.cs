namespace Pipelines.Host.View;

/// <summary>Messages held in one delay tier.</summary>
/// <param name="Tier">The tier: its topic without the configured prefix (<c>1s</c>, <c>5m</c>), or the whole topic name.</param>
/// <param name="Pending">Messages the delay routers hold in it.</param>
internal sealed record TierPending(string Tier, long Pending);
