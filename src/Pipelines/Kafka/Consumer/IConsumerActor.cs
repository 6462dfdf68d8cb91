namespace Pipelines.Kafka;

/// <summary>The lifecycle of a consumer actor as its control sees it (independent of the key and value types).</summary>
internal interface IConsumerActor
{
    /// <summary>Completes when the consumer is closed; faults with its failure.</summary>
    Task Completion { get; }

    /// <summary>A snapshot of the consumer's counters and partitions.</summary>
    ConsumerMetrics Metrics { get; }

    /// <summary>Stops handing out records; commits are still served.</summary>
    void Stop();

    /// <summary>Commits what is processed, closes the consumer and completes <see cref="Completion"/>.</summary>
    Task ShutdownAsync();
}
