using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Lrs.Api.Tests.Infrastructure;
using static Lrs.Api.Tests.Infrastructure.Xapi;

namespace Lrs.Api.Tests;

/// <summary>Acknowledged means durable: kill -9 while batches are being written, restart, count.</summary>
public sealed class CrashTests
{
    [Theory]
    [InlineData("Sqlite")]
    [InlineData("Postgres")]
    public async Task Kill_9_during_writes_loses_no_acknowledged_statement_or_its_evidence_or_task_and_leaves_no_partial_batch(string provider)
    {
        var directory = Directory.CreateTempSubdirectory("lrs-crash-").FullName;
        var environment = LrsProcess.FreshStore(provider, directory, "crash", "crash-secret");
        var actor = NewAgent();
        var acknowledged = new ConcurrentBag<string[]>();
        var sent = new ConcurrentBag<string[]>();
        try
        {
            string competenceKey, competenceSecret;
            await using (var lrs = await LrsProcess.StartAsync(directory, environment))
            {
                // Every statement written is competence evidence of one person: evidence must share the statements' fate.
                (competenceKey, competenceSecret) = await TrainingTenantAsync(lrs, "crash", "crash-secret");
                using (var hr = FirstStartTests.Authenticated(lrs, competenceKey, competenceSecret))
                    (await hr.PutAsync("/api/people", Json(new JsonArray(new JsonObject
                    {
                        ["id"] = "S-1", ["organisationId"] = "solna-stad", ["roles"] = new JsonArray("underskoterska"), ["agents"] = new JsonArray(actor.DeepClone()),
                    })))).EnsureSuccessStatusCode();
                using var stop = new CancellationTokenSource();
                var writers = Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
                {
                    using var client = FirstStartTests.Authenticated(lrs, "crash", "crash-secret");
                    while (!stop.IsCancellationRequested)
                    {
                        var batch = Enumerable.Range(0, 10).Select(_ => Statement(actor, activity: FrameworkTests.Course, registration: Guid.NewGuid(), id: Guid.NewGuid().ToString())).ToArray();
                        var ids = batch.Select(s => s["id"]!.GetValue<string>()).ToArray();
                        sent.Add(ids);
                        try
                        {
                            var response = await client.PostAsync("/xapi/statements", Json(new JsonArray([.. batch])));
                            if (response.IsSuccessStatusCode) acknowledged.Add(ids);
                        }
                        catch (HttpRequestException) { break; }
                        catch (TaskCanceledException) { break; }
                    }
                })).ToArray();

                // A fresh process on a busy machine may take seconds to acknowledge its first batch: the kill comes once writes flow.
                for (var deadline = DateTime.UtcNow.AddSeconds(60); acknowledged.IsEmpty && DateTime.UtcNow < deadline;) await Task.Delay(100);
                await Task.Delay(TimeSpan.FromSeconds(2));
                await lrs.KillAsync();
                stop.Cancel();
                await Task.WhenAll(writers);
            }
            acknowledged.Should().NotBeEmpty("writes were acknowledged before the kill");

            await using var restarted = await LrsProcess.StartAsync(directory, environment);
            using var reader = FirstStartTests.Authenticated(restarted, "crash", "crash-secret");
            var stored = (await reader.GetAllAsync($"/xapi/statements?agent={Q(actor)}")).Select(s => s["id"]!.GetValue<string>()).ToHashSet();

            foreach (var batch in acknowledged) stored.Should().Contain(batch, "every acknowledged statement survives kill -9");
            foreach (var batch in sent)
                batch.Count(stored.Contains).Should().BeOneOf([0, batch.Length], "a batch is stored whole or not at all");

            using var hrAfter = FirstStartTests.Authenticated(restarted, competenceKey, competenceSecret);
            var profile = JsonNode.Parse(await hrAfter.GetStringAsync("/api/people/S-1/profile"))!;
            var evidence = profile["competences"]!.AsArray().Single(c => c!["competence"]!.GetValue<string>() == "basal-hygien")!["evidence"]!.AsArray()
                .Select(e => e!.GetValue<string>()).ToHashSet();
            evidence.Except(stored).Take(5).Should().BeEmpty("evidence is written in the statement's own transaction: none without its statement");
            stored.Except(evidence).Take(5).Should().BeEmpty($"evidence is written in the statement's own transaction: none lost (evidence: {evidence.Count}, statements: {stored.Count})");
            var triggers = new HashSet<string>();
            for (string? next = "/api/reflection-tasks?person=S-1&limit=500"; next is not null;)
            {
                var page = JsonNode.Parse(await hrAfter.GetStringAsync(next))!;
                foreach (var task in page["tasks"]!.AsArray()) triggers.Add(task!["triggeringStatementId"]!.GetValue<string>());
                next = page["more"]?.GetValue<string>();
            }
            // Set differences, not BeEquivalentTo: thousands of items would make a failure message take minutes to build.
            triggers.Except(stored).Take(5).Should().BeEmpty("no task exists without its stored statement");
            stored.Except(triggers).Take(5).Should().BeEmpty($"every stored statement created its task (tasks: {triggers.Count}, statements: {stored.Count})");
        }
        finally
        {
            try { Directory.Delete(directory, recursive: true); } catch (IOException) { }
        }
    }

    /// <summary>
    /// Through the bootstrap credential (<paramref name="key"/>, <paramref name="secret"/>): an HR credential, and a framework in
    /// which every completion of <see cref="FrameworkTests.Course"/> is evidence and, with a registration of its own, triggers a
    /// reflection task; the organisation <c>solna-stad</c>. Returns the HR credential.
    /// </summary>
    internal static async Task<(string Key, string Secret)> TrainingTenantAsync(LrsProcess lrs, string key, string secret)
    {
        string hrKey, hrSecret;
        using (var admin = FirstStartTests.Authenticated(lrs, key, secret))
        {
            var issued = await admin.PostAsync("/api/admin/credentials", Json(new JsonObject
            {
                ["name"] = "hr", ["scopes"] = new JsonArray("framework:write", "people:write", "profiles:read", "reflections:read"),
            }));
            var credential = JsonNode.Parse(await issued.Content.ReadAsStringAsync())!;
            (hrKey, hrSecret) = (credential["key"]!.GetValue<string>(), credential["secret"]!.GetValue<string>());
        }
        using var hr = FirstStartTests.Authenticated(lrs, hrKey, hrSecret);
        (await hr.PutAsync("/api/framework", Json(FrameworkTests.SmallFrameworkWithReflection()))).EnsureSuccessStatusCode();
        (await hr.PutAsync("/api/organisations", Json(new JsonArray(new JsonObject { ["id"] = "solna-stad", ["name"] = "Solna stad" })))).EnsureSuccessStatusCode();
        return (hrKey, hrSecret);
    }
}

/// <summary>A stop is a stop: the process ends on SIGTERM once what it acknowledged is written.</summary>
public sealed class StopTests
{
    [Theory]
    [InlineData("Sqlite")]
    [InlineData("Postgres")]
    public async Task The_LRS_exits_on_SIGTERM_after_batches_small_and_large(string provider)
    {
        var directory = Directory.CreateTempSubdirectory("lrs-stop-").FullName;
        var environment = LrsProcess.FreshStore(provider, directory, "stop", "stop-secret");
        await using var lrs = await LrsProcess.StartAsync(directory, environment);
        using (var client = FirstStartTests.Authenticated(lrs, "stop", "stop-secret"))
        {
            var actor = NewAgent();
            // Batches large enough to be written on their own (on PostgreSQL, in a lane), and single statements in groups.
            var responses = await Task.WhenAll(Enumerable.Range(0, 6).Select(b => client.PostAsync("/xapi/statements", Json(b % 2 == 0
                ? new JsonArray([.. Enumerable.Range(0, 60).Select(_ => (JsonNode)Statement(actor))])
                : Statement(actor)))));
            responses.Should().OnlyContain(r => r.IsSuccessStatusCode);
        }

        var (exited, exitCode) = await lrs.TerminateAsync(TimeSpan.FromSeconds(30));
        exited.Should().BeTrue("the process ends on SIGTERM instead of hanging in its shutdown:\n" + lrs.Output);
        exitCode.Should().Be(0);
    }
}
