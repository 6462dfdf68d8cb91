using Akka.Event;
using Microsoft.Extensions.Logging;
using AkkaLogLevel = Akka.Event.LogLevel;
using LogLevel = Microsoft.Extensions.Logging.LogLevel;

namespace Pipelines.Kafka;

/// <summary>
/// Lets the connector's source-generated log messages (<see cref="KafkaLog"/>, <see cref="ProducerLog"/>) go to an actor's
/// or a stage's Akka logging adapter, so they reach the actor system's loggers (and the TestKit's event filters).
/// </summary>
internal sealed class LoggingAdapterLogger(ILoggingAdapter adapter) : Microsoft.Extensions.Logging.ILogger
{
    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None && adapter.IsEnabled(ToAkka(logLevel));

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (!IsEnabled(logLevel))
        {
            return;
        }

        // The text is already formatted: passed as an argument, so braces in it are not read as a template.
        adapter.Log(ToAkka(logLevel), exception, "{0}", formatter(state, exception));
    }

    private static AkkaLogLevel ToAkka(LogLevel level) => level switch
    {
        LogLevel.Trace or LogLevel.Debug => AkkaLogLevel.DebugLevel,
        LogLevel.Information => AkkaLogLevel.InfoLevel,
        LogLevel.Warning => AkkaLogLevel.WarningLevel,
        _ => AkkaLogLevel.ErrorLevel,
    };
}
