using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Lrs.Api.Tests.Infrastructure;

/// <summary>The real executable in its own process, as an operator runs it; killable like a crashed server.</summary>
public sealed class LrsProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private LrsProcess(Process process, int port)
    {
        _process = process;
        Port = port;
        BaseAddress = new Uri($"http://127.0.0.1:{port}");
    }

    public int Port { get; }
    public Uri BaseAddress { get; }

    /// <summary>The operating system's id of the process (a node names itself by it, e.g. as a webhook lease's owner).</summary>
    public int ProcessId => _process.Id;

    public string Output
    {
        get { lock (_output) return _output.ToString(); }
    }

    /// <summary>
    /// The settings of a process on a fresh store of <paramref name="provider"/> (<c>Sqlite</c>: a file in
    /// <paramref name="directory"/>; <c>Postgres</c>: a new database) whose first credential is <paramref name="key"/> and
    /// <paramref name="secret"/>; a test adds its own.
    /// </summary>
    public static Dictionary<string, string> FreshStore(string provider, string directory, string key, string secret) => new()
    {
        ["Lrs__Storage__Provider"] = provider,
        ["Lrs__Storage__ConnectionString"] = provider == "Sqlite" ? $"Data Source={Path.Combine(directory, "lrs.db")}" : PostgresServer.CreateDatabase(),
        ["Lrs__Bootstrap__Key"] = key,
        ["Lrs__Bootstrap__Secret"] = secret,
    };

    /// <summary>Starts <c>dotnet Lrs.Api.dll</c> in <paramref name="workingDirectory"/> and waits until it answers.</summary>
    public static async Task<LrsProcess> StartAsync(string workingDirectory, IReadOnlyDictionary<string, string>? environment = null, int? port = null)
    {
        var listenPort = port ?? FreePort();
        var lrs = new LrsProcess(Process.Start(StartInfo(workingDirectory, environment, listenPort))!, listenPort);
        lrs._process.OutputDataReceived += (_, e) => { lock (lrs._output) lrs._output.AppendLine(e.Data); };
        lrs._process.ErrorDataReceived += (_, e) => { lock (lrs._output) lrs._output.AppendLine(e.Data); };
        lrs._process.BeginOutputReadLine();
        lrs._process.BeginErrorReadLine();

        using var client = new HttpClient { BaseAddress = lrs.BaseAddress };
        // A bound, not a wait: a start takes a second or two, but a machine busy with other builds has been seen to
        // take over a minute before the process wrote its first line.
        var deadline = DateTime.UtcNow.AddSeconds(180);
        while (true)
        {
            try
            {
                if ((await client.GetAsync("/xapi/about")).IsSuccessStatusCode) return lrs;
            }
            catch (HttpRequestException) { }
            if (DateTime.UtcNow > deadline || lrs._process.HasExited)
            {
                await lrs.DisposeAsync();
                throw new InvalidOperationException("The LRS did not start:\n" + lrs.Output);
            }
            await Task.Delay(200);
        }
    }

    /// <summary>
    /// Starts <c>dotnet Lrs.Api.dll</c> as <see cref="StartAsync"/> does, for a start that must fail: waits until the process
    /// exits (killing it after a minute) and returns its exit code and everything it wrote.
    /// </summary>
    public static async Task<(int ExitCode, string Output)> RunUntilExitAsync(string workingDirectory, IReadOnlyDictionary<string, string> environment)
    {
        using var process = Process.Start(StartInfo(workingDirectory, environment, FreePort()))!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            return (-1, "still running after 60 s:\n" + await output + await error);
        }
        return (process.ExitCode, await output + await error);
    }

    private static ProcessStartInfo StartInfo(string workingDirectory, IReadOnlyDictionary<string, string>? environment, int port)
    {
        var start = new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "Lrs.Api.dll"), "--urls", $"http://127.0.0.1:{port}"])
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        // Only what the test gives: never configuration inherited from the test runner's environment.
        foreach (var name in start.Environment.Keys.Where(n => n.StartsWith("Lrs__", StringComparison.Ordinal)).ToList())
            start.Environment.Remove(name);
        foreach (var (name, value) in environment ?? new Dictionary<string, string>()) start.Environment[name] = value;
        return start;
    }

    /// <summary>
    /// SIGTERM, as a service manager or a container runtime stops a server: whether the process exited within
    /// <paramref name="within"/> (it is killed after that), and its exit code.
    /// </summary>
    public async Task<(bool Exited, int ExitCode)> TerminateAsync(TimeSpan within)
    {
        using (var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])!)
            await kill.WaitForExitAsync();
        using var timeout = new CancellationTokenSource(within);
        try
        {
            await _process.WaitForExitAsync(timeout.Token);
            return (true, _process.ExitCode);
        }
        catch (OperationCanceledException)
        {
            await KillAsync();
            return (false, -1);
        }
    }

    /// <summary>SIGKILL: no shutdown, no flushing, as in a crash or an OOM kill.</summary>
    public async Task KillAsync()
    {
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        _process.Dispose();
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
