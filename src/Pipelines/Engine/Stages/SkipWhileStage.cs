using Pipelines.Engine.Stage;

namespace Pipelines.Engine.Stages;

/// <summary>
/// Drops elements while a predicate holds, then passes every element (a mapper: fuses with neighbouring
/// Select/Where). Resume/Restart drop the element the predicate failed on.
/// </summary>
internal sealed class SkipWhileStage<T>(Func<T, bool> predicate) : MapperStage<T, T>("SkipWhile")
{
    private readonly Func<T, bool> _predicate = predicate ?? throw new ArgumentNullException(nameof(predicate));

    protected override Mapper<T, T> CreateMapper(string stageName, Attributes attributes) => new SkipWhileMapper(_predicate, stageName, attributes);

    private sealed class SkipWhileMapper(Func<T, bool> predicate, string name, Attributes attributes) : SupervisedMapper<T, T>(name, attributes)
    {
        private bool _passing;

        public override bool TryMap(T input, out T output)
        {
            output = input;
            if (_passing)
            {
                return true;
            }

            try
            {
                _passing = !predicate(input);
                return _passing;
            }
            catch (Exception ex) when (ShouldDrop(ex))
            {
                return false;
            }
        }
    }
}
