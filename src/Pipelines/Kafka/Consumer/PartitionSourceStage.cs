using Akka.Streams;
using Akka.Streams.Stage;

namespace Pipelines.Kafka;

/// <summary>
/// The substream of one assigned partition: emits the partition's buffered records and completes when the partition is
/// revoked, lost or its source stops; fails with the consumer's failure. It reads a buffer that exists once, so it can be
/// materialized once.
/// </summary>
internal sealed class PartitionSourceStage<TKey, TValue, TOut> : GraphStage<SourceShape<TOut>>
{
    private readonly ConsumerReader<TKey, TValue> _reader;
    private readonly Func<BufferedRecord<TKey, TValue>, TOut> _map;
    private int _materialized;

    public PartitionSourceStage(ConsumerReader<TKey, TValue> reader, Func<BufferedRecord<TKey, TValue>, TOut> map, string name)
    {
        _reader = reader;
        _map = map;
        Shape = new SourceShape<TOut>(new Outlet<TOut>($"{name}.{reader.Partition!.Topic}-{reader.Partition.Partition.Value}.out"));
    }

    public override SourceShape<TOut> Shape { get; }

    protected override GraphStageLogic CreateLogic(Attributes inheritedAttributes)
    {
        if (Interlocked.Exchange(ref _materialized, 1) != 0)
        {
            throw new InvalidOperationException(
                $"The substream of partition {_reader.Partition} can be materialized only once: it reads the partition's buffer.");
        }

        return new Logic(this);
    }

    private sealed class Logic : GraphStageLogic
    {
        private readonly PartitionSourceStage<TKey, TValue, TOut> _stage;
        private readonly Outlet<TOut> _out;
        private ReadableWait? _wait;

        public Logic(PartitionSourceStage<TKey, TValue, TOut> stage)
            : base(stage.Shape)
        {
            _stage = stage;
            _out = stage.Shape.Outlet;
            SetHandler(_out, onPull: OnPull);
        }

        public override void PreStart() =>
            _wait = new ReadableWait(() => _stage._reader.WaitToReadAsync(), GetAsyncCallback<bool>(OnWaited), GetAsyncCallback<Exception>(FailStage));

        private void OnPull()
        {
            if (_stage._reader.TryRead(out var record))
            {
                Push(_out, _stage._map(record));
                return;
            }

            _wait!.Start();
        }

        private void OnWaited(bool more)
        {
            _wait!.Answered();
            if (!more)
            {
                CompleteStage();
            }
            else if (IsAvailable(_out))
            {
                OnPull();
            }
        }
    }
}
