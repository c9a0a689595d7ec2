using System.Net;
using System.Text.Json.Nodes;
using Lrs.Api.Tests.Infrastructure;
using static Lrs.Api.Tests.Infrastructure.Xapi;

namespace Lrs.Api.Tests;

public abstract class AlternateSyntaxAndCorsTests(LrsFixture lrs)
{
    private static FormUrlEncodedContent Form(params (string Name, string Value)[] fields) =>
        new(fields.Select(f => new KeyValuePair<string, string>(f.Name, f.Value)));

    private static string BasicHeader => "Basic " + Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"{LrsFixture.Key}:{LrsFixture.Secret}"));

    [Fact]
    public async Task Under_1_0_3_a_PUT_sent_as_a_form_POST_stores_the_statement_XAPI_00336()
    {
        var client = lrs.CreateClient();
        var id = Guid.NewGuid().ToString();
        var response = await client.PostAsync("/xapi/statements?method=PUT", Form(
            ("statementId", id),
            ("content", Statement().ToJsonString()),
            ("Authorization", BasicHeader),
            ("X-Experience-API-Version", "1.0.3"),
            ("Content-Type", "application/json")));

        response.StatusCode.Should().Be(HttpStatusCode.NoContent);
        (await lrs.Client().GetAsync($"/xapi/statements?statementId={id}")).StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Under_1_0_3_a_GET_sent_as_a_form_POST_answers_a_StatementResult()
    {
        var response = await lrs.Client().PostAsync("/xapi/statements?method=GET", Form(("limit", "1")));
        response.StatusCode.Should().Be(HttpStatusCode.OK);
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        body["statements"].Should().NotBeNull();
        body["more"].Should().NotBeNull();
    }

    [Fact]
    public async Task Form_parameters_act_as_headers_so_a_bad_version_in_the_form_is_400()
    {
        var response = await lrs.Client().PostAsync("/xapi/statements?method=PUT", Form(
            ("statementId", Guid.NewGuid().ToString()), ("X-Experience-API-Version", "0.8"), ("content", Statement().ToJsonString())));
        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Extra_query_parameters_beside_method_are_400_and_store_nothing()
    {
        var id = Guid.NewGuid().ToString();
        var response = await lrs.Client().PostAsync($"/xapi/statements?method=PUT&statementId={id}", Form(("statementId", id), ("content", Statement().ToJsonString())));
        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await lrs.Client().GetAsync($"/xapi/statements?statementId={id}")).StatusCode.Should().Be(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task The_alternate_syntax_is_POST_only_and_needs_a_form_body()
    {
        var client = lrs.Client();
        (await client.PutAsync("/xapi/statements?method=POST", Form(("content", Statement().ToJsonString())))).StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await client.PostAsync("/xapi/statements?method=PUT", Json(new JsonObject { ["statementId"] = Guid.NewGuid().ToString() }))).StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await client.PostAsync("/xapi/statements?method=PUT", null)).StatusCode.Should().Be(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Under_2_0_the_alternate_syntax_is_rejected()
    {
        var id = Guid.NewGuid().ToString();
        var response = await lrs.Client("2.0.0").PostAsync("/xapi/statements?method=PUT", Form(("statementId", id), ("content", Statement().ToJsonString())));
        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        var viaForm = await lrs.Client(version: null).PostAsync("/xapi/statements?method=GET", Form(("X-Experience-API-Version", "2.0.0"), ("Authorization", BasicHeader)));
        viaForm.StatusCode.Should().Be(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task A_browser_preflight_for_the_xAPI_headers_is_allowed_without_credentials()
    {
        var request = new HttpRequestMessage(HttpMethod.Options, "/xapi/statements");
        request.Headers.Add("Origin", "https://kurser.solna.se");
        request.Headers.Add("Access-Control-Request-Method", "PUT");
        request.Headers.Add("Access-Control-Request-Headers", "authorization, x-experience-api-version, content-type, if-match");
        var response = await lrs.CreateClient().SendAsync(request);

        response.StatusCode.Should().Be(HttpStatusCode.NoContent);
        response.Header("Access-Control-Allow-Origin").Should().Be("*");
        response.Header("Access-Control-Allow-Methods").Should().Contain("PUT");
        response.Header("Access-Control-Allow-Headers")!.ToLowerInvariant().Should().Contain("x-experience-api-version").And.Contain("authorization").And.Contain("if-match");
    }

    [Fact]
    public async Task A_cross_origin_response_exposes_the_xAPI_headers()
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "/xapi/statements?limit=1");
        request.Headers.Add("Origin", "https://kurser.solna.se");
        var response = await lrs.Client().SendAsync(request);

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        var exposed = response.Header("Access-Control-Expose-Headers")!.ToLowerInvariant();
        exposed.Should().Contain("x-experience-api-consistent-through").And.Contain("x-experience-api-version").And.Contain("etag").And.Contain("last-modified");
    }
}

public sealed class AlternateSyntaxAndCorsTestsOnSqlite(SqliteLrs lrs) : AlternateSyntaxAndCorsTests(lrs), IClassFixture<SqliteLrs>;
public sealed class AlternateSyntaxAndCorsTestsOnPostgres(PostgresLrs lrs) : AlternateSyntaxAndCorsTests(lrs), IClassFixture<PostgresLrs>;
