using System.Threading.Channels;
using Pipelines.Engine.Stage;

namespace Pipelines.Engine.Stages;

/// <summary>Writes the stream into a channel writer; the task completes when every element was written.</summary>
internal sealed class ChannelWriterSink<T>(ChannelWriter<T> writer, bool completeWriter) : GraphStageWithMaterializedValue<SinkShape<T>, Task>
{
    private readonly ChannelWriter<T> _writer = writer ?? throw new ArgumentNullException(nameof(writer));

    public override SinkShape<T> Shape { get; } = new(new Inlet<T>("ChannelWriter.in"));

    public override (GraphStageLogic Logic, Task MaterializedValue) CreateLogicAndMaterializedValue(Attributes inheritedAttributes)
    {
        var logic = new ChannelWriterLogic<T>(Shape, _writer, completeWriter);
        return (logic, logic.Promise.Task);
    }
}
