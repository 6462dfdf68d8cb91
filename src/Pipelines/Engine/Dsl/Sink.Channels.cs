using System.Threading.Channels;
using Pipelines.Engine.Stages;

namespace Pipelines.Engine.Dsl;

public static partial class Sink
{
    /// <summary>
    /// Writes every element into <paramref name="writer"/>; the task completes once all were written.
    /// <para>Back-pressures when: the channel is full. Completes when: upstream completes (then completes the writer when
    /// <paramref name="completeWriter"/> is set). Fails when: upstream fails (the writer is completed with the failure when
    /// owned), or the writer was completed by someone else while elements remain (the element would be lost).
    /// Cancels when: never on its own.</para>
    /// </summary>
    public static Sink<T, Task> ChannelWriter<T>(ChannelWriter<T> writer, bool completeWriter = true) =>
        FromGraph(new ChannelWriterSink<T>(writer, completeWriter));

    /// <summary>
    /// Materializes an <see cref="ISinkQueue{T}"/> that code outside the stream pulls elements from.
    /// <para>Back-pressures when: <paramref name="bufferSize"/> elements wait to be pulled. Completes when: upstream
    /// completes (pulls return the buffered elements, then none). Fails when: upstream fails (pulls fail with its
    /// failure). Cancels when: <see cref="ISinkQueue{T}.Cancel"/> is called.</para>
    /// </summary>
    public static Sink<T, ISinkQueue<T>> Queue<T>(int bufferSize = 16) => FromGraph(new QueueSink<T>(bufferSize));
}
