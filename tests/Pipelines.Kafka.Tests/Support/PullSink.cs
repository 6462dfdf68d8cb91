using Pipelines.Streams.Stage;

namespace Pipelines.Kafka.Tests.Support;

/// <summary>
/// A sink that requests elements only when the test asks: <see cref="Probe.NextAsync"/> pulls one and returns it, so a test
/// controls demand exactly (a stalled consumer is a probe nobody asks).
/// </summary>
public sealed class PullSink<T> : GraphStageWithMaterializedValue<SinkShape<T>, PullSink<T>.Probe>
{
    public override SinkShape<T> Shape { get; } = new(new Inlet<T>("PullSink.in"));

    public override (GraphStageLogic Logic, Probe MaterializedValue) CreateLogicAndMaterializedValue(Attributes inheritedAttributes)
    {
        var probe = new Probe();
        return (new Logic(this, probe), probe);
    }

    public sealed class Probe
    {
        private readonly TaskCompletionSource<bool> _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private StageCallback<TaskCompletionSource<T>>? _request;

        /// <summary>Completes when the stream completed; faults with its failure.</summary>
        public TaskCompletionSource Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        /// <summary>Pulls one element and returns it (fails if the stream ends first).</summary>
        public async Task<T> NextAsync()
        {
            await _ready.Task;
            var next = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
            _request!.Invoke(next);
            return await next.Task;
        }

        internal void Ready(StageCallback<TaskCompletionSource<T>> request)
        {
            _request = request;
            _ready.TrySetResult(true);
        }
    }

    private sealed class Logic : InGraphStageLogic
    {
        private readonly Inlet<T> _in;
        private readonly Probe _probe;
        private TaskCompletionSource<T>? _waiting;

        public Logic(PullSink<T> stage, Probe probe)
            : base(stage.Shape)
        {
            _in = stage.Shape.Inlet;
            _probe = probe;
            SetHandler(_in, this);
        }

        protected internal override void PreStart() => _probe.Ready(GetAsyncCallback<TaskCompletionSource<T>>(request =>
        {
            _waiting = request;
            Pull(_in);
        }));

        public override void OnPush()
        {
            var waiting = _waiting!;
            _waiting = null;
            waiting.TrySetResult(Grab(_in));
        }

        public override void OnUpstreamFinish()
        {
            _waiting?.TrySetException(new InvalidOperationException("The stream completed."));
            _probe.Completion.TrySetResult();
            CompleteStage();
        }

        public override void OnUpstreamFailure(Exception cause)
        {
            _waiting?.TrySetException(cause);
            _probe.Completion.TrySetException(cause);
            FailStage(cause);
        }
    }
}
