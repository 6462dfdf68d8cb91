namespace Pipelines.Configuration.Tests.Host.View;

/// <summary>A text writer that the view's thread writes and the test reads, line by line.</summary>
internal sealed class ConcurrentOutput : StringWriter
{
    private readonly Lock _gate = new();

    public IReadOnlyList<string> Lines
    {
        get
        {
            lock (_gate)
            {
                return ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);
            }
        }
    }

    public override void Write(char value)
    {
        lock (_gate)
        {
            base.Write(value);
        }
    }

    public override void Write(string? value)
    {
        lock (_gate)
        {
            base.Write(value);
        }
    }

    public override void WriteLine(string? value)
    {
        lock (_gate)
        {
            base.WriteLine(value);
        }
    }
}
