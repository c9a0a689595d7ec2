using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Lrs.Api.Tests.Infrastructure;

namespace Lrs.Api.Tests;

/// <summary>What an operator meets first: the first credential, and new tenants set up over HTTP.</summary>
public abstract class FirstRunTests(LrsFixture lrs)
{
    [Theory]
    [InlineData("/api/people")]
    [InlineData("/api/framework")]
    [InlineData("/api/profiles")]
    [InlineData("/api/reflection-tasks")]
    [InlineData("/api/sessions")]
    [InlineData("/api/admin/credentials")]
    public async Task The_first_credential_can_do_everything_in_its_tenant(string path)
    {
        var response = await lrs.Client().GetAsync(path);
        response.StatusCode.Should().Be(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task An_operator_creates_a_tenant_with_its_first_credential_whose_secret_is_shown_once()
    {
        var name = "first-run-" + Guid.NewGuid().ToString("N")[..8];
        var created = await lrs.Client().PostAsJsonAsync("/api/admin/tenants", new { name, credential = new { name = "admin of " + name } });
        created.StatusCode.Should().Be(HttpStatusCode.Created, await created.Content.ReadAsStringAsync());
        var body = (await created.Content.ReadFromJsonAsync<JsonNode>())!;
        ((string)body["name"]!).Should().Be(name);
        var key = (string)body["credential"]!["key"]!;
        var secret = (string)body["credential"]!["secret"]!;

        var admin = lrs.CreateClient();
        admin.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{key}:{secret}")));
        (await admin.PutAsJsonAsync("/api/organisations", new JsonArray(new JsonObject { ["id"] = "org", ["name"] = "Org" }))).StatusCode.Should().Be(HttpStatusCode.OK);
        (await admin.GetAsync("/api/framework")).StatusCode.Should().Be(HttpStatusCode.OK);
        var tenants = (await admin.GetFromJsonAsync<JsonArray>("/api/admin/tenants"))!;
        tenants.Select(t => (string)t!["name"]!).Should().Equal([name], "the new tenant's credential sees only its own tenant");
        (await admin.PostAsJsonAsync("/api/admin/tenants", new { name = name + "-2" })).StatusCode.Should().Be(HttpStatusCode.Forbidden,
            "a tenant's first credential does everything in its tenant but does not create tenants");

        var shown = (await admin.GetFromJsonAsync<JsonNode>($"/api/admin/credentials/{key}"))!;
        shown.AsObject().Should().NotContainKey("secret");
    }

    [Fact]
    public async Task A_tenant_created_without_a_credential_answers_no_secret()
    {
        var name = "first-run-" + Guid.NewGuid().ToString("N")[..8];
        var created = await lrs.Client().PostAsJsonAsync("/api/admin/tenants", new { name });
        created.StatusCode.Should().Be(HttpStatusCode.Created);
        (await created.Content.ReadFromJsonAsync<JsonNode>())!.AsObject().Should().NotContainKey("credential");
    }
}

public sealed class FirstRunTestsOnSqlite(SqliteLrs lrs) : FirstRunTests(lrs), IClassFixture<SqliteLrs>;
public sealed class FirstRunTestsOnPostgres(PostgresLrs lrs) : FirstRunTests(lrs), IClassFixture<PostgresLrs>;
