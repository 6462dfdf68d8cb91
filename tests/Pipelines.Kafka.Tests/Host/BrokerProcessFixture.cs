namespace Pipelines.Kafka.Tests.Host;

/// <summary>
/// A standalone embedded Kafka cluster run by the host's <c>broker</c> command as a child process, shared by the tests of
/// the Kafka commands (<see cref="HostCommandsCollection"/>), and the way those tests run a command against it.
/// </summary>
public sealed class BrokerProcessFixture : IAsyncLifetime
{
    /// <summary>Long enough for a loaded machine; commands normally finish in a second or two.</summary>
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private HostProcess? _broker;

    /// <summary>The broker process's bootstrap servers (its first line of output).</summary>
    public string BootstrapServers { get; private set; } = string.Empty;

    /// <summary>The environment of a command run against the broker: <c>KAFKA_BOOTSTRAP_SERVERS</c> names it.</summary>
    public IReadOnlyDictionary<string, string?> Environment => new Dictionary<string, string?> { ["KAFKA_BOOTSTRAP_SERVERS"] = BootstrapServers };

    /// <summary>A topic name no other test uses.</summary>
    public static string NewTopicName() => "cmd-" + Guid.NewGuid().ToString("N")[..12];

    /// <summary>A group id no other test uses.</summary>
    public static string NewGroupId() => "cmd-group-" + Guid.NewGuid().ToString("N")[..12];

    public async Task InitializeAsync()
    {
        _broker = HostProcess.Start(new Dictionary<string, string?> { ["KAFKA_BOOTSTRAP_SERVERS"] = null }, "broker", "--brokers", "2");
        var bootstrap = await _broker.StandardOutput.ReadLineAsync().WaitAsync(Patience);
        BootstrapServers = bootstrap ?? throw new InvalidOperationException("The broker process ended before printing its bootstrap servers: " + _broker.StandardError);
    }

    public async Task DisposeAsync()
    {
        if (_broker is null)
        {
            return;
        }

        await _broker.TerminateAsync();
        var exitCode = await _broker.WaitForExitAsync(Patience);
        await _broker.DisposeAsync();
        exitCode.Should().Be(0, _broker.StandardError);
    }

    /// <summary>Runs the host with <paramref name="args"/> against the broker (through <c>KAFKA_BOOTSTRAP_SERVERS</c>).</summary>
    public Task<CommandResult> RunAsync(params string[] args) => RunAsync(Environment, args);

    /// <summary>Runs the host with <paramref name="args"/> in <paramref name="environment"/>.</summary>
    public static async Task<CommandResult> RunAsync(IReadOnlyDictionary<string, string?> environment, params string[] args)
    {
        var (exitCode, output, error) = await HostProcess.RunAsync(environment, Patience, args);
        return new CommandResult(exitCode, output, error);
    }

    /// <summary>Runs the host with <paramref name="input"/> on stdin.</summary>
    public async Task<CommandResult> RunWithInputAsync(string input, params string[] args)
    {
        var (exitCode, output, error) = await HostProcess.RunWithInputAsync(Environment, input, Patience, args);
        return new CommandResult(exitCode, output, error);
    }

    /// <summary>Creates a topic with the <c>topics create</c> command and returns its name.</summary>
    public async Task<string> CreateTopicAsync(int partitions)
    {
        var topic = NewTopicName();
        var result = await RunAsync("topics", "create", topic, "--partitions", partitions.ToString(System.Globalization.CultureInfo.InvariantCulture));
        result.ExitCode.Should().Be(0, result.Error);
        return topic;
    }
}
