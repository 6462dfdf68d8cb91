namespace Pipelines.Configuration.Tests.Conformance;

public sealed class ObjectConformanceTests
{
    public static TheoryData<string, string, string> Cases() => new()
    {
        { "empty document", "", "{}" },
        { "only whitespace and newlines", "  \n\n \t \n", "{}" },
        { "empty braces", "{}", "{}" },
        { "root with braces", "{ a = 1 }", """{"a":1}""" },
        { "root with braces over lines", "{\n  a = 1\n  b = 2\n}\n", """{"a":1,"b":2}""" },
        { "root without braces", "a = 1\nb = 2", """{"a":1,"b":2}""" },
        { "colon separator", "a : 1", """{"a":1}""" },
        { "equals separator", "a = 1", """{"a":1}""" },
        { "no separator before brace", "a { b = 1 }", """{"a":{"b":1}}""" },
        { "separator before brace", "a = { b = 1 }\nc : { d = 2 }", """{"a":{"b":1},"c":{"d":2}}""" },
        { "comma separated fields", "a = 1, b = 2, c = 3", """{"a":1,"b":2,"c":3}""" },
        { "trailing comma", "{ a = 1, b = 2, }", """{"a":1,"b":2}""" },
        { "trailing comma at root", "a = 1,\n", """{"a":1}""" },
        { "comma on the next line", "a = 1\n, b = 2", """{"a":1,"b":2}""" },
        { "newline after separator", "a =\n  1", """{"a":1}""" },
        { "json document", """{ "a" : { "b" : [1, 2.5, "x", true, false, null] } }""", """{"a":{"b":[1,2.5,"x",true,false,null]}}""" },
        { "nested objects", "a { b { c { d = deep } } }", """{"a":{"b":{"c":{"d":"deep"}}}}""" },
        { "empty nested object", "a {}", """{"a":{}}""" },
        { "quoted key", "\"a b\" = 1", """{"a b":1}""" },
        { "unquoted key with spaces", "a b c = 1", """{"a b c":1}""" },
        { "key with dash and underscore", "poll-interval_ms = 5", """{"poll-interval_ms":5}""" },
        { "include quoted is a key", "\"include\" = 5", """{"include":5}""" },
        { "include with path is a key", "include.a = 5", """{"include":{"a":5}}""" },
        { "include prefix in unquoted key", "includes = 5\ninclude-me = 6", """{"includes":5,"include-me":6}""" },
        { "true as key", "true = 1\nnull = 2\nfalse = 3", """{"true":1,"null":2,"false":3}""" },
        { "number as key", "10 = ten\n-5 = minus", """{"10":"ten","-5":"minus"}""" },
        { "unicode key", "schlüssel = wert", """{"schlüssel":"wert"}""" },
        { "crlf line endings", "a = 1\r\nb = 2\r\n", """{"a":1,"b":2}""" },
        { "byte order mark", "\uFEFFa = 1", """{"a":1}""" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Parse_ObjectSyntax_MatchesExpectedTree(string name, string hocon, string expected)
    {
        _ = name;
        HoconText.ShouldMatch(hocon, expected);
    }
}
