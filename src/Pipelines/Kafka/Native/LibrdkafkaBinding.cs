using System.Reflection;
using System.Runtime.InteropServices;

namespace Pipelines.Kafka.Native;

/// <summary>
/// Binds Pipelines' own librdkafka imports (the embedded cluster, the consumer wake-up) to the very library
/// Confluent.Kafka loaded, so the process holds one copy of librdkafka.
/// </summary>
/// <remarks>
/// <para>
/// One copy matters for correctness, not only for memory: the consumer wake-up passes a client's <c>rd_kafka_t</c> from
/// Confluent.Kafka to librdkafka, which is only valid in the copy that created it.
/// </para>
/// <para>
/// Confluent.Kafka imports librdkafka from <c>librdkafka.redist</c> under one of several names (the build with GSSAPI,
/// <c>librdkafka</c>, and where its dependencies are missing, as on a plain Debian, <c>centos8-librdkafka</c>; on Alpine
/// <c>alpine-librdkafka</c>). The resolver asks Confluent.Kafka to load, reads which name it bound, and resolves that name
/// as Confluent.Kafka's own imports do (same assembly, same probing), which maps the same file and returns its handle.
/// The version the handle reports is checked against Confluent.Kafka's, so a mismatch fails loudly instead of mixing copies.
/// </para>
/// </remarks>
internal static class LibrdkafkaBinding
{
    /// <summary>The library name of Pipelines' own imports; only this resolver knows it.</summary>
    public const string ImportName = "pipelines-librdkafka";

    // Confluent.Kafka's import names, in the order it tries them when its internals cannot be read.
    private static readonly string[] FallbackNames = ["librdkafka", "centos8-librdkafka", "alpine-librdkafka"];

    private static readonly Lazy<nint> Handle = new(Bind, LazyThreadSafetyMode.ExecutionAndPublication);
    private static int _registered;

    /// <summary>Installs the import resolver for the Pipelines assembly (once); the library itself is bound on the first native call.</summary>
    /// <remarks>Every type with a librdkafka import calls this from its static constructor, which runs before its first import.</remarks>
    public static void Register()
    {
        if (Interlocked.Exchange(ref _registered, 1) == 0)
        {
            NativeLibrary.SetDllImportResolver(typeof(LibrdkafkaBinding).Assembly, Resolve);
        }
    }

    /// <summary>The handle of the librdkafka Confluent.Kafka loaded (loading it first if no client has yet).</summary>
    /// <exception cref="DllNotFoundException">The library Confluent.Kafka loaded could not be found again.</exception>
    public static nint LibraryHandle => Handle.Value;

    /// <summary>The name under which Confluent.Kafka imported librdkafka (for example <c>librdkafka</c> or <c>centos8-librdkafka</c>), or <see langword="null"/> if it cannot be read.</summary>
    public static string? ClientImportName
    {
        get
        {
            Confluent.Kafka.Library.Load();
            return ReadClientImportName();
        }
    }

    private static nint Resolve(string libraryName, Assembly assembly, DllImportSearchPath? searchPath) =>
        libraryName == ImportName ? Handle.Value : 0;

    private static nint Bind()
    {
        // Loads librdkafka the way every Confluent.Kafka client does; returns false when a client already has.
        Confluent.Kafka.Library.Load();
        var expected = Confluent.Kafka.Library.Version;
        var client = typeof(Confluent.Kafka.Library).Assembly;
        var bound = ReadClientImportName();
        var candidates = bound is null ? FallbackNames : [bound];
        var found = new List<string>();
        foreach (var name in candidates)
        {
            if (!NativeLibrary.TryLoad(name, client, null, out var handle))
            {
                continue;
            }

            var version = VersionOf(handle);
            if (version == expected)
            {
                return handle;
            }

            found.Add($"{name} reports version 0x{version:x8}");
        }

        throw new DllNotFoundException(
            $"Pipelines could not find the librdkafka that Confluent.Kafka loaded (version {Confluent.Kafka.Library.VersionString}, "
            + $"0x{expected:x8}) to bind the embedded cluster and the consumer wake-up to it: tried {string.Join(", ", candidates)}"
            + (found.Count > 0 ? $" ({string.Join("; ", found)})" : string.Empty)
            + ". Check that the application's runtimes/<rid>/native folder holds the librdkafka.redist files of the Confluent.Kafka version it references.");
    }

    // Confluent.Kafka keeps its bound functions as delegates over one of its NativeMethods classes, each with a DllName constant.
    private static string? ReadClientImportName()
    {
        var librdkafka = typeof(Confluent.Kafka.Library).Assembly.GetType("Confluent.Kafka.Impl.Librdkafka");
        var version = librdkafka?.GetField("_version", BindingFlags.NonPublic | BindingFlags.Static)?.GetValue(null) as Delegate;
        var nativeMethods = version?.Method.DeclaringType;
        return nativeMethods?.GetField("DllName", BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static)?.GetRawConstantValue() as string;
    }

    private static unsafe long VersionOf(nint handle) =>
        NativeLibrary.TryGetExport(handle, "rd_kafka_version", out var export) ? ((delegate* unmanaged<int>)export)() : -1;
}
