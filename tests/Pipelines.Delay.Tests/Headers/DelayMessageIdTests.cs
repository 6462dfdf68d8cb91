namespace Pipelines.Delay.Tests.Headers;

public sealed class DelayMessageIdTests
{
    private static readonly DateTimeOffset Due = new(2026, 12, 2, 10, 0, 0, 123, TimeSpan.Zero);

    [Fact]
    public void New_CarriesTheDueTimeToTheMillisecond()
    {
        var id = DelayMessageId.New(Due.AddTicks(9_999));

        id.DueTime.Should().Be(Due);
        id.DueUnixMilliseconds.Should().Be(Due.ToUnixTimeMilliseconds());
        id.IsEmpty.Should().BeFalse();
        default(DelayMessageId).IsEmpty.Should().BeTrue();
    }

    [Fact]
    public void New_ManyIds_AreUnique()
    {
        var ids = Enumerable.Range(0, 100_000).Select(_ => DelayMessageId.New(Due)).ToHashSet();

        ids.Should().HaveCount(100_000);
    }

    [Fact]
    public void Ids_SortByDueTime_InBinaryAndTextForm()
    {
        var random = new Random(5);
        var ids = Enumerable.Range(0, 2_000).Select(_ => DelayMessageId.New(Due.AddMilliseconds(random.Next(-1_000_000, 1_000_000)))).ToList();

        var byId = ids.Order().ToList();
        byId.Select(i => i.DueTime).Should().BeInAscendingOrder();
        ids.OrderBy(i => i.ToString(), StringComparer.Ordinal).Should().Equal(byId, "the text form sorts like the id");
        ids.OrderBy(i => Convert.ToHexString(i.ToByteArray()), StringComparer.Ordinal).Should().Equal(byId, "so does the binary form");
    }

    [Fact]
    public void TextForm_IsUlidLike_AndRoundTrips()
    {
        var random = new byte[10];
        random.AsSpan().Fill(0xFF);
        var id = DelayMessageId.New(DateTimeOffset.FromUnixTimeMilliseconds(0), random);

        id.ToString().Should().Be("0000000000ZZZZZZZZZZZZZZZZ");
        DelayMessageId.Parse("0000000000zzzzzzzzzzzzzzzz").Should().Be(id, "either case is read");

        for (var i = 0; i < 1_000; i++)
        {
            var any = DelayMessageId.New(Due.AddDays(i));
            var text = any.ToString();
            text.Should().HaveLength(DelayMessageId.TextLength);
            DelayMessageId.Parse(text).Should().Be(any);
            var utf8 = new byte[DelayMessageId.TextLength];
            any.WriteUtf8(utf8);
            DelayMessageId.TryParseUtf8(utf8, out var fromUtf8).Should().BeTrue();
            fromUtf8.Should().Be(any);
            DelayMessageId.FromBytes(any.ToByteArray()).Should().Be(any);
        }
    }

    [Fact]
    public void MaxDueTime_RoundTrips()
    {
        var id = DelayMessageId.New(DelayMessageId.MaxDueTime);

        id.DueTime.Should().Be(DelayMessageId.MaxDueTime);
        id.ToString()[0].Should().Be('7');
        DelayMessageId.Parse(id.ToString()).Should().Be(id);
    }

    [Theory]
    [InlineData("")]
    [InlineData("0000000000ZZZZZZZZZZZZZZZ")]
    [InlineData("0000000000ZZZZZZZZZZZZZZZZZ")]
    [InlineData("8000000000000000000000000Z")]
    [InlineData("0000000000ZZZZZZZZZZZZZZZU")]
    [InlineData("0000000000ZZZZZZZZZZZZZZZI")]
    [InlineData("0000000000ZZZZZZZZZZZZZZZ-")]
    [InlineData("0000000000ZZZZZZZZZZZZZZZé")]
    public void TryParse_NotAnId_ReturnsFalse(string text)
    {
        DelayMessageId.TryParse(text, out _).Should().BeFalse();
        var act = () => DelayMessageId.Parse(text);
        act.Should().Throw<FormatException>().WithMessage($"\"{text}\" is not a delayed message id: expected 26 characters of Crockford base32*");
    }

    [Fact]
    public void New_DueTimeOutOfRange_Throws()
    {
        var before1970 = () => DelayMessageId.New(DateTimeOffset.UnixEpoch.AddMilliseconds(-1));
        var tooLate = () => DelayMessageId.New(DelayMessageId.MaxDueTime.AddMilliseconds(1));

        before1970.Should().Throw<ArgumentOutOfRangeException>();
        tooLate.Should().Throw<ArgumentOutOfRangeException>();
    }

    [Fact]
    public void Parse_DueTimeBeyondTheLargest_IsNotAnId()
    {
        DelayMessageId.TryParse("7ZZZZZZZZZ0000000000000000", out _).Should().BeFalse();
        var bytes = new byte[16];
        bytes.AsSpan(0, 6).Fill(0xFF);
        var act = () => DelayMessageId.FromBytes(bytes);
        act.Should().Throw<ArgumentException>().WithMessage("The bytes 0xFFFFFFFFFFFF00000000000000000000 are not a delayed message id: their due time lies beyond 9999.*");
    }

    [Fact]
    public void FromBytes_WrongLength_Throws()
    {
        var act = () => DelayMessageId.FromBytes(new byte[15]);

        act.Should().Throw<ArgumentException>().WithMessage("A delayed message id is 16 bytes, not 15.*");
    }
}
