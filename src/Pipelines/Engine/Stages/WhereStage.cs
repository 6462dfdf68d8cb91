using Pipelines.Engine.Stage;

namespace Pipelines.Engine.Stages;

/// <summary>Passes only the elements that satisfy a predicate (LINQ Where, Akka filter). Resume/Restart drop the failing element.</summary>
internal sealed class WhereStage<T>(Func<T, bool> predicate) : MapperStage<T, T>("Where")
{
    private readonly Func<T, bool> _predicate = predicate ?? throw new ArgumentNullException(nameof(predicate));

    protected override Mapper<T, T> CreateMapper(string stageName, Attributes attributes) => new WhereMapper(_predicate, stageName, attributes);

    private sealed class WhereMapper(Func<T, bool> predicate, string name, Attributes attributes) : RunMapper<T, T>(name, attributes)
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

        protected override int MapRun(ReadOnlySpan<T> input, Span<T> output, ref int current, ref int written) =>
            Filter(predicate, input, output, ref current, ref written);

        private static int Filter(Func<T, bool> predicate, ReadOnlySpan<T> input, Span<T> output, ref int done, ref int kept)
        {
            // Inputs may write no output, so the count written is kept from the start.
            kept = 0;
            var count = 0;
            for (var i = 0; i < input.Length; i++)
            {
                done = i;
                var element = input[i];
                if (predicate(element))
                {
                    output[count++] = element;
                    kept = count;
                }
            }

            return count;
        }
    }
}
