using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Lrs.Api.Tests.Infrastructure;
using static Lrs.Api.Tests.Infrastructure.TwoEmployers;
using static Lrs.Api.Tests.Infrastructure.Xapi;

namespace Lrs.Api.Tests;

/// <summary>
/// A credential restricted to one employer (organisation) of a tenant sees and changes only that employer's people, for
/// writes as for reads: each test is one way across the boundary that was once open.
/// </summary>
public abstract class EmployerBoundaryTests(LrsFixture lrs)
{
    private static async Task<string?> ProblemAsync(HttpResponseMessage response) =>
        JsonNode.Parse(await response.Content.ReadAsStringAsync()) is JsonObject o ? (o["detail"] ?? o["message"])?.GetValue<string>() : null;

    [Fact]
    public async Task A_restricted_admin_issues_no_credential_wider_than_itself_and_sees_only_credentials_as_narrow()
    {
        var t = await CreateAsync(lrs);
        var bravo = await t.ClientAsync("admin profiles:read", t.B.Organisation);

        var escape = await bravo.PostAsync("/api/admin/credentials", Json(new JsonObject { ["name"] = "escape", ["scopes"] = new JsonArray("all", "profiles:read", "reflections:write") }));
        await ShouldBe(escape, HttpStatusCode.Forbidden, "scopes it does not hold");
        var other = await bravo.PostAsync("/api/admin/credentials", Json(new JsonObject { ["scopes"] = new JsonArray("profiles:read"), ["organisation"] = t.A.Organisation }));
        await ShouldBe(other, HttpStatusCode.Forbidden, "another organisation");
        var acmeActor = await bravo.PostAsync("/api/admin/credentials", Json(new JsonObject { ["scopes"] = new JsonArray("profiles:read"), ["actor"] = t.A.Agent.DeepClone() }));
        await ShouldBe(acmeActor, HttpStatusCode.Forbidden, "an actor of another organisation");

        var inherited = await bravo.PostAsync("/api/admin/credentials", Json(new JsonObject { ["name"] = "narrow", ["scopes"] = new JsonArray("profiles:read") }));
        await ShouldBe(inherited, HttpStatusCode.Created);
        var issued = (await inherited.Content.ReadFromJsonAsync<JsonNode>())!;
        issued["organisation"]!.GetValue<string>().Should().Be(t.B.Organisation, "a restricted issuer's organisation is inherited");
        var narrow = t.Lrs.Client("2.0.0", issued["key"]!.GetValue<string>(), issued["secret"]!.GetValue<string>());
        await ShouldBe(await narrow.GetAsync($"/api/people/{t.A.Person}"), HttpStatusCode.NotFound);

        var created = await t.Owner.PostAsync("/api/admin/credentials", Json(new JsonObject { ["name"] = "tenant-wide", ["scopes"] = new JsonArray("profiles:read") }));
        var unrestrictedKey = (await created.Content.ReadFromJsonAsync<JsonNode>())!["key"]!.GetValue<string>();
        var listed = (await bravo.GetFromJsonAsync<JsonArray>("/api/admin/credentials"))!;
        listed.Select(c => c!["organisation"]?.GetValue<string>()).Should().OnlyContain(o => o == t.B.Organisation);
        await ShouldBe(await bravo.GetAsync($"/api/admin/credentials/{unrestrictedKey}"), HttpStatusCode.NotFound);
        await ShouldBe(await bravo.DeleteAsync($"/api/admin/credentials/{unrestrictedKey}"), HttpStatusCode.NotFound);
        (await t.Owner.GetFromJsonAsync<JsonNode>($"/api/admin/credentials/{unrestrictedKey}"))!["status"]!.GetValue<string>().Should().Be("active");
        await ShouldBe(await bravo.GetAsync("/api/admin/audit"), HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task A_restricted_credential_cannot_void_another_employers_statement()
    {
        var t = await CreateAsync(lrs);
        var bravo = await t.ClientAsync("statements/write statements/read", t.B.Organisation);
        (await t.StatusAsync(t.A.Person)).Should().Be("valid");

        var response = await bravo.PostAsync("/xapi/statements", Json(Voiding(t.A.StatementId, NewAgent("Bravos LMS"))));

        await ShouldBe(response, HttpStatusCode.Forbidden);
        (await ProblemAsync(response)).Should().Contain(t.A.StatementId);
        (await t.StatusAsync(t.A.Person)).Should().Be("valid", "the evidence stands");
        await ShouldBe(await t.Owner.GetAsync($"/xapi/statements?statementId={t.A.StatementId}"), HttpStatusCode.OK);
    }

    [Fact]
    public async Task A_restricted_credential_cannot_forge_evidence_for_another_employers_person_and_nothing_of_the_batch_is_stored()
    {
        var t = await CreateAsync(lrs);
        var bravo = await t.ClientAsync("statements/write statements/read", t.B.Organisation);
        var own = Statement(t.B.Agent, activity: NewActivityId());
        var ownId = Guid.NewGuid().ToString();
        own["id"] = ownId;
        // A person of A not yet trained: the forged completion would make them valid.
        await t.Owner.PutAsync("/api/people", Json(new JsonArray(new JsonObject
        {
            ["id"] = $"A2-{t.Marker}", ["organisationId"] = t.A.Organisation, ["roles"] = new JsonArray("usk"),
        })));
        var untrained = new JsonObject { ["objectType"] = "Agent", ["account"] = t.A.Agent["account"]!.DeepClone() };
        untrained["account"]!["name"] = $"A2-{t.Marker}";
        (await t.StatusAsync($"A2-{t.Marker}")).Should().Be("missing");

        var response = await bravo.PostAsync("/xapi/statements", Json(new JsonArray(own, Statement(untrained, activity: t.Activity))));

        await ShouldBe(response, HttpStatusCode.Forbidden);
        (await t.StatusAsync($"A2-{t.Marker}")).Should().Be("missing");
        await ShouldBe(await t.Owner.GetAsync($"/xapi/statements?statementId={ownId}"), HttpStatusCode.NotFound, "nothing of the batch is stored");
        (await bravo.PostAsync(Statement(t.B.Agent, activity: t.Activity))).Should().HaveCount(1, "its own people's statements are stored");
    }

    [Fact]
    public async Task A_restricted_batch_is_refused_at_its_first_statement_about_another_employers_person_and_stored_whole_without_one()
    {
        var t = await CreateAsync(lrs);
        var bravo = await t.ClientAsync("statements/write statements/read", t.B.Organisation);
        // The employers of all the batch's agents are read at once; each statement is still judged in its turn.
        JsonObject[] Batch(params JsonObject[] agents) => [.. agents.Select(agent => Statement(agent, activity: NewActivityId()))];
        var instructed = Statement(t.B.Agent, activity: NewActivityId());
        instructed["context"] = new JsonObject { ["instructor"] = t.A.Mbox.DeepClone() };

        var refused = await bravo.PostAsync("/xapi/statements", Json(new JsonArray([.. Batch(t.B.Agent, NewAgent(), t.B.Mbox), instructed, .. Batch(t.A.Agent)])));
        await ShouldBe(refused, HttpStatusCode.Forbidden);
        (await ProblemAsync(refused)).Should().StartWith("$[3] names a person of another organisation");

        var aboutNoPerson = NewAgent();
        var stored = await bravo.PostAsync(Batch(t.B.Agent, aboutNoPerson, t.B.Mbox, t.B.Agent));
        stored.Should().HaveCount(4, "its own people and agents that are no person's");
        (await t.Owner.GetFromJsonAsync<JsonObject>($"/xapi/statements?agent={Uri.EscapeDataString(aboutNoPerson.ToJsonString())}"))!["statements"]!
            .AsArray().Should().ContainSingle();
    }

    [Fact]
    public async Task A_restricted_reader_gets_the_same_statements_whether_its_employer_has_few_agents_or_many()
    {
        var t = await CreateAsync(lrs);
        var bravo = await t.ClientAsync("statements/read", t.B.Organisation);
        (await t.Owner.PostAsync(Statement(NewAgent(), activity: NewActivityId()))).Should().HaveCount(1);
        async Task<string[]> IdsAsync(string query) =>
            [.. (await bravo.GetFromJsonAsync<JsonObject>($"/xapi/statements?{query}"))!["statements"]!.AsArray().Select(s => s!["id"]!.GetValue<string>())];
        string[] queries = ["limit=500", "limit=2", $"agent={AgentParameter(t.B.Agent)}&limit=500", $"verb={Uri.EscapeDataString(Completed)}&limit=500"];

        // Few agents: its statements are found by its agents' keys first.
        var few = new List<string[]>();
        foreach (var query in queries) few.Add(await IdsAsync(query));
        few[0].Should().Contain(t.B.StatementId).And.NotContain(t.A.StatementId);
        few[0].Length.Should().BeGreaterThan(2);
        few[1].Should().Equal(few[0].Take(2));

        // More agents than that query takes: every statement is checked, newest first, as before.
        var people = new JsonArray([.. Enumerable.Range(0, 300).Select(i => (JsonNode)new JsonObject
        {
            ["id"] = $"B-{i}-{t.Marker}", ["organisationId"] = t.B.Organisation, ["roles"] = new JsonArray("usk"),
            ["agents"] = new JsonArray(new JsonObject { ["mbox"] = $"mailto:b-{i}-{t.Marker}@bravo.example" }),
        })]);
        (await t.Owner.PutAsync("/api/people", Json(people))).IsSuccessStatusCode.Should().BeTrue();
        for (var i = 0; i < queries.Length; i++) (await IdsAsync(queries[i])).Should().Equal(few[i], queries[i]);
    }

    [Fact]
    public async Task A_restricted_credential_cannot_answer_another_employers_task_through_xAPI()
    {
        var t = await CreateAsync(lrs);
        var bravo = await t.ClientAsync("statements/write reflections:write", t.B.Organisation);
        // A fresh task of A's person: the earlier one is answered.
        await t.Owner.PostAsync(Statement(t.A.Agent, activity: t.Activity, registration: Guid.NewGuid()));
        var open = (await t.Owner.GetFromJsonAsync<JsonNode>($"/api/reflection-tasks?person={t.A.Person}&status=open"))!["tasks"]![0]!["id"]!.GetValue<string>();

        var asPerson = await bravo.PostAsync("/xapi/statements", Json(t.AnswerStatement(t.A.Agent, open, "Bravo skrev detta")));
        var asOwnAgent = await bravo.PostAsync("/xapi/statements", Json(t.AnswerStatement(NewAgent(), open, "Bravo skrev detta")));

        await ShouldBe(asPerson, HttpStatusCode.Forbidden);
        await ShouldBe(asOwnAgent, HttpStatusCode.Forbidden, "the task is not one it may see");
        var task = (await t.Owner.GetFromJsonAsync<JsonNode>($"/api/reflection-tasks/{open}"))!;
        task["status"]!.GetValue<string>().Should().Be("open");
        task["answers"]!.AsArray().Should().BeEmpty();
    }

    [Fact]
    public async Task A_restricted_credential_cannot_sign_off_a_statement_it_could_not_read()
    {
        var t = await CreateAsync(lrs);
        var bravo = await t.ClientAsync("statements/write statements/read", t.B.Organisation);
        var signoff = new JsonObject
        {
            ["actor"] = NewAgent("Handledare utan anställning"),
            ["verb"] = new JsonObject { ["id"] = "https://w3id.org/xapi/tla/verbs/verified" },
            ["object"] = new JsonObject { ["objectType"] = "StatementRef", ["id"] = t.A.StatementId },
        };
        var refersInContext = Statement(t.B.Agent);
        refersInContext["context"] = new JsonObject { ["statement"] = new JsonObject { ["objectType"] = "StatementRef", ["id"] = t.A.StatementId } };

        await ShouldBe(await bravo.PostAsync("/xapi/statements", Json(signoff)), HttpStatusCode.Forbidden);
        await ShouldBe(await bravo.PostAsync("/xapi/statements", Json(refersInContext)), HttpStatusCode.Forbidden);

        signoff["object"]!["id"] = t.B.StatementId;
        await ShouldBe(await bravo.PostAsync("/xapi/statements", Json(signoff)), HttpStatusCode.OK, "its own people's statements it may sign off");
    }

    [Fact]
    public async Task State_Agent_Profile_and_Agents_of_another_employers_person_are_out_of_reach()
    {
        var t = await CreateAsync(lrs);
        var bravo = await t.ClientAsync("all", t.B.Organisation);
        var boundToBo = await t.ClientAsync("all", actor: t.B.Agent);
        var activity = Uri.EscapeDataString(t.Activity);
        var state = $"/xapi/activities/state?activityId={activity}&agent={AgentParameter(t.A.Agent)}";
        var profile = $"/xapi/agents/profile?agent={AgentParameter(t.A.Agent)}";

        await ShouldBe(await bravo.GetAsync(state + "&stateId=bookmark"), HttpStatusCode.NotFound);
        (await bravo.GetStringAsync(state)).Should().Be("[]");
        await ShouldBe(await bravo.GetAsync(profile + "&profileId=preferences"), HttpStatusCode.NotFound);
        (await bravo.GetStringAsync(profile)).Should().Be("[]");
        await ShouldBe(await bravo.PutAsync(state + "&stateId=bookmark", Json(new JsonObject { ["note"] = "bravo" })), HttpStatusCode.Forbidden);
        await ShouldBe(await bravo.PostAsync(profile + "&profileId=preferences", Json(new JsonObject { ["note"] = "bravo" })), HttpStatusCode.Forbidden);
        await ShouldBe(await bravo.DeleteAsync(state + "&stateId=bookmark"), HttpStatusCode.Forbidden);
        await ShouldBe(await bravo.DeleteAsync(state), HttpStatusCode.Forbidden);
        await ShouldBe(await bravo.DeleteAsync(profile + "&profileId=preferences"), HttpStatusCode.Forbidden);
        (await t.Owner.GetStringAsync(state + "&stateId=bookmark")).Should().Contain($"State A {t.Marker}");
        (await t.Owner.GetStringAsync(profile + "&profileId=preferences")).Should().Contain($"Profil A {t.Marker}");

        foreach (var client in new[] { bravo, boundToBo })
        {
            var person = await client.GetStringAsync($"/xapi/agents?agent={AgentParameter(t.A.Agent)}");
            person.Should().NotContain("Astrid");
        }
        (await t.Owner.GetStringAsync($"/xapi/agents?agent={AgentParameter(t.A.Agent)}")).Should().Contain($"Astrid A {t.Marker}");

        // The documents of an agent that is no person's stay reachable.
        var nobody = $"/xapi/activities/state?activityId={activity}&agent={AgentParameter(NewAgent())}&stateId=bookmark";
        await ShouldBe(await bravo.PutAsync(nobody, Json(new JsonObject { ["note"] = "bravo" })), HttpStatusCode.NoContent);
        await ShouldBe(await bravo.GetAsync(nobody), HttpStatusCode.OK);
    }

    [Fact]
    public async Task A_restricted_writer_cannot_claim_an_agent_that_statements_about_another_employers_people_carry()
    {
        var t = await CreateAsync(lrs);
        var bravo = await t.ClientAsync("people:write statements/read", t.B.Organisation);
        var privateMbox = new JsonObject { ["mbox"] = $"mailto:astrid.private-{t.Marker}@acme.example" };
        var group = new JsonObject { ["objectType"] = "Group", ["member"] = new JsonArray(t.A.Agent.DeepClone(), privateMbox.DeepClone()) };
        var aboutAstrid = (await t.Owner.PostAsync(Statement(group)))[0];
        var freeMbox = new JsonObject { ["mbox"] = $"mailto:bo.lms-{t.Marker}@bravo.example" };
        var aboutNobody = (await t.Owner.PostAsync(Statement(freeMbox)))[0];
        await ShouldBe(await bravo.GetAsync($"/xapi/statements?statementId={aboutAstrid}"), HttpStatusCode.NotFound);

        JsonArray Bo(params JsonObject[] agents) => new(new JsonObject
        {
            ["id"] = t.B.Person, ["organisationId"] = t.B.Organisation, ["units"] = new JsonArray(t.B.Unit), ["roles"] = new JsonArray("usk"),
            ["agents"] = new JsonArray([t.B.Mbox.DeepClone(), .. agents.Select(a => a.DeepClone())]),
        });
        var claim = await bravo.PutAsync("/api/people", Json(Bo(privateMbox)));

        await ShouldBe(claim, HttpStatusCode.Conflict);
        (await ProblemAsync(claim)).Should().Contain(privateMbox["mbox"]!.GetValue<string>());
        await ShouldBe(await bravo.GetAsync($"/xapi/statements?statementId={aboutAstrid}"), HttpStatusCode.NotFound, "its reads did not widen");

        await ShouldBe(await bravo.PutAsync("/api/people", Json(Bo(freeMbox))), HttpStatusCode.OK, "an agent only no person's statements carry may be claimed");
        await ShouldBe(await bravo.GetAsync($"/xapi/statements?statementId={aboutNobody}"), HttpStatusCode.OK);
    }

    [Fact]
    public async Task Framework_changes_and_evidence_rebuilds_are_for_unrestricted_credentials_only()
    {
        var t = await CreateAsync(lrs);
        var bravo = await t.ClientAsync(AllScopes, t.B.Organisation);
        var before = await t.Owner.GetStringAsync("/api/framework");

        await ShouldBe(await bravo.DeleteAsync($"/api/framework/rules/r-{t.Marker}"), HttpStatusCode.Forbidden);
        await ShouldBe(await bravo.PutAsync("/api/framework", Json(new JsonObject())), HttpStatusCode.Forbidden);
        await ShouldBe(await bravo.PostAsync("/api/admin/evidence/rebuild", null), HttpStatusCode.Forbidden);
        (await t.Owner.GetStringAsync("/api/framework")).Should().Be(before);
    }
}

public sealed class EmployerBoundaryTestsOnSqlite(SqliteLrs lrs) : EmployerBoundaryTests(lrs), IClassFixture<SqliteLrs>;
public sealed class EmployerBoundaryTestsOnPostgres(PostgresLrs lrs) : EmployerBoundaryTests(lrs), IClassFixture<PostgresLrs>;
