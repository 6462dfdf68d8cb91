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
            // The loop runs in a method without a try: inside a protected region the JIT keeps its variables in memory.
            failure = null;
            var produced = 0;
            var next = 0;
            while (next < input.Length)
            {
                var done = 0;
                try
                {
                    Apply(selector, input[next..], output[produced..], ref done);
                    return produced + input.Length - next;
                }
                catch (Exception ex)
                {
                    // Elements before the failing one were mapped; supervision decides about the failing one.
                    produced += done;
                    next += done + 1;
                    if (!ShouldDrop(ex))
                    {
                        failure = ex;
                        return produced;
                    }
                }
            }

            return produced;
        }

        private static void Apply(Func<TIn, TOut> selector, ReadOnlySpan<TIn> input, Span<TOut> output, ref int done)
        {
            output = output[..input.Length];
            for (var i = 0; i < input.Length; i++)
            {
                done = i;
                output[i] = selector(input[i]);
            }
        }
    }
}
