namespace Pipelines.Configuration.Tests.Conformance;

public sealed class StringConformanceTests
{
    public static TheoryData<string, string, string> Cases() => new()
    {
        { "quoted string", "a = \"hello world\"", """{"a":"hello world"}""" },
        { "empty quoted string", "a = \"\"", """{"a":""}""" },
        { "escaped quote and backslash", """a = "say \"hi\" \\ bye" """, """{"a":"say \"hi\" \\ bye"}""" },
        { "escaped slash", """a = "a\/b" """, """{"a":"a/b"}""" },
        { "control escapes", """a = "t\tn\nr\rb\bf\f" """, """{"a":"t\tn\nr\rb\bf\f"}""" },
        { "unicode escape", """a = "caf\u00e9" """, """{"a":"café"}""" },
        { "unicode escape upper hex", """a = "\u00C9\u4E2D" """, """{"a":"É中"}""" },
        { "surrogate pair escape", """a = "\ud83d\ude00" """, """{"a":"😀"}""" },
        { "hash inside quotes is not a comment", "a = \"# not a comment\"", """{"a":"# not a comment"}""" },
        { "double slash inside quotes", "a = \"http://example.com\"", """{"a":"http://example.com"}""" },
        { "reserved characters inside quotes", "a = \"${x} {} [] : = , + ^ ? ! @ * & `\"", """{"a":"${x} {} [] : = , + ^ ? ! @ * & `"}""" },
        { "unquoted string", "a = hello", """{"a":"hello"}""" },
        { "unquoted with inner spaces", "a = hello   big  world", """{"a":"hello   big  world"}""" },
        { "unquoted trailing whitespace trimmed", "a = hello   \nb = x", """{"a":"hello","b":"x"}""" },
        { "unquoted with slash and dots", "a = /usr/local/bin.d", """{"a":"/usr/local/bin.d"}""" },
        { "unquoted ends at comment", "a = hello // comment", """{"a":"hello"}""" },
        { "unquoted ends at hash comment", "a = hello# comment", """{"a":"hello"}""" },
        { "unquoted containing single slash", "a = a/b", """{"a":"a/b"}""" },
        { "unquoted with parentheses and percent", "a = f(x)%", """{"a":"f(x)%"}""" },
        { "unquoted unicode", "a = Grüße", """{"a":"Grüße"}""" },
        { "triple quoted", "a = \"\"\"raw \\n text\"\"\"", """{"a":"raw \\n text"}""" },
        { "triple quoted multiline", "a = \"\"\"line1\nline2\n  line3\"\"\"\nb = 1", """{"a":"line1\nline2\n  line3","b":1}""" },
        { "triple quoted with quotes inside", "a = \"\"\"say \"hi\" \"\"now\"\"\"", """{"a":"say \"hi\" \"\"now"}""" },
        { "triple quoted extra closing quotes", "a = \"\"\"x\"\"\"\"\"", """{"a":"x\"\""}""" },
        { "triple quoted empty", "a = \"\"\"\"\"\"", """{"a":""}""" },
        { "triple quoted keeps comment markers", "a = \"\"\"# not // a comment\"\"\"", """{"a":"# not // a comment"}""" },
        { "quoted then unquoted", "a = \"foo\"bar", """{"a":"foobar"}""" },
        { "nbsp is whitespace", "a =\u00A0value", """{"a":"value"}""" },
        { "tab before value", "a =\tvalue", """{"a":"value"}""" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Parse_Strings_MatchExpectedTree(string name, string hocon, string expected)
    {
        _ = name;
        HoconText.ShouldMatch(hocon, expected);
    }
}
