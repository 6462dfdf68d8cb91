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
        var facts = new List<DelayFact>();
        CancellationRecords.Read(key, value, "pipelines-delay-cancellations", 0, 1, facts).Should().Be(1);
        facts.Should().Equal(new DelayFact(id, kind, at));
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
    public void Read_Tombstone_CarriesNoFact()
    {
        var facts = new List<DelayFact>();

        CancellationRecords.Read(CancellationRecords.Key(DelayMessageId.New(Due), DelayFactKind.Cancelled), null, "c", 0, 1, facts).Should().Be(0);
        CancellationRecords.Read(CancellationRecords.DeliveriesKey(DelayMessageId.New(Due)), null, "c", 0, 2, facts).Should().Be(0);

        facts.Should().BeEmpty();
    }

    [Fact]
    public void Deliveries_RoundTrip_AsOneDeliveredFactPerIdInOrder()
    {
        var ids = Enumerable.Range(0, 3).Select(i => DelayMessageId.New(Due.AddSeconds(i))).ToArray();
        var at = Due.AddSeconds(5);
        var facts = new List<DelayFact> { new(DelayMessageId.New(Due), DelayFactKind.Scheduled, Due) };

        var key = CancellationRecords.DeliveriesKey(DelayMessageId.New(at));
        var value = CancellationRecords.DeliveriesValue(at, ids);

        key.Should().HaveCount(17);
        key[16].Should().Be(CancellationRecords.DeliveriesMarker);
        value.Should().HaveCount(9 + (3 * 16));
        CancellationRecords.Read(key, value, "pipelines-delay-cancellations", 0, 7, facts).Should().Be(3);
        facts.Skip(1).Should().Equal(ids.Select(id => new DelayFact(id, DelayFactKind.Delivered, at)));
    }

    [Fact]
    public void Deliveries_KeysOfTwoRecords_Differ_SoCompactionKeepsBoth()
    {
        Convert.ToHexString(CancellationRecords.DeliveriesKey(DelayMessageId.New(Due)))
            .Should().NotBe(Convert.ToHexString(CancellationRecords.DeliveriesKey(DelayMessageId.New(Due))));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(CancellationRecords.MaxDeliveriesPerRecord + 1)]
    public void DeliveriesValue_NoneOrTooMany_Refused(int count)
    {
        var ids = Enumerable.Range(0, count).Select(_ => DelayMessageId.New(Due)).ToArray();

        var act = () => CancellationRecords.DeliveriesValue(Due, ids);

        act.Should().Throw<ArgumentException>().WithMessage($"A deliveries record carries 1 to 1000 ids, not {count}.*");
    }

    [Theory]
    [InlineData(9, 1, "a deliveries record's value must be version 1, a time and one or more 16-byte message ids (9 + 16·n bytes), but is 9 bytes starting with 1")]
    [InlineData(24, 1, "a deliveries record's value must be version 1, a time and one or more 16-byte message ids (9 + 16·n bytes), but is 24 bytes starting with 1")]
    [InlineData(25, 2, "a deliveries record's value must be version 1, a time and one or more 16-byte message ids (9 + 16·n bytes), but is 25 bytes starting with 2")]
    public void Deliveries_Malformed_NamesTheRecordAndTheProblem(int valueLength, byte version, string problem)
    {
        var value = new byte[valueLength];
        value[0] = version;
        var facts = new List<DelayFact>();

        var act = () => CancellationRecords.Read(CancellationRecords.DeliveriesKey(DelayMessageId.New(Due)), value, "pipelines-delay-cancellations", 1, 9, facts);

        act.Should().Throw<DelayRecordException>().Which.Message.Should().StartWith($"The record at pipelines-delay-cancellations [1] @9 is malformed: {problem}.");
        facts.Should().BeEmpty();
    }

    [Fact]
    public void Deliveries_WithAnIdThatIsNone_AddsNothing()
    {
        var value = CancellationRecords.DeliveriesValue(Due, [DelayMessageId.New(Due), DelayMessageId.New(Due)]);
        value.AsSpan(9 + 16, 8).Fill(0xFF);
        var facts = new List<DelayFact>();

        var act = () => CancellationRecords.Read(CancellationRecords.DeliveriesKey(DelayMessageId.New(Due)), value, "pipelines-delay-cancellations", 1, 9, facts);

        act.Should().Throw<DelayRecordException>().Which.Message.Should().Contain("is not a message id (its due time lies beyond");
        facts.Should().BeEmpty("a malformed record adds none of its facts");
    }

    [Theory]
    [InlineData(5, 2, 9, 1, "its key must be 17 bytes (a 16-byte message id and a fact kind), but is 5 bytes")]
    [InlineData(17, 9, 9, 1, "its key's last byte must be a fact kind (1 Scheduled, 2 Cancelled, 3 Delivered) or 4 (deliveries), but is 9")]
    [InlineData(17, 2, 8, 1, "its value must be 9 bytes starting with version 1, but is 8 bytes starting with 1")]
    [InlineData(17, 2, 9, 2, "its value must be 9 bytes starting with version 1, but is 9 bytes starting with 2")]
    [InlineData(17, 2, 0, 1, "its value must be 9 bytes starting with version 1, but is 0 bytes")]
    public void Read_Malformed_NamesTheRecordAndTheProblem(int keyLength, byte kind, int valueLength, byte version, string problem)
    {
        var key = new byte[keyLength];
        DelayMessageId.New(Due).WriteBytes(key.Length >= 16 ? key : new byte[16]);
        key[^1] = kind;
        var value = new byte[valueLength];
        if (valueLength > 0)
        {
            value[0] = version;
        }

        var act = () => CancellationRecords.Read(key, value, "pipelines-delay-cancellations", 3, 42, new List<DelayFact>());

        var error = act.Should().Throw<DelayRecordException>().Which;
        error.Message.Should().StartWith($"The record at pipelines-delay-cancellations [3] @42 is malformed: {problem}.");
        (error.Topic, error.Partition, error.Offset).Should().Be(("pipelines-delay-cancellations", 3, 42L));
    }
}
