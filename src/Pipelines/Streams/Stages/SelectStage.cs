using Pipelines.Streams.Stage;

namespace Pipelines.Streams.Stages;

/// <summary>Transforms each element with a function (LINQ Select, Akka map). Resume/Restart drop the failing element.</summary>
internal sealed class SelectStage<TIn, TOut>(Func<TIn, TOut> selector) : MapperStage<TIn, TOut>("Select")
{
    private readonly Func<TIn, TOut> _selector = selector ?? throw new ArgumentNullException(nameof(selector));

    protected override Mapper<TIn, TOut> CreateMapper(string stageName, Attributes attributes) => new SelectMapper(_selector, stageName, attributes);

    private sealed class SelectMapper(Func<TIn, TOut> selector, string name, Attributes attributes) : SupervisedMapper<TIn, TOut>(name, attributes)
    {
        public override bool TryMap(TIn input, out TOut output)
        {
            try
            {
                output = selector(input);
                return true;
            }
            catch (Exception ex) when (ShouldDrop(ex))
            {
                output = default!;
                return false;
            }
        }

        public override int MapBatch(ReadOnlySpan<TIn> input, Span<TOut> output, out Exception? failure)
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
                        output[produced] = selector(input[i]);
                        produced++;
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
