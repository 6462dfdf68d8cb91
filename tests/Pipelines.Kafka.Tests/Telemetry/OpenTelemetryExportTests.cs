using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using Pipelines.Configuration;
using Pipelines.Hosting.Telemetry;
using Pipelines.Telemetry;
using Pipelines.TestKit;

namespace Pipelines.Kafka.Tests.Telemetry;

/// <summary><c>pipelines.telemetry</c> in HOCON and <see cref="TelemetryServiceCollectionExtensions.AddPipelinesTelemetry(IServiceCollection, Akka.Configuration.Config)"/>.</summary>
[Collection(TelemetryCollection.Name)]
public sealed class OpenTelemetryExportTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public void Create_ReferenceConfiguration_ExportsNothingByDefault()
    {
        var settings = TelemetrySettings.Create(PipelinesConfiguration.Reference());

        settings.MetricsEnabled.Should().BeFalse();
        settings.TracesEnabled.Should().BeFalse();
        settings.MetricsExporters.Should().Equal(TelemetryExporter.Otlp);
        settings.OtlpEndpoint.Should().Be(new Uri("http://localhost:4317"));
        settings.OtlpProtocol.Should().Be(OtlpExportProtocol.Grpc);
        settings.MetricsExportInterval.Should().Be(TimeSpan.FromSeconds(10));
        settings.SamplingRatio.Should().Be(1.0);

        using var provider = new ServiceCollection().AddPipelinesTelemetry(PipelinesConfiguration.Reference()).BuildServiceProvider();
        provider.GetService<MeterProvider>().Should().BeNull();
        provider.GetService<TracerProvider>().Should().BeNull();
    }

    [Fact]
    public void Create_InvalidValues_ReportsEveryProblemAtOnce()
    {
        var config = PipelinesConfiguration.ParseString("""
            pipelines.telemetry {
              metrics.exporters = [console, prometheus]
              traces.sampling-ratio = 2
              otlp { endpoint = "localhost:4317", protocol = udp, timeout = 0s }
            }
            """);

        var problems = FluentActions.Invoking(() => TelemetrySettings.Create(config)).Should().Throw<SettingsException>().Which.Problems;

        problems.Should().HaveCount(5);
        string.Join("\n", problems).Should()
            .Contain("metrics.exporters").And.Contain("prometheus")
            .And.Contain("traces.sampling-ratio")
            .And.Contain("otlp.endpoint").And.Contain("otlp.protocol").And.Contain("otlp.timeout");
    }

    [Fact]
    public void ConsoleExporter_TracesEnabled_WritesThePipelinesSpansToStandardOutput()
    {
        var config = PipelinesConfiguration.ParseString("pipelines.telemetry.traces { enabled = on, exporters = [console] }");
        var output = new StringWriter();
        var original = Console.Out;
        Console.SetOut(output);
        try
        {
            using var provider = new ServiceCollection().AddPipelinesTelemetry(config).BuildServiceProvider();
            var tracer = provider.GetRequiredService<TracerProvider>();
            provider.GetService<MeterProvider>().Should().BeNull("metrics are off");
            PipelinesTelemetry.Source.StartActivity("console-exported-span")!.Dispose();
            tracer.ForceFlush();
        }
        finally
        {
            Console.SetOut(original);
        }

        output.ToString().Should().Contain("console-exported-span").And.Contain(PipelinesTelemetry.ActivitySourceName);
    }

    [Fact]
    public async Task OtlpExporter_HttpProtobuf_SendsTracesAndMetricsToTheConfiguredEndpointWithItsHeaders()
    {
        var port = FreePort();
        using var collector = new HttpListener();
        collector.Prefixes.Add($"http://127.0.0.1:{port}/");
        collector.Start();
        var received = new ConcurrentQueue<(string Path, string? ApiKey, long Length)>();
        var serving = ServeAsync(collector, received);

        var config = PipelinesConfiguration.ParseString($$"""
            pipelines.telemetry {
              service-name = orders
              metrics { enabled = on, exporters = [otlp], export-interval = 1h }
              traces { enabled = on, exporters = [otlp] }
              otlp { endpoint = "http://127.0.0.1:{{port}}", protocol = http/protobuf, headers { api-key = k-123 } }
            }
            """);
        using (var provider = new ServiceCollection().AddPipelinesTelemetry(config).BuildServiceProvider())
        {
            var tracer = provider.GetRequiredService<TracerProvider>();
            var meters = provider.GetRequiredService<MeterProvider>();
            PipelinesTelemetry.Source.StartActivity("otlp-exported-span")!.Dispose();
            PipelinesInstruments.RecordRestart("orders-pipeline");
            tracer.ForceFlush((int)Patience.TotalMilliseconds).Should().BeTrue();
            meters.ForceFlush((int)Patience.TotalMilliseconds).Should().BeTrue();
        }

        await Eventually.TrueAsync(() => received.Any(r => r.Path == "/v1/traces") && received.Any(r => r.Path == "/v1/metrics"), Patience, "both exports");
        received.Should().OnlyContain(r => r.ApiKey == "k-123" && r.Length > 0);
        collector.Stop();
        await serving;
    }

    private static int FreePort()
    {
        using var socket = new TcpListener(IPAddress.Loopback, 0);
        socket.Start();
        return ((IPEndPoint)socket.LocalEndpoint).Port;
    }

    private static async Task ServeAsync(HttpListener listener, ConcurrentQueue<(string, string?, long)> received)
    {
        while (listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await listener.GetContextAsync();
            }
            catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            using var body = new MemoryStream();
            await context.Request.InputStream.CopyToAsync(body);
            received.Enqueue((context.Request.Url!.AbsolutePath, context.Request.Headers["api-key"], body.Length));
            context.Response.StatusCode = 200;
            context.Response.ContentType = "application/x-protobuf";
            context.Response.Close();
        }
    }
}
