namespace Pipelines.FrontDoors.Broker;

/// <summary>
/// Kratos' <c>broker.Broker</c> on Kafka: publish typed messages to a topic, subscribe a handler to a topic in a consumer
/// group (the queue). Messages are encoded by the broker's codec unless a publish or subscription chooses another; W3C
/// trace context travels in the headers; a handled message's offset is committed only after its handler returned.
/// </summary>
public interface IKafkaBroker : IAsyncDisposable
{
    /// <summary>The broker's name (its HOCON section <c>pipelines.brokers.&lt;name&gt;</c>), or <c>default</c>.</summary>
    string Name { get; }

    /// <summary>The broker's options, validated.</summary>
    KafkaBrokerOptions Options { get; }

    /// <summary>
    /// Publishes <paramref name="message"/> to <paramref name="topic"/> and completes once the cluster acknowledged it,
    /// with where it was stored.
    /// </summary>
    /// <param name="topic">The topic.</param>
    /// <param name="message">The message, encoded by <paramref name="codec"/> or the broker's codec.</param>
    /// <param name="headers">Headers to send (UTF-8 values), or null.</param>
    /// <param name="key">The key (UTF-8), or null: messages of one key go to one partition and are handled in order.</param>
    /// <param name="codec">The codec for this message, or null for the broker's.</param>
    /// <param name="cancellationToken">Cancels before the message is handed to the client; once handed over it is awaited.</param>
    /// <exception cref="BrokerCodecException">The message cannot be encoded.</exception>
    /// <exception cref="Kafka.KafkaProduceException{TKey, TValue}">The message was not stored (the task faults with it).</exception>
    /// <exception cref="ObjectDisposedException">The broker is disposed.</exception>
    Task<Delivery> PublishAsync<T>(
        string topic,
        T message,
        IReadOnlyDictionary<string, string>? headers = null,
        string? key = null,
        BrokerCodec? codec = null,
        CancellationToken cancellationToken = default);

    /// <summary>
    /// Subscribes <paramref name="handler"/> to <paramref name="topic"/> in consumer group <paramref name="queue"/> and
    /// starts reading. A message that cannot be decoded goes to the group's dead-letter topic with the reason in its
    /// headers; a handler that throws follows the retry mode; nothing is skipped.
    /// </summary>
    /// <param name="topic">The topic (it must exist).</param>
    /// <param name="queue">The consumer group: subscriptions with one queue share the messages, each queue gets every message.</param>
    /// <param name="handler">Handles one message; its token is cancelled when a stop runs out of time.</param>
    /// <param name="options">This subscription's codec, concurrency, ordering, offset reset and retry mode, or null for the broker's.</param>
    /// <exception cref="Pipelines.Configuration.SettingsException">An option is wrong; every problem is listed.</exception>
    /// <exception cref="ObjectDisposedException">The broker is disposed.</exception>
    IKafkaSubscription Subscribe<T>(string topic, string queue, Func<BrokerEvent<T>, CancellationToken, Task> handler, SubscribeOptions? options = null);

    /// <summary>The subscriptions running now.</summary>
    IReadOnlyCollection<IKafkaSubscription> Subscriptions { get; }

    /// <summary>Stops every subscription (draining each, as <see cref="IKafkaSubscription.StopAsync"/>), then waits for the published messages still in flight.</summary>
    Task StopAsync();
}
