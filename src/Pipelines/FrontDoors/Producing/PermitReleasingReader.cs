using System.Diagnostics.CodeAnalysis;
using System.Threading.Channels;

namespace Pipelines.FrontDoors.Producing;

/// <summary>
/// The reading side of a result channel that gives a producer's permit back for each result read that held one, so that
/// results waiting unread count against the producer's bound and back-pressure its input instead of being dropped.
/// </summary>
internal sealed class PermitReleasingReader<T>(ChannelReader<(T Item, bool HoldsPermit)> inner, SemaphoreSlim permits) : ChannelReader<T>
{
    public override Task Completion => inner.Completion;

    public override bool CanCount => inner.CanCount;

    public override int Count => inner.Count;

    public override bool CanPeek => inner.CanPeek;

    public override bool TryRead([MaybeNullWhen(false)] out T item)
    {
        if (inner.TryRead(out var entry))
        {
            if (entry.HoldsPermit)
            {
                permits.Release();
            }

            item = entry.Item;
            return true;
        }

        item = default;
        return false;
    }

    public override bool TryPeek([MaybeNullWhen(false)] out T item)
    {
        if (inner.TryPeek(out var entry))
        {
            item = entry.Item;
            return true;
        }

        item = default;
        return false;
    }

    public override ValueTask<bool> WaitToReadAsync(CancellationToken cancellationToken = default) => inner.WaitToReadAsync(cancellationToken);
}
