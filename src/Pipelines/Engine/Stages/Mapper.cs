using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Pipelines.Engine.Stage;

namespace Pipelines.Engine.Stages;

/// <summary>
/// A pure synchronous step that maps one element to zero or one element (Select, Where, Collect). Mapper stages that
/// end up next to each other in one island are composed into a single logic at materialization, so a chain of them
/// costs one pull/push per element instead of one per stage. Each mapper applies its own stage's supervision.
/// </summary>
internal abstract class Mapper
{
    public abstract Mapper Then(Mapper next);

    public abstract GraphStageLogic CreateLogic();

    public abstract string Name { get; }

    /// <summary>Gives the mapper the materializer's logger (for failures dropped by Resume/Restart).</summary>
    public abstract void Bind(ILogger logger);
}

/// <summary>A mapper from <typeparamref name="TIn"/> to <typeparamref name="TOut"/>.</summary>
internal abstract class Mapper<TIn, TOut> : Mapper, IMapperInput<TIn>
{
    /// <summary>Maps <paramref name="input"/>; returns <see langword="false"/> when no element results (filtered out, or dropped by Resume/Restart).</summary>
    public abstract bool TryMap(TIn input, out TOut output);

    /// <summary>
    /// Maps a run of elements in order into <paramref name="output"/> (at least as long as <paramref name="input"/>) and
    /// returns how many resulted. A failure the stage's supervision does not drop stops the run: it is returned in
    /// <paramref name="failure"/>, the outputs before it stay valid and the inputs after it are not mapped.
    /// </summary>
    public virtual int MapBatch(ReadOnlySpan<TIn> input, Span<TOut> output, out Exception? failure)
    {
        // TryMap applies supervision itself: what escapes it stops the run. The loop stays outside the try (see MapEach).
        var produced = 0;
        try
        {
            MapEach(input, output, ref produced);
        }
        catch (Exception ex)
        {
            failure = ex;
            return produced;
        }

        failure = null;
        return produced;
    }

    private void MapEach(ReadOnlySpan<TIn> input, Span<TOut> output, ref int produced)
    {
        var count = 0;
        for (var i = 0; i < input.Length; i++)
        {
            if (TryMap(input[i], out var result))
            {
                output[count++] = result;
                produced = count;
            }
        }
    }

    public sealed override Mapper Then(Mapper next) => ((IMapperInput<TOut>)next).PrependTo(this);

    public sealed override GraphStageLogic CreateLogic() => new MapperLogic<TIn, TOut>(this, Name);

    public Mapper PrependTo<TFirst>(Mapper<TFirst, TIn> first) => new ComposedMapper<TFirst, TIn, TOut>(first, this);
}

/// <summary>Double dispatch for composition: the second mapper knows its output type.</summary>
internal interface IMapperInput<TIn>
{
    Mapper PrependTo<TFirst>(Mapper<TFirst, TIn> first);
}

/// <summary>A leaf mapper running user code under its stage's supervision.</summary>
internal abstract class SupervisedMapper<TIn, TOut>(string name, Attributes attributes) : Mapper<TIn, TOut>
{
    private readonly Func<Exception, Directive>? _decider = attributes.Get<Attributes.SupervisionAttribute>()?.Decider;
    private ILogger _logger = NullLogger.Instance;

    public override string Name => name;

    public override void Bind(ILogger logger) => _logger = logger;

    /// <summary>Returns <see langword="true"/> if the failing element should be dropped (Resume/Restart); <see langword="false"/> to fail the stream.</summary>
    protected bool ShouldDrop(Exception cause)
    {
        Directive directive;
        try
        {
            directive = _decider?.Invoke(cause) ?? Directive.Stop;
        }
        catch (Exception ex)
        {
            _logger.LogError(ex, "The supervision decider of {Stage} threw; stopping the stage", name);
            return false;
        }

        if (directive == Directive.Stop)
        {
            return false;
        }

        _logger.LogDebug(cause, "{Stage} dropped an element after a failure ({Directive})", name, directive);
        return true;
    }
}

/// <summary>
/// A supervised mapper with a batch loop of its own (<see cref="MapRun"/>): after a failure its supervision drops, the
/// batch goes on from the element after the failing one; a failure it does not drop ends the batch.
/// </summary>
internal abstract class RunMapper<TIn, TOut>(string name, Attributes attributes) : SupervisedMapper<TIn, TOut>(name, attributes)
{
    public sealed override int MapBatch(ReadOnlySpan<TIn> input, Span<TOut> output, out Exception? failure)
    {
        // MapRun's loop runs in a method without a try: inside a protected region the JIT keeps its variables in memory.
        failure = null;
        var produced = 0;
        var next = 0;
        while (next < input.Length)
        {
            var current = 0;
            var written = -1;
            try
            {
                return produced + MapRun(input[next..], output[produced..], ref current, ref written);
            }
            catch (Exception ex)
            {
                // Elements before the failing one were mapped; supervision decides about the failing one.
                produced += written < 0 ? current : written;
                next += current + 1;
                if (!ShouldDrop(ex))
                {
                    failure = ex;
                    return produced;
                }
            }
        }

        return produced;
    }

    /// <summary>
    /// Maps a run without supervision and returns how many outputs it wrote. While it runs it keeps
    /// <paramref name="current"/> at the index of the element being mapped and, when an input may write no output,
    /// <paramref name="written"/> at the outputs written so far (left untouched, every input before the current one wrote one).
    /// </summary>
    protected abstract int MapRun(ReadOnlySpan<TIn> input, Span<TOut> output, ref int current, ref int written);
}

/// <summary>Two mappers run back to back.</summary>
internal sealed class ComposedMapper<TIn, TMid, TOut>(Mapper<TIn, TMid> first, Mapper<TMid, TOut> second) : Mapper<TIn, TOut>
{
    // The first mapper's outputs of one batch (allocated on the first batch; a mapper belongs to one materialization).
    private TMid[]? _middle;

    public override string Name => first.Name + "+" + second.Name;

    public override int MapBatch(ReadOnlySpan<TIn> input, Span<TOut> output, out Exception? failure)
    {
        if (_middle is null || _middle.Length < input.Length)
        {
            _middle = new TMid[Math.Max(input.Length, MapperLogic<TIn, TOut>.BatchSize)];
        }

        var middle = _middle.AsSpan(0, input.Length);
        var count = first.MapBatch(input, middle, out var firstFailure);
        var produced = second.MapBatch(middle[..count], output, out var secondFailure);
        if (RuntimeHelpers.IsReferenceOrContainsReferences<TMid>())
        {
            middle[..count].Clear();
        }

        // The second mapper's failure is on an element that came before the one the first mapper failed on.
        failure = secondFailure ?? firstFailure;
        return produced;
    }

    public override void Bind(ILogger logger)
    {
        first.Bind(logger);
        second.Bind(logger);
    }

    public override bool TryMap(TIn input, out TOut output)
    {
        if (first.TryMap(input, out var middle))
        {
            return second.TryMap(middle, out output);
        }

        output = default!;
        return false;
    }
}
