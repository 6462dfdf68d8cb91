using Akka.Streams;
using Akka.Streams.Stage;
using Confluent.Kafka;

namespace Pipelines.Kafka;

/// <summary>
/// A Kafka source over all of its assigned partitions, read through its buffer at the consumer actor. Emits when
/// downstream pulls and a record is buffered; never makes the consumer wait (a full buffer pauses the partition).
/// </summary>
/// <typeparam name="TKey">The key type.</typeparam>
/// <typeparam name="TValue">The value type.</typeparam>
/// <typeparam name="TOut">What the source emits per record.</typeparam>
internal sealed class KafkaSourceStage<TKey, TValue, TOut> : GraphStageWithMaterializedValue<SourceShape<TOut>, IControl>
{
    private readonly ConsumerStageContext<TKey, TValue> _context;
    private readonly Func<BufferedRecord<TKey, TValue>, TOut> _map;
    private readonly bool _atMostOnce;

    public KafkaSourceStage(ConsumerStageContext<TKey, TValue> context, Func<BufferedRecord<TKey, TValue>, TOut> map, bool atMostOnce)
    {
        _context = context;
        _map = map;
        _atMostOnce = atMostOnce;
        Shape = new SourceShape<TOut>(new Outlet<TOut>(context.Spec.Name + ".out"));
    }

    public override SourceShape<TOut> Shape { get; }

    protected override Attributes InitialAttributes => Attributes.CreateName(_context.Spec.Name);

    public override ILogicAndMaterializedValue<IControl> CreateLogicAndMaterializedValue(Attributes inheritedAttributes)
    {
        var control = new ConsumerControl();
        return new LogicAndMaterializedValue<IControl>(new Logic(this, control), control);
    }

    private sealed class Logic : ConsumerSourceLogic<TKey, TValue>
    {
        private readonly KafkaSourceStage<TKey, TValue, TOut> _stage;
        private readonly Outlet<TOut> _out;
        private ConsumerReader<TKey, TValue>? _reader;
        private ReadableWait? _wait;
        private Action<Exception>? _onFailed;
        private Action<TOut>? _onCommitted;
        private bool _committing;

        public Logic(KafkaSourceStage<TKey, TValue, TOut> stage, ConsumerControl control)
            : base(stage.Shape, stage._context, control)
        {
            _stage = stage;
            _out = stage.Shape.Outlet;
            SetHandler(_out, onPull: TryPush);
        }

        protected override void OnRegistered(SourceEndpoint<TKey, TValue> endpoint)
        {
            _onFailed = GetAsyncCallback<Exception>(FailStage);
            _onCommitted = GetAsyncCallback<TOut>(OnCommitted);
            _reader = endpoint.Reader!;
            _wait = new ReadableWait(() => _reader.WaitToReadAsync(), GetAsyncCallback<bool>(OnWaited), _onFailed);
            if (IsAvailable(_out))
            {
                TryPush();
            }
        }

        private void TryPush()
        {
            if (_committing || _reader is null)
            {
                return;
            }

            if (_reader.TryRead(out var record))
            {
                if (_stage._atMostOnce)
                {
                    CommitThenPush(record);
                }
                else
                {
                    Push(_out, _stage._map(record));
                }

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
                TryPush();
            }
        }

        private void CommitThenPush(BufferedRecord<TKey, TValue> record)
        {
            // At-most-once: the record's offset is committed before the record is emitted.
            _committing = true;
            var result = record.Result;
            var element = _stage._map(record);
            var onFailed = _onFailed!;
            var onCommitted = _onCommitted!;
            Endpoint!.Handle.CommitPositionAsync(new TopicPartitionOffset(result.TopicPartition, result.Offset.Value + 1), CancellationToken.None)
                .ContinueWith(
                    t =>
                    {
                        if (t.Exception is { } ex)
                        {
                            onFailed(ex.GetBaseException());
                        }
                        else
                        {
                            onCommitted(element);
                        }
                    },
                    CancellationToken.None,
                    TaskContinuationOptions.ExecuteSynchronously,
                    TaskScheduler.Default);
        }

        private void OnCommitted(TOut element)
        {
            _committing = false;
            Push(_out, element);
        }
    }
}
