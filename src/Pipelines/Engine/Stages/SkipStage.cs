using Pipelines.Engine.Stage;

namespace Pipelines.Engine.Stages;

/// <summary>Drops the first <c>n</c> elements, then passes the rest (a mapper: fuses with neighbouring Select/Where).</summary>
internal sealed class SkipStage<T>(long count) : MapperStage<T, T>("Skip")
{
    protected override Mapper<T, T> CreateMapper(string stageName, Attributes attributes) => new SkipMapper(count, stageName, attributes);

    private sealed class SkipMapper(long count, string name, Attributes attributes) : SupervisedMapper<T, T>(name, attributes)
    {
        private long _remaining = count;

        public override bool TryMap(T input, out T output)
        {
            output = input;
            if (_remaining <= 0)
            {
                return true;
            }

            _remaining--;
            return false;
        }
    }
}
