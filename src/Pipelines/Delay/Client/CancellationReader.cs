using System.Diagnostics;
using System.Globalization;
using Confluent.Kafka;
using Microsoft.Extensions.Logging;

namespace Pipelines.Delay;

/// <summary>
/// A scheduling client's view of the cancellation topic: a <see cref="CancellationRegistry"/> fed by a consumer that
/// reads every partition from the beginning (assigned, never joining a group, never committing) and is brought up to
/// date before each answer, so that it holds every fact acknowledged before the answer was asked for.
/// </summary>
/// <remarks>
/// Reading is lazy: nothing runs between cancels. A catch-up notes the time, then the partitions' high watermarks, and
/// reads until every partition's position reaches its mark; every fact acknowledged before the noted time lies below the
/// marks, so the registry is then caught up as of that time. The first catch-up reads the whole topic (every fact of the
/// messages due within the retention window, up to three per message); later ones read only what was written since.
/// Every answer waits for a catch-up that started after it was asked for; one catch-up runs at a time, on its own thread
/// (the consumer blocks), and serves every caller that was waiting when it started.
/// </remarks>
internal sealed class CancellationReader : IDisposable
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(100);

    private readonly string _topic;
    private readonly ConsumerConfig _config;
    private readonly TimeProvider _time;
    private readonly TimeSpan _timeout;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _gate = new(1, 1);

    // Per partition: every record below this offset has been applied (or lies in a gap left by compaction or retention).
    private readonly Dictionary<int, long> _readTo = [];
    private readonly List<DelayFact> _facts = [];
    private IConsumer<byte[], byte[]>? _consumer;
    private IAdminClient? _metadata;
    private bool _disposed;

    // Catch-ups started, and the number of the last one that completed (both change only under the gate).
    private long _started;
    private long _completed;

    public CancellationReader(string topic, ConsumerConfig config, CancellationRegistry registry, TimeProvider time, TimeSpan timeout, ILogger logger)
    {
        _topic = topic;
        _config = config;
        Registry = registry;
        _time = time;
        _timeout = timeout;
        _logger = logger;
    }

    /// <summary>The registry; read it only inside <see cref="ReadAsync{T}"/>.</summary>
    public CancellationRegistry Registry { get; }

    /// <summary>
    /// Brings the registry up to date with every fact acknowledged before this call (and as of <paramref name="asked"/>,
    /// a time read before it) and returns
    /// <paramref name="answer"/>'s result; the registry is not touched by anyone else meanwhile.
    /// </summary>
    /// <exception cref="DelayQueueException">The topic could not be read to its end within the timeout.</exception>
    /// <exception cref="DelayRecordException">A record of the topic is malformed (every later catch-up stops at it too).</exception>
    public async Task<T> ReadAsync<T>(DateTimeOffset asked, Func<CancellationRegistry, T> answer, CancellationToken cancellationToken)
    {
        // Only a catch-up that starts after this call noted its watermarks after every fact acknowledged before the call.
        // Clock readings cannot tell (two can be equal), so catch-ups are counted instead.
        var startedBefore = Volatile.Read(ref _started);
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_completed <= startedBefore)
            {
                var now = _time.GetUtcNow();
                var asOf = now > asked ? now : asked;
                var number = Interlocked.Increment(ref _started);
                await Task.Factory.StartNew(
                    () => CatchUp(asOf, cancellationToken),
                    cancellationToken,
                    TaskCreationOptions.LongRunning,
                    TaskScheduler.Default).ConfigureAwait(false);
                _completed = number;
            }

            return answer(Registry);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Records a fact this client wrote and saw acknowledged, so that the next answer knows it without reading.</summary>
    public async Task RecordAsync(DelayFact fact, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (!_disposed)
            {
                Record(fact, _time.GetUtcNow());
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Closes the consumer once no catch-up runs.</summary>
    public void Dispose()
    {
        _gate.Wait();
        try
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            _metadata?.Dispose();
            if (_consumer is not null)
            {
                _consumer.Close();
                _consumer.Dispose();
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    private void CatchUp(DateTimeOffset asOf, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        Registry.Expire(asOf);
        var consumer = _consumer ??= CreateConsumer();
        AssignNewPartitions(consumer);

        var marks = new List<(TopicPartition Partition, long High)>(_readTo.Count);
        foreach (var partition in _readTo.Keys)
        {
            var tp = new TopicPartition(_topic, partition);
            var high = consumer.QueryWatermarkOffsets(tp, _timeout).High.Value;
            if (high > _readTo[partition])
            {
                marks.Add((tp, high));
            }
        }

        var applied = 0;
        while (marks.Exists(m => _readTo[m.Partition.Partition.Value] < m.High))
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (Stopwatch.GetElapsedTime(started) > _timeout)
            {
                var behind = string.Join(", ", marks
                    .Where(m => _readTo[m.Partition.Partition.Value] < m.High)
                    .Select(m => $"[{m.Partition.Partition.Value}] at {_readTo[m.Partition.Partition.Value]} of {m.High}"));
                throw new DelayQueueException(
                    $"Reading the cancellation topic \"{_topic}\" up to its end took longer than {_timeout} (partitions behind: {behind}), " +
                    "so the cancel cannot be answered from every fact acknowledged before it: check that the brokers are reachable and " +
                    "the partitions have leaders, or raise DelayQueueOptions.CatchUpTimeout for a very large topic.",
                    error: null,
                    innerException: null);
            }

            var result = consumer.Consume(PollInterval);
            if (result is null)
            {
                continue;
            }

            var p = result.Partition.Value;
            if (result.IsPartitionEOF)
            {
                // The end position passes over offsets that compaction or retention removed, which records alone never reach.
                _readTo[p] = Math.Max(_readTo[p], result.Offset.Value);
                continue;
            }

            Apply(consumer, result, asOf);
            _readTo[p] = Math.Max(_readTo[p], result.Offset.Value + 1);
            applied++;
        }

        Registry.MarkCaughtUp(asOf);
        DelayQueueLog.CaughtUp(_logger, _topic, asOf, applied, Registry.Count);
    }

    private void Apply(IConsumer<byte[], byte[]> consumer, ConsumeResult<byte[], byte[]> result, DateTimeOffset now)
    {
        _facts.Clear();
        try
        {
            CancellationRecords.Read(result.Message.Key, result.Message.Value, _topic, result.Partition.Value, result.Offset.Value, _facts);
        }
        catch (DelayRecordException)
        {
            // Stay at the record: an answer that skipped a fact it could not read could say Unknown for a scheduled
            // message, so every cancel reports it until the topic is repaired.
            consumer.Seek(result.TopicPartitionOffset);
            throw;
        }

        foreach (var fact in _facts)
        {
            Record(fact, now);
        }
    }

    private void Record(in DelayFact fact, DateTimeOffset now)
    {
        if (Registry.Record(fact, now) == FactRecordResult.Full)
        {
            DelayQueueLog.RegistryFull(_logger, Registry.MaxEntries, fact.Kind, fact.Id, Registry.ForgottenThrough);
        }
    }

    private void AssignNewPartitions(IConsumer<byte[], byte[]> consumer)
    {
        _metadata ??= new DependentAdminClientBuilder(consumer.Handle).Build();
        var metadata = _metadata.GetMetadata(_topic, _timeout).Topics.FirstOrDefault(t => t.Topic == _topic);
        if (metadata is null || metadata.Error.IsError || metadata.Partitions.Count == 0)
        {
            var reason = metadata is null ? "it is not in the cluster's metadata" : $"{metadata.Error.Reason} ({metadata.Error.Code})";
            throw new DelayQueueException(
                $"The cancellation topic \"{_topic}\" cannot be read: {reason}. Create it with DelayQueue.EnsureTopicsAsync " +
                "(or with DelayTiers.CancellationTopicSpecification()), or correct pipelines.delay.cancellation.topic.",
                metadata?.Error,
                innerException: null);
        }

        var added = metadata.Partitions.Select(p => p.PartitionId).Where(p => !_readTo.ContainsKey(p)).ToList();
        if (added.Count == 0)
        {
            return;
        }

        foreach (var partition in added)
        {
            _readTo[partition] = 0;
        }

        // A new assignment replaces the old one, so partitions already read resume where they are.
        consumer.Assign(_readTo.Select(e => new TopicPartitionOffset(
            _topic, e.Key, added.Contains(e.Key) ? Offset.Beginning : new Offset(e.Value))));
    }

    private IConsumer<byte[], byte[]> CreateConsumer()
    {
        return new ConsumerBuilder<byte[], byte[]>(_config)
            .SetLogHandler((_, message) => DelayQueueLog.Client(_logger, message))
            .SetErrorHandler((consumer, error) => DelayQueueLog.ReaderError(_logger, consumer.Name, error.Code, error.Reason))
            .Build();
    }

    /// <summary>The reader's consumer settings: the connection and security properties of <paramref name="properties"/>, no group membership, no commits.</summary>
    internal static ConsumerConfig ConsumerConfig(IEnumerable<KeyValuePair<string, string>> properties)
    {
        var config = new ConsumerConfig(ClientProperties.Connection(properties).ToDictionary())
        {
            // Confluent's consumer requires a group id; this one is never joined and nothing is committed under it.
            GroupId = "pipelines-delay-queue-reader-" + Guid.NewGuid().ToString("N", CultureInfo.InvariantCulture),
            EnableAutoCommit = false,
            EnableAutoOffsetStore = false,
            EnablePartitionEof = true,
            AutoOffsetReset = AutoOffsetReset.Earliest,
            FetchWaitMaxMs = 100,
        };
        return config;
    }
}
