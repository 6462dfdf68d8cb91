using Pipelines.Engine.Stages;

namespace Pipelines.Engine.Dsl;

public sealed partial class Source<TOut, TMat>
{
    /// <summary>
    /// While downstream is slower than upstream, folds the waiting elements into one: the first through
    /// <paramref name="seed"/>, the next ones through <paramref name="aggregate"/>, at most <paramref name="max"/> per
    /// aggregate. Supervision of the functions: Resume drops the element, Restart drops it and the pending aggregate.
    /// <para>Emits when: downstream pulls and an aggregate is pending. Back-pressures when: the pending aggregate holds
    /// <paramref name="max"/> elements and downstream back-pressures. Completes when: upstream completed and the pending
    /// aggregate was emitted. Cancels when: downstream cancels.</para>
    /// </summary>
    public Source<TAgg, TMat> Batch<TAgg>(long max, Func<TOut, TAgg> seed, Func<TAgg, TOut, TAgg> aggregate) =>
        Via(new BatchStage<TOut, TAgg>(max, seed, aggregate));

    /// <summary>
    /// Limits the rate to <paramref name="elements"/> per <paramref name="per"/> with a token bucket of
    /// <paramref name="maximumBurst"/> elements (0 or 1: no burst), on the materializer's clock. <see cref="ThrottleMode.Shaping"/>
    /// holds a too-early element until it fits; <see cref="ThrottleMode.Enforcing"/> fails with <see cref="RateExceededException"/>.
    /// <para>Emits when: an element is available and the bucket has room for it (shaping: when it gets room).
    /// Back-pressures when: downstream back-pressures, or an element waits for room. Completes when: upstream completes
    /// (after a waiting element). Cancels when: downstream cancels.</para>
    /// </summary>
    public Source<TOut, TMat> Throttle(int elements, TimeSpan per, int maximumBurst, ThrottleMode mode) =>
        Via(new ThrottleStage<TOut>(elements, per, maximumBurst, static _ => 1, mode));

    /// <summary>
    /// Limits the rate to <paramref name="cost"/> units per <paramref name="per"/>, each element costing what
    /// <paramref name="costCalculation"/> says (e.g. its size in bytes), with a bucket of <paramref name="maximumBurst"/>
    /// units; otherwise like <see cref="Throttle(int,TimeSpan,int,ThrottleMode)"/>. A throwing or negative cost is handled by supervision.
    /// </summary>
    public Source<TOut, TMat> Throttle(int cost, TimeSpan per, int maximumBurst, Func<TOut, int> costCalculation, ThrottleMode mode) =>
        Via(new ThrottleStage<TOut>(cost, per, maximumBurst, costCalculation, mode));

    /// <summary>
    /// Emits every element <paramref name="duration"/> after it arrived (on the materializer's clock), in arrival order.
    /// Up to the input buffer size (<c>Attributes.InputBuffer</c>, 16 by default) elements wait at once; then upstream is
    /// back-pressured, so nothing is ever dropped.
    /// <para>Emits when: the oldest element is due and downstream pulls. Back-pressures when: the buffer is full.
    /// Completes when: upstream completed and every buffered element was emitted. Cancels when: downstream cancels.</para>
    /// </summary>
    public Source<TOut, TMat> Delay(TimeSpan duration) => Via(new DelayStage<TOut>(duration, null, DelayOverflowStrategy.Backpressure));

    /// <summary>
    /// Emits every element <paramref name="duration"/> after it arrived, holding up to <paramref name="bufferSize"/>
    /// elements; when the buffer is full, <paramref name="overflowStrategy"/> decides (back-pressure, drop an element, or
    /// fail with <see cref="BufferOverflowException"/>). Dropped elements are logged at Debug.
    /// <para>Emits when: the oldest element is due and downstream pulls. Back-pressures when: the buffer is full and the
    /// strategy is <see cref="DelayOverflowStrategy.Backpressure"/>. Completes when: upstream completed and every buffered
    /// element was emitted. Cancels when: downstream cancels.</para>
    /// </summary>
    public Source<TOut, TMat> Delay(TimeSpan duration, int bufferSize, DelayOverflowStrategy overflowStrategy) =>
        Via(new DelayStage<TOut>(duration, bufferSize, overflowStrategy));
}
