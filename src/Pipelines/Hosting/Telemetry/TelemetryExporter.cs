namespace Pipelines.Hosting.Telemetry;

/// <summary>Where exported metrics or traces go (<c>pipelines.telemetry.metrics.exporters</c>, <c>traces.exporters</c>).</summary>
public enum TelemetryExporter
{
    /// <summary>Standard output, one block per metric or span (<c>console</c>): for trying things out.</summary>
    Console,

    /// <summary>An OpenTelemetry collector over OTLP (<c>otlp</c>), configured by <c>pipelines.telemetry.otlp</c>.</summary>
    Otlp,
}
