using System.Diagnostics;
using System.Reflection;
using System.Globalization;
using System.Text;

namespace Pipelines.Kafka.Tests.Host;

/// <summary>The built host (<c>Pipelines.Host.dll</c>) running as a child process, with its output captured.</summary>
internal sealed class HostProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _error = new();
    private readonly Task _errorPump;

    private HostProcess(Process process)
    {
        _process = process;
        _errorPump = PumpAsync(process.StandardError, _error);
    }

    /// <summary>Everything the host wrote to stderr so far.</summary>
    public string StandardError
    {
        get
        {
            lock (_error)
            {
                return _error.ToString();
            }
        }
    }

    /// <summary>The host's stdout, for reading line by line.</summary>
    public StreamReader StandardOutput => _process.StandardOutput;

    public static HostProcess Start(IReadOnlyDictionary<string, string?> environment, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(HostDll);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var (name, value) in environment)
        {
            if (value is null)
            {
                start.Environment.Remove(name);
            }
            else
            {
                start.Environment[name] = value;
            }
        }

        return new HostProcess(Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start."));
    }

    /// <summary>Runs the host to completion and returns its exit code, stdout and stderr.</summary>
    public static async Task<(int ExitCode, string Output, string Error)> RunAsync(
        IReadOnlyDictionary<string, string?> environment, TimeSpan timeout, params string[] args)
    {
        await using var host = Start(environment, args);
        var output = await host.StandardOutput.ReadToEndAsync().WaitAsync(timeout);
        var exitCode = await host.WaitForExitAsync(timeout);
        return (exitCode, output, host.StandardError);
    }

    /// <summary>Runs the host to completion with <paramref name="input"/> on its stdin (closed after it) and returns its exit code, stdout and stderr.</summary>
    public static async Task<(int ExitCode, string Output, string Error)> RunWithInputAsync(
        IReadOnlyDictionary<string, string?> environment, string input, TimeSpan timeout, params string[] args)
    {
        await using var host = Start(environment, args);
        var output = host.StandardOutput.ReadToEndAsync();
        await host._process.StandardInput.WriteAsync(input).WaitAsync(timeout);
        host._process.StandardInput.Close();
        var text = await output.WaitAsync(timeout);
        var exitCode = await host.WaitForExitAsync(timeout);
        return (exitCode, text, host.StandardError);
    }

    /// <summary>Sends SIGTERM, as a service manager would.</summary>
    public async Task TerminateAsync()
    {
        using var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(CultureInfo.InvariantCulture)]);
        await kill.WaitForExitAsync();
        kill.ExitCode.Should().Be(0, "kill -TERM reaches the host");
    }

    /// <summary>Sends SIGKILL: the host gets no chance to drain, commit or leave its groups.</summary>
    public void Kill() => _process.Kill();

    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        await _process.WaitForExitAsync().WaitAsync(timeout);
        await _errorPump.WaitAsync(timeout);
        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    // The test assembly runs from tests/<project>/bin/<configuration>/<tfm>/; the host was built (project reference)
    // into src/Host/bin/<configuration>/<tfm>/.
    private static string HostDll
    {
        get
        {
            var configuration = typeof(HostProcess).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Release";
            var directory = new DirectoryInfo(AppContext.BaseDirectory);
            while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Pipelines.sln")))
            {
                directory = directory.Parent;
            }

            if (directory is null)
            {
                throw new InvalidOperationException($"No Pipelines.sln above {AppContext.BaseDirectory}.");
            }

            var dll = Path.Combine(directory.FullName, "src", "Host", "bin", configuration, "net10.0", "Pipelines.Host.dll");
            return File.Exists(dll) ? dll : throw new FileNotFoundException("The host is not built.", dll);
        }
    }

    private static async Task PumpAsync(StreamReader reader, StringBuilder into)
    {
        var buffer = new char[4096];
        int read;
        while ((read = await reader.ReadAsync(buffer)) > 0)
        {
            lock (into)
            {
                into.Append(buffer, 0, read);
            }
        }
    }
}
