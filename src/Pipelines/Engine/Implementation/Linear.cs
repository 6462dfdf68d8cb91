using Pipelines.Engine.Stages;
using Pipelines.Engine.Stage;

namespace Pipelines.Engine.Implementation;

/// <summary>Helpers of the linear DSL (Via/To/MapMaterializedValue) over modules.</summary>
internal static class Linear
{
    public static Func<object?, object?, object?> Combine<T1, T2, T3>(Func<T1, T2, T3> combine) =>
        (left, right) => combine((T1)left!, (T2)right!);

    /// <summary>Wraps <paramref name="inner"/> with a new shape of the same port types and a transformed materialized value.</summary>
    public static Module MapMat(Module inner, Shape shape, Func<object?, object?> transform) =>
        new CompositeModule(
            shape,
            [inner],
            [],
            [.. Enumerable.Range(0, shape.Inlets.Count).Select(i => new PortRef(0, i))],
            [.. Enumerable.Range(0, shape.Outlets.Count).Select(i => new PortRef(0, i))],
            MatNode.Transform(MatNode.Child(0), transform),
            Attributes.None);

    /// <summary>Whether <paramref name="module"/> is <c>Flow.Create&lt;T&gt;()</c> with nothing added, which Via can skip.</summary>
    public static bool IsBareIdentity(Module module) =>
        module is StageModule { Attributes.Items.Count: 0 } stage
        && stage.StageType.IsGenericType
        && stage.StageType.GetGenericTypeDefinition() == typeof(IdentityStage<>);
}
