using System.Threading.Channels;
using Confluent.Kafka;

namespace Pipelines.Kafka.Tests.Producer;

/// <summary>
/// A producer whose deliveries the test decides: every <c>Produce</c> call is recorded and reported only when the test
/// calls <see cref="Deliver"/>, with success or an error, in any order. It counts how many records were unacknowledged at
/// once, and can refuse the next calls with an exception.
/// </summary>
internal sealed class ControlledProducer : IProducer<string, string>
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

    public int FlushCalls { get; private set; }

    public bool IsDisposed { get; private set; }

    public Handle Handle => throw new NotSupportedException("The controlled producer has no librdkafka handle.");

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
    public async Task<Sent> NextAsync() => await _produced.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(30));

    /// <summary>Waits for the next <paramref name="count"/> accepted <c>Produce</c> calls.</summary>
    public async Task<IReadOnlyList<Sent>> NextAsync(int count)
    {
        var sent = new List<Sent>(count);
        for (var i = 0; i < count; i++)
        {
            sent.Add(await NextAsync());
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

        sent.Handler(new DeliveryReport<string, string>
        {
            TopicPartitionOffsetError = new TopicPartitionOffsetError(sent.Topic, partition, offset, new Error(error)),
            Status = error == ErrorCode.NoError ? PersistenceStatus.Persisted : PersistenceStatus.NotPersisted,
            Message = new Message<string, string>
            {
                Key = sent.Message.Key,
                Value = sent.Message.Value,
                Headers = sent.Message.Headers,
                Timestamp = new Timestamp(1_700_000_000_000 + sent.Index, TimestampType.CreateTime),
            },
        });
    }

    public void Produce(string topic, Message<string, string> message, Action<DeliveryReport<string, string>>? deliveryHandler = null) =>
        Record(topic, Partition.Any, message, deliveryHandler);

    public void Produce(TopicPartition topicPartition, Message<string, string> message, Action<DeliveryReport<string, string>>? deliveryHandler = null) =>
        Record(topicPartition.Topic, topicPartition.Partition, message, deliveryHandler);

    public int Flush(TimeSpan timeout)
    {
        lock (_gate)
        {
            FlushCalls++;
            return _outstanding;
        }
    }

    public void Flush(CancellationToken cancellationToken = default) => Flush(Timeout.InfiniteTimeSpan);

    public void Dispose() => IsDisposed = true;

    public int Poll(TimeSpan timeout) => 0;

    public int AddBrokers(string brokers) => 0;

    public void SetSaslCredentials(string username, string password) => throw new NotSupportedException("The controlled producer connects to no broker.");

    public Task<DeliveryResult<string, string>> ProduceAsync(string topic, Message<string, string> message, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException("The producer stages use Produce with a delivery handler.");

    public Task<DeliveryResult<string, string>> ProduceAsync(TopicPartition topicPartition, Message<string, string> message, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException("The producer stages use Produce with a delivery handler.");

    public void InitTransactions(TimeSpan timeout) => throw new NotSupportedException();

    public void BeginTransaction() => throw new NotSupportedException();

    public void CommitTransaction(TimeSpan timeout) => throw new NotSupportedException();

    public void CommitTransaction() => throw new NotSupportedException();

    public void AbortTransaction(TimeSpan timeout) => throw new NotSupportedException();

    public void AbortTransaction() => throw new NotSupportedException();

    public void SendOffsetsToTransaction(IEnumerable<TopicPartitionOffset> offsets, IConsumerGroupMetadata groupMetadata, TimeSpan timeout) =>
        throw new NotSupportedException();

    private void Record(string topic, Partition partition, Message<string, string> message, Action<DeliveryReport<string, string>>? handler)
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
    public sealed class Sent(int index, string topic, Partition partition, Message<string, string> message, Action<DeliveryReport<string, string>> handler)
    {
        public int Index { get; } = index;

        public string Topic { get; } = topic;

        public Partition Partition { get; } = partition;

        public Message<string, string> Message { get; } = message;

        public Action<DeliveryReport<string, string>> Handler { get; } = handler;

        public bool Reported { get; set; }
    }
}
