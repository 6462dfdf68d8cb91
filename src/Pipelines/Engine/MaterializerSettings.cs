using Microsoft.Extensions.Logging;
using Pipelines.Configuration;
using Microsoft.Extensions.Logging.Abstractions;

namespace Pipelines.Engine;

/// <summary>Settings of a <see cref="Materializer"/>; every default is documented on its property.</summary>
public sealed record MaterializerSettings
{
    // Defaults live in the reference configuration (pipelines.streams), not in code.
    private static readonly HoconConfig Reference = HoconConfigFactory.Reference();

    /// <summary>The settings used when none are given.</summary>
    public static MaterializerSettings Default { get; } = new();

    /// <summary>The size of the buffer of each async boundary and the default of buffering stages.</summary>
    /// <value>Defaults to <c>pipelines.streams.buffer-size</c> of the reference configuration (16). Override per graph with <c>Attributes.InputBuffer</c>.</value>
    public int DefaultBufferSize { get; init; } = Reference.GetInt("pipelines.streams.buffer-size");

    /// <summary>The clock of every time-based stage and timer.</summary>
    /// <value>Defaults to <see cref="TimeProvider.System"/>; tests use a manual provider.</value>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>Where islands run.</summary>
    /// <value>Defaults to <see langword="null"/>: the .NET thread pool, without task allocations.</value>
    public TaskScheduler? Scheduler { get; init; }

    /// <summary>Where stages log (failures in cleanup code, dropped elements under Resume, engine defects).</summary>
    /// <value>Defaults to <see cref="NullLogger.Instance"/>.</value>
    public ILogger Logger { get; init; } = NullLogger.Instance;

    /// <summary>How many events an island processes before it yields its thread to other work.</summary>
    /// <value>Defaults to <c>pipelines.streams.sync-processing-limit</c> of the reference configuration (1000).</value>
    public int SyncProcessingLimit { get; init; } = Reference.GetInt("pipelines.streams.sync-processing-limit");

    /// <summary>Throws one <see cref="ArgumentException"/> listing every invalid setting.</summary>
    public void Validate()
    {
        var problems = new List<string>();
        if (DefaultBufferSize < 1)
        {
            problems.Add($"{nameof(DefaultBufferSize)} must be at least 1 (was {DefaultBufferSize})");
        }

        if (SyncProcessingLimit < 1)
        {
            problems.Add($"{nameof(SyncProcessingLimit)} must be at least 1 (was {SyncProcessingLimit})");
        }

        if (TimeProvider is null)
        {
            problems.Add($"{nameof(TimeProvider)} must not be null");
        }

        if (Logger is null)
        {
            problems.Add($"{nameof(Logger)} must not be null");
        }

        if (problems.Count > 0)
        {
            throw new ArgumentException("Invalid materializer settings: " + string.Join("; ", problems) + ".");
        }
    }
}
