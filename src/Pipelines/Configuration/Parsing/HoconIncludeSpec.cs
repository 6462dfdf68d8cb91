namespace Pipelines.Configuration.Parsing;

/// <summary>The argument of an include statement: what to include, how it is named, and whether it must exist.</summary>
internal readonly record struct HoconIncludeSpec(HoconIncludeKind Kind, string Name, bool Required, HoconPosition Position);
