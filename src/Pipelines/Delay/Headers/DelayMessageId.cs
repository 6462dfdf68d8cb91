using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Pipelines.Delay;

/// <summary>
/// The unique id of a delayed message: 16 bytes laid out like a ULID — the due time in Unix milliseconds (48 bits,
/// big-endian) followed by 80 random bits — so ids sort by due time and the id alone tells when its message is due.
/// Written as 26 characters of Crockford's base32 (<c>01JDQ6Z0M8X3V6Y9K2N4P7R5TB</c>).
/// </summary>
/// <remarks>
/// Carrying the due time lets a cancellation registry expire a fact about an id without looking anything up, and lets
/// a client answer "too late" for an id whose due time has passed. 80 random bits make a collision between two ids
/// due in the same millisecond negligible (about one in 10^12 for a million such ids).
/// </remarks>
public readonly struct DelayMessageId : IEquatable<DelayMessageId>, IComparable<DelayMessageId>, ISpanFormattable
{
    /// <summary>The length of the binary form.</summary>
    public const int ByteLength = 16;

    /// <summary>The length of the text form.</summary>
    public const int TextLength = 26;

    /// <summary>The largest due time an id can carry: <see cref="DateTimeOffset.MaxValue"/> to the millisecond (48 bits would reach further).</summary>
    public static readonly DateTimeOffset MaxDueTime = DateTimeOffset.FromUnixTimeMilliseconds(MaxDueMilliseconds);

    private const long MaxDueMilliseconds = 253_402_300_799_999;

    private const string Alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    private const int RandomLength = 10;
    private static readonly sbyte[] Digits = BuildDigits();

    private readonly ulong _high;
    private readonly ulong _low;

    private DelayMessageId(ulong high, ulong low)
    {
        _high = high;
        _low = low;
    }

    /// <summary>The due time carried in the id, to the millisecond.</summary>
    public DateTimeOffset DueTime => DateTimeOffset.FromUnixTimeMilliseconds((long)(_high >> 16));

    /// <summary>The due time carried in the id, in Unix milliseconds.</summary>
    public long DueUnixMilliseconds => (long)(_high >> 16);

    /// <summary>True for the all-zero id (<see langword="default"/>), which marks "no id".</summary>
    public bool IsEmpty => _high == 0 && _low == 0;

    /// <summary>Creates a new id for a message due at <paramref name="dueTime"/>, with 80 bits from a cryptographic random source.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="dueTime"/> is before 1970 or after <see cref="MaxDueTime"/>.</exception>
    public static DelayMessageId New(DateTimeOffset dueTime)
    {
        Span<byte> random = stackalloc byte[RandomLength];
        RandomNumberGenerator.Fill(random);
        return New(dueTime, random);
    }

    /// <summary>Creates the id for <paramref name="dueTime"/> with the given 10 random bytes (for tests and deterministic ids).</summary>
    internal static DelayMessageId New(DateTimeOffset dueTime, ReadOnlySpan<byte> random)
    {
        if (random.Length != RandomLength)
        {
            throw new ArgumentException($"An id takes {RandomLength} random bytes, not {random.Length}.", nameof(random));
        }

        if (dueTime < DateTimeOffset.UnixEpoch || dueTime > MaxDueTime)
        {
            throw new ArgumentOutOfRangeException(nameof(dueTime), dueTime, $"A delayed message's due time must lie between 1970 and {MaxDueTime:yyyy}.");
        }

        Span<byte> bytes = stackalloc byte[ByteLength];
        BinaryPrimitives.WriteInt64BigEndian(bytes, dueTime.ToUnixTimeMilliseconds() << 16);
        random.CopyTo(bytes[6..]);
        return new DelayMessageId(BinaryPrimitives.ReadUInt64BigEndian(bytes), BinaryPrimitives.ReadUInt64BigEndian(bytes[8..]));
    }

    /// <summary>Reads the 16-byte binary form.</summary>
    /// <exception cref="ArgumentException"><paramref name="bytes"/> is not 16 bytes long, or carries a due time beyond <see cref="MaxDueTime"/>.</exception>
    public static DelayMessageId FromBytes(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length != ByteLength)
        {
            throw new ArgumentException($"A delayed message id is {ByteLength} bytes, not {bytes.Length}.", nameof(bytes));
        }

        var high = BinaryPrimitives.ReadUInt64BigEndian(bytes);
        if ((long)(high >> 16) > MaxDueMilliseconds)
        {
            throw new ArgumentException($"The bytes 0x{Convert.ToHexString(bytes)} are not a delayed message id: their due time lies beyond {MaxDueTime:yyyy}.", nameof(bytes));
        }

        return new DelayMessageId(high, BinaryPrimitives.ReadUInt64BigEndian(bytes[8..]));
    }

    /// <summary>Parses the 26-character text form (either case).</summary>
    /// <exception cref="FormatException"><paramref name="text"/> is not an id.</exception>
    public static DelayMessageId Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return TryParse(text, out var id)
            ? id
            : throw new FormatException($"\"{text}\" is not a delayed message id: expected {TextLength} characters of Crockford base32 (0-9, A-Z without I, L, O, U), the first at most '7', due no later than {MaxDueTime:yyyy}.");
    }

    /// <summary>Parses the 26-character text form (either case); returns false when <paramref name="text"/> is not an id.</summary>
    public static bool TryParse(ReadOnlySpan<char> text, out DelayMessageId id)
    {
        id = default;
        if (text.Length != TextLength)
        {
            return false;
        }

        UInt128 value = 0;
        for (var i = 0; i < TextLength; i++)
        {
            var c = text[i];
            var digit = c < Digits.Length ? Digits[c] : -1;
            if (digit < 0 || (i == 0 && digit > 7))
            {
                return false;
            }

            value = (value << 5) | (uint)digit;
        }

        var high = (ulong)(value >> 64);
        if ((long)(high >> 16) > MaxDueMilliseconds)
        {
            return false;
        }

        id = new DelayMessageId(high, (ulong)value);
        return true;
    }

    /// <summary>Parses the text form from UTF-8 bytes (a Kafka header's value) without allocating; returns false when they are not an id.</summary>
    public static bool TryParseUtf8(ReadOnlySpan<byte> utf8, out DelayMessageId id)
    {
        id = default;
        if (utf8.Length != TextLength)
        {
            return false;
        }

        Span<char> text = stackalloc char[TextLength];
        for (var i = 0; i < TextLength; i++)
        {
            text[i] = (char)utf8[i];
        }

        return TryParse(text, out id);
    }

    /// <summary>Writes the 16-byte binary form into <paramref name="destination"/>.</summary>
    /// <exception cref="ArgumentException"><paramref name="destination"/> is shorter than 16 bytes.</exception>
    public void WriteBytes(Span<byte> destination)
    {
        if (destination.Length < ByteLength)
        {
            throw new ArgumentException($"A delayed message id needs {ByteLength} bytes; the destination has {destination.Length}.", nameof(destination));
        }

        BinaryPrimitives.WriteUInt64BigEndian(destination, _high);
        BinaryPrimitives.WriteUInt64BigEndian(destination[8..], _low);
    }

    /// <summary>Returns the 16-byte binary form.</summary>
    public byte[] ToByteArray()
    {
        var bytes = new byte[ByteLength];
        WriteBytes(bytes);
        return bytes;
    }

    /// <summary>Writes the text form as UTF-8 into <paramref name="destination"/> (26 bytes).</summary>
    /// <exception cref="ArgumentException"><paramref name="destination"/> is shorter than 26 bytes.</exception>
    public void WriteUtf8(Span<byte> destination)
    {
        if (destination.Length < TextLength)
        {
            throw new ArgumentException($"A delayed message id needs {TextLength} bytes as text; the destination has {destination.Length}.", nameof(destination));
        }

        var value = ((UInt128)_high << 64) | _low;
        for (var i = TextLength - 1; i >= 0; i--)
        {
            destination[i] = (byte)Alphabet[(int)(value & 31)];
            value >>= 5;
        }
    }

    /// <inheritdoc/>
    public bool TryFormat(Span<char> destination, out int charsWritten, ReadOnlySpan<char> format, IFormatProvider? provider)
    {
        if (destination.Length < TextLength)
        {
            charsWritten = 0;
            return false;
        }

        var value = ((UInt128)_high << 64) | _low;
        for (var i = TextLength - 1; i >= 0; i--)
        {
            destination[i] = Alphabet[(int)(value & 31)];
            value >>= 5;
        }

        charsWritten = TextLength;
        return true;
    }

    /// <inheritdoc/>
    public string ToString(string? format, IFormatProvider? formatProvider) => ToString();

    /// <summary>Returns the 26-character text form.</summary>
    public override string ToString() => string.Create(TextLength, this, static (span, id) => id.TryFormat(span, out _, default, null));

    /// <inheritdoc/>
    public bool Equals(DelayMessageId other) => _high == other._high && _low == other._low;

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is DelayMessageId other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(_high, _low);

    /// <summary>Orders ids by due time, then by their random part.</summary>
    public int CompareTo(DelayMessageId other)
    {
        var byHigh = _high.CompareTo(other._high);
        return byHigh != 0 ? byHigh : _low.CompareTo(other._low);
    }

    /// <summary>Equality of two ids.</summary>
    public static bool operator ==(DelayMessageId left, DelayMessageId right) => left.Equals(right);

    /// <summary>Inequality of two ids.</summary>
    public static bool operator !=(DelayMessageId left, DelayMessageId right) => !left.Equals(right);

    /// <summary>True when <paramref name="left"/> sorts before <paramref name="right"/>.</summary>
    public static bool operator <(DelayMessageId left, DelayMessageId right) => left.CompareTo(right) < 0;

    /// <summary>True when <paramref name="left"/> sorts after <paramref name="right"/>.</summary>
    public static bool operator >(DelayMessageId left, DelayMessageId right) => left.CompareTo(right) > 0;

    /// <summary>True when <paramref name="left"/> sorts before or equal to <paramref name="right"/>.</summary>
    public static bool operator <=(DelayMessageId left, DelayMessageId right) => left.CompareTo(right) <= 0;

    /// <summary>True when <paramref name="left"/> sorts after or equal to <paramref name="right"/>.</summary>
    public static bool operator >=(DelayMessageId left, DelayMessageId right) => left.CompareTo(right) >= 0;

    private static sbyte[] BuildDigits()
    {
        var digits = new sbyte[128];
        Array.Fill(digits, (sbyte)-1);
        for (var i = 0; i < Alphabet.Length; i++)
        {
            digits[Alphabet[i]] = (sbyte)i;
            digits[char.ToLowerInvariant(Alphabet[i])] = (sbyte)i;
        }

        return digits;
    }
}
