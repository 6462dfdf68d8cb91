using System.Text.Json;

namespace Pipelines.FrontDoors.Broker;

/// <summary>JSON through System.Text.Json (web defaults unless options are given).</summary>
internal sealed class JsonBrokerCodec : BrokerCodec
{
    private readonly JsonSerializerOptions _options;

    public JsonBrokerCodec(JsonSerializerOptions? options)
    {
        _options = options ?? JsonSerializerOptions.Web;
    }

    public override string Name => "json";

    public override byte[] Encode<T>(T value)
    {
        try
        {
            return JsonSerializer.SerializeToUtf8Bytes(value, _options);
        }
        catch (Exception e) when (e is NotSupportedException or JsonException or InvalidOperationException)
        {
            throw new BrokerCodecException($"The json codec cannot encode a {typeof(T).FullName}: {e.Message}", e);
        }
    }

    public override T Decode<T>(byte[]? data)
    {
        if (data is null || data.Length == 0)
        {
            throw new BrokerCodecException($"The json codec cannot decode a {typeof(T).FullName} from a message without value.");
        }

        T? value;
        try
        {
            value = JsonSerializer.Deserialize<T>(data, _options);
        }
        catch (Exception e) when (e is NotSupportedException or JsonException or InvalidOperationException or ArgumentException)
        {
            throw new BrokerCodecException($"The json codec cannot decode a {typeof(T).FullName}: {e.Message}", e);
        }

        // JSON null is no message: a handler of T would get a null it did not ask for.
        return value ?? throw new BrokerCodecException($"The json codec decoded null where a {typeof(T).FullName} was expected.");
    }
}
