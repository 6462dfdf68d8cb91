namespace Pipelines.Configuration.Tests.Conformance;

public sealed class ArrayConformanceTests
{
    public static TheoryData<string, string, string> Cases() => new()
    {
        { "empty array", "a = []", """{"a":[]}""" },
        { "comma separated", "a = [1, 2, 3]", """{"a":[1,2,3]}""" },
        { "newline separated", "a = [\n  1\n  2\n  3\n]", """{"a":[1,2,3]}""" },
        { "trailing comma", "a = [1, 2,]", """{"a":[1,2]}""" },
        { "trailing comma and newline", "a = [\n 1,\n 2,\n]", """{"a":[1,2]}""" },
        { "comma on the next line", "a = [1\n, 2]", """{"a":[1,2]}""" },
        { "mixed types", "a = [1, \"two\", three, 4.5, true, null]", """{"a":[1,"two","three",4.5,true,null]}""" },
        { "nested arrays", "a = [[1, 2], [3], []]", """{"a":[[1,2],[3],[]]}""" },
        { "objects in array", "a = [{ x = 1 }, { y = 2 }]", """{"a":[{"x":1},{"y":2}]}""" },
        { "concatenation inside element", "a = [foo bar, baz]", """{"a":["foo bar","baz"]}""" },
        { "comments inside array", "a = [\n 1 # one\n // nothing\n 2\n]", """{"a":[1,2]}""" },
        { "array of quoted strings", """a = ["x,y", "]"]""", """{"a":["x,y","]"]}""" },
        { "include word in array is text", "a = [include]", """{"a":["include"]}""" },
        { "array concatenation", "a = [1, 2] [3, 4]", """{"a":[1,2,3,4]}""" },
        { "array concatenation without space", "a = [1][2]", """{"a":[1,2]}""" },
        { "array value replaces earlier array", "a = [1]\na = [2]", """{"a":[2]}""" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Parse_Arrays_MatchExpectedTree(string name, string hocon, string expected)
    {
        _ = name;
        HoconText.ShouldMatch(hocon, expected);
    }
}
