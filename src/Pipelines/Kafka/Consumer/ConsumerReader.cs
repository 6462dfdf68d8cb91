using System.Threading.Channels;
using Confluent.Kafka;

namespace Pipelines.Kafka;

/// <summary>
/// The reading end of a consumer's buffer for one source stage (all partitions) or one partition substream: a synchronous
/// <see cref="TryRead"/> fast path and an asynchronous <see cref="WaitToReadAsync"/> "records available" signal. Single reader.
/// </summary>
/// <remarks>
/// Records of a partition that was revoked or lost after they were buffered are dropped here, silently by design: their
/// offsets belong to an earlier assignment, were never emitted, and the new owner of the partition reads them again.
/// Taking records counts them per partition; when the poll loop waits for a partition's buffer to drain (it stopped taking
/// records, or paused the partition), the reader wakes it once the buffer is down to half.
/// </remarks>
internal sealed class ConsumerReader<TKey, TValue>
{
    private readonly ChannelReader<BufferedRecord<TKey, TValue>> _reader;
    private readonly IConsumerPollLoop _loop;
    private readonly BufferGauge? _total;

    public ConsumerReader(ChannelReader<BufferedRecord<TKey, TValue>> reader, IConsumerPollLoop loop, BufferGauge? total, TopicPartition? partition)
    {
        _reader = reader;
        _loop = loop;
        _total = total;
        Partition = partition;
    }

    /// <summary>The partition of a substream reader, or <see langword="null"/> for a reader of all partitions.</summary>
    public TopicPartition? Partition { get; }

    /// <summary>Completes when no more records will come (revocation, stop or shutdown); faults with the consumer's failure.</summary>
    public Task Completion => _reader.Completion;

    /// <summary>Takes the next record that belongs to a current assignment, if one is buffered.</summary>
    public bool TryRead(out BufferedRecord<TKey, TValue> record)
    {
        while (_reader.TryRead(out record))
        {
            var partition = record.Partition;
            if (partition.OnTaken(record.Sequence) | (_total is not null && _total.OnTaken()))
            {
                _loop.RequestResume();
            }

            if (record.Epoch == partition.ReaderEpoch)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Waits until a record may be available (<see langword="true"/>) or the buffer completed (<see langword="false"/>).</summary>
    /// <exception cref="Exception">The consumer failed: its failure is rethrown.</exception>
    public ValueTask<bool> WaitToReadAsync(CancellationToken cancellationToken = default) => _reader.WaitToReadAsync(cancellationToken);
}
