using Akka.Streams.Dsl;
using Akka.Streams.TestKit;
using Pipelines.Streams.Tests.Support;
using Xunit.Abstractions;

namespace Pipelines.Streams.Tests;

/// <summary>
/// SelectAsyncPartitioned under calls that finish in random order, over many seeds, key counts and parallelisms: results
/// in input order, each key's calls one at a time and in input order, never more than parallelism calls and never more
/// than 2 × parallelism elements held.
/// </summary>
public sealed class SelectAsyncPartitionedPropertyTests(ITestOutputHelper output) : StageSpec(output)
{
    public static TheoryData<int> Seeds()
    {
        var seeds = new TheoryData<int>();
        for (var seed = 1; seed <= 24; seed++)
        {
            seeds.Add(seed);
        }

        return seeds;
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public async Task SelectAsyncPartitioned_CallsFinishInRandomOrder_EmitsInInputOrderWithinBothBounds(int seed)
    {
        var random = new Random(seed);
        var count = random.Next(100, 400);
        var keyCount = random.Next(1, 60);
        var parallelism = random.Next(1, 9);
        var keys = Enumerable.Range(0, count).Select(_ => random.Next(keyCount)).ToArray();
        var calls = new ControlledCalls<int, int>(CreateTestProbe(), i => keys[i]);
        var taken = 0;
        var emitted = 0;
        var windowBreaches = 0;

        var downstream = Source.From(Enumerable.Range(0, count))
            .Select(i =>
            {
                // Runs fused with the stage, on its thread: elements taken minus emitted is what the stage holds.
                if (++taken - emitted > 2 * parallelism)
                {
                    windowBreaches++;
                }

                return i;
            })
            .SelectAsyncPartitioned(parallelism, i => keys[i], calls.Call)
            .Select(i =>
            {
                emitted++;
                return i;
            })
            .RunWith(this.SinkProbe<int>(), Materializer);
        downstream.Request(count);

        // Finish a random running call, again and again; wait for a call to start when none is running.
        for (var finished = 0; finished < count; finished++)
        {
            var running = calls.Running.ToArray();
            while (running.Length == 0)
            {
                await calls.NextStartedAsync(Patience);
                running = calls.Running.ToArray();
            }

            calls.Complete(running[random.Next(running.Length)]);
        }

        var result = await downstream.ExpectNextNAsync(count, Patience).ToListAsync();
        await downstream.ExpectCompleteAsync();

        var context = $"seed {seed}: {count} elements, {keyCount} keys, parallelism {parallelism}";
        result.Should().Equal(Enumerable.Range(0, count), $"results leave in input order ({context})");
        calls.Violations.Should().BeEmpty(context);
        calls.MaxRunning.Should().BeLessThanOrEqualTo(parallelism, context);
        windowBreaches.Should().Be(0, $"the stage holds at most 2 × parallelism elements ({context})");
        foreach (var perKey in calls.StartOrder.GroupBy(i => keys[i]))
        {
            perKey.Should().BeInAscendingOrder($"key {perKey.Key} is called in input order ({context})");
        }

        if (parallelism > 1 && keyCount >= 8)
        {
            calls.MaxRunning.Should().BeGreaterThan(1, $"different keys run in parallel ({context})");
        }
    }
}
