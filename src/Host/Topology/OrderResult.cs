using System.Text.Json.Serialization;

namespace Pipelines.Host.Topology;

/// <summary>What the <c>orders</c> pipeline produces to <c>order-results</c> for an order it processed (keyed by customer id).</summary>
/// <param name="OrderId">The order's id.</param>
/// <param name="CustomerId">The customer (the record key).</param>
/// <param name="Amount">The order's amount.</param>
/// <param name="Status">The outcome of the simulated call, <c>billed</c>.</param>
/// <param name="CreatedAt">When the order was made, Unix milliseconds (for end-to-end latency).</param>
/// <param name="ProcessedAt">When it was processed, Unix milliseconds.</param>
internal sealed record OrderResult(
    [property: JsonPropertyName("orderId")] string OrderId,
    [property: JsonPropertyName("customerId")] string CustomerId,
    [property: JsonPropertyName("amount")] decimal Amount,
    [property: JsonPropertyName("status")] string Status,
    [property: JsonPropertyName("createdAt")] long CreatedAt,
    [property: JsonPropertyName("processedAt")] long ProcessedAt);
