using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Lrs.Api.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Lrs.Api.Tests;

/// <summary>
/// The clients an integrator generates from openapi/v1.json, compiled strictly and run against the LRS on a real
/// Kestrel socket: framework, organisations and people, statements, a profile and a unit's gaps, a reflection task and
/// its answers, paging by more. Each runs in a tenant of its own, created over HTTP with its first credential.
/// </summary>
public abstract class GeneratedClientTests(LrsFixture lrs, ITestOutputHelper output)
{
    [Fact]
    public async Task The_TypeScript_client_from_openapi_typescript_compiles_strictly_and_does_an_integrators_round()
    {
        var (key, secret) = await NewTenantAsync();
        var (code, text) = await GeneratedClients.RunTypeScriptAsync(lrs.KestrelAddress, key, secret);
        output.WriteLine(text);
        code.Should().Be(0, text);
        text.Should().Contain("all passed");
    }

    [Fact]
    public async Task The_CSharp_client_from_Kiota_builds_and_does_an_integrators_round()
    {
        var (key, secret) = await NewTenantAsync();
        var (code, text) = await GeneratedClients.RunKiotaAsync(lrs.KestrelAddress, key, secret);
        output.WriteLine(text);
        code.Should().Be(0, text);
        text.Should().Contain("all passed");
    }

    private async Task<(string Key, string Secret)> NewTenantAsync()
    {
        // The real listener starts before any request: the generated clients connect to it from outside this process.
        using var operator_ = new HttpClient { BaseAddress = new Uri(lrs.KestrelAddress) };
        operator_.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic",
            Convert.ToBase64String(Encoding.UTF8.GetBytes($"{LrsFixture.Key}:{LrsFixture.Secret}")));
        var name = "client-" + Guid.NewGuid().ToString("N")[..10];
        var created = await operator_.PostAsJsonAsync("/api/admin/tenants", new { name, credential = new { name = "generated client" } });
        created.StatusCode.Should().Be(HttpStatusCode.Created);
        var credential = (await created.Content.ReadFromJsonAsync<JsonNode>())!["credential"]!;
        return ((string)credential["key"]!, (string)credential["secret"]!);
    }
}

public sealed class GeneratedClientTestsOnSqlite(KestrelSqliteLrs lrs, ITestOutputHelper output) : GeneratedClientTests(lrs, output), IClassFixture<KestrelSqliteLrs>;
public sealed class GeneratedClientTestsOnPostgres(KestrelPostgresLrs lrs, ITestOutputHelper output) : GeneratedClientTests(lrs, output), IClassFixture<KestrelPostgresLrs>;
