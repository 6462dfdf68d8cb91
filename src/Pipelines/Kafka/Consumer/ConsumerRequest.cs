using Confluent.Kafka;

namespace Pipelines.Kafka;

/// <summary>A commit request for the consumer actor: of every processed offset, or of one exact position (at-most-once).</summary>
/// <param name="Waiter">Completed when the commit is done, faulted when it failed.</param>
/// <param name="Position">The exact position to commit, or <see langword="null"/> for the ledgers' positions.</param>
internal sealed record ConsumerRequest(TaskCompletionSource Waiter, TopicPartitionOffset? Position);
