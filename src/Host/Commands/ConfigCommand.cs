using System.CommandLine;
using Pipelines.Configuration;
using Pipelines.Configuration.Rendering;
using Pipelines.Configuration.Values;

namespace Pipelines.Host.Commands;

/// <summary>
/// <c>pipelines config [--file PATH] [--json] [--path a.b] [--show-secrets]</c>: prints the resolved configuration
/// (the default file or <c>--file</c>, over the embedded reference), or the positioned error of an invalid file.
/// Values of secret keys (<see cref="SecretKeys"/>) print as <c>&lt;redacted&gt;</c> unless <c>--show-secrets</c> is given.
/// </summary>
internal static class ConfigCommand
{
    public static Command Create()
    {
        var file = new Option<string?>("--file")
        {
            Description = $"The HOCON file to load (default: {PipelinesConfiguration.DefaultFile} in the current directory, else next to the application).",
        };
        var json = new Option<bool>("--json") { Description = "Print JSON instead of HOCON." };
        var path = new Option<string?>("--path") { Description = "Print only the value at this path, e.g. akka.kafka.consumer." };
        var showSecrets = new Option<bool>("--show-secrets")
        {
            Description = $"Print the values of secret keys (sasl.password, ssl.key.password, …) instead of {SecretKeys.Redacted}.",
        };
        var command = new Command("config", "Prints the resolved configuration: the configuration file over the embedded reference, with environment overrides applied and secret values redacted.")
        {
            file,
            json,
            path,
            showSecrets,
        };
        command.SetAction(parseResult => Run(
            parseResult.GetValue(file),
            parseResult.GetValue(json),
            parseResult.GetValue(path),
            parseResult.GetValue(showSecrets),
            parseResult.InvocationConfiguration.Output,
            parseResult.InvocationConfiguration.Error));
        return command;
    }

    /// <summary>Loads, renders and prints; returns 0, or 1 with the error on <paramref name="error"/>.</summary>
    internal static int Run(string? file, bool json, string? path, bool showSecrets, TextWriter output, TextWriter error)
    {
        try
        {
            var source = file ?? PipelinesConfiguration.FindDefaultFile();
            var config = HoconConfigFactory.Load(source);
            HoconValue value = config.Root;
            if (!string.IsNullOrEmpty(path))
            {
                value = config.GetValue(path) ?? throw new HoconException(new HoconPosition(source ?? EmbeddedName, 0, 0), $"no configuration value at '{path}'");
            }

            if (!json)
            {
                output.WriteLine($"# {source ?? "(no configuration file)"} over the embedded {EmbeddedName}{(string.IsNullOrEmpty(path) ? string.Empty : ", at " + path)}"
                    + (showSecrets ? "; secret values shown" : $"; secret values shown as {SecretKeys.Redacted} (--show-secrets shows them)"));
            }

            output.Write(HoconRenderer.Render(value, json, root: value is HoconObject, redactSecrets: !showSecrets, path: path ?? string.Empty));
            return 0;
        }
        catch (HoconException e)
        {
            error.WriteLine(e.Message);
            return 1;
        }
    }

    private const string EmbeddedName = "reference.conf";
}
