namespace Pipelines.Kafka.Tests.Telemetry;

/// <summary>
/// Telemetry tests listen to the process-wide Pipelines meter and activity source, and one of them needs nobody listening:
/// they run one at a time, after the parallel tests, so no other test sees their listeners.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TelemetryCollection
{
    public const string Name = "Telemetry";
}
