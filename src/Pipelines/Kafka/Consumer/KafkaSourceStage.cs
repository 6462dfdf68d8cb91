using Confluent.Kafka;
using Pipelines.Engine;
using Pipelines.Engine.Stage;

namespace Pipelines.Kafka;

/// <summary>
/// A Kafka source over all assigned partitions: one consumer per materialization, read through its buffer. Emits when
/// downstream pulls and a record is buffered; never makes the poll thread wait (a full buffer pauses the partition).
/// </summary>
/// <typeparam name="TKey">The key type.</typeparam>
/// <typeparam name="TValue">The value type.</typeparam>
/// <typeparam name="TOut">What the source emits per record.</typeparam>
internal sealed class KafkaSourceStage<TKey, TValue, TOut> : GraphStageWithMaterializedValue<SourceShape<TOut>, IControl>
{
    private readonly ConsumerStageContext<TKey, TValue> _context;
    private readonly Func<BufferedRecord<TKey, TValue>, TOut> _map;
    private readonly bool _atMostOnce;

    public KafkaSourceStage(ConsumerStageContext<TKey, TValue> context, Func<BufferedRecord<TKey, TValue>, TOut> map, bool atMostOnce, string name)
    {
        _context = context;
        _map = map;
        _atMostOnce = atMostOnce;
        Shape = new SourceShape<TOut>(new Outlet<TOut>(name + ".out"));
        Name = name;
    }

    public override SourceShape<TOut> Shape { get; }

    private string Name { get; }

    protected override Attributes InitialAttributes => Attributes.Name(Name);

    public override (GraphStageLogic Logic, IControl MaterializedValue) CreateLogicAndMaterializedValue(Attributes inheritedAttributes)
    {
        var control = new ConsumerControl();
        return (new Logic(this, control), control);
    }

    private sealed class Logic : ConsumerSourceLogic<TKey, TValue>
    {
        private readonly KafkaSourceStage<TKey, TValue, TOut> _stage;
        private readonly Outlet<TOut> _out;
        private ConsumerReader<TKey, TValue>? _reader;
        private ReadableWait? _wait;
        private StageCallback<Exception>? _onFailed;
        private StageCallback<TOut>? _onCommitted;
        private bool _committing;

        public Logic(KafkaSourceStage<TKey, TValue, TOut> stage, ConsumerControl control)
            : base(stage.Shape, stage._context, control)
        {
            _stage = stage;
            _out = stage.Shape.Outlet;
            SetHandler(_out, this);
        }

        public override void OnPull() => TryPush();

        protected override void Prepare(KafkaConsumerActor<TKey, TValue> actor)
        {
            _onFailed = GetAsyncCallback<Exception>(FailStage);
            _onCommitted = GetAsyncCallback<TOut>(OnCommitted);
            _reader = actor.Reader!;
            _wait = new ReadableWait(() => _reader.WaitToReadAsync(), GetAsyncCallback<bool>(OnWaited), _onFailed);
        }

        private void TryPush()
        {
            if (_committing)
            {
                return;
            }

            if (_reader!.TryRead(out var record))
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
            Actor.CommitPositionAsync(new TopicPartitionOffset(result.TopicPartition, result.Offset.Value + 1), CancellationToken.None)
                .ContinueWith(
                    t =>
                    {
                        if (t.Exception is { } ex)
                        {
                            _onFailed!.Invoke(ex.GetBaseException());
                        }
                        else
                        {
                            _onCommitted!.Invoke(element);
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
