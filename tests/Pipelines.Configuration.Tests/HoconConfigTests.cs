namespace Pipelines.Configuration.Tests;

public sealed class HoconConfigTests
{
    private static readonly HoconConfig Sample = HoconText.Resolve("""
        text = hello
        number = 42
        numeric-string = "17"
        big = 9000000000
        ratio = 0.25
        whole-double = 1e3
        fraction = 1.5
        flags { t = true, f = false, yes = yes, no = no, on = on, off = off, bad = maybe }
        list = [a, 1, true, 2.50]
        nested { "dotted.key" = v, inner { x = 1 } }
        nothing = null
        """, "sample.conf");

    [Fact]
    public void GetString_Scalars_ReturnTheirText()
    {
        Sample.GetString("text").Should().Be("hello");
        Sample.GetString("number").Should().Be("42");
        Sample.GetString("flags.t").Should().Be("true");
        Sample.GetString("list.missing", "fallback").Should().Be("fallback");
    }

    [Fact]
    public void GetString_Object_ThrowsNamingPathAndValue()
    {
        var act = () => Sample.GetString("nested");

        act.Should().Throw<HoconException>().Which.Message.Should().Be("sample.conf:10:8: 'nested' must be a string, but is an object");
    }

    [Theory]
    [InlineData("flags.t", true)]
    [InlineData("flags.f", false)]
    [InlineData("flags.yes", true)]
    [InlineData("flags.no", false)]
    [InlineData("flags.on", true)]
    [InlineData("flags.off", false)]
    public void GetBoolean_AcceptedSpellings_Convert(string path, bool expected) => Sample.GetBoolean(path).Should().Be(expected);

    [Fact]
    public void GetBoolean_OtherString_ThrowsWithTheValueFound()
    {
        var act = () => Sample.GetBoolean("flags.bad");

        act.Should().Throw<HoconException>().Which.Message.Should().Be("sample.conf:8:76: 'flags.bad' must be a boolean (true/false, yes/no, on/off), but is the string \"maybe\"");
    }

    [Fact]
    public void GetNumbers_ConvertNumbersAndNumericStrings()
    {
        Sample.GetInt("number").Should().Be(42);
        Sample.GetInt("numeric-string").Should().Be(17);
        Sample.GetLong("big").Should().Be(9_000_000_000);
        Sample.GetInt("whole-double").Should().Be(1000);
        Sample.GetDouble("ratio").Should().Be(0.25);
        Sample.GetDouble("number").Should().Be(42);
        Sample.GetInt("absent", 7).Should().Be(7);
        Sample.GetLong("absent", 8).Should().Be(8);
        Sample.GetDouble("absent", 0.5).Should().Be(0.5);
        Sample.GetBoolean("absent", true).Should().BeTrue();
    }

    [Theory]
    [InlineData("fraction", "'fraction' must be a whole number, but is the number 1.5")]
    [InlineData("big", "'big' must be a 32-bit integer, but is the number 9000000000")]
    [InlineData("text", "'text' must be a whole number, but is the string \"hello\"")]
    public void GetInt_WrongValue_ThrowsNamingPathAndValue(string path, string reason)
    {
        var act = () => Sample.GetInt(path);

        act.Should().Throw<HoconException>().Which.Reason.Should().Be(reason);
    }

    [Fact]
    public void GetStringList_ReturnsElementsAsText()
    {
        Sample.GetStringList("list").Should().Equal("a", "1", "true", "2.50");
    }

    [Fact]
    public void GetStringList_NotAnArray_Throws()
    {
        var act = () => Sample.GetStringList("text");

        act.Should().Throw<HoconException>().Which.Reason.Should().Be("'text' must be an array of strings, but is the string \"hello\"");
    }

    [Fact]
    public void GetConfig_ReturnsTheSubtree()
    {
        var nested = Sample.GetConfig("nested");

        nested.GetString("\"dotted.key\"").Should().Be("v");
        nested.GetInt("inner.x").Should().Be(1);
        nested.HasPath("text").Should().BeFalse();
    }

    [Fact]
    public void HasPath_DistinguishesMissingNullAndPresent()
    {
        Sample.HasPath("text").Should().BeTrue();
        Sample.HasPath("nested.\"dotted.key\"").Should().BeTrue();
        Sample.HasPath("nested.dotted.key").Should().BeFalse();
        Sample.HasPath("nothing").Should().BeFalse();
        Sample.GetValue("nothing").Should().NotBeNull();
        Sample.HasPath("text.deeper").Should().BeFalse();
    }

    [Fact]
    public void Getters_MissingAndNull_ThrowWithThePath()
    {
        var missing = () => Sample.GetString("no.such.key");
        var isNull = () => Sample.GetString("nothing");

        missing.Should().Throw<HoconException>().Which.Message.Should().Be("sample.conf: no configuration value at 'no.such.key'");
        isNull.Should().Throw<HoconException>().Which.Message.Should().Be("sample.conf:11:11: 'nothing' is null, expected a value");
    }

    [Fact]
    public void Getters_InvalidPathExpression_Throw()
    {
        var act = () => Sample.GetString("a..b");

        act.Should().Throw<HoconException>().Which.Reason.Should().Contain("invalid path 'a..b'");
    }

    [Fact]
    public void WithFallback_MergesObjectsAndKeepsOverrides()
    {
        var user = HoconConfigFactory.ParseString("a { x = 1 }\nb = user");
        var fallback = HoconConfigFactory.ParseString("a { x = 0, y = 2 }\nb = fallback\nc = 3");

        var merged = user.WithFallback(fallback);

        merged.GetInt("a.x").Should().Be(1);
        merged.GetInt("a.y").Should().Be(2);
        merged.GetString("b").Should().Be("user");
        merged.GetInt("c").Should().Be(3);
        user.HasPath("c").Should().BeFalse("configurations are immutable");
    }

    [Fact]
    public void WithFallback_SubstitutionsResolveAgainstTheMergedConfig()
    {
        var user = HoconConfigFactory.ParseString("path = ${path}\":/bin\"\nurl = \"http://\"${host}");
        var fallback = HoconConfigFactory.ParseString("path = /usr\nhost = example");

        var merged = user.WithFallback(fallback).Resolve(_ => null);

        merged.GetString("path").Should().Be("/usr:/bin");
        merged.GetString("url").Should().Be("http://example");
    }

    [Fact]
    public void WithFallback_OptionalOverrideUnset_KeepsTheFallbackValue()
    {
        var user = HoconConfigFactory.ParseString("servers = ${?PIPELINES_TEST_UNSET_VARIABLE}");
        var fallback = HoconConfigFactory.ParseString("servers = \"localhost:9092\"");

        user.WithFallback(fallback).Resolve(_ => null).GetString("servers").Should().Be("localhost:9092");
        user.WithFallback(fallback).Resolve(_ => "env:1").GetString("servers").Should().Be("env:1");
    }

    [Fact]
    public void Root_UnresolvedConfig_ResolvesOnFirstUse()
    {
        var config = HoconConfigFactory.ParseString("a = 1\nb = ${a}");

        config.IsResolved.Should().BeFalse();
        config.GetInt("b").Should().Be(1);
        config.IsResolved.Should().BeTrue();
    }

    [Fact]
    public void Getter_UnresolvableSubstitution_ThrowsThePositionedError()
    {
        var config = HoconConfigFactory.ParseString("a = 1\nb = ${nope.nothing}");

        var act = () => config.GetInt("a");

        act.Should().Throw<HoconException>().Which.Message.Should().StartWith("string:2:5: could not resolve substitution ${nope.nothing}");
    }

    [Fact]
    public void ToHocon_ReparsesToTheSameValues()
    {
        var rendered = Sample.ToHocon();

        var reparsed = HoconConfigFactory.ParseString(rendered);

        TreeComparer.Difference(reparsed.Root, Sample.ToJson()).Should().BeNull(rendered);
    }

    [Fact]
    public void ToJson_IsValidJsonOfTheTree()
    {
        var json = HoconText.Resolve("a { b = [1, \"x\\ny\", 2.5, true, null] }\n\"q\\\"k\" = 1e5").ToJson();

        json.Should().Be("{\n  \"a\": {\n    \"b\": [1, \"x\\ny\", 2.5, true, null]\n  },\n  \"q\\\"k\": 1e5\n}\n");
    }

    [Fact]
    public void Getters_WrongValueAtASecretKey_NameTheKeyButNotTheValue()
    {
        var config = HoconText.Resolve("kafka { sasl.password = hunter2, api-token = 31337.5 }", "secrets.conf");

        Reason(() => config.GetInt("kafka.sasl.password")).Should().Be("'kafka.sasl.password' must be a whole number, but is the string <redacted>");
        Reason(() => config.GetBoolean("kafka.sasl.password")).Should().Be("'kafka.sasl.password' must be a boolean (true/false, yes/no, on/off), but is the string <redacted>");
        Reason(() => config.GetTimeSpan("kafka.sasl.password")).Should().Be("'kafka.sasl.password' must be a duration such as 50ms or 10s, but is <redacted>");
        Reason(() => config.GetByteSize("kafka.sasl.password")).Should().Be("'kafka.sasl.password' must be a size such as 512KiB or 10MB, but is <redacted>");
        Reason(() => config.GetStringList("kafka.sasl.password")).Should().Be("'kafka.sasl.password' must be an array of strings, but is the string <redacted>");
        Reason(() => config.GetInt("kafka.api-token")).Should().Be("'kafka.api-token' must be a whole number, but is the number <redacted>");
    }

    [Fact]
    public void ToString_RedactsSecrets_WhileToHoconAndToJsonKeepThem()
    {
        var config = HoconText.Resolve("kafka-clients { sasl.password = hunter2, sasl.mechanism = PLAIN, ssl.key.pem = [a, b], nothing.token = null }");

        var shown = config.ToString();

        shown.Should().NotContain("hunter2");
        var reparsed = HoconConfigFactory.ParseString(shown);
        reparsed.GetString("kafka-clients.sasl.password").Should().Be("<redacted>");
        reparsed.GetString("kafka-clients.ssl.key.pem").Should().Be("<redacted>", "a list at a secret key is the secret");
        reparsed.GetString("kafka-clients.sasl.mechanism").Should().Be("PLAIN");
        reparsed.HasPath("kafka-clients.nothing.token").Should().BeFalse("null shows that the key is not set");
        config.ToHocon().Should().Contain("hunter2");
        config.ToJson().Should().Contain("hunter2");
    }

    private static string Reason(Action act) => act.Should().Throw<HoconException>().Which.Reason;
}
