using Pipelines.Engine.Stage;

namespace Pipelines.Engine.Stages;

/// <summary>Transforms each element with a function (LINQ Select, Akka map). Resume/Restart drop the failing element.</summary>
internal sealed class SelectStage<TIn, TOut>(Func<TIn, TOut> selector) : MapperStage<TIn, TOut>("Select")
{
    private readonly Func<TIn, TOut> _selector = selector ?? throw new ArgumentNullException(nameof(selector));

    protected override Mapper<TIn, TOut> CreateMapper(string stageName, Attributes attributes) => new SelectMapper(_selector, stageName, attributes);

    private sealed class SelectMapper(Func<TIn, TOut> selector, string name, Attributes attributes) : RunMapper<TIn, TOut>(name, attributes)
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

        protected override int MapRun(ReadOnlySpan<TIn> input, Span<TOut> output, ref int current, ref int written)
        {
            Apply(selector, input, output, ref current);
            return input.Length;
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
