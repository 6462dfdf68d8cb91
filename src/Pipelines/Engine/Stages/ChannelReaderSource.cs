using System.Threading.Channels;
using Pipelines.Engine.Stage;

namespace Pipelines.Engine.Stages;

/// <summary>
/// Emits the elements read from a <see cref="ChannelReader{T}"/> as downstream pulls. Reads synchronously while elements
/// are there and waits with <c>WaitToReadAsync</c> (allocating only then) when the channel is empty.
/// </summary>
internal sealed class ChannelReaderSource<T>(ChannelReader<T> reader) : GraphStage<SourceShape<T>>
{
    private readonly ChannelReader<T> _reader = reader ?? throw new ArgumentNullException(nameof(reader));

    public override SourceShape<T> Shape { get; } = new(new Outlet<T>("FromChannel.out"));

    protected override GraphStageLogic CreateLogic(Attributes inheritedAttributes) => new Logic(this);

    private sealed class Logic : OutGraphStageLogic
    {
        private readonly ChannelReader<T> _reader;
        private readonly Outlet<T> _out;
        private readonly CancellationTokenSource _stopping = new();
        private readonly StageCallback<bool> _onReadable;
        private readonly StageCallback<Exception> _onWaitFailed;
        private bool _waiting;

        public Logic(ChannelReaderSource<T> stage)
            : base(stage.Shape)
        {
            _reader = stage._reader;
            _out = stage.Shape.Outlet;
            _onReadable = GetAsyncCallback<bool>(OnReadable);
            _onWaitFailed = GetAsyncCallback<Exception>(FailStage);
            SetHandler(_out, this);
        }

        public override void OnPull()
        {
            if (_reader.TryRead(out var element))
            {
                Push(_out, element);
            }
            else if (!_waiting)
            {
                _waiting = true;
                _ = WaitToReadAsync();
            }
        }

        protected internal override void PostStop()
        {
            _stopping.Cancel();
            _stopping.Dispose();
        }

        private async Task WaitToReadAsync()
        {
            try
            {
                _onReadable.Invoke(await _reader.WaitToReadAsync(_stopping.Token).ConfigureAwait(false));
            }
            catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
            {
                // The stage stopped: nobody waits for elements any more.
            }
            catch (Exception ex)
            {
                // The channel was completed with this failure.
                _onWaitFailed.Invoke(ex);
            }
        }

        private void OnReadable(bool readable)
        {
            _waiting = false;
            if (!readable)
            {
                CompleteStage();
            }
            else if (IsAvailable(_out))
            {
                OnPull();
            }
        }
    }
}
