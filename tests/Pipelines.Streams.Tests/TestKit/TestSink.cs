using System.Threading.Channels;
using Pipelines.Streams.Dsl;
using Pipelines.Streams.Stage;

namespace Pipelines.Streams.Tests.TestKit;

/// <summary>A sink controlled by the test: it pulls only as often as the test requests, and records what arrives.</summary>
internal static class TestSink
{
    public static Sink<T, SinkProbe<T>> Probe<T>() => Sink.FromGraph(new ProbeSinkStage<T>());

    private sealed class ProbeSinkStage<T> : GraphStageWithMaterializedValue<SinkShape<T>, SinkProbe<T>>
    {
        public override SinkShape<T> Shape { get; } = new(new Inlet<T>("ProbeSink.in"));

        public override (GraphStageLogic Logic, SinkProbe<T> MaterializedValue) CreateLogicAndMaterializedValue(Attributes inheritedAttributes)
        {
            var probe = new SinkProbe<T>();
            return (new Logic(Shape, probe), probe);
        }

        private sealed class Logic : InGraphStageLogic
        {
            private readonly Inlet<T> _in;
            private readonly SinkProbe<T> _probe;
            private long _demand;

            public Logic(SinkShape<T> shape, SinkProbe<T> probe)
                : base(shape)
            {
                _in = shape.Inlet;
                _probe = probe;
                SetHandler(_in, this);
                probe.RequestCallback = GetAsyncCallback<long>(n =>
                {
                    _demand += n;
                    PullIfDemand();
                });
                probe.CancelCallback = GetAsyncCallback<Exception?>(cause => Cancel(_in, cause));
            }

            public override void OnPush()
            {
                _demand--;
                _probe.Events.Writer.TryWrite(new ProbeEvent<T>.Next(Grab(_in)));
                PullIfDemand();
            }

            public override void OnUpstreamFinish()
            {
                _probe.Events.Writer.TryWrite(new ProbeEvent<T>.Complete());
                CompleteStage();
            }

            public override void OnUpstreamFailure(Exception cause)
            {
                _probe.Events.Writer.TryWrite(new ProbeEvent<T>.Error(cause));
                CompleteStage();
            }

            private void PullIfDemand()
            {
                if (_demand > 0 && !HasBeenPulled(_in) && !IsClosed(_in))
                {
                    Pull(_in);
                }
            }
        }
    }
}

/// <summary>The events a probe sink records.</summary>
internal abstract record ProbeEvent<T>
{
    public sealed record Next(T Element) : ProbeEvent<T>;

    public sealed record Complete : ProbeEvent<T>;

    public sealed record Error(Exception Cause) : ProbeEvent<T>;
}

/// <summary>The test's handle on a materialized probe sink.</summary>
internal sealed class SinkProbe<T>
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    internal Channel<ProbeEvent<T>> Events { get; } = Channel.CreateUnbounded<ProbeEvent<T>>();

    internal StageCallback<long> RequestCallback { get; set; } = null!;

    internal StageCallback<Exception?> CancelCallback { get; set; } = null!;

    public SinkProbe<T> Request(long n)
    {
        RequestCallback.Invoke(n);
        return this;
    }

    public void Cancel(Exception? cause = null) => CancelCallback.Invoke(cause);

    public async Task<T> RequestNextAsync()
    {
        Request(1);
        return await ExpectNextAsync();
    }

    public async Task<T> ExpectNextAsync()
    {
        var ev = await NextEventAsync();
        return ev is ProbeEvent<T>.Next next ? next.Element : throw new Xunit.Sdk.XunitException($"Expected an element, got {ev}.");
    }

    public async Task ExpectNextAsync(params T[] expected)
    {
        var actual = new List<T>();
        for (var i = 0; i < expected.Length; i++)
        {
            actual.Add(await ExpectNextAsync());
        }

        actual.Should().Equal(expected);
    }

    public async Task<IReadOnlyList<T>> ExpectNextNAsync(int n)
    {
        var actual = new List<T>();
        for (var i = 0; i < n; i++)
        {
            actual.Add(await ExpectNextAsync());
        }

        return actual;
    }

    public async Task ExpectCompleteAsync()
    {
        var ev = await NextEventAsync();
        ev.Should().BeOfType<ProbeEvent<T>.Complete>();
    }

    public async Task<Exception> ExpectErrorAsync()
    {
        var ev = await NextEventAsync();
        return ev is ProbeEvent<T>.Error error ? error.Cause : throw new Xunit.Sdk.XunitException($"Expected a failure, got {ev}.");
    }

    /// <summary>Waits <paramref name="duration"/> of real time and fails if anything arrived.</summary>
    public async Task ExpectNoMessageAsync(TimeSpan duration)
    {
        await Task.Delay(duration);
        if (Events.Reader.TryPeek(out var ev))
        {
            throw new Xunit.Sdk.XunitException($"Expected no signal, got {ev}.");
        }
    }

    /// <summary>Returns the elements that arrived until the stream completed (fails on a failure).</summary>
    public async Task<IReadOnlyList<T>> ToStrictAsync()
    {
        var elements = new List<T>();
        while (true)
        {
            switch (await NextEventAsync())
            {
                case ProbeEvent<T>.Next next:
                    elements.Add(next.Element);
                    break;
                case ProbeEvent<T>.Complete:
                    return elements;
                case ProbeEvent<T>.Error error:
                    throw new Xunit.Sdk.XunitException($"Expected completion, got failure {error.Cause}.");
            }
        }
    }

    private async Task<ProbeEvent<T>> NextEventAsync()
    {
        try
        {
            return await Events.Reader.ReadAsync().AsTask().WaitAsync(Timeout);
        }
        catch (TimeoutException)
        {
            throw new Xunit.Sdk.XunitException($"No signal arrived at the probe sink within {Timeout}.");
        }
    }
}
