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
            // The loop runs in a method without a try: inside a protected region the JIT keeps its variables in memory.
            failure = null;
            var produced = 0;
            var next = 0;
            while (next < input.Length)
            {
                var done = 0;
                var kept = 0;
                try
                {
                    return produced + Filter(predicate, input[next..], output[produced..], ref done, ref kept);
                }
                catch (Exception ex)
                {
                    // Elements before the failing one were filtered; supervision decides about the failing one.
                    produced += kept;
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

        private static int Filter(Func<T, bool> predicate, ReadOnlySpan<T> input, Span<T> output, ref int done, ref int kept)
        {
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
