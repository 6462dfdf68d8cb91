using Microsoft.Extensions.Logging;
using Pipelines.Engine.Implementation;
using Pipelines.Engine.Stage;

namespace Pipelines.Engine.Stages;

/// <summary>
/// Emits the elements of an <see cref="IAsyncEnumerable{T}"/>, enumerating it afresh for each materialization. When the
/// stage stops, the enumeration is cancelled and the enumerator disposed (after any pending <c>MoveNextAsync</c>).
/// </summary>
internal sealed class AsyncEnumerableSource<T>(IAsyncEnumerable<T> elements) : GraphStage<SourceShape<T>>
{
    private readonly IAsyncEnumerable<T> _elements = elements ?? throw new ArgumentNullException(nameof(elements));

    public override SourceShape<T> Shape { get; } = new(new Outlet<T>("FromAsyncEnumerable.out"));

    protected override GraphStageLogic CreateLogic(Attributes inheritedAttributes) => new Logic(this);

    private sealed class Logic : OutGraphStageLogic
    {
        private readonly AsyncEnumerableSource<T> _stage;
        private readonly Outlet<T> _out;
        private readonly CancellationTokenSource _cancellation = new();
        private IAsyncEnumerator<T>? _enumerator;
        private MoveNextEvent? _pending;

        public Logic(AsyncEnumerableSource<T> stage)
            : base(stage.Shape)
        {
            _stage = stage;
            _out = stage.Shape.Outlet;
            SetHandler(_out, this);
        }

        public override void OnPull()
        {
            var moveNext = _enumerator!.MoveNextAsync();
            if (moveNext.IsCompletedSuccessfully)
            {
                OnMoved(moveNext.Result);
                return;
            }

            var pending = new MoveNextEvent(this, moveNext.AsTask());
            _pending = pending;
            pending.Listen();
        }

        protected internal override void PreStart() => _enumerator = _stage._elements.GetAsyncEnumerator(_cancellation.Token);

        protected internal override void PostStop()
        {
            _cancellation.Cancel();
            if (_pending is null)
            {
                _ = DisposeEnumeratorAsync(_enumerator, Log, this);
            }

            // Otherwise the pending MoveNextAsync disposes the enumerator when it completes (see MoveNextEvent.Dropped).
        }

        private void OnMoved(bool hasNext)
        {
            if (hasNext)
            {
                Push(_out, _enumerator!.Current);
            }
            else
            {
                CompleteStage();
            }
        }

        // Never throws: a failure to dispose is logged, so the discarded task cannot fault unobserved.
        private static async Task DisposeEnumeratorAsync(IAsyncEnumerator<T>? enumerator, ILogger log, Logic owner)
        {
            if (enumerator is null)
            {
                return;
            }

            try
            {
                await enumerator.DisposeAsync().ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                log.LogError(ex, "Disposing the async enumerator of {Stage} failed", owner);
            }
        }

        private sealed class MoveNextEvent(Logic logic, Task<bool> moveNext) : MailboxEvent
        {
            public override GraphStageLogic Logic => logic;

            private Logic Owner => logic;

            public void Listen() =>
                moveNext.ContinueWith(
                    static (t, state) =>
                    {
                        _ = t.Exception;
                        var ev = (MoveNextEvent)state!;
                        ev.Owner.Post(ev);
                    },
                    this,
                    CancellationToken.None,
                    TaskContinuationOptions.ExecuteSynchronously,
                    TaskScheduler.Default);

            public override void Run()
            {
                logic._pending = null;
                if (moveNext.IsCompletedSuccessfully)
                {
                    logic.OnMoved(moveNext.Result);
                }
                else
                {
                    logic.FailStage(TaskCallbacks.FailureOf(moveNext));
                }
            }

            public override void Dropped() => _ = DisposeEnumeratorAsync(logic._enumerator, logic.Log, logic);
        }
    }
}
