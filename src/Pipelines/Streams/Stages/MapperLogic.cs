using Pipelines.Streams.Implementation;
using Pipelines.Streams.Stage;

namespace Pipelines.Streams.Stages;

/// <summary>The logic of one mapper or of a fused run of mappers: pull, map, push (or pull again if nothing resulted).</summary>
internal sealed class MapperLogic<TIn, TOut> : InAndOutGraphStageLogic, IMapperLogic, ISyncProducer<TOut>
{
    // Elements a synchronous pull may drop (filtered out) before giving the thread back to the interpreter.
    private const int SyncDropBudget = 128;

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

    protected internal override void PreStart() => _mapper.Bind(Log);

    // Supervision already ran inside the mapper: a failure that gets here was decided Stop (the default OnResume fails the stage).
}

/// <summary>Marks logics that can be fused with a neighbouring mapper logic.</summary>
internal interface IMapperLogic
{
    Mapper Mapper { get; }
}
