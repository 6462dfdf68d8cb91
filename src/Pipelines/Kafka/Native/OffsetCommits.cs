using System.Reflection;
using System.Runtime.InteropServices;
using System.Text;
using Confluent.Kafka;

namespace Pipelines.Kafka.Native;

/// <summary>
/// Commits offsets with metadata, and reads committed offsets with their metadata, through librdkafka directly:
/// Confluent.Kafka's <c>TopicPartitionOffset</c> has no metadata, so its <c>Commit</c> always sends none.
/// </summary>
/// <remarks>
/// Both calls are synchronous and run on the consumer's own thread, like Confluent's <c>Commit</c> and <c>Committed</c>.
/// The partition list is built with librdkafka's own functions; the metadata buffers are ours, handed to librdkafka only
/// for the call (it copies what it keeps) and detached from the list before the list is destroyed.
/// </remarks>
internal static partial class OffsetCommits
{
    // rd_kafka_topic_partition_t: topic, partition, offset, metadata, metadata_size, opaque, err, _private (a stable ABI).
    private const int OffsetField = 16;
    private const int MetadataField = 24;
    private const int MetadataSizeField = 32;
    private const int ErrorField = 48;
    private const int ElementSize = 64;

    static OffsetCommits() => LibrdkafkaBinding.Register();

    // rd_kafka_topic_partition_list_t: cnt, size, elems.
    private const int ElementsField = 8;

    private static readonly PropertyInfo? HandleProperty =
        typeof(Handle).GetProperty("LibrdkafkaHandle", BindingFlags.Instance | BindingFlags.NonPublic);

    /// <summary>Commits <paramref name="positions"/>, each with the metadata at the same index (null for none).</summary>
    /// <exception cref="KafkaException">The commit failed as a whole.</exception>
    /// <exception cref="TopicPartitionOffsetException">Some partitions failed; the results say which.</exception>
    public static void Commit(IClient consumer, IReadOnlyList<TopicPartitionOffset> positions, IReadOnlyList<string?> metadata)
    {
        ArgumentNullException.ThrowIfNull(consumer);
        ArgumentNullException.ThrowIfNull(positions);
        ArgumentNullException.ThrowIfNull(metadata);
        if (positions.Count != metadata.Count)
        {
            throw new ArgumentException($"{positions.Count} positions but {metadata.Count} metadata entries.", nameof(metadata));
        }

        WithHandle(consumer, kafka =>
        {
            var list = ListNew(positions.Count);
            var buffers = new nint[positions.Count];
            try
            {
                foreach (var position in positions)
                {
                    ListAdd(list, position.Topic, position.Partition.Value);
                }

                var elements = Elements(list);
                for (var i = 0; i < positions.Count; i++)
                {
                    var element = elements[i];
                    Marshal.WriteInt64(element, OffsetField, positions[i].Offset.Value);
                    if (metadata[i] is { } text)
                    {
                        var bytes = Encoding.UTF8.GetBytes(text);
                        buffers[i] = Marshal.AllocHGlobal(Math.Max(1, bytes.Length));
                        Marshal.Copy(bytes, 0, buffers[i], bytes.Length);
                        Marshal.WriteIntPtr(element, MetadataField, buffers[i]);
                        Marshal.WriteIntPtr(element, MetadataSizeField, bytes.Length);
                    }
                }

                var error = (ErrorCode)CommitNative(kafka, list, async: 0);
                var failed = new List<TopicPartitionOffsetError>();
                for (var i = 0; i < elements.Length; i++)
                {
                    var code = (ErrorCode)Marshal.ReadInt32(elements[i], ErrorField);
                    failed.Add(new TopicPartitionOffsetError(positions[i], new Error(code)));
                }

                if (error != ErrorCode.NoError)
                {
                    throw new KafkaException(new Error(error));
                }

                if (failed.Exists(f => f.Error.IsError))
                {
                    throw new TopicPartitionOffsetException(failed);
                }
            }
            finally
            {
                Detach(list);
                ListDestroy(list);
                foreach (var buffer in buffers)
                {
                    if (buffer != 0)
                    {
                        Marshal.FreeHGlobal(buffer);
                    }
                }
            }
        });
    }

    /// <summary>The committed offsets of <paramref name="partitions"/> for the consumer's group, with their metadata.</summary>
    /// <exception cref="KafkaException">The request failed.</exception>
    public static IReadOnlyList<(TopicPartitionOffset Offset, string? Metadata)> Committed(
        IClient consumer, IReadOnlyList<TopicPartition> partitions, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(consumer);
        ArgumentNullException.ThrowIfNull(partitions);
        var result = new List<(TopicPartitionOffset, string?)>(partitions.Count);
        WithHandle(consumer, kafka =>
        {
            var list = ListNew(partitions.Count);
            try
            {
                foreach (var partition in partitions)
                {
                    ListAdd(list, partition.Topic, partition.Partition.Value);
                }

                var elements = Elements(list);
                var error = (ErrorCode)CommittedNative(kafka, list, (int)timeout.TotalMilliseconds);
                if (error != ErrorCode.NoError)
                {
                    throw new KafkaException(new Error(error));
                }

                for (var i = 0; i < elements.Length; i++)
                {
                    var offset = Marshal.ReadInt64(elements[i], OffsetField);
                    var pointer = Marshal.ReadIntPtr(elements[i], MetadataField);
                    var size = (int)Marshal.ReadIntPtr(elements[i], MetadataSizeField);
                    var text = pointer == 0 ? null : Marshal.PtrToStringUTF8(pointer, size);
                    result.Add((new TopicPartitionOffset(partitions[i], new Offset(offset)), text));
                }
            }
            finally
            {
                ListDestroy(list);
            }
        });
        return result;
    }

    private static void WithHandle(IClient client, Action<nint> call)
    {
        if (HandleProperty?.GetValue(client.Handle) is not SafeHandle safe || safe.IsInvalid)
        {
            throw new NotSupportedException(
                $"The Kafka client {client.Name} exposes no librdkafka handle (another Confluent.Kafka build?), so offsets cannot be committed with metadata.");
        }

        var added = false;
        try
        {
            safe.DangerousAddRef(ref added);
            call(safe.DangerousGetHandle());
        }
        finally
        {
            if (added)
            {
                safe.DangerousRelease();
            }
        }
    }

    /// <summary>The addresses of the list's elements (read after every add: adding may move them).</summary>
    private static nint[] Elements(nint list)
    {
        var count = Marshal.ReadInt32(list);
        var first = Marshal.ReadIntPtr(list, ElementsField);
        var elements = new nint[count];
        for (var i = 0; i < count; i++)
        {
            elements[i] = first + (i * ElementSize);
        }

        return elements;
    }

    /// <summary>Takes our metadata buffers out of the list, so that destroying it does not free them.</summary>
    private static void Detach(nint list)
    {
        foreach (var element in Elements(list))
        {
            Marshal.WriteIntPtr(element, MetadataField, 0);
            Marshal.WriteIntPtr(element, MetadataSizeField, 0);
        }
    }

    [LibraryImport(LibrdkafkaBinding.ImportName, EntryPoint = "rd_kafka_topic_partition_list_new")]
    private static partial nint ListNew(int size);

    [LibraryImport(LibrdkafkaBinding.ImportName, EntryPoint = "rd_kafka_topic_partition_list_add", StringMarshalling = StringMarshalling.Utf8)]
    private static partial nint ListAdd(nint list, string topic, int partition);

    [LibraryImport(LibrdkafkaBinding.ImportName, EntryPoint = "rd_kafka_topic_partition_list_destroy")]
    private static partial void ListDestroy(nint list);

    [LibraryImport(LibrdkafkaBinding.ImportName, EntryPoint = "rd_kafka_commit")]
    private static partial int CommitNative(nint kafka, nint offsets, int async);

    [LibraryImport(LibrdkafkaBinding.ImportName, EntryPoint = "rd_kafka_committed")]
    private static partial int CommittedNative(nint kafka, nint partitions, int timeoutMs);
}
