using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Lrs.Api.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using static Lrs.Api.Tests.Infrastructure.Xapi;

namespace Lrs.Api.Tests;

/// <summary>
/// A tenant is hard isolation: a credential of another tenant, holding every scope, gets nothing of this one
/// from any endpoint: no data, no count, no sign that it exists.
/// </summary>
public abstract class TenantIsolationTests(LrsFixture lrs)
{
    private async Task<(HttpClient Owner, HttpClient Stranger)> ClientsAsync()
    {
        var owner = await lrs.ClientWithScopesAsync("all admin", tenantName: "kommun-" + Guid.NewGuid().ToString("N")[..8]);
        var stranger = await lrs.ClientWithScopesAsync("all admin", tenantName: "privat-" + Guid.NewGuid().ToString("N")[..8]);
        return (owner, stranger);
    }

    [Fact]
    public async Task Statements_of_one_tenant_are_invisible_to_another()
    {
        var (owner, stranger) = await ClientsAsync();
        var actor = NewAgent();
        var activity = NewActivityId();
        var registration = Guid.NewGuid();
        var ids = await owner.PostAsync(Statement(actor, activity: activity, registration: registration));
        var voided = (await owner.PostAsync(Statement(actor)))[0];
        await owner.PostAsync(Voiding(voided, actor));

        (await stranger.GetAsync($"/xapi/statements?statementId={ids[0]}")).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await stranger.GetAsync($"/xapi/statements?voidedStatementId={voided}")).StatusCode.Should().Be(HttpStatusCode.NotFound);
        foreach (var query in new[] { $"agent={Q(actor)}", $"activity={Uri.EscapeDataString(activity)}", $"registration={registration}", "limit=0" })
        {
            var found = await stranger.GetAllAsync($"/xapi/statements?{query}");
            found.Select(s => s["id"]!.GetValue<string>()).Should().NotContain(ids).And.NotContain(voided);
        }
    }

    [Fact]
    public async Task The_same_statement_id_in_two_tenants_is_two_statements()
    {
        var (owner, stranger) = await ClientsAsync();
        var id = Guid.NewGuid().ToString();
        (await owner.PutAsync($"/xapi/statements?statementId={id}", Json(Statement(id: id)))).StatusCode.Should().Be(HttpStatusCode.NoContent);
        (await stranger.PutAsync($"/xapi/statements?statementId={id}", Json(Statement(verb: Passed, id: id)))).StatusCode.Should().Be(HttpStatusCode.NoContent,
            "another tenant's statement with that id neither conflicts nor leaks its existence");
        var (_, mine) = await owner.GetJsonAsync($"/xapi/statements?statementId={id}");
        mine!["verb"]!["id"]!.GetValue<string>().Should().Be(Completed);
    }

    [Fact]
    public async Task Documents_of_one_tenant_are_invisible_to_another()
    {
        var (owner, stranger) = await ClientsAsync();
        var agent = Q(NewAgent());
        var activity = Uri.EscapeDataString(NewActivityId());
        var addresses = new[]
        {
            $"/xapi/activities/state?activityId={activity}&agent={agent}&stateId=s1",
            $"/xapi/activities/profile?activityId={activity}&profileId=p1",
            $"/xapi/agents/profile?agent={agent}&profileId=p1",
        };
        foreach (var address in addresses)
        {
            var put = new HttpRequestMessage(HttpMethod.Put, address) { Content = Json(new JsonObject { ["secret"] = "kommunens" }) };
            put.Headers.TryAddWithoutValidation("If-None-Match", "*");
            (await owner.SendAsync(put)).StatusCode.Should().Be(HttpStatusCode.NoContent);

            (await stranger.GetAsync(address)).StatusCode.Should().Be(HttpStatusCode.NotFound, address);
            var list = address[..address.LastIndexOf('&')];
            var (_, ids) = await stranger.GetJsonAsync(list);
            ids!.AsArray().Should().BeEmpty(list);
            (await stranger.DeleteAsync(address)).StatusCode.Should().Be(HttpStatusCode.NoContent);
            (await owner.GetAsync(address)).StatusCode.Should().Be(HttpStatusCode.OK, "another tenant's delete reached nothing");
        }
    }

    [Fact]
    public async Task Activity_definitions_agent_names_and_attachments_of_one_tenant_are_invisible_to_another()
    {
        var (owner, stranger) = await ClientsAsync();
        var activity = NewActivityId();
        var agent = NewAgent("Hemlig Person");
        var statement = Statement(agent, activity: activity);
        statement["object"]!["definition"] = new JsonObject { ["name"] = new JsonObject { ["sv-SE"] = "Kommunens kurs" } };

        var content = Encoding.UTF8.GetBytes("intyg " + Guid.NewGuid());
        var sha2 = Convert.ToHexStringLower(SHA256.HashData(content));
        statement["attachments"] = new JsonArray(new JsonObject
        {
            ["usageType"] = "http://id.tincanapi.com/attachment/certificate-of-completion",
            ["display"] = new JsonObject { ["sv-SE"] = "Intyg" },
            ["contentType"] = "text/plain",
            ["length"] = content.Length,
            ["sha2"] = sha2,
        });
        var boundary = "b" + Guid.NewGuid().ToString("N");
        var body = new MemoryStream();
        void Write(string text) => body.Write(Encoding.UTF8.GetBytes(text));
        Write($"--{boundary}\r\nContent-Type: application/json\r\n\r\n{statement.ToJsonString()}\r\n--{boundary}\r\nContent-Type: text/plain\r\nContent-Transfer-Encoding: binary\r\nX-Experience-API-Hash: {sha2}\r\n\r\n");
        body.Write(content);
        Write($"\r\n--{boundary}--\r\n");
        var multipart = new ByteArrayContent(body.ToArray());
        multipart.Headers.TryAddWithoutValidation("Content-Type", $"multipart/mixed; boundary={boundary}");
        (await owner.PostAsync("/xapi/statements", multipart)).StatusCode.Should().Be(HttpStatusCode.OK);

        var (_, definition) = await stranger.GetJsonAsync($"/xapi/activities?activityId={Uri.EscapeDataString(activity)}");
        definition!["definition"].Should().BeNull();
        var query = (JsonObject)agent.DeepClone();
        query.Remove("name");
        var (_, person) = await stranger.GetJsonAsync($"/xapi/agents?agent={Q(query)}");
        person!["name"].Should().BeNull();
        var everything = await stranger.GetAsync("/xapi/statements?attachments=true&limit=0");
        (await everything.Content.ReadAsStringAsync()).Should().NotContain(sha2).And.NotContain("intyg");
    }

    [Fact]
    public async Task Credentials_and_audit_of_one_tenant_are_invisible_to_another()
    {
        var (owner, stranger) = await ClientsAsync();
        var created = await owner.PostAsync("/api/admin/credentials", Json(new JsonObject { ["name"] = "hr", ["scopes"] = new JsonArray("statements/read") }));
        created.StatusCode.Should().Be(HttpStatusCode.Created);
        var key = JsonNode.Parse(await created.Content.ReadAsStringAsync())!["key"]!.GetValue<string>();

        (await stranger.GetAsync($"/api/admin/credentials/{key}")).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await stranger.DeleteAsync($"/api/admin/credentials/{key}")).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await stranger.GetStringAsync("/api/admin/credentials")).Should().NotContain(key);
        (await stranger.GetStringAsync("/api/admin/audit")).Should().NotContain(key);
    }

    [Fact]
    public async Task Webhooks_and_events_of_one_tenant_are_invisible_to_another_and_untouchable_by_it()
    {
        var marker = Guid.NewGuid().ToString("N")[..10];
        var owner = await lrs.ClientWithScopesAsync("all admin people:write", tenantName: "kommun-" + marker);
        var stranger = await lrs.ClientWithScopesAsync("all admin people:write profiles:read reflections:read", tenantName: "privat-" + marker);
        (await owner.PutAsync("/api/organisations", Json(new JsonArray(new JsonObject { ["id"] = $"org-{marker}", ["name"] = "Solna stad" })))).EnsureSuccessStatusCode();
        (await owner.PutAsync("/api/people", Json(new JsonArray(new JsonObject { ["id"] = $"P-{marker}", ["organisationId"] = $"org-{marker}" })))).EnsureSuccessStatusCode();
        var created = await owner.PostAsync("/api/admin/webhooks", Json(new JsonObject { ["url"] = $"https://hooks.invalid/{marker}" }));
        created.StatusCode.Should().Be(HttpStatusCode.Created);
        var id = JsonNode.Parse(await created.Content.ReadAsStringAsync())!["id"]!.GetValue<string>();
        (await owner.PostAsync($"/api/admin/webhooks/{id}/pause", null)).EnsureSuccessStatusCode();
        var before = await owner.GetStringAsync($"/api/admin/webhooks/{id}");

        (await stranger.GetAsync($"/api/admin/webhooks/{id}")).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await stranger.PostAsync($"/api/admin/webhooks/{id}/resume", null)).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await stranger.PostAsync($"/api/admin/webhooks/{id}/pause", null)).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await stranger.DeleteAsync($"/api/admin/webhooks/{id}")).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await stranger.GetStringAsync("/api/admin/webhooks")).Should().NotContain(marker);
        // The owner's events settled first (on PostgreSQL they wait for older transactions of other tests), so that the
        // stranger's listings are read when they would hold them.
        var (owned, _) = await EventsTests.PullFromAsync(owner);
        owned.Select(e => e.ToJsonString()).Should().Contain(e => e.Contains($"P-{marker}"), "the owner sees its own events: the check is real");
        (await EventsTests.PullFromAsync(stranger, $"&organisation=org-{marker}")).Events.Should().BeEmpty();
        (await EventsTests.PullFromAsync(stranger)).Events.Select(e => e.ToJsonString()).Should().NotContain(e => e.Contains(marker));

        (await owner.GetStringAsync($"/api/admin/webhooks/{id}")).Should().Be(before, "nothing of the owner's subscription changed");
    }

    [Fact]
    public async Task People_organisations_and_units_of_one_tenant_are_invisible_to_another()
    {
        var owner = await lrs.ClientWithScopesAsync("people:write profiles:read", tenantName: "kommun-" + Guid.NewGuid().ToString("N")[..8]);
        var stranger = await lrs.ClientWithScopesAsync("people:write profiles:read", tenantName: "privat-" + Guid.NewGuid().ToString("N")[..8]);
        var (organisation, unit) = ("org-" + Guid.NewGuid().ToString("N")[..8], "unit-" + Guid.NewGuid().ToString("N")[..8]);
        var agent = new JsonObject { ["mbox"] = $"mailto:{Guid.NewGuid():N}@solna.example" };
        JsonArray Organisations() => new(new JsonObject { ["id"] = organisation, ["name"] = "Solna stad", ["units"] = new JsonArray(new JsonObject { ["id"] = unit, ["name"] = "Säbo" }) });
        JsonArray People() => new(new JsonObject { ["id"] = "E1", ["organisationId"] = organisation, ["units"] = new JsonArray(unit), ["roles"] = new JsonArray("underskoterska"), ["agents"] = new JsonArray(agent.DeepClone()) });
        (await owner.PutAsync("/api/organisations", Json(Organisations()))).StatusCode.Should().Be(HttpStatusCode.OK);
        (await owner.PutAsync("/api/people", Json(People()))).StatusCode.Should().Be(HttpStatusCode.OK);

        foreach (var address in new[] { "/api/people/E1", $"/api/organisations/{organisation}/units", $"/api/units/{unit}" })
            (await stranger.GetAsync(address)).StatusCode.Should().Be(HttpStatusCode.NotFound, address);
        foreach (var list in new[] { "/api/people", $"/api/people?organisation={organisation}", $"/api/people?unit={unit}", "/api/people?role=underskoterska" })
        {
            var (_, page) = await stranger.GetJsonAsync(list);
            page!["people"]!.AsArray().Should().BeEmpty(list);
            page["more"].Should().BeNull(list);
        }
        (await stranger.GetStringAsync("/api/organisations")).Should().Be("[]");

        // The same ids and the same agent in another tenant are another organisation, unit and person: no conflict, no leak.
        var organisations = await stranger.PutAsync("/api/organisations", Json(Organisations()));
        (await organisations.Content.ReadAsStringAsync()).Should().Contain("\"created\":1");
        var people = await stranger.PutAsync("/api/people", Json(People()));
        people.StatusCode.Should().Be(HttpStatusCode.OK, "the agent belongs to a person of another tenant only");
        (await people.Content.ReadAsStringAsync()).Should().Contain("\"created\":1");
    }

    [Fact]
    public async Task Erasure_retention_and_the_privacy_policy_of_one_tenant_are_out_of_another_ones_reach()
    {
        var owner = await lrs.ClientWithScopesAsync("all admin people:write", tenantName: "kommun-" + Guid.NewGuid().ToString("N")[..8]);
        var stranger = await lrs.ClientWithScopesAsync("all admin people:write", tenantName: "privat-" + Guid.NewGuid().ToString("N")[..8]);
        var (organisation, person) = ("org-" + Guid.NewGuid().ToString("N")[..8], "E-" + Guid.NewGuid().ToString("N")[..8]);
        (await owner.PutAsync("/api/organisations", Json(new JsonArray(new JsonObject { ["id"] = organisation, ["name"] = "Solna stad" })))).EnsureSuccessStatusCode();
        (await owner.PutAsync("/api/people", Json(new JsonArray(new JsonObject { ["id"] = person, ["organisationId"] = organisation, ["name"] = "Eva Ek" })))).EnsureSuccessStatusCode();
        var ids = await owner.PostAsync(Statement(new JsonObject { ["account"] = new JsonObject { ["homePage"] = "https://hr.solna.example", ["name"] = person } }));
        (await owner.PutAsync("/api/admin/privacy", Json(new JsonObject { ["erasure"] = "pseudonymise", ["retention"] = new JsonObject { ["statements"] = "P1D" } }))).EnsureSuccessStatusCode();
        var policy = await owner.GetStringAsync("/api/admin/privacy");

        foreach (var mode in new[] { "erase", "pseudonymise" })
            (await stranger.PostAsync($"/api/people/{person}/erasure", Json(new JsonObject { ["mode"] = mode }))).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await stranger.PutAsync("/api/admin/privacy", Json(new JsonObject { ["erasure"] = "refuse" }))).StatusCode.Should().Be(HttpStatusCode.OK, "its own policy");
        (await stranger.PostAsync("/api/admin/privacy/retention", null)).StatusCode.Should().Be(HttpStatusCode.OK, "its own retention");

        (await owner.GetStringAsync("/api/admin/privacy")).Should().Be(policy);
        (await owner.GetAsync($"/api/people/{person}")).StatusCode.Should().Be(HttpStatusCode.OK);
        (await owner.GetAsync($"/xapi/statements?statementId={ids[0]}")).StatusCode.Should().Be(HttpStatusCode.OK);
        var audit = await owner.GetStringAsync("/api/admin/audit?limit=100");
        audit.Should().NotContain("retention.apply").And.NotContain("person.");
    }

    [Fact]
    public async Task Every_GET_endpoint_answers_another_tenant_without_a_trace_of_this_ones_data()
    {
        // The owner's data carries markers that no request of the stranger names: if one shows up, it leaked.
        var marker = Guid.NewGuid().ToString("N")[..10];
        const string Scopes = "all admin profiles:read people:write framework:write reflections:read reflections:write";
        var owner = await lrs.ClientWithScopesAsync(Scopes, "2.0.0", "kommun-" + marker);
        var stranger = await lrs.ClientWithScopesAsync(Scopes, "2.0.0", "privat-" + marker);
        var (person, unit, organisation, competence) = ($"P-{marker}", $"u-{marker}", $"o-{marker}", $"c-{marker}");
        var agent = new JsonObject { ["objectType"] = "Agent", ["name"] = $"Name {marker}", ["mbox"] = $"mailto:m{marker}@solna.example" };
        var activity = $"https://demo.lrsapi.se/xapi/activities/courses/{marker}";
        var framework = new JsonObject
        {
            ["competences"] = new JsonArray { new JsonObject { ["id"] = competence, ["name"] = new JsonObject { ["sv"] = $"Kompetens {marker}" }, ["validity"] = "P1Y" } },
            ["rules"] = new JsonArray { new JsonObject { ["id"] = $"r-{marker}", ["competence"] = competence, ["verbs"] = new JsonArray(Completed), ["activities"] = new JsonArray(activity) } },
            ["roles"] = new JsonArray { new JsonObject { ["id"] = $"role-{marker}", ["name"] = new JsonObject { ["sv"] = $"Roll {marker}" },
                ["requirements"] = new JsonArray { new JsonObject { ["competence"] = competence, ["level"] = "required" } } } },
            ["reflectionTemplates"] = new JsonArray { new JsonObject { ["id"] = $"t-{marker}", ["title"] = new JsonObject { ["sv"] = "Reflektion" },
                ["prompts"] = new JsonArray { new JsonObject { ["id"] = "fraga", ["text"] = new JsonObject { ["sv"] = "Vad lärde du dig?" } } },
                ["trigger"] = new JsonObject { ["competence"] = competence }, ["mode"] = "group", ["dueIn"] = "P14D" } },
        };
        (await owner.PutAsync("/api/framework", Json(framework))).EnsureSuccessStatusCode();
        (await owner.PutAsync("/api/organisations", Json(new JsonArray(new JsonObject
        {
            ["id"] = organisation, ["name"] = $"Org {marker}", ["units"] = new JsonArray(new JsonObject { ["id"] = unit, ["name"] = $"Unit {marker}" }),
        })))).EnsureSuccessStatusCode();
        (await owner.PutAsync("/api/people", Json(new JsonArray(new JsonObject
        {
            ["id"] = person, ["organisationId"] = organisation, ["name"] = $"Name {marker}", ["units"] = new JsonArray(unit),
            ["roles"] = new JsonArray($"role-{marker}"), ["agents"] = new JsonArray(agent.DeepClone()),
        })))).EnsureSuccessStatusCode();
        var statement = Statement(agent, activity: activity);
        statement["result"]!["response"] = $"Svar {marker}";
        var statementId = (await owner.PostAsync(statement))[0];
        var task = (await owner.GetFromJsonAsync<JsonNode>($"/api/reflection-tasks?person={person}"))!["tasks"]![0]!["id"]!.GetValue<string>();
        (await owner.PostAsync($"/api/reflection-tasks/{task}/answers", Json(new JsonObject
        {
            ["answers"] = new JsonArray(new JsonObject { ["promptId"] = "fraga", ["response"] = $"Reflektion {marker}" }), ["sharedWithGroup"] = true,
        }))).EnsureSuccessStatusCode();
        var meeting = await owner.PostAsync($"/api/units/{unit}/group-reflections", Json(new JsonObject
        {
            ["heldAt"] = DateTimeOffset.UtcNow.ToString("yyyy-MM-ddTHH:mm:sszzz"), ["facilitator"] = new JsonObject { ["personId"] = person },
            ["attendees"] = new JsonArray(new JsonObject { ["personId"] = person }), ["templates"] = new JsonArray($"t-{marker}"), ["notes"] = $"Anteckning {marker}",
        }));
        meeting.StatusCode.Should().Be(HttpStatusCode.Created, await meeting.Content.ReadAsStringAsync());
        var meetingId = (await meeting.Content.ReadFromJsonAsync<JsonNode>())!["id"]!.GetValue<string>();
        // Requests name the agent by its mailbox only: what comes back beyond that can only come from the owner's data.
        var agentParam = Uri.EscapeDataString(new JsonObject { ["mbox"] = agent["mbox"]!.GetValue<string>() }.ToJsonString());
        (await owner.PutAsync($"/xapi/activities/state?activityId={Uri.EscapeDataString(activity)}&agent={agentParam}&stateId=s", Json(new JsonObject { ["note"] = marker })))
            .IsSuccessStatusCode.Should().BeTrue();

        // A session and a webinar under the id the sweep puts into {id}, named with markers.
        JsonObject Learning(string name) => new()
        {
            ["activity"] = new JsonObject { ["id"] = activity, ["name"] = new JsonObject { ["sv"] = name } },
            ["start"] = "2026-03-02T08:00:00+01:00", ["end"] = "2026-03-02T12:00:00+01:00",
        };
        var session = Learning($"Session {marker}");
        session["participants"] = new JsonArray(new JsonObject { ["personId"] = person, ["outcome"] = "attended" });
        (await owner.PutAsync($"/api/sessions/{person}", Json(session))).EnsureSuccessStatusCode();
        (await owner.PutAsync($"/api/webinars/{person}", Json(Learning($"Webinar {marker}")))).EnsureSuccessStatusCode();
        // A unit plan under the id the sweep puts into {planId}, and a deviation report logged against its row.
        (await owner.PutAsync($"/api/units/{unit}/plans/plan", Json(UnitPlan($"Vision {marker}", competence, $"role-{marker}")))).EnsureSuccessStatusCode();
        (await owner.PostAsync($"/api/units/{unit}/deviations", Json(Deviation(competence, $"AVV-{marker}")))).EnsureSuccessStatusCode();
        (await owner.PutAsync($"/api/people/{person}/training-plan", Json(TrainingPlan($"Chef {marker}", competence)))).EnsureSuccessStatusCode();
        var centre = $"centre-{marker}";
        (await owner.PutAsync($"/api/learning-centres/{centre}", Json(new JsonObject
        {
            ["iri"] = $"https://demo.lrsapi.se/xapi/activities/learning-centres/{marker}", ["name"] = $"Centre {marker}", ["activities"] = new JsonArray(activity),
        }))).StatusCode.Should().Be(HttpStatusCode.Created);

        // Every GET route of the application, its route values filled with the owner's identifiers, its query with the owner's.
        var query = $"statementId={statementId}&activityId={Uri.EscapeDataString(activity)}&agent={agentParam}&stateId=s&profileId=p&organisation={organisation}&unit={unit}&role=role-{marker}&centre={centre}";
        var routes = lrs.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods.Contains("GET") == true)
            .Select(e => e.RoutePattern.RawText!).Distinct().ToList();
        routes.Should().Contain(["/api/people/{id}/profile", "/api/people/{id}/export", "/api/units/{id}/gaps", "/api/framework/{section}/{id}", "/xapi/statements/",
            "/api/reflection-tasks/{id:guid}", "/api/group-reflections/{id:guid}", "/api/units/{id}/group-reflection", "/api/sessions/{id}", "/api/webinars/{id}",
            "/api/learning-centres/{id}", "/api/follow-up/reach", "/api/follow-up/before-after"]);
        string[] markers = [$"Name {marker}", $"Org {marker}", $"Unit {marker}", $"Kompetens {marker}", $"Roll {marker}", $"Svar {marker}", $"\"note\":\"{marker}\"",
            $"Reflektion {marker}", $"Anteckning {marker}", $"Session {marker}", $"Webinar {marker}", $"Vision {marker}", $"AVV-{marker}", $"Chef {marker}", $"Centre {marker}"];
        var seenByOwner = new HashSet<string>();
        foreach (var route in routes)
        {
            var path = "/" + route.TrimStart('/')
                .Replace("{section}", "competences", StringComparison.Ordinal)
                .Replace("{planId}", "plan", StringComparison.Ordinal)
                .Replace("{documentName}", "v1", StringComparison.Ordinal);
            path = path.Contains("/reflection-tasks/", StringComparison.Ordinal) ? path.Replace("{id:guid}", task, StringComparison.Ordinal)
                : path.Contains("/group-reflections/", StringComparison.Ordinal) ? path.Replace("{id:guid}", meetingId, StringComparison.Ordinal)
                : path.Contains("/framework/", StringComparison.Ordinal) ? path.Replace("{id}", competence, StringComparison.Ordinal)
                : path.Contains("/learning-centres/", StringComparison.Ordinal) ? path.Replace("{id}", centre, StringComparison.Ordinal)
                : path.Contains("/units", StringComparison.Ordinal) ? path.Replace("{id}", unit, StringComparison.Ordinal)
                : path.Contains("/organisations", StringComparison.Ordinal) ? path.Replace("{id}", organisation, StringComparison.Ordinal)
                : System.Text.RegularExpressions.Regex.Replace(path, @"\{[^}]+\}", person);
            foreach (var asked in new[] { query, $"agent={agentParam}", $"activity={Uri.EscapeDataString(activity)}", $"activityId={Uri.EscapeDataString(activity)}&agent={agentParam}&stateId=s", "" })
            {
            var ownBody = await (await owner.GetAsync(path + "?" + asked)).Content.ReadAsStringAsync();
            seenByOwner.UnionWith(markers.Where(m => ownBody.Contains(m, StringComparison.Ordinal)));
            var response = await stranger.GetAsync(path + "?" + asked);
            var body = await response.Content.ReadAsStringAsync();
            foreach (var leak in markers)
                body.Should().NotContain(leak, $"GET {path} of another tenant answered {(int)response.StatusCode}");
            ((int)response.StatusCode).Should().BeLessThan(500, $"GET {path}: {body}");
            }
        }
        seenByOwner.Should().BeEquivalentTo(markers, "the same requests show the owner every marker, so the stranger's answers are a real test");

        // Follow-up figures: the owner's person counts for the owner; the stranger's centre, unit and organisation are not found.
        var (_, reach) = await owner.GetJsonAsync($"/api/follow-up/reach?from=2026-03&to=2026-03&unit={unit}");
        reach!["rows"]!.AsArray().Should().Contain(r => r!["figure"]!.GetValue<string>() == "peopleTrained" && r["suppressed"]!.GetValue<bool>());
        foreach (var figures in new[] { $"/api/follow-up/reach?centre={centre}", $"/api/follow-up/long-term?unit={unit}", $"/api/follow-up/short-term?organisation={organisation}",
            $"/api/follow-up/before-after?unit={unit}&competence={competence}&date=2026-03-01" })
            (await stranger.GetAsync(figures)).StatusCode.Should().BeOneOf([HttpStatusCode.NotFound, HttpStatusCode.BadRequest], figures);
        // The same centre id in another tenant is another centre: the owner's stays as it was.
        (await stranger.PutAsync($"/api/learning-centres/{centre}", Json(new JsonObject
        {
            ["iri"] = $"https://demo.lrsapi.se/xapi/activities/learning-centres/{marker}", ["name"] = "Kapad",
        }))).StatusCode.Should().Be(HttpStatusCode.Created);
        (await owner.GetStringAsync($"/api/learning-centres/{centre}")).Should().Contain($"Centre {marker}");
    }

    private static JsonObject UnitPlan(string vision, string competence, string role) => new()
    {
        ["vision"] = vision, ["goal"] = "Alla har kompetensen.", ["startsOn"] = "2026-01-01",
        ["measurableGoals"] = new JsonArray(new JsonObject { ["id"] = "g1", ["kind"] = "share-valid", ["competence"] = competence, ["role"] = role, ["target"] = 0.9 }),
        ["activities"] = new JsonArray(new JsonObject
        {
            ["id"] = "r1", ["aspect"] = "competence", ["responsible"] = "Enhetschef", ["activity"] = "Kurs", ["deadline"] = "2026-06-30", ["hours"] = 2, ["status"] = "planned",
        }),
    };

    private static JsonObject TrainingPlan(string agreedBy, string competence) => new()
    {
        ["items"] = new JsonArray(new JsonObject
        {
            ["id"] = "i1", ["competence"] = competence, ["purpose"] = "gain", ["way"] = new JsonObject { ["kind"] = "on-site", ["activities"] = new JsonArray() },
            ["dueOn"] = "2027-06-30", ["agreedBy"] = agreedBy, ["agreedOn"] = "2026-03-01",
        }),
    };

    private static JsonObject Deviation(string competence, string reference) => new()
    {
        ["date"] = "2026-03-05", ["category"] = "hygiene", ["reference"] = reference, ["competences"] = new JsonArray(competence), ["plan"] = "plan", ["row"] = "r1",
    };

    [Fact]
    public async Task Another_tenant_cannot_write_a_units_plan_deviations_or_training_plans_through_its_ids()
    {
        const string Scopes = "all framework:write people:write profiles:read";
        var owner = await lrs.ClientWithScopesAsync(Scopes, tenantName: "kommun-" + Guid.NewGuid().ToString("N")[..8]);
        var stranger = await lrs.ClientWithScopesAsync(Scopes, tenantName: "privat-" + Guid.NewGuid().ToString("N")[..8]);
        var (organisation, unit, competence) = ("org-" + Guid.NewGuid().ToString("N")[..8], "unit-" + Guid.NewGuid().ToString("N")[..8], "c-" + Guid.NewGuid().ToString("N")[..8]);
        foreach (var client in new[] { owner, stranger })
            (await client.PutAsync("/api/framework", Json(new JsonObject
            {
                ["competences"] = new JsonArray(new JsonObject { ["id"] = competence, ["name"] = new JsonObject { ["sv"] = "Förflyttning" } }),
                ["roles"] = new JsonArray(new JsonObject { ["id"] = "usk", ["name"] = new JsonObject { ["sv"] = "Undersköterska" }, ["requirements"] = new JsonArray() }),
            }))).EnsureSuccessStatusCode();
        (await owner.PutAsync("/api/organisations", Json(new JsonArray(new JsonObject
        {
            ["id"] = organisation, ["name"] = "Solna stad", ["units"] = new JsonArray(new JsonObject { ["id"] = unit, ["name"] = "Säbo" }),
        })))).EnsureSuccessStatusCode();
        (await owner.PutAsync($"/api/units/{unit}/plans/plan", Json(UnitPlan("Kommunens vision", competence, "usk")))).EnsureSuccessStatusCode();

        (await owner.PutAsync("/api/people", Json(new JsonArray(new JsonObject
        {
            ["id"] = "E1", ["organisationId"] = organisation, ["units"] = new JsonArray(unit), ["roles"] = new JsonArray("usk"), ["agents"] = new JsonArray(),
        })))).EnsureSuccessStatusCode();
        (await owner.PutAsync("/api/people/E1/training-plan", Json(TrainingPlan("Kommunens chef", competence)))).EnsureSuccessStatusCode();
        (await stranger.PutAsync("/api/people/E1/training-plan", Json(TrainingPlan("Privat chef", competence)))).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await stranger.PostAsync("/api/people/E1/training-plan/draft", null)).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await stranger.GetAsync("/api/people/E1/training-plan")).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await stranger.GetAsync($"/api/units/{unit}/training-plans")).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await stranger.PutAsync($"/api/units/{unit}/plans/plan", Json(UnitPlan("Privat vision", competence, "usk")))).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await stranger.PostAsync($"/api/units/{unit}/deviations", Json(Deviation(competence, "AVV-1")))).StatusCode.Should().Be(HttpStatusCode.NotFound);
        foreach (var read in new[] { "needs", "deviations", "plans/plan", "plans/plan/progress" })
            (await stranger.GetAsync($"/api/units/{unit}/{read}")).StatusCode.Should().Be(HttpStatusCode.NotFound, read);

        var plan = await owner.GetFromJsonAsync<JsonNode>($"/api/units/{unit}/plans/plan");
        plan!["vision"]!.GetValue<string>().Should().Be("Kommunens vision");
        plan["version"]!.GetValue<long>().Should().Be(1);
        (await owner.GetFromJsonAsync<JsonNode>($"/api/units/{unit}/deviations"))!["deviations"]!.AsArray().Should().BeEmpty();
        (await owner.GetFromJsonAsync<JsonNode>("/api/people/E1/training-plan"))!["items"]![0]!["agreedBy"]!.GetValue<string>().Should().Be("Kommunens chef");
    }

    [Fact]
    public async Task The_tenant_list_names_only_the_callers_own_tenant()
    {
        var ownName = "kommun-" + Guid.NewGuid().ToString("N")[..8];
        var owner = await lrs.ClientWithScopesAsync("all admin", tenantName: ownName);
        var otherName = "privat-" + Guid.NewGuid().ToString("N")[..8];
        await lrs.ClientWithScopesAsync("all admin", tenantName: otherName);

        var (_, tenants) = await owner.GetJsonAsync("/api/admin/tenants");
        tenants!.AsArray().Select(t => t!["name"]!.GetValue<string>()).Should().Equal(ownName);
    }
}

public sealed class TenantIsolationTestsOnSqlite(SqliteLrs lrs) : TenantIsolationTests(lrs), IClassFixture<SqliteLrs>;
public sealed class TenantIsolationTestsOnPostgres(PostgresLrs lrs) : TenantIsolationTests(lrs), IClassFixture<PostgresLrs>;
