using System.Threading.Channels;
using Confluent.Kafka;

namespace Pipelines.TestKit.Kafka;

/// <summary>
/// A producer whose deliveries the test decides: every <c>Produce</c> call is recorded and reported only when the test
/// calls <see cref="Deliver"/>, with success or an error, in any order. It counts how many records were unacknowledged at
/// once, and can refuse the next calls with an exception.
/// </summary>
/// <typeparam name="TKey">The records' key type.</typeparam>
/// <typeparam name="TValue">The records' value type.</typeparam>
public sealed class ControlledProducer<TKey, TValue> : IProducer<TKey, TValue>
{
    private readonly object _gate = new();
    private readonly Channel<Sent> _produced = Channel.CreateUnbounded<Sent>();
    private readonly Queue<Exception> _refusals = new();
    private readonly Dictionary<int, long> _nextOffsets = [];
    private int _count;
    private int _outstanding;

    /// <summary>Every accepted <c>Produce</c> call, in call order.</summary>
    public ChannelReader<Sent> Produced => _produced.Reader;

    /// <summary>The most records sent and not yet reported at any moment.</summary>
    public int MaxOutstanding { get; private set; }

    /// <summary>How many <c>Produce</c> calls were refused with an exception.</summary>
    public int Refused { get; private set; }

    /// <summary>How many times <c>Flush</c> was called.</summary>
    public int FlushCalls { get; private set; }

    /// <summary>Whether <c>Dispose</c> was called.</summary>
    public bool IsDisposed { get; private set; }

    /// <inheritdoc/>
    public Handle Handle => throw new NotSupportedException("The controlled producer has no librdkafka handle.");

    /// <inheritdoc/>
    public string Name => "controlled";

    /// <summary>Makes the next <c>Produce</c> call throw <paramref name="exception"/> (calls queue up).</summary>
    public void RefuseNext(Exception exception)
    {
        lock (_gate)
        {
            _refusals.Enqueue(exception);
        }
    }

    /// <summary>Waits for the next accepted <c>Produce</c> call.</summary>
    public async Task<Sent> NextAsync() => await _produced.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(30)).ConfigureAwait(false);

    /// <summary>Waits for the next <paramref name="count"/> accepted <c>Produce</c> calls.</summary>
    public async Task<IReadOnlyList<Sent>> NextAsync(int count)
    {
        var sent = new List<Sent>(count);
        for (var i = 0; i < count; i++)
        {
            sent.Add(await NextAsync().ConfigureAwait(false));
        }

        return sent;
    }

    /// <summary>Reports <paramref name="sent"/> (on the calling thread, as librdkafka's poll thread would): stored, or failed with <paramref name="error"/>.</summary>
    public void Deliver(Sent sent, ErrorCode error = ErrorCode.NoError)
    {
        ArgumentNullException.ThrowIfNull(sent);
        var partition = sent.Partition == Partition.Any ? new Partition(0) : sent.Partition;
        Offset offset;
        lock (_gate)
        {
            if (sent.Reported)
            {
                throw new InvalidOperationException($"Record {sent.Index} was reported already.");
            }

            sent.Reported = true;
            _outstanding--;
            if (error == ErrorCode.NoError)
            {
                var next = _nextOffsets.GetValueOrDefault(partition.Value);
                _nextOffsets[partition.Value] = next + 1;
                offset = next;
            }
            else
            {
                offset = Offset.Unset;
            }
        }

        sent.Handler(new DeliveryReport<TKey, TValue>
        {
            TopicPartitionOffsetError = new TopicPartitionOffsetError(sent.Topic, partition, offset, new Error(error)),
            Status = error == ErrorCode.NoError ? PersistenceStatus.Persisted : PersistenceStatus.NotPersisted,
            Message = new Message<TKey, TValue>
            {
                Key = sent.Message.Key,
                Value = sent.Message.Value,
                Headers = sent.Message.Headers,
                Timestamp = new Timestamp(1_700_000_000_000 + sent.Index, TimestampType.CreateTime),
            },
        });
    }

    /// <inheritdoc/>
    public void Produce(string topic, Message<TKey, TValue> message, Action<DeliveryReport<TKey, TValue>>? deliveryHandler = null) =>
        Record(topic, Partition.Any, message, deliveryHandler);

    /// <inheritdoc/>
    public void Produce(TopicPartition topicPartition, Message<TKey, TValue> message, Action<DeliveryReport<TKey, TValue>>? deliveryHandler = null) =>
        Record(topicPartition.Topic, topicPartition.Partition, message, deliveryHandler);

    /// <inheritdoc/>
    public int Flush(TimeSpan timeout)
    {
        lock (_gate)
        {
            FlushCalls++;
            return _outstanding;
        }
    }

    /// <inheritdoc/>
    public void Flush(CancellationToken cancellationToken = default) => Flush(Timeout.InfiniteTimeSpan);

    /// <inheritdoc/>
    public void Dispose() => IsDisposed = true;

    /// <inheritdoc/>
    public int Poll(TimeSpan timeout) => 0;

    /// <inheritdoc/>
    public int AddBrokers(string brokers) => 0;

    /// <inheritdoc/>
    public void SetSaslCredentials(string username, string password) => throw new NotSupportedException("The controlled producer connects to no broker.");

    /// <inheritdoc/>
    public Task<DeliveryResult<TKey, TValue>> ProduceAsync(string topic, Message<TKey, TValue> message, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException("The producer stages use Produce with a delivery handler.");

    /// <inheritdoc/>
    public Task<DeliveryResult<TKey, TValue>> ProduceAsync(TopicPartition topicPartition, Message<TKey, TValue> message, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException("The producer stages use Produce with a delivery handler.");

    /// <inheritdoc/>
    public void InitTransactions(TimeSpan timeout) => throw new NotSupportedException();

    /// <inheritdoc/>
    public void BeginTransaction() => throw new NotSupportedException();

    /// <inheritdoc/>
    public void CommitTransaction(TimeSpan timeout) => throw new NotSupportedException();

    /// <inheritdoc/>
    public void CommitTransaction() => throw new NotSupportedException();

    /// <inheritdoc/>
    public void AbortTransaction(TimeSpan timeout) => throw new NotSupportedException();

    /// <inheritdoc/>
    public void AbortTransaction() => throw new NotSupportedException();

    /// <inheritdoc/>
    public void SendOffsetsToTransaction(IEnumerable<TopicPartitionOffset> offsets, IConsumerGroupMetadata groupMetadata, TimeSpan timeout) =>
        throw new NotSupportedException();

    private void Record(string topic, Partition partition, Message<TKey, TValue> message, Action<DeliveryReport<TKey, TValue>>? handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        Sent sent;
        lock (_gate)
        {
            if (_refusals.TryDequeue(out var refusal))
            {
                Refused++;
                throw refusal;
            }

            sent = new Sent(_count++, topic, partition, message, handler);
            _outstanding++;
            MaxOutstanding = Math.Max(MaxOutstanding, _outstanding);
        }

        _produced.Writer.TryWrite(sent);
    }

    /// <summary>One accepted <c>Produce</c> call.</summary>
    public sealed class Sent(int index, string topic, Partition partition, Message<TKey, TValue> message, Action<DeliveryReport<TKey, TValue>> handler)
    {
        /// <summary>The call's place in call order, from 0.</summary>
        public int Index { get; } = index;

        /// <summary>The topic the record was sent to.</summary>
        public string Topic { get; } = topic;

        /// <summary>The partition the record was sent to (<see cref="Partition.Any"/> when the client was to choose).</summary>
        public Partition Partition { get; } = partition;

        /// <summary>The record.</summary>
        public Message<TKey, TValue> Message { get; } = message;

        /// <summary>The delivery handler of the call.</summary>
        public Action<DeliveryReport<TKey, TValue>> Handler { get; } = handler;

        /// <summary>Whether the record was reported.</summary>
        public bool Reported { get; set; }
    }
}
