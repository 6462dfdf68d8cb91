using Pipelines.Kafka.Embedded;

namespace Pipelines.Kafka.Tests.Embedded;

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ProcessResourcesCollection
{
    /// <summary>Tests that count the process's threads and sockets run alone, after every parallel test.</summary>
    public const string Name = "Process resources";
}

[Collection(ProcessResourcesCollection.Name)]
public sealed class EmbeddedKafkaClusterResourceTests
{
    [Fact]
    public void Dispose_AfterStartingClusters_ReleasesEveryNativeThreadAndSocket()
    {
        // Only what appears during the test counts: threads and sockets of other components may come and go.
        var threadsBefore = LibrdkafkaThreads();
        var socketsBefore = Sockets();

        for (var i = 0; i < 3; i++)
        {
            using var cluster = EmbeddedKafkaCluster.Start(3);
            cluster.CreateTopic("resources", 2);
            LibrdkafkaThreads().Except(threadsBefore).Should().NotBeEmpty("a running cluster has librdkafka threads");
            Sockets().Except(socketsBefore).Should().HaveCountGreaterThanOrEqualTo(3, "each broker listens on a socket");
        }

        LibrdkafkaThreads().Except(threadsBefore).Should().BeEmpty();
        Sockets().Except(socketsBefore).Should().BeEmpty();
    }

    // librdkafka names its threads "rdk:main", "rdk:broker…", "rdk:mock"; the result holds their thread ids.
    private static HashSet<string> LibrdkafkaThreads() =>
        Directory.GetDirectories("/proc/self/task")
            .Where(task => ReadOrEmpty(Path.Combine(task, "comm")).StartsWith("rdk:", StringComparison.Ordinal))
            .Select(Path.GetFileName)
            .ToHashSet(StringComparer.Ordinal)!;

    // Socket inodes ("socket:[12345]") open in this process.
    private static HashSet<string> Sockets() =>
        Directory.GetFiles("/proc/self/fd")
            .Select(LinkTargetOrEmpty)
            .Where(target => target.StartsWith("socket:", StringComparison.Ordinal))
            .ToHashSet(StringComparer.Ordinal);

    // Threads and descriptors of other components come and go while the directory is listed.
    private static string ReadOrEmpty(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (IOException)
        {
            return string.Empty;
        }
    }

    private static string LinkTargetOrEmpty(string path)
    {
        try
        {
            return new FileInfo(path).LinkTarget ?? string.Empty;
        }
        catch (IOException)
        {
            return string.Empty;
        }
    }
}
