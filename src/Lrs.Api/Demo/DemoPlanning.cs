using System.Globalization;
using System.Text.Json.Nodes;
using Lrs.Api.Hosting;
using Lrs.Api.Xapi;
using Lrs.Core.Competence;
using Lrs.Core.Planning;
using Lrs.Core.Xapi;

namespace Lrs.Api.Demo;

/// <summary>
/// The planning part of the demo, for the municipality's first unit (Vårdboende Ekbacken): a development plan with the
/// patient-transfer goal, three deviation reports (one logged against the plan's course row), and a training plan for every
/// member of staff, about half of them behind.
/// </summary>
internal static class DemoPlanning
{
    /// <summary>The id of the demo unit's plan.</summary>
    public const string PlanId = "forflyttning-2026";

    /// <summary>The article every training plan asks staff to read.</summary>
    public const string Article = "https://demo.lrsapi.se/xapi/activities/articles/bemotande-vid-demens";

    // The namespace of the demo's name-based deviation ids and reading statements.
    private static readonly Guid DemoIds = new("3e8a1f07-6c2d-4b95-a0e4-7d9c2b5f1a63");

    public static async Task<(int Deviations, int TrainingPlans, int Statements)> SeedAsync(LrsStore store, StatementWriter writer, long tenantId,
        Framework framework, DemoTenant demo, JsonObject authority, TimeProvider time, CancellationToken ct)
    {
        var zone = TimeZoneInfo.TryFindSystemTimeZoneById("Europe/Stockholm", out var z) ? z : TimeZoneInfo.Utc;
        var now = time.GetUtcNow();
        var today = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(now, zone).DateTime);
        var unit = demo.Organisations[0].Units[0];
        var startsOn = new DateOnly(today.Year, today.Month, 1).AddMonths(-5);

        await store.Planning.PutPlanAsync(tenantId, unit.Id, PlanId, new UnitPlan(
            "Varje förflyttning är trygg för den boende och för personalen.",
            "Alla undersköterskor behärskar förflyttningsteknik och ingen delegering för läkemedel hinner gå ut.",
            Day(startsOn), Day(startsOn.AddYears(1).AddDays(-1)),
            [
                new MeasurableGoal("usk-forflyttning", UnitPlans.ShareValid, "forflyttning", "underskoterska", 0.95, Day(startsOn.AddYears(1).AddDays(-1))),
                new MeasurableGoal("delegering-utan-lucka", UnitPlans.NoLapse, "deleg-lakemedel", null, null, null),
            ],
            [new AnalysisItem("Fallolyckor vid förflyttning, oftast kvällstid.", ["Nyanställda utan praktisk utbildning", "Lyftselar saknas i två rum"], ["r1", "r2"])],
            [
                new ActivityRow("r1", "competence", "Enhetschef", "Förflyttningsteknik på lärcentrum, två dagar, för undersköterskor utan giltig utbildning",
                    Day(today.AddMonths(4)), 36000, 192, "ongoing"),
                new ActivityRow("r2", "technology", "Arbetsterapeut", "Inventera och komplettera lyftselar", Day(today.AddMonths(1)), 8000, null, "planned"),
                new ActivityRow("r3", "process", "Samordnare", "Förflyttning som stående punkt på APT varannan månad", Day(today.AddMonths(6)), null, 12, "planned"),
            ]), now, ct);

        var statements = 0;
        var deviations = new[]
        {
            (Days: 100, Category: "fall-during-transfer", Competence: "forflyttning", Row: (string?)null),
            (Days: 45, Category: "fall-during-transfer", Competence: "forflyttning", Row: "r1"),
            (Days: 12, Category: "medication-error", Competence: "deleg-lakemedel", Row: null),
        };
        for (var i = 0; i < deviations.Length; i++)
        {
            var d = deviations[i];
            var id = NameBasedUuid.Create(DemoIds, $"{demo.Seed} deviation {i}");
            var report = new DeviationReport(id, unit.Id, today.AddDays(-d.Days), d.Category, $"AVV-{today.Year}-{113 + i * 7:0000}", [d.Competence],
                d.Row is null ? null : PlanId, d.Row, Deviations.StatementIdOf(id), now);
            statements += await DemoSeeder.StoreAsync(writer, tenantId, authority, [Deviations.Statement(report, framework, zone)], ct);
            await store.Planning.RecordDeviationAsync(tenantId, report, ct);
        }

        // Every member of staff gets a plan: patient transfer (to gain, or to renew for those who hold it) and the dementia
        // article. Every other one has due days already past, so about half are behind unless they have done it; every third has
        // read the article.
        var staff = demo.People.Where(p => p.UnitId == unit.Id).ToList();
        var evidence = await store.Competence.EvidenceAsync(tenantId, [.. staff.SelectMany(p => p.Agents.Select(a => AgentKey.Of(a)!))], ct);
        var reads = new List<JsonObject>();
        for (var i = 0; i < staff.Count; i++)
        {
            var person = staff[i];
            var keys = person.Agents.Select(a => AgentKey.Of(a)!).ToHashSet(StringComparer.Ordinal);
            var holds = ProfileCalculator.Compute(new PersonFacts(person.EmployeeId, person.Roles, person.Duties), [.. evidence.Where(e => keys.Contains(e.AgentKey))],
                framework, now, TimeSpan.FromDays(60)).Entries.Any(e => e.CompetenceId == "forflyttning" && e.IsMet);
            var behind = i % 2 == 1;
            var agreedOn = Day(today.AddDays(-60));
            await store.Planning.PutTrainingPlanAsync(tenantId, person.EmployeeId, new TrainingPlan(
            [
                new TrainingItem("forflyttning", "forflyttning", holds ? "renew" : "gain", new TrainingWay("on-site", []),
                    Day(behind ? today.AddDays(-10) : today.AddDays(120)), "Enhetschef", agreedOn),
                new TrainingItem("demens-artikel", "demens-abc", "gain", new TrainingWay("reading", [Article]),
                    Day(behind ? today.AddDays(-5) : today.AddDays(30)), "Enhetschef", agreedOn),
            ]), now, ct);
            if (i % 3 == 0) reads.Add(Read(person, now.AddDays(-(i % 20) - 1), NameBasedUuid.Create(DemoIds, $"{demo.Seed} read {person.EmployeeId}")));
        }
        if (reads.Count > 0) statements += await DemoSeeder.StoreAsync(writer, tenantId, authority, reads, ct);
        return (deviations.Length, staff.Count, statements);
    }

    private static JsonObject Read(DemoPerson person, DateTimeOffset at, Guid id)
    {
        var actor = (JsonObject)person.Agents[0].DeepClone();
        actor["objectType"] = "Agent";
        return new JsonObject
        {
            ["id"] = id.ToString("D"),
            ["actor"] = actor,
            ["verb"] = new JsonObject { ["id"] = TrainingPlans.ReadVerb, ["display"] = new JsonObject { ["sv-SE"] = "läste", ["en-US"] = "read" } },
            ["object"] = new JsonObject
            {
                ["objectType"] = "Activity", ["id"] = Article,
                ["definition"] = new JsonObject { ["name"] = new JsonObject { ["sv-SE"] = "Bemötande vid demens" } },
            },
            ["timestamp"] = at.ToString("O", CultureInfo.InvariantCulture),
        };
    }

    private static string Day(DateOnly day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}
