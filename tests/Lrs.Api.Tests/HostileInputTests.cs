using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Lrs.Api.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;
using static Lrs.Api.Tests.Infrastructure.Xapi;

namespace Lrs.Api.Tests;

/// <summary>
/// Every endpoint that takes a body, sent what an attacker or a broken client sends: malformed and truncated JSON, bytes
/// that are not UTF-8, lone surrogates, nulls and wrong types where the body has arrays, objects and strings, deep
/// nesting, huge strings, no body, the wrong content type, and CSV in odd encodings. Each is refused with 4xx and an
/// error body that says why (ProblemDetails under /api, an xAPI error under /xapi), and nothing is stored.
/// </summary>
public abstract partial class HostileInputTests(LrsFixture lrs, ITestOutputHelper output)
{
    private const string AllScopes = "all admin operator profiles:read people:write framework:write reflections:read reflections:write";

    /// <summary>
    /// One endpoint that takes a body: a body it accepts, and the reads that show what it stored. A document's content is
    /// opaque (xAPI stores what PUT sends, and merges any JSON object POST sends, huge strings included), so it gets no
    /// shape payloads, and a document PUT may take anything but must not fail.
    /// </summary>
    private sealed record Target(string Method, string Route, Func<string> NewPath, Func<string, string[]> Reads, JsonNode Valid,
        bool OpaqueContent = false, bool Shapes = true);

    private sealed record Payload(string Name, byte[] Body, string? ContentType = "application/json");

    [Fact]
    public async Task Every_endpoint_that_takes_a_body_refuses_hostile_input_with_4xx_and_an_error_body_and_stores_nothing()
    {
        var (client, targets) = await SeedAsync();
        var covered = targets.Select(t => $"{t.Method} {t.Route}").ToHashSet();
        string[] bodiless = ["POST /api/admin/evidence/rebuild", "POST /api/admin/privacy/retention", "POST /api/admin/webhooks/{id:guid}/resume", "POST /api/admin/webhooks/{id:guid}/pause", "POST /api/people/{id}/training-plan/draft"];
        var routes = lrs.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .SelectMany(e => (e.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? []).Select(m => $"{m} /{e.RoutePattern.RawText!.Trim('/')}"))
            .Where(r => r.StartsWith("PUT ", StringComparison.Ordinal) || r.StartsWith("POST ", StringComparison.Ordinal) || r.StartsWith("PATCH ", StringComparison.Ordinal))
            .Distinct().ToList();
        routes.Except(bodiless).Should().BeSubsetOf(covered, "every route that takes a body is swept (or listed as taking none)");

        var failures = new List<string>();
        var sent = 0;
        foreach (var target in targets)
        {
            foreach (var payload in Payloads(target))
            {
                sent++;
                var path = target.NewPath();
                var before = await ReadAllAsync(client, target.Reads(path));
                var request = new HttpRequestMessage(new HttpMethod(target.Method), path) { Content = new ByteArrayContent(payload.Body) };
                if (payload.ContentType is not null) request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(payload.ContentType);
                var response = await client.SendAsync(request);
                var status = (int)response.StatusCode;
                var text = await response.Content.ReadAsStringAsync();
                var what = $"{target.Method} {target.Route} with {payload.Name}: {status} {Shorten(text)}";
                if (status >= 500) { failures.Add(what); continue; }
                if (status < 400)
                {
                    if (!target.OpaqueContent) failures.Add(what + " (accepted)");
                    continue;
                }
                if (ErrorProblem(path, response, text) is { } problem) failures.Add($"{what} ({problem})");
                var after = await ReadAllAsync(client, target.Reads(path));
                if (after != before) failures.Add($"{what} (stored something: {Shorten(after)})");
            }

            // The check is real: the same reads see what the valid body stores.
            var validPath = target.NewPath();
            var unchanged = await ReadAllAsync(client, target.Reads(validPath));
            var valid = new HttpRequestMessage(new HttpMethod(target.Method), validPath) { Content = Content(target) };
            var accepted = await client.SendAsync(valid);
            if (!accepted.IsSuccessStatusCode)
                failures.Add($"{target.Method} {validPath} refused its valid body: {(int)accepted.StatusCode} {await accepted.Content.ReadAsStringAsync()}");
            else if (await ReadAllAsync(client, target.Reads(validPath)) == unchanged)
                failures.Add($"{target.Method} {validPath}: the reads do not show what its valid body stored, so they show nothing");
        }
        output.WriteLine($"{targets.Count} endpoints, {sent} hostile requests on {lrs.StoreName}.");
        if (failures.Count > 0) Assert.Fail($"{failures.Count} of {sent} hostile requests were not refused cleanly:\n{string.Join("\n", failures)}");
    }

    [Fact]
    public async Task Bad_UTF8_or_a_lone_surrogate_in_a_property_name_or_value_is_a_400_that_says_so_and_stores_nothing()
    {
        // The requests of issue 12 (5a): each ended in 500 "Cannot transcode invalid UTF-8 JSON text to UTF-16 string".
        var (client, targets) = await SeedAsync();
        string[] routes =
        [
            "PUT /api/framework/{section}/{id}", "POST /api/reflection-tasks/{id:guid}/answers", "POST /api/units/{id}/group-reflections",
            "POST /xapi/activities/state", "POST /xapi/activities/profile", "POST /xapi/agents/profile",
        ];
        var swept = targets.Where(t => routes.Contains($"{t.Method} {t.Route}")).ToList();
        swept.Should().HaveCount(9);
        foreach (var target in swept)
        {
            var valid = Encoding.UTF8.GetBytes(target.Valid.ToJsonString());
            foreach (var (what, body) in new[]
            {
                ("an escaped lone surrogate in a name", InFirstObject(valid, "\"\\ud800\":1,"u8.ToArray())),
                ("an escaped lone surrogate in a value", InFirstString(valid, "\\ud800"u8.ToArray())),
                ("bytes C3 28 in a name", InFirstObject(valid, [.. "\""u8, 0xC3, 0x28, .. "\":1,"u8])),
                ("byte FF in a value", InFirstString(valid, [0xFF])),
            })
            {
                var path = target.NewPath();
                var before = await ReadAllAsync(client, target.Reads(path));
                var response = await client.SendAsync(new HttpRequestMessage(new HttpMethod(target.Method), path)
                {
                    Content = new ByteArrayContent(body) { Headers = { ContentType = new MediaTypeHeaderValue("application/json") } },
                });
                var text = await response.Content.ReadAsStringAsync();
                response.StatusCode.Should().Be(HttpStatusCode.BadRequest, $"{target.Method} {path} with {what}: {text}");
                ErrorProblem(path, response, text).Should().BeNull();
                text.Should().MatchRegex("UTF-8|surrogate", "the answer names the problem");
                (await ReadAllAsync(client, target.Reads(path))).Should().Be(before, $"{target.Method} {path} with {what} stores nothing");
            }
        }
    }

    [Fact]
    public async Task A_null_among_the_scopes_of_a_new_credential_is_a_400_that_says_so_and_issues_nothing()
    {
        var client = await lrs.ClientWithScopesAsync("admin", "2.0.0", "hostile-" + Guid.NewGuid().ToString("N")[..8]);
        var before = await client.GetStringAsync("/api/admin/credentials");
        var response = await client.PostAsync("/api/admin/credentials", new StringContent("""{"name":"x","scopes":["statements/read",null]}""", Encoding.UTF8, "application/json"));

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        response.Content.Headers.ContentType!.MediaType.Should().Be("application/problem+json");
        (await response.Content.ReadFromJsonAsync<JsonNode>())!["detail"]!.GetValue<string>().Should().Contain("null");
        (await client.GetStringAsync("/api/admin/credentials")).Should().Be(before);
    }

    private static HttpContent Content(Target target) => target.Valid is JsonValue v && v.TryGetValue(out string? csv)
        ? new StringContent(csv, Encoding.UTF8, "text/csv")
        : Json(target.Valid);

    /// <summary>What is wrong with an error response, or null: ProblemDetails under /api, an xAPI error under /xapi, naming the problem.</summary>
    private static string? ErrorProblem(string path, HttpResponseMessage response, string text)
    {
        var mediaType = response.Content.Headers.ContentType?.MediaType;
        JsonNode? body;
        try { body = JsonNode.Parse(text); }
        catch (System.Text.Json.JsonException) { return "the body is not JSON"; }
        if (path.StartsWith("/api", StringComparison.Ordinal))
        {
            if (mediaType != "application/problem+json") return $"content type {mediaType}, not application/problem+json";
            return body?["title"] is JsonValue && body["detail"] is JsonValue detail && detail.GetValue<string>().Length > 0 ? null : "no title and detail";
        }
        if (response.Headers.Contains("X-Experience-API-Version") is false) return "no X-Experience-API-Version header";
        return body?["message"] is JsonValue message && message.GetValue<string>().Length > 0 ? null : "no message";
    }

    private static async Task<string> ReadAllAsync(HttpClient client, string[] reads)
    {
        var all = new StringBuilder();
        foreach (var read in reads)
        {
            var response = await client.GetAsync(read);
            all.Append((int)response.StatusCode).Append(' ').AppendLine(Volatile().Replace(await response.Content.ReadAsStringAsync(), ""));
        }
        return all.ToString();
    }

    // A problem's trace id and a statement page's cursor differ from one read to the next.
    [GeneratedRegex("\"(traceId|more)\":\"[^\"]*\"")]
    private static partial Regex Volatile();

    private static string Shorten(string text) => text.Length > 300 ? text[..300] + "…" : text;

    // ------------------------------------------------------------------ payloads

    private static readonly byte[] InvalidUtf8 = [0xC3, 0x28, 0xFF, 0xC0, 0xAF];
    private static readonly byte[] RawSurrogate = [0xED, 0xA0, 0x80]; // U+D800 encoded as if it were a character

    private static IEnumerable<Payload> Payloads(Target target)
    {
        if (target.Valid is JsonValue v && v.TryGetValue(out string? csv))
        {
            foreach (var payload in CsvPayloads(csv)) yield return payload;
            yield break;
        }
        var valid = Encoding.UTF8.GetBytes(target.Valid.ToJsonString());
        yield return new("malformed JSON", "{\"name\": \"x\",, ]"u8.ToArray());
        yield return new("text that is not JSON", "name=x&scopes=all"u8.ToArray());
        yield return new("truncated JSON", valid[..(valid.Length / 2)]);
        yield return new("an empty body", []);
        yield return new("JSON null", "null"u8.ToArray());
        yield return new("invalid UTF-8 in a property name", InFirstObject(valid, [.. "\""u8, .. InvalidUtf8, .. "\":1,"u8]));
        yield return new("invalid UTF-8 in a string value", InFirstString(valid, InvalidUtf8));
        yield return new("an escaped lone surrogate in a property name", InFirstObject(valid, "\"\\udc00x\":1,"u8.ToArray()));
        yield return new("an escaped lone surrogate in a string value", InFirstString(valid, "\\ud800"u8.ToArray()));
        yield return new("a raw (encoded) surrogate in a property name", InFirstObject(valid, [.. "\""u8, .. RawSurrogate, .. "\":1,"u8]));
        yield return new("a raw (encoded) surrogate in a string value", InFirstString(valid, RawSurrogate));
        yield return new("nesting 10,000 deep", InFirstObject(valid, Encoding.UTF8.GetBytes("\"deep\":" + new string('[', 10_000) + new string(']', 10_000) + ",")));
        yield return new("a root nested 10,000 deep", Encoding.UTF8.GetBytes(new string('[', 10_000) + new string(']', 10_000)));
        if (target.Shapes) yield return new("a 5 MB string", InFirstString(valid, Encoding.UTF8.GetBytes(new string('å', 2_500_000))));
        yield return new("the wrong content type", valid, "text/plain");
        yield return new("the wrong root type", Encoding.UTF8.GetBytes(target.Valid is JsonArray ? "{\"id\":\"x\"}" : "[\"x\"]"));
        if (target.Route == "/xapi/statements")
            foreach (var payload in MultipartPayloads(valid)) yield return payload;
        if (!target.Shapes) yield break;
        foreach (var (where, mutated) in Mutations(target.Valid))
            yield return new(where, Encoding.UTF8.GetBytes(mutated.ToJsonString()));
    }

    /// <summary>For every array, object and string inside the body: a null among its items, and values of the wrong type.</summary>
    private static IEnumerable<(string Where, JsonNode Body)> Mutations(JsonNode valid)
    {
        var paths = new List<string>();
        void Collect(JsonNode? node)
        {
            if (node is null) return;
            paths.Add(node.GetPath());
            if (node is JsonObject o) foreach (var (_, child) in o) Collect(child);
            if (node is JsonArray a) foreach (var child in a) Collect(child);
        }
        Collect(valid);
        foreach (var path in paths.Skip(1))
        {
            var node = Find(valid, path);
            var replacements = node switch
            {
                JsonArray => new (string, Func<JsonNode, JsonNode?>)[] { ("null among the items of", n => { var a = (JsonArray)n.DeepClone(); a.Add(null); return a; }), ("an object for the array", _ => new JsonObject()), ("a string for the array", _ => "x") },
                JsonObject => [("an array for the object", _ => new JsonArray()), ("a number for the object", _ => 7)],
                JsonValue value when value.GetValueKind() == System.Text.Json.JsonValueKind.String => [("a number for the string", _ => 7), ("an object for the string", _ => new JsonObject()), ("an array for the string", _ => new JsonArray("x"))],
                JsonValue value when value.GetValueKind() == System.Text.Json.JsonValueKind.Number => [("a string for the number", _ => "seven")],
                JsonValue => [("a string for the boolean", _ => "yes")],
                _ => [],
            };
            foreach (var (what, make) in replacements)
            {
                var body = valid.DeepClone();
                var at = Find(body, path)!;
                var replacement = make(at);
                switch (at.Parent)
                {
                    case JsonObject parent: parent[at.GetPropertyName()] = replacement; break;
                    case JsonArray parent: parent[at.GetElementIndex()] = replacement; break;
                }
                yield return ($"{what} at {path}", body);
            }
        }
    }

    private static JsonNode? Find(JsonNode root, string path)
    {
        JsonNode? found = null;
        void Walk(JsonNode? node)
        {
            if (node is null || found is not null) return;
            if (node.GetPath() == path) { found = node; return; }
            if (node is JsonObject o) foreach (var (_, child) in o) Walk(child);
            if (node is JsonArray a) foreach (var child in a) Walk(child);
        }
        Walk(root);
        return found;
    }

    private static byte[] InFirstObject(byte[] json, byte[] inserted)
    {
        var at = Array.IndexOf(json, (byte)'{');
        return at < 0 ? [.. "{"u8, .. inserted, .. "\"x\":1}"u8] : [.. json[..(at + 1)], .. inserted, .. json[(at + 1)..]];
    }

    private static byte[] InFirstString(byte[] json, byte[] inserted)
    {
        var at = json.AsSpan().IndexOf("\":\""u8);
        return at < 0 ? [.. "{\"x\":\""u8, .. inserted, .. "\"}"u8] : [.. json[..(at + 3)], .. inserted, .. json[(at + 3)..]];
    }

    // Statements may come as the first part of multipart/mixed, read by the same JSON reader.
    private static IEnumerable<Payload> MultipartPayloads(byte[] valid)
    {
        const string Type = "multipart/mixed; boundary=hostile";
        static byte[] Parts(string firstType, byte[] first) =>
            [.. Encoding.UTF8.GetBytes($"--hostile\r\nContent-Type: {firstType}\r\n\r\n"), .. first, .. "\r\n--hostile--\r\n"u8];
        yield return new("multipart with invalid UTF-8 in the statements", Parts("application/json", InFirstString(valid, InvalidUtf8)), Type);
        yield return new("multipart with a lone surrogate in the statements", Parts("application/json", InFirstString(valid, "\\ud800"u8.ToArray())), Type);
        yield return new("multipart with truncated statements", Parts("application/json", valid[..(valid.Length / 2)]), Type);
        yield return new("multipart whose first part is not JSON", Parts("text/plain", valid), Type);
        yield return new("multipart without a boundary", Parts("application/json", valid), "multipart/mixed");
        yield return new("multipart that never ends", Encoding.UTF8.GetBytes("--hostile\r\nContent-Type: application/json\r\n\r\n{"), Type);
    }

    private static IEnumerable<Payload> CsvPayloads(string valid)
    {
        var lines = valid.Split('\n');
        yield return new("a report in UTF-16 without a byte order mark", Encoding.Unicode.GetBytes(valid), "text/csv");
        yield return new("a report in Latin-1", Encoding.Latin1.GetBytes(valid.Replace("Anna", "Åsa Öberg", StringComparison.Ordinal)), "text/csv");
        yield return new("a report with invalid UTF-8", [.. Encoding.UTF8.GetBytes(lines[0] + "\n"), .. InvalidUtf8, .. Encoding.UTF8.GetBytes(lines[1])], "text/csv");
        yield return new("a byte order mark alone", [0xEF, 0xBB, 0xBF], "text/csv");
        yield return new("a UTF-16 byte order mark alone", [0xFF, 0xFE], "text/csv");
        yield return new("only a header", Encoding.UTF8.GetBytes(lines[0]), "text/csv");
        yield return new("an empty report", [], "text/csv");
        yield return new("ragged rows", Encoding.UTF8.GetBytes(lines[0] + "\n" + lines[1] + ",extra,fields\nonly-one-field\n"), "text/csv");
        yield return new("an unterminated quote", Encoding.UTF8.GetBytes(lines[0] + "\n\"" + lines[1]), "text/csv");
        yield return new("a 5 MB field", Encoding.UTF8.GetBytes(lines[0] + "\n" + new string('x', 5_000_000) + lines[1]), "text/csv");
        yield return new("JSON instead of CSV", "{\"name\":\"x\"}"u8.ToArray(), "application/json");
        yield return new("binary bytes", [0x00, 0x01, 0xFF, 0xFE, 0x00, 0x00, 0x0A, 0x0D], "text/csv");
    }

    // ------------------------------------------------------------------ what is swept

    private async Task<(HttpClient Client, List<Target> Targets)> SeedAsync()
    {
        var marker = Guid.NewGuid().ToString("N")[..8];
        var client = await lrs.ClientWithScopesAsync(AllScopes, "2.0.0", "hostile-" + marker);
        string New() => Guid.NewGuid().ToString("N")[..10];
        var (person, unit, organisation, competence, template) = ($"P-{marker}", $"u-{marker}", $"o-{marker}", $"c-{marker}", $"t-{marker}");
        var agent = new JsonObject { ["objectType"] = "Agent", ["name"] = "Anna Andersson", ["mbox"] = $"mailto:anna.{marker}@solna.example" };
        var activity = $"https://demo.lrsapi.se/xapi/activities/courses/{marker}";
        JsonObject Competence(string id) => new() { ["id"] = id, ["name"] = new JsonObject { ["sv"] = "Basala hygienrutiner", ["en"] = "Basic hygiene" }, ["validity"] = "P1Y", ["category"] = "hygien" };
        JsonObject Rule(string id) => new() { ["id"] = id, ["competence"] = competence, ["verbs"] = new JsonArray(Completed), ["activities"] = new JsonArray(activity) };
        JsonObject Role(string id) => new() { ["id"] = id, ["name"] = new JsonObject { ["sv"] = "Undersköterska" }, ["requirements"] = new JsonArray(new JsonObject { ["competence"] = competence, ["level"] = "required" }) };
        JsonObject Template(string id) => new()
        {
            ["id"] = id, ["title"] = new JsonObject { ["sv"] = "Reflektion" },
            ["prompts"] = new JsonArray(new JsonObject { ["id"] = "fraga", ["text"] = new JsonObject { ["sv"] = "Vad lärde du dig?" } }),
            ["trigger"] = new JsonObject { ["competence"] = competence }, ["mode"] = "group", ["dueIn"] = "P14D",
        };
        JsonObject Framework(string extra) => new()
        {
            ["competences"] = new JsonArray(Competence(competence), Competence(extra)), ["rules"] = new JsonArray(Rule($"r-{marker}")),
            ["roles"] = new JsonArray(Role($"role-{marker}")), ["reflectionTemplates"] = new JsonArray(Template(template)),
        };
        (await client.PutAsync("/api/framework", Json(Framework($"c2-{marker}")))).EnsureSuccessStatusCode();
        (await client.PutAsync("/api/organisations", Json(new JsonArray(new JsonObject
        {
            ["id"] = organisation, ["name"] = "Solna stad", ["units"] = new JsonArray(new JsonObject { ["id"] = unit, ["name"] = "Säbo Solgården" }),
        })))).EnsureSuccessStatusCode();
        (await client.PutAsync("/api/people", Json(new JsonArray(new JsonObject
        {
            ["id"] = person, ["organisationId"] = organisation, ["name"] = "Anna Andersson", ["units"] = new JsonArray(unit),
            ["roles"] = new JsonArray($"role-{marker}"), ["agents"] = new JsonArray(agent.DeepClone()),
        })))).EnsureSuccessStatusCode();
        await client.PostAsync(Statement(agent, activity: activity));
        var task = (await client.GetFromJsonAsync<JsonNode>($"/api/reflection-tasks?person={person}"))!["tasks"]![0]!["id"]!.GetValue<string>();
        JsonObject Learning() => new()
        {
            ["activity"] = new JsonObject { ["id"] = activity + "/session", ["name"] = new JsonObject { ["sv"] = "Förflyttningsteknik" } },
            ["start"] = "2026-03-02T08:00:00+01:00", ["end"] = "2026-03-02T12:00:00+01:00",
        };
        var webinar = $"w-{marker}";
        (await client.PutAsync($"/api/webinars/{webinar}", Json(Learning()))).EnsureSuccessStatusCode();

        var agentParam = Uri.EscapeDataString(agent.ToJsonString());
        var activityParam = Uri.EscapeDataString(activity);
        var documents = new[] { $"/xapi/activities/state?activityId={activityParam}&agent={agentParam}&stateId=", $"/xapi/activities/profile?activityId={activityParam}&profileId=", $"/xapi/agents/profile?agent={agentParam}&profileId=" };
        var merged = documents.Select(d => d + "merged-" + marker).ToArray();
        foreach (var address in merged)
        {
            var put = new HttpRequestMessage(HttpMethod.Put, address) { Content = Json(new JsonObject { ["bookmark"] = "sida-3" }) };
            put.Headers.TryAddWithoutValidation("If-None-Match", "*");
            (await client.SendAsync(put)).EnsureSuccessStatusCode();
        }

        var statementId = Guid.NewGuid().ToString();
        string[] Newest(string _) => ["/xapi/statements?limit=1"];
        string[] Audited(string path, params string[] reads) => [.. reads, "/api/admin/audit?limit=1"];
        var session = Learning();
        session["participants"] = new JsonArray(new JsonObject { ["personId"] = person, ["outcome"] = "attended" });
        var statement = Statement(agent, activity: activity);
        var targets = new List<Target>
        {
            new("PUT", "/xapi/statements", () => $"/xapi/statements?statementId={statementId}", _ => [$"/xapi/statements?statementId={statementId}", "/xapi/statements?limit=1"], WithId(statement, statementId)),
            new("POST", "/xapi/statements", () => "/xapi/statements", Newest, new JsonArray(statement.DeepClone())),
            new("PUT", "/api/people", () => "/api/people", p => Audited(p, "/api/people"), new JsonArray(new JsonObject
            {
                ["id"] = $"P2-{New()}", ["organisationId"] = organisation, ["name"] = "Bo Berg", ["units"] = new JsonArray(unit),
                ["roles"] = new JsonArray($"role-{marker}"), ["agents"] = new JsonArray(new JsonObject { ["mbox"] = $"mailto:bo.{New()}@solna.example" }),
            })),
            new("PUT", "/api/organisations", () => "/api/organisations", p => Audited(p, "/api/organisations"), new JsonArray(new JsonObject
            {
                ["id"] = $"o2-{New()}", ["name"] = "Vårdbolaget AB", ["units"] = new JsonArray(new JsonObject { ["id"] = $"u2-{New()}", ["name"] = "Hemtjänst Norr" }),
            })),
            new("PUT", "/api/framework", () => "/api/framework", p => Audited(p, "/api/framework"), Framework($"c3-{marker}")),
            new("POST", "/api/admin/tenants", () => "/api/admin/tenants", p => Audited(p, "/api/admin/tenants"), new JsonObject { ["name"] = $"larcentra-{New()}" }),
            new("POST", "/api/admin/credentials", () => "/api/admin/credentials", p => Audited(p, "/api/admin/credentials"), new JsonObject
            {
                ["name"] = "hr-system", ["scopes"] = new JsonArray("profiles:read", "people:write"), ["expires"] = "2099-01-01T00:00:00Z",
                ["organisation"] = organisation, ["actor"] = new JsonObject { ["mbox"] = "mailto:hr@solna.example" }, ["registration"] = Guid.NewGuid().ToString(),
            }),
            new("POST", "/api/admin/webhooks", () => "/api/admin/webhooks", _ => ["/api/admin/webhooks?limit=1000"], new JsonObject
            {
                ["url"] = "https://hooks.solna.invalid/lrs", ["types"] = new JsonArray("competence.status-changed", "person.changed"), ["organisation"] = organisation,
            }),
            new("PUT", "/api/sessions/{id}", () => $"/api/sessions/s-{New()}", p => [p, "/xapi/statements?limit=1"], session),
            new("PUT", "/api/webinars/{id}", () => $"/api/webinars/w-{New()}", p => [p], Learning()),
            new("PUT", "/api/learning-centres/{id}", () => $"/api/learning-centres/lc-{New()}", p => [p, "/api/learning-centres?limit=1000"], new JsonObject
            {
                ["iri"] = $"https://demo.lrsapi.se/xapi/activities/learning-centres/{New()}", ["name"] = "Metodrum, Upplands Väsby",
                ["needs"] = new JsonArray("Säkra förflyttningar"), ["resources"] = new JsonArray("Simuleringsdockor"), ["activities"] = new JsonArray(activity),
                ["activityPrefixes"] = new JsonArray("https://demo.lrsapi.se/xapi/activities/videos/"),
                ["effects"] = new JsonArray(new JsonObject { ["id"] = "i-praktiken", ["term"] = "medium", ["description"] = "Tekniken används", ["measure"] = "mediumTerm.reflectionResponseRate" }),
            }),
            new("PUT", "/api/webinars/{id}/attendance", () => $"/api/webinars/{webinar}/attendance", _ => [$"/api/webinars/{webinar}", "/xapi/statements?limit=1"],
                JsonValue.Create($"name,email,employeeId,joinTime,leaveTime,durationMinutes\nAnna Andersson,,{person},2026-03-02 08:00,2026-03-02 12:00,240\n")),
            new("POST", "/api/units/{id}/group-reflections", () => $"/api/units/{unit}/group-reflections", p => [p, "/xapi/statements?limit=1"], new JsonObject
            {
                ["heldAt"] = "2026-03-10T13:00:00+01:00", ["facilitator"] = new JsonObject { ["personId"] = person },
                ["attendees"] = new JsonArray(new JsonObject { ["personId"] = person }), ["templates"] = new JsonArray(template), ["notes"] = "Vi gick igenom handhygienen.",
            }),
            new("POST", "/api/units/{id}/deviations", () => $"/api/units/{unit}/deviations", p => [p + "?from=2000-01-01", "/xapi/statements?limit=1"], new JsonObject
            {
                ["date"] = "2026-03-10", ["category"] = "fall-during-transfer", ["reference"] = "AVV-2026-0113", ["competences"] = new JsonArray(competence),
            }),
            new("PUT", "/api/units/{id}/plans/{planId}", () => $"/api/units/{unit}/plans/pl-{New()}", p => [p], new JsonObject
            {
                ["vision"] = "Trygg vård.", ["goal"] = "Alla har basal hygien.", ["startsOn"] = "2026-01-01", ["endsOn"] = "2026-12-31",
                ["measurableGoals"] = new JsonArray(new JsonObject { ["id"] = "g1", ["kind"] = "share-valid", ["competence"] = competence, ["role"] = $"role-{marker}", ["target"] = 0.9, ["by"] = "2026-12-31" }),
                ["analysis"] = new JsonArray(new JsonObject { ["problem"] = "Smittspridning.", ["causes"] = new JsonArray("Ny personal"), ["actions"] = new JsonArray("r1") }),
                ["activities"] = new JsonArray(new JsonObject
                {
                    ["id"] = "r1", ["aspect"] = "competence", ["responsible"] = "Enhetschef", ["activity"] = "Hygienkörkortet", ["deadline"] = "2026-06-30",
                    ["costSek"] = 1200, ["hours"] = 2, ["status"] = "ongoing",
                }),
            }),
            new("PUT", "/api/people/{id}/training-plan", () => $"/api/people/{person}/training-plan", p => [p], new JsonObject
            {
                ["items"] = new JsonArray(new JsonObject
                {
                    ["id"] = "i-" + New(), ["competence"] = competence, ["purpose"] = "renew",
                    ["way"] = new JsonObject { ["kind"] = "e-learning", ["activities"] = new JsonArray(activity) },
                    ["dueOn"] = "2026-12-31", ["agreedBy"] = "Enhetschef", ["agreedOn"] = "2026-03-01",
                }),
            }),
            new("POST", "/api/reflection-tasks/{id:guid}/answers", () => $"/api/reflection-tasks/{task}/answers", _ => [$"/api/reflection-tasks/{task}", "/xapi/statements?limit=1"], new JsonObject
            {
                ["answers"] = new JsonArray(new JsonObject { ["promptId"] = "fraga", ["response"] = "Att spritta händerna före och efter." }), ["sharedWithGroup"] = true,
            }),
        };
        foreach (var (section, item) in new (string, Func<string, JsonObject>)[] { ("competences", Competence), ("rules", Rule), ("roles", Role), ("reflectionTemplates", Template) })
        {
            var id = $"new-{section[..4]}-{marker}";
            var body = item(id);
            body.Remove("id");
            targets.Add(new("PUT", "/api/framework/{section}/{id}", () => $"/api/framework/{section}/{id}", p => Audited(p, "/api/framework"), body));
        }
        // A person of their own to erase: the valid body pseudonymises them, and the other targets still have theirs.
        var erasable = $"P3-{marker}";
        (await client.PutAsync("/api/people", Json(new JsonArray(new JsonObject
        {
            ["id"] = erasable, ["organisationId"] = organisation, ["name"] = "Cecilia Carlsson", ["units"] = new JsonArray(unit),
        })))).EnsureSuccessStatusCode();
        targets.Add(new("POST", "/api/people/{id}/erasure", () => $"/api/people/{erasable}/erasure", _ => [$"/api/people/{erasable}", "/api/admin/audit?limit=1"],
            new JsonObject { ["mode"] = "pseudonymise" }));
        targets.Add(new("PUT", "/api/admin/privacy", () => "/api/admin/privacy", p => Audited(p, p), new JsonObject
        {
            ["erasure"] = "pseudonymise", ["retention"] = new JsonObject { ["statements"] = "P10Y", ["reflectionAnswers"] = "P2Y", ["audit"] = "P10Y" },
        }));
        var kinds = new[] { "/xapi/activities/state", "/xapi/activities/profile", "/xapi/agents/profile" };
        for (var i = 0; i < documents.Length; i++)
        {
            var address = documents[i];
            var mergedAddress = merged[i];
            targets.Add(new("PUT", kinds[i], () => address + New(), p => [p], new JsonObject { ["bookmark"] = "sida-1" }, OpaqueContent: true, Shapes: false));
            targets.Add(new("POST", kinds[i], () => mergedAddress, p => [p], new JsonObject { ["bookmark"] = "sida-" + New() }, Shapes: false));
        }
        return (client, targets);
    }

    private static JsonObject WithId(JsonObject statement, string id)
    {
        var copy = (JsonObject)statement.DeepClone();
        copy.Insert(0, "id", id);
        return copy;
    }
}

public sealed class HostileInputTestsOnSqlite(SqliteLrs lrs, ITestOutputHelper output) : HostileInputTests(lrs, output), IClassFixture<SqliteLrs>;
public sealed class HostileInputTestsOnPostgres(PostgresLrs lrs, ITestOutputHelper output) : HostileInputTests(lrs, output), IClassFixture<PostgresLrs>;
