using Confluent.Kafka;

namespace Pipelines.Kafka;

/// <summary>Confluent.Kafka's built-in serializers and deserializers, for settings created without one.</summary>
internal static class DefaultSerdes
{
    /// <summary>The built-in deserializer for <typeparamref name="T"/>, or null when Confluent.Kafka has none.</summary>
    public static IDeserializer<T>? Deserializer<T>()
    {
        var type = typeof(T);
        object? deserializer =
            type == typeof(string) ? Deserializers.Utf8 :
            type == typeof(byte[]) ? Deserializers.ByteArray :
            type == typeof(Ignore) ? Deserializers.Ignore :
            type == typeof(Null) ? Deserializers.Null :
            type == typeof(int) ? Deserializers.Int32 :
            type == typeof(long) ? Deserializers.Int64 :
            type == typeof(float) ? Deserializers.Single :
            type == typeof(double) ? Deserializers.Double :
            null;
        return (IDeserializer<T>?)deserializer;
    }

    /// <summary>The built-in serializer for <typeparamref name="T"/>, or null when Confluent.Kafka has none.</summary>
    public static ISerializer<T>? Serializer<T>()
    {
        var type = typeof(T);
        object? serializer =
            type == typeof(string) ? Serializers.Utf8 :
            type == typeof(byte[]) ? Serializers.ByteArray :
            type == typeof(Null) ? Serializers.Null :
            type == typeof(int) ? Serializers.Int32 :
            type == typeof(long) ? Serializers.Int64 :
            type == typeof(float) ? Serializers.Single :
            type == typeof(double) ? Serializers.Double :
            null;
        return (ISerializer<T>?)serializer;
    }
}
