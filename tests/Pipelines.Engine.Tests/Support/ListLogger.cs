using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Pipelines.Engine.Tests.Support;

/// <summary>Records every log entry (thread-safe), so tests can assert what stages logged.</summary>
/// <remarks>Neither the library nor the TestKit has a recording logger; the materializer only takes an <see cref="ILogger"/>.</remarks>
public sealed class ListLogger : ILogger
{
    private readonly ConcurrentQueue<LogEntry> _entries = new();

    public IReadOnlyList<LogEntry> Entries => [.. _entries];

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
        _entries.Enqueue(new LogEntry(logLevel, formatter(state, exception), exception));
}

public sealed record LogEntry(LogLevel Level, string Message, Exception? Exception);
