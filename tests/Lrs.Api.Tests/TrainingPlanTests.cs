using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Lrs.Api.Tests.Infrastructure;
using static Lrs.Api.Tests.Infrastructure.PlanningTenant;
using static Lrs.Api.Tests.Infrastructure.Xapi;

namespace Lrs.Api.Tests;

/// <summary>Individual training plans over HTTP: progress live from statements and voiding, overdue items, drafts, a unit's summary, restrictions.</summary>
public abstract class TrainingPlanTests(LrsFixture lrs)
{
    private const string Article = "https://learning.solna.example/articles/demens-bemotande";
    private const string Read = "http://activitystrea.ms/schema/1.0/read";

    private static string Day(int daysFromNow) => DateTime.UtcNow.AddDays(daysFromNow).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static JsonObject Item(string id, string competence, string kind, string dueOn, params string[] activities) => new()
    {
        ["id"] = id, ["competence"] = competence, ["purpose"] = "gain",
        ["way"] = new JsonObject { ["kind"] = kind, ["activities"] = new JsonArray([.. activities.Select(a => (JsonNode)a)]) },
        ["dueOn"] = dueOn, ["agreedBy"] = "Enhetschef Eva Lind", ["agreedOn"] = Day(-30),
    };

    private static JsonObject Plan(params JsonObject[] items) => new() { ["items"] = new JsonArray([.. items]) };

    private static async Task<JsonNode> GetPlanAsync(PlanningTenant t, string person)
    {
        var response = await t.Client.GetAsync($"/api/people/{person}/training-plan");
        var text = await response.Content.ReadAsStringAsync();
        response.StatusCode.Should().Be(HttpStatusCode.OK, text);
        return JsonNode.Parse(text)!;
    }

    private static string Status(JsonNode plan, string item) => plan["items"]!.AsArray().Single(i => i!["id"]!.GetValue<string>() == item)!["status"]!.GetValue<string>();

    [Fact]
    public async Task Progress_follows_evidence_completions_of_planned_activities_and_voiding()
    {
        var t = await CreateAsync(lrs);
        var agent = NewAgent();
        await t.AddPersonAsync("p1", "underskoterska", agent);
        var put = await t.Client.PutAsync("/api/people/p1/training-plan",
            Json(Plan(Item("i1", "forflyttning", "e-learning", Day(60), TransferCourse), Item("i2", "demens-abc", "reading", Day(-1), Article))));
        put.StatusCode.Should().Be(HttpStatusCode.OK, await put.Content.ReadAsStringAsync());
        var plan = await GetPlanAsync(t, "p1");
        (Status(plan, "i1"), Status(plan, "i2")).Should().Be(("open", "overdue"));
        plan["summary"]!["onTrack"]!.GetValue<bool>().Should().BeFalse();

        await t.Client.PostAsync(At(Statement(agent, Completed, TransferCourse), DateTimeOffset.UtcNow.AddMinutes(-5)));
        var read = (await t.Client.PostAsync(At(Statement(agent, Read, Article), DateTimeOffset.UtcNow.AddMinutes(-1))))[0];
        plan = await GetPlanAsync(t, "p1");
        var i1 = plan["items"]![0]!;
        (i1["status"]!.GetValue<string>(), i1["doneBy"]!.GetValue<string>()).Should().Be(("done", "evidence"));
        var i2 = plan["items"]![1]!;
        (i2["status"]!.GetValue<string>(), i2["doneBy"]!.GetValue<string>(), i2["statementId"]!.GetValue<string>()).Should().Be(("done", "activity", read));
        plan["summary"]!["done"]!.GetValue<int>().Should().Be(2);
        plan["summary"]!["onTrack"]!.GetValue<bool>().Should().BeTrue();

        await t.Client.PostAsync(Voiding(read, agent));
        Status(await GetPlanAsync(t, "p1"), "i2").Should().Be("overdue", "voiding the reading undoes the item");
    }

    [Fact]
    public async Task A_completion_from_before_the_item_was_agreed_does_not_complete_it()
    {
        var t = await CreateAsync(lrs);
        var agent = NewAgent();
        await t.AddPersonAsync("p1", "underskoterska", agent);
        await t.Client.PostAsync(At(Statement(agent, Read, Article), DateTimeOffset.UtcNow.AddDays(-40)));
        (await t.Client.PutAsync("/api/people/p1/training-plan", Json(Plan(Item("i1", "demens-abc", "reading", Day(10), Article))))).EnsureSuccessStatusCode();
        Status(await GetPlanAsync(t, "p1"), "i1").Should().Be("open");
    }

    [Fact]
    public async Task A_completion_is_found_behind_more_newer_statements_on_other_activities_than_the_read_returns()
    {
        var t = await CreateAsync(lrs);
        var agent = NewAgent();
        await t.AddPersonAsync("p1", "underskoterska", agent);
        (await t.Client.PutAsync("/api/people/p1/training-plan", Json(Plan(Item("i1", "demens-abc", "reading", Day(10), Article))))).EnsureSuccessStatusCode();
        var read = (await t.Client.PostAsync(At(Statement(agent, Read, Article), DateTimeOffset.UtcNow.AddMinutes(-30))))[0];
        // The read asks for 100 statements per agent key (two here) and planned activity: only the planned activity's may count towards them.
        await t.Client.PostAsync([.. Enumerable.Range(0, 250).Select(i => (JsonNode)At(Statement(agent, Read, $"https://learning.solna.example/articles/other-{i}"),
            DateTimeOffset.UtcNow.AddMinutes(-20).AddSeconds(i)))]);
        var item = (await GetPlanAsync(t, "p1"))["items"]![0]!;
        (item["status"]!.GetValue<string>(), item["statementId"]!.GetValue<string>()).Should().Be(("done", read));
    }

    [Fact]
    public async Task A_units_summary_counts_plans_on_track_and_lists_overdue_items()
    {
        var t = await CreateAsync(lrs);
        foreach (var p in new[] { "p1", "p2", "p3" }) await t.AddPersonAsync(p, "underskoterska", NewAgent());
        await t.AddPersonAsync("x1", "underskoterska", NewAgent(), unit: OtherUnit);
        (await t.Client.PutAsync("/api/people/p1/training-plan", Json(Plan(Item("i1", "forflyttning", "on-site", Day(30)))))).EnsureSuccessStatusCode();
        (await t.Client.PutAsync("/api/people/p2/training-plan", Json(Plan(Item("i1", "hlr", "practical", Day(-3)))))).EnsureSuccessStatusCode();
        (await t.Client.PutAsync("/api/people/x1/training-plan", Json(Plan(Item("i1", "hlr", "practical", Day(-3)))))).EnsureSuccessStatusCode();

        var summary = await t.Client.GetFromJsonAsync<JsonNode>($"/api/units/{Unit}/training-plans");
        summary!["members"]!.GetValue<int>().Should().Be(3);
        summary["withPlan"]!.GetValue<int>().Should().Be(2);
        summary["onTrack"]!.GetValue<int>().Should().Be(1);
        summary["people"]!.AsArray().Select(p => (p!["personId"]!.GetValue<string>(), p["hasPlan"]!.GetValue<bool>())).Should().Equal(("p1", true), ("p2", true), ("p3", false));
        var overdue = summary["overdue"]!.AsArray().Should().ContainSingle().Subject!;
        (overdue["personId"]!.GetValue<string>(), overdue["competence"]!.GetValue<string>(), overdue["dueOn"]!.GetValue<string>()).Should().Be(("p2", "hlr", Day(-3)));
    }

    [Fact]
    public async Task A_units_summary_credits_each_member_with_their_own_completions_of_their_own_planned_activities()
    {
        const string OtherArticle = "https://learning.solna.example/articles/demens-miljo";
        var t = await CreateAsync(lrs);
        var agents = new Dictionary<string, JsonObject>();
        foreach (var p in new[] { "p1", "p2", "p3" }) await t.AddPersonAsync(p, "underskoterska", agents[p] = NewAgent());
        (await t.Client.PutAsync("/api/people/p1/training-plan", Json(Plan(Item("i1", "demens-abc", "reading", Day(-2), Article))))).EnsureSuccessStatusCode();
        (await t.Client.PutAsync("/api/people/p2/training-plan", Json(Plan(Item("i1", "demens-abc", "reading", Day(-2), Article))))).EnsureSuccessStatusCode();
        (await t.Client.PutAsync("/api/people/p3/training-plan", Json(Plan(Item("i1", "demens-abc", "reading", Day(-2), OtherArticle))))).EnsureSuccessStatusCode();
        // p1 reads the planned article; p3 reads it too, but p3's plan names the other one; p2 reads nothing.
        var read = (await t.Client.PostAsync(At(Statement(agents["p1"], Read, Article), DateTimeOffset.UtcNow.AddMinutes(-3))))[0];
        await t.Client.PostAsync(At(Statement(agents["p3"], Read, Article), DateTimeOffset.UtcNow.AddMinutes(-2)));

        var summary = await t.Client.GetFromJsonAsync<JsonNode>($"/api/units/{Unit}/training-plans");
        summary!["onTrack"]!.GetValue<int>().Should().Be(1);
        summary["people"]!.AsArray().Select(p => (p!["personId"]!.GetValue<string>(), p["summary"]!["done"]!.GetValue<int>()))
            .Should().Equal(("p1", 1), ("p2", 0), ("p3", 0));
        summary["overdue"]!.AsArray().Select(o => o!["personId"]!.GetValue<string>()).Should().Equal("p2", "p3");
        var item = (await GetPlanAsync(t, "p1"))["items"]![0]!;
        (item["status"]!.GetValue<string>(), item["statementId"]!.GetValue<string>()).Should().Be(("done", read));
        Status(await GetPlanAsync(t, "p3"), "i1").Should().Be("overdue");
    }

    [Fact]
    public async Task A_draft_proposes_the_lacking_competences_first_those_of_the_unit_plan_with_its_date_and_is_stored_only_when_agreed()
    {
        var t = await CreateAsync(lrs);
        await t.AddPersonAsync("p1", "underskoterska", NewAgent());
        var goal = new JsonObject { ["id"] = "g1", ["kind"] = "share-valid", ["competence"] = "hlr", ["role"] = "underskoterska", ["target"] = 0.9, ["by"] = Day(200) };
        (await t.Client.PutAsync($"/api/units/{Unit}/plans/p2027", Json(new JsonObject
        {
            ["vision"] = "Alla kan hjärt-lungräddning.", ["goal"] = "HLR för alla.", ["startsOn"] = Day(-10), ["measurableGoals"] = new JsonArray(goal),
        }))).EnsureSuccessStatusCode();

        var response = await t.Client.PostAsync("/api/people/p1/training-plan/draft?plan=p2027", null);
        var text = await response.Content.ReadAsStringAsync();
        response.StatusCode.Should().Be(HttpStatusCode.OK, text);
        var items = JsonNode.Parse(text)!["items"]!.AsArray();
        items.Select(i => i!["competence"]!.GetValue<string>()).Should().Equal("hlr", "forflyttning", "demens-abc");
        items[0]!["dueOn"]!.GetValue<string>().Should().Be(Day(200));
        items[0]!["way"]!["kind"]!.GetValue<string>().Should().Be("practical", "the framework's rule for hlr needs a sign-off");
        items[1]!["way"]!["activities"]!.AsArray().Select(a => a!.GetValue<string>()).Should().Equal(TransferCourse);
        items[0]!["agreedBy"].Should().BeNull();
        (await t.Client.GetAsync("/api/people/p1/training-plan")).StatusCode.Should().Be(HttpStatusCode.NotFound, "a draft stores nothing");

        var draft = new JsonObject { ["items"] = items.DeepClone() };
        (await t.Client.PutAsync("/api/people/p1/training-plan", Json(draft))).StatusCode.Should().Be(HttpStatusCode.BadRequest, "no one has agreed it yet");
        foreach (var item in draft["items"]!.AsArray()) item!["agreedBy"] = "Enhetschef Eva Lind";
        (await t.Client.PutAsync("/api/people/p1/training-plan", Json(draft))).StatusCode.Should().Be(HttpStatusCode.OK);
        (await t.Client.PostAsync("/api/people/p1/training-plan/draft?plan=nope", null)).StatusCode.Should().Be(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task A_bad_training_plan_is_400_and_nothing_is_stored()
    {
        var t = await CreateAsync(lrs);
        await t.AddPersonAsync("p1", "underskoterska", NewAgent());
        var unknown = Plan(Item("i1", "hlr", "practical", Day(3)));
        unknown["items"]![0]!["comment"] = "Anna är osäker";
        var badKind = Plan(Item("i1", "hlr", "osmosis", Day(3)));
        var noActivities = Plan(Item("i1", "demens-abc", "e-learning", Day(3)));
        var badIri = Plan(Item("i1", "demens-abc", "reading", Day(3), "not an iri"));
        var duplicate = Plan(Item("i1", "hlr", "practical", Day(3)), Item("i1", "hlr", "practical", Day(3)));
        var badDate = Plan(Item("i1", "hlr", "practical", "tomorrow"));
        foreach (var body in new[] { unknown, badKind, noActivities, badIri, duplicate, badDate, Plan(Item("i1", "no-such", "practical", Day(3))) })
            (await t.Client.PutAsync("/api/people/p1/training-plan", Json(body))).StatusCode.Should().Be(HttpStatusCode.BadRequest, body.ToJsonString());
        (await t.Client.GetAsync("/api/people/p1/training-plan")).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await t.Client.PostAsync("/api/people/p1/training-plan/draft?horizon=soon", null)).StatusCode.Should().Be(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Another_employers_credential_reaches_no_training_plan_of_this_employer()
    {
        var t = await CreateAsync(lrs);
        await t.AddPersonAsync("p1", "underskoterska", NewAgent());
        (await t.Client.PutAsync("/api/people/p1/training-plan", Json(Plan(Item("i1", "hlr", "practical", Day(3)))))).EnsureSuccessStatusCode();
        var other = await t.RestrictedClientAsync(OtherOrganisation);
        (await other.GetAsync("/api/people/p1/training-plan")).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await other.PostAsync("/api/people/p1/training-plan/draft", null)).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await other.GetAsync($"/api/units/{Unit}/training-plans")).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await other.PutAsync("/api/people/p1/training-plan", Json(Plan(Item("x", "hlr", "practical", Day(9)))))).StatusCode.Should().Be(HttpStatusCode.NotFound);
        var own = await GetPlanAsync(t, "p1");
        (own["version"]!.GetValue<long>(), own["items"]![0]!["id"]!.GetValue<string>()).Should().Be((1L, "i1"));
    }

    [Fact]
    public async Task A_credential_bound_to_a_person_reads_that_persons_plan_only_and_writes_none()
    {
        var t = await CreateAsync(lrs);
        var (a1, a2) = (NewAgent(), NewAgent());
        await t.AddPersonAsync("p1", "underskoterska", a1);
        await t.AddPersonAsync("p2", "underskoterska", a2);
        foreach (var p in new[] { "p1", "p2" })
            (await t.Client.PutAsync($"/api/people/{p}/training-plan", Json(Plan(Item("i1", "hlr", "practical", Day(3)))))).EnsureSuccessStatusCode();
        var bound = await lrs.ClientWithScopesAsync("all people:write profiles:read", "2.0.0", t.Name,
            new Lrs.Core.Storage.CredentialRestrictions(null, a1.ToJsonString(), null));
        (await bound.GetAsync("/api/people/p1/training-plan")).StatusCode.Should().Be(HttpStatusCode.OK);
        (await bound.GetAsync("/api/people/p2/training-plan")).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await bound.PostAsync("/api/people/p2/training-plan/draft", null)).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await bound.PutAsync("/api/people/p1/training-plan", Json(Plan(Item("i9", "hlr", "practical", Day(3)))))).StatusCode.Should().Be(HttpStatusCode.Forbidden);
        (await GetPlanAsync(t, "p1"))["version"]!.GetValue<long>().Should().Be(1);
    }
}

public sealed class TrainingPlanTestsOnSqlite(SqliteLrs lrs) : TrainingPlanTests(lrs), IClassFixture<SqliteLrs>;

public sealed class TrainingPlanTestsOnPostgres(PostgresLrs lrs) : TrainingPlanTests(lrs), IClassFixture<PostgresLrs>;
