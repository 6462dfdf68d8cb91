using System.Text;

namespace Pipelines.Delay.Tests.Retry;

public sealed class KeyOrderTrackerTests
{
    private static readonly RecordKey A = RecordKey.Of(Encoding.UTF8.GetBytes("a"), 0, 10);
    private static readonly RecordKey B = RecordKey.Of(Encoding.UTF8.GetBytes("b"), 0, 11);

    [Fact]
    public void Added_KeyIsInRetryUntilItsLastMessageIsDone()
    {
        var tracker = new KeyOrderTracker();

        tracker.Added(A, retryPartition: 0);
        tracker.Added(RecordKey.Of(Encoding.UTF8.GetBytes("a"), 2, 99), retryPartition: 0);

        tracker.InRetry(A).Should().BeTrue("equal key bytes are one key, whatever the record");
        tracker.InRetry(B).Should().BeFalse();
        tracker.Done(A);
        tracker.InRetry(A).Should().BeTrue("one of its two messages is still in the retry path");
        tracker.Done(A);
        tracker.InRetry(A).Should().BeFalse();
        tracker.Count.Should().Be(0);
    }

    [Fact]
    public void SentAgain_MessagesAheadOfTheBarrierGoRoundAndTheBarrierItselfLiftsIt()
    {
        var tracker = new KeyOrderTracker();
        tracker.Added(A, retryPartition: 1);
        tracker.Added(A, retryPartition: 1);

        tracker.SentAgain(A, partition: 1, offset: 7);

        tracker.MustGoRound(A, 1, 5).Should().BeTrue("it was sent before the failed message's new copy");
        tracker.MustGoRound(A, 1, 6).Should().BeTrue();
        tracker.MustGoRound(B, 1, 6).Should().BeFalse("other keys are not held");
        tracker.MustGoRound(A, 1, 7).Should().BeFalse("the new copy is handled");
        tracker.MustGoRound(A, 1, 8).Should().BeFalse("the barrier is lifted once reached");
    }

    [Fact]
    public void Forget_ARevokedRetryPartition_DropsOnlyItsKeys()
    {
        var tracker = new KeyOrderTracker();
        tracker.Added(A, retryPartition: 0);
        tracker.Added(B, retryPartition: 1);

        tracker.Forget(0);

        tracker.InRetry(A).Should().BeFalse();
        tracker.InRetry(B).Should().BeTrue();
    }

    [Fact]
    public void Rebuild_UncommittedRetryMessages_CountAsInRetryAndTheLastSentAgainSetsTheBarrier()
    {
        var tracker = new KeyOrderTracker();

        tracker.Rebuild(2, [(A, 4, false), (B, 5, false), (A, 6, true), (A, 7, false)]);

        tracker.MustGoRound(A, 2, 4).Should().BeTrue("it lies ahead of the message that was sent again");
        tracker.MustGoRound(A, 2, 6).Should().BeFalse();
        tracker.Done(A);
        tracker.Done(A);
        tracker.InRetry(A).Should().BeTrue("three of A's messages were pending");
        tracker.Done(A);
        tracker.InRetry(A).Should().BeFalse();
        tracker.InRetry(B).Should().BeTrue();
    }

    [Fact]
    public void Done_ForAKeyNotTracked_IsHarmless()
    {
        var tracker = new KeyOrderTracker();

        tracker.Done(A);
        tracker.MustGoRound(A, 0, 0).Should().BeFalse();

        tracker.Count.Should().Be(0);
    }

    [Fact]
    public void RecordKey_NullKeys_StandForTheirRecordAlone()
    {
        RecordKey.Of(null, 0, 1).Should().NotBe(RecordKey.Of(null, 0, 2));
        RecordKey.Of(null, 0, 1).Should().Be(RecordKey.Of(null, 0, 1));
        RecordKey.Of(null, 0, 1).HasBytes.Should().BeFalse();
        RecordKey.Of([], 0, 1).Should().NotBe(RecordKey.Of(null, 0, 1), "an empty key is a key");
    }
}
