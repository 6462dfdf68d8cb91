using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Pipelines.Kafka;

namespace Pipelines.Delay;

/// <summary>Creates missing topics through the Kafka admin API (<see cref="KafkaAdmin.CreateTopicsIfMissingAsync"/>).</summary>
internal sealed class AdminTopicCreator : IDelayTopicCreator
{
    private readonly KafkaAdmin _admin;
    private readonly TimeSpan _timeout;

    public AdminTopicCreator(AdminClientConfig config, TimeSpan timeout)
    {
        _admin = new KafkaAdmin(config);
        _timeout = timeout;
    }

    public Task<IReadOnlyList<string>> CreateMissingAsync(IReadOnlyList<TopicSpecification> topics, CancellationToken cancellationToken) =>
        _admin.CreateTopicsIfMissingAsync(topics, _timeout, cancellationToken);

    public void Dispose() => _admin.Dispose();
}
