using System.Collections.Concurrent;
using System.Net;
using System.Text.Json.Nodes;
using Lrs.Api.Demo;
using Lrs.Api.Tests.Infrastructure;
using Lrs.Core.FollowUp;
using Microsoft.Extensions.DependencyInjection;

namespace Lrs.Api.Tests;

/// <summary>
/// The demo's follow-up story over HTTP: after <c>demo seed</c> (the default 300 people of Metodikum's employers and Metodrum's
/// 130), the figures of both learning centres show reach growing over fifteen months, patient transfer put into practice and
/// Demens ABC lagging, Metodrum's three kinds of employer, and no shown figure resting on one to four people. The tests
/// only read the seeded tenant, which is seeded once per store.
/// </summary>
public abstract class DemoFollowUpTests(LrsFixture lrs)
{
    private static readonly ConcurrentDictionary<LrsFixture, Lazy<Task<(HttpClient Client, string From, string To)>>> Seeded = new();

    private Task<(HttpClient Client, string From, string To)> DemoAsync() => Seeded.GetOrAdd(lrs, fixture => new(async () =>
    {
        var services = fixture.Services;
        var demo = DemoTenant.Generate();
        var (outcome, error) = await DemoSeeder.SeedAsync(services.GetRequiredService<Hosting.LrsStore>(), services.GetRequiredService<Admin.Administration>(),
            "demo-follow-up-" + Guid.NewGuid().ToString("N")[..8], demo, 30, "http://localhost:8080", "test", TimeProvider.System, _ => { }, CancellationToken.None);
        outcome.Should().NotBeNull(error);
        var zone = TimeZoneInfo.FindSystemTimeZoneById("Europe/Stockholm");
        return (fixture.Client("2.0.0", outcome!.Key, outcome.Secret), Month.Of(demo.Start, zone).ToString(), Month.Of(demo.Now, zone).ToString());
    })).Value;

    [Fact]
    public async Task Both_centres_are_stored_with_program_logic_and_Metodrum_serves_a_municipal_a_private_and_a_regional_employer()
    {
        var (client, _, _) = await DemoAsync();
        var (_, centres) = await client.GetJsonAsync("/api/learning-centres");
        centres!["learningCentres"]!.AsArray().Select(c => c!["id"]!.GetValue<string>()).Should().BeEquivalentTo(["metodikum", "metodrum"]);
        var (_, metodrum) = await client.GetJsonAsync("/api/learning-centres/metodrum");
        metodrum!["name"]!.GetValue<string>().Should().Be("Metodrum, Upplands Väsby");
        metodrum["effects"]!.AsArray().Select(e => (e!["measure"]!.GetValue<string>(), e["competence"]?.GetValue<string>())).Should().Contain(
            [("mediumTerm.followUpScore", "forflyttning"), ("mediumTerm.followUpScore", "demens-abc"), ("reach.peopleTrained", null)]);

        var (_, organisations) = await client.GetJsonAsync("/api/organisations");
        organisations!.AsArray().Select(o => (o!["id"]!.GetValue<string>(), o["kind"]!.GetValue<string>())).Should().Contain(
            [("upplands-vasby-kommun", "municipal"), ("omsorgshuset-vasby", "private"), ("region-stockholm", "regional")]);
        var (_, person) = await client.GetJsonAsync("/api/people?organisation=region-stockholm&limit=100");
        person!["people"]!.AsArray().Should().HaveCountGreaterThan(10).And.OnlyContain(p => p!["units"]!.AsArray().Count == 1 && p["roles"]!.AsArray().Count > 0);
    }

    [Fact]
    public async Task Reach_grows_at_both_centres_and_Metodrum_trains_staff_of_all_three_kinds_of_employer()
    {
        var (client, from, to) = await DemoAsync();
        foreach (var centre in new[] { "metodikum", "metodrum" })
        {
            var trained = People(await RowsAsync(client, $"/api/follow-up/reach?from={from}&to={to}&centre={centre}"), "peopleTrained", "all");
            // The last month is the current one, begun only today.
            var months = trained.Keys.Order().SkipLast(1).ToList();
            months.Should().HaveCount(15);
            trained[months[0]].Should().BeGreaterThan(0, centre);
            months.TakeLast(3).Sum(m => trained[m]).Should().BeGreaterThan(months.Take(3).Sum(m => trained[m]), $"reach grows at {centre}");
        }
        var atMetodrum = People(await RowsAsync(client, $"/api/follow-up/reach?from={from}&to={to}&centre=metodrum"), "peopleTrained", "all");
        atMetodrum.Keys.Order().SkipLast(1).TakeLast(3).Sum(m => atMetodrum[m]).Should().BeGreaterThan(atMetodrum.Keys.Order().Take(3).Sum(m => atMetodrum[m]) * 2,
            "Metodrum becomes known");

        var rows = await RowsAsync(client, $"/api/follow-up/reach?from={from}&to={to}&centre=metodrum");
        rows.Where(r => Text(r, "figure") == "peopleTrained" && Text(r, "by") == "employerKind").Select(r => Text(r, "group")).Distinct()
            .Should().BeEquivalentTo(["municipal", "private", "regional"]);
        var last = rows.Where(r => Text(r, "month") == Month.Of(DateTimeOffset.UtcNow, TimeZoneInfo.FindSystemTimeZoneById("Europe/Stockholm")).Add(-1).ToString());
        last.Should().Contain(r => Text(r, "figure") == "sessionsHeld" && r!["value"]!.GetValue<double>() > 0);
        last.Should().Contain(r => Text(r, "figure") == "attendance" && r!["value"]!.GetValue<double>() > 0.4);
        ShownCountsRestOnFiveOrMore(rows, "peopleTrained");
    }

    [Fact]
    public async Task Eight_weeks_on_patient_transfer_is_put_into_practice_and_Demens_ABC_lags_at_both_centres()
    {
        var (client, from, to) = await DemoAsync();
        foreach (var centre in new[] { "metodikum", "metodrum" })
        {
            var transfer = await RowsAsync(client, $"/api/follow-up/medium-term?from={from}&to={to}&centre={centre}&competence=forflyttning");
            var dementia = await RowsAsync(client, $"/api/follow-up/medium-term?from={from}&to={to}&centre={centre}&competence=demens-abc");
            var transferScores = Scores(transfer);
            var dementiaScores = Scores(dementia);
            transferScores.Values.Sum().Should().BeGreaterThan(30, centre);
            dementiaScores.Values.Sum().Should().BeGreaterThan(30, centre);
            Share(transferScores, 3, 5).Should().BeGreaterThan(0.8, $"patient transfer is put into practice at {centre}");
            Share(dementiaScores, 1, 3).Should().BeInRange(0.3, 0.75, $"Demens ABC lags at {centre}");
            Mean(transferScores).Should().BeGreaterThan(Mean(dementiaScores) + 0.4, centre);

            // Not everyone answers: each month's response rate is below one somewhere, and most answer.
            var rates = transfer.Concat(dementia).Where(r => Text(r, "figure") == "followUpResponseRate" && !Suppressed(r))
                .Select(r => r!["value"]!.GetValue<double>()).ToList();
            rates.Should().Contain(r => r < 1).And.Contain(r => r >= 0.6);
            rates.Average().Should().BeInRange(0.55, 0.95);
            ShownCountsRestOnFiveOrMore(transfer, "followUpScore");
            ShownCountsRestOnFiveOrMore(dementia, "followUpScore");
        }

    }

    [Fact]
    public async Task Broken_down_to_a_small_unit_the_months_of_one_to_four_people_are_suppressed()
    {
        var (client, from, to) = await DemoAsync();
        var reach = await RowsAsync(client, $"/api/follow-up/reach?from={from}&to={to}&unit=asih-vasby");
        reach.Should().Contain(r => Text(r, "figure") == "peopleTrained" && Suppressed(r) && r!["value"] == null);
        ShownCountsRestOnFiveOrMore(reach, "peopleTrained");
        var medium = await RowsAsync(client, $"/api/follow-up/medium-term?from={from}&to={to}&unit=asih-vasby");
        medium.Should().Contain(r => Text(r, "figure") == "followUpQuestions" && Suppressed(r));
        medium.Where(r => Text(r, "figure") == "followUpResponseRate" && Suppressed(r)).Should().NotBeEmpty("a share of fewer than five people is suppressed too");
        ShownCountsRestOnFiveOrMore(medium, "followUpQuestions");
        ShownCountsRestOnFiveOrMore(medium, "followUpScore");
    }

    [Fact]
    public async Task Long_term_coverage_of_patient_transfer_in_Upplands_Vasby_kommun_grows_with_Metodrums_sessions()
    {
        var (client, from, to) = await DemoAsync();
        var rows = await RowsAsync(client, $"/api/follow-up/long-term?from={from}&to={to}&organisation=upplands-vasby-kommun&competence=forflyttning");
        var coverage = rows.Where(r => Text(r, "figure") == "coverage" && Text(r, "by") == "all" && !Suppressed(r))
            .ToDictionary(r => Text(r, "month"), r => r!["value"]!.GetValue<double>());
        coverage.Should().HaveCountGreaterThan(12);
        coverage[to].Should().BeGreaterThan(coverage[from] + 0.4);

        var response = await client.GetAsync("/api/follow-up/before-after?unit=vard-och-omsorgsboende-vilunda&competence=forflyttning&date="
            + DateTimeOffset.UtcNow.AddMonths(-6).ToString("yyyy-MM-dd") + "&months=3");
        response.StatusCode.Should().Be(HttpStatusCode.OK);
        var periods = JsonNode.Parse(await response.Content.ReadAsStringAsync())!["rows"]!.AsArray()
            .Where(r => Text(r, "figure") == "coverage").ToDictionary(r => Text(r, "group"), r => r!["value"]!.GetValue<double>());
        periods["after"].Should().BeGreaterThan(periods["before"]);
    }

    private static async Task<JsonArray> RowsAsync(HttpClient client, string uri)
    {
        var response = await client.GetAsync(uri);
        var text = await response.Content.ReadAsStringAsync();
        response.StatusCode.Should().Be(HttpStatusCode.OK, text);
        return JsonNode.Parse(text)!["rows"]!.AsArray();
    }

    private static string Text(JsonNode? row, string name) => row![name]?.GetValue<string>() ?? "";

    private static bool Suppressed(JsonNode? row) => row!["suppressed"]!.GetValue<bool>();

    // A figure by month, suppressed ones as zero.
    private static Dictionary<string, double> People(JsonArray rows, string figure, string by) =>
        rows.Where(r => Text(r, "figure") == figure && Text(r, "by") == by).ToDictionary(r => Text(r, "month"), r => r!["value"]?.GetValue<double>() ?? 0);

    // The people per follow-up score, summed over the months where shown.
    private static Dictionary<int, double> Scores(JsonArray rows) =>
        rows.Where(r => Text(r, "figure") == "followUpScore" && Text(r, "by") == "score" && !Suppressed(r))
            .GroupBy(r => int.Parse(Text(r, "group"), System.Globalization.CultureInfo.InvariantCulture))
            .ToDictionary(g => g.Key, g => g.Sum(r => r!["value"]!.GetValue<double>()));

    private static double Share(Dictionary<int, double> scores, int low, int high) =>
        scores.Where(s => s.Key >= low && s.Key <= high).Sum(s => s.Value) / scores.Values.Sum();

    private static double Mean(Dictionary<int, double> scores) => scores.Sum(s => s.Key * s.Value) / scores.Values.Sum();

    // Every shown count of people is zero or at least five; one to four is never shown.
    private static void ShownCountsRestOnFiveOrMore(JsonArray rows, string figure) =>
        rows.Where(r => Text(r, "figure") == figure && !Suppressed(r)).Select(r => r!["value"]!.GetValue<double>())
            .Should().OnlyContain(v => v == 0 || v >= FollowUpFigures.MinimumPeople);
}

public sealed class DemoFollowUpTestsOnSqlite(SqliteLrs lrs) : DemoFollowUpTests(lrs), IClassFixture<SqliteLrs>;
public sealed class DemoFollowUpTestsOnPostgres(PostgresLrs lrs) : DemoFollowUpTests(lrs), IClassFixture<PostgresLrs>;
