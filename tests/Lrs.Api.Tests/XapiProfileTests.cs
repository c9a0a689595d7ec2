using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Lrs.Api.Tests.Infrastructure;

namespace Lrs.Api.Tests;

/// <summary>The project's xAPI Profile as the API serves it: public, JSON-LD, cacheable. It is no store's data: tested once.</summary>
public sealed class XapiProfileTests(SqliteLrs lrs) : IClassFixture<SqliteLrs>
{
    [Fact]
    public async Task The_xAPI_profile_is_served_without_credentials_as_JSON_LD()
    {
        var response = await lrs.CreateClient().GetAsync("/api/xapi-profile");

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        response.Content.Headers.ContentType!.MediaType.Should().Be("application/ld+json");
        var profile = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        profile["id"]!.GetValue<string>().Should().Be("https://lrsapi.se/xapi/profile");
        profile["type"]!.GetValue<string>().Should().Be("Profile");
        response.Headers.ETag.Should().NotBeNull();
        response.Headers.ETag!.IsWeak.Should().BeFalse();
    }

    [Fact]
    public async Task The_xAPI_profile_is_the_same_document_for_any_credential()
    {
        var anonymous = await lrs.CreateClient().GetStringAsync("/api/xapi-profile");
        var tenant = await lrs.ClientWithScopesAsync("statements/read", tenantName: "kommun-" + Guid.NewGuid().ToString("N")[..8]);

        (await tenant.GetStringAsync("/api/xapi-profile")).Should().Be(anonymous);
    }

    [Fact]
    public async Task The_xAPI_profile_answers_304_to_its_own_ETag_and_HEAD_without_a_body()
    {
        var client = lrs.CreateClient();
        var first = await client.GetAsync("/api/xapi-profile");
        var etag = first.Headers.ETag!;

        var again = new HttpRequestMessage(HttpMethod.Get, "/api/xapi-profile");
        again.Headers.IfNoneMatch.Add(etag);
        var revalidated = await client.SendAsync(again);
        revalidated.StatusCode.Should().Be(HttpStatusCode.NotModified);
        (await revalidated.Content.ReadAsByteArrayAsync()).Should().BeEmpty();

        var stale = new HttpRequestMessage(HttpMethod.Get, "/api/xapi-profile");
        stale.Headers.IfNoneMatch.Add(new EntityTagHeaderValue("\"an-older-profile\""));
        (await client.SendAsync(stale)).StatusCode.Should().Be(HttpStatusCode.OK);

        var head = await client.SendAsync(new HttpRequestMessage(HttpMethod.Head, "/api/xapi-profile"));
        head.StatusCode.Should().Be(HttpStatusCode.OK);
        head.Headers.ETag.Should().Be(etag);
        (await head.Content.ReadAsByteArrayAsync()).Should().BeEmpty();
    }
}
