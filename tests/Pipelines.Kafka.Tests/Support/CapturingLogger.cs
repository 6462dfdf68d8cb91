using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Pipelines.Kafka.Tests.Support;

/// <summary>Keeps every log entry (level and message) so a test can wait for and assert on what was logged.</summary>
public sealed class CapturingLogger : ILogger
{
    private readonly ConcurrentQueue<(LogLevel Level, string Message)> _entries = new();

    public IReadOnlyList<(LogLevel Level, string Message)> Entries => [.. _entries];

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (IsEnabled(logLevel))
        {
            _entries.Enqueue((logLevel, formatter(state, exception)));
        }
    }
}
