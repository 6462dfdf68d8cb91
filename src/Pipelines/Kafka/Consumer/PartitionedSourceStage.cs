using Confluent.Kafka;
using Pipelines.Engine;
using Pipelines.Engine.Dsl;
using Pipelines.Engine.Stage;

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

    public PartitionedSourceStage(ConsumerStageContext<TKey, TValue> context, Func<BufferedRecord<TKey, TValue>, TOut> map, string name)
    {
        _context = context;
        _map = map;
        Name = name;
        Shape = new SourceShape<(TopicPartition, Source<TOut, NotUsed>)>(new Outlet<(TopicPartition, Source<TOut, NotUsed>)>(name + ".out"));
    }

    public override SourceShape<(TopicPartition Partition, Source<TOut, NotUsed> Records)> Shape { get; }

    private string Name { get; }

    protected override Attributes InitialAttributes => Attributes.Name(Name);

    public override (GraphStageLogic Logic, IControl MaterializedValue) CreateLogicAndMaterializedValue(Attributes inheritedAttributes)
    {
        var control = new ConsumerControl();
        return (new Logic(this, control), control);
    }

    private sealed class Logic : ConsumerSourceLogic<TKey, TValue>
    {
        private readonly PartitionedSourceStage<TKey, TValue, TOut> _stage;
        private readonly Outlet<(TopicPartition, Source<TOut, NotUsed>)> _out;
        private ReadableWait? _wait;

        public Logic(PartitionedSourceStage<TKey, TValue, TOut> stage, ConsumerControl control)
            : base(stage.Shape, stage._context, control)
        {
            _stage = stage;
            _out = stage.Shape.Outlet;
            SetHandler(_out, this);
        }

        public override void OnPull() => TryPush();

        protected override void Prepare(KafkaConsumerActor<TKey, TValue> actor)
        {
            var partitions = actor.AssignedPartitions!;
            _wait = new ReadableWait(() => partitions.WaitToReadAsync(), GetAsyncCallback<bool>(OnWaited), GetAsyncCallback<Exception>(FailStage));
        }

        private void TryPush()
        {
            var partitions = Actor.AssignedPartitions!;
            if (partitions.TryRead(out var reader))
            {
                var source = Source.FromGraph(new PartitionSourceStage<TKey, TValue, TOut>(reader, _stage._map, _stage.Name));
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
