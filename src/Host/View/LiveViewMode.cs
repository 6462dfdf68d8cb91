namespace Pipelines.Host.View;

/// <summary>How the host shows its live view (<c>pipelines.view.mode</c>, or <c>--view</c>).</summary>
internal enum LiveViewMode
{
    /// <summary>A live table when the view's output is a terminal, one line per interval when it is not.</summary>
    Auto,

    /// <summary>A table redrawn in place every interval (needs a terminal that understands ANSI sequences).</summary>
    Live,

    /// <summary>One plain <c>VIEW …</c> line per interval: for CI logs, pipes and grep.</summary>
    Lines,

    /// <summary>No view.</summary>
    Off,
}
