using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Lrs.Api.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using static Lrs.Api.Tests.Infrastructure.TwoEmployers;
using static Lrs.Api.Tests.Infrastructure.Xapi;

namespace Lrs.Api.Tests;

/// <summary>A clock the test sets back, so that what the LRS stores now is stored years ago.</summary>
public sealed class ShiftedClock : TimeProvider
{
    public TimeSpan Offset { get; set; }

    public override DateTimeOffset GetUtcNow() => base.GetUtcNow() + Offset;
}

/// <summary>An LRS whose <see cref="TimeProvider"/> is a <see cref="ShiftedClock"/> of its own.</summary>
public sealed class ShiftedTime : ILrsVariant
{
    public static IReadOnlyDictionary<string, string?> Settings { get; } = new Dictionary<string, string?>();

    public static void ConfigureWebHost(IWebHostBuilder builder) => builder.ConfigureServices(s => s.AddSingleton<TimeProvider>(new ShiftedClock()));
}

/// <summary>
/// Retention over HTTP and the CLI: a dry run (either way) says what a real run removes and removes nothing; the real run removes
/// exactly what is older than the tenant's periods, with what was derived from it, and every run is audited. One test per
/// store, since the stored clock never goes back once it has handed out a time.
/// </summary>
public abstract class RetentionTests(LrsFixture lrs)
{
    [Fact]
    public async Task A_dry_run_removes_nothing_and_the_real_run_removes_exactly_what_is_older_than_the_periods_and_both_are_audited()
    {
        var clock = (ShiftedClock)lrs.Services.GetRequiredService<TimeProvider>();
        clock.Offset = -TimeSpan.FromDays(11 * 365.25);
        var t = await CreateAsync(lrs);
        (await t.Owner.PutAsync("/api/admin/privacy", Json(new JsonObject { ["erasure"] = "refuse" }))).EnsureSuccessStatusCode();
        var old = await t.Owner.GetAllAsync("/xapi/statements?limit=500");
        clock.Offset = TimeSpan.Zero;

        var recent = (await t.Owner.PostAsync(Statement(t.B.Agent, activity: t.Activity)))[0];
        (await t.Owner.PutAsync("/api/admin/privacy", Json(new JsonObject
        {
            ["erasure"] = "erase", ["retention"] = new JsonObject { ["statements"] = "P10Y", ["reflectionAnswers"] = "P2Y", ["audit"] = "P10Y" },
        }))).EnsureSuccessStatusCode();
        List<string> Data(IEnumerable<StoreRow> rows) => [.. rows.Where(r => r.Table != "audit_log").Select(r => r.ToString())];
        var before = Data(await StoreRows.AllAsync(lrs));

        var cli = await AdminCommandTests.RunAsync(Path.GetTempPath(), new Dictionary<string, string>
        {
            ["Lrs__Storage__Provider"] = lrs.StoreName, ["Lrs__Storage__ConnectionString"] = lrs.StoreConnectionString,
        }, "retention", "apply", "--tenant", t.Tenant, "--dry-run");
        cli.ExitCode.Should().Be(0, cli.Error);
        var dry = await t.Owner.PostAsync("/api/admin/privacy/retention?dryRun=true", null);
        await ShouldBe(dry, HttpStatusCode.OK);
        var dryCounts = (await dry.Content.ReadFromJsonAsync<JsonNode>())!["counts"]!;
        Data(await StoreRows.AllAsync(lrs)).Should().BeEquivalentTo(before, "a dry run removes nothing");
        var statements = dryCounts["statements"]!.GetValue<int>();
        statements.Should().BeGreaterThanOrEqualTo(old.Count).And.BeGreaterThan(0);
        dryCounts["evidence"]!.GetValue<int>().Should().BeGreaterThan(0);
        dryCounts["auditEntries"]!.GetValue<int>().Should().BeGreaterThan(0);
        cli.Output.Should().Contain("dry run").And.Contain($"would remove {statements} statements").And.Contain($"would remove {dryCounts["evidence"]} evidence");

        var real = await t.Owner.PostAsync("/api/admin/privacy/retention", null);
        await ShouldBe(real, HttpStatusCode.OK);
        var run = (await real.Content.ReadFromJsonAsync<JsonNode>())!;
        run["dryRun"]!.GetValue<bool>().Should().BeFalse();
        run["counts"]!.ToJsonString().Should().Be(dryCounts.ToJsonString(), "the dry run counted exactly what the real run removes");
        var cutoff = run["cutoffs"]!["statements"]!.GetValue<DateTimeOffset>();

        var left = await t.Owner.GetAllAsync("/xapi/statements?limit=500");
        left.Select(s => s["id"]!.GetValue<string>()).Should().Equal(recent);
        left.Should().OnlyContain(s => s["stored"]!.GetValue<DateTimeOffset>() >= cutoff);
        (await t.Owner.GetAsync($"/xapi/statements?statementId={t.A.StatementId}")).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await t.StatusAsync(t.B.Person)).Should().Be("valid", "evidence of the recent statement stays");
        (await t.StatusAsync(t.A.Person)).Should().Be("missing", "evidence goes with the statement it came from");
        (await t.Owner.GetAsync($"/api/reflection-tasks/{t.A.TaskId}")).StatusCode.Should().Be(HttpStatusCode.NotFound, "the task of an old training goes with it");

        var audit = (await t.Owner.GetFromJsonAsync<JsonNode>("/api/admin/audit?limit=100"))!["entries"]!.AsArray().Select(e => e!).ToList();
        audit.Where(e => e["action"]!.GetValue<string>() == "retention.apply").Select(e => e["detail"]!.GetValue<string>())
            .Should().HaveCount(3).And.Contain(d => d.StartsWith("dryRun=true", StringComparison.Ordinal) && d.Contains($"statements={statements}"))
            .And.Contain(d => !d.StartsWith("dryRun", StringComparison.Ordinal) && d.Contains($"statements={statements}"));
        audit.Where(e => e["action"]!.GetValue<string>() == "privacy.policy").Should().ContainSingle("the old policy change is older than the audit period")
            .Which["detail"]!.GetValue<string>().Should().Contain("erasure=erase");
    }
}

/// <summary>A <see cref="ShiftedTime"/> LRS whose daily retention runs first after 0.6 s and then every 3.6 s.</summary>
public sealed class FrequentRetention : ILrsVariant
{
    public const double IntervalSeconds = 3.6;

    public static IReadOnlyDictionary<string, string?> Settings { get; } = new Dictionary<string, string?>
    {
        ["Lrs:Retention:FirstRunMinutes"] = "0.01", ["Lrs:Retention:IntervalHours"] = (IntervalSeconds / 3600).ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    public static void ConfigureWebHost(IWebHostBuilder builder) => ShiftedTime.ConfigureWebHost(builder);
}

/// <summary>
/// The daily run itself: the hosted service applies every tenant's retention on its schedule (here seconds apart, set by
/// configuration) without anyone asking, and audits each run with its counts as <c>retention:daily</c>.
/// </summary>
public abstract class DailyRetentionTests(LrsFixture lrs)
{
    [Fact]
    public async Task The_scheduled_run_removes_what_is_older_than_the_period_and_audits_each_run_with_its_counts()
    {
        var clock = (ShiftedClock)lrs.Services.GetRequiredService<TimeProvider>();
        clock.Offset = -TimeSpan.FromDays(11 * 365.25);
        var t = await CreateAsync(lrs);
        var old = await t.Owner.GetAllAsync("/xapi/statements?limit=500");
        clock.Offset = TimeSpan.Zero;
        var recent = (await t.Owner.PostAsync(Statement(t.B.Agent, activity: t.Activity)))[0];
        old.Should().NotBeEmpty();

        // Nobody asks for a run: the policy alone, and the schedule.
        (await t.Owner.PutAsync("/api/admin/privacy", Json(new JsonObject { ["erasure"] = "erase", ["retention"] = new JsonObject { ["statements"] = "P10Y" } })))
            .EnsureSuccessStatusCode();
        var runs = new List<JsonNode>();
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (runs.Count < 2 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(500);
            runs = [.. (await t.Owner.GetFromJsonAsync<JsonNode>("/api/admin/audit?limit=100"))!["entries"]!.AsArray()
                .Where(e => e!["action"]!.GetValue<string>() == "retention.apply").Select(e => e!).OrderBy(e => e["at"]!.GetValue<DateTimeOffset>())];
        }
        runs.Should().HaveCountGreaterThanOrEqualTo(2, "the service ran by itself, twice, within a minute");
        runs.Should().OnlyContain(e => e["actor"]!.GetValue<string>() == "retention:daily" && !e["detail"]!.GetValue<string>().Contains("dryRun"));

        // The first run removed the old statements, with the evidence they gave, and said how many; the next found nothing left.
        static int Count(JsonNode run, string kind) =>
            int.Parse(System.Text.RegularExpressions.Regex.Match(run["detail"]!.GetValue<string>(), $"(?:^|; ){kind}=(\\d+)").Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        Count(runs[0], "statements").Should().BeGreaterThanOrEqualTo(old.Count);
        Count(runs[0], "evidence").Should().BeGreaterThan(0);
        Count(runs[1], "statements").Should().Be(0);
        (runs[1]["at"]!.GetValue<DateTimeOffset>() - runs[0]["at"]!.GetValue<DateTimeOffset>()).Should()
            .BeGreaterThanOrEqualTo(TimeSpan.FromSeconds(FrequentRetention.IntervalSeconds * 0.9), "runs are an interval apart");

        (await t.Owner.GetAllAsync("/xapi/statements?limit=500")).Select(s => s["id"]!.GetValue<string>()).Should().Equal(recent);
        (await t.StatusAsync(t.A.Person)).Should().Be("missing", "evidence goes with the statement it came from");
        (await t.StatusAsync(t.B.Person)).Should().Be("valid");
    }
}

public sealed class DailyRetentionTestsOnSqlite(SqliteLrs<FrequentRetention> lrs) : DailyRetentionTests(lrs), IClassFixture<SqliteLrs<FrequentRetention>>;
public sealed class DailyRetentionTestsOnPostgres(PostgresLrs<FrequentRetention> lrs) : DailyRetentionTests(lrs), IClassFixture<PostgresLrs<FrequentRetention>>;

public sealed class RetentionTestsOnSqlite(SqliteLrs<ShiftedTime> lrs) : RetentionTests(lrs), IClassFixture<SqliteLrs<ShiftedTime>>;
public sealed class RetentionTestsOnPostgres(PostgresLrs<ShiftedTime> lrs) : RetentionTests(lrs), IClassFixture<PostgresLrs<ShiftedTime>>;
