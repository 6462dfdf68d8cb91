using System.Collections.Concurrent;

namespace Pipelines.Delay;

/// <summary>
/// The keys that have messages in the retry path, for <c>preserve-key-order</c>: how many of each key's messages are on
/// the retry topic and not yet done, in which partition, and the barrier behind which a key's retry messages must go
/// round again.
/// </summary>
/// <remarks>
/// <para>
/// The route runs a key's messages one after another, so a key's entry is changed by one stream call at a time; the
/// consumer's rebalance callbacks (<see cref="Forget"/>, <see cref="Rebuild"/>) may run beside them, hence the lock per entry.
/// </para>
/// <para>
/// A key's messages on the retry topic all sit in one partition (the first hop picks it by key, later hops pin the
/// partition they were read from), in the order they were sent. When a message read from the retry topic fails again,
/// it is sent to the end of that partition; the key's messages still ahead of it there (sent before it, lower offsets)
/// would then overtake it, so they are sent round again behind it: the barrier is its new offset.
/// </para>
/// </remarks>
internal sealed class KeyOrderTracker
{
    private readonly ConcurrentDictionary<RecordKey, State> _keys = new();

    /// <summary>How many keys have messages in the retry path.</summary>
    public int Count => _keys.Count;

    /// <summary>Whether <paramref name="key"/> has messages in the retry path, so a new message of it must follow them.</summary>
    public bool InRetry(in RecordKey key) => _keys.ContainsKey(key);

    /// <summary>A message of <paramref name="key"/> was sent to the retry topic's <paramref name="retryPartition"/> (a first failure, or a follower) and acknowledged.</summary>
    public void Added(in RecordKey key, int retryPartition)
    {
        var state = _keys.GetOrAdd(key, static _ => new State());
        lock (state)
        {
            state.Pending++;
            state.RetryPartition = retryPartition;
        }
    }

    /// <summary>
    /// Whether the retry-topic message of <paramref name="key"/> at <paramref name="partition"/> @<paramref name="offset"/>
    /// lies ahead of the key's barrier and must go round again; reaching the barrier itself lifts it.
    /// </summary>
    public bool MustGoRound(in RecordKey key, int partition, long offset)
    {
        if (!_keys.TryGetValue(key, out var state))
        {
            return false;
        }

        lock (state)
        {
            if (state.BarrierOffset < 0 || partition != state.RetryPartition)
            {
                return false;
            }

            if (offset < state.BarrierOffset)
            {
                return true;
            }

            state.BarrierOffset = -1;
            return false;
        }
    }

    /// <summary>A retry-topic message of <paramref name="key"/> failed again and was sent to <paramref name="partition"/> @<paramref name="offset"/>: the key's messages ahead of it go round behind it.</summary>
    public void SentAgain(in RecordKey key, int partition, long offset)
    {
        var state = _keys.GetOrAdd(key, static _ => new State { Pending = 1 });
        lock (state)
        {
            state.RetryPartition = partition;
            state.BarrierOffset = offset;
        }
    }

    /// <summary>A retry-topic message of <paramref name="key"/> is done (handled, or dead-lettered); the key leaves the set with its last one.</summary>
    public void Done(in RecordKey key)
    {
        if (!_keys.TryGetValue(key, out var state))
        {
            return;
        }

        lock (state)
        {
            if (--state.Pending <= 0)
            {
                _keys.TryRemove(new KeyValuePair<RecordKey, State>(key, state));
            }
        }
    }

    /// <summary>The retry topic's <paramref name="retryPartition"/> moved to another consumer: its keys are its new owner's to track.</summary>
    public void Forget(int retryPartition)
    {
        foreach (var (key, state) in _keys)
        {
            lock (state)
            {
                if (state.RetryPartition == retryPartition)
                {
                    _keys.TryRemove(new KeyValuePair<RecordKey, State>(key, state));
                }
            }
        }
    }

    /// <summary>
    /// Counts the messages of the retry topic's <paramref name="retryPartition"/> that the group has not committed (read in
    /// offset order when the partition was assigned): each is still in the retry path, and the last one of a key that was
    /// sent again sets that key's barrier.
    /// </summary>
    public void Rebuild(int retryPartition, IEnumerable<(RecordKey Key, long Offset, bool SentAgain)> pending)
    {
        foreach (var (key, offset, sentAgain) in pending)
        {
            var state = _keys.GetOrAdd(key, static _ => new State());
            lock (state)
            {
                state.Pending++;
                state.RetryPartition = retryPartition;
                if (sentAgain)
                {
                    state.BarrierOffset = offset;
                }
            }
        }
    }

    private sealed class State
    {
        public int Pending;
        public int RetryPartition = -1;
        public long BarrierOffset = -1;
    }
}
