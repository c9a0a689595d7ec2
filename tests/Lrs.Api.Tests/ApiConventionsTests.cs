using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Lrs.Api.Tests.Infrastructure;

namespace Lrs.Api.Tests;

/// <summary>
/// The conventions of /api (README, "Conventions of /api"): ProblemDetails for every error, one paging scheme
/// (cursor in, more out) with one maximum limit, camelCase query names, list keys named for what they hold.
/// </summary>
public abstract class ApiConventionsTests(LrsFixture lrs)
{
    /// <summary>Every list of /api, paged with limit and a more link.</summary>
    public static TheoryData<string> Lists => new() { "/api/people", "/api/profiles", "/api/reflection-tasks", "/api/sessions", "/api/webinars", "/api/admin/audit" };

    [Theory]
    [MemberData(nameof(Lists))]
    public async Task Every_list_takes_a_limit_of_1000_and_refuses_1001_with_a_ProblemDetails(string path)
    {
        var client = await lrs.ClientWithScopesAsync("all admin profiles:read people:write reflections:read reflections:write", tenantName: "conv-" + Guid.NewGuid().ToString("N")[..8]);

        (await client.GetAsync(path + "?limit=1000")).StatusCode.Should().Be(HttpStatusCode.OK);
        var refused = await client.GetAsync(path + "?limit=1001");
        refused.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        refused.Content.Headers.ContentType!.MediaType.Should().Be("application/problem+json");
        ((string?)(await refused.Content.ReadFromJsonAsync<JsonNode>())!["detail"]).Should().Contain("1000");
    }

    /// <summary>A body of each kind with one property its schema does not have, and that property's path.</summary>
    public static TheoryData<string, string, string, string> BodiesWithAnUnknownProperty => new()
    {
        { "POST", "/api/admin/tenants", """{ "name": "unknown-property-tenant", "owner": "x" }""", "$.owner" },
        { "POST", "/api/admin/tenants", """{ "name": "unknown-property-tenant", "credential": { "name": "a", "scopes": ["all"] } }""", "$.credential.scopes" },
        { "POST", "/api/admin/credentials", """{ "name": "unknown-property-credential", "scopes": ["statements/read"], "secret": "chosen" }""", "$.secret" },
        { "PUT", "/api/people", """[ { "id": "u1", "organisationId": "org", "emailAddress": "a@b.example" } ]""", "$[0].emailAddress" },
        { "PUT", "/api/organisations", """[ { "id": "org", "name": "Org", "homePage": "https://hr.example" } ]""", "$[0].homePage" },
        { "PUT", "/api/framework", """{ "competences": [], "rules": [], "roles": [], "version": 2 }""", "$.version" },
        { "PUT", "/api/sessions/unknown-property", """{ "activity": { "id": "https://a.example/s", "name": { "sv": "S" } }, "start": "2026-03-02T08:00:00Z", "end": "2026-03-02T09:00:00Z", "participants": [], "room": "B12" }""", "$.room" },
    };

    [Theory]
    [MemberData(nameof(BodiesWithAnUnknownProperty))]
    public async Task An_unknown_property_in_a_body_is_a_400_that_names_it_and_stores_nothing(string method, string path, string body, string property)
    {
        var client = await lrs.ClientWithScopesAsync("all admin operator people:write framework:write", tenantName: "conv-" + Guid.NewGuid().ToString("N")[..8]);
        var before = await client.GetStringAsync("/api/admin/credentials");

        var response = await client.SendAsync(new HttpRequestMessage(new HttpMethod(method), path)
        {
            Content = new StringContent(body, System.Text.Encoding.UTF8, "application/json"),
        });
        response.StatusCode.Should().Be(HttpStatusCode.BadRequest, await response.Content.ReadAsStringAsync());
        response.Content.Headers.ContentType!.MediaType.Should().Be("application/problem+json");
        var problem = (await response.Content.ReadFromJsonAsync<JsonNode>())!;
        problem["errors"]!.AsObject().Select(e => e.Key).Should().Contain(property);

        (await client.GetStringAsync("/api/admin/credentials")).Should().Be(before, "bad input stores nothing");
        if (path == "/api/admin/tenants")
            (await client.GetFromJsonAsync<JsonArray>("/api/admin/tenants"))!.Select(t => (string)t!["name"]!).Should().NotContain("unknown-property-tenant");
    }

    [Fact]
    public async Task People_page_with_cursor_in_and_more_out()
    {
        var client = await lrs.ClientWithScopesAsync("people:write profiles:read", tenantName: "conv-" + Guid.NewGuid().ToString("N")[..8]);
        (await client.PutAsJsonAsync("/api/organisations", new JsonArray(new JsonObject { ["id"] = "org", ["name"] = "Org" }))).EnsureSuccessStatusCode();
        var people = new JsonArray(
            new JsonObject { ["id"] = "p1", ["organisationId"] = "org" },
            new JsonObject { ["id"] = "p2", ["organisationId"] = "org" });
        (await client.PutAsJsonAsync("/api/people", people)).EnsureSuccessStatusCode();

        var first = (await client.GetFromJsonAsync<JsonNode>("/api/people?limit=1"))!;
        var more = (string)first["more"]!;
        more.Should().Contain("cursor=").And.NotContain("after=");
        var second = (await client.GetFromJsonAsync<JsonNode>(more))!;
        second["people"]!.AsArray().Select(p => (string)p!["id"]!).Should().Equal("p2");
    }

    [Fact]
    public async Task The_webinar_list_holds_its_webinars_under_webinars()
    {
        var client = await lrs.ClientWithScopesAsync("statements/read", tenantName: "conv-" + Guid.NewGuid().ToString("N")[..8]);
        var list = (await client.GetFromJsonAsync<JsonNode>("/api/webinars"))!.AsObject();
        list.Select(p => p.Key).Should().Contain("webinars").And.NotContain("sessions");
    }

    [Fact]
    public async Task An_API_request_without_a_credential_is_a_401_ProblemDetails()
    {
        var response = await lrs.CreateClient().GetAsync("/api/people");
        response.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        response.Content.Headers.ContentType!.MediaType.Should().Be("application/problem+json");
        var problem = (await response.Content.ReadFromJsonAsync<JsonNode>())!;
        ((int)problem["status"]!).Should().Be(401);
        ((string?)problem["title"]).Should().NotBeNullOrEmpty();
    }

    [Fact]
    public async Task An_xAPI_request_without_a_credential_keeps_the_xAPI_error_shape()
    {
        var client = lrs.CreateClient();
        client.DefaultRequestHeaders.Add("X-Experience-API-Version", "2.0.0");
        var response = await client.GetAsync("/xapi/statements");
        response.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        response.Content.Headers.ContentType!.MediaType.Should().Be("application/json");
        ((string?)(await response.Content.ReadFromJsonAsync<JsonNode>())!["message"]).Should().NotBeNullOrEmpty();
    }

    [Fact]
    public async Task Every_API_operation_declares_its_errors_401_and_429_included_as_ProblemDetails()
    {
        var document = (await lrs.CreateClient().GetFromJsonAsync<JsonNode>("/openapi/v1.json"))!;
        foreach (var (path, item) in document["paths"]!.AsObject().Where(p => p.Key.StartsWith("/api/", StringComparison.Ordinal)))
            foreach (var (method, operation) in item!.AsObject())
            {
                var responses = operation!["responses"]!.AsObject();
                responses.Should().ContainKey("429", $"{method} {path}");
                if (operation["security"] is not JsonArray { Count: 0 }) responses.Should().ContainKey("401", $"{method} {path}");
                foreach (var (status, response) in responses.Where(r => r.Key.StartsWith('4') || r.Key.StartsWith('5')))
                    response!["content"]!.AsObject().Select(c => c.Key).Should().Equal(["application/problem+json"], $"{method} {path} {status}");
            }
    }

    [Fact]
    public async Task Query_parameter_names_in_the_document_are_camelCase_and_lists_page_with_cursor()
    {
        var document = (await lrs.CreateClient().GetFromJsonAsync<JsonNode>("/openapi/v1.json"))!;
        foreach (var (path, item) in document["paths"]!.AsObject().Where(p => p.Key.StartsWith("/api/", StringComparison.Ordinal)))
            foreach (var (method, operation) in item!.AsObject())
                foreach (var parameter in (operation!["parameters"] as JsonArray ?? []).Where(p => (string)p!["in"]! == "query"))
                {
                    var name = (string)parameter!["name"]!;
                    char.IsLower(name[0]).Should().BeTrue($"{method} {path} has query parameter {name}");
                    new[] { "after", "before" }.Should().NotContain(name, $"{method} {path} pages with cursor");
                }
    }
}

public sealed class ApiConventionsTestsOnSqlite(SqliteLrs lrs) : ApiConventionsTests(lrs), IClassFixture<SqliteLrs>;
public sealed class ApiConventionsTestsOnPostgres(PostgresLrs lrs) : ApiConventionsTests(lrs), IClassFixture<PostgresLrs>;
