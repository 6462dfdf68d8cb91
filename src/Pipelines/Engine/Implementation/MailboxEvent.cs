using Pipelines.Engine.Stage;

namespace Pipelines.Engine.Implementation;

/// <summary>
/// Something that happened outside an island (an async callback, a timer, a wake-up from a neighbouring island)
/// and must run inside it, on the owning stage, one event at a time.
/// </summary>
internal abstract class MailboxEvent
{
    /// <summary>The stage the event is for.</summary>
    public abstract GraphStageLogic Logic { get; }

    /// <summary>Runs the event inside the island; exceptions are routed to the stage by the interpreter.</summary>
    public abstract void Run();

    /// <summary>Called instead of <see cref="Run"/> when the stage stopped before the event could run.</summary>
    public virtual void Dropped()
    {
    }
}
