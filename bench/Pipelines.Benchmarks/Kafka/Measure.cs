using System.Diagnostics;

namespace Pipelines.Benchmarks.Kafka;

/// <summary>
/// One measured run: records per second of wall time, the process's CPU time and managed allocation per record, and the
/// garbage collections during it.
/// </summary>
internal readonly record struct Run(double PerSecond, double CpuMicroseconds, double AllocatedBytes, string Collections)
{
    public static Run Better(Run a, Run b) => b.PerSecond > a.PerSecond ? b : a;

    /// <summary>Two runs of the same thing averaged (their collections side by side).</summary>
    public static Run Mean(Run a, Run b) =>
        new((a.PerSecond + b.PerSecond) / 2, (a.CpuMicroseconds + b.CpuMicroseconds) / 2, (a.AllocatedBytes + b.AllocatedBytes) / 2, $"{a.Collections} and {b.Collections}");

    public override string ToString() =>
        $"{PerSecond:N0} msg/s, process CPU {CpuMicroseconds:F2} us/record, allocated {AllocatedBytes:F0} B/record, collections gen0/gen1/gen2 {Collections}";
}

/// <summary>Measures a run from its start: wall time, process CPU time and collections.</summary>
internal readonly struct Measure
{
    private readonly TimeSpan _cpu;
    private readonly long _started;
    private readonly int _gen0;
    private readonly int _gen1;
    private readonly int _gen2;
    private readonly TimeSpan _pause;
    private readonly long _allocated;

    private Measure(TimeSpan cpu, long started)
    {
        _cpu = cpu;
        _started = started;
        _allocated = GC.GetTotalAllocatedBytes(precise: false);
        _gen0 = GC.CollectionCount(0);
        _gen1 = GC.CollectionCount(1);
        _gen2 = GC.CollectionCount(2);
        _pause = GC.GetTotalPauseDuration();
    }

    public static Measure Start() => new(Process.GetCurrentProcess().TotalProcessorTime, Stopwatch.GetTimestamp());

    public Run Stop(int count)
    {
        var elapsed = Stopwatch.GetElapsedTime(_started);
        var cpu = Process.GetCurrentProcess().TotalProcessorTime - _cpu;
        var collections = $"{GC.CollectionCount(0) - _gen0}/{GC.CollectionCount(1) - _gen1}/{GC.CollectionCount(2) - _gen2} (paused {(GC.GetTotalPauseDuration() - _pause).TotalMilliseconds:F0} ms)";
        var allocated = (double)(GC.GetTotalAllocatedBytes(precise: false) - _allocated) / count;
        return new Run(count / elapsed.TotalSeconds, cpu.TotalMicroseconds / count, allocated, collections);
    }
}
