using Pipelines.Kafka;

namespace Pipelines.Configuration.Tests;

public sealed class SettingsReaderTests
{
    [Fact]
    public void Problems_WrongValuesAtSecretKeys_NameTheKeysButNotTheValues()
    {
        var config = PipelinesConfiguration.ParseString("""
            my.section {
              sasl.password = hunter2
              refresh-token = hunter2
              credential-mode = hunter2
              mode = hunter2
            }
            """, "user.conf");
        var reader = SettingsReader.Open(config, "my.section");

        reader.Int("sasl.password");
        reader.Duration("refresh-token");
        reader.Enum<CommitDelivery>("credential-mode");
        reader.Enum<CommitDelivery>("mode");
        var act = () => reader.Problems.ThrowIfAny();

        var error = act.Should().Throw<SettingsException>().Which;
        error.Problems.Should().Equal(
            "my.section.sasl.password: must be a whole number, but is the string <redacted> (user.conf:2:19)",
            "my.section.refresh-token: must be a duration such as 50ms or 10s, but is <redacted> (user.conf:3:19)",
            "my.section.credential-mode: must be one of wait-for-ack, send-and-forget, but is <redacted>",
            "my.section.mode: must be one of wait-for-ack, send-and-forget, but is \"hunter2\"");
        error.Problems.Take(3).Should().NotContain(p => p.Contains("hunter2", StringComparison.Ordinal));
    }
}
