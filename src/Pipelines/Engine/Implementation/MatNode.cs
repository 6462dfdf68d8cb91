namespace Pipelines.Engine.Implementation;

/// <summary>How a composite computes its materialized value from its children's (Keep.Left/Right/Both, MapMaterializedValue).</summary>
internal abstract class MatNode
{
    public abstract object? Evaluate(object?[] childValues);

    public static MatNode Child(int index) => new ChildNode(index);

    public static MatNode Combine(MatNode left, MatNode right, Func<object?, object?, object?> combine) => new CombineNode(left, right, combine);

    public static MatNode Transform(MatNode inner, Func<object?, object?> transform) => new TransformNode(inner, transform);

    public static MatNode Constant(object? value) => new ConstantNode(value);

    private sealed class ChildNode(int index) : MatNode
    {
        public override object? Evaluate(object?[] childValues) => childValues[index];
    }

    private sealed class CombineNode(MatNode left, MatNode right, Func<object?, object?, object?> combine) : MatNode
    {
        public override object? Evaluate(object?[] childValues) => combine(left.Evaluate(childValues), right.Evaluate(childValues));
    }

    private sealed class TransformNode(MatNode inner, Func<object?, object?> transform) : MatNode
    {
        public override object? Evaluate(object?[] childValues) => transform(inner.Evaluate(childValues));
    }

    private sealed class ConstantNode(object? value) : MatNode
    {
        public override object? Evaluate(object?[] childValues) => value;
    }
}
