using System.Net;
using System.Text.Json.Nodes;
using Lrs.Api.Tests.Infrastructure;

namespace Lrs.Api.Tests;

/// <summary>The OpenAPI document and Swagger UI: they describe the routes, not any store's data, so they are tested once.</summary>
public sealed class OpenApiDocumentTests(SqliteLrs lrs) : IClassFixture<SqliteLrs>
{
    [Fact]
    public async Task The_OpenAPI_document_is_served_and_equals_the_committed_copy()
    {
        var served = await lrs.CreateClient().GetStringAsync("/openapi/v1.json");
        var committedPath = Path.Combine(ProtocolTests.RepositoryRoot(), "openapi", "v1.json");
        if (Environment.GetEnvironmentVariable("LRS_UPDATE_OPENAPI") == "1")
            await File.WriteAllTextAsync(committedPath, Normalise(served));

        File.Exists(committedPath).Should().BeTrue("the OpenAPI document is committed under openapi/ (regenerate with LRS_UPDATE_OPENAPI=1 dotnet test)");
        Normalise(await File.ReadAllTextAsync(committedPath)).Should().Be(Normalise(served),
            "the committed openapi/v1.json must match what the API serves; regenerate with LRS_UPDATE_OPENAPI=1 dotnet test");
    }

    [Fact]
    public async Task Swagger_UI_is_served()
    {
        var response = await lrs.CreateClient().GetAsync("/swagger/index.html");
        response.StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Every_endpoint_in_the_OpenAPI_document_has_a_summary()
    {
        var document = JsonNode.Parse(await lrs.CreateClient().GetStringAsync("/openapi/v1.json"))!;
        var operations = document["paths"]!.AsObject().SelectMany(p => p.Value!.AsObject().Select(o => (Path: p.Key, Method: o.Key, Operation: o.Value))).ToList();
        operations.Should().NotBeEmpty();
        foreach (var (path, method, operation) in operations)
            ((string?)operation!["summary"]).Should().NotBeNullOrEmpty($"{method} {path} needs a summary");
    }

    [Fact]
    public async Task Try_it_out_sends_no_example_filter_the_caller_did_not_choose()
    {
        // Swagger UI fills a parameter's example into Try it out: an optional filter with an example finds nothing.
        var document = JsonNode.Parse(await lrs.CreateClient().GetStringAsync("/openapi/v1.json"))!;
        foreach (var (path, item) in document["paths"]!.AsObject())
            foreach (var (method, operation) in item!.AsObject())
                foreach (var parameter in operation!["parameters"] as JsonArray ?? [])
                    if (parameter!["required"]?.GetValue<bool>() != true)
                        parameter.AsObject().Should().NotContainKeys(["example", "examples"], $"{method} {path} {parameter["name"]} is optional");
    }

    private static string Normalise(string json) => JsonNode.Parse(json)!.ToJsonString(new() { WriteIndented = true }) + "\n";
}
