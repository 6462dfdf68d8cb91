using Akka.Configuration;

namespace Pipelines.FrontDoors.Tests.Support;

/// <summary>ActorSystem configurations for the front-door tests.</summary>
internal static class AkkaTestConfig
{
    /// <summary>Real time (the embedded cluster runs in real time).</summary>
    public static Config RealTime { get; } = ConfigurationFactory.ParseString(
        """
        akka.loglevel = INFO
        akka.stdout-loglevel = WARNING
        """);

    /// <summary>Virtual time: Akka.TestKit's <c>TestScheduler</c> drives every stage timer, which fires only when the test advances it.</summary>
    public static Config VirtualTime { get; } = ConfigurationFactory.ParseString(
        """
        akka.loglevel = INFO
        akka.stdout-loglevel = WARNING
        akka.scheduler.implementation = "Akka.TestKit.TestScheduler, Akka.TestKit"
        """);
}
