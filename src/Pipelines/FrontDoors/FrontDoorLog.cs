using Microsoft.Extensions.Logging;

namespace Pipelines.FrontDoors;

/// <summary>The front doors' log messages.</summary>
internal static partial class FrontDoorLog
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Error, Message = "A failure handler of the producer for topic {Topic} threw; the failure was counted, the handler's exception is attached")]
    public static partial void HandlerFailed(ILogger logger, string topic, Exception exception);

    [LoggerMessage(EventId = 2, Level = LogLevel.Error, Message = "A message for topic {Topic} was not stored and no Failed handler is attached (ReturnErrors is off); it was counted, the reason is attached")]
    public static partial void UnhandledFailure(ILogger logger, string topic, Exception exception);
}
