using System.Net;
using System.Text.Json.Nodes;
using Lrs.Api.Tests.Infrastructure;

namespace Lrs.Api.Tests;

public abstract class ProtocolTests(LrsFixture lrs)
{
    [Fact]
    public async Task About_answers_without_credentials_and_lists_both_versions()
    {
        var client = lrs.CreateClient();
        var (response, body) = await client.GetJsonAsync("/xapi/about");

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        body!["version"]!.AsArray().Select(v => v!.GetValue<string>()).Should().BeEquivalentTo("1.0.3", "2.0.0");
        response.Header("X-Experience-API-Version").Should().NotBeNull();
    }

    [Fact]
    public async Task Missing_credentials_get_401_with_a_basic_challenge_json_message_and_version_header()
    {
        var client = lrs.CreateClient();
        client.DefaultRequestHeaders.Add("X-Experience-API-Version", "1.0.3");
        var (response, body) = await client.GetJsonAsync("/xapi/statements");

        response.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        response.Headers.WwwAuthenticate.ToString().Should().StartWith("Basic");
        body!["message"]!.GetValue<string>().Should().NotBeNullOrEmpty();
        response.Header("X-Experience-API-Version").Should().Be("1.0.3");
    }

    [Fact]
    public async Task A_wrong_secret_gets_401()
    {
        var (response, _) = await lrs.Client(secret: "not-the-secret").GetJsonAsync("/xapi/statements");
        response.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task A_request_without_version_header_is_rejected_with_400_and_still_carries_the_header()
    {
        var (response, body) = await lrs.Client(version: null).GetJsonAsync("/xapi/statements");

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        body!["message"]!.GetValue<string>().Should().Contain("X-Experience-API-Version");
        response.Header("X-Experience-API-Version").Should().BeOneOf("1.0.3", "2.0.0");
    }

    [Theory]
    [InlineData("0.95")]
    [InlineData("1.1.0")]
    [InlineData("3.0.0")]
    [InlineData("banana")]
    public async Task An_unsupported_version_is_rejected_with_400(string version)
    {
        var (response, _) = await lrs.Client(version: version).GetJsonAsync("/xapi/statements");
        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
    }

    [Theory]
    [InlineData("1.0.3", "1.0.3")]
    [InlineData("1.0.0", "1.0.3")]
    [InlineData("2.0.0", "2.0.0")]
    [InlineData("2.0", "2.0.0")]
    public async Task The_response_names_the_version_served(string requested, string served)
    {
        var (response, _) = await lrs.Client(version: requested).GetJsonAsync("/xapi/statements?limit=1");
        response.StatusCode.Should().Be(HttpStatusCode.OK);
        response.Header("X-Experience-API-Version").Should().Be(served);
    }

    [Fact]
    public async Task A_request_without_version_is_answered_in_the_version_its_credential_last_used()
    {
        var client = lrs.Client(version: "1.0.3");
        (await client.GetAsync("/xapi/statements?limit=1")).EnsureSuccessStatusCode();
        var bare = lrs.Client(version: null);
        var (response, _) = await bare.GetJsonAsync("/xapi/statements?limit=1");
        response.Header("X-Experience-API-Version").Should().Be("1.0.3");

        (await lrs.Client(version: "2.0.0").GetAsync("/xapi/statements?limit=1")).EnsureSuccessStatusCode();
        (await bare.GetJsonAsync("/xapi/statements?limit=1")).Response.Header("X-Experience-API-Version").Should().Be("2.0.0");
    }

    /// <summary>The checkout's root, where LrsApi.sln is.</summary>
    internal static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "LrsApi.sln"))) return dir.FullName;
        throw new InvalidOperationException("LrsApi.sln not found above the test output directory.");
    }

    [Fact]
    public async Task Under_api_a_wrong_media_type_an_unknown_route_and_a_wrong_method_are_ProblemDetails()
    {
        var client = await lrs.ClientWithScopesAsync("people:write statements/write profiles:read", tenantName: "pt-" + Guid.NewGuid().ToString("N")[..8]);
        var cases = new (HttpRequestMessage Request, HttpStatusCode Status)[]
        {
            (new HttpRequestMessage(HttpMethod.Put, "/api/people") { Content = new StringContent("[]", System.Text.Encoding.UTF8, "text/plain") }, HttpStatusCode.UnsupportedMediaType),
            (new HttpRequestMessage(HttpMethod.Put, "/api/webinars/w1/attendance") { Content = new StringContent("{}", System.Text.Encoding.UTF8, "application/json") }, HttpStatusCode.UnsupportedMediaType),
            (new HttpRequestMessage(HttpMethod.Get, "/api/no-such-thing"), HttpStatusCode.NotFound),
            (new HttpRequestMessage(HttpMethod.Delete, "/api/people"), HttpStatusCode.MethodNotAllowed),
        };
        foreach (var (request, status) in cases)
        {
            var response = await client.SendAsync(request);
            response.StatusCode.Should().Be(status, request.RequestUri!.ToString());
            response.Content.Headers.ContentType!.MediaType.Should().Be("application/problem+json");
            (await response.Content.ReadAsStringAsync()).Should().Contain($"\"status\":{(int)status}");
        }
    }
}

public sealed class ProtocolTestsOnSqlite(SqliteLrs lrs) : ProtocolTests(lrs), IClassFixture<SqliteLrs>;
public sealed class ProtocolTestsOnPostgres(PostgresLrs lrs) : ProtocolTests(lrs), IClassFixture<PostgresLrs>;
