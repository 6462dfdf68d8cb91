using System.Runtime.InteropServices;

namespace Pipelines.Kafka.Native;

/// <summary>
/// librdkafka's mock cluster API (rdkafka_mock.h, librdkafka 2.16) and the few client calls it needs.
/// </summary>
/// <remarks>
/// Every mock call either posts a command to the cluster's own thread and waits for it, or takes the cluster's lock,
/// so the calls are safe from any thread. <c>rd_kafka_resp_err_t</c> is a C enum (an <see cref="int"/>); strings are
/// UTF-8. The imports bind to the librdkafka Confluent.Kafka loaded (<see cref="LibrdkafkaBinding"/>).
/// </remarks>
internal static partial class MockClusterNative
{
    static MockClusterNative() => LibrdkafkaBinding.Register();

    /// <summary><c>RD_KAFKA_PRODUCER</c> of <c>rd_kafka_type_t</c>.</summary>
    public const int ProducerType = 0;

    /// <summary><c>RD_KAFKA_CONF_OK</c> of <c>rd_kafka_conf_res_t</c>.</summary>
    public const int ConfOk = 0;

    [LibraryImport(LibrdkafkaBinding.ImportName, EntryPoint = "rd_kafka_conf_new")]
    public static partial nint ConfNew();

    [LibraryImport(LibrdkafkaBinding.ImportName, EntryPoint = "rd_kafka_conf_destroy")]
    public static partial void ConfDestroy(nint conf);

    [LibraryImport(LibrdkafkaBinding.ImportName, EntryPoint = "rd_kafka_conf_set", StringMarshalling = StringMarshalling.Utf8)]
    public static unsafe partial int ConfSet(nint conf, string name, string value, byte* errstr, nuint errstrSize);

    /// <summary>Takes ownership of <paramref name="conf"/> on success only.</summary>
    [LibraryImport(LibrdkafkaBinding.ImportName, EntryPoint = "rd_kafka_new")]
    public static unsafe partial nint KafkaNew(int type, nint conf, byte* errstr, nuint errstrSize);

    [LibraryImport(LibrdkafkaBinding.ImportName, EntryPoint = "rd_kafka_destroy")]
    public static partial void KafkaDestroy(nint rk);

    [LibraryImport(LibrdkafkaBinding.ImportName, EntryPoint = "rd_kafka_mock_cluster_new")]
    public static partial nint ClusterNew(nint rk, int brokerCount);

    [LibraryImport(LibrdkafkaBinding.ImportName, EntryPoint = "rd_kafka_mock_cluster_destroy")]
    public static partial void ClusterDestroy(nint mcluster);

    /// <summary>Returns a string owned by the cluster (valid until it is destroyed).</summary>
    [LibraryImport(LibrdkafkaBinding.ImportName, EntryPoint = "rd_kafka_mock_cluster_bootstraps")]
    public static partial nint Bootstraps(MockClusterHandle mcluster);

    [LibraryImport(LibrdkafkaBinding.ImportName, EntryPoint = "rd_kafka_mock_topic_create", StringMarshalling = StringMarshalling.Utf8)]
    public static partial int TopicCreate(MockClusterHandle mcluster, string topic, int partitionCount, int replicationFactor);

    [LibraryImport(LibrdkafkaBinding.ImportName, EntryPoint = "rd_kafka_mock_topic_set_error", StringMarshalling = StringMarshalling.Utf8)]
    public static partial void TopicSetError(MockClusterHandle mcluster, string topic, int error);

    [LibraryImport(LibrdkafkaBinding.ImportName, EntryPoint = "rd_kafka_mock_broker_set_down")]
    public static partial int BrokerSetDown(MockClusterHandle mcluster, int brokerId);

    [LibraryImport(LibrdkafkaBinding.ImportName, EntryPoint = "rd_kafka_mock_broker_set_up")]
    public static partial int BrokerSetUp(MockClusterHandle mcluster, int brokerId);

    [LibraryImport(LibrdkafkaBinding.ImportName, EntryPoint = "rd_kafka_mock_broker_set_rtt")]
    public static partial int BrokerSetRtt(MockClusterHandle mcluster, int brokerId, int rttMs);

    [LibraryImport(LibrdkafkaBinding.ImportName, EntryPoint = "rd_kafka_mock_partition_set_leader", StringMarshalling = StringMarshalling.Utf8)]
    public static partial int PartitionSetLeader(MockClusterHandle mcluster, string topic, int partition, int brokerId);

    [LibraryImport(LibrdkafkaBinding.ImportName, EntryPoint = "rd_kafka_mock_coordinator_set", StringMarshalling = StringMarshalling.Utf8)]
    public static partial int CoordinatorSet(MockClusterHandle mcluster, string keyType, string key, int brokerId);

    [LibraryImport(LibrdkafkaBinding.ImportName, EntryPoint = "rd_kafka_mock_push_request_errors_array")]
    public static unsafe partial void PushRequestErrorsArray(MockClusterHandle mcluster, short apiKey, nuint count, int* errors);

    [LibraryImport(LibrdkafkaBinding.ImportName, EntryPoint = "rd_kafka_mock_clear_request_errors")]
    public static partial void ClearRequestErrors(MockClusterHandle mcluster, short apiKey);

    [LibraryImport(LibrdkafkaBinding.ImportName, EntryPoint = "rd_kafka_mock_topic_delete", StringMarshalling = StringMarshalling.Utf8)]
    public static partial int TopicDelete(MockClusterHandle mcluster, string topic);

    /// <summary>Applies to groups created afterwards (the broker's <c>group.initial.rebalance.delay.ms</c>).</summary>
    [LibraryImport(LibrdkafkaBinding.ImportName, EntryPoint = "rd_kafka_mock_group_initial_rebalance_delay_ms")]
    public static partial void GroupInitialRebalanceDelayMs(MockClusterHandle mcluster, int delayMs);

    [LibraryImport(LibrdkafkaBinding.ImportName, EntryPoint = "rd_kafka_mock_start_request_tracking")]
    public static partial void StartRequestTracking(MockClusterHandle mcluster);

    /// <summary>Stops recording; what was recorded stays until <see cref="ClearRequests"/>.</summary>
    [LibraryImport(LibrdkafkaBinding.ImportName, EntryPoint = "rd_kafka_mock_stop_request_tracking")]
    public static partial void StopRequestTracking(MockClusterHandle mcluster);

    [LibraryImport(LibrdkafkaBinding.ImportName, EntryPoint = "rd_kafka_mock_clear_requests")]
    public static partial void ClearRequests(MockClusterHandle mcluster);

    /// <summary>Returns a copy of the recorded requests (an array of <paramref name="count"/> pointers, owned by the caller: free it with <see cref="RequestDestroyArray"/>).</summary>
    [LibraryImport(LibrdkafkaBinding.ImportName, EntryPoint = "rd_kafka_mock_get_requests")]
    public static unsafe partial nint* GetRequests(MockClusterHandle mcluster, out nuint count);

    /// <summary>Frees every request of an array from <see cref="GetRequests"/> and the array itself.</summary>
    [LibraryImport(LibrdkafkaBinding.ImportName, EntryPoint = "rd_kafka_mock_request_destroy_array")]
    public static unsafe partial void RequestDestroyArray(nint* requests, nuint count);

    /// <summary>The id of the broker that received the request.</summary>
    [LibraryImport(LibrdkafkaBinding.ImportName, EntryPoint = "rd_kafka_mock_request_id")]
    public static partial int RequestBrokerId(nint request);

    [LibraryImport(LibrdkafkaBinding.ImportName, EntryPoint = "rd_kafka_mock_request_api_key")]
    public static partial short RequestApiKey(nint request);

    /// <summary>When the broker received the request, in microseconds of librdkafka's monotonic clock.</summary>
    [LibraryImport(LibrdkafkaBinding.ImportName, EntryPoint = "rd_kafka_mock_request_timestamp")]
    public static partial long RequestTimestamp(nint request);
}
