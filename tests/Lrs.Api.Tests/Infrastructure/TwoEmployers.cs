using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Lrs.Core.Reflection;
using Lrs.Core.Storage;
using static Lrs.Api.Tests.Infrastructure.Xapi;

namespace Lrs.Api.Tests.Infrastructure;

/// <summary>
/// One tenant of a learning centre with two employers, acme (A) and bravo (B), each with a unit and a person who completed a
/// course (evidence and a reflection task), answered the task, attended a group reflection, a session and a webinar, and has a
/// State and an Agent Profile document. The texts of A carry <see cref="Marker"/>: they are what must never reach B.
/// </summary>
public sealed class TwoEmployers
{
    /// <summary>Every scope there is, but <c>operator</c>.</summary>
    public const string AllScopes = "all admin profiles:read people:write framework:write reflections:read reflections:write";

    public required LrsFixture Lrs { get; init; }
    public required string Marker { get; init; }
    public required string Tenant { get; init; }
    public required HttpClient Owner { get; init; }
    public required string Competence { get; init; }
    public required string Template { get; init; }
    public required string Activity { get; init; }
    public required Employer A { get; init; }
    public required Employer B { get; init; }

    /// <summary>One employer's ids and its person.</summary>
    public sealed record Employer(string Organisation, string Unit, string Person, JsonObject Agent, JsonObject Mbox, string StatementId, string TaskId,
        string MeetingId, string Session, string Webinar, string Webhook);

    /// <summary>A client of the tenant with <paramref name="scopes"/> and restrictions.</summary>
    public Task<HttpClient> ClientAsync(string scopes, string? organisation = null, JsonObject? actor = null) =>
        Lrs.ClientWithScopesAsync(scopes, "2.0.0", Tenant, organisation is null && actor is null ? null : new CredentialRestrictions(organisation, actor?.ToJsonString(), null));

    /// <summary>The agent parameter naming <paramref name="agent"/> by its identifier only.</summary>
    public static string AgentParameter(JsonObject agent)
    {
        var bare = (JsonObject)agent.DeepClone();
        bare.Remove("name");
        return Q(bare);
    }

    /// <param name="lrs">The LRS.</param>
    /// <param name="marker">What makes the names unique (random when null): tenant <c>centre-{marker}</c>, organisations
    /// <c>acme-{marker}</c> and <c>bravo-{marker}</c>.</param>
    public static async Task<TwoEmployers> CreateAsync(LrsFixture lrs, string? marker = null)
    {
        var m = marker ?? Guid.NewGuid().ToString("N")[..10];
        var tenant = "centre-" + m;
        var owner = await lrs.ClientWithScopesAsync(AllScopes, "2.0.0", tenant);
        var (competence, template, activity) = ($"c-{m}", $"t-{m}", $"https://demo.lrsapi.se/xapi/activities/courses/{m}");
        await Ok(owner.PutAsync("/api/framework", Json(new JsonObject
        {
            ["competences"] = new JsonArray { new JsonObject { ["id"] = competence, ["name"] = new JsonObject { ["sv"] = "Basal hygien" }, ["validity"] = "P1Y" } },
            ["rules"] = new JsonArray { new JsonObject { ["id"] = $"r-{m}", ["competence"] = competence, ["verbs"] = new JsonArray(Completed), ["activities"] = new JsonArray(activity) } },
            ["roles"] = new JsonArray { new JsonObject { ["id"] = "usk", ["name"] = new JsonObject { ["sv"] = "Undersköterska" },
                ["requirements"] = new JsonArray { new JsonObject { ["competence"] = competence, ["level"] = "required" } } } },
            ["reflectionTemplates"] = new JsonArray { new JsonObject { ["id"] = template, ["title"] = new JsonObject { ["sv"] = "Reflektion" },
                ["prompts"] = new JsonArray { new JsonObject { ["id"] = "fraga", ["text"] = new JsonObject { ["sv"] = "Vad lärde du dig?" } } },
                ["trigger"] = new JsonObject { ["competence"] = competence }, ["mode"] = "group", ["dueIn"] = "P14D" } },
        })));
        var a = await EmployerAsync(owner, "A", "acme", "Astrid", m, template, activity);
        var b = await EmployerAsync(owner, "B", "bravo", "Bo", m, template, activity);
        return new TwoEmployers
        {
            Lrs = lrs, Marker = m, Tenant = tenant, Owner = owner, Competence = competence, Template = template, Activity = activity, A = a, B = b,
        };
    }

    private static async Task<Employer> EmployerAsync(HttpClient owner, string letter, string name, string personName, string m, string template, string activity)
    {
        var (organisation, unit, person) = ($"{name}-{m}", $"u{letter.ToLowerInvariant()}-{m}", $"{letter}-{m}");
        var homePage = $"https://hr.{name}-{m}.example";
        await Ok(owner.PutAsync("/api/organisations", Json(new JsonArray(new JsonObject
        {
            ["id"] = organisation, ["name"] = $"Org {letter} {m}", ["hrHomePage"] = homePage,
            ["units"] = new JsonArray(new JsonObject { ["id"] = unit, ["name"] = $"Enhet {letter} {m}" }),
        }))));
        var mbox = new JsonObject { ["objectType"] = "Agent", ["mbox"] = $"mailto:{name}-{m}@{name}.example" };
        await Ok(owner.PutAsync("/api/people", Json(new JsonArray(new JsonObject
        {
            ["id"] = person, ["organisationId"] = organisation, ["name"] = $"{personName} {letter} {m}", ["units"] = new JsonArray(unit),
            ["roles"] = new JsonArray("usk"), ["agents"] = new JsonArray(mbox.DeepClone()),
        }))));
        var agent = new JsonObject { ["objectType"] = "Agent", ["account"] = new JsonObject { ["homePage"] = homePage, ["name"] = person } };

        var statement = Statement(agent, activity: activity);
        statement["result"]!["response"] = $"Resultat {letter} {m}";
        var statementId = (await owner.PostAsync(statement))[0];
        var task = (await owner.GetFromJsonAsync<JsonNode>($"/api/reflection-tasks?person={person}"))!["tasks"]![0]!["id"]!.GetValue<string>();
        await Ok(owner.PostAsync($"/api/reflection-tasks/{task}/answers", Json(new JsonObject
        {
            ["answers"] = new JsonArray(new JsonObject { ["promptId"] = "fraga", ["response"] = $"Svar {letter} {m}" }), ["sharedWithGroup"] = true,
        })));
        var meeting = await Ok(owner.PostAsync($"/api/units/{unit}/group-reflections", Json(new JsonObject
        {
            ["heldAt"] = DateTimeOffset.UtcNow.ToString("yyyy-MM-ddTHH:mm:sszzz"), ["facilitator"] = new JsonObject { ["personId"] = person },
            ["attendees"] = new JsonArray(new JsonObject { ["personId"] = person }), ["templates"] = new JsonArray(template), ["notes"] = $"Anteckning {letter} {m}",
        })));
        var meetingId = meeting!["id"]!.GetValue<string>();

        var agentParameter = AgentParameter(agent);
        await Ok(owner.PutAsync($"/xapi/activities/state?activityId={Uri.EscapeDataString(activity)}&agent={agentParameter}&stateId=bookmark",
            Json(new JsonObject { ["note"] = $"State {letter} {m}" })));
        await Ok(owner.PutAsync($"/xapi/agents/profile?agent={agentParameter}&profileId=preferences", Json(new JsonObject { ["note"] = $"Profil {letter} {m}" })));

        var (session, webinar) = ($"s{letter.ToLowerInvariant()}-{m}", $"w{letter.ToLowerInvariant()}-{m}");
        await Ok(owner.PutAsync($"/api/sessions/{session}", Json(new JsonObject
        {
            ["activity"] = new JsonObject { ["id"] = $"https://demo.lrsapi.se/xapi/activities/sessions/{session}", ["name"] = new JsonObject { ["sv"] = "Förflyttning" } },
            ["start"] = "2026-03-02T08:00:00+01:00", ["end"] = "2026-03-02T12:00:00+01:00",
            ["trainers"] = new JsonArray(new JsonObject { ["agent"] = new JsonObject { ["name"] = $"Utbildare {letter} {m}", ["mbox"] = $"mailto:trainer-{session}@centre.example" } }),
            ["participants"] = new JsonArray(new JsonObject { ["personId"] = person, ["outcome"] = "attended" }),
        })));
        await Ok(owner.PutAsync($"/api/webinars/{webinar}", Json(new JsonObject
        {
            ["activity"] = new JsonObject { ["id"] = $"https://demo.lrsapi.se/xapi/activities/webinars/{webinar}", ["name"] = new JsonObject { ["sv"] = "Palliativ vård" } },
            ["start"] = "2026-03-03T13:00:00+01:00", ["end"] = "2026-03-03T14:00:00+01:00",
            ["presenters"] = new JsonArray(new JsonObject { ["agent"] = new JsonObject { ["name"] = $"Presentatör {letter} {m}", ["mbox"] = $"mailto:presenter-{webinar}@centre.example" } }),
        })));
        var report = $"name,email,employeeId,joinTime,leaveTime,durationMinutes\n{personName},,{person},2026-03-03T13:00:00+01:00,2026-03-03T14:00:00+01:00,60\n";
        await Ok(owner.PutAsync($"/api/webinars/{webinar}/attendance", new StringContent(report, Encoding.UTF8, "text/csv")));
        await Ok(owner.PutAsync($"/api/units/{unit}/plans/{PlanId}", Json(UnitPlan($"Vision {letter} {m}", m))));
        await Ok(owner.PostAsync($"/api/units/{unit}/deviations", Json(Deviation(m))));
        await Ok(owner.PutAsync($"/api/people/{person}/training-plan", Json(TrainingPlan($"Chef {letter} {m}", m))));
        // Created paused: nothing is ever delivered to it, so its state only changes when someone changes it (created active and
        // then paused, a delivery leased in between could still finish after the pause and change its failure columns).
        var webhook = (await Ok(owner.PostAsync("/api/admin/webhooks", Json(new JsonObject
        {
            ["url"] = $"https://hooks.{name}-{m}.invalid/webhook-{letter.ToLowerInvariant()}-{m}", ["organisation"] = organisation, ["state"] = "paused",
        }))))!["id"]!.GetValue<string>();
        return new Employer(organisation, unit, person, agent, mbox, statementId, task, meetingId, session, webinar, webhook);
    }

    /// <summary>The id of each employer's unit plan.</summary>
    public const string PlanId = "plan-2026";

    /// <summary>A unit plan with one goal on the framework's competence and one activity row, <c>r1</c>.</summary>
    public static JsonObject UnitPlan(string vision, string m) => new()
    {
        ["vision"] = vision, ["goal"] = "Alla har basal hygien.", ["startsOn"] = "2026-01-01",
        ["measurableGoals"] = new JsonArray(new JsonObject { ["id"] = "g1", ["kind"] = "share-valid", ["competence"] = $"c-{m}", ["role"] = "usk", ["target"] = 0.9 }),
        ["activities"] = new JsonArray(new JsonObject
        {
            ["id"] = "r1", ["aspect"] = "competence", ["responsible"] = "Enhetschef", ["activity"] = "Hygienkörkortet", ["deadline"] = "2026-06-30",
            ["hours"] = 2, ["status"] = "ongoing",
        }),
    };

    /// <summary>A deviation report on the framework's competence, logged against row <c>r1</c> of the unit plan; dated early enough for an LRS whose clock a test set years back.</summary>
    public static JsonObject Deviation(string m) => new()
    {
        ["date"] = "2015-03-05", ["category"] = "hygiene", ["reference"] = $"AVV-{m}", ["competences"] = new JsonArray($"c-{m}"), ["plan"] = PlanId, ["row"] = "r1",
    };

    /// <summary>A training plan of one item on the framework's competence, agreed by <paramref name="agreedBy"/>.</summary>
    public static JsonObject TrainingPlan(string agreedBy, string m) => new()
    {
        ["items"] = new JsonArray(new JsonObject
        {
            ["id"] = "i1", ["competence"] = $"c-{m}", ["purpose"] = "gain", ["way"] = new JsonObject { ["kind"] = "on-site", ["activities"] = new JsonArray() },
            ["dueOn"] = "2027-06-30", ["agreedBy"] = agreedBy, ["agreedOn"] = "2026-03-01",
        }),
    };

    /// <summary>Everything the owner reads of employer A: compared before and after another caller's requests.</summary>
    public async Task<string> SnapshotOfAAsync()
    {
        var agent = AgentParameter(A.Agent);
        var activity = Uri.EscapeDataString(Activity);
        var reads = new[]
        {
            $"/api/people/{A.Person}", $"/api/people/{A.Person}/profile", $"/api/reflection-tasks/{A.TaskId}", $"/api/group-reflections/{A.MeetingId}",
            $"/api/units/{A.Unit}", $"/api/organisations/{A.Organisation}/units", $"/api/sessions/{A.Session}", $"/api/webinars/{A.Webinar}",
            $"/xapi/statements?agent={agent}&related_agents=true&limit=500", $"/xapi/statements?agent={AgentParameter(A.Mbox)}&limit=500",
            $"/xapi/statements?statementId={A.StatementId}",
            $"/xapi/activities/state?activityId={activity}&agent={agent}&stateId=bookmark", $"/xapi/activities/state?activityId={activity}&agent={agent}",
            $"/xapi/agents/profile?agent={agent}&profileId=preferences", $"/xapi/agents/profile?agent={agent}", "/api/framework",
            $"/api/admin/webhooks/{A.Webhook}", $"/api/events?organisation={A.Organisation}&limit=1000",
            $"/api/units/{A.Unit}/plans/{PlanId}", $"/api/units/{A.Unit}/plans/bravo-{Marker}", $"/api/units/{A.Unit}/deviations?from=2015-01-01",
            $"/api/people/{A.Person}/training-plan",
        };
        var snapshot = new StringBuilder();
        foreach (var read in reads)
        {
            var response = await Owner.GetAsync(read);
            var body = await response.Content.ReadAsStringAsync();
            // The consistency header and each page's bound move on; the statements listed must not.
            if (read.StartsWith("/xapi/statements?agent", StringComparison.Ordinal))
                body = string.Join(",", JsonNode.Parse(body)!["statements"]!.AsArray().Select(s => s!.ToJsonString()));
            // A profile says when it was computed: at read time.
            body = System.Text.RegularExpressions.Regex.Replace(body, "\"computedAt\":\"[^\"]*\"", "");
            snapshot.Append(read).Append(' ').Append((int)response.StatusCode).Append(' ').Append(response.Headers.ETag).Append(' ').AppendLine(body);
        }
        return snapshot.ToString();
    }

    /// <summary>The texts of A that no request names: any of them in an answer to B is a leak.</summary>
    public IReadOnlyList<string> MarkersOfA =>
    [
        $"Astrid A {Marker}", $"Org A {Marker}", $"Enhet A {Marker}", $"Resultat A {Marker}", $"Svar A {Marker}", $"Anteckning A {Marker}",
        $"State A {Marker}", $"Profil A {Marker}", $"Utbildare A {Marker}", $"Presentatör A {Marker}", $"webhook-a-{Marker}", $"Vision A {Marker}", $"Chef A {Marker}",
    ];

    private static async Task<JsonNode?> Ok(Task<HttpResponseMessage> request)
    {
        var response = await request;
        var text = await response.Content.ReadAsStringAsync();
        response.IsSuccessStatusCode.Should().BeTrue(text);
        return text.Length == 0 ? null : JsonNode.Parse(text);
    }

    /// <summary>An xAPI answer to a reflection task, as a reflection app would post it.</summary>
    public JsonObject AnswerStatement(JsonObject actor, string taskId, string text) => new()
    {
        ["actor"] = actor.DeepClone(),
        ["verb"] = new JsonObject { ["id"] = ReflectionStatements.AnsweredVerb },
        ["object"] = new JsonObject { ["objectType"] = "Activity", ["id"] = ReflectionStatements.PromptActivityId(Template, "fraga") },
        ["result"] = new JsonObject { ["response"] = text },
        ["context"] = new JsonObject { ["extensions"] = new JsonObject { [ReflectionStatements.ReflectionTaskExtension] = taskId } },
    };

    /// <summary>The owner's view of a person's status for the framework's competence.</summary>
    public async Task<string> StatusAsync(string person)
    {
        var profile = (await Owner.GetFromJsonAsync<JsonNode>($"/api/people/{person}/profile"))!;
        return profile["competences"]!.AsArray().Single(c => c!["competence"]!.GetValue<string>() == Competence)!["status"]!.GetValue<string>();
    }

    /// <summary>Whether the response is the status given; with its body as the reason.</summary>
    public static async Task ShouldBe(HttpResponseMessage response, HttpStatusCode status, string because = "") =>
        response.StatusCode.Should().Be(status, $"{because} {await response.Content.ReadAsStringAsync()}");
}
