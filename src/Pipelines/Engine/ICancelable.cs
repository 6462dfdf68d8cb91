namespace Pipelines.Engine;

/// <summary>Stops something that runs on its own, such as <c>Source.Tick</c>.</summary>
public interface ICancelable
{
    /// <summary>Whether <see cref="Cancel"/> was called.</summary>
    bool IsCancelled { get; }

    /// <summary>Stops it; calling it again has no effect.</summary>
    void Cancel();
}
