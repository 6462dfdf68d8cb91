using Confluent.Kafka;
using Pipelines.Kafka;

namespace Pipelines.Telemetry;

/// <summary>
/// A consumer actor's side of the metrics, used on the actor's thread only: records taken from Kafka are counted on their
/// partition and added to <see cref="PipelinesInstruments.Consumed"/> once per poll turn; commits add their duration and the
/// records they covered. With nobody listening this costs a field increment per record and a flag check per turn.
/// </summary>
internal sealed class ConsumerTelemetry
{
    private readonly KeyValuePair<string, object?>[] _consumerTags;
    private readonly KeyValuePair<string, object?>[][] _commitErrorTags = new KeyValuePair<string, object?>[4][];
    private readonly List<PartitionState> _uncounted = [];

    public ConsumerTelemetry(ConsumerHandle handle)
    {
        _consumerTags = [new(TagNames.ClientId, handle.Name), new(TagNames.ConsumerGroup, handle.GroupId)];
    }

    /// <summary>The tags of a partition this consumer reads.</summary>
    public PartitionTags TagsFor(TopicPartition partition) => new(_consumerTags, partition);

    /// <summary>Counts a record of <paramref name="state"/> taken from Kafka; added to the counter at <see cref="FlushConsumed"/>.</summary>
    public void OnConsumed(PartitionState state)
    {
        if (state.UncountedConsumed++ == 0)
        {
            _uncounted.Add(state);
        }
    }

    /// <summary>Adds the records counted since the last call to the consumed counter, one add per partition.</summary>
    public void FlushConsumed()
    {
        if (_uncounted.Count == 0)
        {
            return;
        }

        var counter = PipelinesInstruments.Consumed;
        var enabled = counter.Enabled;
        foreach (var state in _uncounted)
        {
            if (enabled && state.Tags is { } tags)
            {
                counter.Add(state.UncountedConsumed, tags.Topic);
            }

            state.UncountedConsumed = 0;
        }

        _uncounted.Clear();
    }

    /// <summary>Counts the records a commit of <paramref name="state"/>'s position covered since its last commit.</summary>
    public static void OnPositionCommitted(PartitionState state)
    {
        var covered = state.Ledger.TakeCovered();
        if (covered > 0 && PipelinesInstruments.Committed.Enabled && state.Tags is { } tags)
        {
            PipelinesInstruments.Committed.Add(covered, tags.Topic);
        }
    }

    /// <summary>Counts a commit request and its duration; <paramref name="error"/> is set when it failed.</summary>
    public void OnCommit(TimeSpan elapsed, ErrorCode? error)
    {
        var commits = PipelinesInstruments.Commits;
        var duration = PipelinesInstruments.CommitDuration;
        if (!commits.Enabled && !duration.Enabled)
        {
            return;
        }

        var tags = error is { } code ? ErrorTags(code) : _consumerTags;
        commits.Add(1, tags);
        duration.Record(elapsed.TotalSeconds, tags);
    }

    private KeyValuePair<string, object?>[] ErrorTags(ErrorCode code)
    {
        // A consumer meets few distinct commit errors; keep the last few tag sets rather than allocating per failure.
        for (var i = 0; i < _commitErrorTags.Length; i++)
        {
            if (_commitErrorTags[i] is { } cached && (string)cached[^1].Value! == Name(code))
            {
                return cached;
            }
        }

        var tags = (KeyValuePair<string, object?>[])[.. _consumerTags, new(TagNames.ErrorType, Name(code))];
        Array.Copy(_commitErrorTags, 0, _commitErrorTags, 1, _commitErrorTags.Length - 1);
        _commitErrorTags[0] = tags;
        return tags;
    }

    private static string Name(ErrorCode code) => ErrorCodeNames.Of(code);
}
