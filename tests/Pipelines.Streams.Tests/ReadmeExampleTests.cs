using Akka.Hosting;
using Akka.Streams;
using Akka.Streams.Dsl;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Pipelines.Configuration;

namespace Pipelines.Streams.Tests;

/// <summary>The README's first example: a graph of Akka.Streams and our stages, run by an ActorSystem under Akka.Hosting.</summary>
public sealed class ReadmeExampleTests
{
    private sealed record Order(string CustomerId, int Sequence);

    private sealed record PricedOrder(string CustomerId, int Sequence, decimal Price);

    [Fact]
    public async Task HostedGraph_PricesOrdersPerCustomerInOrder_AndStopsWithTheHost()
    {
        var orders = Enumerable.Range(0, 200).Select(i => new Order($"customer-{i % 7}", i)).ToArray();
        var random = new Random(7);
        async Task<PricedOrder> PriceAsync(Order o)
        {
            await Task.Delay(random.Next(0, 3)).ConfigureAwait(false); // calls finish in any order
            return new PricedOrder(o.CustomerId, o.Sequence, o.Sequence * 1.5m);
        }

        var done = new TaskCompletionSource<IReadOnlyList<PricedOrder>>(TaskCreationOptions.RunContinuationsAsynchronously);
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddAkka("orders", (akka, _) => akka
            .AddHocon(PipelinesConfiguration.ParseString("akka.loglevel = WARNING", "README example"), HoconAddMode.Prepend)
            .AddStartup((system, _) =>
            {
                Source.From(orders)
                    .SelectAsyncPartitioned(4, o => o.CustomerId, PriceAsync)
                    .RunWith(Sink.Seq<PricedOrder>(), system.Materializer())
                    .ContinueWith(
                        t =>
                        {
                            // A failed stream reports its own error, not a timeout.
                            if (t.Exception is { } failure)
                            {
                                done.TrySetException(failure.InnerExceptions);
                            }
                            else
                            {
                                done.TrySetResult(t.Result);
                            }
                        },
                        TaskScheduler.Default);
            }));

        using var host = builder.Build();
        await host.StartAsync();
        var priced = await done.Task.WaitAsync(TimeSpan.FromSeconds(30));
        await host.StopAsync();

        priced.Select(p => p.Sequence).Should().Equal(orders.Select(o => o.Sequence), "results leave in input order");
        priced.Should().OnlyContain(p => p.Price == p.Sequence * 1.5m);
        var system = host.Services.GetRequiredService<Akka.Actor.ActorSystem>();
        await system.WhenTerminated.WaitAsync(TimeSpan.FromSeconds(30));
        system.WhenTerminated.IsCompleted.Should().BeTrue("stopping the host runs CoordinatedShutdown");
    }
}
