namespace Pipelines.Configuration.Tests.Conformance;

public sealed class CommentConformanceTests
{
    public static TheoryData<string, string, string> Cases() => new()
    {
        { "hash comment line", "# comment\na = 1", """{"a":1}""" },
        { "slash comment line", "// comment\na = 1", """{"a":1}""" },
        { "comment after value", "a = 1 # one\nb = 2 // two", """{"a":1,"b":2}""" },
        { "comment only document", "# nothing\n// here", """{}""" },
        { "comment inside object", "a {\n  # inner\n  b = 1 // trailing\n}", """{"a":{"b":1}}""" },
        { "comment between key and value lines", "a =\n# explain\n  1", """{"a":1}""" },
        { "comment ends unquoted text without space", "a = x//y", """{"a":"x"}""" },
        { "comment after opening brace", "a { # c\n b = 1 }", """{"a":{"b":1}}""" },
        { "comment after comma", "a = 1, # c\nb = 2", """{"a":1,"b":2}""" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Parse_Comments_AreIgnored(string name, string hocon, string expected)
    {
        _ = name;
        HoconText.ShouldMatch(hocon, expected);
    }
}
