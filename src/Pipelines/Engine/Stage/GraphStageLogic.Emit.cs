namespace Pipelines.Engine.Stage;

public abstract partial class GraphStageLogic
{
    private IEmitting?[]? _emitting;

    /// <summary>
    /// Emits <paramref name="element"/> as soon as downstream pulls (at once if it already did), then runs
    /// <paramref name="andThen"/>. Until then the outlet's handler is replaced; completing the outlet waits for pending
    /// emissions, so <c>Emit(out, last); CompleteStage();</c> delivers <c>last</c> first.
    /// </summary>
    protected void Emit<T>(Outlet<T> outlet, T element, Action? andThen = null)
    {
        if (_emitting?[outlet.Id] is Emitting<T> pending)
        {
            pending.Enqueue(element, andThen);
            return;
        }

        if (IsAvailable(outlet))
        {
            Push(outlet, element);
            andThen?.Invoke();
            return;
        }

        var emitting = StartEmitting(outlet);
        emitting.Enqueue(element, andThen);
    }

    /// <summary>Emits every element of <paramref name="elements"/> in order as downstream pulls, then runs <paramref name="andThen"/>.</summary>
    protected void EmitMultiple<T>(Outlet<T> outlet, IEnumerable<T> elements, Action? andThen = null)
    {
        ArgumentNullException.ThrowIfNull(elements);
        using var enumerator = elements.GetEnumerator();
        if (!enumerator.MoveNext())
        {
            andThen?.Invoke();
            return;
        }

        var current = enumerator.Current;
        while (enumerator.MoveNext())
        {
            Emit(outlet, current);
            current = enumerator.Current;
        }

        Emit(outlet, current, andThen);
    }

    /// <summary>Whether elements are waiting to be emitted on <paramref name="outlet"/>.</summary>
    protected bool IsEmitting(Outlet outlet) => _emitting?[outlet.Id] is not null;

    private Emitting<T> StartEmitting<T>(Outlet<T> outlet)
    {
        _emitting ??= new IEmitting?[Shape.Outlets.Count];
        var emitting = new Emitting<T>(this, outlet, GetHandler(outlet));
        _emitting[outlet.Id] = emitting;
        SetHandler(outlet, emitting);
        return emitting;
    }

    private bool TryDeferCompletion(Outlet outlet)
    {
        if (_emitting?[outlet.Id] is { } emitting)
        {
            emitting.CompleteWhenDone = true;
            return true;
        }

        return false;
    }

    private void AbandonEmitting(Outlet outlet)
    {
        if (_emitting?[outlet.Id] is { } emitting)
        {
            _emitting[outlet.Id] = null;
            SetHandler(outlet, emitting.Previous);
        }
    }

    private interface IEmitting
    {
        IOutHandler Previous { get; }

        bool CompleteWhenDone { get; set; }
    }

    private sealed class Emitting<T>(GraphStageLogic logic, Outlet<T> outlet, IOutHandler previous) : IOutHandler, IEmitting
    {
        private readonly Queue<(T Element, Action? AndThen)> _pending = new();

        public IOutHandler Previous => previous;

        public bool CompleteWhenDone { get; set; }

        public void Enqueue(T element, Action? andThen) => _pending.Enqueue((element, andThen));

        public void OnPull()
        {
            var (element, andThen) = _pending.Dequeue();
            logic.Push(outlet, element);
            if (_pending.Count == 0)
            {
                logic.AbandonEmitting(outlet);
                andThen?.Invoke();
                if (CompleteWhenDone)
                {
                    logic.Complete(outlet);
                }
            }
            else
            {
                andThen?.Invoke();
            }
        }

        public void OnDownstreamFinish(Exception? cause)
        {
            logic.AbandonEmitting(outlet);
            previous.OnDownstreamFinish(cause);
        }
    }
}
