namespace Pipelines.Configuration.Values;

/// <summary>A value concatenation that contains substitutions, joined when the configuration is resolved.</summary>
internal sealed class HoconConcatenation : HoconValue
{
    public HoconConcatenation(HoconValue[] pieces, HoconPosition position)
        : base(position) => Pieces = pieces;

    public HoconValue[] Pieces { get; }

    public override HoconValueType Type => throw new InvalidOperationException("An unresolved concatenation has no type; resolve the configuration first.");

    internal override bool IsUnresolved => true;
}
