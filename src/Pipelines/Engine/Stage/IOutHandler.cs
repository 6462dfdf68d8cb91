namespace Pipelines.Engine.Stage;

/// <summary>Receives the signals of one outlet; every call runs inside the stage's island, one at a time.</summary>
public interface IOutHandler
{
    /// <summary>Downstream requested one element; the outlet may now be pushed once.</summary>
    void OnPull();

    /// <summary>Downstream cancelled: it needs no more elements. The usual reaction is to complete the stage.</summary>
    /// <param name="cause"><see langword="null"/> when downstream simply needs no more elements; otherwise the failure that made it cancel.</param>
    void OnDownstreamFinish(Exception? cause);
}
