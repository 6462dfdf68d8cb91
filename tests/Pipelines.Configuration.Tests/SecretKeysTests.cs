namespace Pipelines.Configuration.Tests;

public sealed class SecretKeysTests
{
    public static TheoryData<string> SecretKeyCases() =>
    [
        // librdkafka properties that hold passwords, client secrets, JAAS/OAuth configurations and private keys.
        "sasl.password",
        "ssl.key.password",
        "ssl.keystore.password",
        "ssl.truststore.password",
        "sasl.oauthbearer.client.secret",
        "sasl.oauthbearer.config",
        "sasl.jaas.config",
        "ssl.key.pem",
        "ssl.keystore.key",
        "sasl.oauthbearer.assertion.private.key.pem",
        "sasl.oauthbearer.assertion.private.key.passphrase",
        "basic.auth.user.info",

        // The same properties as full paths, in any case, quoted, or as Microsoft.Extensions.Configuration keys.
        "akka.kafka.consumer.kafka-clients.sasl.password",
        "akka.kafka.producer.kafka-clients.\"ssl.key.password\"",
        "AKKA.KAFKA.CONSUMER.KAFKA-CLIENTS.SASL.PASSWORD",
        "akka:kafka:consumer:kafka-clients:sasl.password",
        "akka:kafka:producer:kafka-clients:sasl:jaas:config",
        "schema.registry.basic.auth.user.info",

        // Any last segment naming a password, secret, credential or token; private keys in any spelling.
        "db-password",
        "app.smtp_passwd",
        "service.client_secret",
        "service.credentials",
        "api.apiToken",
        "auth.refresh-token",
        "tls.private-key",
        "tls.private_key",
        "tls.privateKey",

        // Array elements of a secret key are the secret.
        "sasl.password:0",
        "sasl.password[1]",

        // Headers of the OpenTelemetry exporter carry collector credentials under any name.
        "pipelines.telemetry.otlp.headers.api-key",
        "pipelines:telemetry:otlp:headers:Authorization",
    ];

    public static TheoryData<string> HarmlessKeyCases() =>
    [
        "sasl.mechanism",
        "pipelines.telemetry.otlp.endpoint",
        "sasl.mechanisms",
        "sasl.username",
        "security.protocol",
        "bootstrap.servers",
        "group.id",
        "client.id",
        "ssl.key.location",
        "ssl.keystore.location",
        "ssl.truststore.location",
        "ssl.certificate.pem",
        "ssl.certificate.location",
        "ssl.ca.pem",
        "ssl.ca.location",
        "ssl.endpoint.identification.algorithm",
        "enable.ssl.certificate.verification",
        "sasl.kerberos.keytab",
        "sasl.kerberos.principal",
        "sasl.oauthbearer.token.endpoint.url",
        "sasl.oauthbearer.client.id",
        "sasl.oauthbearer.method",
        "sasl.oauthbearer.scope",
        "enable.sasl.oauthbearer.unsecure.jwt",
        "akka.kafka.consumer.kafka-clients",
        "akka.kafka.consumer.poll-interval",
        "akka.kafka.producer.parallelism",
        "jaas.config",
        "key.pem",
        "",
    ];

    [Theory]
    [MemberData(nameof(SecretKeyCases))]
    public void IsSecret_KeyHoldingASecret_IsTrue(string key) =>
        SecretKeys.IsSecret(key).Should().BeTrue();

    [Theory]
    [MemberData(nameof(HarmlessKeyCases))]
    public void IsSecret_HarmlessKey_IsFalse(string key) =>
        SecretKeys.IsSecret(key).Should().BeFalse();

    [Fact]
    public void Redact_SecretKey_ReplacesTheValueAndKeepsNull()
    {
        SecretKeys.Redact("sasl.password", "hunter2").Should().Be("<redacted>");
        SecretKeys.Redact("sasl.password", string.Empty).Should().Be("<redacted>", "even an empty password is not shown");
        SecretKeys.Redact("sasl.password", null).Should().BeNull("an unset key shows that it is unset");
        SecretKeys.Redact("sasl.mechanism", "PLAIN").Should().Be("PLAIN");
    }
}
