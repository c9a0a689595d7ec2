using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Lrs.Api.Admin;
using Lrs.Api.Tests.Infrastructure;
using Lrs.Core.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace Lrs.Api.Tests;

/// <summary>The admin API over HTTP, as the bootstrap credential (scopes <c>all admin operator</c>).</summary>
public abstract class AdminTests(LrsFixture lrs)
{
    private readonly HttpClient _admin = lrs.Client(version: null);

    private async Task<(string Key, string Secret)> CreateCredentialAsync(object body)
    {
        var response = await _admin.PostAsJsonAsync("/api/admin/credentials", body);
        response.StatusCode.Should().Be(HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        var created = await response.Content.ReadFromJsonAsync<JsonNode>();
        return (created!["key"]!.GetValue<string>(), created["secret"]!.GetValue<string>());
    }

    private async Task<HttpStatusCode> StatementsStatusAsync(string key, string secret) =>
        (await lrs.Client("2.0.0", key, secret).GetAsync("/xapi/statements?limit=1")).StatusCode;

    private async Task<List<JsonNode>> AuditAsync(HttpClient client) =>
        [.. (await client.GetFromJsonAsync<JsonNode>("/api/admin/audit?limit=500"))!["entries"]!.AsArray().Select(e => e!)];

    [Fact]
    public async Task A_credential_created_by_an_admin_authenticates_and_is_listed_without_its_secret()
    {
        var (key, secret) = await CreateCredentialAsync(new { name = "reader", scopes = new[] { "statements/read" } });

        (await StatementsStatusAsync(key, secret)).Should().Be(HttpStatusCode.OK);
        var listing = await _admin.GetStringAsync("/api/admin/credentials");
        listing.Should().Contain(key).And.NotContain(secret);
        var one = await _admin.GetFromJsonAsync<JsonNode>($"/api/admin/credentials/{key}");
        one!["scopes"]!.AsArray().Select(s => s!.GetValue<string>()).Should().Equal("statements/read");
        one["status"]!.GetValue<string>().Should().Be("active");
    }

    [Fact]
    public async Task A_revoked_credential_is_refused_at_once_even_though_it_was_verified_a_moment_ago()
    {
        var (key, secret) = await CreateCredentialAsync(new { name = "tool", scopes = new[] { "statements/write", "statements/read/mine" } });
        (await StatementsStatusAsync(key, secret)).Should().Be(HttpStatusCode.OK);

        (await _admin.DeleteAsync($"/api/admin/credentials/{key}")).StatusCode.Should().Be(HttpStatusCode.NoContent);

        (await StatementsStatusAsync(key, secret)).Should().Be(HttpStatusCode.Unauthorized);
        (await _admin.GetFromJsonAsync<JsonNode>($"/api/admin/credentials/{key}"))!["status"]!.GetValue<string>().Should().Be("revoked");
    }

    [Fact]
    public async Task An_expired_credential_is_refused_even_when_its_verification_is_cached()
    {
        var expires = DateTimeOffset.UtcNow.AddSeconds(2);
        var (key, secret) = await CreateCredentialAsync(new { name = "short-lived", scopes = new[] { "statements/read" }, expires });
        (await StatementsStatusAsync(key, secret)).Should().Be(HttpStatusCode.OK);

        // The first request hashes the secret, which on a busy machine may take longer than the credential lives.
        var wait = expires - DateTimeOffset.UtcNow + TimeSpan.FromMilliseconds(300);
        if (wait > TimeSpan.Zero) await Task.Delay(wait);

        (await StatementsStatusAsync(key, secret)).Should().Be(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task An_expiry_in_the_past_or_an_unknown_scope_is_rejected_as_problem_details()
    {
        var past = await _admin.PostAsJsonAsync("/api/admin/credentials", new { scopes = new[] { "statements/read" }, expires = DateTimeOffset.UtcNow.AddDays(-1) });
        past.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        past.Content.Headers.ContentType!.MediaType.Should().Be("application/problem+json");

        var unknown = await _admin.PostAsJsonAsync("/api/admin/credentials", new { scopes = new[] { "statements", "state" } });
        unknown.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await unknown.Content.ReadFromJsonAsync<JsonNode>())!["detail"]!.GetValue<string>().Should().Contain("'statements'");
    }

    [Fact]
    public async Task A_credential_without_the_admin_scope_gets_403_naming_the_scope_even_with_all()
    {
        var (key, secret) = await CreateCredentialAsync(new { name = "everything-but-admin", scopes = new[] { "all" } });
        var client = lrs.Client(version: null, key: key, secret: secret);

        foreach (var path in new[] { "/api/admin/credentials", "/api/admin/tenants", "/api/admin/audit" })
        {
            var response = await client.GetAsync(path);
            response.StatusCode.Should().Be(HttpStatusCode.Forbidden, path);
            response.Content.Headers.ContentType!.MediaType.Should().Be("application/problem+json");
            (await response.Content.ReadFromJsonAsync<JsonNode>())!["detail"]!.GetValue<string>().Should().Contain("'admin'");
        }
        (await client.PostAsJsonAsync("/api/admin/credentials", new { scopes = new[] { "admin" } })).StatusCode.Should().Be(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task An_admin_of_another_tenant_can_neither_see_nor_revoke_this_tenants_credentials()
    {
        var (key, secret) = await CreateCredentialAsync(new { name = "ours", scopes = new[] { "statements/read" } });
        var tenantName = "other-" + Guid.NewGuid().ToString("N");
        (await _admin.PostAsJsonAsync("/api/admin/tenants", new { name = tenantName })).StatusCode.Should().Be(HttpStatusCode.Created);
        var tenant = (await lrs.Services.GetRequiredService<ICredentialStore>().TenantsAsync(default)).Single(t => t.Name == tenantName);
        // The API issues credentials only in the caller's tenant; the other tenant's admin is issued as the CLI does.
        var (otherKey, otherSecret) = await IssueInTenantAsync(tenant.Id);
        var theirs = lrs.Client(version: null, key: otherKey, secret: otherSecret);

        (await theirs.GetStringAsync("/api/admin/credentials")).Should().NotContain(key);
        (await theirs.GetAsync($"/api/admin/credentials/{key}")).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await theirs.DeleteAsync($"/api/admin/credentials/{key}")).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await StatementsStatusAsync(key, secret)).Should().Be(HttpStatusCode.OK, "the other tenant's revocation attempt changed nothing");
        (await AuditAsync(theirs)).Should().NotContain(e => e["target"]!.GetValue<string>() == key);
    }

    [Fact]
    public async Task An_admin_without_operator_gets_403_on_creating_a_tenant_even_for_a_taken_name_and_sees_only_its_own_tenant()
    {
        var ownTenant = "kommun-" + Guid.NewGuid().ToString("N")[..8];
        var admin = await lrs.ClientWithScopesAsync("all admin", tenantName: ownTenant);
        var fresh = "new-" + Guid.NewGuid().ToString("N");

        foreach (var name in new[] { "default", ownTenant, fresh })
        {
            var response = await admin.PostAsJsonAsync("/api/admin/tenants", new { name });
            response.StatusCode.Should().Be(HttpStatusCode.Forbidden, name);
            response.Content.Headers.ContentType!.MediaType.Should().Be("application/problem+json");
            var detail = (await response.Content.ReadFromJsonAsync<JsonNode>())!["detail"]!.GetValue<string>();
            detail.Should().Contain("'operator'").And.NotContain(name);
        }
        (await lrs.Services.GetRequiredService<ICredentialStore>().FindTenantAsync(fresh, default)).Should().BeNull();

        var listed = await admin.GetFromJsonAsync<JsonNode>("/api/admin/tenants");
        listed!.AsArray().Select(t => t!["name"]!.GetValue<string>()).Should().Equal(ownTenant);
    }

    [Fact]
    public async Task An_operator_creates_tenants_and_lists_them_all()
    {
        var operatorClient = await lrs.ClientWithScopesAsync("admin operator", tenantName: "drift-" + Guid.NewGuid().ToString("N")[..8]);
        var tenantName = "larcentra-" + Guid.NewGuid().ToString("N")[..8];

        (await operatorClient.PostAsJsonAsync("/api/admin/tenants", new { name = tenantName })).StatusCode.Should().Be(HttpStatusCode.Created);
        (await operatorClient.PostAsJsonAsync("/api/admin/tenants", new { name = tenantName })).StatusCode.Should().Be(HttpStatusCode.Conflict);
        var names = (await operatorClient.GetFromJsonAsync<JsonNode>("/api/admin/tenants"))!.AsArray().Select(t => t!["name"]!.GetValue<string>());
        names.Should().Contain([tenantName, "default"]);
    }

    [Fact]
    public async Task Only_an_operator_may_issue_a_credential_with_the_operator_scope()
    {
        var admin = await lrs.ClientWithScopesAsync("admin");
        var refused = await admin.PostAsJsonAsync("/api/admin/credentials", new { scopes = new[] { "admin", "operator" } });
        refused.StatusCode.Should().Be(HttpStatusCode.Forbidden);
        (await refused.Content.ReadFromJsonAsync<JsonNode>())!["detail"]!.GetValue<string>().Should().Contain("'operator'");

        var (key, secret) = await CreateCredentialAsync(new { name = "second operator", scopes = new[] { "admin", "operator" } });
        var issued = lrs.Client(version: null, key: key, secret: secret);
        (await issued.PostAsJsonAsync("/api/admin/tenants", new { name = "issued-" + Guid.NewGuid().ToString("N") })).StatusCode.Should().Be(HttpStatusCode.Created);
    }

    private async Task<(string Key, string Secret)> IssueInTenantAsync(long tenantId)
    {
        var (credential, secret) = await lrs.Services.GetRequiredService<Administration>()
            .IssueCredentialAsync(tenantId, "their admin", ["admin"], null, "http://localhost:8080", "test", default);
        return (credential.Key, secret);
    }

    [Fact]
    public async Task Every_admin_action_writes_an_audit_row_newest_first()
    {
        var tenantName = "audited-" + Guid.NewGuid().ToString("N");
        (await _admin.PostAsJsonAsync("/api/admin/tenants", new { name = tenantName })).StatusCode.Should().Be(HttpStatusCode.Created);
        var (key, _) = await CreateCredentialAsync(new { name = "audited", scopes = new[] { "state", "profile" } });
        await _admin.DeleteAsync($"/api/admin/credentials/{key}");

        var entries = await AuditAsync(_admin);
        var ours = entries.Where(e => e["target"]!.GetValue<string>() is var t && (t == key || t == tenantName)).ToList();
        ours.Select(e => e["action"]!.GetValue<string>()).Should().Equal("credential.revoke", "credential.create", "tenant.create");
        ours.Should().OnlyContain(e => e["actor"]!.GetValue<string>() == LrsFixture.Key);
        ours[1]["detail"]!.GetValue<string>().Should().Contain("scopes=state profile");
        entries.Select(e => e["seq"]!.GetValue<long>()).Should().BeInDescendingOrder();

        var firstPage = await _admin.GetFromJsonAsync<JsonNode>("/api/admin/audit?limit=1");
        firstPage!["entries"]!.AsArray().Should().ContainSingle();
        var more = firstPage["more"]!.GetValue<string>();
        var second = await _admin.GetFromJsonAsync<JsonNode>(more);
        second!["entries"]![0]!["seq"]!.GetValue<long>().Should().BeLessThan(firstPage["entries"]![0]!["seq"]!.GetValue<long>());
    }
}

public sealed class AdminTestsOnSqlite(SqliteLrs lrs) : AdminTests(lrs), IClassFixture<SqliteLrs>;
public sealed class AdminTestsOnPostgres(PostgresLrs lrs) : AdminTests(lrs), IClassFixture<PostgresLrs>;
