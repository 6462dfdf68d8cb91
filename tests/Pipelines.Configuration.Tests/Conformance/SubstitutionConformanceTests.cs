namespace Pipelines.Configuration.Tests.Conformance;

public sealed class SubstitutionConformanceTests
{
    public static TheoryData<string, string, string> Cases() => new()
    {
        { "simple", "a = 1\nb = ${a}", """{"a":1,"b":1}""" },
        { "forward reference", "b = ${a}\na = 1", """{"b":1,"a":1}""" },
        { "nested path", "a { b { c = x } }\nd = ${a.b.c}", """{"a":{"b":{"c":"x"}},"d":"x"}""" },
        { "object value", "a { b = 1 }\nc = ${a}", """{"a":{"b":1},"c":{"b":1}}""" },
        { "array value", "a = [1, 2]\nc = ${a}", """{"a":[1,2],"c":[1,2]}""" },
        { "boolean value keeps type", "a = true\nc = ${a}", """{"a":true,"c":true}""" },
        { "null value", "a = null\nc = ${a}", """{"a":null,"c":null}""" },
        { "chain", "a = ${b}\nb = ${c}\nc = end", """{"a":"end","b":"end","c":"end"}""" },
        { "resolved after merge", "a = 1\nb = ${a}\na = 2", """{"a":2,"b":2}""" },
        { "sees final merged object", "bar { foo = 42, baz = ${bar.foo} }\nbar { foo = 43 }", """{"bar":{"foo":43,"baz":43}}""" },
        { "reference within same object", "a { x = 1, y = ${a.x} }", """{"a":{"x":1,"y":1}}""" },
        { "reference into substituted object", "a = ${b}\nb { c = 5 }\nd = ${a.c}", """{"a":{"c":5},"b":{"c":5},"d":5}""" },
        { "substitution in array", "a = 1\nb = [${a}, 2]", """{"a":1,"b":[1,2]}""" },
        { "substitution in nested object", "a = 1\nb { c { d = ${a} } }", """{"a":1,"b":{"c":{"d":1}}}""" },
        { "optional defined", "a = 1\nb = ${?a}", """{"a":1,"b":1}""" },
        { "optional undefined removes field", "b = ${?nope}", """{}""" },
        { "optional undefined keeps earlier value", "b = 1\nb = ${?nope}", """{"b":1}""" },
        { "optional undefined in array is dropped", "b = [1, ${?nope}, 2]", """{"b":[1,2]}""" },
        { "optional undefined nested field", "a { b = ${?nope}, c = 1 }", """{"a":{"c":1}}""" },
        { "environment variable", "home = ${HOME}", """{"home":"/home/test"}""" },
        { "optional environment variable", "v = ${?PIPELINES_TEST_VALUE}", """{"v":"from-env"}""" },
        { "environment variable is a string", "n = ${PIPELINES_TEST_NUMBER}", """{"n":"42"}""" },
        { "config value wins over environment", "HOME = here\nh = ${HOME}", """{"HOME":"here","h":"here"}""" },
        { "environment override pattern", "v = default\nv = ${?PIPELINES_TEST_VALUE}", """{"v":"from-env"}""" },
        { "environment override pattern unset", "v = default\nv = ${?PIPELINES_TEST_UNSET}", """{"v":"default"}""" },
        { "environment in concatenation", "p = ${HOME}/bin", """{"p":"/home/test/bin"}""" },
        { "self reference string", "path = \"/usr\"\npath = ${path}\":/bin\"", """{"path":"/usr:/bin"}""" },
        { "self reference twice", "p = a\np = ${p}b\np = ${p}c", """{"p":"abc"}""" },
        { "self reference array", "p = [1]\np = ${p} [2]", """{"p":[1,2]}""" },
        { "self reference object", "foo { a = 1 }\nfoo = ${foo} { b = 2 }", """{"foo":{"a":1,"b":2}}""" },
        { "self reference into child", "foo { a { c = 1 } }\nfoo = ${foo.a}\nfoo { a = 2 }", """{"foo":{"c":1,"a":2}}""" },
        { "self reference nested key", "a { b = x }\na.b = ${a.b}y", """{"a":{"b":"xy"}}""" },
        { "optional self reference without earlier value", "a = ${?a}", """{}""" },
        { "optional self reference concatenated", "a = ${?a}x", """{"a":"x"}""" },
        { "self reference other field sees final", "a = 1\nb = ${a}\na = ${a}2", """{"a":"12","b":"12"}""" },
        { "indirect self reference", "a = 1\nb = ${a}\na = ${b}2", """{"a":"12","b":"12"}""" },
        { "substitution to object with substitutions", "a { x = ${y} }\ny = 3\nb = ${a}", """{"a":{"x":3},"y":3,"b":{"x":3}}""" },
        { "optional cycle resolves to undefined", "a = ${?b}\nb = ${?a}", """{}""" },
        { "substitution of whole nested array", "a { list = [x, y] }\nb { list = ${a.list} [z] }", """{"a":{"list":["x","y"]},"b":{"list":["x","y","z"]}}""" },
        { "object merged over substitution", "base { x = 1, y = 1 }\nchild = ${base}\nchild { y = 2 }", """{"base":{"x":1,"y":1},"child":{"x":1,"y":2}}""" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Resolve_Substitutions_MatchExpectedTree(string name, string hocon, string expected)
    {
        _ = name;
        HoconText.ShouldMatch(hocon, expected);
    }
}
