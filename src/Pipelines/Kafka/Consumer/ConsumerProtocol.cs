using Akka.Event;

namespace Pipelines.Kafka;

/// <summary>The messages between the consumer actor, its sources' stages and itself. Records never travel as messages.</summary>
internal static class ConsumerProtocol
{
    /// <summary>
    /// The actor's next poll turn; sent to itself after each turn, so the mailbox is served between polls. The one in flight
    /// when the actor stops is expected to be a dead letter.
    /// </summary>
    internal sealed class Poll : IDeadLetterSuppression
    {
        public static readonly Poll Instance = new();

        private Poll()
        {
        }
    }

    /// <summary>
    /// A source stage registers (the sender is its stage actor), reading keys and values of the given types; answered with
    /// <see cref="SourceRegistered"/> or <see cref="RegistrationFailed"/>.
    /// </summary>
    internal sealed record RegisterSource(SourceSpec Spec, Type KeyType, Type ValueType);

    /// <summary>The source is registered: its buffers and the consumer's handle.</summary>
    internal sealed record SourceRegistered(SourceEndpoint Endpoint);

    /// <summary>The source cannot be served; <paramref name="Cause"/> says why.</summary>
    internal sealed record RegistrationFailed(Exception Cause);

    /// <summary>The source stopped emitting; it leaves after its stop-timeout (<paramref name="Leave"/>), or when it asks.</summary>
    internal sealed record StopSource(int Id, bool Leave);

    /// <summary>The source leaves: its processed offsets are committed and its partitions given up; the last source closes the consumer.</summary>
    internal sealed record LeaveSource(int Id) : IDeadLetterSuppression;
}
