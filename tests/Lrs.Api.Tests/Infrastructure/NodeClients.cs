using System.Diagnostics;

namespace Lrs.Api.Tests.Infrastructure;

/// <summary>
/// Runs the scripts under tests/clients with Node.js: real xAPI client libraries from npm against a
/// running LRS. Installs the pinned packages (package-lock.json) once when they are missing.
/// </summary>
public static class NodeClients
{
    private static readonly Lazy<string> Directory = new(Install, LazyThreadSafetyMode.ExecutionAndPublication);

    public static string ClientsDirectory => Directory.Value;

    /// <summary>Runs <c>node script args</c>; returns exit code and combined output.</summary>
    public static async Task<(int ExitCode, string Output)> RunAsync(string script, params string[] args)
    {
        var (code, output) = await ExecAsync("node", ClientsDirectory, [script, .. args], TimeSpan.FromMinutes(2));
        return (code, output);
    }

    private static string Install()
    {
        var directory = Path.Combine(ProtocolTests.RepositoryRoot(), "tests", "clients");
        // Every package of package.json, not only the first one added: a checkout may hold node_modules of an older lock.
        if (!System.IO.Directory.Exists(Path.Combine(directory, "node_modules", "tincanjs")) || !System.IO.Directory.Exists(Path.Combine(directory, "node_modules", "openapi-fetch")))
        {
            var (code, output) = ExecAsync("npm", directory, ["ci", "--no-audit", "--no-fund"], TimeSpan.FromMinutes(5)).GetAwaiter().GetResult();
            if (code != 0) throw new InvalidOperationException($"npm ci in {directory} failed ({code}):\n{output}");
        }
        return directory;
    }

    /// <summary>Runs <c>file args</c> in <paramref name="directory"/>; returns exit code and combined output.</summary>
    internal static async Task<(int ExitCode, string Output)> ExecAsync(string file, string directory, string[] args, TimeSpan timeout)
    {
        var start = new ProcessStartInfo(file, args) { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{file} could not start");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {string.Join(' ', args)} did not finish within {timeout}");
        }
        return (process.ExitCode, await stdout + await stderr);
    }
}
