using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Reflection;

namespace Pipelines.Telemetry;

/// <summary>
/// The names under which Pipelines publishes its metrics (a <see cref="System.Diagnostics.Metrics.Meter"/>) and traces (an
/// <see cref="System.Diagnostics.ActivitySource"/>): subscribe to <see cref="MeterName"/> and <see cref="ActivitySourceName"/>
/// with OpenTelemetry (<c>AddMeter</c>, <c>AddSource</c>), a <see cref="MeterListener"/> or an <see cref="ActivityListener"/>.
/// </summary>
/// <remarks>
/// Nothing is measured or traced while nobody listens: counters check <see cref="Instrument.Enabled"/> once per batch,
/// gauges are read only when a collector asks, and activities are created only when the source has listeners.
/// </remarks>
public static class PipelinesTelemetry
{
    /// <summary>The name of the meter that holds every Pipelines instrument.</summary>
    public const string MeterName = "Pipelines";

    /// <summary>The name of the activity source of the produce and process spans.</summary>
    public const string ActivitySourceName = "Pipelines";

    /// <summary>The version of the meter and of the activity source: the library's informational version.</summary>
    public static string Version { get; } = typeof(PipelinesTelemetry).Assembly
        .GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0";

    /// <summary>The activity source of the produce (<c>send</c>) and process spans.</summary>
    internal static ActivitySource Source { get; } = new(ActivitySourceName, Version);

    /// <summary>The meter of every Pipelines instrument.</summary>
    internal static Meter Meter { get; } = new(MeterName, Version);
}
