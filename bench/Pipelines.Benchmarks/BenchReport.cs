using System.Globalization;

namespace Pipelines.Benchmarks;

/// <summary>
/// Prints the one line per case that DESIGN.md fixes:
/// <c>BENCH suite/case ours=V anchor=V ratio=ours/anchor unit=U</c>.
/// </summary>
internal sealed class BenchReport(TextWriter output)
{
    private readonly List<string> _lines = [];

    /// <summary>The BENCH lines printed so far, in order.</summary>
    public IReadOnlyList<string> Lines => _lines;

    /// <summary>Reports a case measured against an anchor; the ratio is <c>ours / anchor</c>.</summary>
    public void Case(string suite, string name, double ours, double anchor, string unit, string? note = null)
    {
        var ratio = anchor == 0 ? double.NaN : ours / anchor;
        Write($"BENCH {suite}/{name} ours={Format(ours)} anchor={Format(anchor)} ratio={ratio.ToString("0.000", CultureInfo.InvariantCulture)} unit={unit}", note);
    }

    /// <summary>Reports a case that has no anchor.</summary>
    public void Case(string suite, string name, double ours, string unit, string? note = null) =>
        Write($"BENCH {suite}/{name} ours={Format(ours)} anchor=- ratio=- unit={unit}", note);

    private void Write(string line, string? note)
    {
        _lines.Add(line);
        output.WriteLine(line);
        if (note is not null)
        {
            // Context for people goes on its own line so the BENCH line stays machine-readable.
            output.WriteLine("  " + note);
        }

        output.Flush();
    }

    private static string Format(double value) =>
        value >= 100 ? value.ToString("0", CultureInfo.InvariantCulture) : value.ToString("0.###", CultureInfo.InvariantCulture);
}
