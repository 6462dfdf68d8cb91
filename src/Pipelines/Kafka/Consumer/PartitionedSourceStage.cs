using Akka;
using Akka.Streams;
using Akka.Streams.Dsl;
using Akka.Streams.Stage;
using Confluent.Kafka;

namespace Pipelines.Kafka;

/// <summary>
/// A Kafka source that emits one substream per assigned partition, as <c>(partition, source)</c>; a substream completes
/// when its partition is revoked or lost (its buffered records are dropped: the partition's new owner reads them).
/// </summary>
/// <typeparam name="TKey">The key type.</typeparam>
/// <typeparam name="TValue">The value type.</typeparam>
/// <typeparam name="TOut">What a substream emits per record.</typeparam>
internal sealed class PartitionedSourceStage<TKey, TValue, TOut>
    : GraphStageWithMaterializedValue<SourceShape<(TopicPartition Partition, Source<TOut, NotUsed> Records)>, IControl>
{
    private readonly ConsumerStageContext<TKey, TValue> _context;
    private readonly Func<BufferedRecord<TKey, TValue>, TOut> _map;

    public PartitionedSourceStage(ConsumerStageContext<TKey, TValue> context, Func<BufferedRecord<TKey, TValue>, TOut> map)
    {
        _context = context;
        _map = map;
        Shape = new SourceShape<(TopicPartition, Source<TOut, NotUsed>)>(new Outlet<(TopicPartition, Source<TOut, NotUsed>)>(context.Spec.Name + ".out"));
    }

    public override SourceShape<(TopicPartition Partition, Source<TOut, NotUsed> Records)> Shape { get; }

    protected override Attributes InitialAttributes => Attributes.CreateName(_context.Spec.Name);

    public override ILogicAndMaterializedValue<IControl> CreateLogicAndMaterializedValue(Attributes inheritedAttributes)
    {
        var control = new ConsumerControl();
        return new LogicAndMaterializedValue<IControl>(new Logic(this, control), control);
    }

    private sealed class Logic : ConsumerSourceLogic<TKey, TValue>
    {
        private readonly PartitionedSourceStage<TKey, TValue, TOut> _stage;
        private readonly Outlet<(TopicPartition, Source<TOut, NotUsed>)> _out;
        private System.Threading.Channels.ChannelReader<ConsumerReader<TKey, TValue>>? _partitions;
        private ReadableWait? _wait;

        public Logic(PartitionedSourceStage<TKey, TValue, TOut> stage, ConsumerControl control)
            : base(stage.Shape, stage._context, control)
        {
            _stage = stage;
            _out = stage.Shape.Outlet;
            SetHandler(_out, onPull: TryPush);
        }

        protected override void OnRegistered(SourceEndpoint<TKey, TValue> endpoint)
        {
            var partitions = _partitions = endpoint.AssignedPartitions!;
            _wait = new ReadableWait(() => partitions.WaitToReadAsync(), GetAsyncCallback<bool>(OnWaited), GetAsyncCallback<Exception>(FailStage));
            if (IsAvailable(_out))
            {
                TryPush();
            }
        }

        private void TryPush()
        {
            if (_partitions is null)
            {
                return;
            }

            if (_partitions.TryRead(out var reader))
            {
                var source = Source.FromGraph(new PartitionSourceStage<TKey, TValue, TOut>(reader, _stage._map, SourceName));
                Push(_out, (reader.Partition!, source));
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
    }
}
