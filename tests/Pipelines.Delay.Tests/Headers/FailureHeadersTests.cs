using System.Text;

namespace Pipelines.Delay.Tests.Headers;

public sealed class FailureHeadersTests
{
    private static readonly DateTimeOffset First = new(2026, 12, 2, 10, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void WriteThenRead_RoundTripsEveryField(bool deadLetter)
    {
        var failure = Sample() with { DeadLetterReason = deadLetter ? DeadLetterReason.AttemptsExhausted : null };
        var headers = new Confluent.Kafka.Headers { { "user", [7] } };

        FailureHeaders.Write(headers, failure);

        FailureHeaders.TryRead(headers, "billing-retry", 1, 99, out var read).Should().BeTrue();
        read.Should().BeEquivalentTo(failure);
        headers.GetLastBytes("user").Should().Equal(7);
        Text(headers, PipelinesHeaders.OriginalOffset).Should().Be("1234567");
        Text(headers, PipelinesHeaders.Attempt).Should().Be("2");
        if (deadLetter)
        {
            Text(headers, PipelinesHeaders.DeadLetterReason).Should().Be("attempts-exhausted");
        }
    }

    [Fact]
    public void Write_OverAnEarlierFailure_ReplacesItsHeaders()
    {
        var headers = new Confluent.Kafka.Headers();
        FailureHeaders.Write(headers, Sample() with { DeadLetterReason = DeadLetterReason.NonRetriable });
        var next = Sample() with { Attempt = 3, OriginalKey = null, ExceptionMessage = "again", LastFailure = First.AddMinutes(5) };

        FailureHeaders.Write(headers, next);

        FailureHeaders.TryRead(headers, "t", 0, 0, out var read).Should().BeTrue();
        read.Should().BeEquivalentTo(next);
        headers.Select(h => h.Key).Should().OnlyHaveUniqueItems();
        headers.Select(h => h.Key).Should().NotContain([PipelinesHeaders.OriginalKey, PipelinesHeaders.DeadLetterReason]);
    }

    [Fact]
    public void TryRead_EmptyKey_IsNotANullKey()
    {
        var headers = new Confluent.Kafka.Headers();
        FailureHeaders.Write(headers, Sample() with { OriginalKey = [] });

        FailureHeaders.TryRead(headers, "t", 0, 0, out var read).Should().BeTrue();
        read!.OriginalKey.Should().NotBeNull().And.BeEmpty();
    }

    [Fact]
    public void TryRead_RecordWithoutFailureHeaders_ReturnsFalse()
    {
        FailureHeaders.TryRead(new Confluent.Kafka.Headers { { "user", [1] } }, "orders", 0, 5, out var read).Should().BeFalse();
        read.Should().BeNull();
        FailureHeaders.TryRead(null, "orders", 0, 5, out _).Should().BeFalse();
    }

    [Theory]
    [InlineData(PipelinesHeaders.OriginalPartition)]
    [InlineData(PipelinesHeaders.OriginalOffset)]
    [InlineData(PipelinesHeaders.OriginalTimestamp)]
    [InlineData(PipelinesHeaders.ConsumerGroup)]
    [InlineData(PipelinesHeaders.ExceptionType)]
    [InlineData(PipelinesHeaders.ExceptionMessage)]
    [InlineData(PipelinesHeaders.ExceptionStackTrace)]
    [InlineData(PipelinesHeaders.Attempt)]
    [InlineData(PipelinesHeaders.FirstFailure)]
    [InlineData(PipelinesHeaders.LastFailure)]
    public void TryRead_RetryMessageMissingAHeader_NamesItAndTheRecord(string header)
    {
        var headers = new Confluent.Kafka.Headers();
        FailureHeaders.Write(headers, Sample());
        headers.Remove(header);

        var act = () => FailureHeaders.TryRead(headers, "billing-retry", 4, 77, out _);

        act.Should().Throw<KafkaHeaderException>().WithMessage($"Header '{header}' of the record at billing-retry [4] @77 is missing (*");
    }

    [Theory]
    [InlineData(PipelinesHeaders.OriginalPartition, "x")]
    [InlineData(PipelinesHeaders.OriginalOffset, "-1")]
    [InlineData(PipelinesHeaders.Attempt, "two")]
    [InlineData(PipelinesHeaders.FirstFailure, "1.5")]
    [InlineData(PipelinesHeaders.DeadLetterReason, "bored")]
    [InlineData(PipelinesHeaders.OriginalTopic, "")]
    [InlineData(PipelinesHeaders.ConsumerGroup, "")]
    public void TryRead_MalformedHeader_NamesIt(string header, string value)
    {
        var headers = new Confluent.Kafka.Headers();
        FailureHeaders.Write(headers, Sample());
        headers.Remove(header);
        headers.Add(header, Encoding.UTF8.GetBytes(value));

        var act = () => FailureHeaders.TryRead(headers, "billing-dlt", 0, 3, out _);

        act.Should().Throw<KafkaHeaderException>().WithMessage($"Header '{header}' of the record at billing-dlt [0] @3 is malformed: expected *");
    }

    [Fact]
    public void Write_NegativeCoordinates_Throws()
    {
        var act = () => FailureHeaders.Write(new Confluent.Kafka.Headers(), Sample() with { OriginalOffset = -1 });

        act.Should().Throw<ArgumentException>().WithMessage("The failure of orders [2] @-1 (attempt 2) has a negative partition, offset or attempt.*");
    }

    [Theory]
    [InlineData(10, 200)]
    [InlineData(199, 200)]
    [InlineData(200, 200)]
    public void Truncate_ShortText_IsUnchanged(int length, int max)
    {
        var text = new string('x', length);

        FailureHeaders.Truncate(text, max).Should().BeSameAs(text);
    }

    [Fact]
    public void Truncate_LongText_IsCutToTheLimitAndSaysSo()
    {
        var cut = FailureHeaders.Truncate(new string('x', 5_000), 120);

        cut.Should().HaveLength(120).And.EndWith("… (cut, 5000 characters in all)").And.StartWith("xxxx");
    }

    [Fact]
    public void Truncate_NeverSplitsASurrogatePair()
    {
        // 69 letters, then pairs: the cut at 100 - note length (70) would fall between a pair's halves.
        var text = new string('a', 69) + string.Concat(Enumerable.Repeat("😀", 200));
        var note = "… (cut, 469 characters in all)";
        char.IsHighSurrogate(text[100 - note.Length - 1]).Should().BeTrue("the test cuts inside a pair");

        var cut = FailureHeaders.Truncate(text, 100);

        cut.Length.Should().BeLessThanOrEqualTo(100);
        cut.Should().EndWith(note);
        char.IsHighSurrogate(cut[cut.Length - note.Length - 1]).Should().BeFalse();
        new UTF8Encoding(false, true).GetBytes(cut).Should().NotBeEmpty("the cut text is valid UTF-16");
    }

    private static FailureInfo Sample() => new()
    {
        OriginalTopic = "orders",
        OriginalPartition = 2,
        OriginalOffset = 1_234_567,
        OriginalTimestamp = First.AddMinutes(-1),
        OriginalKey = [0, 1, 255],
        ConsumerGroup = "billing",
        ExceptionType = "System.TimeoutException",
        ExceptionMessage = "The pricing service did not answer.",
        StackTrace = "System.TimeoutException: The pricing service did not answer.\n   at Billing.Price()",
        Attempt = 2,
        FirstFailure = First,
        LastFailure = First.AddSeconds(30),
    };

    private static string Text(Confluent.Kafka.Headers headers, string name) => Encoding.UTF8.GetString(headers.GetLastBytes(name));
}
