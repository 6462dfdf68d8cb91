namespace Pipelines.Configuration.Tests.Parsing;

public sealed class HoconErrorTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("pipelines-errors-").FullName;

    public static TheoryData<string, int, int, string> Cases() => new()
    {
        { "a = {", 1, 6, "expected '}' to close the object opened at 1:5, found end of input" },
        { "a {\n  b = 1\n", 3, 1, "expected '}' to close the object opened at 1:3, found end of input" },
        { "a = [1, 2", 1, 10, "expected ']' to close the array opened at 1:5, found end of input" },
        { "a = [1,,2]", 1, 8, "expected a value, or ']' to close the array opened at 1:5, found ','" },
        { "a = [1 2 = 3]", 1, 10, "expected ',', a new line or ']' after an array element, found '='" },
        { "a = 1,,b = 2", 1, 7, "expected a key, found ','" },
        { "}", 1, 1, "unexpected '}': there is no open object to close" },
        { "a = 1 }", 1, 7, "unexpected '}': there is no open object to close" },
        { "{ a = 1 } b = 2", 1, 11, "expected end of input after the '}' that closes the root object, found 'b'" },
        { "[1, 2]", 1, 1, "the root of a configuration must be an object, found an array" },
        { "a = \"unterminated", 1, 18, "unterminated quoted string (opened at 1:5)" },
        { "a = \"line\nbreak\"", 1, 10, "end of line inside a quoted string opened at 1:5" },
        { "a = \"bad \\q escape\"", 1, 10, "invalid escape '\\q' in a quoted string" },
        { "a = \"\\u12G4\"", 1, 6, "invalid \\u escape: expected four hexadecimal digits" },
        { "a = \"x\u0001\"", 1, 7, "control character U+0001 inside a quoted string" },
        { "a = \"\"\"unterminated", 1, 20, "unterminated triple-quoted string (opened at 1:5)" },
        { "a = b^c", 1, 6, "reserved character '^' is not allowed outside quotes" },
        { "a = 1 + 2", 1, 7, "reserved character '+' is not allowed outside quotes (did you mean '+='?)" },
        { "a = 5+3", 1, 6, "reserved character '+' is not allowed outside quotes" },
        { "a = $foo", 1, 5, "'$' is only allowed as the start of a substitution ${path}" },
        { "a = ${foo", 1, 10, "expected '}' to close the substitution opened at 1:5, found end of input" },
        { "a = ${}", 1, 7, "empty substitution: expected a path such as ${a.b}" },
        { "a = ${a..b}", 1, 7, "substitution path has an empty element" },
        { "a = ${a.}", 1, 9, "substitution path ends with '.'" },
        { "a = ${[x]}", 1, 7, "unexpected '[' inside a substitution" },
        { "${a} = 1", 1, 1, "substitutions are not allowed in keys" },
        { "a${b} = 1", 1, 2, "substitutions are not allowed in keys" },
        { "a..b = 1", 1, 1, "the key has an empty element" },
        { ".a = 1", 1, 1, "the key has an empty element" },
        { "a. = 1", 1, 1, "the key ends with '.'" },
        { "x {\n  a b\n}", 3, 1, "expected ':', '=', '+=' or '{' after the key '\"a b\"', found '}'" },
        { "a = ", 1, 5, "expected a value after '=', found end of input" },
        { "a : }", 1, 5, "expected a value after ':', found '}'" },
        { "a += ,", 1, 6, "expected a value after '+=', found ','" },
        { "a [1]", 1, 3, "expected ':', '=', '+=' or '{' after the key 'a', found '['" },
        { "a = 1 b = 2", 1, 9, "expected ',' or a new line after the value of 'a', found '='" },
        { "x {\n  a = 1 b : 2\n}", 2, 11, "expected ',', a new line or '}' after the value of 'a', found ':'" },
        { "a { } { }", 1, 7, "expected ',' or a new line after the value of 'a', found '{'" },
        { "include foo", 1, 9, "expected a quoted file name, file(\"…\"), classpath(\"…\"), url(\"…\") or required(…) after 'include'" },
        { "include = 5", 1, 9, "to use include as a key, quote it" },
        { "include file (\"x\")", 1, 9, "(no space before '(')" },
        { "include file(\"x\"", 1, 17, "expected ')' to close 'file(' of the include" },
        { "include file(x)", 1, 14, "expected a quoted file name inside the include's parentheses" },
        { "include unknown(\"x\")", 1, 9, "unknown include form 'unknown('" },
        { "include required(required(\"x\"))", 1, 18, "unknown include form 'required('" },
        { "include required(\"pipelines-no-such-file.conf\")", 1, 9, "required include 'pipelines-no-such-file.conf' was not found" },
        { "include url(\"http://example.com/x.conf\")", 1, 9, "only file: URLs can be included" },
        { "include \"a.conf\" \"b.conf\"", 1, 18, "expected ',' or a new line after the include, found string \"b.conf\"" },
        { "a = [1] x", 1, 9, "cannot concatenate an array with the string \"x\"" },
        { "a = {x = 1} [2]", 1, 13, "cannot concatenate an object with an array" },
        { "a = foo {x = 1}", 1, 9, "cannot concatenate the string \"foo\" with an object" },
        { "a = foo bar [1]", 1, 13, "cannot concatenate a string with an array" },
        { "a = 1\na += 2", 2, 6, "cannot concatenate the number 1 with an array" },
        { "a = ${missing}", 1, 5, "could not resolve substitution ${missing}: no value at 'missing' and no environment variable of that name" },
        { "a { b = 1 }\nc = ${a.c}", 2, 5, "could not resolve substitution ${a.c}: no value at 'a.c'; use ${?…} if the value is optional" },
        { "a = ${b}\nb = ${a}", 2, 5, "substitution cycle: ${b} -> ${a} -> ${b}" },
        { "a = ${b}\nb = ${c}\nc = ${a}", 3, 5, "substitution cycle: ${b} -> ${c} -> ${a} -> ${b}" },
        { "a = ${a}", 1, 5, "substitution ${a} refers to the value it defines, and there is no earlier value for it to use" },
        { "a = x${a}", 1, 6, "substitution ${a} refers to the value it defines" },
        { "a { b = ${a} }", 1, 9, "substitution ${a} refers to an object or array that contains it" },
        { "a = [${a}]", 1, 6, "substitution ${a} refers to an object or array that contains it" },
        { "x = 1\ny = ${x} {z = 1}", 2, 10, "cannot concatenate the number 1 with an object" },
        { "base { a = 1 }\nx = ${base}\nx { b = ${x.a} }", 3, 9, "substitution ${x.a} refers to the value it defines, and there is no earlier value for it to use" },
        { "x = [1]\ny = ${x} str", 2, 10, "cannot concatenate an array with the string \"str\"" },
        { "a = " + new string('[', 300), 1, 204, "objects and arrays are nested more than 200 levels deep" },
        { string.Join('.', Enumerable.Repeat("k", 250)) + " = 1", 1, 1, "nests objects more than 200 levels deep" },
    };

    public static TheoryData<string, int, int, string> SecretLineCases() => new()
    {
        { "sasl.password = hunter2 [1]", 1, 25, "cannot concatenate a string with an array" },
        { "sasl.password = [1] hunter2", 1, 21, "cannot concatenate an array with a string" },
        { "kafka-clients { sasl.password = hunter2 {a = 1} }", 1, 41, "cannot concatenate a string with an object" },
        { "x = [1]\nsasl.password = ${x} hunter2", 2, 22, "cannot concatenate an array with a string" },
        { "ssl.key.password = hunter2\nssl.key.password += x", 2, 21, "cannot concatenate a string with an array" },
        { "sasl.password hunter2", 1, 22, "expected ':', '=', '+=' or '{' after the key 'sasl.password' followed by <redacted>, found end of input" },
        { "a {\n  sasl.oauthbearer.client.secret  hunter2\n}", 3, 1, "expected ':', '=', '+=' or '{' after the key 'sasl.oauthbearer.client.secret' followed by <redacted>, found '}'" },
        { "sasl.password\nhunter2", 2, 1, "expected ':', '=', '+=' or '{' after the key 'sasl.password', found <redacted>" },
        { "sasl.jaas.config\n\"hunter2\"", 2, 1, "expected ':', '=', '+=' or '{' after the key 'sasl.jaas.config', found <redacted>" },
    };

    [Theory]
    [MemberData(nameof(SecretLineCases))]
    public void Parse_ErrorInASecretKeysValue_DoesNotQuoteTheSecret(string hocon, int line, int column, string reason)
    {
        var error = HoconText.ShouldFail(hocon);

        error.Message.Should().NotContain("hunter2");
        error.Reason.Should().StartWith(reason);
        (error.Line, error.Column).Should().Be((line, column), error.Message);
    }

    [Fact]
    public void Parse_SameErrorsAtAHarmlessKey_QuoteTheText()
    {
        HoconText.ShouldFail("sasl.mechanism = PLAIN [1]").Reason.Should().StartWith("cannot concatenate the string \"PLAIN\" with an array");
        HoconText.ShouldFail("sasl.mechanism PLAIN").Reason.Should().Be("expected ':', '=', '+=' or '{' after the key 'sasl.\"mechanism PLAIN\"', found end of input");
        HoconText.ShouldFail("sasl.mechanism\nPLAIN").Reason.Should().Be("expected ':', '=', '+=' or '{' after the key 'sasl.mechanism', found 'PLAIN'");
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Parse_InvalidInput_ReportsLineAndColumn(string hocon, int line, int column, string reason)
    {
        var error = HoconText.ShouldFail(hocon);

        error.Origin.Should().Be("string");
        error.Reason.Should().Contain(reason);
        (error.Line, error.Column).Should().Be((line, column), error.Message);
        error.Message.Should().StartWith($"string:{line}:{column}: ");
    }

    [Fact]
    public void ParseFile_ErrorInIncludedFile_NamesTheIncludedFile()
    {
        var included = Write("included.conf", "ok = 1\nbroken = [\n");
        var main = Write("main.conf", "include \"included.conf\"");

        var act = () => HoconConfigFactory.ParseFile(main);

        var error = act.Should().Throw<HoconException>().Which;
        error.Origin.Should().Be(included);
        (error.Line, error.Column).Should().Be((3, 1));
        error.Message.Should().Be($"{included}:3:1: expected ']' to close the array opened at 2:10, found end of input");
    }

    [Fact]
    public void ParseFile_IncludeCycle_IsReportedAtTheInclude()
    {
        var first = Write("first.conf", "a = 1\ninclude \"second.conf\"");
        var second = Write("second.conf", "\n\n  include \"first.conf\"");

        var act = () => HoconConfigFactory.ParseFile(first);

        var error = act.Should().Throw<HoconException>().Which;
        error.Origin.Should().Be(second);
        (error.Line, error.Column).Should().Be((3, 11));
        error.Reason.Should().StartWith("include cycle: ").And.Contain("first.conf -> ").And.EndWith("first.conf");
    }

    [Fact]
    public void ParseFile_Missing_NamesTheFile()
    {
        var path = Path.Combine(_directory, "nope.conf");

        var act = () => HoconConfigFactory.ParseFile(path);

        act.Should().Throw<HoconException>().Which.Message.Should().StartWith($"{path}: cannot read the configuration file");
    }

    [Fact]
    public void ParseString_Origin_IsUsedInErrors()
    {
        var act = () => HoconConfigFactory.ParseString("a = [", "config/akka.hocon");

        act.Should().Throw<HoconException>().Which.Message.Should().Be("config/akka.hocon:1:6: expected ']' to close the array opened at 1:5, found end of input");
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private string Write(string name, string text)
    {
        var path = Path.Combine(_directory, name);
        File.WriteAllText(path, text);
        return path;
    }
}
