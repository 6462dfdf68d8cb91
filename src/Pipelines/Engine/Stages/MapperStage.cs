using Pipelines.Engine.Stage;

namespace Pipelines.Engine.Stages;

/// <summary>Base of the pure synchronous 1-to-0..1 operators; a new one only implements <see cref="CreateMapper"/>.</summary>
internal abstract class MapperStage<TIn, TOut>(string name) : GraphStage<FlowShape<TIn, TOut>>
{
    public override FlowShape<TIn, TOut> Shape { get; } = new(new Inlet<TIn>(name + ".in"), new Outlet<TOut>(name + ".out"));

    protected override Attributes InitialAttributes { get; } = Attributes.Name(name);

    protected override GraphStageLogic CreateLogic(Attributes inheritedAttributes) =>
        CreateMapper(inheritedAttributes.NameOrDefault(name), inheritedAttributes).CreateLogic();

    /// <summary>Creates the mapper for one materialization, with the stage's effective attributes (its supervision decider).</summary>
    protected abstract Mapper<TIn, TOut> CreateMapper(string stageName, Attributes attributes);
}
