using Microsoft.Extensions.Logging;
using Pipelines.Engine.Implementation;
using Pipelines.Engine.Stage;

namespace Pipelines.Engine.Stages;

/// <summary>Emits the elements of an <see cref="IEnumerable{T}"/>, enumerating it afresh for each materialization.</summary>
internal sealed class EnumerableSource<T>(IEnumerable<T> elements) : GraphStage<SourceShape<T>>
{
    private readonly IEnumerable<T> _elements = elements ?? throw new ArgumentNullException(nameof(elements));

    public override SourceShape<T> Shape { get; } = new(new Outlet<T>("From.out"));

    protected override GraphStageLogic CreateLogic(Attributes inheritedAttributes) => new Logic(this);

    private sealed class Logic : OutGraphStageLogic, ISyncBatchProducer<T>
    {
        private readonly EnumerableSource<T> _stage;
        private readonly Outlet<T> _out;
        private IEnumerator<T>? _enumerator;

        public Logic(EnumerableSource<T> stage)
            : base(stage.Shape)
        {
            _stage = stage;
            _out = stage.Shape.Outlet;
            SetHandler(_out, this);
        }

        public override void OnPull()
        {
            if (TryPullSync(out var element))
            {
                Push(_out, element);
            }
        }

        public bool TryPullSync(out T element)
        {
            if (_enumerator!.MoveNext())
            {
                element = _enumerator.Current;
                return true;
            }

            element = default!;
            CompleteStage();
            return false;
        }

        public int TryPullSyncBatch(Span<T> destination)
        {
            var count = 0;
            bool more;
            try
            {
                more = Fill(_enumerator!, destination, ref count);
            }
            catch (Exception ex) when (count > 0)
            {
                // The elements before the failure are delivered first (a throw before any element is the caller's).
                HandleSupervisedFailure(ex);
                return count;
            }

            if (!more)
            {
                CompleteStage();
            }

            return count;
        }

        // Without a try of its own, so the JIT keeps the loop in registers; the count is published for the failure path.
        private static bool Fill(IEnumerator<T> enumerator, Span<T> destination, ref int count)
        {
            for (var i = 0; i < destination.Length; i++)
            {
                if (!enumerator.MoveNext())
                {
                    count = i;
                    return false;
                }

                destination[i] = enumerator.Current;
                count = i + 1;
            }

            return true;
        }

        protected internal override void PreStart() => _enumerator = _stage._elements.GetEnumerator();

        protected internal override void PostStop()
        {
            try
            {
                _enumerator?.Dispose();
            }
            catch (Exception ex)
            {
                Log.LogError(ex, "Disposing the enumerator of {Stage} failed", this);
            }
        }
    }
}
