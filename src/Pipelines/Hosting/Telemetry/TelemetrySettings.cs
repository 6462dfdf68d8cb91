using System.Collections.Immutable;
using Akka.Actor;
using OpenTelemetry.Exporter;
using Pipelines.Configuration;
using Config = Akka.Configuration.Config;

namespace Pipelines.Hosting.Telemetry;

/// <summary>
/// What the host exports of the Pipelines meter and activity source through OpenTelemetry, and where, read from
/// <c>pipelines.telemetry</c>. Immutable.
/// </summary>
public sealed class TelemetrySettings
{
    /// <summary>The configuration path these settings are read from.</summary>
    public const string ConfigPath = "pipelines.telemetry";

    private TelemetrySettings()
    {
    }

    /// <summary>The <c>service.name</c> resource attribute of everything exported (<c>service-name</c>).</summary>
    public string ServiceName { get; private init; } = string.Empty;

    /// <summary>Whether metrics are exported (<c>metrics.enabled</c>).</summary>
    public bool MetricsEnabled { get; private init; }

    /// <summary>Where metrics go (<c>metrics.exporters</c>).</summary>
    public IReadOnlyList<TelemetryExporter> MetricsExporters { get; private init; } = [];

    /// <summary>How often metrics are collected and exported (<c>metrics.export-interval</c>).</summary>
    public TimeSpan MetricsExportInterval { get; private init; }

    /// <summary>Whether traces are exported (<c>traces.enabled</c>).</summary>
    public bool TracesEnabled { get; private init; }

    /// <summary>Where traces go (<c>traces.exporters</c>).</summary>
    public IReadOnlyList<TelemetryExporter> TracesExporters { get; private init; } = [];

    /// <summary>The share of new traces recorded, 0 to 1; spans with a parent follow its decision (<c>traces.sampling-ratio</c>).</summary>
    public double SamplingRatio { get; private init; }

    /// <summary>The collector's base address (<c>otlp.endpoint</c>).</summary>
    public Uri OtlpEndpoint { get; private init; } = null!;

    /// <summary>The OTLP transport (<c>otlp.protocol</c>: <c>grpc</c> or <c>http/protobuf</c>).</summary>
    public OtlpExportProtocol OtlpProtocol { get; private init; }

    /// <summary>Headers sent with every OTLP export (<c>otlp.headers</c>).</summary>
    public ImmutableSortedDictionary<string, string> OtlpHeaders { get; private init; } = ImmutableSortedDictionary<string, string>.Empty;

    /// <summary>How long one OTLP export may take (<c>otlp.timeout</c>).</summary>
    public TimeSpan OtlpTimeout { get; private init; }

    /// <summary>
    /// Reads <c>pipelines.telemetry</c> from <paramref name="config"/> (the whole configuration, or that section itself), with
    /// the reference configuration as fallback.
    /// </summary>
    /// <exception cref="SettingsException">A key has a wrong type or an invalid value; every problem is listed.</exception>
    public static TelemetrySettings Create(Config config)
    {
        var reader = SettingsReader.Open(config, ConfigPath);
        var endpointText = reader.String("otlp.endpoint");
        var protocolText = reader.String("otlp.protocol");
        var settings = new TelemetrySettings
        {
            ServiceName = reader.String("service-name") ?? string.Empty,
            MetricsEnabled = reader.Boolean("metrics.enabled"),
            MetricsExporters = Exporters(reader, "metrics.exporters"),
            MetricsExportInterval = reader.Duration("metrics.export-interval"),
            TracesEnabled = reader.Boolean("traces.enabled"),
            TracesExporters = Exporters(reader, "traces.exporters"),
            SamplingRatio = reader.Double("traces.sampling-ratio"),
            OtlpEndpoint = Endpoint(reader, endpointText),
            OtlpProtocol = Protocol(reader, protocolText),
            OtlpHeaders = reader.Properties("otlp.headers"),
            OtlpTimeout = reader.Duration("otlp.timeout"),
        };

        var problems = reader.Problems;
        problems.Check(!string.IsNullOrWhiteSpace(settings.ServiceName), "service-name", "must not be empty");
        problems.Check(
            problems.HasFailed("metrics.export-interval") || settings.MetricsExportInterval > TimeSpan.Zero,
            "metrics.export-interval",
            $"must be greater than zero, but is {settings.MetricsExportInterval}");
        problems.Check(
            problems.HasFailed("traces.sampling-ratio") || settings.SamplingRatio is >= 0 and <= 1,
            "traces.sampling-ratio",
            $"must be between 0.0 and 1.0, but is {settings.SamplingRatio}");
        problems.Check(
            problems.HasFailed("otlp.timeout") || settings.OtlpTimeout > TimeSpan.Zero,
            "otlp.timeout",
            $"must be greater than zero, but is {settings.OtlpTimeout}");
        problems.ThrowIfAny();
        return settings;
    }

    /// <summary>Reads <c>pipelines.telemetry</c> from the configuration of <paramref name="system"/>.</summary>
    /// <exception cref="SettingsException">A key has a wrong type or an invalid value; every problem is listed.</exception>
    public static TelemetrySettings Create(ActorSystem system)
    {
        ArgumentNullException.ThrowIfNull(system);
        return Create(system.Settings.Config);
    }

    /// <summary>The OTLP address of one signal: the endpoint itself for gRPC; for HTTP, the endpoint with <c>/v1/{signal}</c> appended.</summary>
    /// <param name="signal"><c>traces</c> or <c>metrics</c>.</param>
    public Uri OtlpSignalEndpoint(string signal)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(signal);
        if (OtlpProtocol != OtlpExportProtocol.HttpProtobuf)
        {
            return OtlpEndpoint;
        }

        var text = OtlpEndpoint.AbsoluteUri.TrimEnd('/');
        return new Uri($"{text}/v1/{signal}");
    }

    /// <inheritdoc/>
    public override string ToString() =>
        $"TelemetrySettings(service-name={ServiceName}, metrics.enabled={MetricsEnabled}, metrics.exporters=[{string.Join(", ", MetricsExporters)}], "
        + $"metrics.export-interval={MetricsExportInterval}, traces.enabled={TracesEnabled}, traces.exporters=[{string.Join(", ", TracesExporters)}], "
        + $"traces.sampling-ratio={SamplingRatio}, otlp.endpoint={OtlpEndpoint}, otlp.protocol={OtlpProtocol}, "
        + $"otlp.headers=[{string.Join(", ", OtlpHeaders.Keys.Select(k => $"{k}={SecretKeys.Redacted}"))}], otlp.timeout={OtlpTimeout})";

    private static ImmutableArray<TelemetryExporter> Exporters(SettingsReader reader, string key)
    {
        var builder = ImmutableArray.CreateBuilder<TelemetryExporter>();
        foreach (var name in reader.StringList(key))
        {
            switch (name.Trim().ToLowerInvariant())
            {
                case "console":
                    builder.Add(TelemetryExporter.Console);
                    break;
                case "otlp":
                    builder.Add(TelemetryExporter.Otlp);
                    break;
                default:
                    reader.Problems.Fail(key, $"must list exporters among console and otlp, but has \"{name}\"");
                    break;
            }
        }

        return builder.Distinct().ToImmutableArray();
    }

    private static Uri Endpoint(SettingsReader reader, string? text)
    {
        if (Uri.TryCreate(text, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps))
        {
            return uri;
        }

        if (!reader.Problems.HasFailed("otlp.endpoint"))
        {
            reader.Problems.Fail("otlp.endpoint", $"must be an absolute http:// or https:// address such as http://localhost:4317, but is \"{text}\"");
        }

        return new Uri("http://localhost:4317");
    }

    private static OtlpExportProtocol Protocol(SettingsReader reader, string? text)
    {
        switch (text?.Trim().ToLowerInvariant())
        {
            case "grpc":
                return OtlpExportProtocol.Grpc;
            case "http/protobuf":
                return OtlpExportProtocol.HttpProtobuf;
            default:
                if (!reader.Problems.HasFailed("otlp.protocol"))
                {
                    reader.Problems.Fail("otlp.protocol", $"must be grpc or http/protobuf, but is \"{text}\"");
                }

                return OtlpExportProtocol.Grpc;
        }
    }
}
