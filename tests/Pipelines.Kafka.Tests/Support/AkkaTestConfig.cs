using Akka.Configuration;

namespace Pipelines.Kafka.Tests.Support;

/// <summary>The actor system configurations of the Kafka tests.</summary>
public static class AkkaTestConfig
{
    /// <summary>Real time (the embedded cluster runs in real time): info logs go to the test's output.</summary>
    public static Config RealTime { get; } = ConfigurationFactory.ParseString(
        """
        akka.loglevel = INFO
        akka.stdout-loglevel = WARNING
        """);

    /// <summary>
    /// Virtual time: Akka.TestKit's <c>TestScheduler</c> drives every stage timer, which fires only when the test advances
    /// it; debug logs are on, so a test can wait for a stage to say it started a timer.
    /// </summary>
    public static Config VirtualTime { get; } = ConfigurationFactory.ParseString(
        """
        akka.loglevel = DEBUG
        akka.stdout-loglevel = WARNING
        akka.scheduler.implementation = "Akka.TestKit.TestScheduler, Akka.TestKit"
        """);
}
