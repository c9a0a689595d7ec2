using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Lrs.Api.Tests.Infrastructure;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;
using static Lrs.Api.Tests.Infrastructure.TwoEmployers;
using static Lrs.Api.Tests.Infrastructure.Xapi;

namespace Lrs.Api.Tests;

/// <summary>
/// The employer boundary inside one tenant, route by route: a credential restricted to employer B holding every scope, and a
/// credential bound to a person of B holding every scope, go over every route and method the application maps, with employer
/// A's real ids in paths and queries and A's people in bodies. Nothing of A may come back, change or disappear, and nothing
/// may answer 5xx; the owner, with the same reads, sees every marker of A, so the check is real.
/// </summary>
public abstract class EmployerIsolationTests(LrsFixture lrs, ITestOutputHelper output)
{
    private static readonly string[] Methods = ["GET", "HEAD", "PUT", "POST", "DELETE"];

    [Fact]
    public async Task Every_route_and_method_answers_another_employers_credentials_without_a_trace_of_this_employers_data_and_changes_nothing()
    {
        var t = await CreateAsync(lrs);
        var restricted = await t.ClientAsync(AllScopes, t.B.Organisation);
        var bound = await t.ClientAsync(AllScopes, actor: t.B.Agent);
        var issued = await t.Owner.PostAsync("/api/admin/credentials", Json(new JsonObject { ["name"] = "acme-hr", ["scopes"] = new JsonArray("profiles:read"), ["organisation"] = t.A.Organisation }));
        var acmeKey = (await issued.Content.ReadFromJsonAsync<JsonNode>())!["key"]!.GetValue<string>();

        var routes = lrs.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .SelectMany(e => (e.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? []).Where(Methods.Contains)
                .Select(m => $"{m} {"/" + e.RoutePattern.RawText!.Trim('/')}"))
            .Distinct().Order().ToList();
        var requests = Requests(t, acmeKey);
        routes.Except(requests.Keys).Should().BeEmpty("every route and method the application maps is swept: add a new one to Requests");
        requests.Keys.Except(routes).Should().BeEmpty("the sweep covers routes that exist");

        var before = await t.SnapshotOfAAsync();
        var callers = new[] { ("restricted to B", restricted), ("bound to a person of B", bound) };
        var sent = 0;
        foreach (var (who, client) in callers)
            foreach (var route in routes)
                foreach (var make in requests[route])
                {
                    using var request = make();
                    var response = await client.SendAsync(request);
                    var body = await response.Content.ReadAsStringAsync();
                    sent++;
                    ((int)response.StatusCode).Should().BeLessThan(500, $"{request.Method} {request.RequestUri} by the credential {who}: {body}");
                    foreach (var marker in t.MarkersOfA)
                        body.Should().NotContain(marker, $"{request.Method} {request.RequestUri} by the credential {who} answered {(int)response.StatusCode}");
                }
        var after = await t.SnapshotOfAAsync();
        after.Split('\n').Except(before.Split('\n')).Should().BeEmpty("nothing of employer A changed or disappeared; before:\n" + string.Join('\n', before.Split('\n').Except(after.Split('\n'))));
        (await t.Owner.GetFromJsonAsync<JsonNode>($"/api/admin/credentials/{acmeKey}"))!["status"]!.GetValue<string>().Should().Be("active");

        // The owner's reads, the same requests, show every marker: the answers above are a real test.
        var seenByOwner = new HashSet<string>();
        foreach (var route in routes.Where(r => r.StartsWith("GET ", StringComparison.Ordinal)))
            foreach (var make in requests[route])
            {
                using var request = make();
                var body = await (await t.Owner.SendAsync(request)).Content.ReadAsStringAsync();
                seenByOwner.UnionWith(t.MarkersOfA.Where(m => body.Contains(m, StringComparison.Ordinal)));
            }
        seenByOwner.Should().BeEquivalentTo(t.MarkersOfA);
        output.WriteLine($"{routes.Count} routes × {callers.Length} callers = {routes.Count * callers.Length} swept, in {sent} requests.");
    }

    // For each "METHOD /route", the requests that try to reach employer A through it.
    private static Dictionary<string, List<Func<HttpRequestMessage>>> Requests(TwoEmployers t, string acmeKey)
    {
        var (a, b, m) = (t.A, t.B, t.Marker);
        var agent = AgentParameter(a.Agent);
        var activity = Uri.EscapeDataString(t.Activity);
        string[] queries =
        [
            "", $"statementId={a.StatementId}", $"voidedStatementId={a.StatementId}", $"agent={agent}", $"agent={AgentParameter(a.Mbox)}&related_agents=true",
            $"activity={activity}", $"activityId={activity}&agent={agent}&stateId=bookmark", $"activityId={activity}&agent={agent}",
            $"agent={agent}&profileId=preferences", $"activityId={activity}&profileId=p",
            $"person={a.Person}&organisation={a.Organisation}&unit={a.Unit}&role=usk", $"organisation={a.Organisation}", $"unit={a.Unit}",
            $"unit={a.Unit}&competence={t.Competence}&date=2026-03-01", $"from=2026-01&to=2026-12&organisation={a.Organisation}&competence={t.Competence}",
        ];
        string Path(string route) => route
            .Replace("/api/reflection-tasks/{id:guid}", $"/api/reflection-tasks/{a.TaskId}", StringComparison.Ordinal)
            .Replace("/api/group-reflections/{id:guid}", $"/api/group-reflections/{a.MeetingId}", StringComparison.Ordinal)
            .Replace("/api/framework/{section}/{id}", $"/api/framework/competences/{t.Competence}", StringComparison.Ordinal)
            .Replace("/api/units/{id}", $"/api/units/{a.Unit}", StringComparison.Ordinal)
            .Replace("/api/organisations/{id}", $"/api/organisations/{a.Organisation}", StringComparison.Ordinal)
            .Replace("/api/people/{id}", $"/api/people/{a.Person}", StringComparison.Ordinal)
            .Replace("/api/sessions/{id}", $"/api/sessions/{a.Session}", StringComparison.Ordinal)
            .Replace("/api/webinars/{id}", $"/api/webinars/{a.Webinar}", StringComparison.Ordinal)
            .Replace("/api/learning-centres/{id}", $"/api/learning-centres/centre-{m}", StringComparison.Ordinal)
            .Replace("/api/admin/credentials/{key}", $"/api/admin/credentials/{acmeKey}", StringComparison.Ordinal)
            .Replace("/api/admin/webhooks/{id:guid}", $"/api/admin/webhooks/{a.Webhook}", StringComparison.Ordinal)
            .Replace("{planId}", PlanId, StringComparison.Ordinal)
            .Replace("{documentName}", "v1", StringComparison.Ordinal);
        static Func<HttpRequestMessage> Send(string method, string uri, Func<HttpContent?>? body = null) =>
            () => new HttpRequestMessage(new HttpMethod(method), uri) { Content = body?.Invoke() };
        static Func<HttpContent?> J(JsonNode node) => () => Json(node.DeepClone());

        var answer = new JsonObject { ["answers"] = new JsonArray(new JsonObject { ["promptId"] = "fraga", ["response"] = "Bravo svarar" }) };
        var signoff = new JsonObject
        {
            ["actor"] = NewAgent(), ["verb"] = new JsonObject { ["id"] = "https://w3id.org/xapi/tla/verbs/verified" },
            ["object"] = new JsonObject { ["objectType"] = "StatementRef", ["id"] = a.StatementId },
        };
        var groupWithA = Statement(new JsonObject { ["objectType"] = "Group", ["member"] = new JsonArray(b.Agent.DeepClone(), a.Agent.DeepClone()) }, activity: t.Activity);
        var instructedByA = Statement(b.Agent);
        instructedByA["context"] = new JsonObject { ["instructor"] = a.Agent.DeepClone() };
        JsonObject[] statements = [Statement(a.Agent, activity: t.Activity), Voiding(a.StatementId, b.Agent), t.AnswerStatement(a.Agent, a.TaskId, "Bravo svarar"),
            t.AnswerStatement(b.Agent, a.TaskId, "Bravo svarar"), signoff, groupWithA, instructedByA];
        JsonObject Person(string id, string organisation, params JsonObject[] agents) => new()
        {
            ["id"] = id, ["organisationId"] = organisation, ["name"] = "Kapad", ["units"] = new JsonArray(organisation == a.Organisation ? a.Unit : b.Unit),
            ["agents"] = new JsonArray([.. agents.Select(x => x.DeepClone())]),
        };
        var session = new JsonObject
        {
            ["activity"] = new JsonObject { ["id"] = "https://demo.lrsapi.se/xapi/activities/sessions/bravo", ["name"] = new JsonObject { ["sv"] = "Kapad" } },
            ["start"] = "2026-03-02T08:00:00+01:00", ["end"] = "2026-03-02T12:00:00+01:00",
            ["participants"] = new JsonArray(new JsonObject { ["personId"] = a.Person, ["outcome"] = "passed" }, new JsonObject { ["personId"] = b.Person, ["outcome"] = "attended" }),
        };
        var webinar = new JsonObject
        {
            ["activity"] = new JsonObject { ["id"] = "https://demo.lrsapi.se/xapi/activities/webinars/bravo", ["name"] = new JsonObject { ["sv"] = "Kapad" } },
            ["start"] = "2026-03-03T13:00:00+01:00", ["end"] = "2026-03-03T13:10:00+01:00",
        };
        var report = $"name,email,employeeId,joinTime,leaveTime,durationMinutes\nX,{a.Mbox["mbox"]!.GetValue<string>()[7..]},,2026-03-03T13:00:00+01:00,2026-03-03T13:05:00+01:00,5\n"
            + $"Y,,{a.Person},2026-03-03T13:00:00+01:00,2026-03-03T13:01:00+01:00,1\n";
        var document = new JsonObject { ["note"] = "Bravo skrev" };
        var state = $"/xapi/activities/state?activityId={activity}&agent={agent}";
        var agentProfile = $"/xapi/agents/profile?agent={agent}";
        var activityProfile = $"/xapi/activities/profile?activityId={Uri.EscapeDataString("https://demo.lrsapi.se/xapi/activities/bravo-" + m)}&profileId=p";

        var requests = new Dictionary<string, List<Func<HttpRequestMessage>>>();
        void Add(string route, params Func<HttpRequestMessage>[] made) => requests[route] = [.. made];
        string[] headToo = ["/health/live", "/health/ready", "/xapi/about", "/api/xapi-profile", "/xapi/activities", "/xapi/agents", "/xapi/statements", "/xapi/activities/state", "/xapi/activities/profile", "/xapi/agents/profile"];
        foreach (var route in headToo.Concat(
        [
            "/api/people", "/api/people/{id}", "/api/organisations", "/api/organisations/{id}/units", "/api/units/{id}", "/api/admin/tenants", "/api/admin/credentials",
            "/api/admin/credentials/{key}", "/api/admin/audit", "/api/framework", "/api/framework/{section}/{id}", "/api/people/{id}/profile", "/api/people/{id}/export", "/api/profiles",
            "/api/units/{id}/gaps", "/api/expiring", "/api/reflection-tasks", "/api/reflection-tasks/{id:guid}", "/api/units/{id}/group-reflection",
            "/api/units/{id}/group-reflections", "/api/group-reflections/{id:guid}", "/api/units/{id}/reflection-follow-up", "/api/sessions/{id}", "/api/sessions",
            "/api/webinars/{id}", "/api/webinars", "/openapi/{documentName}.json", "/metrics", "/api/admin/privacy", "/api/events", "/api/admin/webhooks", "/api/admin/webhooks/{id:guid}",
            "/api/units/{id}/needs", "/api/units/{id}/deviations",
            "/api/units/{id}/plans/{planId}", "/api/units/{id}/plans/{planId}/progress", "/api/people/{id}/training-plan", "/api/units/{id}/training-plans",
            "/api/learning-centres/{id}", "/api/learning-centres",
            "/api/follow-up/reach", "/api/follow-up/short-term", "/api/follow-up/medium-term", "/api/follow-up/long-term", "/api/follow-up/before-after",
        ]))
            foreach (var method in headToo.Contains(route) ? ["GET", "HEAD"] : new[] { "GET" })
                Add($"{method} {route}", [.. queries.Select(q => Send(method, Path(route) + (q.Length > 0 ? "?" + q : "")))]);

        Add("PUT /xapi/statements",
            Send("PUT", $"/xapi/statements?statementId={Guid.NewGuid()}", J(Statement(a.Agent, activity: t.Activity))),
            Send("PUT", $"/xapi/statements?statementId={a.StatementId}", J(Statement(b.Agent, activity: t.Activity))));
        Add("POST /xapi/statements", [.. statements.Select(s => Send("POST", "/xapi/statements", J(s))), Send("POST", "/xapi/statements", J(new JsonArray([.. statements.Select(s => s.DeepClone())])))]);
        foreach (var (route, address, single) in new[] { ("/xapi/activities/state", state, "&stateId=bookmark"), ("/xapi/agents/profile", agentProfile, "&profileId=preferences"), ("/xapi/activities/profile", activityProfile, "") })
        {
            Add("PUT " + route, Send("PUT", address + single, J(document)));
            Add("POST " + route, Send("POST", address + single, J(document)));
            Add("DELETE " + route, Send("DELETE", address + single), Send("DELETE", address));
        }
        Add("PUT /api/people",
            Send("PUT", "/api/people", J(new JsonArray(Person(a.Person, a.Organisation)))),
            Send("PUT", "/api/people", J(new JsonArray(Person(a.Person, b.Organisation)))),
            Send("PUT", "/api/people", J(new JsonArray(Person(b.Person, b.Organisation, b.Mbox, a.Mbox)))),
            Send("PUT", "/api/people", J(new JsonArray(Person(b.Person, b.Organisation, b.Mbox, a.Agent)))));
        Add("PUT /api/organisations",
            Send("PUT", "/api/organisations", J(new JsonArray(new JsonObject { ["id"] = a.Organisation, ["name"] = "Kapad" }))),
            Send("PUT", "/api/organisations", J(new JsonArray(new JsonObject
            {
                ["id"] = b.Organisation, ["name"] = "Bravo", ["units"] = new JsonArray(new JsonObject { ["id"] = a.Unit, ["name"] = "Kapad" }),
            }))));
        Add("POST /api/admin/tenants", Send("POST", "/api/admin/tenants", J(new JsonObject { ["name"] = "kapad-" + m })));
        Add("POST /api/admin/credentials",
            Send("POST", "/api/admin/credentials", J(new JsonObject { ["name"] = "escape", ["scopes"] = new JsonArray("all", "profiles:read") })),
            Send("POST", "/api/admin/credentials", J(new JsonObject { ["scopes"] = new JsonArray("profiles:read"), ["organisation"] = a.Organisation })),
            Send("POST", "/api/admin/credentials", J(new JsonObject { ["scopes"] = new JsonArray("all"), ["actor"] = a.Agent.DeepClone() })));
        Add("DELETE /api/admin/credentials/{key}", Send("DELETE", Path("/api/admin/credentials/{key}")));
        Add("POST /api/admin/webhooks",
            Send("POST", "/api/admin/webhooks", J(new JsonObject { ["url"] = $"https://hooks.bravo-{m}.invalid/a", ["organisation"] = a.Organisation })),
            Send("POST", "/api/admin/webhooks", J(new JsonObject { ["url"] = $"https://hooks.bravo-{m}.invalid/all" })));
        Add("DELETE /api/admin/webhooks/{id:guid}", Send("DELETE", Path("/api/admin/webhooks/{id:guid}")));
        Add("POST /api/admin/webhooks/{id:guid}/resume", Send("POST", Path("/api/admin/webhooks/{id:guid}") + "/resume"));
        Add("POST /api/admin/webhooks/{id:guid}/pause", Send("POST", Path("/api/admin/webhooks/{id:guid}") + "/pause"));
        Add("POST /api/admin/evidence/rebuild", Send("POST", "/api/admin/evidence/rebuild"));
        Add("POST /api/people/{id}/erasure", Send("POST", $"/api/people/{a.Person}/erasure", J(new JsonObject { ["mode"] = "erase" })),
            Send("POST", $"/api/people/{a.Person}/erasure", J(new JsonObject { ["mode"] = "pseudonymise" })));
        Add("PUT /api/admin/privacy", Send("PUT", "/api/admin/privacy", J(new JsonObject { ["erasure"] = "refuse", ["retention"] = new JsonObject { ["statements"] = "P1D" } })));
        Add("POST /api/admin/privacy/retention", Send("POST", "/api/admin/privacy/retention"), Send("POST", "/api/admin/privacy/retention?dryRun=true"));
        Add("PUT /api/framework", Send("PUT", "/api/framework", J(new JsonObject())));
        Add("PUT /api/framework/{section}/{id}", Send("PUT", Path("/api/framework/{section}/{id}"), J(new JsonObject { ["id"] = t.Competence, ["name"] = new JsonObject { ["sv"] = "Kapad" } })));
        Add("DELETE /api/framework/{section}/{id}", Send("DELETE", Path("/api/framework/{section}/{id}")), Send("DELETE", $"/api/framework/reflectionTemplates/{t.Template}"));
        Add("POST /api/reflection-tasks/{id:guid}/answers", Send("POST", $"/api/reflection-tasks/{a.TaskId}/answers", J(answer)));
        var meeting = new JsonObject
        {
            ["heldAt"] = "2026-03-04T13:00:00+01:00", ["facilitator"] = new JsonObject { ["personId"] = b.Person },
            ["attendees"] = new JsonArray(new JsonObject { ["personId"] = a.Person }, new JsonObject { ["agent"] = a.Mbox.DeepClone() }), ["templates"] = new JsonArray(t.Template),
        };
        var ownUnitMeeting = (JsonObject)meeting.DeepClone();
        ownUnitMeeting["id"] = a.MeetingId;
        Add("POST /api/units/{id}/group-reflections", Send("POST", $"/api/units/{a.Unit}/group-reflections", J(meeting)),
            Send("POST", $"/api/units/{b.Unit}/group-reflections", J(meeting)), Send("POST", $"/api/units/{b.Unit}/group-reflections", J(ownUnitMeeting)));
        Add("PUT /api/sessions/{id}", Send("PUT", $"/api/sessions/{a.Session}", J(session)), Send("PUT", $"/api/sessions/bravo-{m}", J(session)));
        Add("PUT /api/webinars/{id}", Send("PUT", $"/api/webinars/{a.Webinar}", J(webinar)));
        var deviation = Deviation(m);
        deviation["id"] = Guid.NewGuid().ToString();
        Add("POST /api/units/{id}/deviations", Send("POST", $"/api/units/{a.Unit}/deviations", J(deviation)),
            Send("POST", $"/api/units/{b.Unit}/deviations", J(deviation)));
        var plan = UnitPlan("Kapad", m);
        Add("PUT /api/units/{id}/plans/{planId}", Send("PUT", Path("/api/units/{id}/plans/{planId}"), J(plan)),
            Send("PUT", $"/api/units/{a.Unit}/plans/bravo-{m}", J(plan)));
        Add("PUT /api/people/{id}/training-plan", Send("PUT", Path("/api/people/{id}/training-plan"), J(TrainingPlan("Kapad", m))));
        Add("POST /api/people/{id}/training-plan/draft", Send("POST", Path("/api/people/{id}/training-plan/draft")),
            Send("POST", Path("/api/people/{id}/training-plan/draft") + $"?plan={PlanId}"));
        Add("PUT /api/learning-centres/{id}", Send("PUT", $"/api/learning-centres/centre-{m}", J(new JsonObject
        {
            ["iri"] = $"https://demo.lrsapi.se/xapi/activities/learning-centres/bravo-{m}", ["name"] = "Kapad", ["activities"] = new JsonArray(t.Activity),
        })));
        Add("PUT /api/webinars/{id}/attendance", Send("PUT", $"/api/webinars/{a.Webinar}/attendance", () => new StringContent(report, Encoding.UTF8, "text/csv")));
        return requests;
    }
}

public sealed class EmployerIsolationTestsOnSqlite(SqliteLrs lrs, ITestOutputHelper output) : EmployerIsolationTests(lrs, output), IClassFixture<SqliteLrs>;
public sealed class EmployerIsolationTestsOnPostgres(PostgresLrs lrs, ITestOutputHelper output) : EmployerIsolationTests(lrs, output), IClassFixture<PostgresLrs>;
