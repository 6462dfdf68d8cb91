using System.Reflection;
using Confluent.Kafka;
using Microsoft.Extensions.Time.Testing;

namespace Pipelines.Delay.Tests.Client;

/// <summary>
/// A producer that forwards to a real one and, when a record for one topic is acknowledged, moves a fake clock on before
/// the caller sees the acknowledgement: an acknowledgement that takes that long on the clock.
/// </summary>
public class ClockAdvancingProducer : DispatchProxy
{
    private IProducer<byte[], byte[]> _inner = null!;
    private FakeTimeProvider _clock = null!;
    private string _topic = null!;
    private TimeSpan _step;

    public static IProducer<byte[], byte[]> Wrap(IProducer<byte[], byte[]> inner, FakeTimeProvider clock, string topic, TimeSpan step)
    {
        var proxy = Create<IProducer<byte[], byte[]>, ClockAdvancingProducer>();
        var self = (ClockAdvancingProducer)(object)proxy;
        (self._inner, self._clock, self._topic, self._step) = (inner, clock, topic, step);
        return proxy;
    }

    protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
    {
        ArgumentNullException.ThrowIfNull(targetMethod);
        try
        {
            var result = targetMethod.Invoke(_inner, args);
            return targetMethod.Name == nameof(IProducer<byte[], byte[]>.ProduceAsync) && args?[0] as string == _topic
                ? AdvanceAfter((Task<DeliveryResult<byte[], byte[]>>)result!)
                : result;
        }
        catch (TargetInvocationException ex) when (ex.InnerException is not null)
        {
            throw ex.InnerException;
        }
    }

    private async Task<DeliveryResult<byte[], byte[]>> AdvanceAfter(Task<DeliveryResult<byte[], byte[]>> delivery)
    {
        var result = await delivery;
        _clock.Advance(_step);
        return result;
    }
}
