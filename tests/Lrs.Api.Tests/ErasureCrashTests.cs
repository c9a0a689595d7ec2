using System.Diagnostics;
using System.Net;
using System.Text.Json.Nodes;
using Lrs.Api.Tests.Infrastructure;
using Npgsql;
using Xunit.Abstractions;
using static Lrs.Api.Tests.Infrastructure.Xapi;

namespace Lrs.Api.Tests;

/// <summary>
/// An erasure is one transaction: kill -9 of the LRS in the middle of one, restart, and the person is there whole (every
/// statement, its evidence and reflection task, the documents) or not at all, never in part.
/// </summary>
public sealed class ErasureCrashTests(ITestOutputHelper output)
{
    private const int StatementsPerPerson = 2_000;

    // When to kill, as shares of the time a whole erasure took.
    private static readonly double[] KillAt = [0.15, 0.4, 0.7];

    // People erased uninterrupted before the kills: the first to warm the LRS up, the second to time an erasure.
    private const int Uninterrupted = 2;

    private sealed record Subject(string Id, JsonObject Agent);

    [Theory]
    [InlineData("Sqlite")]
    [InlineData("Postgres")]
    public async Task Kill_9_during_an_erasure_leaves_the_whole_person_or_none_of_them_never_a_part(string provider)
    {
        var directory = Directory.CreateTempSubdirectory("lrs-erasure-crash-").FullName;
        var store = provider == "Sqlite" ? $"Data Source={Path.Combine(directory, "lrs.db")}" : PostgresServer.CreateDatabase();
        var environment = new Dictionary<string, string>
        {
            ["Lrs__Storage__Provider"] = provider, ["Lrs__Storage__ConnectionString"] = store,
            ["Lrs__Bootstrap__Key"] = "crash", ["Lrs__Bootstrap__Secret"] = "crash-secret",
        };
        // The first erasure of a process took several times as long as later ones, so that every kill timed from it came after
        // the commit: it is not the one timed. Each person after the uninterrupted ones is killed at one share of that time.
        var people = Enumerable.Range(0, Uninterrupted + KillAt.Length).Select(i => new Subject($"E-{i}", NewAgent())).ToList();
        var lrs = await LrsProcess.StartAsync(directory, environment);
        try
        {
            var (key, secret) = await CrashTests.TrainingTenantAsync(lrs, "crash", "crash-secret");
            await RecordsAsync(lrs, key, secret, people);
            foreach (var person in people)
                (await OutcomeAsync(lrs, key, secret, person)).Should().Be("whole", "the check is real: every person is whole before");

            // The test's own first PostgreSQL connection is slow to open: made here, it does not delay the first kill.
            if (provider == "Postgres") await ErasureTransactionOpenAsync(store);
            var erasure = TimeSpan.Zero;
            foreach (var person in people.Take(Uninterrupted))
            {
                var timer = Stopwatch.StartNew();
                using (var hr = FirstStartTests.Authenticated(lrs, key, secret))
                    (await hr.PostAsync($"/api/people/{person.Id}/erasure", Json(new JsonObject { ["mode"] = "erase" }))).StatusCode.Should().Be(HttpStatusCode.OK);
                erasure = timer.Elapsed;
                (await OutcomeAsync(lrs, key, secret, person)).Should().Be("none", "an erasure that ran to its end leaves nothing");
            }
            output.WriteLine($"{provider}: erasing {StatementsPerPerson} statements took {erasure.TotalMilliseconds:F0} ms");

            var outcomes = new List<(string Outcome, bool InTransaction)>();
            foreach (var (person, share) in people.Skip(Uninterrupted).Zip(KillAt))
            {
                using (var hr = FirstStartTests.Authenticated(lrs, key, secret))
                {
                    var asked = hr.PostAsync($"/api/people/{person.Id}/erasure", Json(new JsonObject { ["mode"] = "erase" }));
                    await Task.Delay(erasure * share);
                    var inTransaction = provider == "Postgres" && await ErasureTransactionOpenAsync(store);
                    await lrs.KillAsync();
                    try
                    {
                        (await asked).StatusCode.Should().Be(HttpStatusCode.OK, "an erasure answered before the kill finished");
                    }
                    catch (HttpRequestException) { }
                    catch (TaskCanceledException) { }
                    await lrs.DisposeAsync();
                    lrs = await LrsProcess.StartAsync(directory, environment);
                    var outcome = await OutcomeAsync(lrs, key, secret, person);
                    output.WriteLine($"{provider}: killed after {share:P0} of an erasure ({(inTransaction ? "its transaction open" : "no transaction seen")}): {outcome}");
                    outcomes.Add((outcome, inTransaction));
                }
            }
            outcomes.Should().OnlyContain(o => o.Outcome == "whole" || o.Outcome == "none", "a person is erased whole or not at all");
            outcomes.Should().Contain(o => o.Outcome == "whole", "some kill came before the erasure committed, or the test proves nothing");
            if (provider == "Postgres") outcomes.Should().Contain(o => o.InTransaction, "some kill came while the erasure's transaction was open");
        }
        finally
        {
            await lrs.DisposeAsync();
            try { Directory.Delete(directory, recursive: true); } catch (IOException) { }
        }
    }

    // Each person: StatementsPerPerson completions of the course (each evidence, each with a reflection task), a State and an Agent Profile document.
    private static async Task RecordsAsync(LrsProcess lrs, string key, string secret, IReadOnlyList<Subject> people)
    {
        using (var hr = FirstStartTests.Authenticated(lrs, key, secret))
            (await hr.PutAsync("/api/people", Json(new JsonArray([.. people.Select(p => (JsonNode)new JsonObject
            {
                ["id"] = p.Id, ["organisationId"] = "solna-stad", ["roles"] = new JsonArray("underskoterska"), ["agents"] = new JsonArray(p.Agent.DeepClone()),
            })])))).EnsureSuccessStatusCode();
        using var xapi = FirstStartTests.Authenticated(lrs, "crash", "crash-secret");
        foreach (var person in people)
        {
            for (var written = 0; written < StatementsPerPerson; written += 500)
            {
                var batch = Enumerable.Range(0, Math.Min(500, StatementsPerPerson - written))
                    .Select(_ => (JsonNode)Statement(person.Agent, activity: FrameworkTests.Course, registration: Guid.NewGuid()));
                (await xapi.PostAsync("/xapi/statements", Json(new JsonArray([.. batch])))).EnsureSuccessStatusCode();
            }
            (await xapi.PutAsync(StateOf(person), Json(new JsonObject { ["page"] = 7 }))).EnsureSuccessStatusCode();
            (await xapi.PutAsync(AgentProfileOf(person), Json(new JsonObject { ["language"] = "sv" }))).EnsureSuccessStatusCode();
        }
    }

    private static string StateOf(Subject person) =>
        $"/xapi/activities/state?activityId={Uri.EscapeDataString(FrameworkTests.Course)}&agent={Q(person.Agent)}&stateId=bookmark";

    private static string AgentProfileOf(Subject person) => $"/xapi/agents/profile?agent={Q(person.Agent)}&profileId=preferences";

    /// <summary>
    /// <c>whole</c> when the person, all their statements, as much evidence and as many reflection tasks, and both documents are
    /// there; <c>none</c> when none of it is; otherwise what was found. Evidence and tasks are keyed by agent, so for a person
    /// no longer there they are counted under the person put back with the same agent.
    /// </summary>
    private static async Task<string> OutcomeAsync(LrsProcess lrs, string key, string secret, Subject person)
    {
        using var hr = FirstStartTests.Authenticated(lrs, key, secret);
        using var xapi = FirstStartTests.Authenticated(lrs, "crash", "crash-secret");
        var exists = (await hr.GetAsync($"/api/people/{person.Id}")).StatusCode == HttpStatusCode.OK;
        var statements = (await xapi.GetAllAsync($"/xapi/statements?agent={Q(person.Agent)}&limit=500")).Count;
        var state = (await xapi.GetAsync(StateOf(person))).StatusCode == HttpStatusCode.OK;
        var agentProfile = (await xapi.GetAsync(AgentProfileOf(person))).StatusCode == HttpStatusCode.OK;
        if (!exists)
            (await hr.PutAsync("/api/people", Json(new JsonArray(new JsonObject
            {
                ["id"] = person.Id, ["organisationId"] = "solna-stad", ["roles"] = new JsonArray("underskoterska"), ["agents"] = new JsonArray(person.Agent.DeepClone()),
            })))).EnsureSuccessStatusCode();
        var profile = JsonNode.Parse(await hr.GetStringAsync($"/api/people/{person.Id}/profile"))!;
        var evidence = profile["competences"]!.AsArray().Single(c => c!["competence"]!.GetValue<string>() == "basal-hygien")!["evidence"]!.AsArray().Count;
        var tasks = 0;
        for (string? next = $"/api/reflection-tasks?person={person.Id}&limit=500"; next is not null;)
        {
            var page = JsonNode.Parse(await hr.GetStringAsync(next))!;
            tasks += page["tasks"]!.AsArray().Count;
            next = page["more"]?.GetValue<string>();
        }
        if (exists && statements == StatementsPerPerson && evidence == StatementsPerPerson && tasks == StatementsPerPerson && state && agentProfile) return "whole";
        if (!exists && statements == 0 && evidence == 0 && tasks == 0 && !state && !agentProfile) return "none";
        return $"part: person {exists}, statements {statements}, evidence {evidence}, tasks {tasks}, state {state}, agent profile {agentProfile}";
    }

    // Whether a transaction of the LRS has been open for a while: only an erasure's is, here.
    private static async Task<bool> ErasureTransactionOpenAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("""
            SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()
                AND xact_start IS NOT NULL AND now() - xact_start > interval '20 milliseconds'
            """, connection);
        return (long)(await command.ExecuteScalarAsync())! > 0;
    }
}
