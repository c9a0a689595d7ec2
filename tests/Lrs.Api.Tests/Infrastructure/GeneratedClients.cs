namespace Lrs.Api.Tests.Infrastructure;

/// <summary>
/// Clients generated from the committed openapi/v1.json, as an integrator makes them (README, "Build a client"):
/// TypeScript with openapi-typescript and openapi-fetch (tests/clients/typed, compiled with tsc --strict), and C# with the
/// Kiota tool of dotnet-tools.json (tests/clients/kiota). Generated and built once per test run; never committed.
/// </summary>
public static class GeneratedClients
{
    private static readonly TimeSpan BuildTime = TimeSpan.FromMinutes(8);

    private static readonly Lazy<Task<string>> TypeScript = new(async () =>
    {
        var clients = NodeClients.ClientsDirectory;
        await RunAsync("npx", clients, ["--no-install", "openapi-typescript", "../../openapi/v1.json", "-o", "typed/generated/lrsapi.ts"]);
        await RunAsync("npx", clients, ["--no-install", "tsc", "-p", "typed"]);
        return Path.Combine(clients, "typed", "dist", "client.js");
    }, LazyThreadSafetyMode.ExecutionAndPublication);

    private static readonly Lazy<Task<string>> Kiota = new(async () =>
    {
        var root = ProtocolTests.RepositoryRoot();
        var project = Path.Combine(root, "tests", "clients", "kiota");
        await RunAsync("dotnet", root, ["tool", "restore"]);
        await RunAsync("dotnet", root, ["kiota", "generate", "-l", "CSharp", "-d", "openapi/v1.json", "-o", "tests/clients/kiota/Generated",
            "-n", "LrsApi.Client", "-c", "LrsApiClient", "--exclude-backward-compatible", "--clean-output", "--log-level", "Error"]);
        await RunAsync("dotnet", project, ["build", "--nologo", "-v", "q", "-o", "bin/client"]);
        return Path.Combine(project, "bin", "client", "LrsApi.KiotaClient.dll");
    }, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>Generates and compiles the TypeScript client (once); runs its script against <paramref name="baseUrl"/>.</summary>
    public static async Task<(int ExitCode, string Output)> RunTypeScriptAsync(string baseUrl, string key, string secret) =>
        await NodeClients.ExecAsync("node", NodeClients.ClientsDirectory, [await TypeScript.Value, baseUrl, key, secret], TimeSpan.FromMinutes(2));

    /// <summary>Generates and builds the Kiota client (once); runs its program against <paramref name="baseUrl"/>.</summary>
    public static async Task<(int ExitCode, string Output)> RunKiotaAsync(string baseUrl, string key, string secret) =>
        await NodeClients.ExecAsync("dotnet", ProtocolTests.RepositoryRoot(), [await Kiota.Value, baseUrl, key, secret], TimeSpan.FromMinutes(2));

    private static async Task RunAsync(string file, string directory, string[] args)
    {
        var (code, output) = await NodeClients.ExecAsync(file, directory, args, BuildTime);
        if (code != 0) throw new InvalidOperationException($"{file} {string.Join(' ', args)} failed ({code}):\n{output}");
    }
}
