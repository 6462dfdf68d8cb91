namespace Pipelines.Host.Topology;

/// <summary>What the example topology did in this process, for the status line (the registry has each consumer's view).</summary>
internal sealed class TopologyCounters
{
    private long _generated;
    private long _poison;
    private long _results;
    private long _reminders;
    private long _remindersReceived;

    /// <summary>Orders the generator sent (the sink awaits their acknowledgements).</summary>
    public long Generated => Interlocked.Read(ref _generated);

    /// <summary>Of those, the poison ones.</summary>
    public long Poison => Interlocked.Read(ref _poison);

    /// <summary>Results acknowledged on the results topic.</summary>
    public long Results => Interlocked.Read(ref _results);

    /// <summary>Reminders stored in the delay queue.</summary>
    public long RemindersScheduled => Interlocked.Read(ref _reminders);

    /// <summary>Reminders the <c>reminders</c> pipeline consumed.</summary>
    public long RemindersReceived => Interlocked.Read(ref _remindersReceived);

    public void OrderGenerated(bool poison)
    {
        Interlocked.Increment(ref _generated);
        if (poison)
        {
            Interlocked.Increment(ref _poison);
        }
    }

    public void ResultProduced() => Interlocked.Increment(ref _results);

    public void ReminderScheduled() => Interlocked.Increment(ref _reminders);

    public void ReminderReceived() => Interlocked.Increment(ref _remindersReceived);
}
