using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Lrs.Api.Tests.Infrastructure;
using static Lrs.Api.Tests.Infrastructure.PlanningTenant;
using static Lrs.Api.Tests.Infrastructure.Xapi;

namespace Lrs.Api.Tests;

/// <summary>
/// Competence planning over HTTP: a unit's needs ranked with their reasons, deviation reports as xAPI statements, unit plans
/// with measurable goals followed month by month from the profiles as of each month's end.
/// </summary>
public abstract class PlanningTests(LrsFixture lrs)
{
    private static readonly TimeZoneInfo Stockholm = TimeZoneInfo.FindSystemTimeZoneById("Europe/Stockholm");

    // The first day of the month <paramref name="monthsAgo"/> before this one, in Stockholm.
    private static DateTime MonthStart(int monthsAgo)
    {
        var local = TimeZoneInfo.ConvertTime(DateTimeOffset.UtcNow, Stockholm);
        return new DateTime(local.Year, local.Month, 1).AddMonths(-monthsAgo);
    }

    // Noon UTC on a day of a past month: far from any month's end in any zone.
    private static DateTimeOffset Day(int monthsAgo, int day) => new(MonthStart(monthsAgo).AddDays(day - 1).AddHours(12), TimeSpan.Zero);

    private static string Month(int monthsAgo) => MonthStart(monthsAgo).ToString("yyyy-MM", CultureInfo.InvariantCulture);

    private static JsonObject Deviation(string date, params string[] competences) => new()
    {
        ["date"] = date, ["category"] = "fall-during-transfer", ["reference"] = "AVV-2026-0113",
        ["competences"] = new JsonArray([.. competences.Select(c => (JsonNode)c)]),
    };

    private static JsonObject Plan(string startsOn, params JsonObject[] goals) => new()
    {
        ["vision"] = "Trygga förflyttningar för varje boende.",
        ["goal"] = "Alla undersköterskor behärskar förflyttningsteknik.",
        ["startsOn"] = startsOn,
        ["endsOn"] = DateTime.UtcNow.AddYears(1).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        ["measurableGoals"] = new JsonArray([.. goals]),
        ["analysis"] = new JsonArray
        {
            new JsonObject
            {
                ["problem"] = "Fallolyckor vid förflyttning.", ["causes"] = new JsonArray("Ny personal utan utbildning"),
                ["actions"] = new JsonArray("r1"),
            },
        },
        ["activities"] = new JsonArray
        {
            new JsonObject
            {
                ["id"] = "r1", ["aspect"] = "competence", ["responsible"] = "Enhetschef", ["activity"] = "Förflyttningskurs på Metodikum, två dagar",
                ["deadline"] = DateTime.UtcNow.AddMonths(6).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), ["costSek"] = 24000, ["hours"] = 16, ["status"] = "ongoing",
            },
        },
    };

    private static JsonObject ShareGoal(string competence = "forflyttning") => new()
    {
        ["id"] = "g1", ["kind"] = "share-valid", ["competence"] = competence, ["role"] = "underskoterska", ["target"] = 0.95,
        ["by"] = DateTime.UtcNow.AddYears(1).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
    };

    private static JsonObject Goal(string id, string kind, string competence) => new() { ["id"] = id, ["kind"] = kind, ["competence"] = competence };

    private static string Today => DateTime.UtcNow.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    [Fact]
    public async Task Needs_rank_missing_expiring_and_prerequisite_gaps_overdue_reflections_and_deviations_each_with_its_reason()
    {
        var t = await CreateAsync(lrs);
        var (a1, a2, a3) = (NewAgent(), NewAgent(), NewAgent());
        await t.AddPersonAsync("p1", "underskoterska", a1);
        await t.AddPersonAsync("p2", "underskoterska", a2);
        await t.AddPersonAsync("p3", "underskoterska", a3, duties: ["delegated-tasks"]);
        await t.AddPersonAsync("x1", "underskoterska", NewAgent(), unit: OtherUnit);
        // p2's transfer technique expires in two months; its reflection task has been due for long.
        await t.Client.PostAsync(At(Statement(a2, Completed, TransferCourse), DateTimeOffset.UtcNow.AddYears(-2).AddMonths(2)));
        // p3 holds insulin delegation without the medication delegation it needs.
        await t.Client.PostAsync(At(Statement(a3, Completed, "https://learning.solna.example/courses/deleg-insulin"), DateTimeOffset.UtcNow.AddDays(-3)));
        (await t.Client.PostAsync($"/api/units/{Unit}/deviations", Json(Deviation(Today, "forflyttning")))).StatusCode.Should().Be(HttpStatusCode.Created);

        var response = await t.Client.GetAsync($"/api/units/{Unit}/needs?horizon=P6M");
        var text = await response.Content.ReadAsStringAsync();
        response.StatusCode.Should().Be(HttpStatusCode.OK, text);
        var needs = JsonNode.Parse(text)!;
        needs["members"]!.GetValue<int>().Should().Be(3);
        var items = needs["needs"]!.AsArray().Select(n => n!).ToList();
        items.Select(n => n["score"]!.GetValue<int>()).Should().BeInDescendingOrder();
        items.Select(n => n["rank"]!.GetValue<int>()).Should().Equal(Enumerable.Range(1, items.Count));
        items.Should().OnlyContain(n => n["reason"]!.GetValue<string>().Length > 10);
        text.Should().NotContain("x1", "a member of another unit is not among this unit's needs");

        JsonNode Item(string kind, string competence) => items.Single(n => n["kind"]!.GetValue<string>() == kind && n["competence"]!.GetValue<string>() == competence);
        string[] People(JsonNode n) => [.. n["people"]!.AsArray().Select(p => p!.GetValue<string>())];

        var hlr = Item("missing", "hlr");
        People(hlr).Should().Equal("p1", "p2", "p3");
        hlr["score"]!.GetValue<int>().Should().Be(9);
        hlr["role"]!.GetValue<string>().Should().Be("underskoterska");
        hlr["of"]!.GetValue<int>().Should().Be(3);
        hlr["reason"]!.GetValue<string>().Should().Contain("3 of 3 underskoterska lack hlr");

        var transfer = Item("missing", "forflyttning");
        People(transfer).Should().Equal("p1", "p3");
        transfer["score"]!.GetValue<int>().Should().Be(2 * 3 + 1, "two people lack it, and one deviation report points at it");
        transfer["reason"]!.GetValue<string>().Should().Contain("1 deviation report");

        var expiring = Item("expiring", "forflyttning");
        People(expiring).Should().Equal("p2");
        expiring["reason"]!.GetValue<string>().Should().Contain("expires within P6M");

        var delegation = Item("missing", "deleg-lakemedel");
        delegation["duty"]!.GetValue<string>().Should().Be("delegated-tasks");
        delegation["of"]!.GetValue<int>().Should().Be(1);
        var prerequisite = Item("prerequisite", "deleg-insulin");
        People(prerequisite).Should().Equal("p3");
        prerequisite["prerequisites"]!.AsArray().Select(p => p!.GetValue<string>()).Should().Equal("deleg-lakemedel");

        var reflection = Item("unanswered-reflection", "forflyttning");
        reflection["template"]!.GetValue<string>().Should().Be("forflyttning-reflektion");
        People(reflection).Should().Equal("p2");

        var deviation = Item("deviation", "forflyttning");
        deviation["count"]!.GetValue<int>().Should().Be(1);
        deviation["score"]!.GetValue<int>().Should().Be(2);

        var narrow = await t.Client.GetFromJsonAsync<JsonNode>($"/api/units/{Unit}/needs?horizon=P1M");
        narrow!["needs"]!.AsArray().Should().NotContain(n => n!["kind"]!.GetValue<string>() == "expiring", "p2's competence expires after one month");
    }

    [Fact]
    public async Task A_deviation_report_is_an_xapi_statement_of_the_profile_and_voiding_it_withdraws_it()
    {
        var t = await CreateAsync(lrs);
        var id = Guid.NewGuid();
        var body = Deviation("2026-11-20", "forflyttning", "hlr");
        body["id"] = id.ToString();
        var post = await t.Client.PostAsync($"/api/units/{Unit}/deviations", Json(body));
        var created = JsonNode.Parse(await post.Content.ReadAsStringAsync())!;
        post.StatusCode.Should().Be(HttpStatusCode.Created, created.ToJsonString());
        var statementId = created["statementId"]!.GetValue<string>();

        var (_, statement) = await t.Client.GetJsonAsync($"/xapi/statements?statementId={statementId}");
        statement!["verb"]!["id"]!.GetValue<string>().Should().Be("https://lrsapi.se/xapi/verbs/reported");
        statement["actor"]!["account"]!["homePage"]!.GetValue<string>().Should().Be("https://lrsapi.se/xapi/units");
        statement["actor"]!["account"]!["name"]!.GetValue<string>().Should().Be(Unit);
        statement["object"]!["id"]!.GetValue<string>().Should().Be($"https://lrsapi.se/xapi/activities/deviation/{id}");
        statement["object"]!["definition"]!["type"]!.GetValue<string>().Should().Be("https://lrsapi.se/xapi/activity-types/deviation-report");
        var extensions = statement["context"]!["extensions"]!;
        extensions["https://lrsapi.se/xapi/extensions/unit"]!.GetValue<string>().Should().Be(Unit);
        extensions["https://lrsapi.se/xapi/extensions/deviation-category"]!.GetValue<string>().Should().Be("fall-during-transfer");
        extensions["https://lrsapi.se/xapi/extensions/reference"]!.GetValue<string>().Should().Be("AVV-2026-0113");
        statement["context"]!["contextActivities"]!["other"]!.AsArray().Select(a => a!["id"]!.GetValue<string>())
            .Should().Equal("https://lrsapi.se/xapi/competences/forflyttning", "https://lrsapi.se/xapi/competences/hlr");
        statement["timestamp"]!.GetValue<DateTimeOffset>().Should().Be(new DateTimeOffset(2026, 11, 20, 0, 0, 0, TimeSpan.FromHours(1)));

        (await t.Client.PostAsync($"/api/units/{Unit}/deviations", Json(body))).StatusCode.Should().Be(HttpStatusCode.Conflict);
        var list = await t.Client.GetFromJsonAsync<JsonNode>($"/api/units/{Unit}/deviations?from=2026-11-01&to=2026-11-30");
        list!["deviations"]!.AsArray().Select(d => d!["id"]!.GetValue<string>()).Should().Equal(id.ToString());

        await t.Client.PostAsync(Voiding(statementId));
        list = await t.Client.GetFromJsonAsync<JsonNode>($"/api/units/{Unit}/deviations?from=2026-11-01&to=2026-11-30");
        list!["deviations"]!.AsArray().Should().BeEmpty();
    }

    [Fact]
    public async Task A_deviation_report_with_text_or_bad_fields_is_400_and_nothing_is_stored()
    {
        var t = await CreateAsync(lrs);
        var withText = Deviation(Today, "forflyttning");
        withText["description"] = "Boende föll i badrummet";
        var tomorrow = DateTime.UtcNow.AddDays(2).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        var bodies = new[]
        {
            withText, Deviation(Today, "no-such-competence"), Deviation(tomorrow, "hlr"), Deviation("20 november", "hlr"), Deviation(Today),
            Set(Deviation(Today, "hlr"), "category", "Fall i badrummet"), Set(Deviation(Today, "hlr"), "reference", "ärende om boende Anna"),
            Set(Deviation(Today, "hlr"), "plan", "p2026"),
        };
        foreach (var body in bodies)
        {
            var response = await t.Client.PostAsync($"/api/units/{Unit}/deviations", Json(body));
            response.StatusCode.Should().Be(HttpStatusCode.BadRequest, body.ToJsonString());
            (await response.Content.ReadFromJsonAsync<JsonNode>())!["detail"]!.GetValue<string>().Should().NotBeEmpty();
        }
        (await t.Client.PostAsync($"/api/units/{Unit}/deviations", new StringContent("date=today"))).StatusCode.Should().Be(HttpStatusCode.UnsupportedMediaType);
        (await t.Client.GetAsync($"/api/units/{Unit}/needs?horizon=six-months")).StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await t.Client.GetAsync($"/api/units/{Unit}/needs?horizon=P10Y")).StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await t.Client.GetAsync($"/api/units/{Unit}/deviations?from=2026-13-01")).StatusCode.Should().Be(HttpStatusCode.BadRequest);
        var all = await t.Client.GetFromJsonAsync<JsonNode>($"/api/units/{Unit}/deviations?from=2000-01-01&to={tomorrow}");
        all!["deviations"]!.AsArray().Should().BeEmpty();
        (await t.Client.GetAllAsync("/xapi/statements?verb=" + Uri.EscapeDataString("https://lrsapi.se/xapi/verbs/reported"))).Should().BeEmpty();
    }

    private static JsonObject Set(JsonObject o, string name, string value)
    {
        o[name] = value;
        return o;
    }

    [Fact]
    public async Task A_plan_is_stored_whole_versioned_and_shows_the_deviations_logged_against_its_rows()
    {
        var t = await CreateAsync(lrs);
        var plan = Plan(MonthStart(3).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), ShareGoal(), Goal("g2", "no-lapse", "forflyttning"));
        var put = await t.Client.PutAsync($"/api/units/{Unit}/plans/p2026", Json(plan));
        put.StatusCode.Should().Be(HttpStatusCode.OK, await put.Content.ReadAsStringAsync());
        (await put.Content.ReadFromJsonAsync<JsonNode>())!["version"]!.GetValue<long>().Should().Be(1);

        var deviation = Deviation(Today, "forflyttning");
        deviation["plan"] = "p2026";
        deviation["row"] = "r1";
        (await t.Client.PostAsync($"/api/units/{Unit}/deviations", Json(deviation))).StatusCode.Should().Be(HttpStatusCode.Created);
        deviation["row"] = "r9";
        (await t.Client.PostAsync($"/api/units/{Unit}/deviations", Json(deviation))).StatusCode.Should().Be(HttpStatusCode.BadRequest);

        plan["activities"]![0]!["status"] = "done";
        (await t.Client.PutAsync($"/api/units/{Unit}/plans/p2026", Json(plan))).StatusCode.Should().Be(HttpStatusCode.OK);
        var stored = await t.Client.GetFromJsonAsync<JsonNode>($"/api/units/{Unit}/plans/p2026");
        stored!["version"]!.GetValue<long>().Should().Be(2);
        stored["vision"]!.GetValue<string>().Should().Be("Trygga förflyttningar för varje boende.");
        stored["measurableGoals"]!.AsArray().Select(g => g!["kind"]!.GetValue<string>()).Should().Equal("share-valid", "no-lapse");
        var row = stored["activities"]![0]!;
        row["status"]!.GetValue<string>().Should().Be("done");
        row["costSek"]!.GetValue<decimal>().Should().Be(24000);
        row["deviations"]!.AsArray().Should().ContainSingle().Which!["reference"]!.GetValue<string>().Should().Be("AVV-2026-0113");
        stored["analysis"]![0]!["causes"]![0]!.GetValue<string>().Should().Be("Ny personal utan utbildning");
        (await t.Client.GetAsync($"/api/units/{Unit}/plans/other")).StatusCode.Should().Be(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task An_invalid_plan_is_400_with_every_error_and_nothing_is_stored()
    {
        var t = await CreateAsync(lrs);
        var plan = Plan("2026-13-01", ShareGoal("no-such"), Goal("g1", "most-valid", "hlr"), Goal("g3", "no-lapse", "hlr"));
        plan["activities"]![0]!["aspect"] = "money";
        plan["activities"]![0]!.AsObject().Remove("costSek");
        plan["activities"]![0]!.AsObject().Remove("hours");
        var put = await t.Client.PutAsync($"/api/units/{Unit}/plans/p1", Json(plan));
        put.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        var errors = (await put.Content.ReadFromJsonAsync<JsonNode>())!["errors"]!.AsObject().Select(e => e.Key).ToList();
        errors.Should().Contain(["$.startsOn", "$.measurableGoals", "$.activities[0].aspect", "$.activities[0]"]);

        var unknown = Plan(Today, ShareGoal());
        unknown["budget"] = 5;
        (await t.Client.PutAsync($"/api/units/{Unit}/plans/p1", Json(unknown))).StatusCode.Should().Be(HttpStatusCode.BadRequest);
        var badGoal = Plan(Today, ShareGoal());
        badGoal["measurableGoals"]![0]!["target"] = 1.5;
        (await t.Client.PutAsync($"/api/units/{Unit}/plans/p1", Json(badGoal))).StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await t.Client.PutAsync($"/api/units/{Unit}/plans/p%20with%20space", Json(Plan(Today, ShareGoal())))).StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await t.Client.GetAsync($"/api/units/{Unit}/plans/p1")).StatusCode.Should().Be(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Progress_computes_the_goals_at_each_month_end_with_lapses_and_follows_voiding_from_then_on()
    {
        var t = await CreateAsync(lrs);
        var (a1, a2) = (NewAgent(), NewAgent());
        await t.AddPersonAsync("p1", "underskoterska", a1);
        await t.AddPersonAsync("p2", "underskoterska", a2);
        await t.AddPersonAsync("n1", "sjukskoterska", NewAgent());
        // p1's transfer technique lapses on the 10th, three months ago; p2 gains it on the 5th, two months ago.
        await t.Client.PostAsync(At(Statement(a1, Completed, TransferCourse), Day(3, 10).AddYears(-2)));
        var p2Statement = (await t.Client.PostAsync(At(Statement(a2, Completed, TransferCourse), Day(2, 5))))[0];
        var startsOn = MonthStart(4).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        (await t.Client.PutAsync($"/api/units/{Unit}/plans/p1", Json(Plan(startsOn, ShareGoal(), Goal("g2", "no-lapse", "forflyttning"))))).EnsureSuccessStatusCode();

        var progress = await ProgressAsync(t, "p1");
        var share = progress["goals"]![0]!;
        share["target"]!.GetValue<double>().Should().Be(0.95);
        Months(share).Should().Equal(Month(4), Month(3), Month(2), Month(1), Month(0));
        Values(share).Should().Equal(0.5, 0.0, 0.5, 0.5, 0.5);
        share["months"]!.AsArray().Select(m => m!["of"]!.GetValue<int>()).Should().AllBeEquivalentTo(2, "only the underskoterskor count");
        share["months"]!.AsArray().Should().OnlyContain(m => !m!["met"]!.GetValue<bool>());
        share["today"]!["value"]!.GetValue<double>().Should().Be(0.5);

        var lapses = progress["goals"]![1]!;
        Values(lapses).Should().Equal(0.0, 1.0, 1.0, 1.0, 1.0);
        lapses["months"]![0]!["met"]!.GetValue<bool>().Should().BeTrue();
        lapses["today"]!["met"]!.GetValue<bool>().Should().BeFalse();

        // Voiding p2's evidence now takes it away from now on, not from the months before.
        await t.Client.PostAsync(Voiding(p2Statement));
        await Task.Delay(20);
        progress = await ProgressAsync(t, "p1");
        share = progress["goals"]![0]!;
        Values(share).Should().Equal(0.5, 0.0, 0.5, 0.5, 0.0);
        share["today"]!["value"]!.GetValue<double>().Should().Be(0.0);
    }

    [Fact]
    public async Task Progress_counts_each_of_many_members_by_their_own_history_and_lapses_as_they_move_in_and_out()
    {
        var t = await CreateAsync(lrs);
        var agents = new Dictionary<string, JsonObject>();
        foreach (var id in new[] { "p1", "p2", "p3", "p4", "p5", "p6" })
            await t.AddPersonAsync(id, "underskoterska", agents[id] = NewAgent());
        await t.AddPersonAsync("x1", "underskoterska", agents["x1"] = NewAgent(), unit: OtherUnit);
        // p1, p2, p3 and x1 (in the other unit) gain transfer technique on the 5th, two months ago.
        foreach (var id in new[] { "p1", "p2", "p3", "x1" })
            await t.Client.PostAsync(At(Statement(agents[id], Completed, TransferCourse), Day(2, 5)));
        // p5's lapses on the 10th last month, between two month ends, and is renewed on the 20th: a lapse all the same.
        await t.Client.PostAsync(At(Statement(agents["p5"], Completed, TransferCourse), Day(1, 10).AddYears(-2)));
        await t.Client.PostAsync(At(Statement(agents["p5"], Completed, TransferCourse), Day(1, 20)));
        // p6's lapsed before the plan began: no lapse of the plan's.
        await t.Client.PostAsync(At(Statement(agents["p6"], Completed, TransferCourse), Day(3, 10).AddYears(-2)));
        var startsOn = MonthStart(2).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        (await t.Client.PutAsync($"/api/units/{Unit}/plans/p1", Json(Plan(startsOn, ShareGoal(), Goal("g2", "no-lapse", "forflyttning"))))).EnsureSuccessStatusCode();
        // Now p1 (who holds it) and p4 (who does not) move to the other unit, and x1 (who holds it) moves in.
        await t.AddPersonAsync("p1", "underskoterska", agents["p1"], unit: OtherUnit);
        await t.AddPersonAsync("p4", "underskoterska", agents["p4"], unit: OtherUnit);
        await t.AddPersonAsync("x1", "underskoterska", agents["x1"]);

        var progress = await ProgressAsync(t, "p1");
        var share = progress["goals"]![0]!;
        Months(share).Should().Equal(Month(2), Month(1), Month(0));
        Counts(share).Should().Equal((4, 6), (4, 6), (4, 5));
        Values(share).Should().Equal(0.6667, 0.6667, 0.8);
        (share["today"]!["count"]!.GetValue<int>(), share["today"]!["of"]!.GetValue<int>()).Should().Be((4, 5));
        var lapses = progress["goals"]![1]!;
        Counts(lapses).Should().Equal((0, 6), (1, 6), (1, 5));
        lapses["today"]!["met"]!.GetValue<bool>().Should().BeFalse();
    }

    [Fact]
    public async Task A_group_reflection_goal_counts_the_members_who_attended_one_on_the_competence_since_the_plan_began()
    {
        var t = await CreateAsync(lrs);
        await t.AddPersonAsync("p1", "underskoterska", NewAgent());
        await t.AddPersonAsync("p2", "underskoterska", NewAgent());
        await t.AddPersonAsync("f1", "sjukskoterska", NewAgent());
        var goal = Goal("g1", "group-reflection", "demens-abc");
        goal["role"] = "underskoterska";
        (await t.Client.PutAsync($"/api/units/{Unit}/plans/apt", Json(Plan(MonthStart(2).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), goal)))).EnsureSuccessStatusCode();
        var meeting = new JsonObject
        {
            ["heldAt"] = Day(1, 15).ToString("O"), ["facilitator"] = new JsonObject { ["personId"] = "f1" },
            ["attendees"] = new JsonArray(new JsonObject { ["personId"] = "p1" }, new JsonObject { ["personId"] = "f1" }), ["templates"] = new JsonArray("demens-apt"),
        };
        var post = await t.Client.PostAsync($"/api/units/{Unit}/group-reflections", Json(meeting));
        post.StatusCode.Should().Be(HttpStatusCode.Created, await post.Content.ReadAsStringAsync());

        var progress = await ProgressAsync(t, "apt");
        var values = progress["goals"]![0]!;
        values["target"]!.GetValue<double>().Should().Be(1);
        Values(values).Should().Equal(0.0, 0.5, 0.5);
        values["today"]!["count"]!.GetValue<int>().Should().Be(1);
    }

    [Fact]
    public async Task Another_employers_credential_finds_no_unit_needs_deviations_or_plans_and_writes_nothing()
    {
        var t = await CreateAsync(lrs);
        await t.AddPersonAsync("p1", "underskoterska", NewAgent());
        (await t.Client.PutAsync($"/api/units/{Unit}/plans/p1", Json(Plan(Today, ShareGoal())))).EnsureSuccessStatusCode();
        var other = await t.RestrictedClientAsync(OtherOrganisation);
        foreach (var path in new[] { "needs", "deviations", "plans/p1", "plans/p1/progress" })
            (await other.GetAsync($"/api/units/{Unit}/{path}")).StatusCode.Should().Be(HttpStatusCode.NotFound, path);
        (await other.PostAsync($"/api/units/{Unit}/deviations", Json(Deviation(Today, "hlr")))).StatusCode.Should().Be(HttpStatusCode.NotFound);
        var replaced = Plan(Today, ShareGoal());
        replaced["vision"] = "Överskriven";
        (await other.PutAsync($"/api/units/{Unit}/plans/p1", Json(replaced))).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await other.PutAsync($"/api/units/{Unit}/plans/p2", Json(replaced))).StatusCode.Should().Be(HttpStatusCode.NotFound);

        (await t.Client.GetFromJsonAsync<JsonNode>($"/api/units/{Unit}/plans/p1"))!["version"]!.GetValue<long>().Should().Be(1);
        (await t.Client.GetAsync($"/api/units/{Unit}/plans/p2")).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await t.Client.GetFromJsonAsync<JsonNode>($"/api/units/{Unit}/deviations"))!["deviations"]!.AsArray().Should().BeEmpty();
        // Its own unit it reaches.
        (await other.GetAsync($"/api/units/{ForeignUnit}/needs")).StatusCode.Should().Be(HttpStatusCode.OK);
    }

    private static async Task<JsonNode> ProgressAsync(PlanningTenant t, string plan)
    {
        var response = await t.Client.GetAsync($"/api/units/{Unit}/plans/{plan}/progress");
        var text = await response.Content.ReadAsStringAsync();
        response.StatusCode.Should().Be(HttpStatusCode.OK, text);
        return JsonNode.Parse(text)!;
    }

    private static string[] Months(JsonNode goal) => [.. goal["months"]!.AsArray().Select(m => m!["month"]!.GetValue<string>())];

    private static (int Count, int Of)[] Counts(JsonNode goal) =>
        [.. goal["months"]!.AsArray().Select(m => (m!["count"]!.GetValue<int>(), m["of"]!.GetValue<int>()))];

    private static double?[] Values(JsonNode goal) => [.. goal["months"]!.AsArray().Select(m => m!["value"]?.GetValue<double>())];
}

public sealed class PlanningTestsOnSqlite(SqliteLrs lrs) : PlanningTests(lrs), IClassFixture<SqliteLrs>;

public sealed class PlanningTestsOnPostgres(PostgresLrs lrs) : PlanningTests(lrs), IClassFixture<PostgresLrs>;
