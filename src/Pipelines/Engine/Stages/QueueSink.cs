using System.Threading.Channels;
using Pipelines.Engine.Stage;

namespace Pipelines.Engine.Stages;

/// <summary>
/// Materializes an <see cref="ISinkQueue{T}"/>: the stream fills a bounded channel of <c>bufferSize</c> elements (so it
/// runs ahead of the consumer by at most that many) and the consumer pulls from it.
/// </summary>
internal sealed class QueueSink<T> : GraphStageWithMaterializedValue<SinkShape<T>, ISinkQueue<T>>
{
    private readonly int _bufferSize;

    public QueueSink(int bufferSize)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(bufferSize);
        _bufferSize = bufferSize;
    }

    public override SinkShape<T> Shape { get; } = new(new Inlet<T>("Queue.in"));

    public override (GraphStageLogic Logic, ISinkQueue<T> MaterializedValue) CreateLogicAndMaterializedValue(Attributes inheritedAttributes)
    {
        var channel = Channel.CreateBounded<T>(new BoundedChannelOptions(_bufferSize)
        {
            SingleWriter = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
        var logic = new ChannelWriterLogic<T>(Shape, channel.Writer, completeWriter: true);

        // The channel is internal: its completion task faults with the stream's failure, which PullAsync reports; nobody
        // else can observe that task, so it must not count as unobserved.
        TaskCallbacks.Observed(channel.Reader.Completion);
        return (logic, new Queue(channel.Reader, logic.CancelCallback));
    }

    private sealed class Queue(ChannelReader<T> reader, StageCallback cancel) : ISinkQueue<T>
    {
        private volatile bool _cancelled;

        public ValueTask<Option<T>> PullAsync(CancellationToken cancellationToken = default)
        {
            if (_cancelled)
            {
                return ValueTask.FromResult(Option<T>.None);
            }

            return reader.TryRead(out var element) ? ValueTask.FromResult<Option<T>>(element) : PullSlowAsync(cancellationToken);
        }

        public void Cancel()
        {
            _cancelled = true;
            cancel.Invoke();
        }

        private async ValueTask<Option<T>> PullSlowAsync(CancellationToken cancellationToken)
        {
            while (await reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
            {
                if (_cancelled)
                {
                    break;
                }

                if (reader.TryRead(out var element))
                {
                    return element;
                }
            }

            return Option<T>.None;
        }
    }
}
