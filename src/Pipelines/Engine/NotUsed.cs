namespace Pipelines.Engine;

/// <summary>The materialized value of graphs that produce nothing useful when run.</summary>
public sealed class NotUsed
{
    private NotUsed()
    {
    }

    /// <summary>The single instance.</summary>
    public static NotUsed Instance { get; } = new();

    /// <inheritdoc />
    public override string ToString() => "NotUsed";
}
