using System.Net;
using System.Text.Json.Nodes;
using Lrs.Api.Tests.Infrastructure;
using static Lrs.Api.Tests.Infrastructure.Xapi;

namespace Lrs.Api.Tests;

public abstract class ActivitiesAndAgentsTests(LrsFixture lrs)
{
    private readonly HttpClient _client = lrs.Client();

    private static JsonObject WithDefinition(string activity, JsonObject definition)
    {
        var s = Statement(activity: activity);
        s["object"]!["definition"] = definition;
        return s;
    }

    [Fact]
    public async Task The_activity_definition_merges_every_language_and_extension_the_LRS_has_seen()
    {
        var activity = NewActivityId();
        await _client.PostAsync(WithDefinition(activity, new JsonObject
        {
            ["name"] = new JsonObject { ["sv-SE"] = "Förflyttningsteknik" },
            ["type"] = "http://adlnet.gov/expapi/activities/course",
            ["extensions"] = new JsonObject { ["https://lrs.example/ext/days"] = 2 },
        }));
        await _client.PostAsync(WithDefinition(activity, new JsonObject
        {
            ["name"] = new JsonObject { ["en-US"] = "Patient transfer technique" },
            ["description"] = new JsonObject { ["en-US"] = "Two days on site" },
        }));

        var (response, body) = await _client.GetJsonAsync($"/xapi/activities?activityId={Uri.EscapeDataString(activity)}");
        response.StatusCode.Should().Be(HttpStatusCode.OK);
        body!["id"]!.GetValue<string>().Should().Be(activity);
        body["objectType"]!.GetValue<string>().Should().Be("Activity");
        var definition = body["definition"]!;
        definition["name"]!.AsObject().Select(p => p.Key).Should().BeEquivalentTo("sv-SE", "en-US");
        definition["description"]!["en-US"]!.GetValue<string>().Should().Be("Two days on site");
        definition["type"]!.GetValue<string>().Should().Be("http://adlnet.gov/expapi/activities/course");
        definition["extensions"]!["https://lrs.example/ext/days"]!.GetValue<int>().Should().Be(2);
    }

    [Fact]
    public async Task A_definition_sent_again_as_it_was_adds_nothing_and_one_that_differs_after_it_is_merged_in()
    {
        var activity = NewActivityId();
        JsonObject Swedish() => new() { ["name"] = new JsonObject { ["sv-SE"] = "Hygien" }, ["type"] = "http://adlnet.gov/expapi/activities/course" };
        // In one batch: the same text twice, then one that adds a language.
        await _client.PostAsync(WithDefinition(activity, Swedish()), WithDefinition(activity, Swedish()),
            WithDefinition(activity, new JsonObject { ["name"] = new JsonObject { ["en-US"] = "Hygiene" } }));
        // Across batches: the first text again (known to add nothing), then it once more beside one that adds a description.
        await _client.PostAsync(WithDefinition(activity, Swedish()));
        await _client.PostAsync(WithDefinition(activity, Swedish()),
            WithDefinition(activity, new JsonObject { ["description"] = new JsonObject { ["sv-SE"] = "Basala hygienrutiner" } }));
        // Alone in its batch, a text not seen before for a known activity.
        await _client.PostAsync(WithDefinition(activity, new JsonObject { ["moreInfo"] = "https://lrs.example/hygien" }));

        var (_, body) = await _client.GetJsonAsync($"/xapi/activities?activityId={Uri.EscapeDataString(activity)}");
        var definition = body!["definition"]!;
        definition["name"]!["sv-SE"]!.GetValue<string>().Should().Be("Hygien");
        definition["name"]!["en-US"]!.GetValue<string>().Should().Be("Hygiene");
        definition["description"]!["sv-SE"]!.GetValue<string>().Should().Be("Basala hygienrutiner");
        definition["type"]!.GetValue<string>().Should().Be("http://adlnet.gov/expapi/activities/course");
        definition["moreInfo"]!.GetValue<string>().Should().Be("https://lrs.example/hygien");
    }

    [Fact]
    public async Task Context_activities_get_canonical_definitions_too()
    {
        var parent = NewActivityId();
        var statement = Statement();
        statement["context"] = new JsonObject
        {
            ["contextActivities"] = new JsonObject
            {
                ["parent"] = new JsonArray(new JsonObject { ["id"] = parent, ["definition"] = new JsonObject { ["name"] = new JsonObject { ["sv-SE"] = "Lärcentrum" } } }),
            },
        };
        await _client.PostAsync(statement);
        var (_, body) = await _client.GetJsonAsync($"/xapi/activities?activityId={Uri.EscapeDataString(parent)}");
        body!["definition"]!["name"]!["sv-SE"]!.GetValue<string>().Should().Be("Lärcentrum");
    }

    [Fact]
    public async Task An_unknown_activity_is_answered_with_its_id()
    {
        var activity = NewActivityId();
        var (response, body) = await _client.GetJsonAsync($"/xapi/activities?activityId={Uri.EscapeDataString(activity)}");
        response.StatusCode.Should().Be(HttpStatusCode.OK);
        body!.AsObject().Select(p => p.Key).Should().BeEquivalentTo("objectType", "id");
    }

    [Theory]
    [InlineData("")]
    [InlineData("?activityId=not%20an%20iri")]
    [InlineData("?activityid=http%3A%2F%2Fexample.com%2Fa")]
    public async Task Activities_without_a_valid_activityId_is_400(string query)
    {
        (await _client.GetAsync("/xapi/activities" + query)).StatusCode.Should().Be(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Canonical_format_shows_the_merged_definition_in_one_language()
    {
        var activity = NewActivityId();
        var first = await _client.PostAsync(WithDefinition(activity, new JsonObject { ["name"] = new JsonObject { ["en-US"] = "Fire safety" } }));
        await _client.PostAsync(WithDefinition(activity, new JsonObject { ["name"] = new JsonObject { ["sv-SE"] = "Brandskydd" } }));

        var request = new HttpRequestMessage(HttpMethod.Get, $"/xapi/statements?statementId={first[0]}&format=canonical");
        request.Headers.AcceptLanguage.ParseAdd("sv-SE");
        var body = JsonNode.Parse(await (await _client.SendAsync(request)).Content.ReadAsStringAsync())!;
        body["object"]!["definition"]!["name"]!.ToJsonString().Should().Be("""{"sv-SE":"Brandskydd"}""", "the canonical definition knows the Swedish name the first statement lacked");
    }

    [Fact]
    public async Task A_Person_lists_the_names_and_identifier_of_an_agent_as_arrays()
    {
        var anna = NewAgent("Anna Andersson");
        await _client.PostAsync(Statement(anna));
        var renamed = (JsonObject)anna.DeepClone();
        renamed["name"] = "Anna Berg";
        await _client.PostAsync(Statement(renamed));

        var query = (JsonObject)anna.DeepClone();
        query.Remove("name");
        var (response, person) = await _client.GetJsonAsync($"/xapi/agents?agent={Q(query)}");
        response.StatusCode.Should().Be(HttpStatusCode.OK);
        person!["objectType"]!.GetValue<string>().Should().Be("Person");
        person["name"]!.AsArray().Select(n => n!.GetValue<string>()).Should().BeEquivalentTo("Anna Andersson", "Anna Berg");
        person["account"]!.AsArray().Should().ContainSingle();
        person["account"]![0]!["name"]!.GetValue<string>().Should().Be(anna["account"]!["name"]!.GetValue<string>());
    }

    [Fact]
    public async Task An_unknown_agent_is_a_Person_with_the_identifier_asked_for()
    {
        var agent = new JsonObject { ["mbox"] = $"mailto:{Guid.NewGuid():N}@example.com" };
        var (response, person) = await _client.GetJsonAsync($"/xapi/agents?agent={Q(agent)}");
        response.StatusCode.Should().Be(HttpStatusCode.OK);
        person!["mbox"]!.AsArray().Select(m => m!.GetValue<string>()).Should().Equal(agent["mbox"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("")]
    [InlineData("?agent=not-json")]
    [InlineData("?agent=%7B%22name%22%3A%22no%20identifier%22%7D")]
    [InlineData("?agent=%7B%22mbox%22%3A%22mailto%3Aa%40example.com%22%2C%22openid%22%3A%22http%3A%2F%2Fexample.com%2Fa%22%7D")]
    public async Task Agents_without_a_valid_agent_is_400(string query)
    {
        (await _client.GetAsync("/xapi/agents" + query)).StatusCode.Should().Be(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Head_works_on_activities_and_agents()
    {
        foreach (var uri in new[] { $"/xapi/activities?activityId={Uri.EscapeDataString(NewActivityId())}", $"/xapi/agents?agent={Q(NewAgent())}" })
        {
            var response = await _client.SendAsync(new HttpRequestMessage(HttpMethod.Head, uri));
            response.StatusCode.Should().Be(HttpStatusCode.OK);
            (await response.Content.ReadAsByteArrayAsync()).Should().BeEmpty();
        }
    }
}

public sealed class ActivitiesAndAgentsTestsOnSqlite(SqliteLrs lrs) : ActivitiesAndAgentsTests(lrs), IClassFixture<SqliteLrs>;
public sealed class ActivitiesAndAgentsTestsOnPostgres(PostgresLrs lrs) : ActivitiesAndAgentsTests(lrs), IClassFixture<PostgresLrs>;
