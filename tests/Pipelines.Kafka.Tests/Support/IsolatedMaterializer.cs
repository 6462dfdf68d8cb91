using Akka.Actor;
using Akka.Streams;

namespace Pipelines.Kafka.Tests.Support;

/// <summary>
/// Materializers whose shutdown is a crash of the streams they run and nothing else: each belongs to an actor of its own
/// (materializers created for the actor system itself are not independent of one another in Akka.Streams 1.5).
/// </summary>
public static class IsolatedMaterializer
{
    /// <summary>Creates a materializer bound to a new actor of <paramref name="system"/>.</summary>
    public static Task<ActorMaterializer> CreateAsync(ActorSystem system) =>
        system.ActorOf(Props.Create(() => new Owner())).Ask<ActorMaterializer>(Owner.Create.Instance, TimeSpan.FromSeconds(10));

    private sealed class Owner : ReceiveActor
    {
        public Owner() => Receive<Create>(_ => Sender.Tell(ActorMaterializer.Create(Context)));

        public sealed class Create
        {
            public static readonly Create Instance = new();
        }
    }
}
