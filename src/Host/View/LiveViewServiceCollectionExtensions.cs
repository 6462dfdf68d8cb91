using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Pipelines.Hosting;
using Pipelines.Telemetry;
using Spectre.Console;
using Config = Akka.Configuration.Config;

namespace Pipelines.Host.View;

/// <summary>Registers the host's live view.</summary>
internal static class LiveViewServiceCollectionExtensions
{
    /// <summary>
    /// Adds the live view as <c>pipelines.view</c> in <paramref name="config"/> says: a live table when
    /// <paramref name="output"/> is a terminal (mode <c>auto</c> or <c>live</c>), one <c>VIEW</c> line per interval when it
    /// is not (or mode <c>lines</c>), nothing for mode <c>off</c>. It reads the <c>Pipelines</c> meter and the
    /// <see cref="IPipelineRegistry"/> when one is registered.
    /// </summary>
    /// <param name="services">The host's services.</param>
    /// <param name="config">The resolved configuration.</param>
    /// <param name="output">Where the view goes: <see cref="Console.Out"/>, <see cref="Console.Error"/> or any writer (never a terminal).</param>
    /// <exception cref="Configuration.SettingsException"><c>pipelines.view</c> has an invalid value.</exception>
    public static IServiceCollection AddLiveView(this IServiceCollection services, Config config, TextWriter output) =>
        services.AddLiveView(LiveViewSettings.Create(config), output, IsTerminal(output), PipelinesTelemetry.MeterName);

    /// <summary>Adds the live view with these settings (tests give a terminal flag and a meter of their own).</summary>
    internal static IServiceCollection AddLiveView(this IServiceCollection services, LiveViewSettings settings, TextWriter output, bool isTerminal, string meterName)
    {
        ArgumentNullException.ThrowIfNull(output);
        var mode = settings.Resolve(isTerminal);
        if (mode == LiveViewMode.Off)
        {
            return services;
        }

        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<IHostedService>(provider => new LiveViewService(
            settings,
            Renderer(mode, output, isTerminal),
            provider.GetService<IPipelineRegistry>(),
            provider.GetRequiredService<TimeProvider>(),
            meterName));
        return services;
    }

    /// <summary>Whether <paramref name="output"/> is the process's stdout or stderr and that stream is an interactive terminal.</summary>
    internal static bool IsTerminal(TextWriter output) =>
        (ReferenceEquals(output, Console.Out) && !Console.IsOutputRedirected)
        || (ReferenceEquals(output, Console.Error) && !Console.IsErrorRedirected);

    private static IViewRenderer Renderer(LiveViewMode mode, TextWriter output, bool isTerminal) => mode switch
    {
        LiveViewMode.Live => new LiveTableRenderer(AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(output),
            Ansi = isTerminal ? AnsiSupport.Detect : AnsiSupport.Yes,
            Interactive = isTerminal ? InteractionSupport.Detect : InteractionSupport.Yes,
        })),
        _ => new LineRenderer(output),
    };
}
