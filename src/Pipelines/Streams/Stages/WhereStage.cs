using Pipelines.Streams.Stage;

namespace Pipelines.Streams.Stages;

/// <summary>Passes only the elements that satisfy a predicate (LINQ Where, Akka filter). Resume/Restart drop the failing element.</summary>
internal sealed class WhereStage<T>(Func<T, bool> predicate) : MapperStage<T, T>("Where")
{
    private readonly Func<T, bool> _predicate = predicate ?? throw new ArgumentNullException(nameof(predicate));

    protected override Mapper<T, T> CreateMapper(string stageName, Attributes attributes) => new WhereMapper(_predicate, stageName, attributes);

    private sealed class WhereMapper(Func<T, bool> predicate, string name, Attributes attributes) : SupervisedMapper<T, T>(name, attributes)
    {
        public override bool TryMap(T input, out T output)
        {
            output = input;
            try
            {
                return predicate(input);
            }
            catch (Exception ex) when (ShouldDrop(ex))
            {
                return false;
            }
        }

        public override int MapBatch(ReadOnlySpan<T> input, Span<T> output, out Exception? failure)
        {
            // A tight loop; the try is re-entered only after a failure that supervision dropped.
            var produced = 0;
            var i = 0;
            while (i < input.Length)
            {
                try
                {
                    for (; i < input.Length; i++)
                    {
                        var element = input[i];
                        if (predicate(element))
                        {
                            output[produced++] = element;
                        }
                    }
                }
                catch (Exception ex)
                {
                    if (!ShouldDrop(ex))
                    {
                        failure = ex;
                        return produced;
                    }

                    i++;
                }
            }

            failure = null;
            return produced;
        }
    }
}
