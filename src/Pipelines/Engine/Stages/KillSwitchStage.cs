using Pipelines.Engine.Implementation;
using Pipelines.Engine.Stage;

namespace Pipelines.Engine.Stages;

/// <summary>Passes elements through until its materialized <see cref="UniqueKillSwitch"/> shuts it down (complete) or aborts it (fail).</summary>
internal sealed class KillSwitchStage<T> : GraphStageWithMaterializedValue<FlowShape<T, T>, UniqueKillSwitch>
{
    public override FlowShape<T, T> Shape { get; } = new(new Inlet<T>("KillSwitch.in"), new Outlet<T>("KillSwitch.out"));

    public override (GraphStageLogic Logic, UniqueKillSwitch MaterializedValue) CreateLogicAndMaterializedValue(Attributes inheritedAttributes)
    {
        var logic = new Logic(Shape);
        return (logic, logic.Switch);
    }

    private sealed class Logic : InAndOutGraphStageLogic, ISyncProducer<T>
    {
        private readonly Inlet<T> _in;
        private readonly Outlet<T> _out;

        public Logic(FlowShape<T, T> shape)
            : base(shape)
        {
            _in = shape.Inlet;
            _out = shape.Outlet;
            SetHandlers(_in, _out, this);
            Switch = new UniqueKillSwitch(GetAsyncCallback(CompleteStage), GetAsyncCallback<Exception>(FailStage));
        }

        public UniqueKillSwitch Switch { get; }

        public override void OnPush() => Push(_out, Grab(_in));

        public override void OnPull() => Pull(_in);

        public bool TryPullSync(out T element) => PullSync(_in, out element);
    }
}
