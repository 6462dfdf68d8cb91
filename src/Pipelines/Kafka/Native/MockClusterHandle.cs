using System.Runtime.InteropServices;

namespace Pipelines.Kafka.Native;

/// <summary>
/// Owns a mock cluster and the <c>rd_kafka_t</c> it was created on; releasing destroys the cluster first
/// (it logs through that instance) and then the instance, exactly once.
/// </summary>
internal sealed class MockClusterHandle : SafeHandle
{
    private nint _kafka;

    // Only Create makes instances; native calls take the handle as an argument and never return one.
    private MockClusterHandle()
        : base(0, ownsHandle: true)
    {
    }

    public override bool IsInvalid => handle == 0;

    /// <summary>Creates an <c>rd_kafka_t</c> producer (never connected anywhere) and a cluster of <paramref name="brokerCount"/> brokers on it.</summary>
    public static unsafe MockClusterHandle Create(int brokerCount)
    {
        var errstr = stackalloc byte[512];
        var conf = MockClusterNative.ConfNew();
        if (conf == 0)
        {
            throw new InvalidOperationException("librdkafka could not allocate a configuration for the embedded cluster.");
        }

        // The instance only hosts the mock cluster (its thread and its logger); it is never used as a client,
        // so the notice that it has no bootstrap servers (level 5) is noise: log warnings and worse only.
        if (MockClusterNative.ConfSet(conf, "client.id", "pipelines-embedded-cluster", errstr, 512) != MockClusterNative.ConfOk
            || MockClusterNative.ConfSet(conf, "log_level", "4", errstr, 512) != MockClusterNative.ConfOk)
        {
            MockClusterNative.ConfDestroy(conf);
            throw new InvalidOperationException($"librdkafka rejected the embedded cluster's configuration: {Marshal.PtrToStringUTF8((nint)errstr)}");
        }

        var kafka = MockClusterNative.KafkaNew(MockClusterNative.ProducerType, conf, errstr, 512);
        if (kafka == 0)
        {
            // rd_kafka_new leaves the configuration with the caller when it fails.
            MockClusterNative.ConfDestroy(conf);
            throw new InvalidOperationException($"librdkafka could not create the embedded cluster's instance: {Marshal.PtrToStringUTF8((nint)errstr)}");
        }

        var cluster = MockClusterNative.ClusterNew(kafka, brokerCount);
        if (cluster == 0)
        {
            MockClusterNative.KafkaDestroy(kafka);
            throw new InvalidOperationException(
                $"librdkafka could not start an embedded cluster of {brokerCount} broker(s) (it listens on loopback TCP ports; check that they can be bound).");
        }

        var result = new MockClusterHandle { _kafka = kafka };
        result.SetHandle(cluster);
        return result;
    }

    protected override bool ReleaseHandle()
    {
        MockClusterNative.ClusterDestroy(handle);
        MockClusterNative.KafkaDestroy(_kafka);
        _kafka = 0;
        return true;
    }
}
