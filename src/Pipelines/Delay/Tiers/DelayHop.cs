namespace Pipelines.Delay;

/// <summary>
/// Where a delayed message goes next: to its target when it is due, otherwise to a tier
/// (see <see cref="DelayTiers.NextHop(DateTimeOffset, DateTimeOffset)"/>).
/// </summary>
/// <param name="Tier">The tier to write the message to, or <see langword="null"/> when the message is due.</param>
public readonly record struct DelayHop(DelayTier? Tier)
{
    /// <summary>True when the message is due and goes to its target topic.</summary>
    public bool IsDue => Tier is null;
}
