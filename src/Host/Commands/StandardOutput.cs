using System.Text;

namespace Pipelines.Host.Commands;

/// <summary>
/// stdout for commands that print data, buffered: <see cref="Console.Out"/> writes through on every line, which costs
/// a system call per record. Commands flush before they wait, so output still appears as it happens.
/// </summary>
internal static class StandardOutput
{
    public static StreamWriter Open() =>
        new(Console.OpenStandardOutput(), new UTF8Encoding(encoderShouldEmitUTF8Identifier: false), bufferSize: 64 * 1024) { AutoFlush = false };
}
