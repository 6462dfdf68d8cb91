using System.Collections.Concurrent;
using Confluent.Kafka;

namespace Pipelines.Telemetry;

/// <summary>The names of Kafka error codes as <see cref="TagNames.ErrorType"/> values, made once per code.</summary>
internal static class ErrorCodeNames
{
    private static readonly ConcurrentDictionary<ErrorCode, string> Names = new();

    /// <summary>The code's name as Confluent.Kafka spells it (<c>RequestTimedOut</c>, <c>Local_MsgTimedOut</c>).</summary>
    public static string Of(ErrorCode code) => Names.GetOrAdd(code, static c => c.ToString());
}
