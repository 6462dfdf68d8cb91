using System.Globalization;
using System.Net.Sockets;
using System.Text;
using Confluent.Kafka;
using Pipelines.Kafka.Embedded;

namespace Pipelines.Host.Commands;

/// <summary>
/// Lets other processes create topics on an embedded cluster run by this process, which the Kafka admin API cannot do:
/// librdkafka's mock cluster answers no CreateTopics request. It listens on one Unix domain socket per broker, named
/// after the broker's port in a directory only the user can enter, so a command that is given the brokers' addresses
/// finds it (<see cref="EmbeddedClusterClient"/>). A request is one line, <c>create-topic NAME PARTITIONS
/// REPLICATION-FACTOR</c>; the answer is one line, <c>ok</c> or <c>error MESSAGE</c>.
/// </summary>
internal sealed class EmbeddedClusterControl : IDisposable
{
    /// <summary>The request verb that creates a topic.</summary>
    public const string CreateTopicVerb = "create-topic";

    private static readonly TimeSpan RequestPatience = TimeSpan.FromSeconds(10);

    private readonly EmbeddedKafkaCluster _cluster;
    private readonly List<(Socket Listener, string Path)> _listeners = [];
    private readonly CancellationTokenSource _stopping = new();
    private int _disposed;

    private EmbeddedClusterControl(EmbeddedKafkaCluster cluster) => _cluster = cluster;

    private const UnixFileMode PrivateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    /// <summary>The directory of the sockets: per user, in the temporary directory.</summary>
    public static string SocketDirectory => Path.Combine(Path.GetTempPath(), $"pipelines-embedded-kafka-{Environment.UserName}");

    /// <summary>The socket of the broker listening on <paramref name="port"/>.</summary>
    public static string SocketPath(int port) => Path.Combine(SocketDirectory, port.ToString(CultureInfo.InvariantCulture) + ".sock");

    /// <summary>
    /// Whether <see cref="SocketDirectory"/> exists and only its owner may enter it (another user's directory of that
    /// name could not be written to, so binding there fails instead).
    /// </summary>
    public static bool IsPrivate() =>
        OperatingSystem.IsWindows() || (Directory.Exists(SocketDirectory) && File.GetUnixFileMode(SocketDirectory) == PrivateMode);

    /// <summary>
    /// Starts listening for every broker of <paramref name="cluster"/>. When the sockets cannot be created, says so on
    /// <paramref name="messages"/> and returns null: the cluster still serves clients, only creating topics from other
    /// processes does not work.
    /// </summary>
    public static EmbeddedClusterControl? TryStart(EmbeddedKafkaCluster cluster, TextWriter messages)
    {
        var control = new EmbeddedClusterControl(cluster);
        try
        {
            if (OperatingSystem.IsWindows())
            {
                Directory.CreateDirectory(SocketDirectory);
            }
            else
            {
                // Only the user may reach the sockets: whoever can connect can create topics.
                Directory.CreateDirectory(SocketDirectory, PrivateMode);
                if (!IsPrivate())
                {
                    throw new IOException($"{SocketDirectory} can be entered by other users (mode {File.GetUnixFileMode(SocketDirectory)}); remove it or make it mode 700.");
                }
            }

            foreach (var address in cluster.BootstrapServers.Split(','))
            {
                var port = int.Parse(address[(address.LastIndexOf(':') + 1)..], NumberStyles.None, CultureInfo.InvariantCulture);
                var path = SocketPath(port);

                // A file left by a cluster that was killed on the same port would make Bind fail; its ports are ours now.
                File.Delete(path);
                var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                control._listeners.Add((listener, path));
                listener.Bind(new UnixDomainSocketEndPoint(path));
                listener.Listen();
                _ = control.AcceptAsync(listener);
            }

            return control;
        }
        catch (Exception e) when (e is IOException or SocketException or UnauthorizedAccessException)
        {
            messages.WriteLine($"  Creating topics from other processes (pipelines topics create) is not available: {e.Message}");
            control.Dispose();
            return null;
        }
    }

    /// <summary>Stops listening and removes the sockets; calling it again does nothing.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _stopping.Cancel();
        foreach (var (listener, path) in _listeners)
        {
            listener.Dispose();
            File.Delete(path);
        }
    }

    private async Task AcceptAsync(Socket listener)
    {
        try
        {
            while (!_stopping.IsCancellationRequested)
            {
                var connection = await listener.AcceptAsync(_stopping.Token).ConfigureAwait(false);
                _ = ServeAsync(connection);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
        {
            // Dispose closed the listener under the loop: that is how it stops.
        }
    }

    private async Task ServeAsync(Socket connection)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
        timeout.CancelAfter(RequestPatience);
        try
        {
            using var stream = new NetworkStream(connection, ownsSocket: true);
            using var reader = new StreamReader(stream, Encoding.UTF8);
            using var writer = new StreamWriter(stream, new UTF8Encoding(false)) { NewLine = "\n" };
            var request = await reader.ReadLineAsync(timeout.Token).ConfigureAwait(false);
            if (request is null)
            {
                // A requester looking for a live control connects and leaves without asking anything.
                return;
            }

            await writer.WriteLineAsync(Handle(request)).ConfigureAwait(false);
            await writer.FlushAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException)
        {
            // The requester went away or never finished its line; it sees no answer and reports that itself.
        }
    }

    private string Handle(string request)
    {
        var parts = request.Split(' ');
        if (parts.Length != 4 || parts[0] != CreateTopicVerb
            || !int.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out var partitions)
            || !int.TryParse(parts[3], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var replicationFactor))
        {
            return $"error unknown request \"{request}\"; expected {CreateTopicVerb} NAME PARTITIONS REPLICATION-FACTOR";
        }

        try
        {
            // -1 asks for the cluster's default, which for the mock is what it gives topics it creates on first use.
            _cluster.CreateTopic(parts[1], partitions, replicationFactor == -1 ? Math.Min(3, _cluster.BrokerCount) : replicationFactor);
            return "ok";
        }
        catch (Exception e) when (e is ArgumentException or KafkaException)
        {
            return "error " + e.Message.ReplaceLineEndings(" ");
        }
    }
}
