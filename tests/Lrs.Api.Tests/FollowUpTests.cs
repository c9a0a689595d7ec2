using System.Data.Common;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Lrs.Api.Tests.Infrastructure;
using Lrs.Core.Storage;
using Microsoft.Data.Sqlite;
using Npgsql;
using static Lrs.Api.Tests.Infrastructure.Xapi;

namespace Lrs.Api.Tests;

/// <summary>
/// Follow-up of effects over HTTP: employer kinds, learning centres, and each measure against figures computed by hand on a
/// small fixture (a municipality with six people in one unit, a private provider with two), suppression of counts below
/// five people, voiding, an employer-restricted caller, CSV for Excel.
/// </summary>
public abstract class FollowUpTests(LrsFixture lrs)
{
    private const string Attended = "http://adlnet.gov/expapi/verbs/attended";
    private const string Failed = "http://adlnet.gov/expapi/verbs/failed";
    private const string Verified = "https://w3id.org/xapi/tla/verbs/verified";
    private const string Reported = "https://lrsapi.se/xapi/verbs/reported";
    private const string DeviationType = "https://lrsapi.se/xapi/activity-types/deviation-report";
    private const string Forflyttning = "https://demo.lrsapi.se/xapi/activities/sessions/forflyttning";
    private const string Hlr = "https://demo.lrsapi.se/xapi/activities/courses/hlr";
    private const string Metodikum = "https://demo.lrsapi.se/xapi/activities/learning-centres/metodikum";
    private const string Kommun = "https://hr.kommun.example";
    private const string Bolaget = "https://hr.bolaget.example";
    private static readonly string[] Municipal = ["K1", "K2", "K3", "K4", "K5", "K6"];

    private sealed record Fixture(HttpClient Client, string Tenant, Dictionary<string, string> HlrJanuary);

    private static JsonObject Account(string person) => new()
    {
        ["objectType"] = "Agent", ["account"] = new JsonObject { ["homePage"] = person.StartsWith('K') ? Kommun : Bolaget, ["name"] = person },
    };

    private static JsonObject Result(string person, string verb, string activity, string timestamp, double? scaled = null)
    {
        var statement = Statement(Account(person), verb, activity);
        statement["timestamp"] = timestamp;
        statement["result"] = new JsonObject { ["success"] = verb == Passed };
        if (scaled is { } s) statement["result"]!["score"] = new JsonObject { ["scaled"] = s };
        return statement;
    }

    private static JsonObject Deviation(string unit, string category, string timestamp) => new()
    {
        ["actor"] = Account("K1"),
        ["verb"] = new JsonObject { ["id"] = Reported, ["display"] = new JsonObject { ["en-US"] = "reported" } },
        ["object"] = new JsonObject
        {
            ["id"] = "https://lrsapi.se/xapi/activities/deviation/" + Guid.NewGuid(), ["definition"] = new JsonObject { ["type"] = DeviationType },
        },
        ["context"] = new JsonObject
        {
            ["extensions"] = new JsonObject { ["https://lrsapi.se/xapi/extensions/unit"] = unit, ["https://lrsapi.se/xapi/extensions/deviation-category"] = category },
            ["contextActivities"] = new JsonObject { ["other"] = new JsonArray(new JsonObject { ["id"] = "https://lrsapi.se/xapi/competences/forflyttning" }) },
        },
        ["timestamp"] = timestamp,
    };

    // Kommunen (municipal: K1–K6 in unit u1), Bolaget (private: P1, P2 in u2), Regionen (regional, no one), the centre
    // Metodikum, one patient-transfer session on 15 January 2026 with 10 places, HLR e-learning in 2025 and January 2026,
    // deviation reports in February 2026.
    private async Task<Fixture> CreateAsync()
    {
        var tenant = "fu-" + Guid.NewGuid().ToString("N")[..10];
        var client = await lrs.ClientWithScopesAsync("all framework:write people:write profiles:read reflections:read reflections:write", "2.0.0", tenant);
        (await client.PutAsync("/api/framework", Json(JsonNode.Parse($$"""
            {
              "competences": [ { "id": "forflyttning", "name": { "sv": "Förflyttningsteknik" }, "validity": "P2Y" },
                               { "id": "hlr", "name": { "sv": "Hjärt-lungräddning" }, "validity": "P1Y" } ],
              "rules": [ { "id": "forflyttning-practical", "competence": "forflyttning", "verbs": ["{{Passed}}"], "activities": ["{{Forflyttning}}"], "signoffRequired": true },
                         { "id": "hlr-course", "competence": "hlr", "verbs": ["{{Passed}}"], "activities": ["{{Hlr}}"] } ],
              "roles": [ { "id": "usk", "name": { "sv": "Undersköterska" },
                           "requirements": [ { "competence": "forflyttning", "level": "required" }, { "competence": "hlr", "level": "required" } ] },
                         { "id": "ssk", "name": { "sv": "Sjuksköterska" }, "requirements": [ { "competence": "hlr", "level": "required" } ] } ],
              "signoffVerbs": ["{{Verified}}"],
              "reflectionTemplates": [ { "id": "forflyttning-apt", "title": { "sv": "Förflyttning på APT" },
                "prompts": [ { "id": "tidspress", "text": { "sv": "Hur kan förflyttningar under tidspress bli en risk?" } } ],
                "trigger": { "competence": "forflyttning" }, "mode": "group", "dueIn": "P30D" } ]
            }
            """)!))).EnsureSuccessStatusCode();
        (await client.PutAsync("/api/organisations", Json(JsonNode.Parse($$"""
            [ { "id": "kommunen", "name": "Kommunen", "kind": "municipal", "hrHomePage": "{{Kommun}}", "units": [ { "id": "u1", "name": "Säbo Ekbacken" } ] },
              { "id": "bolaget", "name": "Omsorg AB", "kind": "private", "hrHomePage": "{{Bolaget}}", "units": [ { "id": "u2", "name": "Hemtjänst Norr" } ] },
              { "id": "regionen", "name": "Regionen", "kind": "regional", "units": [ { "id": "u3", "name": "Vårdcentralen" } ] } ]
            """)!))).EnsureSuccessStatusCode();
        var people = new JsonArray();
        foreach (var k in Municipal) people.Add(new JsonObject { ["id"] = k, ["organisationId"] = "kommunen", ["units"] = new JsonArray("u1"), ["roles"] = new JsonArray("usk") });
        foreach (var p in new[] { "P1", "P2" }) people.Add(new JsonObject { ["id"] = p, ["organisationId"] = "bolaget", ["units"] = new JsonArray("u2"), ["roles"] = new JsonArray("usk") });
        (await client.PutAsync("/api/people", Json(people))).EnsureSuccessStatusCode();
        (await client.PutAsync("/api/learning-centres/metodikum", Json(JsonNode.Parse($$"""
            { "iri": "{{Metodikum}}", "name": "Metodikum, Solna", "needs": ["Säkra förflyttningar"], "resources": ["Simuleringsrum"],
              "activities": ["{{Hlr}}"],
              "effects": [ { "id": "i-praktiken", "term": "long", "description": "Förflyttningar enligt utbildningen", "measure": "longTerm.coverage", "competence": "forflyttning" } ] }
            """)!))).StatusCode.Should().Be(HttpStatusCode.Created);

        var trainer = new JsonObject { ["agent"] = new JsonObject { ["objectType"] = "Agent", ["name"] = "Ingela", ["mbox"] = "mailto:ingela@metodikum.example" } };
        var participants = new JsonArray();
        for (var i = 1; i <= 5; i++)
        {
            var p = new JsonObject { ["personId"] = "K" + i, ["outcome"] = "passed" };
            if (i <= 4) p["signoff"] = new JsonObject { ["by"] = trainer.DeepClone(), ["at"] = "2026-01-16T10:00:00+01:00" };
            participants.Add(p);
        }
        participants.Add(new JsonObject { ["personId"] = "K6", ["outcome"] = "attended" });
        participants.Add(new JsonObject { ["personId"] = "P1", ["outcome"] = "failed" });
        participants.Add(new JsonObject { ["personId"] = "P2", ["outcome"] = "attended" });
        var session = await client.PutAsync("/api/sessions/forflyttning-2026-01-15", Json(new JsonObject
        {
            ["activity"] = new JsonObject { ["id"] = Forflyttning, ["name"] = new JsonObject { ["sv"] = "Förflyttningsteknik" }, ["type"] = "course" },
            ["start"] = "2026-01-15T08:00:00+01:00", ["end"] = "2026-01-15T12:00:00+01:00", ["places"] = 10,
            ["place"] = new JsonObject { ["id"] = Metodikum, ["name"] = "Metodikum" }, ["trainers"] = new JsonArray(trainer.DeepClone()),
            ["participants"] = participants,
        }));
        session.StatusCode.Should().Be(HttpStatusCode.Created, await session.Content.ReadAsStringAsync());

        // HLR: a year before (K6's runs out on 5 January 2026, the others' on 10 February), then January 2026.
        var earlier = Municipal.Select(k => Result(k, Passed, Hlr, k == "K6" ? "2025-01-05T10:00:00Z" : "2025-02-10T10:00:00Z", 0.9)).ToArray();
        await client.PostAsync(earlier);
        var scores = new[] { 0.95, 0.85, 0.9, 0.88, 0.81 };
        var january = new Dictionary<string, string>();
        for (var i = 0; i < 5; i++)
            january["K" + (i + 1)] = (await client.PostAsync(Result("K" + (i + 1), Passed, Hlr, "2026-01-20T10:00:00Z", scores[i])))[0];
        january["K6"] = (await client.PostAsync(Result("K6", Failed, Hlr, "2026-01-20T10:00:00Z", 0.3)))[0];

        await client.PostAsync([.. Enumerable.Range(0, 5).Select(_ => Deviation("u1", "fall", "2026-02-03T10:00:00Z")),
            Deviation("u1", "lakemedel", "2026-02-04T10:00:00Z"), Deviation("u2", "fall", "2026-02-05T10:00:00Z")]);
        return new Fixture(client, tenant, january);
    }

    private static async Task<JsonArray> RowsAsync(HttpClient client, string uri)
    {
        var response = await client.GetAsync(uri);
        var text = await response.Content.ReadAsStringAsync();
        response.StatusCode.Should().Be(HttpStatusCode.OK, text);
        return JsonNode.Parse(text)!["rows"]!.AsArray();
    }

    // The value of one figure: a number, "<5" when suppressed, null when there is no such row.
    private static string? Figure(JsonArray rows, string? month, string figure, string by = "all", string group = "all")
    {
        var row = rows.SingleOrDefault(r => r!["month"]?.GetValue<string>() == month && r["figure"]!.GetValue<string>() == figure
            && r["by"]!.GetValue<string>() == by && r["group"]!.GetValue<string>() == group);
        if (row is null) return null;
        if (row["suppressed"]!.GetValue<bool>())
        {
            row["value"].Should().BeNull();
            return "<5";
        }
        return row["value"]!.GetValue<double>().ToString(System.Globalization.CultureInfo.InvariantCulture);
    }

    [Fact]
    public async Task An_organisation_carries_its_employer_kind_which_is_validated()
    {
        var client = await lrs.ClientWithScopesAsync("people:write profiles:read", "2.0.0", "kind-" + Guid.NewGuid().ToString("N")[..10]);
        var put = await client.PutAsync("/api/organisations", Json(JsonNode.Parse("""[ { "id": "region", "name": "Region Stockholm", "kind": "regional" } ]""")!));
        (await put.Content.ReadAsStringAsync()).Should().Contain("\"created\":1");
        var again = await client.PutAsync("/api/organisations", Json(JsonNode.Parse("""[ { "id": "region", "name": "Region Stockholm", "kind": "regional" } ]""")!));
        (await again.Content.ReadAsStringAsync()).Should().Contain("\"unchanged\":1");
        var changed = await client.PutAsync("/api/organisations", Json(JsonNode.Parse("""[ { "id": "region", "name": "Region Stockholm", "kind": "municipal" } ]""")!));
        (await changed.Content.ReadAsStringAsync()).Should().Contain("\"updated\":1");
        var listed = (await client.GetFromJsonAsync<JsonArray>("/api/organisations"))!;
        listed.Single()!["kind"]!.GetValue<string>().Should().Be("municipal");

        var bad = await client.PutAsync("/api/organisations", Json(JsonNode.Parse("""[ { "id": "bolag", "name": "Bolag", "kind": "company" } ]""")!));
        bad.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await bad.Content.ReadAsStringAsync()).Should().Contain("$[0].kind");
        (await client.GetFromJsonAsync<JsonArray>("/api/organisations"))!.Should().HaveCount(1, "nothing of a refused request is stored");
    }

    [Fact]
    public async Task A_learning_centre_is_created_replaced_read_listed_and_checked()
    {
        var f = await CreateAsync();
        var (_, centre) = await f.Client.GetJsonAsync("/api/learning-centres/metodikum");
        centre!["iri"]!.GetValue<string>().Should().Be(Metodikum);
        centre["effects"]![0]!["measure"]!.GetValue<string>().Should().Be("longTerm.coverage");
        centre["activities"]!.AsArray().Select(a => a!.GetValue<string>()).Should().Equal(Hlr);

        var body = JsonNode.Parse($$"""{ "iri": "{{Metodikum}}", "name": "Metodikum, Solna", "activityPrefixes": ["https://demo.lrsapi.se/xapi/activities/videos/"] }""")!;
        (await f.Client.PutAsync("/api/learning-centres/metodikum", Json(body))).StatusCode.Should().Be(HttpStatusCode.OK);
        (await f.Client.PutAsync("/api/learning-centres/metodikum", Json(body))).StatusCode.Should().Be(HttpStatusCode.OK);
        var taken = await f.Client.PutAsync("/api/learning-centres/metodrum", Json(body));
        taken.StatusCode.Should().Be(HttpStatusCode.Conflict);
        (await f.Client.PutAsync("/api/learning-centres/metodrum", Json(JsonNode.Parse("""{ "iri": "https://demo.lrsapi.se/xapi/activities/learning-centres/metodrum", "name": "Metodrum" }""")!)))
            .StatusCode.Should().Be(HttpStatusCode.Created);

        var page = await f.Client.GetFromJsonAsync<JsonNode>("/api/learning-centres?limit=1");
        page!["learningCentres"]!.AsArray().Single()!["id"]!.GetValue<string>().Should().Be("metodikum");
        var next = await f.Client.GetFromJsonAsync<JsonNode>(page["more"]!.GetValue<string>());
        next!["learningCentres"]!.AsArray().Single()!["id"]!.GetValue<string>().Should().Be("metodrum");
        next["more"].Should().BeNull();

        foreach (var (invalid, path) in new[]
        {
            ("""{ "iri": "not an iri", "name": "X" }""", "$.iri"),
            ("""{ "iri": "https://x.example/c", "name": "X", "budget": 1 }""", "$.budget"),
            ("""{ "iri": "https://x.example/c", "name": "X", "effects": [ { "id": "e", "term": "short", "description": "d", "measure": "reach.happiness" } ] }""", "$.effects[0].measure"),
            ("""{ "iri": "https://x.example/c", "name": "X", "effects": [ { "id": "e", "term": "soon", "description": "d", "measure": "reach.hours" } ] }""", "$.effects[0].term"),
            ("""{ "iri": "https://x.example/c", "name": "X", "effects": [ { "id": "e", "term": "long", "description": "d", "measure": "longTerm.coverage", "competence": "juggling" } ] }""", "$.effects[0].competence"),
        })
        {
            var response = await f.Client.PutAsync("/api/learning-centres/lc-new", Json(JsonNode.Parse(invalid)!));
            response.StatusCode.Should().Be(HttpStatusCode.BadRequest, invalid);
            (await response.Content.ReadAsStringAsync()).Should().Contain(path);
        }
        (await f.Client.PutAsync("/api/learning-centres/Has%20Space", Json(body))).StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await f.Client.GetAsync("/api/learning-centres/lc-new")).StatusCode.Should().Be(HttpStatusCode.NotFound, "nothing of a refused request is stored");
        (await f.Client.GetAsync("/api/learning-centres?limit=0")).StatusCode.Should().Be(HttpStatusCode.BadRequest);

        var restricted = await lrs.ClientWithScopesAsync("framework:write profiles:read", "2.0.0", f.Tenant, new CredentialRestrictions("bolaget", null, null));
        (await restricted.PutAsync("/api/learning-centres/metodikum", Json(body))).StatusCode.Should().Be(HttpStatusCode.Forbidden);
        (await restricted.GetAsync("/api/learning-centres/metodikum")).StatusCode.Should().Be(HttpStatusCode.OK, "a centre's program logic names no one");
    }

    [Fact]
    public async Task Reach_counts_people_units_hours_sessions_and_places_by_month_and_employer_kind()
    {
        var f = await CreateAsync();
        var rows = await RowsAsync(f.Client, "/api/follow-up/reach?from=2026-01&to=2026-02&centre=metodikum");
        // January: the session (K1–K6, P1, P2, four hours each) and HLR (K1–K6).
        Figure(rows, "2026-01", "peopleTrained", "employerKind", "municipal").Should().Be("6");
        Figure(rows, "2026-01", "peopleTrained", "employerKind", "private").Should().Be("<5", "two people of Omsorg AB");
        Figure(rows, "2026-01", "peopleTrained").Should().Be("<5", "the whole would give the suppressed part away");
        Figure(rows, "2026-01", "unitsTrained", "employerKind", "municipal").Should().Be("1");
        Figure(rows, "2026-01", "unitsTrained").Should().Be("2");
        Figure(rows, "2026-01", "hours", "employerKind", "municipal").Should().Be("24");
        Figure(rows, "2026-01", "hours", "employerKind", "private").Should().Be("<5");
        Figure(rows, "2026-01", "sessionsHeld").Should().Be("1");
        Figure(rows, "2026-01", "placesOffered").Should().Be("10");
        Figure(rows, "2026-01", "attendance").Should().Be("0.8");
        Figure(rows, "2026-02", "peopleTrained").Should().Be("0");
        Figure(rows, "2026-02", "sessionsHeld").Should().Be("0");

        var municipal = await RowsAsync(f.Client, "/api/follow-up/reach?from=2026-01&to=2026-01&employerKind=municipal");
        Figure(municipal, "2026-01", "peopleTrained").Should().Be("6");
        Figure(municipal, "2026-01", "hours").Should().Be("24");
        Figure(municipal, "2026-01", "attendance").Should().Be("0.6", "six of ten places went to the municipality's staff");
        var hlrOnly = await RowsAsync(f.Client, "/api/follow-up/reach?from=2026-01&to=2026-01&competence=hlr&unit=u1");
        Figure(hlrOnly, "2026-01", "peopleTrained").Should().Be("6");
        Figure(hlrOnly, "2026-01", "sessionsHeld").Should().Be("0", "the session trained förflyttning");
        var earlier = await RowsAsync(f.Client, "/api/follow-up/reach?from=2025-01&to=2025-02&role=usk");
        Figure(earlier, "2025-02", "peopleTrained").Should().Be("5");
        Figure(earlier, "2025-01", "peopleTrained").Should().Be("<5");
    }

    [Fact]
    public async Task Short_term_gives_pass_rates_score_bands_and_signoff_rates_per_activity()
    {
        var f = await CreateAsync();
        var rows = await RowsAsync(f.Client, "/api/follow-up/short-term?from=2026-01&to=2026-01&centre=metodikum");
        // The session: K1–K5 passed, P1 failed; K1–K4 signed off.
        Figure(rows, "2026-01", "peopleAssessed", "activity", Forflyttning).Should().Be("6");
        Figure(rows, "2026-01", "passRate", "activity", Forflyttning).Should().Be("0.8333");
        Figure(rows, "2026-01", "signoffRate", "activity", Forflyttning).Should().Be("0.8");
        // HLR: K1–K5 passed in the top band, K6 failed with 0.3.
        Figure(rows, "2026-01", "passRate", "activity", Hlr).Should().Be("0.8333");
        Figure(rows, "2026-01", "scoreBand", "activity", Hlr + " 0.8-1.0").Should().Be("5");
        Figure(rows, "2026-01", "scoreBand", "activity", Hlr + " 0.2-0.4").Should().Be("<5");
        Figure(rows, "2026-01", "scoreBand", "activity", Hlr + " 0.4-0.6").Should().Be("0");
        Figure(rows, "2026-01", "peopleAssessed", "activity", Hlr).Should().Be("<5", "six minus the top band would give the one below away");
        Figure(rows, "2026-01", "signoffRate", "activity", Hlr).Should().BeNull("HLR needs no sign-off");

        var privateOnly = await RowsAsync(f.Client, "/api/follow-up/short-term?from=2026-01&to=2026-01&organisation=bolaget");
        Figure(privateOnly, "2026-01", "peopleAssessed", "activity", Forflyttning).Should().Be("<5");
        Figure(privateOnly, "2026-01", "passRate", "activity", Forflyttning).Should().Be("<5", "a share of one person is that person");
    }

    [Fact]
    public async Task Medium_term_gives_reflection_response_rates_and_group_reflections_after_the_training()
    {
        var f = await CreateAsync();
        var tasks = new List<string>();
        foreach (var k in Municipal[..5])
            tasks.Add((await f.Client.GetFromJsonAsync<JsonNode>($"/api/reflection-tasks?person={k}"))!["tasks"]![0]!["id"]!.GetValue<string>());
        (await f.Client.PostAsync($"/api/reflection-tasks/{tasks[0]}/answers", Json(new JsonObject
        {
            ["answers"] = new JsonArray(new JsonObject { ["promptId"] = "tidspress", ["response"] = "Vi stressar.", ["score"] = 3 }),
        }))).StatusCode.Should().Be(HttpStatusCode.BadRequest, "a reflection is answered in words, not with a score");
        foreach (var task in tasks.Take(2))
            (await f.Client.PostAsync($"/api/reflection-tasks/{task}/answers", Json(new JsonObject
            {
                ["answers"] = new JsonArray(new JsonObject { ["promptId"] = "tidspress", ["response"] = "Vi stressar och lyfter fel." }),
            }))).EnsureSuccessStatusCode();
        var rows = await RowsAsync(f.Client, "/api/follow-up/medium-term?from=2026-01&to=2026-02&centre=metodikum");
        Figure(rows, "2026-01", "reflectionTasks").Should().Be("5");
        Figure(rows, "2026-01", "reflectionResponseRate").Should().Be("0.4");
        Figure(rows, "2026-02", "groupReflectionsHeld").Should().Be("0");

        (await f.Client.PostAsync("/api/units/u1/group-reflections", Json(new JsonObject
        {
            ["heldAt"] = "2026-02-10T13:00:00+01:00", ["facilitator"] = new JsonObject { ["personId"] = "K6" },
            ["attendees"] = new JsonArray([.. Municipal.Select(k => (JsonNode)new JsonObject { ["personId"] = k })]), ["templates"] = new JsonArray("forflyttning-apt"),
        }))).StatusCode.Should().Be(HttpStatusCode.Created);
        rows = await RowsAsync(f.Client, "/api/follow-up/medium-term?from=2026-01&to=2026-02&centre=metodikum");
        Figure(rows, "2026-01", "reflectionResponseRate").Should().Be("1", "the group reflection answered the open tasks");
        Figure(rows, "2026-02", "groupReflectionsHeld").Should().Be("1");
        var otherUnit = await RowsAsync(f.Client, "/api/follow-up/medium-term?from=2026-01&to=2026-02&unit=u2");
        Figure(otherUnit, "2026-02", "groupReflectionsHeld").Should().Be("0");
        Figure(otherUnit, "2026-01", "reflectionTasks").Should().Be("0");
    }

    [Fact]
    public async Task Long_term_gives_coverage_at_month_ends_renewals_lapses_and_deviations()
    {
        var f = await CreateAsync();
        var rows = await RowsAsync(f.Client, "/api/follow-up/long-term?from=2025-12&to=2026-02");
        // 31 December 2025: u1 has HLR (all six) and no förflyttning: 6 of 12 requirements.
        Figure(rows, "2025-12", "coverage", "unit", "u1").Should().Be("0.5");
        // 31 January: HLR K1–K5 (K6's ran out on 5 January), förflyttning K1–K4 (K5 awaits sign-off): 9 of 12.
        Figure(rows, "2026-01", "coverage", "unit", "u1").Should().Be("0.75");
        Figure(rows, "2026-01", "coverage", "unit", "u2").Should().Be("<5");
        Figure(rows, "2026-01", "coverage").Should().Be("0.5625", "9 of the 16 requirements of all eight");
        Figure(rows, "2026-01", "renewedBeforeExpiry").Should().Be("5");
        Figure(rows, "2026-01", "lapsed").Should().Be("<5", "K6 alone");
        Figure(rows, "2026-02", "renewedBeforeExpiry").Should().Be("0");
        Figure(rows, "2026-02", "deviations", "category", "fall").Should().Be("6");
        Figure(rows, "2026-02", "deviations", "category", "lakemedel").Should().Be("<5");
        Figure(rows, "2026-02", "deviations").Should().Be("<5");

        var transfer = await RowsAsync(f.Client, "/api/follow-up/long-term?from=2026-01&to=2026-02&competence=forflyttning&unit=u1");
        Figure(transfer, "2026-01", "coverage", "unit", "u1").Should().Be("0.6667");
        Figure(transfer, "2026-02", "deviations", "category", "fall").Should().Be("5");
        Figure(transfer, "2026-02", "deviations").Should().Be("<5");
    }

    [Fact]
    public async Task Before_and_after_compares_a_unit_and_competence_around_a_training_wave()
    {
        var f = await CreateAsync();
        // The session ended at noon on 15 January: as of that morning no one had förflyttning, a month later K1–K4 of six.
        var rows = await RowsAsync(f.Client, "/api/follow-up/before-after?unit=u1&competence=forflyttning&date=2026-01-15&months=1");
        Figure(rows, null, "coverage", "period", "before").Should().Be("0");
        Figure(rows, null, "coverage", "period", "after").Should().Be("0.6667");
        Figure(rows, null, "deviations", "period", "before").Should().Be("0");
        Figure(rows, null, "deviations", "period", "after").Should().Be("6", "the six reports of u1 on 3 and 4 February");
        rows = await RowsAsync(f.Client, "/api/follow-up/before-after?unit=u1&competence=forflyttning&date=2026-02-10&months=1");
        Figure(rows, null, "deviations", "period", "before").Should().Be("6");
        Figure(rows, null, "deviations", "period", "after").Should().Be("0");
        Figure(rows, null, "coverage", "period", "before").Should().Be("0.6667");
        var hlr = await RowsAsync(f.Client, "/api/follow-up/before-after?unit=u1&competence=hlr&date=2026-01-01&months=1");
        Figure(hlr, null, "renewedBeforeExpiry", "period", "after").Should().Be("5");
        Figure(hlr, null, "renewedBeforeExpiry", "period", "before").Should().Be("0");
    }

    [Fact]
    public async Task Voiding_a_statement_takes_it_out_of_every_figure_that_counted_it()
    {
        var f = await CreateAsync();
        (await f.Client.PostAsync(Voiding(f.HlrJanuary["K1"]))).Should().HaveCount(1);
        var shortTerm = await RowsAsync(f.Client, "/api/follow-up/short-term?from=2026-01&to=2026-01");
        Figure(shortTerm, "2026-01", "passRate", "activity", Hlr).Should().Be("0.8", "K2–K5 passed of K2–K6");
        Figure(shortTerm, "2026-01", "scoreBand", "activity", Hlr + " 0.8-1.0").Should().Be("<5");
        var longTerm = await RowsAsync(f.Client, "/api/follow-up/long-term?from=2026-01&to=2026-01");
        Figure(longTerm, "2026-01", "renewedBeforeExpiry").Should().Be("<5", "K1's renewal is gone");
        Figure(longTerm, "2026-01", "coverage", "unit", "u1").Should().Be("0.75", "K1's earlier HLR still ran on 31 January");
    }

    [Fact]
    public async Task A_statement_voided_after_a_month_end_still_counts_in_that_months_coverage()
    {
        var f = await CreateAsync();
        var before = await RowsAsync(f.Client, "/api/follow-up/long-term?from=2026-02&to=2026-02&competence=hlr&unit=u1");
        // 28 February: K1–K5's January HLR (the earlier ones ran out on 10 February), K6 failed: 5 of 6.
        Figure(before, "2026-02", "coverage", "unit", "u1").Should().Be("0.8333");
        (await f.Client.PostAsync(Voiding(f.HlrJanuary["K2"]))).Should().HaveCount(1);
        var after = await RowsAsync(f.Client, "/api/follow-up/long-term?from=2026-02&to=2026-02&competence=hlr&unit=u1");
        Figure(after, "2026-02", "coverage", "unit", "u1").Should().Be("0.8333", "the profile as it stood on 28 February, before the voiding");
        var shortTerm = await RowsAsync(f.Client, "/api/follow-up/short-term?from=2026-01&to=2026-01");
        Figure(shortTerm, "2026-01", "passRate", "activity", Hlr).Should().Be("0.8", "results are read as they stand: K1, K3–K5 passed of K1, K3–K6");
    }

    [Fact]
    public async Task A_training_counts_in_its_local_month_and_not_once_voided_even_by_a_voiding_that_came_first()
    {
        var f = await CreateAsync();
        // 23:30 UTC on 28 February is 00:30 on 1 March in Stockholm; 22:30 UTC on 31 March is 00:30 on 1 April (summer time).
        var march = new Dictionary<string, string>();
        foreach (var k in Municipal[..5])
        {
            march[k] = (await f.Client.PostAsync(Result(k, Passed, Hlr, "2026-02-28T23:30:00Z", 0.9)))[0];
            await f.Client.PostAsync(Result(k, Passed, Hlr, "2026-03-31T22:30:00Z", 0.9));
        }
        var rows = await RowsAsync(f.Client, "/api/follow-up/reach?from=2026-02&to=2026-04&centre=metodikum");
        Figure(rows, "2026-02", "peopleTrained").Should().Be("0");
        Figure(rows, "2026-03", "peopleTrained").Should().Be("5");
        Figure(rows, "2026-04", "peopleTrained").Should().Be("5");
        var outcomes = await RowsAsync(f.Client, "/api/follow-up/short-term?from=2026-02&to=2026-03");
        Figure(outcomes, "2026-03", "peopleAssessed", "activity", Hlr).Should().Be("5");
        Figure(outcomes, "2026-02", "peopleAssessed", "activity", Hlr).Should().BeNull();

        (await f.Client.PostAsync(Voiding(march["K1"]))).Should().HaveCount(1);
        // A voiding that arrives before its target: the target, when it comes, is stored voided and never counted.
        var early = Guid.NewGuid().ToString();
        (await f.Client.PostAsync(Voiding(early))).Should().HaveCount(1);
        var late = Result("K1", Passed, Hlr, "2026-03-10T10:00:00Z", 0.9);
        late["id"] = early;
        (await f.Client.PostAsync(late)).Should().HaveCount(1);
        rows = await RowsAsync(f.Client, "/api/follow-up/reach?from=2026-03&to=2026-04&centre=metodikum");
        Figure(rows, "2026-03", "peopleTrained").Should().Be("<5", "K2–K5: K1's training was voided, and so was the one that came after its voiding");
        Figure(rows, "2026-04", "peopleTrained").Should().Be("5");
        outcomes = await RowsAsync(f.Client, "/api/follow-up/short-term?from=2026-03&to=2026-03");
        Figure(outcomes, "2026-03", "peopleAssessed", "activity", Hlr).Should().Be("<5");
    }

    [Fact]
    public async Task Statements_stored_before_the_follow_up_facts_existed_count_as_before_once_the_migration_has_filled_them_in()
    {
        var f = await CreateAsync();
        (await f.Client.PostAsync(Voiding(f.HlrJanuary["K1"]))).Should().HaveCount(1);
        string[] reads = ["reach?from=2026-01&to=2026-02&centre=metodikum", "short-term?from=2026-01&to=2026-01", "long-term?from=2026-01&to=2026-02",
            "medium-term?from=2026-01&to=2026-02&centre=metodikum"];
        var before = new List<string>();
        foreach (var read in reads) before.Add((await RowsAsync(f.Client, "/api/follow-up/" + read)).ToJsonString());

        // The database as the LRS before migration 7 left it (and so without what later migrations add), brought up to date again.
        var postgres = lrs.StoreName == "Postgres";
        await using (DbConnection connection = postgres ? new NpgsqlConnection(lrs.StoreConnectionString) : new SqliteConnection(lrs.StoreConnectionString))
        {
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = "DROP TABLE follow_up_facts; DROP INDEX ix_statements_voided; ALTER TABLE tenants DROP COLUMN erasures; DELETE FROM schema_migrations WHERE version >= 7"
                + (postgres ? "; " + PostgresServer.UndoStatementKeyHashes : "");
            await command.ExecuteNonQueryAsync();
        }
        if (postgres) await new Lrs.Storage.Postgres.PostgresDatabase(lrs.StoreConnectionString).EnsureSchemaAsync(CancellationToken.None);
        else await new Lrs.Storage.Sqlite.SqliteDatabase(lrs.StoreConnectionString).EnsureSchemaAsync(CancellationToken.None);

        for (var i = 0; i < reads.Length; i++)
            (await RowsAsync(f.Client, "/api/follow-up/" + reads[i])).ToJsonString().Should().Be(before[i], reads[i]);
    }

    [Fact]
    public async Task A_credential_restricted_to_one_employer_gets_that_employers_figures_only()
    {
        var f = await CreateAsync();
        var bolaget = await lrs.ClientWithScopesAsync("profiles:read", "2.0.0", f.Tenant, new CredentialRestrictions("bolaget", null, null));
        var reach = await RowsAsync(bolaget, "/api/follow-up/reach?from=2026-01&to=2026-01&centre=metodikum");
        Figure(reach, "2026-01", "peopleTrained", "employerKind", "municipal").Should().BeNull("another employer's count is no count of this one");
        Figure(reach, "2026-01", "peopleTrained", "employerKind", "private").Should().Be("<5");
        Figure(reach, "2026-01", "unitsTrained").Should().Be("1");
        Figure(reach, "2026-01", "attendance").Should().Be("<5");
        var longTerm = await RowsAsync(bolaget, "/api/follow-up/long-term?from=2026-01&to=2026-02");
        Figure(longTerm, "2026-01", "coverage", "unit", "u1").Should().BeNull();
        Figure(longTerm, "2026-02", "deviations", "category", "fall").Should().Be("<5", "Omsorg AB's one report, not the municipality's");
        Figure(longTerm, "2026-01", "renewedBeforeExpiry").Should().Be("0");
        var shortTerm = await RowsAsync(bolaget, "/api/follow-up/short-term?from=2026-01&to=2026-01");
        Figure(shortTerm, "2026-01", "peopleAssessed", "activity", Hlr).Should().BeNull();

        foreach (var uri in new[] { "/api/follow-up/reach?organisation=kommunen", "/api/follow-up/long-term?unit=u1",
            "/api/follow-up/before-after?unit=u1&competence=hlr&date=2026-01-01" })
            (await bolaget.GetAsync(uri)).StatusCode.Should().Be(HttpStatusCode.NotFound, uri);
        var bound = await lrs.ClientWithScopesAsync("profiles:read", "2.0.0", f.Tenant, new CredentialRestrictions(null, Account("P1").ToJsonString(), null));
        (await bound.GetAsync("/api/follow-up/reach")).StatusCode.Should().Be(HttpStatusCode.Forbidden);
        var noScope = await lrs.ClientWithScopesAsync("statements/read", "2.0.0", f.Tenant);
        (await noScope.GetAsync("/api/follow-up/reach")).StatusCode.Should().Be(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task Csv_is_utf8_with_a_byte_order_mark_and_a_swedish_locale_takes_semicolons_and_a_decimal_comma()
    {
        var f = await CreateAsync();
        var request = new HttpRequestMessage(HttpMethod.Get, "/api/follow-up/reach?from=2026-01&to=2026-01&centre=metodikum&locale=sv-SE");
        request.Headers.Accept.ParseAdd("text/csv");
        var response = await f.Client.SendAsync(request);
        response.StatusCode.Should().Be(HttpStatusCode.OK);
        response.Content.Headers.ContentType!.MediaType.Should().Be("text/csv");
        var bytes = await response.Content.ReadAsByteArrayAsync();
        bytes.Take(3).Should().Equal(0xEF, 0xBB, 0xBF);
        var lines = Encoding.UTF8.GetString(bytes, 3, bytes.Length - 3).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        lines[0].Should().Be("month;figure;by;group;value");
        lines.Should().Contain("2026-01;attendance;all;all;0,8");
        lines.Should().Contain("2026-01;peopleTrained;employerKind;private;<5");
        lines.Should().Contain("2026-01;peopleTrained;employerKind;municipal;6");

        var english = new HttpRequestMessage(HttpMethod.Get, "/api/follow-up/reach?from=2026-01&to=2026-01&centre=metodikum");
        english.Headers.Accept.ParseAdd("text/csv");
        var text = Encoding.UTF8.GetString(await (await f.Client.SendAsync(english)).Content.ReadAsByteArrayAsync());
        text.Should().Contain("month,figure,by,group,value").And.Contain("2026-01,attendance,all,all,0.8");
        var json = await f.Client.GetAsync("/api/follow-up/reach?from=2026-01&to=2026-01&locale=sv-SE");
        json.Content.Headers.ContentType!.MediaType.Should().Be("application/json", "the locale shapes CSV only");
    }

    [Fact]
    public async Task Bad_filters_are_400_and_unknown_ids_404_with_problem_details()
    {
        var f = await CreateAsync();
        foreach (var uri in new[]
        {
            "/api/follow-up/reach?from=2026-13", "/api/follow-up/reach?from=26-01", "/api/follow-up/reach?from=2026-03&to=2026-01",
            "/api/follow-up/reach?from=2020-01&to=2026-01", "/api/follow-up/short-term?employerKind=company", "/api/follow-up/medium-term?role=chef",
            "/api/follow-up/long-term?competence=juggling", "/api/follow-up/reach?locale=de-DE", "/api/follow-up/before-after?unit=u1",
            "/api/follow-up/before-after?unit=u1&competence=hlr&date=2026-13-01", "/api/follow-up/before-after?unit=u1&competence=hlr&date=2026-01-01&months=0",
        })
        {
            var response = await f.Client.GetAsync(uri);
            response.StatusCode.Should().Be(HttpStatusCode.BadRequest, uri);
            response.Content.Headers.ContentType!.MediaType.Should().Be("application/problem+json", uri);
        }
        foreach (var uri in new[] { "/api/follow-up/reach?centre=nowhere", "/api/follow-up/reach?organisation=nobody", "/api/follow-up/long-term?unit=u9" })
            (await f.Client.GetAsync(uri)).StatusCode.Should().Be(HttpStatusCode.NotFound, uri);
    }

    [Fact]
    public async Task A_tenant_with_no_people_and_no_records_gets_figures_of_nothing_not_an_error()
    {
        var client = await lrs.ClientWithScopesAsync("profiles:read", "2.0.0", "fe-" + Guid.NewGuid().ToString("N")[..10]);
        foreach (var measure in new[] { "reach", "short-term", "medium-term", "long-term" })
        {
            var rows = await RowsAsync(client, $"/api/follow-up/{measure}?from=2026-01&to=2026-03");
            rows.Should().NotContain(r => r!["figure"]!.GetValue<string>() == "coverage", measure);
            rows.Where(r => r!["value"] is JsonValue v && v.GetValueKind() == System.Text.Json.JsonValueKind.Number).Select(r => r!["value"]!.GetValue<double>())
                .Should().NotContain(v => v != 0, measure);
        }
    }

    // Kommunen (municipal: K1–K10 in u1, K11 trained yesterday), Bolaget (private: P1–P5 in u2); a follow-up question eight
    // weeks after the transfer course: K1–K10 took it on 10 January 2026, P1–P5 on 20 January, so all fifteen are asked in March.
    private async Task<(HttpClient Client, string Tenant)> CreateFollowUpAsync()
    {
        var tenant = "fq-" + Guid.NewGuid().ToString("N")[..10];
        var client = await lrs.ClientWithScopesAsync("all framework:write people:write profiles:read reflections:read reflections:write", "2.0.0", tenant);
        (await client.PutAsync("/api/framework", Json(JsonNode.Parse($$"""
            {
              "competences": [ { "id": "forflyttning", "name": { "sv": "Förflyttningsteknik" } } ],
              "rules": [ { "id": "forflyttning-kurs", "competence": "forflyttning", "verbs": ["{{Passed}}"], "activities": ["{{Forflyttning}}"] } ],
              "roles": [],
              "reflectionTemplates": [ { "id": "forflyttning-uppfoljning", "kind": "follow-up", "delay": "P8W", "title": { "sv": "Uppföljning: förflyttning" },
                "prompts": [ { "id": "anvant", "text": { "sv": "Har du använt förflyttningstekniken i ditt arbete sedan utbildningen?" } } ],
                "trigger": { "competence": "forflyttning" }, "mode": "individual", "dueIn": "P14D" } ]
            }
            """)!))).EnsureSuccessStatusCode();
        (await client.PutAsync("/api/organisations", Json(JsonNode.Parse($$"""
            [ { "id": "kommunen", "name": "Kommunen", "kind": "municipal", "hrHomePage": "{{Kommun}}", "units": [ { "id": "u1", "name": "Säbo Ekbacken" } ] },
              { "id": "bolaget", "name": "Omsorg AB", "kind": "private", "hrHomePage": "{{Bolaget}}", "units": [ { "id": "u2", "name": "Hemtjänst Norr" } ] } ]
            """)!))).EnsureSuccessStatusCode();
        var people = new JsonArray();
        for (var i = 1; i <= 11; i++) people.Add(new JsonObject { ["id"] = "K" + i, ["organisationId"] = "kommunen", ["units"] = new JsonArray("u1") });
        for (var i = 1; i <= 5; i++) people.Add(new JsonObject { ["id"] = "P" + i, ["organisationId"] = "bolaget", ["units"] = new JsonArray("u2") });
        (await client.PutAsync("/api/people", Json(people))).EnsureSuccessStatusCode();
        await client.PostAsync([.. Enumerable.Range(1, 10).Select(i => (JsonNode)Result("K" + i, Passed, Forflyttning, "2026-01-10T10:00:00Z")),
            .. Enumerable.Range(1, 5).Select(i => (JsonNode)Result("P" + i, Passed, Forflyttning, "2026-01-20T10:00:00Z")),
            Result("K11", Passed, Forflyttning, DateTimeOffset.UtcNow.AddDays(-1).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'"))]);
        return (client, tenant);
    }

    private static async Task<JsonNode> TaskOfAsync(HttpClient client, string person) =>
        (await client.GetFromJsonAsync<JsonNode>($"/api/reflection-tasks?person={person}"))!["tasks"]!.AsArray().Should().ContainSingle().Subject!;

    private static Task<HttpResponseMessage> AnswerAsync(HttpClient client, string taskId, JsonObject answer) =>
        client.PostAsync($"/api/reflection-tasks/{taskId}/answers", Json(new JsonObject { ["answers"] = new JsonArray(answer) }));

    [Fact]
    public async Task A_follow_up_question_is_asked_after_its_delay_and_answered_with_a_score_from_1_to_5()
    {
        var (client, _) = await CreateFollowUpAsync();
        var task = await TaskOfAsync(client, "K1");
        task["kind"]!.GetValue<string>().Should().Be("follow-up");
        DateTimeOffset.Parse(task["availableFrom"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture)
            .Should().Be(new DateTimeOffset(2026, 3, 7, 10, 0, 0, TimeSpan.Zero), "eight weeks after the course");
        DateTimeOffset.Parse(task["dueAt"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture)
            .Should().Be(new DateTimeOffset(2026, 3, 21, 10, 0, 0, TimeSpan.Zero), "due two weeks after it is asked");
        var id = task["id"]!.GetValue<string>();

        foreach (var bad in new[]
        {
            new JsonObject { ["promptId"] = "anvant", ["score"] = 6 }, new JsonObject { ["promptId"] = "anvant", ["score"] = 0 },
            new JsonObject { ["promptId"] = "anvant", ["score"] = 2.5 }, new JsonObject { ["promptId"] = "anvant", ["score"] = "4" },
            new JsonObject { ["promptId"] = "anvant", ["response"] = "Ja, varje dag." },
        })
        {
            var response = await AnswerAsync(client, id, bad);
            response.StatusCode.Should().Be(HttpStatusCode.BadRequest, bad.ToJsonString());
            response.Content.Headers.ContentType!.MediaType.Should().Be("application/problem+json");
        }
        var unchanged = await client.GetFromJsonAsync<JsonNode>($"/api/reflection-tasks/{id}");
        unchanged!["status"]!.GetValue<string>().Should().Be("open", "a rejected answer stores nothing");
        unchanged["answerCount"]!.GetValue<int>().Should().Be(0);

        var answered = await AnswerAsync(client, id, new JsonObject { ["promptId"] = "anvant", ["score"] = 4, ["response"] = "Ja, med glidlakan." });
        answered.StatusCode.Should().Be(HttpStatusCode.OK, await answered.Content.ReadAsStringAsync());
        var view = JsonNode.Parse(await answered.Content.ReadAsStringAsync())!;
        view["status"]!.GetValue<string>().Should().Be("answered");
        view["answers"]![0]!["score"]!.GetValue<double>().Should().Be(4);
        var statement = await client.GetFromJsonAsync<JsonNode>($"/xapi/statements?statementId={view["answers"]![0]!["statementId"]!.GetValue<string>()}");
        statement!["verb"]!["id"]!.GetValue<string>().Should().Be("http://adlnet.gov/expapi/verbs/answered");
        var score = statement["result"]!["score"]!;
        (score["raw"]!.GetValue<double>(), score["min"]!.GetValue<double>(), score["max"]!.GetValue<double>(), score["scaled"]!.GetValue<double>())
            .Should().Be((4d, 1d, 5d, 0.75d));
        statement["result"]!["response"]!.GetValue<string>().Should().Be("Ja, med glidlakan.");

        // The words are optional.
        (await AnswerAsync(client, (await TaskOfAsync(client, "K2"))["id"]!.GetValue<string>(), new JsonObject { ["promptId"] = "anvant", ["score"] = 1 }))
            .StatusCode.Should().Be(HttpStatusCode.OK);

        // K11 trained yesterday: the question is not put yet, so it is not listed, and answering it is a 409.
        (await client.GetFromJsonAsync<JsonNode>("/api/reflection-tasks?person=K11"))!["tasks"]!.AsArray().Should().BeEmpty();
        var export = await client.GetAsync("/api/people/K11/export");
        export.StatusCode.Should().Be(HttpStatusCode.OK);
        using var zip = new System.IO.Compression.ZipArchive(await export.Content.ReadAsStreamAsync());
        using var reader = new StreamReader(zip.GetEntry("reflection.json")!.Open());
        var scheduled = JsonNode.Parse(await reader.ReadToEndAsync())!["tasks"]!.AsArray().Should().ContainSingle().Subject!;
        var early = await AnswerAsync(client, scheduled["id"]!.GetValue<string>(), new JsonObject { ["promptId"] = "anvant", ["score"] = 3 });
        early.StatusCode.Should().Be(HttpStatusCode.Conflict);
        (await early.Content.ReadAsStringAsync()).Should().Contain("Not asked yet");

        foreach (var (template, error) in new[]
        {
            ("""{ "kind": "follow-up", "mode": "individual" }""", "delay"),
            ("""{ "kind": "follow-up", "mode": "individual", "delay": "8 veckor" }""", "delay"),
            ("""{ "kind": "follow-up", "mode": "group", "delay": "P8W" }""", "mode"),
            ("""{ "kind": "reflection", "mode": "individual", "delay": "P8W" }""", "delay"),
            ("""{ "kind": "survey", "mode": "individual" }""", "kind"),
        })
        {
            var body = JsonNode.Parse(template)!.AsObject();
            body["id"] = "uppfoljning";
            body["title"] = new JsonObject { ["sv"] = "Uppföljning" };
            body["prompts"] = JsonNode.Parse("""[ { "id": "anvant", "text": { "sv": "Har du använt det?" } } ]""");
            body["trigger"] = new JsonObject { ["competence"] = "forflyttning" };
            body["dueIn"] = "P14D";
            var framework = JsonNode.Parse($$"""{ "competences": [ { "id": "forflyttning", "name": { "sv": "Förflyttning" } } ], "rules": [], "roles": [] }""")!;
            framework["reflectionTemplates"] = new JsonArray(body);
            var put = await client.PutAsync("/api/framework", Json(framework));
            put.StatusCode.Should().Be(HttpStatusCode.BadRequest, template);
            (await put.Content.ReadAsStringAsync()).Should().Contain(error, template);
        }
    }

    [Fact]
    public async Task Medium_term_gives_the_follow_up_questions_response_rate_and_scores_by_the_month_they_were_asked()
    {
        var (client, tenant) = await CreateFollowUpAsync();
        foreach (var (person, score) in new[] { ("K1", 4), ("K2", 4), ("K3", 4), ("K4", 4), ("K5", 4), ("K6", 5), ("K7", 5), ("K8", 5), ("K9", 5), ("K10", 5), ("P1", 2), ("P2", 3) })
            (await AnswerAsync(client, (await TaskOfAsync(client, person))["id"]!.GetValue<string>(), new JsonObject { ["promptId"] = "anvant", ["score"] = score }))
                .EnsureSuccessStatusCode();

        // All employers, March: 15 asked, 12 answered; scores 4 and 5 by five people each, 2 and 3 by one each (suppressed, and so the whole).
        var rows = await RowsAsync(client, "/api/follow-up/medium-term?from=2026-01&to=2026-04&competence=forflyttning");
        Figure(rows, "2026-01", "followUpQuestions").Should().Be("0", "the course was in January, the question eight weeks later");
        Figure(rows, "2026-01", "reflectionTasks").Should().Be("0", "a follow-up question is not a reflection task");
        Figure(rows, "2026-03", "followUpQuestions").Should().Be("15");
        Figure(rows, "2026-03", "followUpResponseRate").Should().Be("0.8");
        Figure(rows, "2026-03", "followUpScore", "score", "1").Should().Be("0");
        Figure(rows, "2026-03", "followUpScore", "score", "2").Should().Be("<5");
        Figure(rows, "2026-03", "followUpScore", "score", "3").Should().Be("<5");
        Figure(rows, "2026-03", "followUpScore", "score", "4").Should().Be("5");
        Figure(rows, "2026-03", "followUpScore", "score", "5").Should().Be("5");
        Figure(rows, "2026-03", "followUpScore").Should().Be("<5", "the whole would give the suppressed bands away");
        Figure(rows, "2026-04", "followUpQuestions").Should().Be("0");
        // March alone: the January trainings lie before the period and are read by the ids of the questions' trainings.
        var march = await RowsAsync(client, "/api/follow-up/medium-term?from=2026-03&to=2026-03&competence=forflyttning");
        Figure(march, "2026-03", "followUpQuestions").Should().Be("15", "each question's training is found by its id");
        Figure(march, "2026-03", "followUpScore", "score", "5").Should().Be("5");

        var municipal = await RowsAsync(client, "/api/follow-up/medium-term?from=2026-03&to=2026-03&employerKind=municipal");
        Figure(municipal, "2026-03", "followUpQuestions").Should().Be("10");
        Figure(municipal, "2026-03", "followUpResponseRate").Should().Be("1");
        Figure(municipal, "2026-03", "followUpScore", "score", "4").Should().Be("5");
        Figure(municipal, "2026-03", "followUpScore").Should().Be("10");

        // Omsorg AB's own credential: its five people, two answers, no figure of the municipality's.
        var bolaget = await lrs.ClientWithScopesAsync("profiles:read", "2.0.0", tenant, new CredentialRestrictions("bolaget", null, null));
        var own = await RowsAsync(bolaget, "/api/follow-up/medium-term?from=2026-03&to=2026-03");
        Figure(own, "2026-03", "followUpQuestions").Should().Be("5");
        Figure(own, "2026-03", "followUpResponseRate").Should().Be("0.4");
        Figure(own, "2026-03", "followUpScore", "score", "2").Should().Be("<5");
        Figure(own, "2026-03", "followUpScore", "score", "4").Should().Be("0");
        Figure(own, "2026-03", "followUpScore").Should().Be("<5");
        (await bolaget.GetAsync("/api/follow-up/medium-term?unit=u1")).StatusCode.Should().Be(HttpStatusCode.NotFound);
        var theirUnit = await RowsAsync(client, "/api/follow-up/medium-term?from=2026-03&to=2026-03&unit=u2");
        Figure(theirUnit, "2026-03", "followUpQuestions").Should().Be("5");
    }
}

public sealed class FollowUpTestsOnSqlite(SqliteLrs lrs) : FollowUpTests(lrs), IClassFixture<SqliteLrs>;
public sealed class FollowUpTestsOnPostgres(PostgresLrs lrs) : FollowUpTests(lrs), IClassFixture<PostgresLrs>;
