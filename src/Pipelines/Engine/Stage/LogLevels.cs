using Microsoft.Extensions.Logging;

namespace Pipelines.Engine.Stage;

/// <summary>
/// The levels at which the <c>Log</c> operator reports elements, completion (and cancellation) and failure; attach it
/// with <c>Attributes.Create(new LogLevels(...))</c> or pass it to <c>Log</c>. <see cref="LogLevel.None"/> silences a kind.
/// </summary>
/// <param name="OnElement">The level of each element's line; defaults to <see cref="LogLevel.Debug"/>.</param>
/// <param name="OnFinish">The level of the completion and cancellation lines; defaults to <see cref="LogLevel.Debug"/>.</param>
/// <param name="OnFailure">The level of the failure line; defaults to <see cref="LogLevel.Error"/>.</param>
public sealed record LogLevels(LogLevel OnElement = LogLevel.Debug, LogLevel OnFinish = LogLevel.Debug, LogLevel OnFailure = LogLevel.Error) : IAttribute
{
    /// <summary>The levels used when none are given: elements and completion at Debug, failure at Error.</summary>
    public static LogLevels Default { get; } = new();
}
