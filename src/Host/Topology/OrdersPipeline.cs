using System.Text;
using System.Text.Json;
using Akka;
using Akka.Actor;
using Akka.Streams.Dsl;
using Confluent.Kafka;
using Pipelines.Delay;
using Pipelines.Hosting;
using Pipelines.Kafka;

namespace Pipelines.Host.Topology;

/// <summary>
/// The <c>orders</c> pipeline: consumes <c>topic</c> (and the group's retry topic) through a <see cref="RetryRoute{TKey, TValue}"/>
/// whose handler, per customer in order and <c>parallelism</c> customers at once, makes a simulated call of
/// <c>work-time</c>, produces the result to <c>results-topic</c> and schedules a reminder to <c>reminders-topic</c>
/// through the delay queue, <c>reminder-delay.min</c> to <c>reminder-delay.max</c> out; the offset is committed once both
/// are acknowledged. Failures are retried in place, then through the delay tiers, then dead-lettered
/// (<c>pipelines.retry</c>): poison orders always fail, others fail at <c>transient-failure-rate</c>.
/// </summary>
internal static class OrdersPipeline
{
    public const string Name = "orders";

    public static IRunnableGraph<DrainingControl<Done>> Graph(ActorSystem system, PipelineSettings settings, TopologyCounters counters)
    {
        var topic = settings.GetString("topic", "orders");
        var resultsTopic = settings.GetString("results-topic", "order-results");
        var remindersTopic = settings.GetString("reminders-topic", "order-reminders");
        var parallelism = settings.GetInt("parallelism", 16);
        var work = settings.GetDuration("work-time", TimeSpan.FromMilliseconds(5));
        var failureRate = settings.GetDouble("transient-failure-rate", 0);
        var reminderMin = settings.GetDuration("reminder-delay.min", TimeSpan.FromSeconds(5));
        var reminderMax = settings.GetDuration("reminder-delay.max", TimeSpan.FromSeconds(30));
        settings.Check(parallelism >= 1, "parallelism", $"must be at least 1, but is {parallelism}");
        settings.Check(work >= TimeSpan.Zero, "work-time", $"must not be negative, but is {work}");
        settings.Check(failureRate is >= 0 and <= 1, "transient-failure-rate", $"must be between 0 and 1, but is {failureRate}");
        settings.Check(reminderMin > TimeSpan.Zero && reminderMin <= reminderMax, "reminder-delay", $"needs 0 < min <= max, but is min {reminderMin}, max {reminderMax}");

        var consumer = TopologyClients.Consumer<byte[], byte[]>(system, settings, "orders", null, null);
        var retry = RetrySettings.Create(system).WithProcessing(parallelism, RetryProcessing.PerKey);
        var producerSettings = TopologyClients.Producer<byte[], byte[]>(system, settings, null, null);
        var producer = KafkaProducer.CreateProducer(producerSettings, TopologyClients.Logger(system, "Pipelines.Host.Orders"));

        // The topics were created at start, so the queue never asks the cluster for them.
        var queue = new DelayQueue(DelaySettings.Create(system), producerSettings, producer, new DelayQueueOptions { EnsureTopicsOnFirstUse = false });
        var time = TimeProvider.System;
        var route = new RetryRoute<string, Order>(
            new RetryRouteOptions { ConsumerGroup = consumer.GroupId!, Policy = new RetryPolicy(retry), DelayQueue = queue, Producer = producer },
            Deserializers.Utf8,
            KafkaDeserializers.Json<Order>(Order.Json),
            HandleAsync);

        // Every incarnation shares the clients; they close after the pipelines have drained.
        CoordinatedShutdown.Get(system).AddTask(CoordinatedShutdown.PhaseBeforeActorSystemTerminate, "orders-clients", async () =>
        {
            await queue.DisposeAsync().ConfigureAwait(false);
            producer.Flush(TimeSpan.FromSeconds(10));
            producer.Dispose();
            return Done.Instance;
        });

        return route.Source(consumer, topic)
            .ToMaterialized(Committer.Sink<ICommittableOffset>(TopologyClients.Committer(system, settings)), DrainingControl<Done>.Create)
            .Named(Name);

        async Task HandleAsync(ConsumeResult<string, Order> record, CancellationToken cancellationToken)
        {
            var order = record.Message.Value;
            if (work > TimeSpan.Zero)
            {
                await Task.Delay(work, time, cancellationToken).ConfigureAwait(false);
            }

            if (order.Poison)
            {
                throw new InvalidOperationException($"Order {order.OrderId} of {order.CustomerId} is poison: the billing call refuses it every time.");
            }

            if (failureRate > 0 && Random.Shared.NextDouble() < failureRate)
            {
                throw new TimeoutException($"The billing call for order {order.OrderId} timed out (simulated, transient-failure-rate {failureRate}).");
            }

            var key = Encoding.UTF8.GetBytes(order.CustomerId);
            var now = time.GetUtcNow();
            var result = new OrderResult(order.OrderId, order.CustomerId, order.Amount, "billed", order.CreatedAt, now.ToUnixTimeMilliseconds());
            await producer.ProduceAsync(
                resultsTopic,
                new Message<byte[], byte[]> { Key = key, Value = JsonSerializer.SerializeToUtf8Bytes(result, Order.Json), Timestamp = new Timestamp(now) },
                cancellationToken).ConfigureAwait(false);
            counters.ResultProduced();

            var delay = reminderMin + ((reminderMax - reminderMin) * Random.Shared.NextDouble());
            await queue.ScheduleAsync(remindersTopic, key, JsonSerializer.SerializeToUtf8Bytes(order, Order.Json), null, delay, cancellationToken: cancellationToken).ConfigureAwait(false);
            counters.ReminderScheduled();
        }
    }
}
