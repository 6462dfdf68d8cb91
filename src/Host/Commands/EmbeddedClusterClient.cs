using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Pipelines.Host.Commands;

/// <summary>
/// The requesting side of <see cref="EmbeddedClusterControl"/>: finds the control socket of an embedded cluster run by
/// <c>pipelines broker</c> (or the main job) from the bootstrap servers, and asks it to create topics.
/// </summary>
internal sealed class EmbeddedClusterClient
{
    private readonly string _socketPath;

    private EmbeddedClusterClient(string socketPath) => _socketPath = socketPath;

    /// <summary>
    /// The control of the embedded cluster that serves <paramref name="bootstrapServers"/>, or null when none of them is a
    /// loopback address with a live control socket (a real cluster, or an embedded one in another user's process).
    /// </summary>
    public static async Task<EmbeddedClusterClient?> FindAsync(string bootstrapServers, CancellationToken cancellationToken)
    {
        if (!EmbeddedClusterControl.IsPrivate())
        {
            return null;
        }

        foreach (var address in bootstrapServers.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            if (!TryLoopbackPort(address, out var port))
            {
                continue;
            }

            var path = EmbeddedClusterControl.SocketPath(port);
            if (!File.Exists(path))
            {
                continue;
            }

            try
            {
                // Only a live listener counts: a socket file left by a killed process refuses the connection.
                using var probe = await ConnectAsync(path, cancellationToken).ConfigureAwait(false);
                return new EmbeddedClusterClient(path);
            }
            catch (SocketException)
            {
            }
        }

        return null;
    }

    /// <summary>Creates a topic; returns null when it was created, else the cluster's reason.</summary>
    /// <exception cref="CommandException">The control did not answer within <paramref name="timeout"/>.</exception>
    public async Task<string?> CreateTopicAsync(string name, int partitions, int replicationFactor, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        try
        {
            using var socket = await ConnectAsync(_socketPath, deadline.Token).ConfigureAwait(false);
            using var stream = new NetworkStream(socket, ownsSocket: false);
            using var writer = new StreamWriter(stream, new UTF8Encoding(false)) { NewLine = "\n" };
            using var reader = new StreamReader(stream, Encoding.UTF8);
            await writer.WriteLineAsync(string.Create(
                CultureInfo.InvariantCulture, $"{EmbeddedClusterControl.CreateTopicVerb} {name} {partitions} {replicationFactor}")).ConfigureAwait(false);
            await writer.FlushAsync(deadline.Token).ConfigureAwait(false);
            var answer = await reader.ReadLineAsync(deadline.Token).ConfigureAwait(false);
            return answer switch
            {
                "ok" => null,
                not null when answer.StartsWith("error ", StringComparison.Ordinal) => answer["error ".Length..],
                _ => throw new CommandException($"the embedded cluster's control socket {_socketPath} gave no answer to the request to create topic \"{name}\"."),
            };
        }
        catch (Exception e) when (e is SocketException or IOException || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            throw new CommandException($"the embedded cluster's control socket {_socketPath} did not answer within {Durations.Format(timeout)} ({e.Message}).");
        }
    }

    private static async Task<Socket> ConnectAsync(string path, CancellationToken cancellationToken)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(path), cancellationToken).ConfigureAwait(false);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private static bool TryLoopbackPort(string address, out int port)
    {
        port = 0;
        var schemeEnd = address.IndexOf("://", StringComparison.Ordinal);
        var hostAndPort = schemeEnd < 0 ? address : address[(schemeEnd + 3)..];
        var colon = hostAndPort.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(hostAndPort[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out port))
        {
            return false;
        }

        var host = hostAndPort[..colon].Trim('[', ']');
        return host.Equals("localhost", StringComparison.OrdinalIgnoreCase) || (IPAddress.TryParse(host, out var ip) && IPAddress.IsLoopback(ip));
    }
}
