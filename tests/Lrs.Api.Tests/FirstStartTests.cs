using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;
using static Lrs.Api.Tests.Infrastructure.Xapi;

namespace Lrs.Api.Tests;

/// <summary>What a new user meets: the real executable on an empty directory, nothing configured.</summary>
public sealed partial class FirstStartTests
{
    [Fact]
    public async Task First_start_creates_the_SQLite_file_and_prints_a_working_credential_once()
    {
        var directory = Directory.CreateTempSubdirectory("lrs-first-start-").FullName;
        try
        {
            var port = FreePort();
            var (output, key, secret) = await RunUntilCredentialAsync(directory, port, async (client, key, secret) =>
            {
                client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{key}:{secret}")));
                client.DefaultRequestHeaders.Add("X-Experience-API-Version", "2.0.0");
                var ids = await client.PostAsync(Statement());
                (await client.GetAsync($"/xapi/statements?statementId={ids[0]}")).StatusCode.Should().Be(HttpStatusCode.OK);
            });
            File.Exists(Path.Combine(directory, "data", "lrs.db")).Should().BeTrue("the default store is a SQLite file under the working directory");

            // A second start on the same store prints no secret and keeps the first credential.
            var (secondOutput, secondKey, _) = await RunUntilCredentialAsync(directory, port, async (client, _, _) =>
            {
                client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{key}:{secret}")));
                client.DefaultRequestHeaders.Add("X-Experience-API-Version", "2.0.0");
                (await client.GetAsync("/xapi/statements?limit=1")).StatusCode.Should().Be(HttpStatusCode.OK);
            }, expectCredential: false);
            secondKey.Should().BeNull();
            secondOutput.Should().NotContain("secret:");
            output.Should().Contain("shown once");
        }
        finally
        {
            try { Directory.Delete(directory, recursive: true); } catch (IOException) { }
        }
    }

    private static async Task<(string Output, string? Key, string? Secret)> RunUntilCredentialAsync(
        string workingDirectory, int port, Func<HttpClient, string, string, Task> use, bool expectCredential = true)
    {
        var start = new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "Lrs.Api.dll"), "--urls", $"http://127.0.0.1:{port}"])
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var name in Environment.GetEnvironmentVariables().Keys.Cast<string>().Where(n => n.StartsWith("Lrs__", StringComparison.Ordinal)).ToList())
            start.Environment.Remove(name);
        using var process = Process.Start(start)!;
        var output = new StringBuilder();
        process.OutputDataReceived += (_, e) => { lock (output) output.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { lock (output) output.AppendLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
            var deadline = DateTime.UtcNow.AddSeconds(60);
            while (true)
            {
                try
                {
                    if ((await client.GetAsync("/xapi/about")).IsSuccessStatusCode) break;
                }
                catch (HttpRequestException) { }
                if (DateTime.UtcNow > deadline || process.HasExited) throw new InvalidOperationException("The LRS did not start:\n" + output);
                await Task.Delay(200);
            }
            string text;
            lock (output) text = output.ToString();
            var key = KeyLine().Match(text) is { Success: true } k ? k.Groups[1].Value : null;
            var secret = SecretLine().Match(text) is { Success: true } s ? s.Groups[1].Value : null;
            if (expectCredential)
            {
                key.Should().NotBeNull(text);
                secret.Should().NotBeNull(text);
            }
            await use(client, key ?? "", secret ?? "");
            return (text, key, secret);
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    [GeneratedRegex(@"key:\s+(\S+)")]
    private static partial Regex KeyLine();

    [GeneratedRegex(@"secret:\s+(\S+)")]
    private static partial Regex SecretLine();
}
