namespace Pipelines.Configuration.Tests;

/// <summary>Parses and resolves test input with a fixed, injected environment.</summary>
internal static class HoconText
{
    public static readonly IReadOnlyDictionary<string, string> Environment = new Dictionary<string, string>
    {
        ["HOME"] = "/home/test",
        ["PIPELINES_TEST_VALUE"] = "from-env",
        ["PIPELINES_TEST_NUMBER"] = "42",
    };

    public static HoconConfig Resolve(string text, string origin = "string") =>
        HoconConfigFactory.ParseString(text, origin).Resolve(name => Environment.GetValueOrDefault(name));

    public static void ShouldMatch(string hocon, string expectedJson)
    {
        var root = Resolve(hocon).Root;
        var difference = TreeComparer.Difference(root, expectedJson);
        difference.Should().BeNull($"HOCON:\n{hocon}\nparsed as:\n{root}");
    }

    public static HoconException ShouldFail(string hocon)
    {
        var act = () => Resolve(hocon).Root;
        return act.Should().Throw<HoconException>().Which;
    }
}
