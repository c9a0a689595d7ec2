using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Lrs.Api.Tests.Infrastructure;
using static Lrs.Api.Tests.Infrastructure.TwoEmployers;
using static Lrs.Api.Tests.Infrastructure.Xapi;

namespace Lrs.Api.Tests;

/// <summary>
/// Erasure and pseudonymisation of a person, checked in the database itself: every column of every table (found through the
/// catalogue) before and after. Employer A's person is erased; employer B's person, who shares statements with them, must keep
/// every row as it was.
/// </summary>
public abstract class PrivacyTests(LrsFixture lrs)
{
    private const string Pseudonyms = "https://pseudonyms.lrs.invalid/tenants/";

    // What identifies A's person in stored data: employee id (also the HR account name), e-mail address, name.
    private static string[] Identifiers(TwoEmployers t) => [t.A.Person, $"acme-{t.Marker}@acme.example", $"Astrid A {t.Marker}"];

    // Statements that name A's person besides the ones the fixture made: A as instructor of B, A in a group with B, A's own
    // statement under a name, and A voiding it; a credential bound to A. Returns the ids of the statements of others.
    private static async Task<(string Instructed, string Group)> SharedAsync(TwoEmployers t)
    {
        var instructed = Statement(t.B.Agent, activity: t.Activity);
        instructed["context"] = new JsonObject { ["instructor"] = t.A.Agent.DeepClone() };
        var group = Statement(new JsonObject { ["objectType"] = "Group", ["member"] = new JsonArray(t.B.Agent.DeepClone(), t.A.Mbox.DeepClone()) }, activity: NewActivityId());
        var named = (JsonObject)t.A.Mbox.DeepClone();
        named["name"] = $"Astrid A {t.Marker}";
        var ids = await t.Owner.PostAsync(instructed, group, Statement(named, activity: NewActivityId()));
        await t.Owner.PostAsync(Voiding(ids[2], named));
        (await t.Owner.PostAsync("/api/admin/credentials", Json(new JsonObject
        {
            ["name"] = "launch", ["scopes"] = new JsonArray("statements/write"), ["actor"] = t.A.Agent.DeepClone(),
        }))).EnsureSuccessStatusCode();
        return (ids[0], ids[1]);
    }

    private static async Task<JsonNode> EraseAsync(TwoEmployers t, string mode, HttpClient? client = null)
    {
        var response = await (client ?? t.Owner).PostAsync($"/api/people/{t.A.Person}/erasure", Json(new JsonObject { ["mode"] = mode }));
        await ShouldBe(response, HttpStatusCode.OK);
        return (await response.Content.ReadFromJsonAsync<JsonNode>())!;
    }

    private static async Task<string> ProfileAsync(TwoEmployers t, string person) =>
        Regex.Replace(await t.Owner.GetStringAsync($"/api/people/{person}/profile"), "\"computedAt\":\"[^\"]*\"", "");

    private static bool IsActor(JsonNode? actor, TwoEmployers t) =>
        actor?["account"]?["name"]?.GetValue<string>() == t.A.Person || actor?["mbox"]?.GetValue<string>() == t.A.Mbox["mbox"]!.GetValue<string>();

    [Fact]
    public async Task Erase_leaves_no_identifier_of_the_person_in_any_column_of_any_table_and_every_other_row_as_it_was()
    {
        var t = await CreateAsync(lrs);
        var (instructed, group) = await SharedAsync(t);
        var identifiers = Identifiers(t);
        var profileOfB = await ProfileAsync(t, t.B.Person);
        var before = await StoreRows.AllAsync(lrs);
        identifiers.Should().OnlyContain(i => before.Any(b => b.Mentions(i)), "the check is real: the identifiers are stored before");
        // A's own statements, as the test sees them: those whose actor is one of A's agents.
        var own = before.Where(r => r.Table == "statements" && IsActor(JsonNode.Parse(r.Columns["body"])!["actor"], t)).ToList();
        own.Should().HaveCountGreaterThan(4);
        var erasedIds = own.Select(r => r.Columns["id"]).ToHashSet();
        var erasedSeqs = own.Select(r => r.Columns["seq"]).ToHashSet();
        var since = (await t.Owner.GetAsync("/xapi/statements?limit=1")).Header("X-Experience-API-Consistent-Through")!;

        var answer = await EraseAsync(t, "erase");

        var hash = answer["tombstone"]!.GetValue<string>();
        answer["mode"]!.GetValue<string>().Should().Be("erase");
        var counts = answer["counts"]!;
        counts["statementsRemoved"]!.GetValue<int>().Should().Be(own.Count);
        counts["statementsRewritten"]!.GetValue<int>().Should().BeGreaterThanOrEqualTo(2);
        counts["documents"]!.GetValue<int>().Should().Be(2);
        counts["credentials"]!.GetValue<int>().Should().Be(1);
        counts["personRows"]!.GetValue<int>().Should().BeGreaterThanOrEqualTo(3);

        var after = await StoreRows.AllAsync(lrs);
        foreach (var identifier in identifiers)
            after.Where(r => r.Mentions(identifier)).Should().BeEmpty($"no column of any table holds '{identifier}' after the erasure");
        after.Should().NotContain(r => erasedIds.Any(r.Mentions), "the person's statements are gone, and every row that named them");

        // The tenant counts its erasures, and nothing else of it changes.
        static string WithoutErasures(StoreRow r) => string.Join(" | ", r.Columns.Where(c => c.Key != "erasures").Select(c => $"{c.Key}={c.Value}"));
        after.Where(r => r.Table == "tenants").Select(WithoutErasures).Should().Equal(before.Where(r => r.Table == "tenants").Select(WithoutErasures));
        after.Where(r => r.Table == "tenants").Select(r => r.Columns["erasures"])
            .Should().Equal(before.Where(r => r.Table == "tenants").Select(r => r.Columns["name"] == t.Tenant ? $"{long.Parse(r.Columns["erasures"]) + 1}" : r.Columns["erasures"]));

        bool Others(StoreRow r) => r.Table is not ("privacy_keys" or "schema_migrations" or "tenants")
            && !identifiers.Any(r.Mentions) && !r.Mentions(hash) && !erasedIds.Any(r.Mentions)
            && !(r.Table is "statements" or "statement_index" && (erasedSeqs.Contains(r.Columns["seq"]) || (r.Columns.TryGetValue("src", out var src) && erasedSeqs.Contains(src))));
        var othersBefore = before.Where(Others).Select(r => r.ToString()).ToList();
        var othersAfter = after.Where(Others).Select(r => r.ToString()).ToList();
        othersAfter.Except(othersBefore).Should().BeEmpty("no row of anyone else changed or appeared");
        othersBefore.Except(othersAfter).Should().BeEmpty("no row of anyone else disappeared");
        (await ProfileAsync(t, t.B.Person)).Should().Be(profileOfB, "B's competence evidence is untouched");

        // Other people's statements stay, with the pseudonym where A was, and show up again to a consumer polling with since.
        var (_, kept) = await t.Owner.GetJsonAsync($"/xapi/statements?statementId={instructed}");
        kept!["context"]!["instructor"]!["account"]!["homePage"]!.GetValue<string>().Should().StartWith(Pseudonyms);
        kept["context"]!["instructor"]!["account"]!["name"]!.GetValue<string>().Should().Be(hash);
        var polled = await t.Owner.GetAllAsync($"/xapi/statements?since={Uri.EscapeDataString(since)}&related_agents=true&agent={AgentParameter(t.B.Agent)}");
        polled.Select(s => s["id"]!.GetValue<string>()).Should().Contain([instructed, group]);
        (await t.Owner.GetAsync($"/xapi/statements?statementId={t.A.StatementId}")).StatusCode.Should().Be(HttpStatusCode.NotFound);

        (await t.Owner.GetAsync($"/api/people/{t.A.Person}")).StatusCode.Should().Be(HttpStatusCode.NotFound);
        var audit = (await t.Owner.GetFromJsonAsync<JsonNode>("/api/admin/audit?limit=5"))!["entries"]!.AsArray();
        var tombstone = audit.Single(e => e!["action"]!.GetValue<string>() == "person.erase")!;
        tombstone["target"]!.GetValue<string>().Should().Be("person:" + hash);
        tombstone["detail"]!.GetValue<string>().Should().Contain($"statementsRemoved={own.Count}");
        (await t.Owner.PostAsync($"/api/people/{t.A.Person}/erasure", Json(new JsonObject { ["mode"] = "erase" }))).StatusCode.Should().Be(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task A_name_given_again_after_erasure_is_recorded_again()
    {
        var t = await TwoEmployers.CreateAsync(lrs);
        var named = (JsonObject)t.A.Mbox.DeepClone();
        named["name"] = $"Astrid A {t.Marker}";
        await t.Owner.PostAsync(Statement(named, activity: NewActivityId()));
        (await t.Owner.AgentNamesAsync(t.A.Mbox)).Should().Contain(named["name"]!.GetValue<string>());

        await EraseAsync(t, "erase");
        (await t.Owner.AgentNamesAsync(t.A.Mbox)).Should().BeEmpty();

        // The person trains again under the same address and name: what the LRS knows of them starts afresh.
        await t.Owner.PostAsync(Statement(named, activity: NewActivityId()));
        (await t.Owner.AgentNamesAsync(t.A.Mbox)).Should().Equal(named["name"]!.GetValue<string>());
    }

    [Fact]
    public async Task Erase_removes_the_attachments_only_the_persons_statements_listed_and_keeps_one_another_persons_statement_shares()
    {
        var t = await CreateAsync(lrs);
        async Task PostMultipartAsync(JsonObject statement, Part part)
        {
            var response = await t.Owner.PostAsync("/xapi/statements", Multipart.Content(statement, part));
            await ShouldBe(response, HttpStatusCode.OK);
        }
        // A's own: an attachment listed by its hash in capitals (stored under the lower-case one), and a signed statement.
        var own = Part.For(Encoding.UTF8.GetBytes($"Intyg A {t.Marker}"));
        var listedInCapitals = Statement(t.A.Agent, activity: NewActivityId()).With(own);
        listedInCapitals["attachments"]![0]!["sha2"] = own.Hash!.ToUpperInvariant();
        await PostMultipartAsync(listedInCapitals, own);
        using var key = RSA.Create(2048);
        var payload = Statement(t.A.Mbox, activity: NewActivityId());
        var (signed, signature) = Multipart.Signed(payload, Multipart.Sign(payload, key));
        await PostMultipartAsync(signed, signature);
        // One attachment listed by a statement of A and by one of B: the same data, stored once.
        var shared = Part.For(Encoding.UTF8.GetBytes($"Kursplan {t.Marker}"));
        await PostMultipartAsync(Statement(t.A.Agent, activity: NewActivityId()).With(shared), shared);
        var ofB = Statement(t.B.Agent, activity: NewActivityId(), id: Guid.NewGuid().ToString()).With(shared);
        ofB["attachments"]![0]!["sha2"] = shared.Hash!.ToUpperInvariant();
        await PostMultipartAsync(ofB, shared);

        async Task<List<string>> StoredAsync() =>
            [.. (await StoreRows.AllAsync(lrs)).Where(r => r.Table == "attachments").Select(r => r.Columns["sha2"]).Where(h => h == own.Hash || h == signature.Hash || h == shared.Hash)];
        (await StoredAsync()).Should().BeEquivalentTo([own.Hash, signature.Hash, shared.Hash], "the check is real: all three are stored before");

        var answer = await EraseAsync(t, "erase");

        answer["counts"]!["attachments"]!.GetValue<int>().Should().Be(2);
        (await StoredAsync()).Should().Equal([shared.Hash], "only the attachment another person's statement lists is left");
        var (_, parts) = await Multipart.ReadAsync(await t.Owner.GetAsync($"/xapi/statements?statementId={ofB["id"]}&attachments=true"));
        parts.Should().ContainSingle(p => string.Equals(p.Key, shared.Hash, StringComparison.OrdinalIgnoreCase))
            .Which.Value.Data.Should().Equal(shared.Data, "B's statement still comes with its attachment");
    }

    [Fact]
    public async Task Pseudonymise_keeps_every_count_and_figure_of_the_unit_and_leaves_no_identifier_of_the_person()
    {
        var t = await CreateAsync(lrs);
        await SharedAsync(t);
        var identifiers = Identifiers(t);
        JsonNode Figures(JsonNode gaps) => new JsonObject { ["members"] = gaps["members"]!.DeepClone(), ["coverage"] = gaps["coverage"]!.DeepClone() };
        var gapsBefore = Figures((await t.Owner.GetFromJsonAsync<JsonNode>($"/api/units/{t.A.Unit}/gaps"))!).ToJsonString();
        var followUpBefore = await t.Owner.GetStringAsync($"/api/units/{t.A.Unit}/reflection-follow-up");
        var statementsBefore = (await t.Owner.GetAllAsync("/xapi/statements?limit=500")).Count;
        var statusBefore = await t.StatusAsync(t.A.Person);

        var answer = await EraseAsync(t, "pseudonymise");
        var hash = answer["tombstone"]!.GetValue<string>();
        answer["counts"]!["statementsRemoved"]!.GetValue<int>().Should().Be(0);
        answer["counts"]!["statementsRewritten"]!.GetValue<int>().Should().BeGreaterThan(4);

        Figures((await t.Owner.GetFromJsonAsync<JsonNode>($"/api/units/{t.A.Unit}/gaps"))!).ToJsonString().Should().Be(gapsBefore);
        (await t.Owner.GetStringAsync($"/api/units/{t.A.Unit}/reflection-follow-up")).Should().Be(followUpBefore);
        (await t.Owner.GetAllAsync("/xapi/statements?limit=500")).Should().HaveCount(statementsBefore);
        var pseudonymous = "pseudonym-" + hash;
        (await t.StatusAsync(pseudonymous)).Should().Be(statusBefore, "the person's evidence counts under the pseudonym");
        var person = (await t.Owner.GetFromJsonAsync<JsonNode>($"/api/people/{pseudonymous}"))!;
        person["name"].Should().BeNull();
        person["agents"]!.AsArray().Single()!["account"]!["name"]!.GetValue<string>().Should().Be(hash);
        var underPseudonym = await t.Owner.GetAllAsync($"/xapi/statements?agent={Q(person["agents"]![0]!)}&limit=500");
        underPseudonym.Should().NotBeEmpty("the person's statements are found by the pseudonym they now name")
            .And.OnlyContain(s => s.ToJsonString().Contains(hash, StringComparison.Ordinal));

        var after = await StoreRows.AllAsync(lrs);
        foreach (var identifier in identifiers)
            after.Where(r => r.Mentions(identifier)).Should().BeEmpty($"no column of any table holds '{identifier}' after pseudonymisation");
        (await t.Owner.GetAllAsync($"/xapi/statements?agent={Q(new JsonObject { ["account"] = new JsonObject { ["homePage"] = Pseudonyms + "x", ["name"] = hash } })}"))
            .Should().BeEmpty("the pseudonym's homePage is the tenant's own");
    }

    [Fact]
    public async Task Under_a_refusing_policy_erasure_is_409_quoting_the_policy_and_under_pseudonymise_only_pseudonymisation_is_allowed()
    {
        var t = await CreateAsync(lrs);
        (await t.Owner.PutAsync("/api/admin/privacy", Json(new JsonObject { ["erasure"] = "refuse", ["retention"] = new JsonObject { ["statements"] = "P10Y" } }))).EnsureSuccessStatusCode();
        var policy = (await t.Owner.GetFromJsonAsync<JsonNode>("/api/admin/privacy"))!;
        policy["erasure"]!.GetValue<string>().Should().Be("refuse");
        policy["retention"]!["statements"]!.GetValue<string>().Should().Be("P10Y");
        var before = (await StoreRows.AllAsync(lrs)).Select(r => r.ToString()).ToList();

        foreach (var mode in new[] { "erase", "pseudonymise" })
        {
            var refused = await t.Owner.PostAsync($"/api/people/{t.A.Person}/erasure", Json(new JsonObject { ["mode"] = mode }));
            await ShouldBe(refused, HttpStatusCode.Conflict);
            var problem = (await refused.Content.ReadFromJsonAsync<JsonNode>())!;
            problem["detail"]!.GetValue<string>().Should().Contain("\"erasure\": \"refuse\"");
            problem["policy"]!["erasure"]!.GetValue<string>().Should().Be("refuse");
        }
        (await StoreRows.AllAsync(lrs)).Select(r => r.ToString()).Should().BeEquivalentTo(before, "a refused erasure changes nothing");

        (await t.Owner.PutAsync("/api/admin/privacy", Json(new JsonObject { ["erasure"] = "pseudonymise" }))).EnsureSuccessStatusCode();
        await ShouldBe(await t.Owner.PostAsync($"/api/people/{t.A.Person}/erasure", Json(new JsonObject { ["mode"] = "erase" })), HttpStatusCode.Conflict);
        (await EraseAsync(t, "pseudonymise"))["mode"]!.GetValue<string>().Should().Be("pseudonymise");
    }

    [Fact]
    public async Task A_policy_with_a_bad_value_or_an_unknown_property_is_400_and_changes_nothing()
    {
        var t = await CreateAsync(lrs);
        JsonObject Policy(string erasure, string? statements = "P10Y") => new()
        {
            ["erasure"] = erasure, ["retention"] = new JsonObject { ["statements"] = statements, ["reflectionAnswers"] = "P2Y", ["audit"] = "P10Y" },
        };
        (await t.Owner.PutAsync("/api/admin/privacy", Json(Policy("pseudonymise")))).EnsureSuccessStatusCode();
        var stored = await t.Owner.GetStringAsync("/api/admin/privacy");
        foreach (var bad in new JsonNode[]
        {
            Policy("sometimes"), Policy("erase", "10 years"), Policy("erase", "PT10M"), Policy("erase", "P"), Policy("erase", "-P1Y"),
            new JsonObject { ["erasure"] = "erase", ["retention"] = new JsonObject { ["statement"] = "P1Y" } },
            new JsonObject { ["erasure"] = "erase", ["keep"] = true }, new JsonArray(), new JsonObject(),
        })
        {
            var response = await t.Owner.PutAsync("/api/admin/privacy", Json(bad));
            await ShouldBe(response, HttpStatusCode.BadRequest, bad.ToJsonString());
        }
        (await t.Owner.GetStringAsync("/api/admin/privacy")).Should().Be(stored);

        var restricted = await t.ClientAsync(AllScopes, t.B.Organisation);
        await ShouldBe(await restricted.PutAsync("/api/admin/privacy", Json(Policy("erase"))), HttpStatusCode.Forbidden);
        await ShouldBe(await t.Owner.PostAsync($"/api/people/{t.A.Person}/erasure", Json(new JsonObject { ["mode"] = "forget" })), HttpStatusCode.BadRequest);
        await ShouldBe(await t.Owner.PostAsync($"/api/people/{t.A.Person}/erasure", Json(new JsonObject { ["mode"] = "erase", ["reason"] = "x" })), HttpStatusCode.BadRequest);
        var peopleWriter = await t.ClientAsync("people:write");
        await ShouldBe(await peopleWriter.GetAsync("/api/admin/privacy"), HttpStatusCode.Forbidden, "the policy is for admins");
    }

    [Fact]
    public async Task A_credential_restricted_to_another_employer_or_of_another_tenant_gets_404_and_nothing_changes()
    {
        var t = await CreateAsync(lrs);
        var before = (await StoreRows.AllAsync(lrs)).Select(r => r.ToString()).ToList();
        var restricted = await t.ClientAsync(AllScopes, t.B.Organisation);
        var bound = await t.ClientAsync(AllScopes, actor: t.B.Agent);
        var stranger = await lrs.ClientWithScopesAsync(AllScopes, "2.0.0", "other-" + t.Marker);
        foreach (var client in new[] { restricted, bound, stranger })
            foreach (var mode in new[] { "erase", "pseudonymise" })
            {
                var response = await client.PostAsync($"/api/people/{t.A.Person}/erasure", Json(new JsonObject { ["mode"] = mode }));
                await ShouldBe(response, HttpStatusCode.NotFound);
                var body = await response.Content.ReadAsStringAsync();
                foreach (var marker in t.MarkersOfA) body.Should().NotContain(marker);
            }
        (await StoreRows.AllAsync(lrs)).Select(r => r.ToString()).Where(r => !r.StartsWith("tenants ", StringComparison.Ordinal) && !r.StartsWith("credentials ", StringComparison.Ordinal))
            .Should().BeEquivalentTo(before.Where(r => !r.StartsWith("tenants ", StringComparison.Ordinal) && !r.StartsWith("credentials ", StringComparison.Ordinal)));
        await ShouldBe(await (await t.ClientAsync("profiles:read")).PostAsync($"/api/people/{t.A.Person}/erasure", Json(new JsonObject { ["mode"] = "erase" })), HttpStatusCode.Forbidden);
    }
}

public sealed class PrivacyTestsOnSqlite(SqliteLrs lrs) : PrivacyTests(lrs), IClassFixture<SqliteLrs>;
public sealed class PrivacyTestsOnPostgres(PostgresLrs lrs) : PrivacyTests(lrs), IClassFixture<PostgresLrs>;
