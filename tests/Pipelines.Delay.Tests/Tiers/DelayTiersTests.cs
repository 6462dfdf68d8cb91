namespace Pipelines.Delay.Tests.Tiers;

public sealed class DelayTiersTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 2, 10, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Default_NamesEachTierAfterItsDelay()
    {
        DelayTiers.Default.Select(t => t.Topic).Should().Equal(
            "pipelines-delay-1s", "pipelines-delay-5s", "pipelines-delay-30s", "pipelines-delay-1m",
            "pipelines-delay-5m", "pipelines-delay-30m", "pipelines-delay-2h");
        DelayTiers.Default.Select(t => t.Index).Should().Equal(0, 1, 2, 3, 4, 5, 6);
        DelayTiers.Default.Smallest.Delay.Should().Be(TimeSpan.FromSeconds(1));
        DelayTiers.Default.Largest.Delay.Should().Be(TimeSpan.FromHours(2));
    }

    [Theory]
    [InlineData(1500, "1500ms")]
    [InlineData(90_000, "90s")]
    [InlineData(120_000, "2m")]
    [InlineData(7_200_000, "2h")]
    [InlineData(129_600_000, "36h")]
    [InlineData(86_400_000, "1d")]
    public void TopicName_UsesTheLargestWholeUnit(long milliseconds, string label)
    {
        var tiers = new DelayTiers(DelaySettings.Default.WithTiers([TimeSpan.FromMilliseconds(milliseconds)]));

        tiers.Single().Topic.Should().Be("pipelines-delay-" + label);
    }

    [Theory]
    [InlineData(1, 0)]
    [InlineData(999, 0)]
    [InlineData(1_000, 0)]
    [InlineData(1_001, 0)]
    [InlineData(4_999, 0)]
    [InlineData(5_000, 1)]
    [InlineData(29_999, 1)]
    [InlineData(30_000, 2)]
    [InlineData(59_999, 2)]
    [InlineData(60_000, 3)]
    [InlineData(299_999, 3)]
    [InlineData(300_000, 4)]
    [InlineData(1_799_999, 4)]
    [InlineData(1_800_000, 5)]
    [InlineData(7_199_999, 5)]
    [InlineData(7_200_000, 6)]
    [InlineData(864_000_000, 6)]
    public void TierFor_ChoosesTheLargestTierNotExceedingTheRemainingDelay(long remainingMs, int expectedTier)
    {
        DelayTiers.Default.TierFor(TimeSpan.FromMilliseconds(remainingMs)).Index.Should().Be(expectedTier);
    }

    [Fact]
    public void TierFor_OneTickBelowATier_ChoosesTheTierBelow()
    {
        var tiers = DelayTiers.Default;
        for (var i = 1; i < tiers.Count; i++)
        {
            tiers.TierFor(tiers[i].Delay - TimeSpan.FromTicks(1)).Should().BeSameAs(tiers[i - 1]);
            tiers.TierFor(tiers[i].Delay).Should().BeSameAs(tiers[i]);
        }
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public void TierFor_NothingRemaining_Throws(long ticks)
    {
        var act = () => DelayTiers.Default.TierFor(TimeSpan.FromTicks(ticks));

        act.Should().Throw<ArgumentOutOfRangeException>();
    }

    [Fact]
    public void NextHop_DueOrPast_GoesToTheTarget()
    {
        DelayTiers.Default.NextHop(Now, Now).IsDue.Should().BeTrue();
        DelayTiers.Default.NextHop(Now, Now.AddMilliseconds(-1)).IsDue.Should().BeTrue();
        DelayTiers.Default.NextHop(Now, Now).Tier.Should().BeNull();
    }

    [Fact]
    public void NextHop_NotDue_GoesToTheTierOfTheRemainingDelay()
    {
        var hop = DelayTiers.Default.NextHop(Now, Now.AddSeconds(42));

        hop.IsDue.Should().BeFalse();
        hop.Tier!.Topic.Should().Be("pipelines-delay-30s");
        DelayTiers.Default.NextHop(Now, Now.AddMilliseconds(1)).Tier.Should().BeSameAs(DelayTiers.Default.Smallest);
    }

    [Fact]
    public void MovableAt_IsTheTierDelayAfterWriting_OrTheDueTimeWhenEarlier()
    {
        var fiveSeconds = DelayTiers.Default[1];
        var smallest = DelayTiers.Default.Smallest;

        fiveSeconds.MovableAt(Now, Now.AddSeconds(12)).Should().Be(Now.AddSeconds(5));
        fiveSeconds.MovableAt(Now, Now.AddSeconds(5)).Should().Be(Now.AddSeconds(5));
        smallest.MovableAt(Now, Now.AddMilliseconds(300)).Should().Be(Now.AddMilliseconds(300));
        smallest.MovableAt(Now, Now.AddSeconds(3.5)).Should().Be(Now.AddSeconds(1));
        fiveSeconds.MovableAt(DateTimeOffset.MaxValue.AddSeconds(-1), DateTimeOffset.MaxValue).Should().Be(DateTimeOffset.MaxValue);
    }

    [Fact]
    public void ReleaseTime_IsTheDueTimeWithinTheHold_TheSmallestTierHoldsUntilTheNextTiersDelay_TheOthersHoldWindowPastTheirOwn()
    {
        var fiveSeconds = DelayTiers.Default[1];
        var smallest = DelayTiers.Default.Smallest;

        fiveSeconds.ReleaseTime(Now, Now.AddSeconds(5)).Should().Be(Now.AddSeconds(5));
        fiveSeconds.ReleaseTime(Now, Now.AddSeconds(7.5)).Should().Be(Now.AddSeconds(7.5), "due within hold-window (4s) past the tier's delay: held until due");
        fiveSeconds.ReleaseTime(Now, Now.AddSeconds(12)).Should().Be(Now.AddSeconds(9), "at most the tier's delay plus hold-window");
        smallest.ReleaseTime(Now, Now.AddMilliseconds(300)).Should().Be(Now.AddMilliseconds(300));
        smallest.ReleaseTime(Now, Now.AddSeconds(3.5)).Should().Be(Now.AddSeconds(3.5), "the smallest tier holds a message until due");
        smallest.ReleaseTime(Now, Now.AddSeconds(8)).Should().Be(Now.AddSeconds(5), "at most the next tier's delay (a writer's clock behind)");
        smallest.Hold.Should().Be(TimeSpan.FromSeconds(5));
        fiveSeconds.Hold.Should().Be(TimeSpan.FromSeconds(9));
        DelayTiers.Default.Largest.Hold.Should().Be(TimeSpan.FromHours(2) + TimeSpan.FromSeconds(4));
        new DelayTiers(DelaySettings.Default.WithTiers([TimeSpan.FromSeconds(2)])).Smallest.Hold.Should().Be(TimeSpan.FromSeconds(2), "a single tier holds its own delay");
        fiveSeconds.ReleaseTime(DateTimeOffset.MaxValue.AddSeconds(-1), DateTimeOffset.MaxValue).Should().Be(DateTimeOffset.MaxValue);
    }

    [Fact]
    public void HoldWindow_Zero_EveryTierButTheSmallestReleasesAfterItsDelay()
    {
        var tiers = new DelayTiers(DelaySettings.Default.WithHoldWindow(TimeSpan.Zero));

        tiers[1].Hold.Should().Be(TimeSpan.FromSeconds(5));
        tiers[1].ReleaseTime(Now, Now.AddSeconds(7.5)).Should().Be(Now.AddSeconds(5));
        tiers.Smallest.Hold.Should().Be(TimeSpan.FromSeconds(5), "the smallest tier keeps holding until the next tier's delay");
    }

    [Fact]
    public void TierFor_RandomDelays_NeverHoldsAMessageBeyondItsRemainingDelay()
    {
        var random = new Random(12);
        var tiers = new DelayTiers(DelaySettings.Default.WithTiers(
            [TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(7), TimeSpan.FromMinutes(1), TimeSpan.FromHours(3)]));
        foreach (var settings in new[] { tiers, DelayTiers.Default })
        {
            for (var i = 0; i < 20_000; i++)
            {
                // Log-uniform from 1 tick to about 12 days, so that every tier and both ends get many samples.
                var remaining = TimeSpan.FromTicks(Math.Max(1, (long)Math.Exp(random.NextDouble() * Math.Log(1e16))));
                var tier = settings.TierFor(remaining);

                tier.ReleaseTime(Now, Now + remaining).Should().BeOnOrBefore(Now + remaining).And.BeOnOrAfter(Now);
                if (remaining >= settings.Smallest.Delay)
                {
                    tier.Delay.Should().BeLessThanOrEqualTo(remaining, "a tier never exceeds the remaining delay");
                    if (tier.Index + 1 < settings.Count)
                    {
                        settings[tier.Index + 1].Delay.Should().BeGreaterThan(remaining, "the largest tier that fits is chosen");
                    }
                }
                else
                {
                    tier.Should().BeSameAs(settings.Smallest);
                }
            }
        }
    }

    [Fact]
    public void Cascade_RandomDelaysAndLatencies_DeliversNeverEarlyAndOnlyTheLastHopsLatencyLate()
    {
        var random = new Random(7);
        var tiers = DelayTiers.Default;
        var maxLatency = TimeSpan.FromMilliseconds(50);
        for (var i = 0; i < 5_000; i++)
        {
            var scheduledAt = Now.AddMilliseconds(random.Next(0, 1_000));
            var due = scheduledAt.AddMilliseconds(random.NextInt64(0, (long)TimeSpan.FromDays(3).TotalMilliseconds));
            var (delivered, hops, lastLatency) = Simulate(tiers, scheduledAt, due, random, maxLatency, writerSkew: TimeSpan.Zero);

            delivered.Should().BeOnOrAfter(due, "a message is never delivered early");
            (delivered - due).Should().BeLessThanOrEqualTo(lastLatency, "only the hop that found it due adds lateness");
            hops.Should().BeLessThanOrEqualTo(HopBound(tiers, due - scheduledAt));
        }
    }

    [Fact]
    public void Cascade_DefaultTiers_BelowTheSecondTierOneHop_BelowTheThirdTwoAtMost()
    {
        var random = new Random(5);
        for (var i = 0; i < 5_000; i++)
        {
            var remaining = TimeSpan.FromMilliseconds(random.Next(1, 10_000));
            var (delivered, hops, _) = Simulate(DelayTiers.Default, Now, Now + remaining, random, TimeSpan.FromMilliseconds(20), writerSkew: TimeSpan.Zero);

            delivered.Should().BeOnOrAfter(Now + remaining);
            if (remaining < TimeSpan.FromSeconds(5))
            {
                hops.Should().Be(1, $"{remaining} waits in the smallest tier until due");
            }
            else
            {
                hops.Should().BeInRange(1, 2, $"{remaining}: the 5s tier, then the smallest until due");
            }
        }
    }

    [Fact]
    public void Cascade_WriterClockBehind_TakesExtraHopsButIsNeverEarly()
    {
        var random = new Random(3);
        var tiers = DelayTiers.Default;
        for (var i = 0; i < 2_000; i++)
        {
            var due = Now.AddMilliseconds(random.NextInt64(1, 3_600_000));
            var skew = TimeSpan.FromMilliseconds(random.Next(0, 120_000));
            var (delivered, hops, lastLatency) = Simulate(tiers, Now, due, random, TimeSpan.FromMilliseconds(20), skew);

            delivered.Should().BeOnOrAfter(due);
            (delivered - due).Should().BeLessThanOrEqualTo(lastLatency);
            hops.Should().BeLessThanOrEqualTo(HopBound(tiers, due - Now) + 1, "an early first release costs at most one more hop");
        }
    }

    [Fact]
    public void TryGetTier_FindsTierTopicsOnly()
    {
        DelayTiers.Default.TryGetTier("pipelines-delay-30m", out var tier).Should().BeTrue();
        tier!.Delay.Should().Be(TimeSpan.FromMinutes(30));
        DelayTiers.Default.TryGetTier("orders", out _).Should().BeFalse();
    }

    [Fact]
    public void TopicSpecifications_SetPartitionsReplicationAndRetentionFromTheTierHold()
    {
        var settings = DelaySettings.Default.WithPartitions(4).WithReplicationFactor(3).WithRetentionMargin(TimeSpan.FromDays(1));
        var tiers = new DelayTiers(settings);

        var specs = tiers.TopicSpecifications();

        specs.Select(s => s.Name).Should().Equal(tiers.Select(t => t.Topic));
        specs.Should().OnlyContain(s => s.NumPartitions == 4 && s.ReplicationFactor == 3 && s.Configs["cleanup.policy"] == "delete");
        specs[0].Configs["retention.ms"].Should().Be("86405000", "5s (the smallest tier holds until due, up to the next tier's delay) + 1d");
        specs[^1].Configs["retention.ms"].Should().Be("93604000", "2h + hold-window 4s + 1d");
        tiers.RetentionMs(tiers[2]).Should().Be(86_434_000);
    }

    [Fact]
    public void TopicSpecifications_ConfiguredTopicConfigWins()
    {
        var tiers = new DelayTiers(DelaySettings.Default.WithTopicConfig("min.insync.replicas", "2").WithTopicConfig("retention.ms", "-1"));

        var spec = tiers.TopicSpecifications()[0];

        spec.Configs.Should().Contain("min.insync.replicas", "2").And.Contain("retention.ms", "-1").And.Contain("cleanup.policy", "delete");
        spec.ReplicationFactor.Should().Be(-1, "the reference takes the broker's default");
    }

    [Fact]
    public void CancellationTopicSpecification_IsCompactedAndKeptForMaxDelayPlusMargin()
    {
        var spec = DelayTiers.Default.CancellationTopicSpecification();

        spec.Name.Should().Be("pipelines-delay-cancellations");
        spec.NumPartitions.Should().Be(6);
        spec.Configs.Should().Contain("cleanup.policy", "compact,delete").And.Contain("retention.ms", "1209600000");
    }

    /// <summary>
    /// Runs one message through the tiers the way routers do: written to the tier of its remaining delay, released at the
    /// tier's release time (the first hop by a scheduling client whose clock is <paramref name="writerSkew"/> behind the
    /// router's), picked up after a
    /// random latency, then delivered when due or written to the next tier.
    /// </summary>
    private static (DateTimeOffset Delivered, int Hops, TimeSpan LastLatency) Simulate(
        DelayTiers tiers, DateTimeOffset scheduledAt, DateTimeOffset due, Random random, TimeSpan maxLatency, TimeSpan writerSkew)
    {
        var now = scheduledAt;
        var hops = 0;
        var latency = TimeSpan.Zero;
        while (true)
        {
            var hop = tiers.NextHop(now, due);
            if (hop.IsDue)
            {
                return (now, hops, latency);
            }

            hops++;
            hops.Should().BeLessThan(100_000, "the cascade ends");
            if (due - now >= tiers.Smallest.Delay)
            {
                hop.Tier!.Delay.Should().BeLessThanOrEqualTo(due - now, "a tier is never longer than the remaining delay, except below the smallest tier");
            }

            // Only the scheduling client's clock is skewed: routers write every later hop with their own clock.
            var release = hop.Tier!.ReleaseTime(hops == 1 ? now - writerSkew : now, due);
            release.Should().BeOnOrBefore(due);
            latency = TimeSpan.FromTicks(random.NextInt64(0, maxLatency.Ticks + 1));
            now = (release > now ? release : now) + latency;
        }
    }

    // Greedy: hops in the largest tier, then fewer than (next tier / tier) + 1 hops on each lower level (latency only
    // shortens what remains), then one hop below the smallest tier.
    private static int HopBound(DelayTiers tiers, TimeSpan remaining)
    {
        var bound = (int)(remaining.Ticks / tiers.Largest.Delay.Ticks) + 1;
        for (var i = 0; i + 1 < tiers.Count; i++)
        {
            bound += (int)Math.Ceiling((double)tiers[i + 1].Delay.Ticks / tiers[i].Delay.Ticks);
        }

        return bound;
    }
}
