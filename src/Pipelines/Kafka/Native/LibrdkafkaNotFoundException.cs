namespace Pipelines.Kafka.Native;

/// <summary>
/// Thrown when librdkafka, the native library under the Kafka client, cannot be loaded.
/// The message names every file tried and the package to install.
/// </summary>
public sealed class LibrdkafkaNotFoundException : DllNotFoundException
{
    internal LibrdkafkaNotFoundException(IReadOnlyList<string> tried, string? explicitPath)
        : base(BuildMessage(tried, explicitPath))
    {
        Tried = tried;
    }

    /// <summary>The file names and paths that were tried, in order.</summary>
    public IReadOnlyList<string> Tried { get; }

    private static string BuildMessage(IReadOnlyList<string> tried, string? explicitPath)
    {
        var what = explicitPath is null
            ? $"librdkafka (the native Kafka client library) was not found (tried {string.Join(", ", tried)})."
            : $"librdkafka could not be loaded from {Librdkafka.PathVariable}={explicitPath}.";
        return what + " Install it with: apt-get install librdkafka1 (Debian/Ubuntu), "
            + "or set " + Librdkafka.PathVariable + " to the path of librdkafka.so.1.";
    }
}
