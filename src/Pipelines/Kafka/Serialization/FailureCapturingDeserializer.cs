using Confluent.Kafka;

namespace Pipelines.Kafka;

/// <summary>Runs an inner deserializer and turns its exceptions into failed <see cref="DeserializationResult{T}"/>s.</summary>
internal sealed class FailureCapturingDeserializer<T>(IDeserializer<T> inner) : IDeserializer<DeserializationResult<T>>
{
    public DeserializationResult<T> Deserialize(ReadOnlySpan<byte> data, bool isNull, SerializationContext context)
    {
        try
        {
            return DeserializationResult<T>.Success(inner.Deserialize(data, isNull, context));
        }
#pragma warning disable CA1031 // Every deserializer failure is captured by design: the failure travels with the record.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            return DeserializationResult<T>.Failed(new DeserializationFailure(context.Component, isNull ? null : data.ToArray(), ex));
        }
    }
}
