using Pipelines.Kafka.Native;

namespace Pipelines.Kafka.Tests.Support;

/// <summary>
/// A fact that runs only on a librdkafka at least as new as the given version, and is reported as skipped, with the
/// reason, on older ones (never as passed).
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class LibrdkafkaAtLeastFactAttribute : FactAttribute
{
    /// <summary>Creates the attribute; decides at discovery whether the test is skipped.</summary>
    /// <param name="version">The oldest librdkafka the test runs on, as librdkafka's hex version (0x02030000 is 2.3.0).</param>
    /// <param name="why">What goes wrong on older versions.</param>
    public LibrdkafkaAtLeastFactAttribute(int version, string why)
    {
        Librdkafka.EnsureLoaded();
        if (Confluent.Kafka.Library.Version < version)
        {
            Skip = $"librdkafka {Confluent.Kafka.Library.VersionString} is older than {version >> 24}.{(version >> 16) & 0xff}.{(version >> 8) & 0xff}: {why}";
        }
    }
}
