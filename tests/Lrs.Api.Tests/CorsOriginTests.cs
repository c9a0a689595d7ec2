using System.Net;
using Lrs.Api.Tests.Infrastructure;

namespace Lrs.Api.Tests;

/// <summary>
/// With Lrs:Cors:AllowedOrigins set, only those origins' browser content may call the LRS. A preflight reaches no
/// store: tested once.
/// </summary>
public sealed class CorsOriginTests(SqliteLrs<OneOrigin> lrs) : IClassFixture<SqliteLrs<OneOrigin>>
{
    private async Task<HttpResponseMessage> PreflightAsync(string origin)
    {
        var request = new HttpRequestMessage(HttpMethod.Options, "/xapi/statements");
        request.Headers.Add("Origin", origin);
        request.Headers.Add("Access-Control-Request-Method", "POST");
        request.Headers.Add("Access-Control-Request-Headers", "authorization, x-experience-api-version, content-type");
        return await lrs.CreateClient().SendAsync(request);
    }

    [Fact]
    public async Task A_listed_origin_is_allowed_by_name()
    {
        var response = await PreflightAsync("https://kurser.solna.se");
        response.StatusCode.Should().Be(HttpStatusCode.NoContent);
        response.Header("Access-Control-Allow-Origin").Should().Be("https://kurser.solna.se");
    }

    [Fact]
    public async Task Another_origin_gets_no_CORS_permission()
    {
        var response = await PreflightAsync("https://elsewhere.example");
        response.Header("Access-Control-Allow-Origin").Should().BeNull();
    }
}

public sealed class OneOrigin : ILrsVariant
{
    public static IReadOnlyDictionary<string, string?> Settings { get; } = new Dictionary<string, string?> { ["Lrs:Cors:AllowedOrigins:0"] = "https://kurser.solna.se" };
}

