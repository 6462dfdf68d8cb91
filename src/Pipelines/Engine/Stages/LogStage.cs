using Microsoft.Extensions.Logging;
using Pipelines.Engine.Stage;

namespace Pipelines.Engine.Stages;

/// <summary>
/// Passes elements through and reports every element, the completion, the failure and the cancellation to the
/// materializer's logger. A failure is logged and then propagated, never swallowed. A throwing extractor is handled by
/// supervision like any user function (Resume and Restart drop the element).
/// </summary>
internal sealed class LogStage<T>(string name, Func<T, object?>? extract, LogLevels? levels) : GraphStage<FlowShape<T, T>>
{
    private readonly string _name = string.IsNullOrWhiteSpace(name) ? throw new ArgumentException("A log name is required.", nameof(name)) : name;
    private readonly Func<T, object?>? _extract = extract;
    private readonly LogLevels? _levels = levels;

    public override FlowShape<T, T> Shape { get; } = new(new Inlet<T>("Log.in"), new Outlet<T>("Log.out"));

    protected override GraphStageLogic CreateLogic(Attributes inheritedAttributes) =>
        new Logic(this, _levels ?? inheritedAttributes.Get(LogLevels.Default));

    private sealed class Logic : InAndOutGraphStageLogic
    {
        private readonly Inlet<T> _in;
        private readonly Outlet<T> _out;
        private readonly string _name;
        private readonly Func<T, object?>? _extract;
        private readonly LogLevels _levels;

        public Logic(LogStage<T> stage, LogLevels levels)
            : base(stage.Shape)
        {
            _in = stage.Shape.Inlet;
            _out = stage.Shape.Outlet;
            _name = stage._name;
            _extract = stage._extract;
            _levels = levels;
            SetHandlers(_in, _out, this);
        }

        public override void OnPush()
        {
            var element = Grab(_in);
            if (_levels.OnElement != LogLevel.None && Log.IsEnabled(_levels.OnElement))
            {
                Log.Log(_levels.OnElement, "[{Name}] Element: {Element}", _name, _extract is null ? element : _extract(element));
            }

            Push(_out, element);
        }

        public override void OnPull() => Pull(_in);

        public override void OnUpstreamFinish()
        {
            if (_levels.OnFinish != LogLevel.None)
            {
                Log.Log(_levels.OnFinish, "[{Name}] Upstream finished", _name);
            }

            CompleteStage();
        }

        public override void OnUpstreamFailure(Exception cause)
        {
            if (_levels.OnFailure != LogLevel.None)
            {
                Log.Log(_levels.OnFailure, cause, "[{Name}] Upstream failed: {Message}", _name, cause.Message);
            }

            FailStage(cause);
        }

        public override void OnDownstreamFinish(Exception? cause)
        {
            if (_levels.OnFinish != LogLevel.None)
            {
                Log.Log(_levels.OnFinish, cause, "[{Name}] Downstream finished", _name);
            }

            CancelStage(cause);
        }

        protected override void OnResume(Exception cause) => TryPull(_in);
    }
}
