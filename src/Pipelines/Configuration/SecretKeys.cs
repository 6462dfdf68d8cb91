namespace Pipelines.Configuration;

/// <summary>
/// Decides which configuration keys hold secrets, so that every place that shows or logs configuration (the
/// <c>config</c> command, settings' <c>ToString</c>, error messages) prints <see cref="Redacted"/> instead of their values.
/// </summary>
/// <remarks>
/// A key is compared case-insensitively, as a path whose segments are separated by <c>.</c> or <c>:</c> (HOCON and
/// Microsoft.Extensions.Configuration spellings); trailing array indexes (<c>:0</c>, <c>[0]</c>) are ignored. It is
/// secret when
/// <list type="bullet">
/// <item>its last segment contains <c>password</c>, <c>passwd</c>, <c>passphrase</c>, <c>secret</c>, <c>credential</c>
/// or <c>token</c> (<c>sasl.password</c>, <c>ssl.keystore.password</c>, <c>sasl.oauthbearer.client.secret</c>,
/// <c>db-password</c>, <c>apiToken</c>);</item>
/// <item>it contains <c>private.key</c> (also spelled <c>private-key</c>, <c>private_key</c> or <c>privatekey</c>), as
/// in <c>sasl.oauthbearer.assertion.private.key.pem</c>;</item>
/// <item>it ends with a key known to hold credentials or private key material whole: <c>sasl.jaas.config</c>,
/// <c>sasl.oauthbearer.config</c>, <c>ssl.key.pem</c>, <c>ssl.keystore.key</c>, <c>basic.auth.user.info</c>;</item>
/// <item>it is a header of the OpenTelemetry exporter (under <c>otlp.headers</c>, as in
/// <c>pipelines.telemetry.otlp.headers.api-key</c>): collectors take their credentials in headers of any name.</item>
/// </list>
/// Names, mechanisms, file locations and certificates are not secret: <c>sasl.username</c>, <c>sasl.mechanism</c>,
/// <c>ssl.key.location</c>, <c>ssl.certificate.pem</c> and <c>sasl.oauthbearer.token.endpoint.url</c> stay visible.
/// </remarks>
public static class SecretKeys
{
    /// <summary>What is shown instead of a secret value; the key itself stays visible, so users see that it is set.</summary>
    public const string Redacted = "<redacted>";

    private static readonly string[] SecretWords = ["password", "passwd", "passphrase", "secret", "credential", "token"];

    private static readonly string[] SecretKeyNames =
        ["sasl.jaas.config", "sasl.oauthbearer.config", "ssl.key.pem", "ssl.keystore.key", "basic.auth.user.info"];

    /// <summary>
    /// Returns whether the value of <paramref name="key"/> (a librdkafka property such as <c>sasl.password</c>, or a full
    /// path such as <c>akka.kafka.consumer.kafka-clients.sasl.password</c>) is a secret.
    /// </summary>
    public static bool IsSecret(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        var normalized = Normalize(key);
        if (normalized.Length == 0)
        {
            return false;
        }

        var lastSegment = normalized[(normalized.LastIndexOf('.') + 1)..];
        foreach (var word in SecretWords)
        {
            if (lastSegment.Contains(word, StringComparison.Ordinal))
            {
                return true;
            }
        }

        var dotted = normalized.Replace('-', '.').Replace('_', '.');
        if (dotted.Contains("private.key", StringComparison.Ordinal) || normalized.Contains("privatekey", StringComparison.Ordinal))
        {
            return true;
        }

        if (normalized.StartsWith("otlp.headers.", StringComparison.Ordinal) || normalized.Contains(".otlp.headers.", StringComparison.Ordinal))
        {
            return true;
        }

        foreach (var name in SecretKeyNames)
        {
            if (normalized == name || normalized.EndsWith("." + name, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Returns <see cref="Redacted"/> when <paramref name="key"/> is secret and <paramref name="value"/> is set, else <paramref name="value"/>.</summary>
    public static string? Redact(string key, string? value) => value is not null && IsSecret(key) ? Redacted : value;

    // Lower case, ':' as '.', no quotes (a quoted HOCON key "sasl.password" is the same property), no trailing indexes.
    private static string Normalize(string key)
    {
        var text = key.ToLowerInvariant().Replace(':', '.').Replace("\"", string.Empty, StringComparison.Ordinal).Trim();
        while (true)
        {
            if (text.EndsWith(']') && text.LastIndexOf('[') is var open and >= 0)
            {
                text = text[..open];
                continue;
            }

            var dot = text.LastIndexOf('.');
            if (dot >= 0 && text.Length > dot + 1 && text.AsSpan(dot + 1).IndexOfAnyExceptInRange('0', '9') < 0)
            {
                text = text[..dot];
                continue;
            }

            return text.Trim('.');
        }
    }
}
