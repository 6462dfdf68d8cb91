namespace Pipelines.FrontDoors.Broker;

/// <summary>A message could not be encoded or decoded by a <see cref="BrokerCodec"/>; the message says which codec, which type and why.</summary>
public sealed class BrokerCodecException : Exception
{
    /// <summary>Creates the exception.</summary>
    public BrokerCodecException()
    {
    }

    /// <summary>Creates the exception with its message.</summary>
    public BrokerCodecException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with its message and cause.</summary>
    public BrokerCodecException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
