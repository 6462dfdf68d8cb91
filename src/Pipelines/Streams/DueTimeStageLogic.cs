using Akka.Event;
using Akka.Streams;
using Akka.Streams.Stage;
using Akka.Streams.Supervision;
using ITimeProvider = Akka.Actor.ITimeProvider;

namespace Pipelines.Streams;

/// <summary>
/// What the stages that hold elements until a due time share: the clock of the scheduler that runs their timers (so
/// that timers and clock agree: Akka.TestKit's <c>TestScheduler</c> in tests), and the due-time selector under the
/// stage's supervision.
/// </summary>
internal abstract class DueTimeStageLogic<T> : TimerGraphStageLogic
{
    private readonly string _stageName;
    private readonly Func<T, DateTimeOffset> _dueTimeSelector;
    private readonly Decider _decider;

    protected DueTimeStageLogic(Shape shape, string stageName, Func<T, DateTimeOffset> dueTimeSelector, Attributes inheritedAttributes)
        : base(shape)
    {
        _stageName = stageName;
        _dueTimeSelector = dueTimeSelector;
        _decider = inheritedAttributes.GetAttribute<ActorAttributes.SupervisionStrategy>()?.Decider ?? Deciders.StoppingDecider;
    }

    /// <summary>What became of an element's due time.</summary>
    protected enum Selection
    {
        /// <summary>The due time was read.</summary>
        Due,

        /// <summary>The selector failed and supervision resumes: the element is dropped (and logged).</summary>
        Dropped,

        /// <summary>The selector failed and the stage failed with it.</summary>
        Failed,
    }

    /// <summary>The scheduler's wall clock (<see cref="ITimeProvider.Now"/>), from <see cref="PreStart"/> on.</summary>
    protected ITimeProvider Clock { get; private set; } = null!;

    public override void PreStart() =>
        Clock = Materializer is ActorMaterializer materializer
            ? materializer.System.Scheduler
            : throw new InvalidOperationException(
                $"{_stageName} needs an ActorMaterializer (it reads the ActorSystem scheduler's clock), but runs on a {Materializer.GetType().Name}; materialize the graph with an ActorSystem's materializer.");

    /// <summary>Reads <paramref name="element"/>'s due time; a failing selector drops the element or fails the stage, as supervision decides.</summary>
    protected Selection SelectDueTime(T element, out DateTimeOffset due)
    {
        try
        {
            due = _dueTimeSelector(element);
            return Selection.Due;
        }
        catch (Exception ex)
        {
            due = default;
            var directive = _decider(ex);
            if (directive == Directive.Stop)
            {
                FailStage(ex);
                return Selection.Failed;
            }

            // The element is the only state the selector touched, so Resume and Restart both drop it.
            Log.Error(ex, "{0} dropped an element whose due-time selector failed. Supervision: {1}.", _stageName, directive);
            return Selection.Dropped;
        }
    }
}
