using Akka.Actor;

namespace Pipelines.Hosting;

/// <summary>Creates the <see cref="PipelineRegistry"/> extension of an actor system.</summary>
internal sealed class PipelineRegistryProvider : ExtensionIdProvider<PipelineRegistry>
{
    public override PipelineRegistry CreateExtension(ExtendedActorSystem system) => new(system);
}
