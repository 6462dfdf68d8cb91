using Pipelines.Engine.Stage;

namespace Pipelines.Engine.Stages;

/// <summary>
/// Maps the elements a partial function is defined for and drops the others (Akka collect): <c>isDefined</c> decides,
/// <c>selector</c> maps. Resume/Restart drop the failing element.
/// </summary>
internal sealed class CollectStage<TIn, TOut>(Func<TIn, bool> isDefined, Func<TIn, TOut> selector) : MapperStage<TIn, TOut>("Collect")
{
    private readonly Func<TIn, bool> _isDefined = isDefined ?? throw new ArgumentNullException(nameof(isDefined));
    private readonly Func<TIn, TOut> _selector = selector ?? throw new ArgumentNullException(nameof(selector));

    protected override Mapper<TIn, TOut> CreateMapper(string stageName, Attributes attributes) => new CollectMapper(this, stageName, attributes);

    private sealed class CollectMapper(CollectStage<TIn, TOut> stage, string name, Attributes attributes) : SupervisedMapper<TIn, TOut>(name, attributes)
    {
        private readonly Func<TIn, bool> _isDefined = stage._isDefined;
        private readonly Func<TIn, TOut> _selector = stage._selector;

        public override bool TryMap(TIn input, out TOut output)
        {
            try
            {
                if (_isDefined(input))
                {
                    output = _selector(input);
                    return true;
                }
            }
            catch (Exception ex) when (ShouldDrop(ex))
            {
            }

            output = default!;
            return false;
        }
    }
}
