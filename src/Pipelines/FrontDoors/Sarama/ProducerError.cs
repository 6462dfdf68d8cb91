namespace Pipelines.FrontDoors.Sarama;

/// <summary>Sarama's <c>ProducerError</c>: a message that was not stored, and why.</summary>
/// <param name="Message">The message.</param>
/// <param name="Exception">Why: a <see cref="Pipelines.Kafka.KafkaProduceException{TKey, TValue}"/> naming topic, partition and reason, or the error that kept the message from the client.</param>
public sealed record ProducerError(SaramaMessage Message, Exception Exception);
