using Akka;
using Akka.Actor;
using Akka.Event;
using Akka.Streams.Dsl;
using Confluent.Kafka;
using Pipelines.Hosting;
using Pipelines.Kafka;

namespace Pipelines.Host.Topology;

/// <summary>The <c>reminders</c> pipeline: consumes <c>topic</c> (the reminders the delay router delivers), counts and logs each (debug), commits.</summary>
internal static class RemindersPipeline
{
    public const string Name = "reminders";

    public static IRunnableGraph<DrainingControl<Done>> Graph(ActorSystem system, PipelineSettings settings, TopologyCounters counters)
    {
        var topic = settings.GetString("topic", "order-reminders");
        var consumer = TopologyClients.Consumer(system, settings, "reminders", Deserializers.Utf8, Deserializers.Utf8);
        var log = Logging.GetLogger(system, "Pipelines.Host.Reminders");
        return KafkaConsumer.CommittableSource(consumer, Subscriptions.Topics(topic))
            .Select(message =>
            {
                counters.ReminderReceived();
                if (log.IsDebugEnabled)
                {
                    log.Debug("Reminder for {0}: {1}", message.Record.Message.Key, message.Record.Message.Value);
                }

                return message.CommittableOffset;
            })
            .ToMaterialized(Committer.Sink<ICommittableOffset>(TopologyClients.Committer(system, settings)), DrainingControl<Done>.Create)
            .Named(Name);
    }
}
