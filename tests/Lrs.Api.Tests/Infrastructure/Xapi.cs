using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;

namespace Lrs.Api.Tests.Infrastructure;

/// <summary>Small builders and calls for xAPI tests.</summary>
public static class Xapi
{
    public const string Completed = "http://adlnet.gov/expapi/verbs/completed";
    public const string Passed = "http://adlnet.gov/expapi/verbs/passed";
    public const string Voided = "http://adlnet.gov/expapi/verbs/voided";

    /// <summary>A unique agent with an account IFI, as an HR system would identify an employee.</summary>
    public static JsonObject NewAgent(string? name = null) => new()
    {
        ["objectType"] = "Agent",
        ["name"] = name ?? "Test Person",
        ["account"] = new JsonObject { ["homePage"] = "https://hr.solna.example", ["name"] = "emp-" + Guid.NewGuid().ToString("N")[..12] },
    };

    public static string NewActivityId() => "https://lrs.example/activities/course/" + Guid.NewGuid().ToString("N");

    /// <summary>A realistic e-learning completion statement.</summary>
    public static JsonObject Statement(JsonObject? actor = null, string verb = Completed, string? activity = null, Guid? registration = null, string? id = null)
    {
        var s = new JsonObject
        {
            ["actor"] = actor?.DeepClone() ?? NewAgent(),
            ["verb"] = new JsonObject { ["id"] = verb, ["display"] = new JsonObject { ["en-US"] = "completed", ["sv-SE"] = "slutförde" } },
            ["object"] = new JsonObject
            {
                ["objectType"] = "Activity",
                ["id"] = activity ?? NewActivityId(),
                ["definition"] = new JsonObject
                {
                    ["name"] = new JsonObject { ["sv-SE"] = "Basala hygienrutiner", ["en-US"] = "Basic hygiene routines" },
                    ["type"] = "http://adlnet.gov/expapi/activities/course",
                },
            },
            ["result"] = new JsonObject { ["success"] = true, ["completion"] = true, ["score"] = new JsonObject { ["scaled"] = 0.9 } },
        };
        if (registration is { } r) s["context"] = new JsonObject { ["registration"] = r.ToString() };
        if (id is not null) s["id"] = id;
        return s;
    }

    public static JsonObject Voiding(string targetId, JsonObject? actor = null) => new()
    {
        ["actor"] = actor?.DeepClone() ?? NewAgent(),
        ["verb"] = new JsonObject { ["id"] = Voided },
        ["object"] = new JsonObject { ["objectType"] = "StatementRef", ["id"] = targetId },
    };

    public static StringContent Json(JsonNode node) => new(node.ToJsonString(), Encoding.UTF8, "application/json");

    public static async Task<string[]> PostAsync(this HttpClient client, params JsonNode[] statements)
    {
        JsonNode body = statements.Length == 1 ? statements[0].DeepClone() : new JsonArray([.. statements.Select(s => s.DeepClone())]);
        var response = await client.PostAsync("/xapi/statements", Json(body));
        var text = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"POST failed: {(int)response.StatusCode} {text}");
        return JsonNode.Parse(text)!.AsArray().Select(n => n!.GetValue<string>()).ToArray();
    }

    public static async Task<(HttpResponseMessage Response, JsonNode? Body)> GetJsonAsync(this HttpClient client, string uri)
    {
        var response = await client.GetAsync(uri);
        var text = await response.Content.ReadAsStringAsync();
        return (response, text.Length == 0 ? null : JsonNode.Parse(text));
    }

    /// <summary>The names the Agents resource gives for <paramref name="agent"/> (none when it gives no <c>name</c>); the request must succeed.</summary>
    public static async Task<IEnumerable<string>> AgentNamesAsync(this HttpClient client, JsonNode agent)
    {
        var (response, person) = await client.GetJsonAsync($"/xapi/agents?agent={Q(agent)}");
        response.StatusCode.Should().Be(System.Net.HttpStatusCode.OK, person?.ToJsonString());
        return person!["name"] is JsonArray names ? names.Select(n => n!.GetValue<string>()) : [];
    }

    /// <summary>Follows every <c>more</c> link of a query and returns all statements.</summary>
    public static async Task<List<JsonObject>> GetAllAsync(this HttpClient client, string uri)
    {
        var all = new List<JsonObject>();
        for (var next = uri; !string.IsNullOrEmpty(next);)
        {
            var (response, body) = await client.GetJsonAsync(next);
            if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"GET {next}: {(int)response.StatusCode} {body}");
            all.AddRange(body!["statements"]!.AsArray().Select(s => s!.AsObject()));
            next = body["more"]?.GetValue<string>();
        }
        return all;
    }

    public static string Q(JsonNode node) => Uri.EscapeDataString(node.ToJsonString());

    public static string? Header(this HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? values.First()
        : response.Content.Headers.TryGetValues(name, out var contentValues) ? contentValues.First() : null;
}
