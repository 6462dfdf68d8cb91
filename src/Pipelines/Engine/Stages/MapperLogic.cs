using System.Runtime.CompilerServices;
using Pipelines.Engine.Implementation;
using Pipelines.Engine.Stage;

namespace Pipelines.Engine.Stages;

/// <summary>The logic of one mapper or of a fused run of mappers: pull, map, push (or pull again if nothing resulted).</summary>
internal sealed class MapperLogic<TIn, TOut> : InAndOutGraphStageLogic, IMapperLogic, ISyncBatchProducer<TOut>
{
    /// <summary>The most elements a batch moves through a run of mappers at once.</summary>
    public const int BatchSize = 128;

    // Elements a synchronous pull may drop (filtered out) before giving the thread back to the interpreter.
    private const int SyncDropBudget = 128;

    // Upstream batches one call may pull (when most elements are filtered out) before a pull is left outstanding instead.
    private const int BatchRounds = 8;

    private TIn[]? _batch;

    private readonly Inlet<TIn> _in;
    private readonly Outlet<TOut> _out;
    private readonly Mapper<TIn, TOut> _mapper;

    public MapperLogic(Mapper<TIn, TOut> mapper, string name)
        : this(new FlowShape<TIn, TOut>(new Inlet<TIn>(name + ".in"), new Outlet<TOut>(name + ".out")), mapper)
    {
    }

    private MapperLogic(FlowShape<TIn, TOut> shape, Mapper<TIn, TOut> mapper)
        : base(shape)
    {
        _in = shape.Inlet;
        _out = shape.Outlet;
        _mapper = mapper;
        SetHandlers(_in, _out, this);
    }

    public Mapper Mapper => _mapper;

    public override void OnPush()
    {
        if (_mapper.TryMap(Grab(_in), out var output))
        {
            Push(_out, output);
        }
        else
        {
            Pull(_in);
        }
    }

    public override void OnPull() => Pull(_in);

    public bool TryPullSync(out TOut element)
    {
        for (var budget = SyncDropBudget; budget > 0; budget--)
        {
            if (!PullSync(_in, out var input))
            {
                break;
            }

            if (_mapper.TryMap(input, out element))
            {
                return true;
            }

            if (budget == 1)
            {
                Pull(_in);
            }
        }

        element = default!;
        return false;
    }

    public int TryPullSyncBatch(Span<TOut> destination)
    {
        var input = _batch ??= new TIn[BatchSize];
        var produced = 0;
        for (var round = 0; round < BatchRounds; round++)
        {
            var want = Math.Min(input.Length, destination.Length - produced);
            var got = PullSyncBatch(_in, input.AsSpan(0, want));
            produced += _mapper.MapBatch(input.AsSpan(0, got), destination[produced..], out var failure);
            if (RuntimeHelpers.IsReferenceOrContainsReferences<TIn>())
            {
                input.AsSpan(0, got).Clear();
            }

            if (failure is not null)
            {
                // Supervision inside the mapper decided Stop; the elements mapped before the failure go first.
                FailStage(failure);
                return produced;
            }

            if (got < want || produced == destination.Length)
            {
                // Upstream's pull is outstanding (or it terminated), or the batch is full.
                return produced;
            }
        }

        // Most elements were filtered out for several batches: leave a pull outstanding and give the thread back.
        Pull(_in);
        return produced;
    }

    protected internal override void PreStart() => _mapper.Bind(Log);

    // Supervision already ran inside the mapper: a failure that gets here was decided Stop (the default OnResume fails the stage).
}

/// <summary>Marks logics that can be fused with a neighbouring mapper logic.</summary>
internal interface IMapperLogic
{
    Mapper Mapper { get; }
}
