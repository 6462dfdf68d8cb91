using System.Collections.Concurrent;
using Pipelines.Engine.Implementation;
using Pipelines.Engine.Stage;

namespace Pipelines.Engine;

/// <summary>
/// Turns blueprints into running streams. Every stream it starts runs until it completes, fails or is cancelled, or
/// until the materializer is disposed, which stops them all (their sinks fail with <see cref="AbruptStageTerminationException"/>).
/// Thread-safe; stages may use it to materialize sub-graphs at run time.
/// </summary>
public sealed class Materializer : IDisposable, IAsyncDisposable
{
    private readonly ConcurrentDictionary<Island, byte> _running = new();
    private readonly Attributes _defaultAttributes;
    private int _islandIds;
    private volatile bool _disposed;

    /// <summary>Creates a materializer with <paramref name="settings"/> (or <see cref="MaterializerSettings.Default"/>).</summary>
    public Materializer(MaterializerSettings? settings = null)
    {
        Settings = settings ?? MaterializerSettings.Default;
        Settings.Validate();
        _defaultAttributes = Attributes.InputBuffer(Settings.DefaultBufferSize, Settings.DefaultBufferSize);
    }

    /// <summary>The settings.</summary>
    public MaterializerSettings Settings { get; }

    /// <summary>Whether <see cref="Dispose"/> was called.</summary>
    public bool IsDisposed => _disposed;

    internal IReadOnlyCollection<Island> RunningIslands => [.. _running.Keys];

    /// <summary>Starts <paramref name="graph"/> and returns its materialized value.</summary>
    /// <exception cref="ObjectDisposedException">The materializer was disposed.</exception>
    public TMat Materialize<TMat>(IGraph<ClosedShape, TMat> graph, Attributes? attributes = null)
    {
        ArgumentNullException.ThrowIfNull(graph);
        ObjectDisposedException.ThrowIf(_disposed, this);
        var session = new MaterializationSession(this);
        var mat = session.Materialize(Module.Of(graph), attributes is null ? _defaultAttributes : _defaultAttributes.And(attributes));
        foreach (var island in session.Islands)
        {
            _running[island] = 0;
        }

        foreach (var island in session.Islands)
        {
            island.Start();
        }

        if (_disposed)
        {
            foreach (var island in session.Islands)
            {
                island.Abort(new AbruptStageTerminationException("The materializer was disposed while the stream was starting."));
            }
        }

        return (TMat)mat!;
    }

    /// <summary>Stops every running stream (without waiting); use <see cref="DisposeAsync"/> to wait until they stopped.</summary>
    public void Dispose()
    {
        _disposed = true;
        foreach (var island in _running.Keys)
        {
            island.Abort(new AbruptStageTerminationException($"The stream was stopped because its materializer was disposed (in {island})."));
        }
    }

    /// <summary>Stops every running stream and waits until all of their stages stopped.</summary>
    public async ValueTask DisposeAsync()
    {
        Dispose();
        await WhenAllStoppedAsync(CancellationToken.None).ConfigureAwait(false);
    }

    /// <summary>Completes when no stream of this materializer is running (including sub-streams started meanwhile).</summary>
    internal async Task WhenAllStoppedAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var islands = _running.Keys.ToArray();
            if (islands.Length == 0)
            {
                return;
            }

            await Task.WhenAll(islands.Select(i => i.Termination)).WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    internal int NextIslandId() => Interlocked.Increment(ref _islandIds);

    internal void IslandTerminated(Island island) => _running.TryRemove(island, out _);
}
