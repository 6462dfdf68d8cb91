namespace Pipelines.Kafka;

/// <summary>
/// An immutable batch of committable offsets, possibly of several partitions and consumers; committing it marks every
/// offset processed and commits each consumer once. the committer's batch flow emits the batches it committed.
/// </summary>
public sealed class CommittableOffsetBatch : ICommittable
{
    private readonly CommittableOffset[] _offsets;
    private IReadOnlyDictionary<GroupTopicPartition, long>? _highest;

    internal CommittableOffsetBatch(CommittableOffset[] offsets) => _offsets = offsets;

    /// <summary>The batch without offsets.</summary>
    public static CommittableOffsetBatch Empty { get; } = new([]);

    /// <summary>The number of record offsets in the batch.</summary>
    public long BatchSize => _offsets.Length;

    /// <summary>Whether the batch holds no offset.</summary>
    public bool IsEmpty => _offsets.Length == 0;

    /// <summary>The highest record offset of the batch per group, topic and partition (for inspection and logging).</summary>
    public IReadOnlyDictionary<GroupTopicPartition, long> Offsets => _highest ??= Highest(_offsets);

    internal ReadOnlySpan<CommittableOffset> Items => _offsets;

    /// <summary>Creates a batch of the given committables (offsets emitted by Pipelines' sources, or batches of them).</summary>
    /// <param name="committables">The committables.</param>
    /// <exception cref="ArgumentException">A committable was not created by a Pipelines source.</exception>
    public static CommittableOffsetBatch Create(IEnumerable<ICommittable> committables)
    {
        ArgumentNullException.ThrowIfNull(committables);
        var list = new List<CommittableOffset>();
        foreach (var committable in committables)
        {
            Add(list, committable);
        }

        return list.Count == 0 ? Empty : new CommittableOffsetBatch([.. list]);
    }

    /// <summary>Returns a new batch with <paramref name="committable"/> added (this batch is unchanged; O(batch size)).</summary>
    /// <param name="committable">An offset or a batch.</param>
    /// <exception cref="ArgumentException">The committable was not created by a Pipelines source.</exception>
    public CommittableOffsetBatch Updated(ICommittable committable)
    {
        ArgumentNullException.ThrowIfNull(committable);
        var list = new List<CommittableOffset>(_offsets.Length + 1);
        list.AddRange(_offsets);
        Add(list, committable);
        return new CommittableOffsetBatch([.. list]);
    }

    /// <inheritdoc />
    public Task CommitAsync(CancellationToken cancellationToken = default)
    {
        if (_offsets.Length == 0)
        {
            return Task.CompletedTask;
        }

        var committers = new HashSet<IOffsetCommitter>(ReferenceEqualityComparer.Instance);
        foreach (var offset in _offsets)
        {
            offset.MarkProcessed();
            committers.Add(offset.Committer);
        }

        return committers.Count == 1
            ? committers.First().CommitAsync(cancellationToken)
            : Task.WhenAll(committers.Select(c => c.CommitAsync(cancellationToken)));
    }

    /// <inheritdoc />
    public override string ToString() =>
        $"CommittableOffsetBatch({_offsets.Length} offsets: {string.Join(", ", Offsets.Select(kv => $"{kv.Key.Topic} [{kv.Key.Partition}] @{kv.Value}"))})";

    private static void Add(List<CommittableOffset> list, ICommittable committable)
    {
        switch (committable)
        {
            case CommittableOffset offset:
                list.Add(offset);
                break;
            case CommittableOffsetBatch batch:
                list.AddRange(batch._offsets);
                break;
            default:
                throw new ArgumentException(
                    $"Only committables emitted by Pipelines' Kafka sources can be batched; got {committable.GetType().FullName}.",
                    nameof(committable));
        }
    }

    private static Dictionary<GroupTopicPartition, long> Highest(CommittableOffset[] offsets)
    {
        var highest = new Dictionary<GroupTopicPartition, long>();
        foreach (var offset in offsets)
        {
            var po = offset.PartitionOffset;
            if (!highest.TryGetValue(po.Key, out var current) || po.Offset > current)
            {
                highest[po.Key] = po.Offset;
            }
        }

        return highest;
    }
}
