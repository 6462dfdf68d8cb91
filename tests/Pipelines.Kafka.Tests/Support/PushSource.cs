using Pipelines.Streams.Stage;

namespace Pipelines.Kafka.Tests.Support;

/// <summary>A source the test feeds by hand: elements wait in the probe until downstream pulls; the test completes or fails it.</summary>
public sealed class PushSource<T> : GraphStageWithMaterializedValue<SourceShape<T>, PushSource<T>.Probe>
{
    public override SourceShape<T> Shape { get; } = new(new Outlet<T>("PushSource.out"));

    public override (GraphStageLogic Logic, Probe MaterializedValue) CreateLogicAndMaterializedValue(Attributes inheritedAttributes)
    {
        var probe = new Probe();
        return (new Logic(this, probe), probe);
    }

    public sealed class Probe
    {
        private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private StageCallback<Command>? _command;

        /// <summary>Elements pulled by downstream so far.</summary>
        public int Pulled => Volatile.Read(ref PulledCount);

        internal int PulledCount;

        public async Task PushAsync(params T[] elements)
        {
            await _ready.Task;
            foreach (var element in elements)
            {
                _command!.Invoke(new Command(element, false, null));
            }
        }

        public async Task CompleteAsync()
        {
            await _ready.Task;
            _command!.Invoke(new Command(default!, true, null));
        }

        public async Task FailAsync(Exception cause)
        {
            await _ready.Task;
            _command!.Invoke(new Command(default!, false, cause));
        }

        internal void Ready(StageCallback<Command> command)
        {
            _command = command;
            _ready.TrySetResult();
        }
    }

    internal sealed record Command(T Element, bool Complete, Exception? Failure);

    private sealed class Logic : OutGraphStageLogic
    {
        private readonly Outlet<T> _out;
        private readonly Probe _probe;
        private readonly Queue<T> _pending = new();
        private bool _completing;

        public Logic(PushSource<T> stage, Probe probe)
            : base(stage.Shape)
        {
            _out = stage.Shape.Outlet;
            _probe = probe;
            SetHandler(_out, this);
        }

        protected internal override void PreStart() => _probe.Ready(GetAsyncCallback<Command>(OnCommand));

        public override void OnPull() => Drain();

        private void OnCommand(Command command)
        {
            if (command.Failure is not null)
            {
                FailStage(command.Failure);
                return;
            }

            if (command.Complete)
            {
                _completing = true;
            }
            else
            {
                _pending.Enqueue(command.Element);
            }

            Drain();
        }

        private void Drain()
        {
            if (_pending.Count > 0 && IsAvailable(_out))
            {
                Interlocked.Increment(ref _probe.PulledCount);
                Push(_out, _pending.Dequeue());
            }

            if (_completing && _pending.Count == 0)
            {
                CompleteStage();
            }
        }
    }
}
