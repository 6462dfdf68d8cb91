namespace Pipelines.Delay;

/// <summary>What the router does with a released record.</summary>
internal enum RouteAction : byte
{
    /// <summary>Not decided yet.</summary>
    None = 0,

    /// <summary>Due: produce it to its target.</summary>
    Deliver = 1,

    /// <summary>Not due yet: produce it to the tier for its remaining delay.</summary>
    Cascade = 2,

    /// <summary>Cancelled: commit its offset without producing it.</summary>
    Cancelled = 3,

    /// <summary>Already delivered: commit its offset without producing it again.</summary>
    Duplicate = 4,
}
