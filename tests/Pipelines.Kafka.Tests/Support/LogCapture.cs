using System.Collections.Concurrent;
using Akka.Actor;
using Akka.Event;

namespace Pipelines.Kafka.Tests.Support;

/// <summary>
/// Keeps every log event of an actor system at or above the system's log level (level and formatted message), so a test
/// can wait for and assert on what the consumer or a stage logged.
/// </summary>
public sealed class LogCapture
{
    private readonly ConcurrentQueue<(LogLevel Level, string Message)> _entries = new();

    private LogCapture()
    {
    }

    public IReadOnlyList<(LogLevel Level, string Message)> Entries => [.. _entries];

    /// <summary>Subscribes a capture to <paramref name="system"/>'s event stream.</summary>
    public static LogCapture Start(ActorSystem system)
    {
        var capture = new LogCapture();
        var listener = system.ActorOf(Props.Create(() => new Listener(capture._entries)));
        system.EventStream.Subscribe(listener, typeof(LogEvent));
        return capture;
    }

    /// <summary>Whether an entry at <paramref name="level"/> contains <paramref name="text"/>.</summary>
    public bool Contains(LogLevel level, string text) =>
        _entries.Any(e => e.Level == level && e.Message.Contains(text, StringComparison.Ordinal));

    /// <summary>How many entries contain <paramref name="text"/>.</summary>
    public int Count(string text) => _entries.Count(e => e.Message.Contains(text, StringComparison.Ordinal));

    private sealed class Listener : ReceiveActor
    {
        public Listener(ConcurrentQueue<(LogLevel Level, string Message)> entries) =>
            Receive<LogEvent>(e => entries.Enqueue((e.LogLevel(), e.Message?.ToString() ?? string.Empty)));
    }
}
