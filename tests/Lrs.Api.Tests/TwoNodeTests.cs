using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Lrs.Api.Tests.Infrastructure;
using Npgsql;
using static Lrs.Api.Tests.Infrastructure.Xapi;

namespace Lrs.Api.Tests;

/// <summary>
/// Two LRS processes on one PostgreSQL database, started together, as two nodes behind a load balancer: clients
/// alternate between them. PostgreSQL only: a SQLite file is one node's.
/// </summary>
public class TwoNodes : IAsyncLifetime
{
    public const string Key = "nodes-key";
    public const string Secret = "nodes-secret-3b7a";

    private readonly List<string> _directories = [];

    public string ConnectionString { get; } = PostgresServer.CreateDatabase();
    public LrsProcess A { get; private set; } = null!;
    public LrsProcess B { get; private set; } = null!;

    /// <summary>Settings (environment variables) a derived fixture adds to both nodes'.</summary>
    protected virtual IReadOnlyDictionary<string, string> Settings { get; } = new Dictionary<string, string>();

    public async Task InitializeAsync()
    {
        // Started at the same moment on an empty database: both migrate, under one lock.
        var nodes = await Task.WhenAll(StartAsync(), StartAsync());
        (A, B) = (nodes[0], nodes[1]);
    }

    private Task<LrsProcess> StartAsync()
    {
        var directory = Directory.CreateTempSubdirectory("lrs-node-").FullName;
        _directories.Add(directory);
        var environment = new Dictionary<string, string>(Settings)
        {
            ["Lrs__Storage__Provider"] = "Postgres",
            ["Lrs__Storage__ConnectionString"] = ConnectionString,
            ["Lrs__Bootstrap__Key"] = Key,
            ["Lrs__Bootstrap__Secret"] = Secret,
        };
        return LrsProcess.StartAsync(directory, environment);
    }

    /// <summary>Starts a new process in place of <paramref name="node"/> (one that was killed), so the pair is whole again.</summary>
    public async Task ReplaceAsync(LrsProcess node)
    {
        var started = await StartAsync();
        if (node == A) A = started;
        else B = started;
        await node.DisposeAsync();
    }

    public HttpClient Client(LrsProcess node, string version = "1.0.3") => FirstStartTests.Authenticated(node, Key, Secret, version);

    /// <summary>A fresh tenant and its first credential (every scope) on each node.</summary>
    public async Task<(HttpClient A, HttpClient B, string Tenant)> TenantAsync()
    {
        using var admin = Client(A, "2.0.0");
        var name = "n-" + Guid.NewGuid().ToString("N")[..10];
        var created = await admin.PostAsJsonAsync("/api/admin/tenants", new { name, credential = new { name = "hr" } });
        created.StatusCode.Should().Be(HttpStatusCode.Created, await created.Content.ReadAsStringAsync());
        var credential = (await created.Content.ReadFromJsonAsync<JsonObject>())!["credential"]!;
        var (key, secret) = (credential["key"]!.GetValue<string>(), credential["secret"]!.GetValue<string>());
        return (FirstStartTests.Authenticated(A, key, secret), FirstStartTests.Authenticated(B, key, secret), name);
    }

    public async Task DisposeAsync()
    {
        await Task.WhenAll(A.DisposeAsync().AsTask(), B.DisposeAsync().AsTask());
        foreach (var directory in _directories)
            try { Directory.Delete(directory, recursive: true); } catch (IOException) { }
    }
}

public sealed class TwoNodeTests(TwoNodes nodes) : IClassFixture<TwoNodes>
{
    [Fact]
    public async Task Two_nodes_started_together_on_an_empty_database_both_serve_and_each_migration_was_applied_once()
    {
        using var probe = new HttpClient();
        foreach (var node in new[] { nodes.A, nodes.B })
            (await probe.GetAsync(new Uri(node.BaseAddress, "/health/ready"))).StatusCode.Should().Be(HttpStatusCode.OK);

        await using var connection = new NpgsqlConnection(nodes.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT version, count(*) FROM schema_migrations GROUP BY version ORDER BY version", connection);
        var applied = new List<(int Version, long Count)>();
        await using (var reader = await command.ExecuteReaderAsync())
            while (await reader.ReadAsync()) applied.Add((reader.GetInt32(0), reader.GetInt64(1)));
        var shipped = typeof(Lrs.Storage.SchemaMigrator).Assembly.GetManifestResourceNames().Count(n => n.StartsWith("Lrs.Storage.Migrations.Postgres.", StringComparison.Ordinal));
        applied.Select(a => a.Version).Should().Equal(Enumerable.Range(1, shipped));
        applied.Should().OnlyContain(a => a.Count == 1);
        (nodes.A.Output + nodes.B.Output).Should().NotContain("Exception");
    }

    [Fact]
    public async Task Writes_alternating_between_the_nodes_are_all_stored_and_readable_on_both_and_each_node_groups_its_own_commits()
    {
        using var a = nodes.Client(nodes.A);
        using var b = nodes.Client(nodes.B);
        var before = await Task.WhenAll(ScrapeAsync(nodes.A), ScrapeAsync(nodes.B));

        // Eight clients, each alternating between the nodes, 16 requests each: 64 requests per node, many at once.
        var ids = (await Task.WhenAll(Enumerable.Range(0, 8).Select(async c =>
        {
            var written = new List<string>();
            for (var i = 0; i < 16; i++)
            {
                var id = Guid.NewGuid().ToString();
                var response = await ((c + i) % 2 == 0 ? a : b).PostAsync("/xapi/statements", Json(Statement(NewAgent(), id: id)));
                response.StatusCode.Should().Be(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
                written.Add(id);
            }
            return written;
        }))).SelectMany(w => w).ToList();

        foreach (var (id, i) in ids.Select((id, i) => (id, i)))
            (await (i % 2 == 0 ? b : a).GetAsync($"/xapi/statements?statementId={id}")).StatusCode.Should().Be(HttpStatusCode.OK, id);

        var after = await Task.WhenAll(ScrapeAsync(nodes.A), ScrapeAsync(nodes.B));
        for (var n = 0; n < 2; n++)
        {
            var requests = MetricsTests.Value(after[n], "lrs_group_commit_wait_duration_seconds_count") - MetricsTests.Value(before[n], "lrs_group_commit_wait_duration_seconds_count");
            var groups = MetricsTests.Value(after[n], "lrs_group_commit_size_count") - MetricsTests.Value(before[n], "lrs_group_commit_size_count");
            requests.Should().BeGreaterThanOrEqualTo(64, "each node writes the requests it received");
            groups.Should().BeInRange(1, requests);
        }
    }

    [Fact]
    public async Task A_credential_revoked_on_one_node_is_refused_by_the_other_within_its_recheck_bound()
    {
        using var adminA = nodes.Client(nodes.A);
        var issued = await adminA.PostAsJsonAsync("/api/admin/credentials", new { name = "revoked", scopes = new[] { "statements/read" } });
        issued.StatusCode.Should().Be(HttpStatusCode.Created, await issued.Content.ReadAsStringAsync());
        var credential = (await issued.Content.ReadFromJsonAsync<JsonObject>())!;
        var key = credential["key"]!.GetValue<string>();
        using var onA = FirstStartTests.Authenticated(nodes.A, key, credential["secret"]!.GetValue<string>(), "1.0.3");
        using var onB = FirstStartTests.Authenticated(nodes.B, key, credential["secret"]!.GetValue<string>(), "1.0.3");
        (await onB.GetAsync("/xapi/statements?limit=1")).StatusCode.Should().Be(HttpStatusCode.OK, "node B verifies and remembers it");

        (await adminA.DeleteAsync($"/api/admin/credentials/{key}")).StatusCode.Should().Be(HttpStatusCode.NoContent);
        var revoked = Stopwatch.StartNew();
        (await onA.GetAsync("/xapi/statements?limit=1")).StatusCode.Should().Be(HttpStatusCode.Unauthorized, "the node that revoked it forgets it at once");
        // The promise: a request node B receives more than RecheckAfter after the revocation is refused. So what is measured is
        // when the last request that still passed was sent, not how long the requests took on a busy machine.
        var lastPassedSent = TimeSpan.Zero;
        while (revoked.Elapsed < TimeSpan.FromSeconds(30))
        {
            var sent = revoked.Elapsed;
            if ((await onB.GetAsync("/xapi/statements?limit=1")).StatusCode != HttpStatusCode.OK) break;
            lastPassedSent = sent;
            await Task.Delay(100);
        }

        (await onB.GetAsync("/xapi/statements?limit=1")).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        lastPassedSent.Should().BeLessThan(Lrs.Api.Auth.CredentialVerifier.RecheckAfter, "node B read the credential before the revocation, and again once RecheckAfter had passed");
    }

    [Fact]
    public async Task A_name_recorded_on_one_node_and_erased_on_the_other_is_recorded_again_by_the_first()
    {
        var (onA, onB, _) = await nodes.TenantAsync();
        var m = Guid.NewGuid().ToString("N")[..8];
        var named = new JsonObject { ["objectType"] = "Agent", ["mbox"] = $"mailto:eva-{m}@omsorg.example", ["name"] = $"Eva {m}" };
        (await onA.PutAsync("/api/organisations", Json(new JsonArray(new JsonObject { ["id"] = "omsorg", ["name"] = "Omsorg" })))).EnsureSuccessStatusCode();
        (await onA.PutAsync("/api/people", Json(new JsonArray(new JsonObject
        {
            ["id"] = "E-1", ["organisationId"] = "omsorg", ["name"] = $"Eva {m}", ["agents"] = new JsonArray(new JsonObject { ["mbox"] = named["mbox"]!.DeepClone() }),
        })))).EnsureSuccessStatusCode();

        var mbox = new JsonObject { ["mbox"] = named["mbox"]!.DeepClone() };
        await onA.PostAsync(Statement(named, activity: NewActivityId()));
        (await onA.AgentNamesAsync(mbox)).Should().Equal($"Eva {m}");
        (await onB.PostAsync("/api/people/E-1/erasure", Json(new JsonObject { ["mode"] = "erase" }))).EnsureSuccessStatusCode();
        (await onA.AgentNamesAsync(mbox)).Should().BeEmpty();

        // Node A remembers having recorded the name; the erasure on B is what tells it that the name is gone.
        await onA.PostAsync(Statement(named, activity: NewActivityId()));
        (await onB.AgentNamesAsync(mbox)).Should().Equal($"Eva {m}");
    }

    [Fact]
    public async Task A_framework_change_on_one_node_applies_to_the_next_batch_on_the_other()
    {
        var (onA, onB, _) = await nodes.TenantAsync();
        await SessionTests.SetUpTenantAsync(onA);
        // Node B reads (and caches) the framework as it is now.
        var course = NewActivityId();
        var s1 = new JsonObject { ["objectType"] = "Agent", ["account"] = new JsonObject { ["homePage"] = "https://hr.solna.example", ["name"] = "S-1" } };
        (await onB.PostAsync("/xapi/statements", Json(Statement(s1, Completed, course)))).StatusCode.Should().Be(HttpStatusCode.OK);

        var framework = SessionTests.Framework();
        framework["competences"]!.AsArray().Add(new JsonObject { ["id"] = "basal-hygien", ["name"] = new JsonObject { ["sv"] = "Basala hygienrutiner" }, ["validity"] = "P1Y" });
        framework["rules"]!.AsArray().Add(new JsonObject { ["id"] = "hygien-kurs", ["competence"] = "basal-hygien", ["verbs"] = new JsonArray(Completed), ["activities"] = new JsonArray(course) });
        (await onA.PutAsync("/api/framework", Json(framework))).StatusCode.Should().Be(HttpStatusCode.OK);

        var id = Guid.NewGuid().ToString();
        (await onB.PostAsync("/xapi/statements", Json(Statement(s1, Completed, course, id: id)))).StatusCode.Should().Be(HttpStatusCode.OK);
        var profile = (await onB.GetFromJsonAsync<JsonObject>("/api/people/S-1/profile"))!;
        var hygiene = profile["competences"]!.AsArray().Single(c => c!["competence"]!.GetValue<string>() == "basal-hygien")!;
        hygiene["status"]!.GetValue<string>().Should().Be("valid");
        hygiene.ToJsonString().Should().Contain(id, "node B recorded evidence from its new statement under the rule node A added");
    }

    [Fact]
    public async Task Consistent_through_on_one_node_stays_before_a_write_still_in_flight_on_the_other_and_passes_it_once_committed()
    {
        using var a = nodes.Client(nodes.A);
        using var b = nodes.Client(nodes.B);
        var course = NewActivityId();
        (await a.PostAsync("/xapi/statements", Json(Statement(NewAgent(), Completed, course)))).StatusCode.Should().Be(HttpStatusCode.OK);

        // Hold the activity's row: node A's next statement, which adds a name to its definition, waits for it inside its
        // transaction, with its stored time already given.
        await using var connection = new NpgsqlConnection(nodes.ConnectionString);
        await connection.OpenAsync();
        await using var hold = await connection.BeginTransactionAsync();
        await using (var select = new NpgsqlCommand("SELECT 1 FROM activities WHERE iri = @iri FOR UPDATE", connection, hold))
        {
            select.Parameters.AddWithValue("iri", course);
            (await select.ExecuteScalarAsync()).Should().Be(1);
        }
        var renamed = Statement(NewAgent(), Completed, course);
        renamed["object"]!["definition"]!["name"]!["nb-NO"] = "Grunnleggende hygiene";
        var pending = a.PostAsync("/xapi/statements", Json(renamed));
        await WaitForLockWaitAsync(connection);
        await Task.Delay(TimeSpan.FromSeconds(1));

        var whileInFlight = ConsistentThrough(await b.GetAsync("/xapi/statements?limit=1"));
        await hold.RollbackAsync();
        var written = await pending;
        written.StatusCode.Should().Be(HttpStatusCode.OK);
        var id = (await written.Content.ReadFromJsonAsync<JsonArray>())![0]!.GetValue<string>();
        var stored = DateTimeOffset.Parse((await b.GetFromJsonAsync<JsonObject>($"/xapi/statements?statementId={id}"))!["stored"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture);

        whileInFlight.Should().BeBefore(stored, "node B may not claim a time before which node A's uncommitted statement could still appear");
        var deadline = DateTime.UtcNow.AddSeconds(5);
        DateTimeOffset later;
        while ((later = ConsistentThrough(await b.GetAsync("/xapi/statements?limit=1"))) < stored && DateTime.UtcNow < deadline) await Task.Delay(50);
        later.Should().BeOnOrAfter(stored);
    }

    [Fact]
    public async Task A_node_whose_store_is_disposed_drops_out_of_the_exchange_and_never_publishes_again()
    {
        // A bound a year back, so this exchange's entry is found by its name.
        var own = DateTimeOffset.UtcNow.AddYears(-1);
        var name = $"lrs-through {(own.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / TimeSpan.TicksPerMicrosecond}";
        var exchange = new Lrs.Storage.Postgres.ConsistencyExchange(nodes.ConnectionString);
        (await exchange.ExchangeAsync(own, CancellationToken.None)).Should().NotBeNull("nodes A and B publish theirs");
        (await NamedAsync(name)).Should().Be(1);

        // An exchange racing the disposal either finishes first or is refused; either way nothing stays open.
        var racing = exchange.ExchangeAsync(own, CancellationToken.None);
        await exchange.DisposeAsync();
        try { await racing; } catch (ObjectDisposedException) { }
        await FluentActions.Awaiting(() => exchange.ExchangeAsync(own, CancellationToken.None)).Should().ThrowAsync<ObjectDisposedException>();

        var deadline = DateTime.UtcNow.AddSeconds(5);
        while (await NamedAsync(name) > 0 && DateTime.UtcNow < deadline) await Task.Delay(50);
        (await NamedAsync(name)).Should().Be(0, "a stale bound left in pg_stat_activity would hold every node's header back");
        using var a = nodes.Client(nodes.A);
        var deadline2 = DateTime.UtcNow.AddSeconds(5);
        DateTimeOffset header;
        while ((header = ConsistentThrough(await a.GetAsync("/xapi/statements?limit=1"))) < DateTimeOffset.UtcNow.AddMinutes(-1) && DateTime.UtcNow < deadline2) await Task.Delay(50);
        header.Should().BeAfter(DateTimeOffset.UtcNow.AddMinutes(-1), "node A no longer sees the year-old bound");
    }

    private async Task<long> NamedAsync(string applicationName)
    {
        await using var connection = new NpgsqlConnection(nodes.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND application_name = @name", connection);
        command.Parameters.AddWithValue("name", applicationName);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    private static DateTimeOffset ConsistentThrough(HttpResponseMessage response)
    {
        response.StatusCode.Should().Be(HttpStatusCode.OK);
        return DateTimeOffset.Parse(response.Headers.GetValues("X-Experience-API-Consistent-Through").Single(), System.Globalization.CultureInfo.InvariantCulture);
    }

    private static async Task WaitForLockWaitAsync(NpgsqlConnection connection)
    {
        await using var waiting = new NpgsqlCommand(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()", connection);
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while ((long)(await waiting.ExecuteScalarAsync())! == 0)
        {
            DateTime.UtcNow.Should().BeBefore(deadline, "node A's write should be waiting for the held row");
            await Task.Delay(50);
        }
    }

    internal static async Task<string> ScrapeAsync(LrsProcess node)
    {
        using var scraper = new HttpClient { BaseAddress = node.BaseAddress };
        return await scraper.GetStringAsync("/metrics");
    }
}
