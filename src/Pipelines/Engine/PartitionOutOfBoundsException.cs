namespace Pipelines.Engine;

/// <summary>Fails a Partition stage whose partitioner returned an index that does not name one of its outputs.</summary>
public sealed class PartitionOutOfBoundsException : Exception
{
    /// <summary>Creates the exception with a message naming the index, the element and the valid range.</summary>
    public PartitionOutOfBoundsException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with the default message.</summary>
    public PartitionOutOfBoundsException()
        : base("The partitioner returned an index outside the stage's outputs.")
    {
    }

    /// <summary>Creates the exception with a message and an inner exception.</summary>
    public PartitionOutOfBoundsException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
