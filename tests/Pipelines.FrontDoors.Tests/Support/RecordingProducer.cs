using System.Collections.Concurrent;
using Confluent.Kafka;

namespace Pipelines.FrontDoors.Tests.Support;

/// <summary>
/// A client that stores every record at once (offsets count up per partition) or, when told, fails the next ones with an
/// error, and remembers each record it got, so that a test sees what a front door handed to the client and when.
/// </summary>
internal sealed class RecordingProducer : IProducer<byte[]?, byte[]?>
{
    private readonly ConcurrentQueue<ErrorCode> _failures = new();
    private readonly ConcurrentDictionary<int, long> _offsets = new();
    private readonly ConcurrentQueue<Sent> _sent = new();

    /// <summary>Every record handed over, in order.</summary>
    public IReadOnlyList<Sent> Records => [.. _sent];

    /// <summary>What the test reads as "now" for each record (e.g. the virtual scheduler's clock).</summary>
    public Func<DateTimeOffset> Clock { get; set; } = () => DateTimeOffset.MinValue;

    public bool IsDisposed { get; private set; }

    public Handle Handle => throw new NotSupportedException("The recording producer has no librdkafka handle.");

    public string Name => "recording";

    /// <summary>While set, a record handed to the client waits here until it is set free (a client whose queue is full).</summary>
    public ManualResetEventSlim Accepting { get; } = new(initialState: true);

    /// <summary>Makes the next records fail with <paramref name="codes"/>, one each.</summary>
    public void FailNext(params ErrorCode[] codes)
    {
        foreach (var code in codes)
        {
            _failures.Enqueue(code);
        }
    }

    public void Produce(string topic, Message<byte[]?, byte[]?> message, Action<DeliveryReport<byte[]?, byte[]?>>? deliveryHandler = null) =>
        Record(new TopicPartition(topic, Partition.Any), message, deliveryHandler);

    public void Produce(TopicPartition topicPartition, Message<byte[]?, byte[]?> message, Action<DeliveryReport<byte[]?, byte[]?>>? deliveryHandler = null) =>
        Record(topicPartition, message, deliveryHandler);

    public int Flush(TimeSpan timeout) => 0;

    public void Flush(CancellationToken cancellationToken = default)
    {
    }

    public void Dispose() => IsDisposed = true;

    public int Poll(TimeSpan timeout) => 0;

    public int AddBrokers(string brokers) => 0;

    public void SetSaslCredentials(string username, string password) => throw new NotSupportedException();

    public Task<DeliveryResult<byte[]?, byte[]?>> ProduceAsync(string topic, Message<byte[]?, byte[]?> message, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException("Front doors use Produce with a delivery handler.");

    public Task<DeliveryResult<byte[]?, byte[]?>> ProduceAsync(TopicPartition topicPartition, Message<byte[]?, byte[]?> message, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException("Front doors use Produce with a delivery handler.");

    public void InitTransactions(TimeSpan timeout) => throw new NotSupportedException();

    public void BeginTransaction() => throw new NotSupportedException();

    public void CommitTransaction(TimeSpan timeout) => throw new NotSupportedException();

    public void CommitTransaction() => throw new NotSupportedException();

    public void AbortTransaction(TimeSpan timeout) => throw new NotSupportedException();

    public void AbortTransaction() => throw new NotSupportedException();

    public void SendOffsetsToTransaction(IEnumerable<TopicPartitionOffset> offsets, IConsumerGroupMetadata groupMetadata, TimeSpan timeout) =>
        throw new NotSupportedException();

    private void Record(TopicPartition destination, Message<byte[]?, byte[]?> message, Action<DeliveryReport<byte[]?, byte[]?>>? handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        Accepting.Wait(TimeSpan.FromMinutes(1));
        var partition = destination.Partition == Partition.Any ? 0 : destination.Partition.Value;
        _sent.Enqueue(new Sent(destination.Topic, destination.Partition, message, Clock()));
        var error = _failures.TryDequeue(out var code) ? code : ErrorCode.NoError;
        var offset = error == ErrorCode.NoError ? _offsets.AddOrUpdate(partition, 0, (_, o) => o + 1) : Offset.Unset.Value;
        handler(new DeliveryReport<byte[]?, byte[]?>
        {
            TopicPartitionOffsetError = new TopicPartitionOffsetError(destination.Topic, new Partition(partition), new Offset(offset), new Error(error)),
            Status = error == ErrorCode.NoError ? PersistenceStatus.Persisted : PersistenceStatus.NotPersisted,
            Message = message,
        });
    }

    /// <summary>One record handed to the client.</summary>
    public sealed record Sent(string Topic, Partition Partition, Message<byte[]?, byte[]?> Message, DateTimeOffset At);
}
