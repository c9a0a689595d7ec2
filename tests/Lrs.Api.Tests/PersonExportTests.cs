using System.IO.Compression;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Lrs.Api.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using static Lrs.Api.Tests.Infrastructure.TwoEmployers;
using static Lrs.Api.Tests.Infrastructure.Xapi;

namespace Lrs.Api.Tests;

/// <summary>
/// The right of access: <c>GET /api/people/{id}/export</c> and <c>people export</c> give everything held about one person as
/// a ZIP, and nothing of anyone else's, to callers who may see the person only.
/// </summary>
public abstract class PersonExportTests(LrsFixture lrs)
{
    /// <summary>Employer A's person with statements in every place an agent can be, a voided one, an attachment, and B's alongside.</summary>
    private sealed record Scene(TwoEmployers T, string Voided, string Voiding, string SignedOff, string Attached, byte[] Attachment, string AttachmentHash,
        IReadOnlyList<string> OfBOnly);

    private async Task<Scene> SceneAsync()
    {
        var t = await CreateAsync(lrs);
        var (a, b, owner) = (t.A, t.B, t.Owner);
        JsonObject With(JsonObject statement, string property, JsonNode value)
        {
            statement["context"] = new JsonObject { [property] = value };
            return statement;
        }
        // A as instructor, as a team member (by the mailbox agent), and as a context agent (2.0) of people who are no one's staff.
        await owner.PostAsync(
            With(Statement(NewAgent()), "instructor", a.Agent.DeepClone()),
            With(Statement(NewAgent()), "team", new JsonObject { ["objectType"] = "Group", ["member"] = new JsonArray(a.Mbox.DeepClone()) }),
            With(Statement(NewAgent()), "contextAgents", new JsonArray(new JsonObject { ["objectType"] = "contextAgent", ["agent"] = a.Agent.DeepClone() })));
        var voided = (await owner.PostAsync(Statement(a.Agent)))[0];
        var voiding = (await owner.PostAsync(Voiding(voided, NewAgent())))[0];
        var signoff = (await owner.PostAsync(new JsonObject
        {
            ["actor"] = NewAgent(), ["verb"] = new JsonObject { ["id"] = "https://w3id.org/xapi/tla/verbs/verified" },
            ["object"] = new JsonObject { ["objectType"] = "StatementRef", ["id"] = a.StatementId },
        }))[0];
        var data = Encoding.UTF8.GetBytes($"Intyg A {t.Marker}");
        var part = Part.For(data, "text/plain");
        var attached = await owner.PostAsync("/xapi/statements", Multipart.Content(Statement(a.Mbox).With(part), part));
        attached.StatusCode.Should().Be(HttpStatusCode.OK, await attached.Content.ReadAsStringAsync());
        var attachedId = (await attached.Content.ReadFromJsonAsync<JsonArray>())![0]!.GetValue<string>();

        // B's: taught by someone else, and referred to; never in A's export.
        var ofB = await owner.PostAsync(With(Statement(b.Agent), "instructor", NewAgent()));
        var referringToB = await owner.PostAsync(Voiding(ofB[0], NewAgent()));
        return new Scene(t, voided, voiding, signoff, attachedId, data, part.Hash!, [b.StatementId, ofB[0], referringToB[0]]);
    }

    private static async Task<ZipArchive> ExportAsync(HttpClient client, string person)
    {
        var response = await client.GetAsync($"/api/people/{person}/export");
        var bytes = await response.Content.ReadAsByteArrayAsync();
        response.StatusCode.Should().Be(HttpStatusCode.OK, Encoding.UTF8.GetString(bytes));
        response.Content.Headers.ContentType!.MediaType.Should().Be("application/zip");
        return new ZipArchive(new MemoryStream(bytes));
    }

    private static string Text(ZipArchive zip, string name)
    {
        using var reader = new StreamReader(zip.GetEntry(name)!.Open(), Encoding.UTF8);
        return reader.ReadToEnd();
    }

    private static byte[] Bytes(ZipArchive zip, string name)
    {
        using var copy = new MemoryStream();
        zip.GetEntry(name)!.Open().CopyTo(copy);
        return copy.ToArray();
    }

    private static List<string> StatementIds(ZipArchive zip) =>
        [.. Text(zip, "statements.ndjson").Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => JsonNode.Parse(line)!["id"]!.GetValue<string>())];

    [Fact]
    public async Task The_export_holds_exactly_the_statements_a_related_agents_query_of_each_agent_returns_plus_the_voided_ones()
    {
        var s = await SceneAsync();
        var (t, a) = (s.T, s.T.A);
        using var zip = await ExportAsync(t.Owner, a.Person);

        var expected = new HashSet<string>();
        foreach (var agent in new[] { a.Agent, a.Mbox })
            expected.UnionWith((await t.Owner.GetAllAsync($"/xapi/statements?agent={AgentParameter(agent)}&related_agents=true&limit=100"))
                .Select(x => x["id"]!.GetValue<string>()));
        // A voided statement is not in a query (xAPI answers it by voidedStatementId only), but it is still held about the person.
        (await t.Owner.GetAsync($"/xapi/statements?voidedStatementId={s.Voided}")).StatusCode.Should().Be(HttpStatusCode.OK);
        expected.Should().NotContain(s.Voided);
        expected.Add(s.Voided);

        var exported = StatementIds(zip);
        exported.Should().OnlyHaveUniqueItems();
        exported.Should().BeEquivalentTo(expected);
        exported.Should().Contain([a.StatementId, s.Voiding, s.SignedOff, s.Attached]).And.NotContain(s.OfBOnly);
        // Every place an agent can be: actor, instructor, team, context agent; a session's and a group reflection's statements too.
        exported.Count.Should().BeGreaterThanOrEqualTo(10);
    }

    [Fact]
    public async Task The_export_of_a_demo_person_opens_as_a_zip_whose_statements_are_those_of_each_agents_query_and_the_voided_ones()
    {
        var tenant = "demo-export-" + Guid.NewGuid().ToString("N")[..8];
        var services = lrs.Services;
        var (outcome, error) = await Lrs.Api.Demo.DemoSeeder.SeedAsync(services.GetRequiredService<Lrs.Api.Hosting.LrsStore>(),
            services.GetRequiredService<Lrs.Api.Admin.Administration>(), tenant, Lrs.Api.Demo.DemoTenant.Generate(7, 16), 25, "http://localhost:8080", "test",
            TimeProvider.System, _ => { }, CancellationToken.None);
        outcome.Should().NotBeNull(error);
        var client = lrs.Client("2.0.0", outcome!.Key, outcome.Secret);
        // The demo person with the most statements: training, sessions, webinars, sign-offs, answers, group reflections.
        var people = (await client.GetFromJsonAsync<JsonNode>("/api/people?limit=100"))!["people"]!.AsArray();
        var counted = new List<(string Person, HashSet<string> Ids)>();
        foreach (var p in people)
        {
            var ids = new HashSet<string>();
            foreach (var agent in p!["agents"]!.AsArray())
                foreach (var statement in await client.GetAllAsync($"/xapi/statements?agent={AgentParameter(agent!.AsObject())}&related_agents=true&limit=500"))
                {
                    ids.Add(statement["id"]!.GetValue<string>());
                    // What a voiding among them voids is held about the person too, though no query returns it.
                    if (statement["verb"]!["id"]!.GetValue<string>() == Voided) ids.Add(statement["object"]!["id"]!.GetValue<string>());
                }
            counted.Add((p["id"]!.GetValue<string>(), ids));
        }
        var (person, expected) = counted.MaxBy(c => c.Ids.Count);

        using var zip = await ExportAsync(client, person);
        StatementIds(zip).Should().BeEquivalentTo(expected);
        expected.Count.Should().BeGreaterThan(25);
        JsonNode.Parse(Text(zip, "person.json"))!["id"]!.GetValue<string>().Should().Be(person);
        JsonNode.Parse(Text(zip, "competence.json"))!["evidence"]!.AsArray().Should().NotBeEmpty();
        JsonNode.Parse(Text(zip, "reflection.json"))!["tasks"]!.AsArray().Should().NotBeEmpty();
        // The plan, or null for a person without one, as the plan's own route has it.
        var plan = await client.GetAsync($"/api/people/{person}/training-plan");
        var exportedPlan = JsonNode.Parse(Text(zip, "training-plan.json"));
        if (plan.StatusCode == HttpStatusCode.NotFound) exportedPlan.Should().BeNull();
        else exportedPlan!["version"]!.GetValue<long>().Should().Be((await plan.Content.ReadFromJsonAsync<JsonNode>())!["version"]!.GetValue<long>());
        // (A person with none of their own, such as one of Metodrum's staff with no session yet, has nothing to leave out.)
        foreach (var (other, ids) in counted.Where(c => c.Person != person))
            if (ids.Where(id => !expected.Contains(id)).ToList() is { Count: > 0 } theirs)
                StatementIds(zip).Should().NotContain(theirs, $"those are {other}'s alone");
    }

    [Fact]
    public async Task The_export_holds_person_documents_attachments_competence_reflection_sessions_and_audit_and_nothing_of_another_person()
    {
        var s = await SceneAsync();
        var (t, a) = (s.T, s.T.A);
        using var zip = await ExportAsync(t.Owner, a.Person);
        zip.Entries.Select(e => e.FullName).Should().Contain(["person.json", "statements.ndjson", "documents/index.json", "attachments/index.json",
            "competence.json", "training-plan.json", "reflection.json", "sessions.json", "audit.json"]);

        var person = JsonNode.Parse(Text(zip, "person.json"))!;
        person["id"]!.GetValue<string>().Should().Be(a.Person);
        person["name"]!.GetValue<string>().Should().Be($"Astrid A {t.Marker}");
        person["history"]!.AsArray().Select(h => $"{h!["kind"]} {h["value"]}").Should().Contain([$"unit {a.Unit}", "role usk"]);

        var documents = JsonNode.Parse(Text(zip, "documents/index.json"))!.AsArray();
        documents.Select(d => d!["kind"]!.GetValue<string>()).Should().BeEquivalentTo(["state", "agentProfile"]);
        foreach (var document in documents)
        {
            document!["contentType"]!.GetValue<string>().Should().StartWith("application/json");
            var body = Text(zip, document["file"]!.GetValue<string>());
            body.Should().Contain(document["kind"]!.GetValue<string>() == "state" ? $"State A {t.Marker}" : $"Profil A {t.Marker}");
        }
        documents.Single(d => d!["kind"]!.GetValue<string>() == "state")!["stateId"]!.GetValue<string>().Should().Be("bookmark");

        var attachments = JsonNode.Parse(Text(zip, "attachments/index.json"))!.AsArray();
        attachments.Should().ContainSingle().Which!["contentType"]!.GetValue<string>().Should().Be("text/plain");
        Bytes(zip, "attachments/" + s.AttachmentHash).Should().Equal(s.Attachment);

        var competence = JsonNode.Parse(Text(zip, "competence.json"))!;
        competence["evidence"]!.AsArray().Select(e => e!["statementId"]!.GetValue<string>()).Should().Contain(a.StatementId);
        competence["profile"]!["competences"]!.AsArray().Single(c => c!["competence"]!.GetValue<string>() == t.Competence)!["status"]!.GetValue<string>()
            .Should().Be(await t.StatusAsync(a.Person));

        var plan = JsonNode.Parse(Text(zip, "training-plan.json"))!;
        plan["personId"]!.GetValue<string>().Should().Be(a.Person);
        var item = plan["items"]!.AsArray().Should().ContainSingle().Subject!;
        item["agreedBy"]!.GetValue<string>().Should().Be($"Chef A {t.Marker}");
        item["status"]!.GetValue<string>().Should().Be((await t.Owner.GetFromJsonAsync<JsonNode>($"/api/people/{a.Person}/training-plan"))!["items"]![0]!["status"]!.GetValue<string>());
        var withoutPlan = $"C-{t.Marker}";
        (await t.Owner.PutAsync("/api/people", Json(new JsonArray(new JsonObject
        {
            ["id"] = withoutPlan, ["organisationId"] = t.A.Organisation, ["agents"] = new JsonArray(NewAgent()),
        })))).EnsureSuccessStatusCode();
        using (var other = await ExportAsync(t.Owner, withoutPlan))
            JsonNode.Parse(Text(other, "training-plan.json")).Should().BeNull("a person without a plan has none in the export");

        var tasks = JsonNode.Parse(Text(zip, "reflection.json"))!["tasks"]!.AsArray();
        tasks.Select(x => x!["id"]!.GetValue<string>()).Should().Contain(a.TaskId);
        tasks.SelectMany(x => x!["answers"]!.AsArray()).Select(x => x!["response"]!.GetValue<string>()).Should().Contain($"Svar A {t.Marker}");
        var meeting = JsonNode.Parse(Text(zip, "reflection.json"))!["groupReflections"]!.AsArray().Should().ContainSingle().Subject!;
        meeting["id"]!.GetValue<string>().Should().Be(a.MeetingId);
        meeting["notes"]!.GetValue<string>().Should().Be($"Anteckning A {t.Marker}");
        meeting["attendanceStatementIds"]!.AsArray().Should().ContainSingle();

        var sessions = JsonNode.Parse(Text(zip, "sessions.json"))!;
        sessions["sessions"]!.AsArray().Select(x => x!["id"]!.GetValue<string>()).Should().Equal(a.Session);
        sessions["webinars"]!.AsArray().Select(x => x!["id"]!.GetValue<string>()).Should().Equal(a.Webinar);
        foreach (var entry in sessions["sessions"]!.AsArray().Concat(sessions["webinars"]!.AsArray()))
            entry!["participants"]!.AsArray().Should().ContainSingle().Which!["personId"]!.GetValue<string>().Should().Be(a.Person);

        var audit = JsonNode.Parse(Text(zip, "audit.json"))!["entries"]!.AsArray();
        audit.Should().ContainSingle(e => e!["action"]!.GetValue<string>() == "person.export" && e["target"]!.GetValue<string>() == $"person:{a.Person}");

        // Nothing of B, in any part.
        string[] ofB = [$"Bo B {t.Marker}", $"Resultat B {t.Marker}", $"Svar B {t.Marker}", $"State B {t.Marker}", $"Profil B {t.Marker}", $"Anteckning B {t.Marker}", $"Chef B {t.Marker}", t.B.Person, t.B.MeetingId, t.B.Session,
            t.B.Webinar, t.B.TaskId, .. s.OfBOnly];
        foreach (var entry in zip.Entries)
        {
            var text = Text(zip, entry.FullName);
            foreach (var leak in ofB) text.Should().NotContain(leak, $"{entry.FullName} is A's");
        }
    }

    [Fact]
    public async Task The_export_is_audited_by_the_person_id_only()
    {
        var t = await CreateAsync(lrs);
        using var _ = await ExportAsync(t.Owner, t.A.Person);
        var entries = (await t.Owner.GetFromJsonAsync<JsonNode>("/api/admin/audit?limit=1000"))!["entries"]!.AsArray();
        var export = entries.Should().ContainSingle(e => e!["action"]!.GetValue<string>() == "person.export").Subject!;
        export["target"]!.GetValue<string>().Should().Be($"person:{t.A.Person}");
        export["detail"].Should().BeNull();
        export.ToJsonString().Should().NotContain("Astrid").And.NotContain("mailto:");
    }

    [Fact]
    public async Task A_credential_of_another_employer_gets_404_and_one_of_the_same_employer_gets_the_export_of_statements_about_its_people()
    {
        var s = await SceneAsync();
        var (t, a) = (s.T, s.T.A);
        foreach (var other in new[] { await t.ClientAsync(AllScopes, t.B.Organisation), await t.ClientAsync(AllScopes, actor: t.B.Agent) })
        {
            var refused = await other.GetAsync($"/api/people/{a.Person}/export");
            await ShouldBe(refused, HttpStatusCode.NotFound);
            refused.Content.Headers.ContentType!.MediaType.Should().Be("application/problem+json");
            (await refused.Content.ReadAsStringAsync()).Should().NotContain("Astrid");
        }

        using var whole = await ExportAsync(t.Owner, a.Person);
        using var own = await ExportAsync(await t.ClientAsync("people:write", a.Organisation), a.Person);
        var ownIds = StatementIds(own);
        ownIds.Should().Contain([a.StatementId, s.Attached]).And.BeSubsetOf(StatementIds(whole));
        // Under an employer restriction a statement is the employer's when its actor or object is one of its people, as in xAPI queries.
        var visible = await (await t.ClientAsync("all", a.Organisation)).GetAllAsync($"/xapi/statements?agent={AgentParameter(a.Agent)}&related_agents=true&limit=100");
        ownIds.Should().Contain(visible.Select(x => x["id"]!.GetValue<string>()));
        Text(own, "reflection.json").Should().Contain($"Svar A {t.Marker}");

        using var self = await ExportAsync(await t.ClientAsync("people:write", actor: a.Agent), a.Person);
        StatementIds(self).Should().BeEquivalentTo(ownIds);
    }

    [Fact]
    public async Task Another_tenant_an_unknown_person_and_a_missing_scope_get_problem_details()
    {
        var t = await CreateAsync(lrs);
        var stranger = await lrs.ClientWithScopesAsync(AllScopes, "2.0.0", "privat-" + Guid.NewGuid().ToString("N")[..8]);
        foreach (var (client, path, status) in new[]
        {
            (stranger, $"/api/people/{t.A.Person}/export", HttpStatusCode.NotFound),
            (t.Owner, $"/api/people/nobody-{t.Marker}/export", HttpStatusCode.NotFound),
            (t.Owner, $"/api/people/{Uri.EscapeDataString("../" + new string('å', 3000) + "\u0001")}/export", HttpStatusCode.NotFound),
            (await t.ClientAsync("profiles:read all"), $"/api/people/{t.A.Person}/export", HttpStatusCode.Forbidden),
        })
        {
            var response = await client.GetAsync(path);
            await ShouldBe(response, status, path);
            response.Content.Headers.ContentType!.MediaType.Should().Be("application/problem+json");
            (await response.Content.ReadAsStringAsync()).Should().NotContain("Astrid");
        }
        var entries = (await t.Owner.GetFromJsonAsync<JsonNode>("/api/admin/audit?limit=1000"))!["entries"]!.AsArray();
        entries.Should().NotContain(e => e!["action"]!.GetValue<string>() == "person.export", "nothing was exported");
    }

    [Fact]
    public async Task The_cli_writes_the_same_export_into_a_file()
    {
        var s = await SceneAsync();
        var (t, a) = (s.T, s.T.A);
        var directory = Directory.CreateTempSubdirectory("lrs-export-").FullName;
        try
        {
            var file = Path.Combine(directory, "export.zip");
            var environment = new Dictionary<string, string>
            {
                ["Lrs__Storage__Provider"] = lrs.StoreName, ["Lrs__Storage__ConnectionString"] = lrs.StoreConnectionString,
            };
            var run = await AdminCommandTests.RunAsync(directory, environment, "people", "export", "--tenant", t.Tenant, "--person", a.Person, "--out", file);
            run.ExitCode.Should().Be(0, run.Error);
            run.Output.Should().Contain($"Person '{a.Person}'").And.Contain("statements");

            using var http = await ExportAsync(t.Owner, a.Person);
            using var cli = new ZipArchive(File.OpenRead(file));
            cli.Entries.Select(e => e.FullName).Should().Equal(http.Entries.Select(e => e.FullName));
            // The same bytes but for what is computed at the time of the export (the profile's and tasks' "now", the audit of each export).
            foreach (var entry in http.Entries.Select(e => e.FullName).Except(["competence.json", "training-plan.json", "reflection.json", "audit.json"]))
                Bytes(cli, entry).Should().Equal(Bytes(http, entry), entry);
            Text(cli, "reflection.json").Should().Contain($"Svar A {t.Marker}");
            JsonNode.Parse(Text(http, "audit.json"))!["entries"]!.AsArray().Where(e => e!["action"]!.GetValue<string>() == "person.export")
                .Select(e => e!["actor"]!.GetValue<string>()).Should().HaveCount(2).And.Contain(actor => actor.StartsWith("cli:"));

            var unknown = await AdminCommandTests.RunAsync(directory, environment, "people", "export", "--tenant", t.Tenant, "--person", "nobody", "--out", file + ".2");
            unknown.ExitCode.Should().Be(1);
            unknown.Error.Should().Contain("no person with id 'nobody'");
            File.Exists(file + ".2").Should().BeFalse();
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}

public sealed class PersonExportTestsOnSqlite(SqliteLrs lrs) : PersonExportTests(lrs), IClassFixture<SqliteLrs>;
public sealed class PersonExportTestsOnPostgres(PostgresLrs lrs) : PersonExportTests(lrs), IClassFixture<PostgresLrs>;
