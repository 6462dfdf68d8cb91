using System.Diagnostics;
using System.Globalization;
using Confluent.Kafka;
using Pipelines.Kafka;

namespace Pipelines.Delay;

/// <summary>
/// Keeps a <see cref="KeyOrderTracker"/> in step with the retry topic's partitions this consumer owns: when one is
/// assigned, the messages the group has not committed there (from its committed offset to its end) are read and counted
/// as keys in retry, so that a restarted or new owner holds back the later messages of those keys as the previous owner
/// did; when one is revoked or lost, its keys are forgotten (their retry messages are the new owner's).
/// </summary>
/// <remarks>
/// Runs inside the rebalance, on the consumer's thread: an assignment waits until the partitions' backlog is read, with a
/// consumer of its own (no group, no commits), at most <see cref="Timeout"/>.
/// </remarks>
internal sealed class RetryPartitionRebuilder : IPartitionAssignmentHandler
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan PollTimeout = TimeSpan.FromMilliseconds(100);

    private readonly KeyOrderTracker _tracker;
    private readonly string _retryTopic;
    private readonly ConsumerConfig _readerConfig;

    public RetryPartitionRebuilder(KeyOrderTracker tracker, string retryTopic, IEnumerable<KeyValuePair<string, string>> clientProperties)
    {
        _tracker = tracker;
        _retryTopic = retryTopic;
        _readerConfig = new ConsumerConfig(ClientProperties.Connection(clientProperties).ToDictionary())
        {
            // Confluent's consumer requires a group id; this one is never joined (partitions are assigned) and nothing is committed.
            GroupId = "pipelines-retry-rebuild-" + Guid.NewGuid().ToString("N", CultureInfo.InvariantCulture),
            EnableAutoCommit = false,
            EnableAutoOffsetStore = false,
            FetchWaitMaxMs = 100,
        };
    }

    public void OnAssigned(IReadOnlySet<TopicPartition> assigned, IRestrictedConsumer consumer)
    {
        var partitions = assigned.Where(p => p.Topic == _retryTopic).ToList();
        if (partitions.Count == 0)
        {
            return;
        }

        var ranges = new Dictionary<int, (long Start, long End)>();
        foreach (var committed in consumer.Committed(partitions, Timeout))
        {
            var marks = consumer.QueryWatermarkOffsets(committed.TopicPartition, Timeout);
            var start = committed.Offset.Value >= 0 ? Math.Max(committed.Offset.Value, marks.Low.Value) : marks.Low.Value;
            if (start < marks.High.Value)
            {
                ranges[committed.Partition.Value] = (start, marks.High.Value);
            }
        }

        if (ranges.Count > 0)
        {
            Read(ranges);
        }
    }

    public void OnRevoked(IReadOnlySet<TopicPartition> revoked, IRestrictedConsumer consumer) => Forget(revoked);

    public void OnLost(IReadOnlySet<TopicPartition> lost, IRestrictedConsumer consumer) => Forget(lost);

    public void OnStopped(IReadOnlySet<TopicPartition> assignment, IRestrictedConsumer consumer)
    {
    }

    private void Forget(IReadOnlySet<TopicPartition> partitions)
    {
        foreach (var partition in partitions)
        {
            if (partition.Topic == _retryTopic)
            {
                _tracker.Forget(partition.Partition.Value);
            }
        }
    }

    private void Read(Dictionary<int, (long Start, long End)> ranges)
    {
        using var reader = new ConsumerBuilder<byte[], Ignore>(_readerConfig).Build();
        reader.Assign(ranges.Select(r => new TopicPartitionOffset(_retryTopic, r.Key, r.Value.Start)));
        var pending = ranges.Keys.ToDictionary(p => p, _ => new List<(RecordKey, long, bool)>());
        var open = new HashSet<int>(ranges.Keys);
        var watch = Stopwatch.StartNew();
        while (open.Count > 0)
        {
            if (watch.Elapsed >= Timeout)
            {
                throw new TimeoutException(
                    $"Reading the retry topic \"{_retryTopic}\" (partitions {string.Join(", ", open.Order())}) to its end took longer than {Timeout} " +
                    "while the partitions were assigned: the keys in retry could not be rebuilt. Check that the partitions' leaders are reachable.");
            }

            var record = reader.Consume(PollTimeout);
            if (record is null || record.IsPartitionEOF)
            {
                continue;
            }

            var partition = record.Partition.Value;
            var end = ranges[partition].End;
            if (!open.Contains(partition) || record.Offset.Value >= end)
            {
                continue;
            }

            if (record.Message.Key is { } key)
            {
                pending[partition].Add((RecordKey.Of(key, partition, record.Offset.Value), record.Offset.Value, RetryHeaders.IsSentAgain(record.Message.Headers)));
            }

            if (record.Offset.Value + 1 >= end)
            {
                open.Remove(partition);
            }
        }

        reader.Close();
        foreach (var (partition, records) in pending)
        {
            _tracker.Rebuild(partition, records);
        }
    }
}
