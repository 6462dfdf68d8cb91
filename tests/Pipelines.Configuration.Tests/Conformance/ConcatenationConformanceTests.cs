namespace Pipelines.Configuration.Tests.Conformance;

public sealed class ConcatenationConformanceTests
{
    public static TheoryData<string, string, string> Cases() => new()
    {
        { "quoted and unquoted with whitespace", "a = foo \"bar\" baz", """{"a":"foo bar baz"}""" },
        { "whitespace between values is kept exactly", "a = foo \t \"bar\"", """{"a":"foo \t bar"}""" },
        { "quoted strings without whitespace", "a = \"foo\"\"bar\"", """{"a":"foobar"}""" },
        { "quoted space kept", "a = foo\" \"bar", """{"a":"foo bar"}""" },
        { "leading and trailing whitespace dropped", "a =    foo bar    ", """{"a":"foo bar"}""" },
        { "number and string", "a = 5 apples", """{"a":"5 apples"}""" },
        { "objects merge", "a = { x = 1 } { y = 2 }", """{"a":{"x":1,"y":2}}""" },
        { "objects merge later wins", "a = { x = 1, y = 1 } { y = 2 }", """{"a":{"x":1,"y":2}}""" },
        { "objects merge without space", "a = {x = 1}{y = 2}", """{"a":{"x":1,"y":2}}""" },
        { "objects merge nested", "a = { x { p = 1 } } { x { q = 2 } }", """{"a":{"x":{"p":1,"q":2}}}""" },
        { "three arrays", "a = [1] [2] [3]", """{"a":[1,2,3]}""" },
        { "substitution inside string", "x = world\na = hello ${x}", """{"x":"world","a":"hello world"}""" },
        { "substitution between strings", "x = b\na = \"a\"${x}\"c\"", """{"x":"b","a":"abc"}""" },
        { "substitution with whitespace both sides", "x = mid\na = left ${x} right", """{"x":"mid","a":"left mid right"}""" },
        { "two substitutions", "x = 1\ny = 2\na = ${x}${y}", """{"x":1,"y":2,"a":"12"}""" },
        { "two substitutions with space", "x = 1\ny = 2\na = ${x} ${y}", """{"x":1,"y":2,"a":"1 2"}""" },
        { "substituted number stays a number alone", "x = 1\na = ${x}", """{"x":1,"a":1}""" },
        { "substituted object merged with object", "x { p = 1 }\na = ${x} { q = 2 }", """{"x":{"p":1},"a":{"p":1,"q":2}}""" },
        { "object merged with substituted object", "x { p = 1 }\na = { p = 0, q = 2 } ${x}", """{"x":{"p":1},"a":{"p":1,"q":2}}""" },
        { "substituted array concatenated", "x = [1, 2]\na = ${x} [3]", """{"x":[1,2],"a":[1,2,3]}""" },
        { "array then substituted array", "x = [2]\na = [1] ${x}", """{"x":[2],"a":[1,2]}""" },
        { "undefined optional in string is empty", "a = foo${?nope}bar", """{"a":"foobar"}""" },
        { "undefined optional keeps whitespace", "a = foo ${?nope} bar", """{"a":"foo  bar"}""" },
        { "undefined optional with array", "a = ${?nope} [1]", """{"a":[1]}""" },
        { "undefined optional with object", "a = ${?nope} { b = 1 }", """{"a":{"b":1}}""" },
        { "all optionals undefined removes field", "a = ${?x}${?y}", """{}""" },
        { "concatenation in array element with substitution", "x = 2\na = [v${x}, w]", """{"x":2,"a":["v2","w"]}""" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Parse_Concatenation_MatchesExpectedTree(string name, string hocon, string expected)
    {
        _ = name;
        HoconText.ShouldMatch(hocon, expected);
    }
}
