using Pipelines.Configuration;
using Config = Akka.Configuration.Config;

// Add* extensions live in the builder's namespace, as AddJsonFile and AddEnvironmentVariables do, so they are
// found without an extra using.
namespace Microsoft.Extensions.Configuration;

/// <summary>
/// Adds HOCON sources to a Microsoft.Extensions.Configuration builder. Adding one also lets the binder read HOCON
/// durations (<c>50ms</c>, <c>10 seconds</c>, <c>infinite</c>) into <see cref="TimeSpan"/> and <c>yes</c>/<c>no</c>/<c>on</c>/<c>off</c>
/// into <see cref="bool"/>; the formats .NET accepts keep their meaning.
/// </summary>
public static class HoconConfigurationExtensions
{
    /// <summary>Adds the HOCON file at <paramref name="path"/> (substitutions resolved within it and against environment variables).</summary>
    /// <param name="builder">The configuration builder.</param>
    /// <param name="path">The file; relative to the builder's base path (<c>SetBasePath</c>), else to the application's folder, as for <c>AddJsonFile</c>.</param>
    /// <param name="optional">When true, a missing file adds nothing instead of failing.</param>
    public static IConfigurationBuilder AddHocon(this IConfigurationBuilder builder, string path, bool optional = false)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrEmpty(path);
        HoconValueConverters.Register();
        return builder.Add(new HoconConfigurationSource { Path = path, Optional = optional });
    }

    /// <summary>Adds an Akka configuration, for example <c>PipelinesConfiguration.Load()</c> with the reference defaults.</summary>
    public static IConfigurationBuilder AddHocon(this IConfigurationBuilder builder, Config config)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(config);
        HoconValueConverters.Register();
        return builder.Add(new HoconConfigurationSource { Config = config });
    }

    /// <summary>Adds HOCON text.</summary>
    /// <param name="builder">The configuration builder.</param>
    /// <param name="text">The HOCON text.</param>
    /// <param name="origin">The name parse errors report for the text.</param>
    public static IConfigurationBuilder AddHoconString(this IConfigurationBuilder builder, string text, string origin = "string")
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(text);
        HoconValueConverters.Register();
        return builder.Add(new HoconConfigurationSource { Text = text, Origin = origin });
    }

    /// <summary>
    /// Returns Microsoft.Extensions.Configuration's debug view (every key, its value and the provider it comes from) with
    /// the values of secret keys (<see cref="SecretKeys"/>, e.g. <c>…:kafka-clients:sasl.password</c>) shown as
    /// <see cref="SecretKeys.Redacted"/>: the view to log instead of <c>GetDebugView()</c>.
    /// </summary>
    public static string GetRedactedDebugView(this IConfigurationRoot root)
    {
        ArgumentNullException.ThrowIfNull(root);
        return root.GetDebugView(context => SecretKeys.Redact(context.Path, context.Value) ?? string.Empty);
    }
}
