using Pipelines.Streams.Stage;

namespace Pipelines.Kafka;

/// <summary>
/// The substream of one assigned partition: emits the partition's buffered records and completes when the partition is
/// revoked, lost or the consumer stops. It reads a buffer that exists once, so it can be materialized once.
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

    private sealed class Logic : OutGraphStageLogic
    {
        private readonly PartitionSourceStage<TKey, TValue, TOut> _stage;
        private readonly Outlet<TOut> _out;
        private StageCallback<bool>? _onWaited;
        private StageCallback<Exception>? _onFailed;
        private bool _waiting;

        public Logic(PartitionSourceStage<TKey, TValue, TOut> stage)
            : base(stage.Shape)
        {
            _stage = stage;
            _out = stage.Shape.Outlet;
            SetHandler(_out, this);
        }

        public override void OnPull()
        {
            var reader = _stage._reader;
            if (reader.TryRead(out var record))
            {
                Push(_out, _stage._map(record));
                return;
            }

            if (!_waiting)
            {
                _waiting = true;
                _ = WaitAsync();
            }
        }

        protected internal override void PreStart()
        {
            _onWaited = GetAsyncCallback<bool>(OnWaited);
            _onFailed = GetAsyncCallback<Exception>(FailStage);
        }

        private async Task WaitAsync()
        {
            try
            {
                var more = await _stage._reader.WaitToReadAsync().ConfigureAwait(false);
                _onWaited!.Invoke(more);
            }
#pragma warning disable CA1031 // The consumer's failure is handed to the stage, which fails the substream with it.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                _onFailed!.Invoke(ex);
            }
        }

        private void OnWaited(bool more)
        {
            _waiting = false;
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
