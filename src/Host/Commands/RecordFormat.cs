namespace Pipelines.Host.Commands;

/// <summary>How <c>pipelines consume</c> prints records.</summary>
internal enum RecordFormat
{
    /// <summary>One line per record, <c>name=value</c> fields, key, headers and value as JSON strings.</summary>
    Text,

    /// <summary>One JSON object per line (JSON Lines).</summary>
    Json,
}
