using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.RegularExpressions;
using Lrs.Api.Tests.Infrastructure;
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
            string key, secret, firstOutput;
            await using (var first = await LrsProcess.StartAsync(directory))
            {
                firstOutput = first.Output;
                key = KeyLine().Match(firstOutput).Groups[1].Value;
                secret = SecretLine().Match(firstOutput).Groups[1].Value;
                key.Should().NotBeEmpty(firstOutput);
                secret.Should().NotBeEmpty(firstOutput);

                using var client = Authenticated(first, key, secret);
                var ids = await client.PostAsync(Statement());
                (await client.GetAsync($"/xapi/statements?statementId={ids[0]}")).StatusCode.Should().Be(HttpStatusCode.OK);
            }
            firstOutput.Should().Contain("shown once");
            File.Exists(Path.Combine(directory, "data", "lrs.db")).Should().BeTrue("the default store is a SQLite file under the working directory");

            // A second start on the same store prints no secret and keeps the first credential.
            await using var second = await LrsProcess.StartAsync(directory);
            second.Output.Should().NotContain("secret:");
            using var again = Authenticated(second, key, secret);
            (await again.GetAsync("/xapi/statements?limit=1")).StatusCode.Should().Be(HttpStatusCode.OK);
        }
        finally
        {
            try { Directory.Delete(directory, recursive: true); } catch (IOException) { }
        }
    }

    internal static HttpClient Authenticated(LrsProcess lrs, string key, string secret, string version = "2.0.0") =>
        Authenticated(lrs.BaseAddress, key, secret, version);

    /// <summary>A client of the LRS listening at <paramref name="baseAddress"/>, with Basic credentials and an xAPI version.</summary>
    internal static HttpClient Authenticated(Uri baseAddress, string key, string secret, string version = "2.0.0")
    {
        var client = new HttpClient { BaseAddress = baseAddress };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{key}:{secret}")));
        client.DefaultRequestHeaders.Add("X-Experience-API-Version", version);
        return client;
    }

    [GeneratedRegex(@"key:\s+(\S+)")]
    private static partial Regex KeyLine();

    [GeneratedRegex(@"secret:\s+(\S+)")]
    private static partial Regex SecretLine();
}
