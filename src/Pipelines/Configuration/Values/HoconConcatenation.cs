namespace Pipelines.Configuration.Values;

/// <summary>A value concatenation that contains substitutions, joined when the configuration is resolved.</summary>
internal sealed class HoconConcatenation : HoconValue
{
    public HoconConcatenation(HoconValue[] pieces, HoconPosition position, bool isSecret = false)
        : base(position)
    {
        Pieces = pieces;
        IsSecret = isSecret;
    }

    public HoconValue[] Pieces { get; }

    /// <summary>The concatenation is the value of a secret key (<see cref="SecretKeys"/>): errors joining it must not quote its pieces.</summary>
    public bool IsSecret { get; }

    public override HoconValueType Type => throw new InvalidOperationException("An unresolved concatenation has no type; resolve the configuration first.");

    internal override bool IsUnresolved => true;
}
