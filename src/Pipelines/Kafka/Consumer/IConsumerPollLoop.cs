namespace Pipelines.Kafka;

/// <summary>What readers ask of the poll loop that fills their buffers.</summary>
internal interface IConsumerPollLoop
{
    /// <summary>A paused partition drained below its resume threshold: wake the poll thread so it resumes it.</summary>
    void RequestResume();
}
