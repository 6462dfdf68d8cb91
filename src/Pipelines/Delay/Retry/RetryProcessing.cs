namespace Pipelines.Delay;

/// <summary>How the retry route runs its handler over the consumed messages (<c>pipelines.retry.processing</c>).</summary>
public enum RetryProcessing
{
    /// <summary>
    /// One message of a key at a time, in partition order, different keys in parallel (<c>SelectAsyncPartitioned</c>);
    /// the default, and the only shape that allows <see cref="RetrySettings.PreserveKeyOrder"/>.
    /// </summary>
    PerKey = 1,

    /// <summary>Messages in parallel in any order, keys not considered (<c>SelectAsyncUnordered</c>).</summary>
    Unordered = 2,
}
