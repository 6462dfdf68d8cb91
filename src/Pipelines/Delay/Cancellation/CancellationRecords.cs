using System.Buffers.Binary;

namespace Pipelines.Delay;

/// <summary>
/// The binary form of <see cref="DelayFact"/>s on the compacted cancellation topic. A fact record's key is the 16-byte
/// <see cref="DelayMessageId"/> followed by one <see cref="DelayFactKind"/> byte, so that compaction keeps one record per
/// fact and no fact replaces another; its value is a version byte (1) and the fact's time in Unix milliseconds (8 bytes,
/// big-endian). A record with a null value (a tombstone) carries no fact.
/// </summary>
/// <remarks>
/// A router records its deliveries in <b>deliveries records</b>: the key is a fresh 16-byte id of the record followed by
/// <see cref="DeliveriesMarker"/> (so no two such records share a key and compaction removes none), the value the version,
/// the time, and the 16-byte ids of up to <see cref="MaxDeliveriesPerRecord"/> delivered messages, each a
/// <see cref="DelayFactKind.Delivered"/> fact with that time. One record for many deliveries keeps the cost of
/// <c>record-deliveries</c> to a small part of a delivery's.
/// </remarks>
public static class CancellationRecords
{
    /// <summary>The length of a key.</summary>
    public const int KeyLength = DelayMessageId.ByteLength + 1;

    /// <summary>The length of a fact record's value.</summary>
    public const int ValueLength = 1 + sizeof(long);

    /// <summary>The last byte of a deliveries record's key.</summary>
    public const byte DeliveriesMarker = 4;

    /// <summary>The most message ids a deliveries record carries (a value of 16,009 bytes).</summary>
    public const int MaxDeliveriesPerRecord = 1000;

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
        WriteHeader(value, at);
        return value;
    }

    /// <summary>The key of a deliveries record: <paramref name="recordId"/>, an id no other record uses, and <see cref="DeliveriesMarker"/>.</summary>
    public static byte[] DeliveriesKey(DelayMessageId recordId)
    {
        var key = new byte[KeyLength];
        recordId.WriteBytes(key);
        key[DelayMessageId.ByteLength] = DeliveriesMarker;
        return key;
    }

    /// <summary>The value of a deliveries record: the messages <paramref name="delivered"/> were delivered at <paramref name="at"/>.</summary>
    /// <exception cref="ArgumentException"><paramref name="delivered"/> is empty or holds more than <see cref="MaxDeliveriesPerRecord"/> ids.</exception>
    public static byte[] DeliveriesValue(DateTimeOffset at, ReadOnlySpan<DelayMessageId> delivered)
    {
        if (delivered.IsEmpty || delivered.Length > MaxDeliveriesPerRecord)
        {
            throw new ArgumentException($"A deliveries record carries 1 to {MaxDeliveriesPerRecord} ids, not {delivered.Length}.", nameof(delivered));
        }

        var value = new byte[ValueLength + (delivered.Length * DelayMessageId.ByteLength)];
        WriteHeader(value, at);
        var ids = value.AsSpan(ValueLength);
        foreach (var id in delivered)
        {
            id.WriteBytes(ids);
            ids = ids[DelayMessageId.ByteLength..];
        }

        return value;
    }

    /// <summary>
    /// Adds the facts the record at <paramref name="topic"/> [<paramref name="partition"/>] @<paramref name="offset"/>
    /// carries to <paramref name="facts"/>: none for a tombstone (null value), one for a fact record, one
    /// <see cref="DelayFactKind.Delivered"/> fact per id for a deliveries record. Returns how many were added.
    /// </summary>
    /// <exception cref="DelayRecordException">The key or value is not in one of these forms; nothing is added.</exception>
    public static int Read(ReadOnlySpan<byte> key, byte[]? value, string topic, int partition, long offset, ICollection<DelayFact> facts)
    {
        ArgumentNullException.ThrowIfNull(facts);
        if (key.Length != KeyLength)
        {
            throw new DelayRecordException(topic, partition, offset, $"its key must be {KeyLength} bytes (a {DelayMessageId.ByteLength}-byte message id and a fact kind), but is {key.Length} bytes");
        }

        var marker = key[DelayMessageId.ByteLength];
        var deliveries = marker == DeliveriesMarker;
        if (!deliveries && !Enum.IsDefined((DelayFactKind)marker))
        {
            throw new DelayRecordException(topic, partition, offset, $"its key's last byte must be a fact kind (1 Scheduled, 2 Cancelled, 3 Delivered) or {DeliveriesMarker} (deliveries), but is {marker}");
        }

        if (value is null)
        {
            return 0;
        }

        if (!deliveries && (value.Length != ValueLength || value[0] != Version))
        {
            throw new DelayRecordException(topic, partition, offset, $"its value must be {ValueLength} bytes starting with version {Version}, but is {value.Length} bytes{StartingWith(value)}");
        }

        var idsLength = value.Length - ValueLength;
        if (deliveries && (idsLength <= 0 || idsLength % DelayMessageId.ByteLength != 0 || value[0] != Version))
        {
            throw new DelayRecordException(
                topic,
                partition,
                offset,
                $"a deliveries record's value must be version {Version}, a time and one or more {DelayMessageId.ByteLength}-byte message ids ({ValueLength} + {DelayMessageId.ByteLength}·n bytes), but is {value.Length} bytes{StartingWith(value)}");
        }

        var ms = BinaryPrimitives.ReadInt64BigEndian(value.AsSpan(1));
        if (ms < 0 || ms > DateTimeOffset.MaxValue.ToUnixTimeMilliseconds())
        {
            throw new DelayRecordException(topic, partition, offset, $"its value's time must be Unix milliseconds, but is {ms}");
        }

        var at = DateTimeOffset.FromUnixTimeMilliseconds(ms);
        if (!deliveries)
        {
            facts.Add(new DelayFact(ReadId(key[..DelayMessageId.ByteLength], topic, partition, offset), (DelayFactKind)marker, at));
            return 1;
        }

        // Every id is checked before any is added, so that a malformed record adds nothing.
        var ids = value.AsSpan(ValueLength);
        for (var rest = ids; !rest.IsEmpty; rest = rest[DelayMessageId.ByteLength..])
        {
            ReadId(rest[..DelayMessageId.ByteLength], topic, partition, offset);
        }

        for (var rest = ids; !rest.IsEmpty; rest = rest[DelayMessageId.ByteLength..])
        {
            facts.Add(new DelayFact(DelayMessageId.FromBytes(rest[..DelayMessageId.ByteLength]), DelayFactKind.Delivered, at));
        }

        return idsLength / DelayMessageId.ByteLength;
    }

    private static DelayMessageId ReadId(ReadOnlySpan<byte> bytes, string topic, int partition, long offset)
    {
        try
        {
            return DelayMessageId.FromBytes(bytes);
        }
        catch (ArgumentException)
        {
            throw new DelayRecordException(topic, partition, offset, $"0x{Convert.ToHexString(bytes)} is not a message id (its due time lies beyond {DelayMessageId.MaxDueTime:yyyy})");
        }
    }

    private static void WriteHeader(Span<byte> value, DateTimeOffset at)
    {
        value[0] = Version;
        BinaryPrimitives.WriteInt64BigEndian(value[1..], at.ToUnixTimeMilliseconds());
    }

    private static string StartingWith(byte[] value) => value.Length > 0 ? $" starting with {value[0]}" : string.Empty;
}
