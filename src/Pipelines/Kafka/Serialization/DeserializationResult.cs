namespace Pipelines.Kafka;

/// <summary>
/// A key or value produced by a failure-capturing deserializer (<see cref="KafkaDeserializers.CaptureFailures{T}"/>):
/// either the value, or the failure with the raw bytes. The record stays in the stream, so the graph can route failures
/// to a dead-letter topic instead of failing.
/// </summary>
/// <typeparam name="T">The deserialized type.</typeparam>
public readonly struct DeserializationResult<T>
{
    private readonly T _value;

    private DeserializationResult(T value, DeserializationFailure? failure)
    {
        _value = value;
        Failure = failure;
    }

    /// <summary>Whether deserialization succeeded.</summary>
    public bool IsSuccess => Failure is null;

    /// <summary>The failure, or <see langword="null"/> on success.</summary>
    public DeserializationFailure? Failure { get; }

    /// <summary>The deserialized value.</summary>
    /// <exception cref="InvalidOperationException">Deserialization failed (the exception carries the cause).</exception>
    public T Value => Failure is null
        ? _value
        : throw new InvalidOperationException($"The {Failure.Component.ToString().ToLowerInvariant()} could not be deserialized; check Failure before reading Value.", Failure.Exception);

    /// <summary>A successful result.</summary>
    /// <param name="value">The value.</param>
    public static DeserializationResult<T> Success(T value) => new(value, null);

    /// <summary>A failed result.</summary>
    /// <param name="failure">The failure.</param>
    public static DeserializationResult<T> Failed(DeserializationFailure failure)
    {
        ArgumentNullException.ThrowIfNull(failure);
        return new(default!, failure);
    }

    /// <inheritdoc />
    public override string ToString() => IsSuccess ? $"Success({_value})" : $"Failed({Failure!.Exception.Message})";
}
