namespace Pipelines.Engine;

/// <summary>What a buffer does when it is full and another element arrives. Only <see cref="Backpressure"/> never drops data.</summary>
public enum OverflowStrategy
{
    /// <summary>Stop accepting elements until there is room (upstream is back-pressured); the default.</summary>
    Backpressure,

    /// <summary>Drop the oldest buffered element to make room.</summary>
    DropHead,

    /// <summary>Drop the newest buffered element to make room.</summary>
    DropTail,

    /// <summary>Drop the arriving element.</summary>
    DropNew,

    /// <summary>Drop every buffered element to make room.</summary>
    DropBuffer,

    /// <summary>Fail the stream with <see cref="BufferOverflowException"/>.</summary>
    Fail,
}
