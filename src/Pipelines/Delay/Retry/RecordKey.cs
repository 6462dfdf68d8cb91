namespace Pipelines.Delay;

/// <summary>
/// A record's key bytes compared by content, the unit of ordering of the retry route. A null key has no order with
/// anything (Kafka spreads null keys over partitions), so it stands for its record alone.
/// </summary>
internal readonly struct RecordKey : IEquatable<RecordKey>
{
    private readonly byte[]? _bytes;
    private readonly long _unique;
    private readonly int _hash;

    private RecordKey(byte[]? bytes, long unique, int hash)
    {
        _bytes = bytes;
        _unique = unique;
        _hash = hash;
    }

    /// <summary>Whether the key is a real key (not a null key standing for its record).</summary>
    public bool HasBytes => _bytes is not null;

    /// <summary>The key of a record with <paramref name="bytes"/>, or of the record at <paramref name="partition"/> @<paramref name="offset"/> when its key is null.</summary>
    public static RecordKey Of(byte[]? bytes, int partition, long offset)
    {
        if (bytes is null)
        {
            var unique = (offset << 16) ^ partition;
            return new RecordKey(null, unique, unique.GetHashCode());
        }

        var hash = new HashCode();
        hash.AddBytes(bytes);
        return new RecordKey(bytes, 0, hash.ToHashCode());
    }

    public bool Equals(RecordKey other) =>
        _hash == other._hash && (_bytes is null
            ? other._bytes is null && _unique == other._unique
            : other._bytes is not null && _bytes.AsSpan().SequenceEqual(other._bytes));

    public override bool Equals(object? obj) => obj is RecordKey other && Equals(other);

    public override int GetHashCode() => _hash;

    public override string ToString() => _bytes is null ? $"null key #{_unique}" : Convert.ToHexString(_bytes);
}
