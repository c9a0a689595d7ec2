using System.Collections.Concurrent;
using System.Net;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Lrs.Api.Tests.Infrastructure;
using Npgsql;
using static Lrs.Api.Tests.Infrastructure.Xapi;

namespace Lrs.Api.Tests;

/// <summary>
/// The database goes away under load and comes back: 503 with Retry-After meanwhile (never 500), one warning per outage
/// in the log, and afterwards the same requests succeed without a restart and nothing acknowledged is lost.
/// </summary>
public sealed partial class OutageTests
{
    private const string Key = "outage";
    private const string Secret = "outage-secret";

    [Fact]
    public async Task While_PostgreSQL_is_stopped_requests_get_503_with_Retry_After_and_after_it_is_back_they_succeed_and_nothing_acknowledged_is_lost()
    {
        using var cluster = PostgresServer.StartOwnCluster();
        await using (var admin = new NpgsqlConnection(cluster.ConnectionString))
        {
            await admin.OpenAsync();
            await using var create = new NpgsqlCommand("CREATE DATABASE lrs", admin);
            await create.ExecuteNonQueryAsync();
        }
        var directory = Directory.CreateTempSubdirectory("lrs-outage-").FullName;
        var environment = new Dictionary<string, string>
        {
            ["Lrs__Storage__Provider"] = "Postgres",
            ["Lrs__Storage__ConnectionString"] = new NpgsqlConnectionStringBuilder(cluster.ConnectionString) { Database = "lrs" }.ConnectionString,
            ["Lrs__Bootstrap__Key"] = Key,
            ["Lrs__Bootstrap__Secret"] = Secret,
        };
        try
        {
            await using var lrs = await LrsProcess.StartAsync(directory, environment);
            using var client = FirstStartTests.Authenticated(lrs, Key, Secret, "1.0.3");
            var actor = NewAgent();
            (await client.PostAsync("/xapi/statements", Json(WithId(Statement(actor))))).StatusCode.Should().Be(HttpStatusCode.OK);

            // Load throughout: four writers posting statements with ids of their own, before, during and after the outage.
            var acknowledged = new ConcurrentBag<string>();
            var unanswered = new ConcurrentBag<JsonObject>();
            var statuses = new ConcurrentBag<HttpStatusCode>();
            using var stopLoad = new CancellationTokenSource();
            var writers = Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
            {
                while (!stopLoad.IsCancellationRequested)
                {
                    var batch = new JsonArray(WithId(Statement(actor)), WithId(Statement(actor)));
                    var response = await client.PostAsync("/xapi/statements", Json(batch));
                    statuses.Add(response.StatusCode);
                    foreach (var s in batch)
                        if (response.StatusCode == HttpStatusCode.OK) acknowledged.Add(s!["id"]!.GetValue<string>());
                        else unanswered.Add((JsonObject)s!);
                }
            })).ToList();
            await Task.Delay(500);

            cluster.StopServer();
            await Task.Delay(500);
            var post = await client.PostAsync("/xapi/statements", Json(WithId(Statement(actor))));
            var get = await client.GetAsync($"/xapi/statements?agent={Q(actor)}");
            var api = await client.GetAsync("/api/admin/tenants");
            foreach (var response in new[] { post, get })
            {
                response.StatusCode.Should().Be(HttpStatusCode.ServiceUnavailable, await response.Content.ReadAsStringAsync());
                response.Headers.RetryAfter!.Delta.Should().BePositive();
                response.Header("X-Experience-API-Version").Should().NotBeNull();
                (await response.Content.ReadAsStringAsync()).Should().Contain("\"message\"").And.Contain("database");
            }
            var postMessage = JsonNode.Parse(await post.Content.ReadAsStringAsync())!["message"]!.GetValue<string>();
            postMessage.Should().Match(m => m.Contains("nothing of this request was stored") || m.Contains("unknown"));
            api.StatusCode.Should().Be(HttpStatusCode.ServiceUnavailable);
            api.Headers.RetryAfter.Should().NotBeNull();
            api.Content.Headers.ContentType!.MediaType.Should().Be("application/problem+json");
            (await api.Content.ReadAsStringAsync()).Should().Contain("Database unavailable");
            await Task.Delay(1500);

            cluster.StartServer();
            var deadline = DateTime.UtcNow.AddSeconds(30);
            while ((await client.GetAsync($"/xapi/statements?agent={Q(actor)}&limit=1")).StatusCode != HttpStatusCode.OK)
            {
                DateTime.UtcNow.Should().BeBefore(deadline, "the LRS recovers without a restart once the database is back");
                await Task.Delay(200);
            }
            await Task.Delay(500);
            await stopLoad.CancelAsync();
            await Task.WhenAll(writers);

            statuses.Should().NotContain(s => (int)s >= 500 && s != HttpStatusCode.ServiceUnavailable, "an outage is a 503, never a 500");
            statuses.Should().Contain(HttpStatusCode.ServiceUnavailable);
            (await client.PostAsync("/xapi/statements", Json(WithId(Statement(actor))))).StatusCode.Should().Be(HttpStatusCode.OK);
            (await client.GetAsync("/api/admin/tenants")).StatusCode.Should().Be(HttpStatusCode.OK);

            // Acknowledged means stored; what got a 503 may be sent again with the same ids (some may be stored already).
            foreach (var id in acknowledged)
                (await client.GetAsync($"/xapi/statements?statementId={id}")).StatusCode.Should().Be(HttpStatusCode.OK, $"statement {id} was acknowledged");
            foreach (var chunk in unanswered.Chunk(500))
            {
                var retry = await client.PostAsync("/xapi/statements", Json(new JsonArray([.. chunk.Select(s => s.DeepClone())])));
                retry.StatusCode.Should().Be(HttpStatusCode.OK, await retry.Content.ReadAsStringAsync());
            }

            // The probe logs the return within a second or so.
            deadline = DateTime.UtcNow.AddSeconds(10);
            while (!lrs.Output.Contains("reachable again") && DateTime.UtcNow < deadline) await Task.Delay(200);
            var log = lrs.Output;
            UnreachableWarning().Matches(log).Should().HaveCount(1, "one warning per outage, not one per request:\n" + log);
            log.Should().Contain("The database is reachable again");
            log.Should().NotContain("fail:", "an outage is not logged as an error per request").And.NotContain("   at ", "no stack traces");
        }
        finally
        {
            try { Directory.Delete(directory, recursive: true); } catch (IOException) { }
        }
    }

    private static JsonObject WithId(JsonObject statement)
    {
        statement["id"] = Guid.NewGuid().ToString();
        return statement;
    }

    [GeneratedRegex(@"warn: Lrs\.Api\.Hosting\.StoreOutage")]
    private static partial Regex UnreachableWarning();
}
