namespace LoginLog;

/// <summary>One login, as posted to <c>/login</c> and pushed to the <c>logins</c> topic (JSON, keyed by <see cref="UserId"/>).</summary>
public sealed record LoginEvent(string UserId, string Ip, string? UserAgent, DateTimeOffset At);
