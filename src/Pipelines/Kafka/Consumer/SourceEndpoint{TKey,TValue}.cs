using System.Threading.Channels;
using Akka.Actor;

namespace Pipelines.Kafka;

/// <summary>
/// A registered source with its buffers: one for all of its partitions (<see cref="Reader"/>), or a channel of one reader
/// per assigned partition (<see cref="AssignedPartitions"/>). The consumer actor writes, the source stage reads; the
/// members marked "actor only" are the actor's bookkeeping.
/// </summary>
internal sealed class SourceEndpoint<TKey, TValue> : SourceEndpoint
{
    private static readonly UnboundedChannelOptions ChannelOptions =
        new() { SingleReader = true, SingleWriter = true, AllowSynchronousContinuations = false };

    public SourceEndpoint(int id, SourceSpec spec, IActorRef consumer, ConsumerHandle handle, IActorRef stage)
        : base(id, spec, consumer, handle)
    {
        Stage = stage;
        if (spec.Partitioned)
        {
            PartitionsChannel = Channel.CreateUnbounded<ConsumerReader<TKey, TValue>>(ChannelOptions);
            AssignedPartitions = PartitionsChannel.Reader;
        }
        else
        {
            Merged = Channel.CreateUnbounded<BufferedRecord<TKey, TValue>>(ChannelOptions);
            Total = new BufferGauge();
            Reader = new ConsumerReader<TKey, TValue>(Merged.Reader, handle, Total, partition: null);
        }
    }

    /// <summary>The reader of all of the source's partitions (non-partitioned sources), or <see langword="null"/>.</summary>
    public ConsumerReader<TKey, TValue>? Reader { get; }

    /// <summary>One reader per assigned partition, in assignment order (partitioned sources), or <see langword="null"/>.</summary>
    public ChannelReader<ConsumerReader<TKey, TValue>>? AssignedPartitions { get; }

    /// <summary>The stage actor of the source, watched by the consumer actor.</summary>
    public IActorRef Stage { get; }

    /// <summary>The buffer of all partitions (non-partitioned); actor writes only.</summary>
    internal Channel<BufferedRecord<TKey, TValue>>? Merged { get; }

    /// <summary>The channel of partition readers (partitioned); actor writes only.</summary>
    internal Channel<ConsumerReader<TKey, TValue>>? PartitionsChannel { get; }

    /// <summary>Counts the records in <see cref="Merged"/>.</summary>
    internal BufferGauge? Total { get; }

    /// <summary>Whether the source stopped: nothing more is handed to it; actor only.</summary>
    internal bool Stopped { get; set; }

    /// <summary>Whether the merged buffer is over its budget and the poll loop waits for it to drain; actor only.</summary>
    internal bool MergedOver { get; set; }

    /// <summary>When the merged buffer went over its budget; actor only.</summary>
    internal long MergedOverSince { get; set; }

    /// <summary>The reader's progress when the merged buffer went over, to tell a slow reader from a stalled one; actor only.</summary>
    internal long MergedTakenMark { get; set; }

    /// <summary>How many partitions the source has assigned; actor only.</summary>
    internal int AssignedCount { get; set; }

    /// <summary>The leave scheduled after a stop, if any; actor only.</summary>
    internal ICancelable? ScheduledLeave { get; set; }

    /// <summary>The records the merged buffer may hold before the poll loop holds back: buffer-size per assigned partition.</summary>
    internal long MergedBudget(int bufferSize) => (long)bufferSize * Math.Max(1, AssignedCount);
}
