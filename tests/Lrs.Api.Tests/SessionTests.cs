using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Lrs.Api.Tests.Infrastructure;
using static Lrs.Api.Tests.Infrastructure.Xapi;

namespace Lrs.Api.Tests;

/// <summary>
/// On-site sessions and webinar attendance over HTTP: the statements they write, evidence from them, idempotency,
/// correction by voiding, all-or-nothing input.
/// </summary>
public abstract class SessionTests(LrsFixture lrs)
{
    private const string Attended = "http://adlnet.gov/expapi/verbs/attended";
    private const string Joined = "http://activitystrea.ms/join";
    private const string Verified = "https://w3id.org/xapi/tla/verbs/verified";
    private const string Forflyttning = "https://demo.lrsapi.se/xapi/activities/sessions/forflyttning";
    private const string Webinar = "https://demo.lrsapi.se/xapi/activities/webinars/palliativ-vard";
    private const string Metodikum = "https://demo.lrsapi.se/xapi/activities/learning-centres/metodikum";
    private static readonly JsonObject Trainer = new() { ["objectType"] = "Agent", ["name"] = "Ingela Hedström", ["mbox"] = "mailto:ingela.hedstrom@metodikum.solna.example" };

    internal static JsonObject Framework() => new()
    {
        ["competences"] = new JsonArray
        {
            new JsonObject { ["id"] = "forflyttning", ["name"] = new JsonObject { ["sv"] = "Förflyttningsteknik" }, ["validity"] = "P2Y" },
            new JsonObject { ["id"] = "palliativ-vard", ["name"] = new JsonObject { ["sv"] = "Palliativ vård" } },
        },
        ["rules"] = new JsonArray
        {
            new JsonObject { ["id"] = "forflyttning-session", ["competence"] = "forflyttning", ["verbs"] = new JsonArray(Attended, Passed),
                ["activities"] = new JsonArray(Forflyttning), ["signoffRequired"] = true },
            new JsonObject { ["id"] = "palliativ-webinar", ["competence"] = "palliativ-vard", ["verbs"] = new JsonArray(Attended), ["activities"] = new JsonArray(Webinar) },
        },
        ["roles"] = new JsonArray
        {
            new JsonObject
            {
                ["id"] = "underskoterska", ["name"] = new JsonObject { ["sv"] = "Undersköterska" },
                ["requirements"] = new JsonArray
                {
                    new JsonObject { ["competence"] = "forflyttning", ["level"] = "required" },
                    new JsonObject { ["competence"] = "palliativ-vard", ["level"] = "required" },
                },
            },
        },
        ["signoffVerbs"] = new JsonArray(Verified),
        ["reflectionTemplates"] = new JsonArray(new JsonObject
        {
            ["id"] = "forflyttning-reflektion", ["title"] = new JsonObject { ["sv"] = "Reflektion efter förflyttningsteknik" },
            ["prompts"] = new JsonArray(new JsonObject { ["id"] = "tidspress", ["text"] = new JsonObject { ["sv"] = "Hur kan förflyttningar under tidspress bli en risk?" } }),
            ["trigger"] = new JsonObject { ["competence"] = "forflyttning" }, ["mode"] = "individual", ["dueIn"] = "P14D",
        }, new JsonObject
        {
            ["id"] = "webbinarium-reflektion", ["title"] = new JsonObject { ["sv"] = "Reflektion efter webbinarium" },
            ["prompts"] = new JsonArray(new JsonObject { ["id"] = "ta-med", ["text"] = new JsonObject { ["sv"] = "Vad tar du med dig till arbetet?" } }),
            ["trigger"] = new JsonObject { ["verbs"] = new JsonArray(Attended), ["activityTypes"] = new JsonArray("http://id.tincanapi.com/activitytype/webinar") },
            ["mode"] = "individual", ["dueIn"] = "P7D",
        }),
    };

    // A tenant with the framework, Solna stad (HR accounts) and four people; S-3 also has an e-mail agent.
    private async Task<HttpClient> TenantAsync(string version = "2.0.0")
    {
        var client = await lrs.ClientWithScopesAsync("all framework:write people:write profiles:read reflections:read", version, "se-" + Guid.NewGuid().ToString("N")[..10]);
        await SetUpTenantAsync(client);
        return client;
    }

    /// <summary>Gives the client's tenant the framework, Solna stad (HR accounts) and four people.</summary>
    internal static async Task SetUpTenantAsync(HttpClient client)
    {
        (await client.PutAsync("/api/framework", Json(Framework()))).EnsureSuccessStatusCode();
        (await client.PutAsync("/api/organisations", Json(new JsonArray(new JsonObject
        {
            ["id"] = "solna-stad", ["name"] = "Solna stad", ["hrHomePage"] = "https://hr.solna.example",
            ["units"] = new JsonArray(new JsonObject { ["id"] = "ekbacken", ["name"] = "Vårdboende Ekbacken" }),
        })))).EnsureSuccessStatusCode();
        JsonObject Person(string id, string role, params JsonObject[] agents) => new()
        {
            ["id"] = id, ["organisationId"] = "solna-stad", ["name"] = "Person " + id, ["units"] = new JsonArray("ekbacken"),
            ["roles"] = new JsonArray(role), ["agents"] = new JsonArray([.. agents]),
        };
        var people = await client.PutAsync("/api/people", Json(new JsonArray(
            Person("S-1", "underskoterska"), Person("S-2", "underskoterska"),
            Person("S-3", "underskoterska", new JsonObject { ["mbox"] = "mailto:sara.berg@solna.example" }), Person("N-1", "sjukskoterska"))));
        people.StatusCode.Should().Be(HttpStatusCode.OK, await people.Content.ReadAsStringAsync());
    }

    private static JsonObject Hr(string id) => new() { ["homePage"] = "https://hr.solna.example", ["name"] = id };

    internal static JsonObject Session(params JsonObject[] participants) => new()
    {
        ["activity"] = new JsonObject { ["id"] = Forflyttning, ["name"] = new JsonObject { ["sv"] = "Förflyttningsteknik – praktisk utbildning", ["en"] = "Patient transfer – practical training" }, ["type"] = "course" },
        ["start"] = "2026-03-02T08:00:00+01:00",
        ["end"] = "2026-03-03T16:00:00+01:00",
        ["place"] = new JsonObject { ["id"] = Metodikum, ["name"] = "Metodikum, Solna" },
        ["trainers"] = new JsonArray(new JsonObject { ["agent"] = Trainer.DeepClone() }),
        ["participants"] = new JsonArray([.. participants]),
    };

    internal static JsonObject Participant(string person, string outcome, string? signer = null)
    {
        var p = new JsonObject { ["personId"] = person, ["outcome"] = outcome };
        if (signer is not null) p["signoff"] = new JsonObject { ["by"] = new JsonObject { ["personId"] = signer }, ["at"] = "2026-03-03T16:30:00+01:00" };
        return p;
    }

    private static async Task<JsonObject> PutAsync(HttpClient client, string path, JsonNode body, HttpStatusCode expected)
    {
        var response = await client.PutAsync(path, Json(body));
        var text = await response.Content.ReadAsStringAsync();
        response.StatusCode.Should().Be(expected, text);
        return JsonNode.Parse(text)!.AsObject();
    }

    private static JsonObject ParticipantOf(JsonObject session, string person) =>
        session["participants"]!.AsArray().Single(p => p!["personId"]?.GetValue<string>() == person)!.AsObject();

    private static List<string> Ids(JsonNode? array) => [.. array!.AsArray().Select(n => n!.GetValue<string>())];

    private static async Task<List<JsonObject>> ByRegistrationAsync(HttpClient client, JsonObject session) =>
        await client.GetAllAsync($"/xapi/statements?registration={session["registration"]}&limit=0");

    [Fact]
    public async Task A_session_becomes_statements_with_the_trainer_as_instructor_and_context_agent_one_registration_and_the_place()
    {
        var client = await TenantAsync();
        var written = await PutAsync(client, "/api/sessions/forfl-2026-03", Session(Participant("S-1", "passed", "N-1"), Participant("S-2", "attended")), HttpStatusCode.Created);
        written["changes"]!["added"]!.GetValue<int>().Should().Be(2);
        written["changes"]!["statementsWritten"]!.GetValue<int>().Should().Be(4);

        var statements = await ByRegistrationAsync(client, written["session"]!.AsObject());
        statements.Should().HaveCount(4);
        var about = statements.Where(s => s["object"]!["objectType"]!.GetValue<string>() == "Activity").ToList();
        about.Select(s => s["verb"]!["id"]!.GetValue<string>()).Should().BeEquivalentTo([Attended, Attended, Passed]);
        about.Should().OnlyContain(s => s["context"]!["instructor"]!["mbox"]!.GetValue<string>() == Trainer["mbox"]!.GetValue<string>()
            && s["context"]!["contextAgents"]![0]!["agent"]!["mbox"]!.GetValue<string>() == Trainer["mbox"]!.GetValue<string>()
            && s["context"]!["contextActivities"]!["grouping"]![0]!["id"]!.GetValue<string>() == Metodikum
            && s["context"]!["extensions"]!["https://lrsapi.se/xapi/extensions/session"]!.GetValue<string>() == "forfl-2026-03"
            && s["timestamp"]!.GetValue<string>() == "2026-03-03T15:00:00.000Z");
        var passed = about.Single(s => s["verb"]!["id"]!.GetValue<string>() == Passed);
        passed["actor"]!["account"]!["name"]!.GetValue<string>().Should().Be("S-1", "a person is named by their HR account");
        passed["result"]!["success"]!.GetValue<bool>().Should().BeTrue();
        var signoff = statements.Single(s => s["verb"]!["id"]!.GetValue<string>() == Verified);
        signoff["object"]!["id"]!.GetValue<string>().Should().Be(passed["id"]!.GetValue<string>());
        signoff["actor"]!["account"]!["name"]!.GetValue<string>().Should().Be("N-1");

        var (_, read) = await client.GetJsonAsync("/api/sessions/forfl-2026-03");
        Ids(ParticipantOf(read!.AsObject(), "S-1")["statementIds"]).Should().HaveCount(3).And.Contain([passed["id"]!.GetValue<string>(), signoff["id"]!.GetValue<string>()]);
        ParticipantOf(read.AsObject(), "S-2")["outcome"]!.GetValue<string>().Should().Be("attended");
        var (_, list) = await client.GetJsonAsync($"/api/sessions?activity={Uri.EscapeDataString(Forflyttning)}&from=2026-03-01T00:00:00Z");
        list!["sessions"]!.AsArray().Select(s => s!["id"]!.GetValue<string>()).Should().Equal("forfl-2026-03");
        var (_, none) = await client.GetJsonAsync("/api/sessions?from=2026-04-01T00:00:00Z");
        none!["sessions"]!.AsArray().Should().BeEmpty();
    }

    [Fact]
    public async Task A_practical_passed_with_a_signoff_is_a_valid_competence_and_triggers_a_reflection_task_and_attendance_without_one_is_not_valid()
    {
        var client = await TenantAsync();
        await PutAsync(client, "/api/sessions/forfl-1", Session(Participant("S-1", "passed", "N-1"), Participant("S-2", "attended")), HttpStatusCode.Created);

        async Task<string> StatusAsync(string person)
        {
            var profile = await client.GetFromJsonAsync<JsonNode>($"/api/people/{person}/profile");
            return profile!["competences"]!.AsArray().Single(c => c!["competence"]!.GetValue<string>() == "forflyttning")!["status"]!.GetValue<string>();
        }
        (await StatusAsync("S-1")).Should().Be("valid");
        (await StatusAsync("S-2")).Should().NotBe("valid");

        var tasks = await client.GetFromJsonAsync<JsonNode>("/api/reflection-tasks?person=S-1");
        tasks!["tasks"]!.AsArray().Should().ContainSingle("the session's statements trigger the framework's reflection template like any other")
            .Which!["status"]!.GetValue<string>().Should().Be("open");
    }

    [Fact]
    public async Task The_same_session_sent_again_changes_nothing()
    {
        var client = await TenantAsync();
        var body = Session(Participant("S-1", "passed", "N-1"), Participant("S-2", "attended"));
        var first = await PutAsync(client, "/api/sessions/s1", body, HttpStatusCode.Created);
        var again = await PutAsync(client, "/api/sessions/s1", body, HttpStatusCode.OK);

        again["changes"]!.ToJsonString().Should().Be("""{"added":0,"changed":0,"removed":0,"unchanged":2,"statementsWritten":0,"statementsVoided":0}""");
        again["session"]!["updated"]!.GetValue<string>().Should().Be(first["session"]!["updated"]!.GetValue<string>());
        (await ByRegistrationAsync(client, again["session"]!.AsObject())).Should().HaveCount(4);
    }

    [Fact]
    public async Task Correcting_one_participant_voids_and_replaces_only_their_statements()
    {
        var client = await TenantAsync();
        var first = (await PutAsync(client, "/api/sessions/s2", Session(Participant("S-1", "passed", "N-1"), Participant("S-2", "attended")), HttpStatusCode.Created))["session"]!.AsObject();
        var corrected = await PutAsync(client, "/api/sessions/s2", Session(Participant("S-1", "passed", "N-1"), Participant("S-2", "failed")), HttpStatusCode.OK);

        corrected["changes"]!["changed"]!.GetValue<int>().Should().Be(1);
        corrected["changes"]!["unchanged"]!.GetValue<int>().Should().Be(1);
        var session = corrected["session"]!.AsObject();
        Ids(ParticipantOf(session, "S-1")["statementIds"]).Should().Equal(Ids(ParticipantOf(first, "S-1")["statementIds"]));
        // The attended statement is the same; only the new failed statement is added.
        Ids(ParticipantOf(session, "S-2")["statementIds"]).Should().HaveCount(2).And.Contain(Ids(ParticipantOf(first, "S-2")["statementIds"]));
        Ids(ParticipantOf(session, "S-2")["voidedStatementIds"]).Should().BeEmpty();

        // S-1's sign-off moves to another nurse: the sign-off is voided and replaced, the outcome stays.
        var resigned = await PutAsync(client, "/api/sessions/s2", Session(Participant("S-1", "passed", "S-3"), Participant("S-2", "failed")), HttpStatusCode.OK);
        var s1 = ParticipantOf(resigned["session"]!.AsObject(), "S-1");
        var oldSignoff = Ids(ParticipantOf(first, "S-1")["statementIds"])[2];
        Ids(s1["voidedStatementIds"]).Should().Equal(oldSignoff);
        (await client.GetAsync($"/xapi/statements?statementId={oldSignoff}")).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await client.GetAsync($"/xapi/statements?voidedStatementId={oldSignoff}")).StatusCode.Should().Be(HttpStatusCode.OK);

        // Leaving S-2 out voids theirs.
        var removed = await PutAsync(client, "/api/sessions/s2", Session(Participant("S-1", "passed", "S-3")), HttpStatusCode.OK);
        removed["changes"]!["removed"]!.GetValue<int>().Should().Be(1);
        var s2 = ParticipantOf(removed["session"]!.AsObject(), "S-2");
        s2["outcome"]!.GetValue<string>().Should().Be("removed");
        Ids(s2["voidedStatementIds"]).Should().HaveCount(2);
        var listed = await ByRegistrationAsync(client, removed["session"]!.AsObject());
        listed.Where(s => s["verb"]!["id"]!.GetValue<string>() != Voided).Select(s => s["actor"]!["account"]!["name"]!.GetValue<string>())
            .Should().BeEquivalentTo(["S-1", "S-1", "S-3"], "S-1's attended and passed and S-3's sign-off are left; S-2's are voided");
        listed.Count(s => s["verb"]!["id"]!.GetValue<string>() == Voided).Should().Be(3, "voiding statements come with what they target (the old sign-off and S-2's two)");
    }

    [Fact]
    public async Task Concurrent_corrections_of_one_session_leave_exactly_the_statements_the_stored_session_names()
    {
        var client = await TenantAsync();
        await PutAsync(client, "/api/sessions/race", Session(Participant("S-1", "attended")), HttpStatusCode.Created);
        var outcomes = new[] { "passed", "failed", "attended", "passed", "failed", "passed", "attended", "failed" };
        var responses = await Task.WhenAll(outcomes.Select(o => client.PutAsync("/api/sessions/race", Json(Session(Participant("S-1", o))))));
        responses.Should().OnlyContain(r => r.StatusCode == HttpStatusCode.OK);

        var session = (await client.GetFromJsonAsync<JsonNode>("/api/sessions/race"))!.AsObject();
        var s1 = ParticipantOf(session, "S-1");
        var live = (await ByRegistrationAsync(client, session)).Where(s => s["verb"]!["id"]!.GetValue<string>() != Voided)
            .Select(s => s["id"]!.GetValue<string>()).ToList();
        live.Should().BeEquivalentTo(Ids(s1["statementIds"]), "the statements left live are exactly those the stored session names");
    }

    [Fact]
    public async Task An_unknown_person_is_a_400_naming_them_and_nothing_is_stored()
    {
        var client = await TenantAsync();
        var response = await client.PutAsync("/api/sessions/s3", Json(Session(Participant("S-1", "attended"), Participant("S-404", "passed", "N-404"))));
        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        var problem = await response.Content.ReadAsStringAsync();
        problem.Should().Contain("S-404").And.Contain("N-404").And.Contain("$.participants[1].personId");

        (await client.GetAsync("/api/sessions/s3")).StatusCode.Should().Be(HttpStatusCode.NotFound);
        var (_, page) = await client.GetJsonAsync($"/xapi/statements?activity={Uri.EscapeDataString(Forflyttning)}");
        page!["statements"]!.AsArray().Should().BeEmpty();
    }

    [Fact]
    public async Task Under_xAPI_1_0_3_the_trainer_is_only_the_instructor()
    {
        var client = await TenantAsync("1.0.3");
        var body = Session(Participant("S-1", "attended"));
        body["xapiVersion"] = "1.0.3";
        body["trainers"]!.AsArray().Add(new JsonObject { ["personId"] = "N-1" });
        var written = await PutAsync(client, "/api/sessions/s4", body, HttpStatusCode.Created);
        var statement = (await ByRegistrationAsync(client, written["session"]!.AsObject())).Single();
        statement["context"]!["contextAgents"].Should().BeNull();
        statement["context"]!["instructor"]!["objectType"]!.GetValue<string>().Should().Be("Group");
        statement["context"]!["instructor"]!["member"]!.AsArray().Should().HaveCount(2);
        statement["version"]!.GetValue<string>().Should().StartWith("1.0");
    }

    internal static JsonObject WebinarBody() => new()
    {
        ["activity"] = new JsonObject { ["id"] = Webinar, ["name"] = new JsonObject { ["sv"] = "Palliativ vård – webbinarium", ["en"] = "Palliative care – webinar" } },
        ["start"] = "2026-04-14T13:00:00+02:00",
        ["end"] = "2026-04-14T14:00:00+02:00",
        ["presenters"] = new JsonArray(new JsonObject { ["agent"] = Trainer.DeepClone() }),
    };

    private static async Task<(HttpStatusCode Status, JsonObject Body)> ImportAsync(HttpClient client, string id, string csv)
    {
        var response = await client.PutAsync($"/api/webinars/{id}/attendance", new StringContent(csv, Encoding.UTF8, "text/csv"));
        return (response.StatusCode, JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject());
    }

    // Zoom's export: S-1 rejoined (30 + 20 minutes of 60: attended at 0.75), S-2 stayed 20 minutes, S-3 is found by e-mail,
    // and a guest is no one of the tenant.
    internal const string Zoom = """
        Name (Original Name),User Email,Join Time,Leave Time,Duration (Minutes)
        Anna Andersson,,04/14/2026 01:00:00 PM,04/14/2026 01:30:00 PM,30
        Bo Berg,,04/14/2026 01:10:00 PM,04/14/2026 01:30:00 PM,20
        Sara Berg,Sara.Berg@solna.example,04/14/2026 01:00:00 PM,04/14/2026 02:00:00 PM,60
        Gäst Gästsson,gast@annan-kommun.example,04/14/2026 01:00:00 PM,04/14/2026 02:00:00 PM,60
        Anna Andersson,,04/14/2026 01:35:00 PM,04/14/2026 01:55:00 PM,20
        """;

    internal static string WithIds(string csv) => csv
        .Replace("Name (Original Name),User Email,", "Name (Original Name),Employee ID,User Email,", StringComparison.Ordinal)
        .Replace("Anna Andersson,,", "Anna Andersson,S-1,,", StringComparison.Ordinal)
        .Replace("Bo Berg,,", "Bo Berg,S-2,,", StringComparison.Ordinal)
        .Replace("Sara Berg,", "Sara Berg,,", StringComparison.Ordinal)
        .Replace("Gäst Gästsson,", "Gäst Gästsson,,", StringComparison.Ordinal);

    [Fact]
    public async Task A_webinar_report_gives_attended_or_joined_by_the_share_of_its_length_sums_rejoins_and_reports_unknowns()
    {
        var client = await TenantAsync();
        await PutAsync(client, "/api/webinars/pall-2026-04", WebinarBody(), HttpStatusCode.Created);
        var (status, import) = await ImportAsync(client, "pall-2026-04", WithIds(Zoom));
        status.Should().Be(HttpStatusCode.OK, import.ToJsonString());

        import["attended"]!.GetValue<int>().Should().Be(2);
        import["joined"]!.GetValue<int>().Should().Be(1);
        var unknown = import["unknown"]!.AsArray().Single()!;
        unknown["email"]!.GetValue<string>().Should().Be("gast@annan-kommun.example");
        unknown["rows"]!.AsArray().Select(r => r!.GetValue<int>()).Should().Equal(5);

        var webinar = import["webinar"]!.AsObject();
        ParticipantOf(webinar, "S-1")["detail"]!["seconds"]!.GetValue<long>().Should().Be(50 * 60);
        var statements = await ByRegistrationAsync(client, webinar);
        statements.Should().HaveCount(3);
        var byPerson = statements.ToDictionary(s => s["actor"]!["account"]!["name"]!.GetValue<string>());
        byPerson["S-1"]["verb"]!["id"]!.GetValue<string>().Should().Be(Attended);
        byPerson["S-1"]["result"]!["duration"]!.GetValue<string>().Should().Be("PT50M");
        byPerson["S-2"]["verb"]!["id"]!.GetValue<string>().Should().Be(Joined);
        byPerson["S-2"]["result"]!["duration"]!.GetValue<string>().Should().Be("PT20M");
        byPerson["S-3"]["verb"]!["id"]!.GetValue<string>().Should().Be(Attended, "the e-mail address is one of S-3's agents");
        byPerson["S-1"]["context"]!["instructor"]!["mbox"]!.GetValue<string>().Should().Be(Trainer["mbox"]!.GetValue<string>());

        var profile = await client.GetFromJsonAsync<JsonNode>("/api/people/S-1/profile");
        profile!["competences"]!.AsArray().Single(c => c!["competence"]!.GetValue<string>() == "palliativ-vard")!["status"]!.GetValue<string>().Should().Be("valid");

        // Attending (not merely joining) triggers the framework's webinar reflection, once per person.
        foreach (var (person, expected) in new[] { ("S-1", 1), ("S-2", 0), ("S-3", 1) })
        {
            var tasks = (await client.GetFromJsonAsync<JsonNode>($"/api/reflection-tasks?person={person}&template=webbinarium-reflektion"))!["tasks"]!.AsArray();
            tasks.Should().HaveCount(expected, person);
        }
        await ImportAsync(client, "pall-2026-04", WithIds(Zoom));
        (await client.GetFromJsonAsync<JsonNode>("/api/reflection-tasks?person=S-1&template=webbinarium-reflektion"))!["tasks"]!.AsArray().Should().ContainSingle();
    }

    [Fact]
    public async Task A_report_with_bad_rows_is_a_400_listing_each_and_nothing_is_stored()
    {
        var client = await TenantAsync();
        await PutAsync(client, "/api/webinars/w-bad", WebinarBody(), HttpStatusCode.Created);
        const string Plain = """
            name,email,employeeId,joinTime,leaveTime,durationMinutes
            Anna Andersson,,S-1,2026-04-14T13:00:00+02:00,2026-04-14T14:00:00+02:00,60
            Bo Berg,,,2026-04-14T13:00:00+02:00,,30
            Sara Berg,sara.berg@solna.example,,igår,,
            """;
        var (status, problem) = await ImportAsync(client, "w-bad", Plain);
        status.Should().Be(HttpStatusCode.BadRequest);
        problem["errors"]!.AsObject().Select(e => e.Key).Should().BeEquivalentTo(["row 3", "row 4"]);

        var (_, webinar) = await client.GetJsonAsync("/api/webinars/w-bad");
        webinar!["participants"]!.AsArray().Should().BeEmpty();
        (await ByRegistrationAsync(client, webinar.AsObject())).Should().BeEmpty();
        (await ImportAsync(client, "no-such-webinar", Plain)).Status.Should().Be(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task The_same_report_twice_changes_nothing_and_a_corrected_one_replaces_only_the_changed_people()
    {
        var client = await TenantAsync();
        await PutAsync(client, "/api/webinars/w-again", WebinarBody(), HttpStatusCode.Created);
        var (_, first) = await ImportAsync(client, "w-again", WithIds(Zoom));
        var (status, again) = await ImportAsync(client, "w-again", WithIds(Zoom));
        status.Should().Be(HttpStatusCode.OK);
        again["changes"]!["statementsWritten"]!.GetValue<int>().Should().Be(0);
        again["changes"]!["statementsVoided"]!.GetValue<int>().Should().Be(0);
        again["changes"]!["unchanged"]!.GetValue<int>().Should().Be(3);

        // Bo Berg's stay was 50 minutes, not 20; Sara Berg is not in the corrected report.
        var corrected = WithIds(Zoom).Replace("Bo Berg,S-2,,04/14/2026 01:10:00 PM,04/14/2026 01:30:00 PM,20", "Bo Berg,S-2,,04/14/2026 01:10:00 PM,04/14/2026 02:00:00 PM,50", StringComparison.Ordinal)
            .Replace("Sara Berg,,Sara.Berg@solna.example,04/14/2026 01:00:00 PM,04/14/2026 02:00:00 PM,60\n", "", StringComparison.Ordinal);
        var (_, fixedImport) = await ImportAsync(client, "w-again", corrected);
        fixedImport["changes"]!["changed"]!.GetValue<int>().Should().Be(1);
        fixedImport["changes"]!["removed"]!.GetValue<int>().Should().Be(1);
        fixedImport["changes"]!["unchanged"]!.GetValue<int>().Should().Be(1);
        var webinar = fixedImport["webinar"]!.AsObject();
        Ids(ParticipantOf(webinar, "S-1")["statementIds"]).Should().Equal(Ids(ParticipantOf(first["webinar"]!.AsObject(), "S-1")["statementIds"]));
        ParticipantOf(webinar, "S-2")["outcome"]!.GetValue<string>().Should().Be("attended");
        ParticipantOf(webinar, "S-3")["outcome"]!.GetValue<string>().Should().Be("removed");

        var statements = await ByRegistrationAsync(client, webinar);
        statements.Where(s => s["verb"]!["id"]!.GetValue<string>() != Voided).Select(s => s["actor"]!["account"]!["name"]!.GetValue<string>())
            .Should().BeEquivalentTo(["S-1", "S-2"]);

        // A shorter minimum share judges the imported attendance again: nothing to change here, all attended already.
        var lenient = WebinarBody();
        lenient["minimumShare"] = 0.25;
        var redefined = await PutAsync(client, "/api/webinars/w-again", lenient, HttpStatusCode.OK);
        redefined["changes"]!["statementsWritten"]!.GetValue<int>().Should().Be(0);
    }
}

public sealed class SessionTestsOnSqlite(SqliteLrs lrs) : SessionTests(lrs), IClassFixture<SqliteLrs>;
public sealed class SessionTestsOnPostgres(PostgresLrs lrs) : SessionTests(lrs), IClassFixture<PostgresLrs>;
