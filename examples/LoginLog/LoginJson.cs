using System.Text.Json;

namespace LoginLog;

/// <summary>The JSON shape of logins on the wire and in the topic (camelCase, as the HTTP API).</summary>
internal static class LoginJson
{
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.Web);
}
