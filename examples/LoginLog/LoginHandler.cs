using System.Text.Json;
using Pipelines.FrontDoors.Queue;

namespace LoginLog;

/// <summary>The queue's handler: logs and stores each login (go-zero's <c>Consume(ctx, key, value) error</c>).</summary>
public sealed partial class LoginHandler(LoginStore store, ILogger<LoginHandler> logger) : IConsumeHandler
{
    /// <inheritdoc />
    public Task ConsumeAsync(ConsumeContext context, CancellationToken cancellationToken)
    {
        // A value that is not a login fails the call: the queue restarts and reads it again, or, with retry = on,
        // retries it and then moves it to the dead-letter topic.
        var login = JsonSerializer.Deserialize<LoginEvent>(context.Value, LoginJson.Options)
            ?? throw new JsonException($"{context} is not a login: {context.Value}");
        store.Add(new StoredLogin(login, context.Partition, context.Offset));
        LogLogin(logger, login.UserId, login.Ip, context.Partition, context.Offset);
        return Task.CompletedTask;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "login of {UserId} from {Ip} ({Partition}@{Offset})")]
    private static partial void LogLogin(ILogger logger, string userId, string ip, int partition, long offset);
}
