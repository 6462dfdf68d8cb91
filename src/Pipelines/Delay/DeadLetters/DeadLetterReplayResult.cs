namespace Pipelines.Delay;

/// <summary>What <see cref="DeadLetterReplayer.ReplayAsync"/> did.</summary>
/// <param name="Read">Dead letters read (the topic up to its end offsets when the replay started).</param>
/// <param name="Matched">Of those, the ones the filter matched.</param>
/// <param name="Replayed">Matched dead letters sent back to their original topic and acknowledged (all of them when the call returns).</param>
/// <param name="Skipped">Dead letters the filter did not match, left as they are.</param>
public readonly record struct DeadLetterReplayResult(long Read, long Matched, long Replayed, long Skipped);
