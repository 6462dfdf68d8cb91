using System.Collections.Concurrent;
using System.ComponentModel.DataAnnotations;
using Confluent.Kafka;
using Microsoft.Extensions.Time.Testing;
using Pipelines.Kafka;
using Pipelines.TestKit;
using Polly;

namespace Pipelines.Delay.Tests.Retry;

public sealed class RetryPolicyTests
{
    private static readonly DateTimeOffset Start = new(2026, 12, 2, 10, 0, 0, TimeSpan.Zero);
    private static readonly FailedRecord Record = new("orders", 2, 1_000, Start.AddMinutes(-3), [1, 2, 3], "billing");

    [Fact]
    public async Task InPlace_ExponentialWithoutJitter_WaitsEachDelayOnTheInjectedClock()
    {
        var settings = RetrySettings.Default.WithInPlace(6, TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(1_000), DelayBackoffType.Exponential, jitter: false);
        var run = new InPlaceRun(settings);

        var task = run.Execute(failures: int.MaxValue);

        var expected = new[] { 100, 200, 400, 800, 1_000, 1_000 }.Select(ms => TimeSpan.FromMilliseconds(ms)).ToList();
        await run.DriveAsync(task, expected);
        var error = await FluentActions.Awaiting(() => task).Should().ThrowAsync<TimeoutException>();
        error.Which.Message.Should().Be("attempt 7");
        run.AttemptTimes.Should().Equal(AttemptTimes(expected), "each retry happens exactly one delay after the previous attempt");
    }

    [Fact]
    public async Task InPlace_Constant_SucceedsOnTheThirdAttempt()
    {
        var settings = RetrySettings.Default.WithInPlace(5, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1), DelayBackoffType.Constant, jitter: false);
        var run = new InPlaceRun(settings);

        var task = run.Execute(failures: 2);

        await run.DriveAsync(task, [TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1)]);
        (await task).Should().Be("done at attempt 3");
        run.AttemptTimes.Should().Equal(Start, Start.AddSeconds(1), Start.AddSeconds(2));
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(0.3)]
    [InlineData(0.999)]
    public async Task InPlace_ExponentialWithJitter_DelaysArePositiveAndNeverAboveTheMaximum(double sample)
    {
        var max = TimeSpan.FromMilliseconds(800);
        var settings = RetrySettings.Default.WithInPlace(8, TimeSpan.FromMilliseconds(100), max, DelayBackoffType.Exponential, jitter: true);
        var run = new InPlaceRun(settings, () => sample);

        var task = run.Execute(failures: int.MaxValue);

        var delays = await run.DriveAsync(task, expected: null, retries: 8);
        await FluentActions.Awaiting(() => task).Should().ThrowAsync<TimeoutException>();
        delays.Should().HaveCount(8).And.OnlyContain(d => d >= TimeSpan.Zero && d <= max);
        delays.Skip(4).Should().OnlyContain(d => d > TimeSpan.Zero, "the curve has grown past zero by then");
        run.AttemptTimes.Should().Equal(AttemptTimes(delays));
    }

    [Fact]
    public async Task InPlace_Jitter_DependsOnTheRandomizer()
    {
        var settings = RetrySettings.Default.WithInPlace(3, TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(10), DelayBackoffType.Exponential, jitter: true);
        var low = new InPlaceRun(settings, () => 0.1);
        var high = new InPlaceRun(settings, () => 0.9);

        var lowTask = low.Execute(int.MaxValue);
        var lowDelays = await low.DriveAsync(lowTask, expected: null, retries: 3);
        var highTask = high.Execute(int.MaxValue);
        var highDelays = await high.DriveAsync(highTask, expected: null, retries: 3);

        await FluentActions.Awaiting(() => lowTask).Should().ThrowAsync<TimeoutException>();
        await FluentActions.Awaiting(() => highTask).Should().ThrowAsync<TimeoutException>();
        lowDelays.Should().NotEqual(highDelays);
    }

    [Fact]
    public async Task InPlace_NonRetriableError_IsNotRetried()
    {
        var run = new InPlaceRun(RetrySettings.Default);

        var act = () => run.Pipeline.ExecuteAsync(_ =>
        {
            run.Attempt();
            throw new ValidationException("amount must be positive");
        }).AsTask();

        await act.Should().ThrowAsync<ValidationException>();
        run.AttemptTimes.Should().HaveCount(1);
        run.Delays.Should().BeEmpty();
    }

    [Fact]
    public async Task InPlace_CancellationOfTheCaller_IsNotRetried_ButAnotherCancellationIs()
    {
        var settings = RetrySettings.Default.WithInPlace(1, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1), DelayBackoffType.Constant, jitter: false);
        var stopping = new InPlaceRun(settings);
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        var act = () => stopping.Pipeline.ExecuteAsync(token =>
        {
            stopping.Attempt();
            token.ThrowIfCancellationRequested();
            return ValueTask.CompletedTask;
        }, cancelled.Token).AsTask();

        await act.Should().ThrowAsync<OperationCanceledException>();
        stopping.AttemptTimes.Should().HaveCountLessThanOrEqualTo(1, "a stopping stream is not retried");
        stopping.Delays.Should().BeEmpty();

        var timedOut = new InPlaceRun(settings);
        var task = timedOut.Pipeline.ExecuteAsync(_ =>
        {
            timedOut.Attempt();
            throw new TaskCanceledException("an HTTP call timed out");
        }).AsTask();
        await timedOut.DriveAsync(task, [TimeSpan.FromSeconds(1)]);
        await FluentActions.Awaiting(() => task).Should().ThrowAsync<TaskCanceledException>();
        timedOut.AttemptTimes.Should().HaveCount(2, "a timeout of the processing itself is retried");
    }

    [Fact]
    public void InPlace_NoAttempts_IsTheEmptyPipeline()
    {
        var policy = new RetryPolicy(RetrySettings.Default.WithInPlace(0, TimeSpan.Zero, TimeSpan.Zero, DelayBackoffType.Constant, jitter: false));

        policy.InPlace.Should().BeSameAs(ResiliencePipeline.Empty);
    }

    [Fact]
    public void Decide_FirstRetriableFailure_RetriesThroughTheTiersWithTheFirstBackoff()
    {
        var time = new FakeTimeProvider(Start);
        var policy = new RetryPolicy(RetrySettings.Default, time, () => 0.5);
        var error = Thrown(new TimeoutException("pricing did not answer"));

        var decision = policy.Decide(Record, error);

        decision.Action.Should().Be(RetryAction.RetryThroughTiers);
        decision.Topic.Should().Be("billing-retry");
        decision.Delay.Should().Be(TimeSpan.FromSeconds(10));
        decision.DueTime.Should().Be(Start.AddSeconds(10));
        decision.Failure.Should().BeEquivalentTo(new FailureInfo
        {
            OriginalTopic = "orders",
            OriginalPartition = 2,
            OriginalOffset = 1_000,
            OriginalTimestamp = Start.AddMinutes(-3),
            OriginalKey = [1, 2, 3],
            ConsumerGroup = "billing",
            ExceptionType = "System.TimeoutException",
            ExceptionMessage = "pricing did not answer",
            StackTrace = error.ToString(),
            Attempt = 1,
            FirstFailure = Start,
            LastFailure = Start,
            DeadLetterReason = null,
        });
        decision.Failure.StackTrace.Should().Contain(nameof(Thrown), "the stack trace is carried");
    }

    [Fact]
    public void Decide_FailedRetry_KeepsTheOriginalAndTheFirstFailure_AndBacksOffFurther()
    {
        var time = new FakeTimeProvider(Start);
        var policy = new RetryPolicy(RetrySettings.Default, time, () => 0.5);
        var first = policy.Decide(Record, new TimeoutException("one"));
        time.Advance(TimeSpan.FromSeconds(11));
        var retryRecord = new FailedRecord("billing-retry", 0, 5, Start.AddSeconds(10), [1, 2, 3], "billing");

        var second = policy.Decide(retryRecord, new TimeoutException("two"), RoundTrip(first.Failure));

        second.Action.Should().Be(RetryAction.RetryThroughTiers);
        second.Delay.Should().Be(TimeSpan.FromSeconds(20));
        second.DueTime.Should().Be(Start.AddSeconds(31));
        second.Failure.Attempt.Should().Be(2);
        second.Failure.OriginalTopic.Should().Be("orders");
        second.Failure.OriginalOffset.Should().Be(1_000);
        second.Failure.OriginalPartition.Should().Be(2);
        second.Failure.FirstFailure.Should().Be(Start);
        second.Failure.LastFailure.Should().Be(Start.AddSeconds(11));
        second.Failure.ExceptionMessage.Should().Be("two");
    }

    [Fact]
    public void Decide_AfterTheLastNonBlockingRetry_DeadLetters()
    {
        var time = new FakeTimeProvider(Start);
        var policy = new RetryPolicy(RetrySettings.Default, time, () => 0.5);
        FailureInfo? previous = null;
        var decisions = new List<RetryDecision>();
        for (var i = 0; i < 4; i++)
        {
            var decision = policy.Decide(i == 0 ? Record : Record with { Topic = "billing-retry" }, new TimeoutException($"failure {i}"), previous);
            decisions.Add(decision);
            previous = RoundTrip(decision.Failure);
            time.Advance(decision.Delay + TimeSpan.FromSeconds(1));
        }

        decisions.Select(d => d.Action).Should().Equal(RetryAction.RetryThroughTiers, RetryAction.RetryThroughTiers, RetryAction.RetryThroughTiers, RetryAction.DeadLetter);
        decisions.Select(d => d.Delay.TotalSeconds).Should().Equal(10, 20, 40, 0);
        decisions.Select(d => d.Failure.Attempt).Should().Equal(1, 2, 3, 3);
        var deadLetter = decisions[^1];
        deadLetter.Topic.Should().Be("billing-dlt");
        deadLetter.Failure.DeadLetterReason.Should().Be(DeadLetterReason.AttemptsExhausted);
        deadLetter.Failure.OriginalTopic.Should().Be("orders");
        deadLetter.Failure.FirstFailure.Should().Be(Start);
        deadLetter.Failure.LastFailure.Should().Be(Start.AddSeconds(10 + 20 + 40 + 3));
        deadLetter.DueTime.Should().Be(deadLetter.Failure.LastFailure);
    }

    [Fact]
    public void Decide_NoNonBlockingAttempts_DeadLettersTheFirstFailure()
    {
        var policy = new RetryPolicy(RetrySettings.Default.WithNonBlocking(0, TimeSpan.FromSeconds(1), 2, TimeSpan.FromSeconds(1), 0), new FakeTimeProvider(Start));

        var decision = policy.Decide(Record, new TimeoutException("x"));

        decision.Action.Should().Be(RetryAction.DeadLetter);
        decision.Failure.DeadLetterReason.Should().Be(DeadLetterReason.AttemptsExhausted);
        decision.Failure.Attempt.Should().Be(0);
    }

    public static TheoryData<Exception> NonRetriableErrors => new()
    {
        new KafkaDeserializationException("orders", 2, 1_000, MessageComponentType.Value, new FormatException("not JSON")),
        new ValidationException("amount must be positive"),
        new InvalidOperationException("handler failed", new ValidationException("inner")),
        new AggregateException(new TimeoutException("a"), new ValidationException("b")),
        new DerivedValidationException(),
    };

    [Theory]
    [MemberData(nameof(NonRetriableErrors))]
    public void Decide_NonRetriableError_DeadLettersAtOnce(Exception error)
    {
        var policy = new RetryPolicy(RetrySettings.Default, new FakeTimeProvider(Start));

        var decision = policy.Decide(Record, error);

        decision.Action.Should().Be(RetryAction.DeadLetter);
        decision.Topic.Should().Be("billing-dlt");
        decision.Failure.DeadLetterReason.Should().Be(DeadLetterReason.NonRetriable);
        decision.Failure.Attempt.Should().Be(0);
        decision.Failure.ExceptionType.Should().Be(error.GetType().FullName);
        policy.ShouldRetryInPlace(error, CancellationToken.None).Should().BeFalse();
    }

    [Fact]
    public void Decide_LongExceptionText_IsCutToTheConfiguredLimits()
    {
        var policy = new RetryPolicy(RetrySettings.Default.WithExceptionLimits(150, 300), new FakeTimeProvider(Start));

        var decision = policy.Decide(Record, Thrown(new TimeoutException(new string('m', 5_000))));

        decision.Failure.ExceptionMessage.Should().HaveLength(150).And.EndWith("characters in all)");
        decision.Failure.StackTrace.Should().HaveLength(300).And.StartWith("System.TimeoutException: mmm");
    }

    [Fact]
    public void Decide_RandomizerOutOfRange_SaysSo()
    {
        var policy = new RetryPolicy(RetrySettings.Default, new FakeTimeProvider(Start), () => 1.0);

        var act = () => policy.Decide(Record, new TimeoutException());

        act.Should().Throw<InvalidOperationException>().WithMessage("The retry policy's randomizer returned 1; it must return numbers in [0, 1).");
    }

    private static FailureInfo RoundTrip(FailureInfo failure)
    {
        var headers = new Confluent.Kafka.Headers();
        FailureHeaders.Write(headers, failure);
        FailureHeaders.TryRead(headers, "billing-retry", 0, 0, out var read).Should().BeTrue();
        return read!;
    }

    private static Exception Thrown(Exception error)
    {
        try
        {
            throw error;
        }
        catch (Exception e)
        {
            return e;
        }
    }

    private static List<DateTimeOffset> AttemptTimes(IEnumerable<TimeSpan> delays)
    {
        var times = new List<DateTimeOffset> { Start };
        foreach (var delay in delays)
        {
            times.Add(times[^1] + delay);
        }

        return times;
    }

    private sealed class DerivedValidationException : ValidationException
    {
    }

    /// <summary>Runs a failing operation through a policy's in-place pipeline on a fake clock that only the test moves.</summary>
    private sealed class InPlaceRun
    {
        private readonly FakeTimeProvider _time = new(Start);
        private readonly ConcurrentQueue<DateTimeOffset> _attempts = new();
        private readonly ConcurrentQueue<TimeSpan> _delays = new();

        public InPlaceRun(RetrySettings settings, Func<double>? randomizer = null)
        {
            var policy = new RetryPolicy(settings, _time, randomizer);
            Pipeline = policy.BuildInPlace(args =>
            {
                _delays.Enqueue(args.RetryDelay);
                return ValueTask.CompletedTask;
            });
        }

        public ResiliencePipeline Pipeline { get; }

        public IReadOnlyList<DateTimeOffset> AttemptTimes => [.. _attempts];

        public IReadOnlyList<TimeSpan> Delays => [.. _delays];

        public void Attempt() => _attempts.Enqueue(_time.GetUtcNow());

        public Task<string> Execute(int failures) =>
            Pipeline.ExecuteAsync(_ =>
            {
                Attempt();
                return _attempts.Count <= failures
                    ? throw new TimeoutException($"attempt {_attempts.Count}")
                    : ValueTask.FromResult($"done at attempt {_attempts.Count}");
            }).AsTask();

        /// <summary>
        /// For each retry: waits until Polly announced its delay, checks it, moves the clock by exactly that delay and waits
        /// for the next attempt. Returns the delays Polly used.
        /// </summary>
        public async Task<List<TimeSpan>> DriveAsync(Task task, IReadOnlyList<TimeSpan>? expected, int? retries = null)
        {
            var count = retries ?? expected!.Count;
            var used = new List<TimeSpan>();
            for (var i = 0; i < count; i++)
            {
                await Eventually.TrueAsync(() => _delays.Count > i, TimeSpan.FromSeconds(30), $"retry {i + 1} to be announced");
                var delay = _delays.ElementAt(i);
                if (expected is not null)
                {
                    delay.Should().Be(expected[i], $"retry {i + 1} waits its backoff");
                }

                used.Add(delay);
                _time.Advance(delay);
                await Eventually.TrueAsync(() => _attempts.Count > i + 1 || task.IsCompleted, TimeSpan.FromSeconds(30), $"attempt {i + 2}");
            }

            await Eventually.TrueAsync(() => task.IsCompleted, TimeSpan.FromSeconds(30), "the execution to finish");
            return used;
        }
    }
}
