namespace Pipelines.FrontDoors.Sarama;

/// <summary>Sarama's <c>ProducerErrors</c>: some messages of <see cref="SyncProducer.SendMessagesAsync"/> were not stored; <see cref="Errors"/> lists each with its reason.</summary>
public sealed class ProducerErrorsException : Exception
{
    /// <summary>Creates the exception for <paramref name="errors"/>.</summary>
    public ProducerErrorsException(IReadOnlyList<ProducerError> errors)
        : base(Describe(errors))
    {
        Errors = errors;
    }

    /// <summary>Creates the exception with a message and no errors (prefer the constructor that takes the errors).</summary>
    public ProducerErrorsException()
        : this([])
    {
    }

    /// <summary>Creates the exception with a message and no errors (prefer the constructor that takes the errors).</summary>
    public ProducerErrorsException(string message)
        : base(message)
    {
        Errors = [];
    }

    /// <summary>Creates the exception with a message and a cause (prefer the constructor that takes the errors).</summary>
    public ProducerErrorsException(string message, Exception innerException)
        : base(message, innerException)
    {
        Errors = [];
    }

    /// <summary>Each message that was not stored, with its reason.</summary>
    public IReadOnlyList<ProducerError> Errors { get; }

    private static string Describe(IReadOnlyList<ProducerError> errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        return errors.Count == 0
            ? "No message failed."
            : $"{errors.Count} message(s) were not stored; the first: {errors[0].Exception.Message}";
    }
}
