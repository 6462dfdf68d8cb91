using System.Threading.Channels;
using Pipelines.Engine.Stages;

namespace Pipelines.Engine.Dsl;

public static partial class Source
{
    /// <summary>
    /// Emits the elements read from <paramref name="reader"/>.
    /// <para>Emits when: downstream pulls and an element is in the channel. Back-pressures when: downstream back-pressures
    /// (nothing is read ahead). Completes when: the channel is completed and drained. Fails when: the channel is
    /// completed with an error. Cancels when: downstream cancels (the channel itself is left as it is).</para>
    /// </summary>
    public static Source<T, NotUsed> FromChannel<T>(ChannelReader<T> reader) => FromGraph(new ChannelReaderSource<T>(reader));
}
