namespace Pipelines.Kafka.Tests.Host;

/// <summary>What a finished host process left: its exit code, stdout and stderr.</summary>
public sealed record CommandResult(int ExitCode, string Output, string Error)
{
    /// <summary>stdout's lines, without the empty line after the last newline.</summary>
    public IReadOnlyList<string> Lines => Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);

    /// <summary>Asserts success: exit code 0 (stderr as the reason otherwise).</summary>
    public CommandResult ShouldSucceed()
    {
        ExitCode.Should().Be(0, "the command succeeds; its stderr was: {0}", Error);
        return this;
    }

    /// <summary>
    /// Asserts the failure contract of the commands: a non-zero exit code, nothing on stdout, and exactly one line on
    /// stderr, <c>error: …</c>, containing <paramref name="expected"/>.
    /// </summary>
    public void ShouldFailWith(string expected)
    {
        ExitCode.Should().NotBe(0, "the command fails; its stderr was: {0}", Error);
        Output.Should().BeEmpty("stdout carries only data");
        var errorLines = Error.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        errorLines.Should().ContainSingle("the error is one line").Which.Should().StartWith("error: ").And.Contain(expected);
    }
}
