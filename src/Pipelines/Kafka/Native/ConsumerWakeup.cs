using System.Reflection;
using System.Runtime.InteropServices;
using Confluent.Kafka;

namespace Pipelines.Kafka.Native;

/// <summary>
/// Wakes a poll thread blocked in <c>Consume(timeout)</c> from any thread, through librdkafka's
/// <c>rd_kafka_queue_yield</c> on the consumer queue (Confluent.Kafka offers no wake-up).
/// </summary>
/// <remarks>
/// A yield that arrives while nobody is polling is remembered by the queue, so the next poll returns at once: no wake-up is
/// lost. The queue reference is released before the consumer is closed (librdkafka requires queues to go first); wake-ups
/// after <see cref="Dispose"/> do nothing. When the client's handle cannot be reached (another Confluent.Kafka build),
/// <see cref="IsSupported"/> is false and the caller polls with a short timeout instead.
/// </remarks>
internal sealed partial class ConsumerWakeup : IDisposable
{
    private static readonly PropertyInfo? HandleProperty =
        typeof(Handle).GetProperty("LibrdkafkaHandle", BindingFlags.Instance | BindingFlags.NonPublic);

    private readonly Lock _gate = new();
    private SafeHandle? _clientHandle;
    private nint _queue;

    // The consumer's rd_kafka_t is only valid in the copy of librdkafka that created it: bind to Confluent.Kafka's.
    static ConsumerWakeup() => LibrdkafkaBinding.Register();

    private ConsumerWakeup(SafeHandle clientHandle, nint queue)
    {
        _clientHandle = clientHandle;
        _queue = queue;
    }

    /// <summary>Whether wake-ups reach the consumer.</summary>
    public bool IsSupported => Volatile.Read(ref _queue) != 0;

    /// <summary>Attaches to a built consumer; returns an unsupported instance when its native handle cannot be reached.</summary>
    public static ConsumerWakeup Attach(IClient consumer)
    {
        if (HandleProperty?.GetValue(consumer.Handle) is not SafeHandle safe || safe.IsInvalid)
        {
            return new ConsumerWakeup(null!, 0);
        }

        var added = false;
        safe.DangerousAddRef(ref added);
        var queue = QueueGetConsumer(safe.DangerousGetHandle());
        if (queue == 0)
        {
            safe.DangerousRelease();
            return new ConsumerWakeup(null!, 0);
        }

        return new ConsumerWakeup(safe, queue);
    }

    /// <summary>Makes the current or next poll of the consumer return at once.</summary>
    public void Wake()
    {
        lock (_gate)
        {
            if (_queue != 0)
            {
                QueueYield(_queue);
            }
        }
    }

    /// <summary>Releases the queue reference; call before closing the consumer.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            if (_queue != 0)
            {
                QueueDestroy(_queue);
                _queue = 0;
                _clientHandle?.DangerousRelease();
                _clientHandle = null;
            }
        }
    }

    [LibraryImport(LibrdkafkaBinding.ImportName, EntryPoint = "rd_kafka_queue_get_consumer")]
    private static partial nint QueueGetConsumer(nint kafka);

    [LibraryImport(LibrdkafkaBinding.ImportName, EntryPoint = "rd_kafka_queue_yield")]
    private static partial void QueueYield(nint queue);

    [LibraryImport(LibrdkafkaBinding.ImportName, EntryPoint = "rd_kafka_queue_destroy")]
    private static partial void QueueDestroy(nint queue);
}
