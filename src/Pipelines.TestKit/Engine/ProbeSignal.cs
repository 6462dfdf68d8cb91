namespace Pipelines.TestKit.Engine;

/// <summary>One thing a probe observed: an element, completion, failure, a request or a cancellation.</summary>
internal readonly record struct ProbeSignal<T>(ProbeSignalKind Kind, T Element, long Demand, Exception? Error)
{
    public override string ToString() => Kind switch
    {
        ProbeSignalKind.Next => $"OnNext({Element})",
        ProbeSignalKind.Complete => "OnComplete",
        ProbeSignalKind.Error => $"OnError({Error?.GetType().Name}: {Error?.Message})",
        ProbeSignalKind.Request => $"Request({Demand})",
        _ => Error is null ? "Cancel" : $"Cancel({Error.GetType().Name}: {Error.Message})",
    };
}

/// <summary>The kinds of <see cref="ProbeSignal{T}"/>.</summary>
internal enum ProbeSignalKind
{
    Next,
    Complete,
    Error,
    Request,
    Cancel,
}
