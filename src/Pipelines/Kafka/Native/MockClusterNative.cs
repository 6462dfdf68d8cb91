using System.Runtime.InteropServices;

namespace Pipelines.Kafka.Native;

/// <summary>
/// librdkafka's mock cluster API (rdkafka_mock.h, librdkafka 2.0.2) and the few client calls it needs.
/// </summary>
/// <remarks>
/// Every mock call posts a command to the cluster's own thread and waits for it, so the calls are safe from
/// any thread. <c>rd_kafka_resp_err_t</c> is a C enum (an <see cref="int"/>); strings are UTF-8.
/// Callers run <see cref="Librdkafka.EnsureLoaded"/> first so <see cref="Librdkafka.ImportName"/> resolves.
/// </remarks>
internal static partial class MockClusterNative
{
    /// <summary><c>RD_KAFKA_PRODUCER</c> of <c>rd_kafka_type_t</c>.</summary>
    public const int ProducerType = 0;

    /// <summary><c>RD_KAFKA_CONF_OK</c> of <c>rd_kafka_conf_res_t</c>.</summary>
    public const int ConfOk = 0;

    [LibraryImport(Librdkafka.ImportName, EntryPoint = "rd_kafka_conf_new")]
    public static partial nint ConfNew();

    [LibraryImport(Librdkafka.ImportName, EntryPoint = "rd_kafka_conf_destroy")]
    public static partial void ConfDestroy(nint conf);

    [LibraryImport(Librdkafka.ImportName, EntryPoint = "rd_kafka_conf_set", StringMarshalling = StringMarshalling.Utf8)]
    public static unsafe partial int ConfSet(nint conf, string name, string value, byte* errstr, nuint errstrSize);

    /// <summary>Takes ownership of <paramref name="conf"/> on success only.</summary>
    [LibraryImport(Librdkafka.ImportName, EntryPoint = "rd_kafka_new")]
    public static unsafe partial nint KafkaNew(int type, nint conf, byte* errstr, nuint errstrSize);

    [LibraryImport(Librdkafka.ImportName, EntryPoint = "rd_kafka_destroy")]
    public static partial void KafkaDestroy(nint rk);

    [LibraryImport(Librdkafka.ImportName, EntryPoint = "rd_kafka_mock_cluster_new")]
    public static partial nint ClusterNew(nint rk, int brokerCount);

    [LibraryImport(Librdkafka.ImportName, EntryPoint = "rd_kafka_mock_cluster_destroy")]
    public static partial void ClusterDestroy(nint mcluster);

    /// <summary>Returns a string owned by the cluster (valid until it is destroyed).</summary>
    [LibraryImport(Librdkafka.ImportName, EntryPoint = "rd_kafka_mock_cluster_bootstraps")]
    public static partial nint Bootstraps(MockClusterHandle mcluster);

    [LibraryImport(Librdkafka.ImportName, EntryPoint = "rd_kafka_mock_topic_create", StringMarshalling = StringMarshalling.Utf8)]
    public static partial int TopicCreate(MockClusterHandle mcluster, string topic, int partitionCount, int replicationFactor);

    [LibraryImport(Librdkafka.ImportName, EntryPoint = "rd_kafka_mock_topic_set_error", StringMarshalling = StringMarshalling.Utf8)]
    public static partial void TopicSetError(MockClusterHandle mcluster, string topic, int error);

    [LibraryImport(Librdkafka.ImportName, EntryPoint = "rd_kafka_mock_broker_set_down")]
    public static partial int BrokerSetDown(MockClusterHandle mcluster, int brokerId);

    [LibraryImport(Librdkafka.ImportName, EntryPoint = "rd_kafka_mock_broker_set_up")]
    public static partial int BrokerSetUp(MockClusterHandle mcluster, int brokerId);

    [LibraryImport(Librdkafka.ImportName, EntryPoint = "rd_kafka_mock_broker_set_rtt")]
    public static partial int BrokerSetRtt(MockClusterHandle mcluster, int brokerId, int rttMs);

    [LibraryImport(Librdkafka.ImportName, EntryPoint = "rd_kafka_mock_partition_set_leader", StringMarshalling = StringMarshalling.Utf8)]
    public static partial int PartitionSetLeader(MockClusterHandle mcluster, string topic, int partition, int brokerId);

    [LibraryImport(Librdkafka.ImportName, EntryPoint = "rd_kafka_mock_coordinator_set", StringMarshalling = StringMarshalling.Utf8)]
    public static partial int CoordinatorSet(MockClusterHandle mcluster, string keyType, string key, int brokerId);

    [LibraryImport(Librdkafka.ImportName, EntryPoint = "rd_kafka_mock_push_request_errors_array")]
    public static unsafe partial void PushRequestErrorsArray(MockClusterHandle mcluster, short apiKey, nuint count, int* errors);

    [LibraryImport(Librdkafka.ImportName, EntryPoint = "rd_kafka_mock_clear_request_errors")]
    public static partial void ClearRequestErrors(MockClusterHandle mcluster, short apiKey);
}
