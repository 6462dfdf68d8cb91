namespace Pipelines.Kafka.Tests.Committing;

public sealed class OffsetLedgerTests
{
    [Fact]
    public void TakeCovered_FinishedOutOfOrder_CountsOnlyTheEntriesBelowTheCommitPositionOnce()
    {
        var ledger = new OffsetLedger();
        var sequences = Enumerable.Range(0, 5).Select(i => ledger.Register(100 + (i * 2), 0)).ToArray();
        ledger.Complete(ledger.Epoch, sequences[0], 0);
        ledger.Complete(ledger.Epoch, sequences[1], 0);
        ledger.Complete(ledger.Epoch, sequences[3], 0);

        ledger.TakeCovered().Should().Be(2, "offsets 100 and 102 are below the commit position 104; 106 finished but 104 did not");
        ledger.TakeCovered().Should().Be(0, "nothing new since");

        ledger.Complete(ledger.Epoch, sequences[2], 0);
        ledger.Complete(ledger.Epoch, sequences[4], 0);
        ledger.TakeCovered().Should().Be(3);
    }

    [Fact]
    public void TakeCovered_AfterReset_IgnoresTheEntriesOfTheEndedEpoch()
    {
        var ledger = new OffsetLedger();
        var first = ledger.Register(1, 0);
        ledger.Register(2, 0);
        ledger.Complete(ledger.Epoch, first, 0);
        ledger.Reset();

        ledger.TakeCovered().Should().Be(0, "the finished entry of the ended epoch was never committed in it");
        var next = ledger.Register(10, 0);
        ledger.Complete(ledger.Epoch, next, 0);
        ledger.TakeCovered().Should().Be(1);
    }

    [Fact]
    public void CommitPosition_NothingRegistered_IsMinusOne()
    {
        var ledger = new OffsetLedger();

        ledger.CommitPosition.Should().Be(-1);
        ledger.HeadOffset.Should().Be(-1);
        ledger.InFlight.Should().Be(0);
    }

    [Fact]
    public void CommitPosition_RegisteredButUnfinished_IsTheFirstOffset()
    {
        var ledger = new OffsetLedger();
        ledger.Register(10, 0);
        ledger.Register(11, 0);

        ledger.CommitPosition.Should().Be(10);
        ledger.Unfinished.Should().Be(2);
    }

    [Fact]
    public void CommitPosition_AllFinished_IsLastRegisteredPlusOne()
    {
        var ledger = new OffsetLedger();
        var a = ledger.Register(5, 0);
        var b = ledger.Register(6, 0);
        ledger.Complete(ledger.Epoch, a, 0);
        ledger.Complete(ledger.Epoch, b, 0);

        ledger.CommitPosition.Should().Be(7);
        ledger.InFlight.Should().Be(0);
        ledger.Unfinished.Should().Be(0);
    }

    [Fact]
    public void CommitPosition_HigherFinishedFirst_StaysAtTheLowestUnfinished()
    {
        var ledger = new OffsetLedger();
        var seqs = Enumerable.Range(0, 5).Select(i => ledger.Register(i, 0)).ToArray();

        ledger.Complete(ledger.Epoch, seqs[4], 0);
        ledger.Complete(ledger.Epoch, seqs[2], 0);
        ledger.Complete(ledger.Epoch, seqs[1], 0);
        ledger.CommitPosition.Should().Be(0, "offset 0 is still running");

        ledger.Complete(ledger.Epoch, seqs[0], 0);
        ledger.CommitPosition.Should().Be(3, "0, 1 and 2 finished; 3 is the lowest unfinished");

        ledger.Complete(ledger.Epoch, seqs[3], 0);
        ledger.CommitPosition.Should().Be(5);
    }

    [Fact]
    public void CommitPosition_GapsBetweenOffsets_JumpsOverOffsetsNeverRegistered()
    {
        var ledger = new OffsetLedger();
        var a = ledger.Register(100, 0);
        var b = ledger.Register(250, 0);
        var c = ledger.Register(1_000_000, 0);

        ledger.Complete(ledger.Epoch, a, 0);
        ledger.CommitPosition.Should().Be(250);
        ledger.Complete(ledger.Epoch, c, 0);
        ledger.CommitPosition.Should().Be(250);
        ledger.Complete(ledger.Epoch, b, 0);
        ledger.CommitPosition.Should().Be(1_000_001);
    }

    [Fact]
    public void Complete_Twice_SecondIsIgnored()
    {
        var ledger = new OffsetLedger();
        var a = ledger.Register(0, 0);
        ledger.Register(1, 0);

        ledger.Complete(ledger.Epoch, a, 0).Should().BeTrue();
        ledger.Complete(ledger.Epoch, a, 0).Should().BeFalse();
        ledger.Unfinished.Should().Be(1);
        ledger.CommitPosition.Should().Be(1);
    }

    [Fact]
    public void Complete_OfAnEarlierEpoch_IsIgnored()
    {
        var ledger = new OffsetLedger();
        var oldEpoch = ledger.Epoch;
        var stale = ledger.Register(0, 0);
        ledger.Reset();
        var fresh = ledger.Register(0, 0);
        ledger.Register(1, 0);

        ledger.Complete(oldEpoch, stale, 0).Should().BeFalse();
        ledger.Complete(oldEpoch, fresh, 0).Should().BeFalse("the sequence matches but the epoch does not");
        ledger.CommitPosition.Should().Be(0);

        ledger.Complete(ledger.Epoch, fresh, 0).Should().BeTrue();
        ledger.CommitPosition.Should().Be(1);
    }

    [Fact]
    public void Complete_SequenceNeverRegistered_IsIgnored()
    {
        var ledger = new OffsetLedger();
        ledger.Register(0, 0);

        ledger.Complete(ledger.Epoch, 5, 0).Should().BeFalse();
        ledger.Complete(ledger.Epoch, -1, 0).Should().BeFalse();
        ledger.Unfinished.Should().Be(1);
    }

    [Fact]
    public void Reset_ForgetsEverything_AndAcceptsLowerOffsetsAgain()
    {
        var ledger = new OffsetLedger();
        ledger.Register(40, 0);
        ledger.Register(41, 0);

        ledger.Reset();

        ledger.CommitPosition.Should().Be(-1);
        ledger.InFlight.Should().Be(0);
        ledger.Unfinished.Should().Be(0);
        ledger.Epoch.Should().Be(1);
        var s = ledger.Register(3, 0);
        ledger.Complete(ledger.Epoch, s, 0);
        ledger.CommitPosition.Should().Be(4);
    }

    [Theory]
    [InlineData(5L, 5L)]
    [InlineData(5L, 4L)]
    [InlineData(-1L, -1L)]
    public void Register_OffsetNotIncreasing_Throws(long first, long second)
    {
        var ledger = new OffsetLedger();
        if (first >= 0)
        {
            ledger.Register(first, 0);
        }

        var act = () => ledger.Register(second, 0);

        act.Should().Throw<ArgumentOutOfRangeException>().WithParameterName("offset");
    }

    [Fact]
    public void Register_BeyondCapacity_GrowsAndKeepsEveryEntry()
    {
        var ledger = new OffsetLedger(initialCapacity: 16);
        var seqs = new List<long>();
        for (var i = 0; i < 16; i++)
        {
            seqs.Add(ledger.Register(i, 0));
        }

        // Finish a few at the head so the ring wraps before it grows.
        ledger.Complete(ledger.Epoch, seqs[0], 0);
        ledger.Complete(ledger.Epoch, seqs[1], 0);
        for (var i = 16; i < 100; i++)
        {
            seqs.Add(ledger.Register(i, 0));
        }

        ledger.Capacity.Should().BeGreaterThanOrEqualTo(98);
        ledger.InFlight.Should().Be(98);
        ledger.CommitPosition.Should().Be(2);
        for (var i = 99; i >= 2; i--)
        {
            ledger.Complete(ledger.Epoch, seqs[i], 0).Should().BeTrue();
        }

        ledger.CommitPosition.Should().Be(100);
    }

    [Fact]
    public void HeadSince_HeadMovesOrFirstRegistration_RecordsTheGivenTime()
    {
        var ledger = new OffsetLedger();
        var a = ledger.Register(0, timestamp: 100);
        var b = ledger.Register(1, timestamp: 200);
        ledger.HeadSince.Should().Be(100);

        ledger.Complete(ledger.Epoch, b, timestamp: 300);
        ledger.HeadSince.Should().Be(100, "the head did not move");

        ledger.Complete(ledger.Epoch, a, timestamp: 400);
        ledger.HeadOffset.Should().Be(-1);
        ledger.Register(2, timestamp: 900);
        ledger.HeadSince.Should().Be(900, "an idle ledger's first entry starts the clock");
    }

    [Fact]
    public void Ledger_RandomizedAgainstAReferenceModel_AgreesAfterEveryStep()
    {
        for (var seed = 1; seed <= 40; seed++)
        {
            RunModel(seed, steps: 5_000);
        }
    }

    private static void RunModel(int seed, int steps)
    {
        var random = new Random(seed);
        var ledger = new OffsetLedger(initialCapacity: 16);
        var model = new ReferenceLedger();
        var live = new List<(int Epoch, long Sequence, long Offset)>();
        var retired = new List<(int Epoch, long Sequence)>();
        var nextOffset = 0L;

        for (var step = 0; step < steps; step++)
        {
            var roll = random.Next(100);
            if (roll < 45)
            {
                nextOffset += random.Next(5) == 0 ? random.Next(2, 50) : 1;
                var seq = ledger.Register(nextOffset, step);
                model.Register(nextOffset);
                live.Add((ledger.Epoch, seq, nextOffset));
            }
            else if (roll < 90 && live.Count > 0)
            {
                // Finish a random live entry (out of order), sometimes the oldest.
                var index = random.Next(4) == 0 ? 0 : random.Next(live.Count);
                var entry = live[index];
                live.RemoveAt(index);
                ledger.Complete(entry.Epoch, entry.Sequence, step).Should().BeTrue($"seed {seed} step {step}");
                model.Complete(entry.Offset);
                retired.Add((entry.Epoch, entry.Sequence));
            }
            else if (roll < 97 && retired.Count > 0)
            {
                // Duplicate or stale completions never change anything.
                var entry = retired[random.Next(retired.Count)];
                ledger.Complete(entry.Epoch, entry.Sequence, step).Should().BeFalse($"seed {seed} step {step}");
            }
            else if (roll >= 99)
            {
                ledger.Reset();
                model.Reset();
                retired.AddRange(live.Select(e => (e.Epoch, e.Sequence)));
                live.Clear();
                nextOffset = random.Next(3) == 0 ? random.Next((int)Math.Max(1, nextOffset)) : nextOffset;
            }

            ledger.CommitPosition.Should().Be(model.CommitPosition, $"seed {seed} step {step}");
            ledger.Unfinished.Should().Be(model.Unfinished, $"seed {seed} step {step}");
            ledger.HeadOffset.Should().Be(model.HeadOffset, $"seed {seed} step {step}");
        }
    }

    /// <summary>The rule stated plainly: a sorted set of unfinished offsets and the last registered one.</summary>
    private sealed class ReferenceLedger
    {
        private readonly SortedSet<long> _unfinished = [];
        private long _last = -1;

        public long CommitPosition => _unfinished.Count > 0 ? _unfinished.Min : _last < 0 ? -1 : _last + 1;

        public long HeadOffset => _unfinished.Count > 0 ? _unfinished.Min : -1;

        public int Unfinished => _unfinished.Count;

        public void Register(long offset)
        {
            _unfinished.Add(offset);
            _last = offset;
        }

        public void Complete(long offset) => _unfinished.Remove(offset);

        public void Reset()
        {
            _unfinished.Clear();
            _last = -1;
        }
    }

    [Fact]
    public void CommitMetadata_OutOfOrderCompletions_IsThatOfTheLastRecordBelowTheCommitPosition()
    {
        var ledger = new OffsetLedger();
        var sequences = Enumerable.Range(0, 4).Select(i => ledger.Register(100 + i, 0)).ToArray();

        ledger.Complete(ledger.Epoch, sequences[2], 0, "m102");
        ledger.Complete(ledger.Epoch, sequences[0], 0, "m100");

        ledger.CommitPosition.Should().Be(101);
        ledger.CommitMetadata.Should().Be("m100");

        ledger.Complete(ledger.Epoch, sequences[1], 0, "m101");

        ledger.CommitPosition.Should().Be(103);
        ledger.CommitMetadata.Should().Be("m102", "the commit at 103 covers 102 as its last record");

        ledger.Reset();
        ledger.CommitMetadata.Should().BeNull("a new assignment starts without metadata");
    }

    [Fact]
    public void CommitMetadata_RingGrowsWithMetadataPending_KeepsEachEntrysMetadata()
    {
        var ledger = new OffsetLedger(initialCapacity: 16);
        var sequences = Enumerable.Range(0, 40).Select(i => ledger.Register(i, 0)).ToArray();
        for (var i = 1; i < 40; i++)
        {
            ledger.Complete(ledger.Epoch, sequences[i], 0, $"m{i}");
        }

        var more = Enumerable.Range(40, 40).Select(i => ledger.Register(i, 0)).ToArray();
        ledger.Complete(ledger.Epoch, sequences[0], 0, "m0");

        ledger.CommitPosition.Should().Be(40);
        ledger.CommitMetadata.Should().Be("m39");
        more.Should().HaveCount(40);
    }
}
