namespace Pipelines.Delay.Tests.Cancellation;

public sealed class CancellationRecordsTests
{
    private static readonly DateTimeOffset Due = new(2026, 12, 2, 12, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData(DelayFactKind.Scheduled)]
    [InlineData(DelayFactKind.Cancelled)]
    [InlineData(DelayFactKind.Delivered)]
    public void KeyAndValue_RoundTrip(DelayFactKind kind)
    {
        var id = DelayMessageId.New(Due);
        var at = Due.AddMinutes(-5);

        var key = CancellationRecords.Key(id, kind);
        var value = CancellationRecords.Value(at);

        key.Should().HaveCount(17);
        key[16].Should().Be((byte)kind);
        value.Should().HaveCount(9);
        CancellationRecords.TryRead(key, value, "pipelines-delay-cancellations", 0, 1, out var fact).Should().BeTrue();
        fact.Should().Be(new DelayFact(id, kind, at));
    }

    [Fact]
    public void Keys_OfDifferentFacts_Differ_SoCompactionKeepsEach()
    {
        var id = DelayMessageId.New(Due);

        new[] { DelayFactKind.Scheduled, DelayFactKind.Cancelled, DelayFactKind.Delivered }
            .Select(k => Convert.ToHexString(CancellationRecords.Key(id, k)))
            .Should().OnlyHaveUniqueItems();
    }

    [Fact]
    public void TryRead_Tombstone_CarriesNoFact()
    {
        CancellationRecords.TryRead(CancellationRecords.Key(DelayMessageId.New(Due), DelayFactKind.Cancelled), null, "c", 0, 1, out _).Should().BeFalse();
    }

    [Theory]
    [InlineData(5, 2, 9, 1, "its key must be 17 bytes (a 16-byte message id and a fact kind), but is 5 bytes")]
    [InlineData(17, 9, 9, 1, "its key's last byte must be a fact kind (1 Scheduled, 2 Cancelled, 3 Delivered), but is 9")]
    [InlineData(17, 2, 8, 1, "its value must be 9 bytes starting with version 1, but is 8 bytes starting with 1")]
    [InlineData(17, 2, 9, 2, "its value must be 9 bytes starting with version 1, but is 9 bytes starting with 2")]
    [InlineData(17, 2, 0, 1, "its value must be 9 bytes starting with version 1, but is 0 bytes")]
    public void TryRead_Malformed_NamesTheRecordAndTheProblem(int keyLength, byte kind, int valueLength, byte version, string problem)
    {
        var key = new byte[keyLength];
        DelayMessageId.New(Due).WriteBytes(key.Length >= 16 ? key : new byte[16]);
        key[^1] = kind;
        var value = new byte[valueLength];
        if (valueLength > 0)
        {
            value[0] = version;
        }

        var act = () => CancellationRecords.TryRead(key, value, "pipelines-delay-cancellations", 3, 42, out _);

        var error = act.Should().Throw<DelayRecordException>().Which;
        error.Message.Should().StartWith($"The record at pipelines-delay-cancellations [3] @42 is malformed: {problem}.");
        (error.Topic, error.Partition, error.Offset).Should().Be(("pipelines-delay-cancellations", 3, 42L));
    }
}
