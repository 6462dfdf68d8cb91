namespace Pipelines.Configuration.Tests.Conformance;

public sealed class LiteralConformanceTests
{
    public static TheoryData<string, string, string> Cases() => new()
    {
        { "integer", "a = 42", """{"a":42}""" },
        { "negative integer", "a = -42", """{"a":-42}""" },
        { "zero", "a = 0", """{"a":0}""" },
        { "double", "a = 3.25", """{"a":3.25}""" },
        { "negative double", "a = -0.5", """{"a":-0.5}""" },
        { "exponent", "a = 1e3\nb = 2.5E-2", """{"a":1000.0,"b":0.025}""" },
        { "long", "a = 9223372036854775807", """{"a":9223372036854775807}""" },
        { "too large for long is a string", "a = 9223372036854775808", """{"a":"9223372036854775808"}""" },
        { "number that looks like a path", "a = 1.2.3", """{"a":"1.2.3"}""" },
        { "ip address", "a = 10.0.0.1", """{"a":"10.0.0.1"}""" },
        { "date like", "a = 2024-01-31", """{"a":"2024-01-31"}""" },
        { "number then unit", "a = 10s", """{"a":"10s"}""" },
        { "number space unit", "a = 10 seconds", """{"a":"10 seconds"}""" },
        { "hex is a string", "a = 0x1F", """{"a":"0x1F"}""" },
        { "lone minus", "a = -", """{"a":"-"}""" },
        { "minus word", "a = -foo", """{"a":"-foo"}""" },
        { "true false", "a = true\nb = false", """{"a":true,"b":false}""" },
        { "null", "a = null", """{"a":null}""" },
        { "quoted true is a string", "a = \"true\"", """{"a":"true"}""" },
        { "yes stays a string", "a = yes\nb = off", """{"a":"yes","b":"off"}""" },
        { "true prefix of a word", "a = trueish\nb = nullable", """{"a":"trueish","b":"nullable"}""" },
        { "booleans concatenated", "a = true false", """{"a":"true false"}""" },
        { "numbers concatenated", "a = 1 2 3", """{"a":"1 2 3"}""" },
        { "double keeps its text in concatenation", "a = 1.0 x", """{"a":"1.0 x"}""" },
        { "null in concatenation", "a = null x", """{"a":"null x"}""" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Parse_Literals_MatchExpectedTree(string name, string hocon, string expected)
    {
        _ = name;
        HoconText.ShouldMatch(hocon, expected);
    }
}
