namespace Pipelines.Kafka;

/// <summary>When a committer may commit an offset (<c>akka.kafka.committer.when</c>).</summary>
public enum CommitWhen
{
    /// <summary>As soon as the offset is seen as processed (<c>offset-first-observed</c>).</summary>
    OffsetFirstObserved,

    /// <summary>Only once the next offset of the same partition has been seen (<c>next-offset-observed</c>).</summary>
    NextOffsetObserved,
}
