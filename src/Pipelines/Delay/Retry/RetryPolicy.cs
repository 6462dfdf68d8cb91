using Polly;
using Polly.Retry;

namespace Pipelines.Delay;

/// <summary>
/// The retry policy of a consumer group: a Polly.Core <see cref="ResiliencePipeline"/> for in-place retries, and
/// <see cref="Decide"/> for what happens to a message whose in-place retries failed — another attempt through the delay
/// tiers, or the dead-letter topic. Time comes from the given <see cref="System.TimeProvider"/>. Thread-safe when its
/// randomizer is (the default is).
/// </summary>
public sealed class RetryPolicy
{
    private readonly Func<double> _randomizer;

    /// <summary>Creates the policy of <paramref name="settings"/>.</summary>
    /// <param name="settings">Attempts, backoff, topics and non-retriable exceptions.</param>
    /// <param name="timeProvider">The clock for in-place delays and failure times; <see cref="TimeProvider.System"/> when null.</param>
    /// <param name="randomizer">Uniform random numbers in [0, 1) for jitter; thread-safe <see cref="Random.Shared"/> when null.</param>
    public RetryPolicy(RetrySettings settings, TimeProvider? timeProvider = null, Func<double>? randomizer = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        Settings = settings;
        TimeProvider = timeProvider ?? TimeProvider.System;
        _randomizer = randomizer ?? Random.Shared.NextDouble;
        Classifier = new FailureClassifier(settings);
        InPlace = BuildInPlace(onRetry: null);
    }

    /// <summary>The settings the policy was created from.</summary>
    public RetrySettings Settings { get; }

    /// <summary>The clock of the policy.</summary>
    public TimeProvider TimeProvider { get; }

    /// <summary>Which errors are retried.</summary>
    public FailureClassifier Classifier { get; }

    /// <summary>
    /// Runs processing with up to <see cref="RetrySettings.InPlaceAttempts"/> retries in place, for retriable errors only
    /// (see <see cref="ShouldRetryInPlace"/>), with Polly's backoff from the settings. The last error is rethrown; pass it to
    /// <see cref="Decide"/>. With 0 attempts it is <see cref="ResiliencePipeline.Empty"/>.
    /// </summary>
    public ResiliencePipeline InPlace { get; }

    /// <summary>
    /// Whether an error is retried in place: when it is retriable (<see cref="FailureClassifier"/>) and is not the
    /// cancellation of <paramref name="cancellationToken"/> (a stream that is stopping is not retried).
    /// </summary>
    public bool ShouldRetryInPlace(Exception error, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(error);
        return !(error is OperationCanceledException && cancellationToken.IsCancellationRequested) && Classifier.IsRetriable(error);
    }

    /// <summary>
    /// Decides what happens to <paramref name="record"/> after processing failed with <paramref name="error"/> and the
    /// in-place retries were used up: dead-letter at once when the error is non-retriable; dead-letter when the
    /// record has had <see cref="RetrySettings.NonBlockingAttempts"/> non-blocking retries; otherwise retry through the
    /// tiers, due after <see cref="RetrySettings.NonBlockingDelay"/> of the next attempt.
    /// </summary>
    /// <param name="record">The failed record (consumed from the original topic or the retry topic).</param>
    /// <param name="error">The last error.</param>
    /// <param name="previous">The record's failure headers when it is a retry message (<see cref="FailureHeaders.TryRead"/>), else null.</param>
    public RetryDecision Decide(in FailedRecord record, Exception error, FailureInfo? previous = null)
    {
        ArgumentNullException.ThrowIfNull(error);
        ArgumentException.ThrowIfNullOrWhiteSpace(record.Topic, nameof(record));
        ArgumentException.ThrowIfNullOrWhiteSpace(record.ConsumerGroup, nameof(record));
        var now = TimeProvider.GetUtcNow();
        var retriesMade = previous?.Attempt ?? 0;
        var failure = new FailureInfo
        {
            OriginalTopic = previous?.OriginalTopic ?? record.Topic,
            OriginalPartition = previous?.OriginalPartition ?? record.Partition,
            OriginalOffset = previous?.OriginalOffset ?? record.Offset,
            OriginalTimestamp = previous?.OriginalTimestamp ?? record.Timestamp,
            OriginalKey = previous is null ? record.Key : previous.OriginalKey,
            ConsumerGroup = record.ConsumerGroup,
            ExceptionType = error.GetType().FullName ?? error.GetType().Name,
            ExceptionMessage = FailureHeaders.Truncate(error.Message, Settings.MaxExceptionMessageLength),
            StackTrace = FailureHeaders.Truncate(error.ToString(), Settings.MaxStackTraceLength),
            Attempt = retriesMade,
            FirstFailure = previous?.FirstFailure ?? now,
            LastFailure = now,
        };

        DeadLetterReason? reason = !Classifier.IsRetriable(error) ? DeadLetterReason.NonRetriable
            : retriesMade >= Settings.NonBlockingAttempts ? DeadLetterReason.AttemptsExhausted
            : null;
        if (reason is { } deadLetter)
        {
            return new RetryDecision
            {
                Action = RetryAction.DeadLetter,
                Topic = Settings.DeadLetterTopic(record.ConsumerGroup),
                Delay = TimeSpan.Zero,
                DueTime = now,
                Failure = failure with { DeadLetterReason = deadLetter },
            };
        }

        var next = retriesMade + 1;
        var delay = Settings.NonBlockingDelay(next, Sample());
        return new RetryDecision
        {
            Action = RetryAction.RetryThroughTiers,
            Topic = Settings.RetryTopic(record.ConsumerGroup),
            Delay = delay,
            DueTime = now + delay,
            Failure = failure with { Attempt = next },
        };
    }

    /// <summary>Builds the in-place pipeline, calling <paramref name="onRetry"/> before each retry (tests and metrics observe the delays this way).</summary>
    internal ResiliencePipeline BuildInPlace(Func<OnRetryArguments<object>, ValueTask>? onRetry)
    {
        if (Settings.InPlaceAttempts == 0)
        {
            return ResiliencePipeline.Empty;
        }

        var options = new RetryStrategyOptions
        {
            MaxRetryAttempts = Settings.InPlaceAttempts,
            Delay = Settings.InPlaceBackoff,
            MaxDelay = Settings.InPlaceMaxBackoff,
            BackoffType = Settings.InPlaceBackoffType,
            UseJitter = Settings.InPlaceJitter,
            Randomizer = _randomizer,
            ShouldHandle = args => new ValueTask<bool>(args.Outcome.Exception is { } e && ShouldRetryInPlace(e, args.Context.CancellationToken)),
            OnRetry = onRetry,
        };
        return new ResiliencePipelineBuilder { TimeProvider = TimeProvider }.AddRetry(options).Build();
    }

    private double Sample()
    {
        var sample = _randomizer();
        return sample is >= 0 and < 1
            ? sample
            : throw new InvalidOperationException($"The retry policy's randomizer returned {sample}; it must return numbers in [0, 1).");
    }
}
