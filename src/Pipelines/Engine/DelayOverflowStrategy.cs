namespace Pipelines.Engine;

/// <summary>
/// What <c>Delay</c> does when an element arrives while its buffer is full. The default,
/// <see cref="Backpressure"/>, never drops; every other strategy is an explicit choice to lose or fail.
/// </summary>
public enum DelayOverflowStrategy
{
    /// <summary>Stop pulling upstream until the oldest element was emitted (nothing is dropped).</summary>
    Backpressure,

    /// <summary>Drop the oldest buffered element to make room for the new one.</summary>
    DropHead,

    /// <summary>Drop the youngest buffered element to make room for the new one.</summary>
    DropTail,

    /// <summary>Drop the new element.</summary>
    DropNew,

    /// <summary>Drop every buffered element and keep only the new one.</summary>
    DropBuffer,

    /// <summary>Fail the stream with <see cref="BufferOverflowException"/>.</summary>
    Fail,
}
