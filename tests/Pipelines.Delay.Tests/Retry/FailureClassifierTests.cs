using System.ComponentModel.DataAnnotations;
using Confluent.Kafka;
using Pipelines.Kafka;

namespace Pipelines.Delay.Tests.Retry;

public sealed class FailureClassifierTests
{
    private readonly FailureClassifier _classifier = new(["System.FormatException", "My.Missing.Type"]);

    [Fact]
    public void IsRetriable_OrdinaryError_IsTrue()
    {
        _classifier.IsRetriable(new TimeoutException()).Should().BeTrue();
        _classifier.IsRetriable(new InvalidOperationException("x", new TimeoutException())).Should().BeTrue();
        _classifier.FindNonRetriable(new TimeoutException()).Should().BeNull();
    }

    [Fact]
    public void IsRetriable_DeserializationFailure_IsAlwaysFalse()
    {
        var error = new KafkaDeserializationException("orders", 0, 1, MessageComponentType.Key, null);

        new FailureClassifier([]).IsRetriable(error).Should().BeFalse();
    }

    [Fact]
    public void IsRetriable_MalformedPipelinesHeader_IsAlwaysFalse()
    {
        var error = new KafkaHeaderException(PipelinesHeaders.Attempt, "billing-retry", 0, 3, "is malformed");

        new FailureClassifier([]).IsRetriable(error).Should().BeFalse("a retry message with a malformed header fails the same way every time");
    }

    [Fact]
    public void IsRetriable_ConfiguredTypeOrSubclass_IsFalse()
    {
        _classifier.IsRetriable(new FormatException()).Should().BeFalse();
        _classifier.IsRetriable(new UriFormatException()).Should().BeFalse("UriFormatException derives from FormatException");
        _classifier.IsRetriable(new ValidationException()).Should().BeTrue("only configured names count");
    }

    [Fact]
    public void FindNonRetriable_LooksThroughWrappers()
    {
        var inner = new FormatException("bad");
        var wrapped = new AggregateException(new TimeoutException(), new InvalidOperationException("outer", inner));

        _classifier.FindNonRetriable(wrapped).Should().BeSameAs(inner);
    }

    [Fact]
    public void FindNonRetriable_FollowsWrappingUpTo32Levels()
    {
        _classifier.IsRetriable(Wrap(new FormatException("bad"), 32)).Should().BeFalse();
        _classifier.IsRetriable(Wrap(new FormatException("bad"), 33)).Should().BeTrue("wrapping deeper than 32 levels is not followed");
    }

    private static Exception Wrap(Exception error, int levels)
    {
        for (var i = 0; i < levels; i++)
        {
            error = new InvalidOperationException($"level {i}", error);
        }

        return error;
    }
}
