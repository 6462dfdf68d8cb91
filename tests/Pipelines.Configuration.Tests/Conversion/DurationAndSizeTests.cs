namespace Pipelines.Configuration.Tests.Conversion;

public sealed class DurationAndSizeTests
{
    [Theory]
    [InlineData("500ns", 5)]
    [InlineData("500 nanoseconds", 5)]
    [InlineData("3us", 30)]
    [InlineData("3 micros", 30)]
    [InlineData("50ms", 500_000)]
    [InlineData("50 millis", 500_000)]
    [InlineData("250", 2_500_000)]
    [InlineData("1.5s", 15_000_000)]
    [InlineData("2 seconds", 20_000_000)]
    [InlineData("2m", 1_200_000_000)]
    [InlineData("1 minute", 600_000_000)]
    [InlineData("1h", 36_000_000_000)]
    [InlineData("2 hours", 72_000_000_000)]
    [InlineData("1d", 864_000_000_000)]
    [InlineData("3 days", 2_592_000_000_000)]
    [InlineData("-1s", -10_000_000)]
    public void GetTimeSpan_UnitsAndLongForms_Convert(string text, long ticks)
    {
        var config = HoconConfigFactory.ParseString($"d = \"{text}\"");

        config.GetTimeSpan("d").Should().Be(TimeSpan.FromTicks(ticks));
    }

    [Fact]
    public void GetTimeSpan_Number_IsMilliseconds()
    {
        HoconConfigFactory.ParseString("d = 250").GetTimeSpan("d").Should().Be(TimeSpan.FromMilliseconds(250));
        HoconConfigFactory.ParseString("d = 10 s").GetTimeSpan("d").Should().Be(TimeSpan.FromSeconds(10));
        var tooLong = () => HoconConfigFactory.ParseString("d = 1e300").GetTimeSpan("d");
        tooLong.Should().Throw<HoconException>().Which.Reason.Should().Be("'d' must be a duration such as 50ms or 10s, but 1e300 milliseconds is too long");
    }

    [Fact]
    public void GetTimeSpan_Infinite_OnlyWhereAllowed()
    {
        var config = HoconConfigFactory.ParseString("d = infinite");

        config.GetTimeSpan("d", allowInfinite: true).Should().Be(Timeout.InfiniteTimeSpan);
        var act = () => config.GetTimeSpan("d");
        act.Should().Throw<HoconException>().Which.Reason.Should().Be("'d' must be a duration such as 50ms or 10s, but is \"infinite\": 'infinite' is not allowed for this setting");
    }

    [Theory]
    [InlineData("5 parsecs", "unknown duration unit 'parsecs'")]
    [InlineData("fast", "expected a duration such as 50ms, 10s or 2 minutes")]
    [InlineData("ms", "expected a duration such as 50ms, 10s or 2 minutes")]
    public void GetTimeSpan_Invalid_ThrowsWithPosition(string text, string reason)
    {
        var config = HoconConfigFactory.ParseString($"\n  d = \"{text}\"");

        var act = () => config.GetTimeSpan("d");

        var error = act.Should().Throw<HoconException>().Which;
        error.Reason.Should().Contain(reason);
        (error.Line, error.Column).Should().Be((2, 7));
    }

    [Theory]
    [InlineData("512", 512)]
    [InlineData("10 bytes", 10)]
    [InlineData("1B", 1)]
    [InlineData("1K", 1024)]
    [InlineData("1k", 1024)]
    [InlineData("1Ki", 1024)]
    [InlineData("1KiB", 1024)]
    [InlineData("1 kibibyte", 1024)]
    [InlineData("1kB", 1000)]
    [InlineData("1KB", 1000)]
    [InlineData("2 kilobytes", 2000)]
    [InlineData("2MiB", 2_097_152)]
    [InlineData("1.5M", 1_572_864)]
    [InlineData("3MB", 3_000_000)]
    [InlineData("1G", 1_073_741_824)]
    [InlineData("1GB", 1_000_000_000)]
    [InlineData("1 TiB", 1_099_511_627_776)]
    public void GetByteSize_Units_Convert(string text, long bytes)
    {
        HoconConfigFactory.ParseString($"s = \"{text}\"").GetByteSize("s").Should().Be(bytes);
    }

    [Fact]
    public void GetByteSize_NumberAndInvalidUnit()
    {
        HoconConfigFactory.ParseString("s = 4096").GetByteSize("s").Should().Be(4096);
        var act = () => HoconConfigFactory.ParseString("s = 10XB").GetByteSize("s");
        act.Should().Throw<HoconException>().Which.Message.Should().StartWith("string:1:5: 's' must be a size such as 512KiB or 10MB, but is \"10XB\": unknown size unit 'XB'");
        var overflow = () => HoconConfigFactory.ParseString("s = 100EiB").GetByteSize("s");
        overflow.Should().Throw<HoconException>().Which.Reason.Should().EndWith("the size does not fit in 64 bits");
    }
}
