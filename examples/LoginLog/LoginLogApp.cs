using Akka.Actor;
using Pipelines.Configuration;
using Pipelines.FrontDoors.Queue;
using Pipelines.Hosting;
using Pipelines.Kafka.Embedded;

namespace LoginLog;

/// <summary>Builds the login-log service: the HTTP API, the pusher, the queue and, without brokers, an embedded cluster.</summary>
public static class LoginLogApp
{
    /// <summary>The topic logins travel through.</summary>
    public const string Topic = "logins";

    /// <summary>The variable naming real brokers; unset, the example runs an embedded cluster of its own.</summary>
    public const string BootstrapServersVariable = "KAFKA_BOOTSTRAP_SERVERS";

    /// <summary>Builds the application from <paramref name="args"/> (ASP.NET Core's, e.g. <c>--urls</c>).</summary>
    /// <param name="args">The command line.</param>
    /// <param name="embedded">True runs an embedded cluster whatever <c>KAFKA_BOOTSTRAP_SERVERS</c> says.</param>
    public static WebApplication Build(string[] args, bool embedded = false)
    {
        var builder = WebApplication.CreateBuilder(args);
        var bootstrapServers = embedded ? null : Environment.GetEnvironmentVariable(BootstrapServersVariable);
        EmbeddedKafkaCluster? cluster = null;
        if (string.IsNullOrWhiteSpace(bootstrapServers))
        {
            // Set itself up as ./run.sh does: an in-process cluster (librdkafka's mock) with the topic, gone when the app stops.
            cluster = EmbeddedKafkaCluster.Start(1);
            cluster.CreateTopic(Topic, 4);
            bootstrapServers = cluster.BootstrapServers;
        }

        var config = PipelinesConfiguration.ParseString(
                $"""
                akka.kafka.consumer.kafka-clients.bootstrap.servers = "{bootstrapServers}"
                akka.kafka.producer.kafka-clients.bootstrap.servers = "{bootstrapServers}"
                """,
                "login-log")
            .WithFallback(PipelinesConfiguration.Load(Path.Combine(AppContext.BaseDirectory, "login-log.hocon")));

        builder.Services.AddSingleton<LoginStore>();
        builder.Services.AddPipelines("login-log", config, akka => akka.WithKafkaQueue<LoginHandler>("logins"));
        builder.Services.AddSingleton(services =>
        {
            var system = services.GetRequiredService<ActorSystem>();
            var pusher = KafkaPusher.Create(system, "logins");

            // The pusher's chunks run on the actor system: close it (send and await what it holds) when the service stops
            // taking requests, before the system's streams stop.
            CoordinatedShutdown.Get(system).AddTask(CoordinatedShutdown.PhaseServiceUnbind, "close-login-pusher", async () =>
            {
                await pusher.CloseAsync().ConfigureAwait(false);
                return Akka.Done.Instance;
            });
            return pusher;
        });

        var app = builder.Build();
        if (cluster is not null)
        {
            app.Lifetime.ApplicationStopped.Register(cluster.Dispose);
        }

        app.MapPost("/login", async (LoginRequest request, KafkaPusher pusher, CancellationToken cancellationToken) =>
        {
            if (string.IsNullOrWhiteSpace(request.UserId) || string.IsNullOrWhiteSpace(request.Ip))
            {
                return Results.ValidationProblem(new Dictionary<string, string[]> { ["userId/ip"] = ["userId and ip are required"] });
            }

            var login = new LoginEvent(request.UserId, request.Ip, request.UserAgent, DateTimeOffset.UtcNow);
            var delivery = await pusher.PushAsync(login.UserId, System.Text.Json.JsonSerializer.Serialize(login, LoginJson.Options), cancellationToken: cancellationToken).ConfigureAwait(false);
            return Results.Accepted(value: new { delivery.Topic, delivery.Partition, delivery.Offset });
        });
        app.MapGet("/logins/{userId}", (string userId, LoginStore store) => Results.Ok(store.For(userId)));
        app.MapHealthChecks("/health");
        return app;
    }
}

/// <summary>The body of <c>POST /login</c>.</summary>
public sealed record LoginRequest(string? UserId, string? Ip, string? UserAgent);
