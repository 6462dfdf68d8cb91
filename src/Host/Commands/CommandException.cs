namespace Pipelines.Host.Commands;

/// <summary>
/// Bad input or an unusable cluster, found by a command: the program prints the message as one line on stderr
/// (<c>error: …</c>) and exits with 1. The message says what was wrong and what to do.
/// </summary>
internal sealed class CommandException(string message) : Exception(message);
