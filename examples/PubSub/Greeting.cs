namespace PubSub;

/// <summary>The message the example publishes and subscribes to, sent as JSON.</summary>
/// <param name="Number">Which greeting of the run.</param>
/// <param name="Text">The greeting.</param>
/// <param name="SentAt">When it was published.</param>
public sealed record Greeting(int Number, string Text, DateTimeOffset SentAt);
