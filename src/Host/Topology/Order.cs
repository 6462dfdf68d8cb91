using System.Text.Json;
using System.Text.Json.Serialization;

namespace Pipelines.Host.Topology;

/// <summary>An order of the example topology, as JSON on the <c>orders</c> topic (keyed by customer id).</summary>
/// <param name="OrderId">Unique across generator runs: the run's id and a sequence number.</param>
/// <param name="CustomerId">The record key: one customer's orders are processed in order.</param>
/// <param name="Amount">The order's amount.</param>
/// <param name="CreatedAt">When the generator made it, Unix milliseconds.</param>
/// <param name="Poison">Whether processing it always fails (so that retries and dead letters happen).</param>
internal sealed record Order(
    [property: JsonPropertyName("orderId")] string OrderId,
    [property: JsonPropertyName("customerId")] string CustomerId,
    [property: JsonPropertyName("amount")] decimal Amount,
    [property: JsonPropertyName("createdAt")] long CreatedAt,
    [property: JsonPropertyName("poison")] bool Poison)
{
    /// <summary>The JSON options of every topology record.</summary>
    public static JsonSerializerOptions Json { get; } = new(JsonSerializerDefaults.Web);
}
