using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using Pipelines.Telemetry;
using Config = Akka.Configuration.Config;

namespace Pipelines.Hosting.Telemetry;

/// <summary>Registers the OpenTelemetry SDK for the Pipelines meter and activity source, as <c>pipelines.telemetry</c> says.</summary>
public static class TelemetryServiceCollectionExtensions
{
    /// <summary>
    /// Reads <c>pipelines.telemetry</c> from <paramref name="config"/> and registers OpenTelemetry's meter and tracer
    /// providers for the signals it enables, with the configured exporters (nothing when both are off). The providers start
    /// with the host (or when resolved); add your own meters, sources or exporters with <c>services.AddOpenTelemetry()</c>,
    /// which extends the same providers.
    /// </summary>
    /// <param name="services">The host's services.</param>
    /// <param name="config">The whole configuration (an ActorSystem's, or one loaded with <c>PipelinesConfiguration</c>).</param>
    /// <exception cref="Pipelines.Configuration.SettingsException">The section has invalid values; every problem is listed.</exception>
    public static IServiceCollection AddPipelinesTelemetry(this IServiceCollection services, Config config)
    {
        ArgumentNullException.ThrowIfNull(config);
        return services.AddPipelinesTelemetry(TelemetrySettings.Create(config));
    }

    /// <summary>Registers OpenTelemetry's providers as <paramref name="settings"/> say (see the overload taking a configuration).</summary>
    /// <param name="services">The host's services.</param>
    /// <param name="settings">What to export, and where.</param>
    public static IServiceCollection AddPipelinesTelemetry(this IServiceCollection services, TelemetrySettings settings)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(settings);
        if (!settings.MetricsEnabled && !settings.TracesEnabled)
        {
            return services;
        }

        var builder = services.AddOpenTelemetry().ConfigureResource(resource => resource.AddService(settings.ServiceName));
        if (settings.MetricsEnabled)
        {
            builder.WithMetrics(metrics => ConfigureMetrics(metrics, settings));
        }

        if (settings.TracesEnabled)
        {
            builder.WithTracing(tracing => ConfigureTraces(tracing, settings));
        }

        return services;
    }

    private static void ConfigureMetrics(MeterProviderBuilder metrics, TelemetrySettings settings)
    {
        metrics.AddMeter(PipelinesTelemetry.MeterName);
        var interval = (int)Math.Clamp(settings.MetricsExportInterval.TotalMilliseconds, 1, int.MaxValue);
        foreach (var exporter in settings.MetricsExporters)
        {
            switch (exporter)
            {
                case TelemetryExporter.Console:
                    metrics.AddConsoleExporter((_, reader) => reader.PeriodicExportingMetricReaderOptions.ExportIntervalMilliseconds = interval);
                    break;
                case TelemetryExporter.Otlp:
                    metrics.AddOtlpExporter((options, reader) =>
                    {
                        Configure(options, settings, "metrics");
                        reader.PeriodicExportingMetricReaderOptions.ExportIntervalMilliseconds = interval;
                    });
                    break;
            }
        }
    }

    private static void ConfigureTraces(TracerProviderBuilder tracing, TelemetrySettings settings)
    {
        tracing.AddSource(PipelinesTelemetry.ActivitySourceName)
            .SetSampler(new ParentBasedSampler(new TraceIdRatioBasedSampler(settings.SamplingRatio)));
        foreach (var exporter in settings.TracesExporters)
        {
            switch (exporter)
            {
                case TelemetryExporter.Console:
                    tracing.AddConsoleExporter();
                    break;
                case TelemetryExporter.Otlp:
                    tracing.AddOtlpExporter(options => Configure(options, settings, "traces"));
                    break;
            }
        }
    }

    private static void Configure(OtlpExporterOptions options, TelemetrySettings settings, string signal)
    {
        // Set in code, the endpoint is used as given, so the HTTP signal path is added here (as the SDK does for
        // OTEL_EXPORTER_OTLP_ENDPOINT).
        options.Protocol = settings.OtlpProtocol;
        options.Endpoint = settings.OtlpSignalEndpoint(signal);
        options.TimeoutMilliseconds = (int)Math.Clamp(settings.OtlpTimeout.TotalMilliseconds, 1, int.MaxValue);
        if (settings.OtlpHeaders.Count > 0)
        {
            options.Headers = string.Join(",", settings.OtlpHeaders.Select(h => $"{h.Key}={h.Value}"));
        }
    }
}
