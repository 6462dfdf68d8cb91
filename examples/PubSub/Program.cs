using PubSub;

// dotnet run --project examples/PubSub [-- --count N]
// Against KAFKA_BOOTSTRAP_SERVERS when set, otherwise an embedded Kafka cluster started in this process.
using var stop = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    stop.Cancel();
};

return await PubSubExample.RunAsync(args, Console.Out, stop.Token);
