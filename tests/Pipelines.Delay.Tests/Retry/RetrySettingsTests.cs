using Akka.Actor;
using Pipelines.Configuration;
using Polly;

namespace Pipelines.Delay.Tests.Retry;

public sealed class RetrySettingsTests
{
    [Fact]
    public void Default_ComesFromTheReference()
    {
        var settings = RetrySettings.Default;

        settings.InPlaceAttempts.Should().Be(2);
        settings.InPlaceBackoff.Should().Be(TimeSpan.FromMilliseconds(100));
        settings.InPlaceMaxBackoff.Should().Be(TimeSpan.FromSeconds(2));
        settings.InPlaceBackoffType.Should().Be(DelayBackoffType.Exponential);
        settings.InPlaceJitter.Should().BeTrue();
        settings.NonBlockingAttempts.Should().Be(3);
        settings.NonBlockingBackoff.Should().Be(TimeSpan.FromSeconds(10));
        settings.NonBlockingMultiplier.Should().Be(2.0);
        settings.NonBlockingMaxBackoff.Should().Be(TimeSpan.FromHours(1));
        settings.NonBlockingJitter.Should().Be(0.2);
        settings.RetryTopic("billing").Should().Be("billing-retry");
        settings.DeadLetterTopic("billing").Should().Be("billing-dlt");
        settings.NonRetriableExceptions.Should().Equal("System.ComponentModel.DataAnnotations.ValidationException");
        settings.PreserveKeyOrder.Should().BeFalse();
        settings.MaxExceptionMessageLength.Should().Be(1000);
        settings.MaxStackTraceLength.Should().Be(8000);
    }

    [Fact]
    public void Create_FromActorSystem_ReadsEveryKey()
    {
        var config = PipelinesConfiguration.ParseString("""
            pipelines.retry {
              in-place { attempts = 5, backoff = 20ms, max-backoff = 1s, backoff-type = linear, jitter = off }
              non-blocking { attempts = 1, backoff = 1m, multiplier = 3, max-backoff = 2h, jitter = 0 }
              retry-topic = "retries.{group}"
              dead-letter-topic = "dead.{group}"
              non-retriable-exceptions = [System.FormatException, "My.App.InvalidOrderException"]
              preserve-key-order = on
              max-exception-message-length = 500
              max-stack-trace-length = 4000
            }
            """);
        using var system = ActorSystem.Create("retry-settings", config);

        var settings = RetrySettings.Create(system);

        settings.InPlaceAttempts.Should().Be(5);
        settings.InPlaceBackoff.Should().Be(TimeSpan.FromMilliseconds(20));
        settings.InPlaceMaxBackoff.Should().Be(TimeSpan.FromSeconds(1));
        settings.InPlaceBackoffType.Should().Be(DelayBackoffType.Linear);
        settings.InPlaceJitter.Should().BeFalse();
        settings.NonBlockingAttempts.Should().Be(1);
        settings.NonBlockingBackoff.Should().Be(TimeSpan.FromMinutes(1));
        settings.NonBlockingMultiplier.Should().Be(3);
        settings.NonBlockingMaxBackoff.Should().Be(TimeSpan.FromHours(2));
        settings.NonBlockingJitter.Should().Be(0);
        settings.RetryTopic("billing").Should().Be("retries.billing");
        settings.DeadLetterTopic("billing").Should().Be("dead.billing");
        settings.NonRetriableExceptions.Should().Equal("System.FormatException", "My.App.InvalidOrderException");
        settings.PreserveKeyOrder.Should().BeTrue();
        settings.MaxExceptionMessageLength.Should().Be(500);
        settings.MaxStackTraceLength.Should().Be(4000);
    }

    [Fact]
    public void Create_WithInvalidValues_ReportsEveryProblemWithItsKey()
    {
        var config = PipelinesConfiguration.ParseString("""
            pipelines.retry {
              in-place { attempts = -1, backoff = 2d, max-backoff = 1s, backoff-type = fibonacci, jitter = sometimes }
              non-blocking { attempts = -2, backoff = 0s, multiplier = 0.5, max-backoff = soon, jitter = 1 }
              retry-topic = "retry"
              dead-letter-topic = "dead letters {group}"
              non-retriable-exceptions = ["System.FormatException", "not a type"]
              preserve-key-order = perhaps
              max-exception-message-length = 10
              max-stack-trace-length = -1
            }
            """);

        var act = () => RetrySettings.Create(config);

        var problems = act.Should().Throw<SettingsException>().Which.Problems;
        problems.Should().Contain(
            [
                "pipelines.retry.in-place.attempts: must be 0 or more, but is -1",
                "pipelines.retry.in-place.backoff: must be between 0 and 1d (Polly's limit), but is 2.00:00:00",
                "pipelines.retry.in-place.max-backoff: must be at least in-place.backoff (2.00:00:00), but is 00:00:01",
                "pipelines.retry.in-place.backoff-type: must be one of constant, linear, exponential, but is \"fibonacci\"",
                "pipelines.retry.non-blocking.attempts: must be 0 or more, but is -2",
                "pipelines.retry.non-blocking.backoff: must be greater than zero, but is 00:00:00",
                "pipelines.retry.non-blocking.multiplier: must be at least 1.0, but is 0.5",
                "pipelines.retry.non-blocking.jitter: must be at least 0 and below 1, but is 1",
                "pipelines.retry.retry-topic: must contain {group} (each consumer group has its own topic), but is \"retry\"",
                "pipelines.retry.dead-letter-topic: must make legal topic names, but \"dead letters {group}\" gives \"dead letters group\" for group \"group\": it contains ' ' (U+0020)",
                "pipelines.retry.non-retriable-exceptions: must hold full type names such as System.FormatException, but element 1 is \"not a type\"",
                "pipelines.retry.max-exception-message-length: must be at least 100, but is 10",
                "pipelines.retry.max-stack-trace-length: must be at least 100, but is -1",
            ]);
        problems.Should().Contain(p => p.StartsWith("pipelines.retry.in-place.jitter: must be a boolean", StringComparison.Ordinal));
        problems.Should().Contain(p => p.StartsWith("pipelines.retry.non-blocking.max-backoff: must be a duration", StringComparison.Ordinal));
        problems.Should().Contain(p => p.StartsWith("pipelines.retry.preserve-key-order: must be a boolean", StringComparison.Ordinal));
        problems.Should().HaveCount(16, string.Join(Environment.NewLine, problems));
    }

    [Fact]
    public void TopicFor_GroupThatMakesAnIllegalName_SaysSo()
    {
        var act = () => RetrySettings.Default.RetryTopic("billing team");

        act.Should().Throw<ArgumentException>().WithMessage(
            "Consumer group \"billing team\" makes the retry-topic name \"billing team-retry\" (from pipelines.retry.retry-topic = \"{group}-retry\") illegal: it contains ' '*");
    }

    [Fact]
    public void SameRetryAndDeadLetterTopic_IsRejected()
    {
        var act = () => RetrySettings.Default.WithDeadLetterTopic("{group}-retry");

        act.Should().Throw<SettingsException>().Which.Problems.Should().Equal("pipelines.retry.dead-letter-topic: must differ from retry-topic, but both are \"{group}-retry\"");
    }

    [Theory]
    [InlineData(1, 10_000)]
    [InlineData(2, 20_000)]
    [InlineData(3, 40_000)]
    [InlineData(9, 2_560_000)]
    [InlineData(10, 3_600_000)]
    [InlineData(200, 3_600_000)]
    public void NonBlockingDelay_WithoutJitter_GrowsExponentiallyUpToTheMaximum(int retry, long expectedMs)
    {
        var settings = RetrySettings.Default.WithNonBlocking(5, TimeSpan.FromSeconds(10), 2, TimeSpan.FromHours(1), jitter: 0);

        settings.NonBlockingDelay(retry, 0.0).Should().Be(TimeSpan.FromMilliseconds(expectedMs));
        settings.NonBlockingDelay(retry, 0.999).Should().Be(TimeSpan.FromMilliseconds(expectedMs));
    }

    [Fact]
    public void NonBlockingDelay_WithJitter_StaysWithinItsBounds()
    {
        var settings = RetrySettings.Default.WithNonBlocking(5, TimeSpan.FromSeconds(10), 2, TimeSpan.FromMinutes(5), jitter: 0.25);
        var random = new Random(11);
        for (var retry = 1; retry <= 12; retry++)
        {
            var nominal = Math.Min(TimeSpan.FromMinutes(5).Ticks, TimeSpan.FromSeconds(10).Ticks * Math.Pow(2, retry - 1));
            var seen = new List<TimeSpan>();
            for (var i = 0; i < 2_000; i++)
            {
                seen.Add(settings.NonBlockingDelay(retry, random.NextDouble()));
            }

            seen.Should().OnlyContain(d => d.Ticks >= (long)(nominal * 0.75) - TimeSpan.TicksPerMillisecond && d <= TimeSpan.FromMinutes(5));
            seen.Should().OnlyContain(d => d.Ticks % TimeSpan.TicksPerMillisecond == 0, "due times are whole milliseconds");
            if (nominal < TimeSpan.FromMinutes(4).Ticks)
            {
                seen.Should().OnlyContain(d => d.Ticks < nominal * 1.25);
                (seen.Max() - seen.Min()).Should().BeGreaterThan(TimeSpan.FromTicks((long)(nominal * 0.4)), "jitter spreads the delays");
            }
        }

        settings.NonBlockingDelay(1, 0).Should().Be(TimeSpan.FromMilliseconds(7_500), "the lowest sample shortens by the jitter");
        settings.NonBlockingDelay(1, 0.5).Should().Be(TimeSpan.FromSeconds(10), "the middle sample is the nominal delay");
    }

    [Theory]
    [InlineData(0, 0.5)]
    [InlineData(1, 1.0)]
    [InlineData(1, -0.1)]
    [InlineData(1, double.NaN)]
    public void NonBlockingDelay_OutOfRangeArguments_Throw(int retry, double sample)
    {
        var act = () => RetrySettings.Default.NonBlockingDelay(retry, sample);

        act.Should().Throw<ArgumentOutOfRangeException>();
    }

    [Fact]
    public void WithMethods_ReturnValidatedCopies()
    {
        var changed = RetrySettings.Default
            .WithInPlace(1, TimeSpan.FromMilliseconds(5), TimeSpan.FromMilliseconds(50), DelayBackoffType.Constant, jitter: false)
            .WithNonBlocking(0, TimeSpan.FromSeconds(1), 1.5, TimeSpan.FromSeconds(30), 0.1)
            .WithRetryTopic("r-{group}")
            .WithDeadLetterTopic("d-{group}")
            .WithNonRetriableExceptions(["System.FormatException"])
            .WithPreserveKeyOrder(true)
            .WithExceptionLimits(200, 300);

        changed.InPlaceAttempts.Should().Be(1);
        changed.InPlaceBackoffType.Should().Be(DelayBackoffType.Constant);
        changed.NonBlockingAttempts.Should().Be(0);
        changed.NonBlockingMultiplier.Should().Be(1.5);
        changed.RetryTopic("g").Should().Be("r-g");
        changed.DeadLetterTopic("g").Should().Be("d-g");
        changed.NonRetriableExceptions.Should().Equal("System.FormatException");
        changed.PreserveKeyOrder.Should().BeTrue();
        changed.MaxExceptionMessageLength.Should().Be(200);
        changed.MaxStackTraceLength.Should().Be(300);
        RetrySettings.Default.InPlaceAttempts.Should().Be(2);

        var act = () => RetrySettings.Default.WithNonBlocking(1, TimeSpan.FromSeconds(10), 2, TimeSpan.FromSeconds(5), 0);
        act.Should().Throw<SettingsException>().Which.Problems.Should()
            .Equal("pipelines.retry.non-blocking.max-backoff: must be at least non-blocking.backoff (00:00:10), but is 00:00:05");
    }

    [Fact]
    public void Default_RouteRunsPerKeyWithParallelism16()
    {
        RetrySettings.Default.Parallelism.Should().Be(16);
        RetrySettings.Default.Processing.Should().Be(RetryProcessing.PerKey);
    }

    [Fact]
    public void Create_ParallelismAndProcessing_AreRead()
    {
        var settings = RetrySettings.Create(PipelinesConfiguration.ParseString("pipelines.retry { parallelism = 4, processing = unordered }"));

        settings.Parallelism.Should().Be(4);
        settings.Processing.Should().Be(RetryProcessing.Unordered);
    }

    [Fact]
    public void Create_UnorderedProcessingWithPreserveKeyOrder_IsRefusedWithEveryProblem()
    {
        var act = () => RetrySettings.Create(PipelinesConfiguration.ParseString(
            "pipelines.retry { parallelism = 0, processing = unordered, preserve-key-order = on }"));

        act.Should().Throw<SettingsException>().Which.Problems.Should().Equal(
            "pipelines.retry.parallelism: must be between 1 and 10000, but is 0",
            "pipelines.retry.processing: must be per-key when preserve-key-order is on (unordered processing keeps no order to preserve), but is unordered");
    }

    [Fact]
    public void WithProcessing_Unordered_IsRefusedWhilePreservingKeyOrder()
    {
        var act = () => RetrySettings.Default.WithPreserveKeyOrder(true).WithProcessing(8, RetryProcessing.Unordered);

        act.Should().Throw<SettingsException>().Which.Problems.Should().ContainSingle().Which.Should().StartWith("pipelines.retry.processing: must be per-key");
    }
}
