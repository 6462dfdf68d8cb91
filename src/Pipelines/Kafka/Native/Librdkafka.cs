using System.Reflection;
using System.Runtime.InteropServices;

namespace Pipelines.Kafka.Native;

/// <summary>
/// Loads the operating system's librdkafka for Confluent.Kafka and for Pipelines' own native calls
/// (the embedded cluster). Every Kafka entry point of the library calls <see cref="EnsureLoaded"/>.
/// </summary>
/// <remarks>
/// Confluent.Kafka's package normally brings librdkafka in <c>librdkafka.redist</c>; Pipelines restores an
/// empty placeholder for that id and uses the distribution's <c>librdkafka1</c> instead. The versioned
/// soname (<c>librdkafka.so.1</c>) is loaded directly, so neither the <c>-dev</c> package nor a symlink
/// is needed. <c>PIPELINES_LIBRDKAFKA_PATH</c> overrides the search with an explicit file.
/// </remarks>
public static class Librdkafka
{
    /// <summary>The environment variable that names an explicit librdkafka file to load.</summary>
    public const string PathVariable = "PIPELINES_LIBRDKAFKA_PATH";

    /// <summary>The name Pipelines' own <c>DllImport</c> declarations use; resolved to the loaded library.</summary>
    internal const string ImportName = "rdkafka";

    private static readonly Lock Gate = new();
    private static nint _handle;
    private static string? _loadedFrom;

    /// <summary>The file librdkafka was loaded from, or <see langword="null"/> before the first load.</summary>
    public static string? LoadedFrom => Volatile.Read(ref _loadedFrom);

    /// <summary>
    /// Loads librdkafka once per process (later calls return at once).
    /// </summary>
    /// <exception cref="LibrdkafkaNotFoundException">No librdkafka could be loaded; the message says what to install.</exception>
    public static void EnsureLoaded()
    {
        if (Volatile.Read(ref _loadedFrom) is not null)
        {
            return;
        }

        lock (Gate)
        {
            if (_loadedFrom is not null)
            {
                return;
            }

            var explicitPath = Environment.GetEnvironmentVariable(PathVariable);
            var candidates = string.IsNullOrWhiteSpace(explicitPath) ? Candidates() : [explicitPath];
            var tried = new List<string>();
            foreach (var candidate in candidates)
            {
                tried.Add(candidate);
                if (!NativeLibrary.TryLoad(candidate, out var handle))
                {
                    continue;
                }

                _handle = handle;
                NativeLibrary.SetDllImportResolver(typeof(Librdkafka).Assembly, Resolve);
                NativeLibrary.SetDllImportResolver(typeof(Confluent.Kafka.Library).Assembly, ResolveForClient);

                // Confluent.Kafka binds its delegates against the same file; loading it a second time
                // through dlopen returns the handle already mapped.
                Confluent.Kafka.Library.Load(candidate);
                Volatile.Write(ref _loadedFrom, candidate);
                return;
            }

            throw new LibrdkafkaNotFoundException(tried, explicitPath);
        }
    }

    /// <summary>The version librdkafka reports, for example <c>2.0.2</c>.</summary>
    public static string Version
    {
        get
        {
            EnsureLoaded();
            return Confluent.Kafka.Library.VersionString;
        }
    }

    internal static IReadOnlyList<string> Candidates()
    {
        if (OperatingSystem.IsWindows())
        {
            return ["librdkafka.dll"];
        }

        if (OperatingSystem.IsMacOS())
        {
            return ["librdkafka.1.dylib", "librdkafka.dylib", "/opt/homebrew/lib/librdkafka.dylib", "/usr/local/lib/librdkafka.dylib"];
        }

        var list = new List<string> { "librdkafka.so.1" };
        foreach (var dir in new[] { "/usr/lib/x86_64-linux-gnu", "/usr/lib/aarch64-linux-gnu", "/usr/lib64", "/usr/lib", "/usr/local/lib" })
        {
            list.Add(Path.Combine(dir, "librdkafka.so.1"));
        }

        list.Add("librdkafka.so");
        return list;
    }

    private static nint Resolve(string libraryName, Assembly assembly, DllImportSearchPath? searchPath) =>
        libraryName == ImportName ? _handle : 0;

    // Confluent.Kafka imports "libdl" to dlopen librdkafka; without a -dev package only the versioned
    // libdl.so.2 exists (and glibc 2.34+ carries dlopen in libc.so.6 itself).
    private static nint ResolveForClient(string libraryName, Assembly assembly, DllImportSearchPath? searchPath)
    {
        if (libraryName is "librdkafka" or "librdkafka.so")
        {
            return _handle;
        }

        if (libraryName == "libdl" && OperatingSystem.IsLinux())
        {
            foreach (var name in (ReadOnlySpan<string>)["libdl.so.2", "libc.so.6", "libdl.so"])
            {
                if (NativeLibrary.TryLoad(name, out var handle))
                {
                    return handle;
                }
            }
        }

        return 0;
    }
}
