namespace Pipelines.Hosting;

/// <summary>A hosted pipeline could not be created or started; the message names the pipeline and what went wrong.</summary>
public sealed class PipelineException : Exception
{
    /// <summary>Creates the exception for the pipeline <paramref name="pipeline"/>.</summary>
    /// <param name="pipeline">The pipeline's name.</param>
    /// <param name="message">What went wrong.</param>
    /// <param name="innerException">The cause (a <see cref="Configuration.SettingsException"/> for bad settings).</param>
    public PipelineException(string pipeline, string message, Exception? innerException)
        : base(message, innerException)
    {
        Pipeline = pipeline;
    }

    /// <summary>Creates an exception with a message only.</summary>
    public PipelineException()
        : this(string.Empty, "A pipeline failed.", null)
    {
    }

    /// <summary>Creates an exception with a message only.</summary>
    /// <param name="message">What went wrong.</param>
    public PipelineException(string message)
        : this(string.Empty, message, null)
    {
    }

    /// <summary>Creates an exception with a message and a cause.</summary>
    /// <param name="message">What went wrong.</param>
    /// <param name="innerException">The cause.</param>
    public PipelineException(string message, Exception innerException)
        : this(string.Empty, message, innerException)
    {
    }

    /// <summary>The name of the pipeline.</summary>
    public string Pipeline { get; }
}
