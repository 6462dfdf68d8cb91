using System.Buffers.Binary;

namespace Pipelines.Delay;

/// <summary>
/// The binary form of <see cref="DelayFact"/>s on the compacted cancellation topic. The key is the 16-byte
/// <see cref="DelayMessageId"/> followed by one <see cref="DelayFactKind"/> byte, so that compaction keeps one record per
/// fact and no fact replaces another; the value is a version byte (1) and the fact's time in Unix milliseconds (8 bytes,
/// big-endian). A record with a null value (a tombstone) carries no fact.
/// </summary>
public static class CancellationRecords
{
    /// <summary>The length of a key.</summary>
    public const int KeyLength = DelayMessageId.ByteLength + 1;

    /// <summary>The length of a value.</summary>
    public const int ValueLength = 1 + sizeof(long);

    private const byte Version = 1;

    /// <summary>The record key of a fact: the id's 16 bytes and the kind.</summary>
    public static byte[] Key(DelayMessageId id, DelayFactKind kind)
    {
        var key = new byte[KeyLength];
        id.WriteBytes(key);
        key[DelayMessageId.ByteLength] = (byte)kind;
        return key;
    }

    /// <summary>The record value of a fact: the version and the fact's time.</summary>
    public static byte[] Value(DateTimeOffset at)
    {
        var value = new byte[ValueLength];
        value[0] = Version;
        BinaryPrimitives.WriteInt64BigEndian(value.AsSpan(1), at.ToUnixTimeMilliseconds());
        return value;
    }

    /// <summary>
    /// Reads the fact of the record at <paramref name="topic"/> [<paramref name="partition"/>] @<paramref name="offset"/>;
    /// returns false for a tombstone (null value).
    /// </summary>
    /// <exception cref="DelayRecordException">The key or value is not in this form.</exception>
    public static bool TryRead(ReadOnlySpan<byte> key, byte[]? value, string topic, int partition, long offset, out DelayFact fact)
    {
        fact = default;
        if (key.Length != KeyLength)
        {
            throw new DelayRecordException(topic, partition, offset, $"its key must be {KeyLength} bytes (a {DelayMessageId.ByteLength}-byte message id and a fact kind), but is {key.Length} bytes");
        }

        var kind = (DelayFactKind)key[DelayMessageId.ByteLength];
        if (!Enum.IsDefined(kind))
        {
            throw new DelayRecordException(topic, partition, offset, $"its key's last byte must be a fact kind (1 Scheduled, 2 Cancelled, 3 Delivered), but is {(byte)kind}");
        }

        if (value is null)
        {
            return false;
        }

        if (value.Length != ValueLength || value[0] != Version)
        {
            throw new DelayRecordException(topic, partition, offset, $"its value must be {ValueLength} bytes starting with version {Version}, but is {value.Length} bytes{(value.Length > 0 ? $" starting with {value[0]}" : string.Empty)}");
        }

        var ms = BinaryPrimitives.ReadInt64BigEndian(value.AsSpan(1));
        if (ms < 0 || ms > DateTimeOffset.MaxValue.ToUnixTimeMilliseconds())
        {
            throw new DelayRecordException(topic, partition, offset, $"its value's time must be Unix milliseconds, but is {ms}");
        }

        fact = new DelayFact(DelayMessageId.FromBytes(key[..DelayMessageId.ByteLength]), kind, DateTimeOffset.FromUnixTimeMilliseconds(ms));
        return true;
    }
}
