namespace Pipelines.Configuration.Tests.Conformance;

public sealed class PathExpressionConformanceTests
{
    public static TheoryData<string, string, string> Cases() => new()
    {
        { "dotted key", "a.b.c = 1", """{"a":{"b":{"c":1}}}""" },
        { "dotted key with object", "a.b { c = 1 }", """{"a":{"b":{"c":1}}}""" },
        { "dotted keys merge", "a.b = 1\na.c = 2", """{"a":{"b":1,"c":2}}""" },
        { "quoted key with dot stays whole", "\"a.b\" = 1", """{"a.b":1}""" },
        { "quoted element in path", "a.\"b.c\".d = 1", """{"a":{"b.c":{"d":1}}}""" },
        { "bootstrap servers style", "kafka-clients { bootstrap.servers = \"h:9092\" }", """{"kafka-clients":{"bootstrap":{"servers":"h:9092"}}}""" },
        { "quoted bootstrap servers", "kafka-clients { \"bootstrap.servers\" = \"h:9092\" }", """{"kafka-clients":{"bootstrap.servers":"h:9092"}}""" },
        { "number key looks like path", "1.2.3 = x", """{"1":{"2":{"3":"x"}}}""" },
        { "decimal key splits", "1.5 = x", """{"1":{"5":"x"}}""" },
        { "ip address key", "10.0.0.1 = host", """{"10":{"0":{"0":{"1":"host"}}}}""" },
        { "quoted empty key", "\"\" = 1", """{"":1}""" },
        { "quoted empty element", "a.\"\".b = 1", """{"a":{"":{"b":1}}}""" },
        { "whitespace inside path element", "a b.c d = 1", """{"a b":{"c d":1}}""" },
        { "quoted key concatenated with unquoted", "\"a\"b = 1", """{"ab":1}""" },
        { "true in path", "true.false = 1", """{"true":{"false":1}}""" },
        { "path into braces root", "{ a.b = 1, a.c = 2 }", """{"a":{"b":1,"c":2}}""" },
        { "deep path then override leaf", "a.b.c = 1\na.b.c = 2", """{"a":{"b":{"c":2}}}""" },
        { "substitution with quoted path", "\"a.b\" = 1\nc = ${\"a.b\"}", """{"a.b":1,"c":1}""" },
        { "substitution with whitespace inside braces", "a.b = 1\nc = ${ a.b }", """{"a":{"b":1},"c":1}""" },
        { "substitution into number path", "1.2 = x\nc = ${1.2}", """{"1":{"2":"x"},"c":"x"}""" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Parse_PathExpressions_MatchExpectedTree(string name, string hocon, string expected)
    {
        _ = name;
        HoconText.ShouldMatch(hocon, expected);
    }
}
