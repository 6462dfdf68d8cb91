namespace Pipelines.Configuration.Tests.Conformance;

public sealed class MergeConformanceTests
{
    public static TheoryData<string, string, string> Cases() => new()
    {
        { "duplicate scalar last wins", "a = 1\na = 2", """{"a":2}""" },
        { "duplicate objects merge", "a { x = 1 }\na { y = 2 }", """{"a":{"x":1,"y":2}}""" },
        { "duplicate objects merge deeply", "a { x { p = 1 } }\na { x { q = 2 } }", """{"a":{"x":{"p":1,"q":2}}}""" },
        { "object overridden by scalar", "a { x = 1 }\na = 5", """{"a":5}""" },
        { "scalar overridden by object", "a = 5\na { x = 1 }", """{"a":{"x":1}}""" },
        { "override then re-merge", "a { x = 1 }\na = null\na { y = 2 }", """{"a":{"y":2}}""" },
        { "override by scalar then object", "a { x = 1 }\na = 7\na { y = 2 }", """{"a":{"y":2}}""" },
        { "object replaced by array", "a { x = 1 }\na = [1]", """{"a":[1]}""" },
        { "merge through path expressions", "a { x = 1 }\na.y = 2\na.x = 3", """{"a":{"x":3,"y":2}}""" },
        { "null overrides value", "a = 1\na = null", """{"a":null}""" },
        { "merge inside braced object", "{ a { x = 1 }, a { x = 2, y = 3 } }", """{"a":{"x":2,"y":3}}""" },
        { "plus equals appends", "a = [1]\na += 2", """{"a":[1,2]}""" },
        { "plus equals on missing key", "a += 1", """{"a":[1]}""" },
        { "plus equals twice on missing key", "a += 1\na += 2", """{"a":[1,2]}""" },
        { "plus equals nested", "x { a = [] }\nx { a += b }", """{"x":{"a":["b"]}}""" },
        { "plus equals in object", "x { a += 1, a += 2 }", """{"x":{"a":[1,2]}}""" },
        { "plus equals object element", "a = [{ n = 1 }]\na += { n = 2 }", """{"a":[{"n":1},{"n":2}]}""" },
        { "plus equals with path key", "x.a = [1]\nx.a += 2", """{"x":{"a":[1,2]}}""" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Parse_DuplicateKeys_MergeAsSpecified(string name, string hocon, string expected)
    {
        _ = name;
        HoconText.ShouldMatch(hocon, expected);
    }
}
