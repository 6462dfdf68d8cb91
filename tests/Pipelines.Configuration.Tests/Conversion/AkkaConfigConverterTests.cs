using Akka.Configuration;
using Pipelines.Configuration.Conversion;
using Pipelines.Configuration.Values;
using AkkaLiteral = Akka.Configuration.Hocon.HoconLiteral;

namespace Pipelines.Configuration.Tests.Conversion;

public sealed class AkkaConfigConverterTests
{
    private const string Sample = """"
        text = hello
        empty = ""
        spaced = "  two  spaces  "
        special = "quote \" colon : brace { bracket [ hash # dollar ${x} tab \t newline \n unicode \u00e9"
        multi-line = """line one
        line two"""
        integer = 42
        negative = -7
        big = 9000000000
        decimal = 1.50
        exponent = 1e3
        yes = true
        no = false
        nothing = null
        quoted-null = "null"
        duration = 50ms
        long-duration = 10 seconds
        infinite = infinite
        size = 64KiB
        decimal-size = 10MB
        "dotted.key" = dotted
        "quote\"key" = quoted
        "spaced key" = spaced
        nested { deeper { leaf = 1 } }
        empty-object {}
        empty-array = []
        strings = [a, "b c", "d.e"]
        numbers = [1, 2.5, -3]
        objects = [{ name = a, port = 1 }, { name = b, port = 2, tags = [x, y] }]
        arrays = [[1, 2], [], [three]]
        """";

    private static readonly HoconConfig Tree = HoconConfigFactory.ParseString(Sample, "sample.conf").Resolve();

    private static readonly Config Converted = AkkaConfigConverter.ToAkka(Tree.Root);

    [Fact]
    public void ToAkka_Scalars_ReadWithAkkasGetters()
    {
        Converted.GetString("text").Should().Be("hello");
        Converted.GetString("empty").Should().Be(string.Empty);
        Converted.GetString("special").Should().Be("quote \" colon : brace { bracket [ hash # dollar ${x} tab \t newline \n unicode \u00e9");
        Converted.GetString("multi-line").Should().Be("line one\nline two");
        Converted.GetInt("integer").Should().Be(42);
        Converted.GetInt("negative").Should().Be(-7);
        Converted.GetLong("big").Should().Be(9_000_000_000);
        Converted.GetDouble("decimal").Should().Be(1.5);
        Converted.GetString("decimal").Should().Be("1.50", "numbers keep the text they were written as");
        Converted.GetDouble("exponent").Should().Be(1000);
        Converted.GetBoolean("yes").Should().BeTrue();
        Converted.GetBoolean("no", true).Should().BeFalse();
    }

    [Fact]
    public void ToAkka_Null_IsAMissingStringToAkka()
    {
        Converted.GetValue("nothing").Values.Should().ContainSingle().Which.Should().BeOfType<AkkaLiteral>().Which.Value.Should().Be("null");
        Converted.GetString("nothing").Should().BeNull();
        Converted.GetString("nothing", "default").Should().BeNull("Akka reads the literal null as a string that is not there");
        Converted.GetString("quoted-null").Should().BeNull("Akka cannot tell the string \"null\" from null, whichever parser read it");
        AkkaConfigConverter.FromAkka(Converted.GetValue("quoted-null")).Should().BeOfType<HoconString>().Which.Value.Should().Be("null");
        AkkaConfigConverter.FromAkka(Converted.GetValue("nothing")).Should().BeOfType<HoconNull>();
    }

    [Fact]
    public void ToAkka_SurroundingWhitespace_IsKeptInTheLiteral()
    {
        // Akka's getters trim (as they do for what its own parser reads); the literal keeps the text, and the settings
        // classes read the tree back untrimmed.
        Converted.GetValue("spaced").Values.Should().ContainSingle().Which.Should().BeOfType<AkkaLiteral>().Which.Value.Should().Be("  two  spaces  ");
        AkkaConfigConverter.FromAkka(Converted.GetValue("spaced")).Should().BeOfType<HoconString>().Which.Value.Should().Be("  two  spaces  ");
    }

    [Fact]
    public void ToAkka_DurationsAndSizes_AreLeftAsWrittenForAkkaToRead()
    {
        Converted.GetString("duration").Should().Be("50ms");
        Converted.GetTimeSpan("duration").Should().Be(TimeSpan.FromMilliseconds(50));
        Converted.GetTimeSpan("long-duration").Should().Be(TimeSpan.FromSeconds(10));
        Converted.GetTimeSpan("infinite").Should().Be(Timeout.InfiniteTimeSpan);
        Converted.GetByteSize("size").Should().Be(64 * 1024);
        Converted.GetByteSize("decimal-size").Should().Be(10_000_000);
    }

    [Fact]
    public void ToAkka_KeysWithDotsQuotesAndSpaces_StayOneKey()
    {
        Converted.GetString("\"dotted.key\"").Should().Be("dotted");
        Converted.Root.GetObject().Items.Keys.Should().Contain(["dotted.key", "quote\"key", "spaced key"]);
        Converted.Root.GetObject().Items["quote\"key"].GetString().Should().Be("quoted");
        Converted.Root.GetObject().Items["spaced key"].GetString().Should().Be("spaced");
        Converted.HasPath("dotted").Should().BeFalse();
        Converted.GetInt("nested.deeper.leaf").Should().Be(1);
        Converted.GetConfig("nested").GetInt("deeper.leaf").Should().Be(1);
    }

    [Fact]
    public void ToAkka_KeyOrder_IsTheFilesOrder()
    {
        Converted.Root.GetObject().Items.Keys.Should().Equal(Tree.Root.Keys);
    }

    [Fact]
    public void ToAkka_Arrays_OfScalarsObjectsAndArrays()
    {
        Converted.GetStringList("strings").Should().Equal("a", "b c", "d.e");
        Converted.GetDoubleList("numbers").Should().Equal(1, 2.5, -3);
        Converted.GetStringList("empty-array").Should().BeEmpty();

        var objects = Converted.GetValue("objects").GetArray();
        objects.Should().HaveCount(2);
        objects[0].ToConfig().GetString("name").Should().Be("a");
        objects[1].ToConfig().GetInt("port").Should().Be(2);
        objects[1].ToConfig().GetStringList("tags").Should().Equal("x", "y");

        var arrays = Converted.GetValue("arrays").GetArray();
        arrays.Select(a => a.GetArray().Count).Should().Equal(2, 0, 1);
        arrays[2].GetStringList().Should().Equal("three");
    }

    [Fact]
    public void ToAkka_EmptyObject_IsAnEmptyConfig()
    {
        Converted.GetConfig("empty-object").IsEmpty.Should().BeTrue();
        Converted.GetValue("empty-object").IsObject().Should().BeTrue();
    }

    [Fact]
    public void FromAkka_OfToAkka_GivesBackEveryValueWithItsTypeAndPosition()
    {
        var back = AkkaConfigConverter.FromAkka(Converted.Root);

        TreeComparer.Difference(back, Tree.ToJson()).Should().BeNull();
        var backObject = back.Should().BeOfType<HoconObject>().Which;
        backObject["integer"].Should().BeOfType<HoconNumber>().Which.Position.Should().Be(new HoconPosition("sample.conf", 7, 11));
        backObject["yes"].Should().BeOfType<HoconBoolean>();
        backObject["nothing"].Should().BeOfType<HoconNull>();
        backObject["objects"].Should().BeOfType<HoconArray>().Which.Position.Line.Should().Be(29);
    }

    [Fact]
    public void FromAkka_AfterAkkasWithFallback_StillKnowsWhereEachValueWasWritten()
    {
        var merged = Converted.WithFallback(ConfigurationFactory.ParseString("integer = 1, from-akka = 5, nested.deeper.other = 2"));

        var integer = AkkaConfigConverter.FromAkka(merged.GetValue("integer"));
        var leaf = AkkaConfigConverter.FromAkka(merged.GetValue("nested.deeper.leaf"));
        var fromAkka = AkkaConfigConverter.FromAkka(merged.GetValue("from-akka"));

        integer.Position.Should().Be(new HoconPosition("sample.conf", 7, 11));
        leaf.Position.Should().Be(new HoconPosition("sample.conf", 24, 26));
        fromAkka.Should().BeOfType<HoconString>().Which.Value.Should().Be("5");
        fromAkka.Position.Origin.Should().Be(AkkaConfigConverter.UnknownOrigin, "Akka's parser keeps no positions");
        merged.GetInt("nested.deeper.other").Should().Be(2);
    }

    [Fact]
    public void FromAkka_ConfigParsedByAkka_ReadsStringsNullsObjectsAndArrays()
    {
        var parsed = ConfigurationFactory.ParseString("a = 1\nb = null\nc { d = [x, y] }\ne = [1, 2] [3]");

        var tree = AkkaConfigConverter.FromAkka(parsed.Root);

        TreeComparer.Difference(tree, """{ "a": "1", "b": null, "c": { "d": ["x", "y"] }, "e": ["1", "2", "3"] }""").Should().BeNull();
    }

    [Fact]
    public void PipelinesConfigurationParseString_ResolvesBeforeHandingToAkka()
    {
        var config = PipelinesConfiguration.ParseString("base = 10, derived = ${base}\"ms\", optional = ${?PIPELINES_TEST_SURELY_UNSET_VARIABLE}");

        config.GetTimeSpan("derived").Should().Be(TimeSpan.FromMilliseconds(10));
        config.HasPath("optional").Should().BeFalse();
        config.Substitutions.Should().BeEmpty("Akka is handed no substitution to resolve");
    }

    [Fact]
    public void PipelinesConfigurationParseString_Invalid_ThrowsWithPosition()
    {
        var act = () => PipelinesConfiguration.ParseString("a {\n  b = ", "app.conf");

        act.Should().Throw<HoconException>().Which.Message.Should().StartWith("app.conf:2:7: ");
    }
}
