using Pipelines.TestKit;
using Pipelines.Engine.Dsl;
using Pipelines.TestKit.Engine;

namespace Pipelines.Engine.Tests.Support;

/// <summary>A factory of probe sources for restart tests: counts how often it was materialized and hands out each probe.</summary>
internal sealed class Incarnations<T>
{
    private readonly List<SourceProbe<T>> _probes = [];
    private int _created;

    /// <summary>How many sources the factory created.</summary>
    public int Created => Volatile.Read(ref _created);

    /// <summary>How many of them were materialized.</summary>
    public int Materialized
    {
        get
        {
            lock (_probes)
            {
                return _probes.Count;
            }
        }
    }

    public Source<T, SourceProbe<T>> Next()
    {
        Interlocked.Increment(ref _created);
        return TestSource.Probe<T>().MapMaterializedValue(p =>
        {
            lock (_probes)
            {
                _probes.Add(p);
            }

            return p;
        });
    }

    /// <summary>Waits until the <paramref name="number"/>-th incarnation (1-based) was materialized and returns its probe.</summary>
    public async Task<SourceProbe<T>> GetAsync(int number)
    {
        await Eventually.TrueAsync(() => Materialized >= number, what: $"incarnation {number} to be materialized");
        lock (_probes)
        {
            return _probes[number - 1];
        }
    }
}
