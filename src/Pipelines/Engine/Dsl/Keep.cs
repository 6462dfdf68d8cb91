namespace Pipelines.Engine.Dsl;

/// <summary>Combiners for materialized values, passed to <c>ViaMaterialized</c>/<c>ToMaterialized</c>.</summary>
public static class Keep
{
    /// <summary>Keeps the left (upstream) value.</summary>
    public static TLeft Left<TLeft, TRight>(TLeft left, TRight right) => left;

    /// <summary>Keeps the right (downstream) value.</summary>
    public static TRight Right<TLeft, TRight>(TLeft left, TRight right) => right;

    /// <summary>Keeps both values as a tuple.</summary>
    public static (TLeft Left, TRight Right) Both<TLeft, TRight>(TLeft left, TRight right) => (left, right);

    /// <summary>Keeps neither value.</summary>
    public static NotUsed None<TLeft, TRight>(TLeft left, TRight right) => NotUsed.Instance;
}
