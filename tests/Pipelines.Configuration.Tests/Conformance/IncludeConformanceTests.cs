namespace Pipelines.Configuration.Tests.Conformance;

public sealed class IncludeConformanceTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("pipelines-hocon-").FullName;

    public IncludeConformanceTests()
    {
        Write("base.conf", "shared { x = 1, y = 1 }\nname = base");
        Write("child.conf", "x = 10\ny = ${x}");
        Write("noext.conf", "found = conf");
        Write("data.json", """{ "json" : true }""");
        Write("sub/inner.conf", "include \"sibling.conf\"\ninner = yes");
        Write("sub/sibling.conf", "sibling = yes");
        Write("appends.conf", "list += b");
        Write("root-ref.conf", "ref = ${top}");
    }

    public static TheoryData<string, string, string> Cases() => new()
    {
        { "include quoted", "include \"base.conf\"", """{"shared":{"x":1,"y":1},"name":"base"}""" },
        { "include file()", "include file(\"base.conf\")", """{"shared":{"x":1,"y":1},"name":"base"}""" },
        { "include required()", "include required(\"base.conf\")", """{"shared":{"x":1,"y":1},"name":"base"}""" },
        { "include required(file())", "include required(file(\"base.conf\"))", """{"shared":{"x":1,"y":1},"name":"base"}""" },
        { "include with spaces in parentheses", "include required( file( \"base.conf\" ) )", """{"shared":{"x":1,"y":1},"name":"base"}""" },
        { "missing optional include is ignored", "include \"missing.conf\"\na = 1", """{"a":1}""" },
        { "later keys override included", "include \"base.conf\"\nname = mine\nshared.y = 2", """{"shared":{"x":1,"y":2},"name":"mine"}""" },
        { "included keys override earlier", "name = mine\nshared { z = 3 }\ninclude \"base.conf\"", """{"name":"base","shared":{"z":3,"x":1,"y":1}}""" },
        { "include inside object", "inner { include \"base.conf\" }", """{"inner":{"shared":{"x":1,"y":1},"name":"base"}}""" },
        { "substitutions in included file are relative", "a { include \"child.conf\" }", """{"a":{"x":10,"y":10}}""" },
        { "relative substitution sees override", "a { include \"child.conf\" }\na { x = 42 }", """{"a":{"x":42,"y":42}}""" },
        { "included substitution falls back to root", "top = T\nsection { include \"root-ref.conf\" }", """{"top":"T","section":{"ref":"T"}}""" },
        { "extension is tried", "include \"noext\"", """{"found":"conf"}""" },
        { "json file", "include \"data.json\"", """{"json":true}""" },
        { "nested include is relative to its file", "include \"sub/inner.conf\"", """{"sibling":"yes","inner":"yes"}""" },
        { "plus equals in included file", "list = [a]\ninclude \"appends.conf\"", """{"list":["a","b"]}""" },
        { "include then comma", "include \"noext.conf\", a = 1", """{"found":"conf","a":1}""" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Parse_Includes_MergeIncludedFiles(string name, string hocon, string expected)
    {
        _ = name;
        var file = Path.Combine(_directory, "main-" + Guid.NewGuid().ToString("N") + ".conf");
        File.WriteAllText(file, hocon);

        var root = HoconConfigFactory.ParseFile(file).Resolve(_ => null).Root;

        TreeComparer.Difference(root, expected).Should().BeNull($"HOCON:\n{hocon}\nparsed as:\n{root}");
    }

    [Fact]
    public void ParseString_RelativeInclude_IsRelativeToCurrentDirectory()
    {
        var absolute = Path.Combine(_directory, "base.conf");

        var config = HoconConfigFactory.ParseString($"include file(\"{absolute}\")");

        config.GetInt("shared.x").Should().Be(1);
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private void Write(string name, string text)
    {
        var path = Path.Combine(_directory, name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
    }
}
