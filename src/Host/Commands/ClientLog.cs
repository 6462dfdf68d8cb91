using Microsoft.Extensions.Logging;

namespace Pipelines.Host.Commands;

/// <summary>
/// The logger given to the commands' Kafka clients. librdkafka reports every connection attempt that fails; a command
/// turns the outcome into one error line, so these lines go to stderr only with <c>--verbose</c>. The last error the
/// clients reported is kept to say why the cluster could not be reached.
/// </summary>
internal sealed class ClientLog(TextWriter messages, bool verbose) : ILogger
{
    private readonly Lock _gate = new();
    private string? _lastError;

    /// <summary>The last error a client reported (an unreachable broker, a failed authentication), or null.</summary>
    public string? LastError
    {
        get
        {
            lock (_gate)
            {
                return _lastError;
            }
        }
    }

    /// <summary>Called by handlers that report a client's error event directly.</summary>
    public void ClientError(string client, string reason)
    {
        lock (_gate)
        {
            _lastError = reason;
        }

        if (verbose)
        {
            messages.WriteLine($"[kafka] {client}: {reason}");
        }
    }

    /// <summary>Called by handlers that receive a client's log lines directly.</summary>
    public void ClientLine(Confluent.Kafka.LogMessage message)
    {
        if (verbose)
        {
            messages.WriteLine($"[kafka {message.Level}] {message.Name} [{message.Facility}]: {message.Message}");
        }
    }

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => verbose || logLevel >= LogLevel.Warning;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        // The library's loggers name a client's error events "ClientError" and "FatalError" (its log lines have other
        // names): those are the reasons worth quoting when the cluster does not answer.
        if (eventId.Name is "ClientError" or "FatalError")
        {
            // Their structured state carries the client's own words as "Reason"; the rest of the sentence is for logs.
            var reason = state is IReadOnlyList<KeyValuePair<string, object?>> values
                ? values.FirstOrDefault(v => v.Key == "Reason").Value as string
                : null;
            lock (_gate)
            {
                _lastError = reason ?? formatter(state, exception);
            }
        }

        if (verbose)
        {
            messages.WriteLine($"[kafka {logLevel}] {formatter(state, exception)}");
        }
    }
}
