using Pipelines.Engine.Stage;

namespace Pipelines.Engine.Implementation;

/// <summary>An atomic stage in a blueprint: creates a logic and a (boxed) materialized value per materialization.</summary>
internal sealed class StageModule(Shape shape, Attributes attributes, Func<Attributes, (GraphStageLogic Logic, object? Mat)> factory, Type stageType) : Module
{
    public override Shape Shape => shape;

    public override Attributes Attributes => attributes;

    public Type StageType => stageType;

    public string DefaultName => StageType.Name.Split('`')[0];

    public (GraphStageLogic Logic, object? Mat) Create(Attributes effective) => factory(effective);

    public override Module WithAttributes(Attributes newAttributes) => new StageModule(shape, newAttributes, factory, stageType);

    public override string ToString() => Attributes.NameOrDefault(DefaultName);
}
