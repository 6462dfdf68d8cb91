using System.Globalization;
using Akka;
using Akka.Actor;
using Akka.Streams;
using Akka.Streams.Dsl;
using Pipelines.Hosting;
using Pipelines.Kafka;

namespace Pipelines.Host.Topology;

/// <summary>
/// The <c>order-generator</c> pipeline: makes orders at <c>rate</c> per second (throttled, so a slow cluster
/// back-pressures it), a <c>poison-share</c> of them poison, keyed by one of <c>customers</c> customers, and produces
/// them to <c>topic</c>; stops after <c>messages</c> orders when that is above 0.
/// </summary>
internal static class OrderGenerator
{
    public const string Name = "order-generator";

    public static IRunnableGraph<DrainingControl<Done>> Graph(ActorSystem system, PipelineSettings settings, TopologyCounters counters)
    {
        var topic = settings.GetString("topic", "orders");
        var rate = settings.GetInt("rate", 200);
        var poisonShare = settings.GetDouble("poison-share", 0.01);
        var customers = settings.GetInt("customers", 100);
        var messages = settings.GetLong("messages", 0);
        settings.Check(rate >= 1, "rate", $"must be at least 1 order per second, but is {rate}");
        settings.Check(poisonShare is >= 0 and <= 1, "poison-share", $"must be between 0 and 1, but is {poisonShare}");
        settings.Check(customers >= 1, "customers", $"must be at least 1, but is {customers}");
        settings.Check(messages >= 0, "messages", $"must be 0 (no limit) or more, but is {messages}");

        var producer = TopologyClients.Producer<string, Order>(system, settings, null, KafkaSerializers.Json<Order>(Order.Json));
        var time = TimeProvider.System;

        // Ids stay unique across restarts of this pipeline (the sequence goes on) and across processes (the run id).
        var run = Guid.NewGuid().ToString("N")[..8];
        long sequence = 0;
        return Source.Repeat(NotUsed.Instance)
            .Select(_ => Interlocked.Increment(ref sequence))
            .TakeWhile(n => messages == 0 || n <= messages)
            .Throttle(rate, TimeSpan.FromSeconds(1), rate, ThrottleMode.Shaping)
            .Select(n =>
            {
                var customer = "customer-" + Random.Shared.Next(customers).ToString(CultureInfo.InvariantCulture);
                var poison = poisonShare > 0 && Random.Shared.NextDouble() < poisonShare;
                var amount = Math.Round((decimal)(1 + (Random.Shared.NextDouble() * 499)), 2);
                var order = new Order($"{run}-{n}", customer, amount, time.GetUtcNow().ToUnixTimeMilliseconds(), poison);
                counters.OrderGenerated(poison);
                return new ProducerRecord<string, Order>(topic, customer, order);
            })
            .ViaMaterialized(KillSwitches.Single<ProducerRecord<string, Order>>(), Keep.Right)
            .ToMaterialized(KafkaProducer.PlainSink(producer), Keep.Both)
            .MapMaterializedValue(m => DrainingControl<Done>.Create(new GeneratorControl(m.Item1, m.Item2), m.Item2))
            .Named(Name);
    }
}
