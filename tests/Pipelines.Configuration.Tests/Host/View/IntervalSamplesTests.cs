using Pipelines.Host.View;

namespace Pipelines.Configuration.Tests.Host.View;

public sealed class IntervalSamplesTests
{
    [Fact]
    public void Percentile_NearestRank_PicksTheValueAtTheRank()
    {
        double[] sorted = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];

        IntervalSamples.Percentile(sorted, 0.5).Should().Be(5);
        IntervalSamples.Percentile(sorted, 0.99).Should().Be(10);
        IntervalSamples.Percentile(sorted, 0).Should().Be(1);
        IntervalSamples.Percentile([], 0.5).Should().BeNull();
    }

    [Fact]
    public void TakeSorted_MoreValuesThanCapacity_KeepsABoundedUniformSampleAndStartsTheNextIntervalEmpty()
    {
        var samples = new IntervalSamples();
        const int Values = IntervalSamples.Capacity * 8;
        for (var i = 0; i < Values; i++)
        {
            samples.Add(i / (double)Values);
        }

        var kept = samples.TakeSorted();

        kept.Should().HaveCount(IntervalSamples.Capacity).And.BeInAscendingOrder();
        // A uniform sample of 16,384 values: its median is within a few thousandths of the whole's (0.5).
        IntervalSamples.Percentile(kept, 0.5).Should().BeApproximately(0.5, 0.05);
        IntervalSamples.Percentile(kept, 0.99).Should().BeApproximately(0.99, 0.05);
        samples.TakeSorted().Should().BeEmpty();
    }
}
