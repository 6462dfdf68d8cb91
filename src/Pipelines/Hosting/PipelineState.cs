namespace Pipelines.Hosting;

/// <summary>Where a hosted pipeline is in its life, as <see cref="IPipelineRegistry"/> reports it.</summary>
public enum PipelineState
{
    /// <summary>Registered; its graph has not been materialized yet.</summary>
    Starting,

    /// <summary>Its current incarnation is materialized and running.</summary>
    Running,

    /// <summary>Its stream failed; it waits for its backoff before the next incarnation.</summary>
    Restarting,

    /// <summary>The host is stopping: the pipeline stopped consuming and finishes what is in flight.</summary>
    Draining,

    /// <summary>It drained, or its stream completed by itself; it does not restart.</summary>
    Stopped,

    /// <summary>It could not be created, used up its restarts, or failed while draining.</summary>
    Failed,
}
