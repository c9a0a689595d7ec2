using System.Diagnostics;
using System.Net;
using System.Text.RegularExpressions;
using Lrs.Api.Tests.Infrastructure;

namespace Lrs.Api.Tests;

/// <summary>The operator's CLI verbs of the real executable, against the store a server then uses.</summary>
public abstract partial class AdminCommandTests : IDisposable
{
    protected readonly string Directory = System.IO.Directory.CreateTempSubdirectory("lrs-cli-").FullName;

    /// <summary>Lrs__… variables that select this class's store, for the CLI and the server alike.</summary>
    protected abstract Dictionary<string, string> StoreEnvironment { get; }

    /// <summary>Runs SQL on this class's store directly (to make it look like a database of an older version).</summary>
    protected abstract Task ExecuteSqlAsync(string sql);

    /// <summary>SQL that undoes migrations 11 to 9 (<c>0011_statement_object_order</c>, <c>0010_statement_body_text</c>, <c>0009_statement_key_hashes</c>), which change nothing on SQLite.</summary>
    protected virtual string UndoStatementKeyHashes => "";

    private Task<(int ExitCode, string Output, string Error)> RunAsync(params string[] args) => RunAsync(Directory, StoreEnvironment, args);

    /// <summary>Runs the executable with <paramref name="args"/>, its output redirected (as a script or CI runs it).</summary>
    internal static async Task<(int ExitCode, string Output, string Error)> RunAsync(string directory, IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "Lrs.Api.dll"), .. args])
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var name in start.Environment.Keys.Where(n => n.StartsWith("Lrs__", StringComparison.Ordinal)).ToList()) start.Environment.Remove(name);
        foreach (var (name, value) in environment) start.Environment[name] = value;
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await output, await error);
    }

    [Fact]
    public async Task Demo_seed_makes_a_tenant_whose_profiles_and_unit_gaps_the_server_answers()
    {
        var tenant = "demo-" + Guid.NewGuid().ToString("N")[..8];
        var seeded = await RunAsync("demo", "seed", "--tenant", tenant, "--people", "24", "--statements-per-person", "12");
        seeded.ExitCode.Should().Be(0, seeded.Error);
        seeded.Output.Should().Contain("5 employers, 13 units, 36 people", "Metodrum's employers and half as many people come with Metodikum's");
        var key = KeyLine().Match(seeded.Output).Groups[1].Value;
        var secret = SecretLine().Match(seeded.Output).Groups[1].Value;
        var profilePath = System.Text.RegularExpressions.Regex.Match(seeded.Output, @"8080(/api/people/[^/\s]+/profile)").Groups[1].Value;
        var gapsPath = System.Text.RegularExpressions.Regex.Match(seeded.Output, @"8080(/api/units/[^/\s]+/gaps)").Groups[1].Value;
        profilePath.Should().NotBeEmpty(seeded.Output);

        (await RunAsync("demo", "seed", "--tenant", tenant)).ExitCode.Should().Be(1, "the tenant exists already");

        await using var server = await LrsProcess.StartAsync(Directory, StoreEnvironment);
        using var client = FirstStartTests.Authenticated(server, key, secret);
        var profile = System.Text.Json.Nodes.JsonNode.Parse(await client.GetStringAsync(profilePath))!;
        profile["competences"]!.AsArray().Should().NotBeEmpty();
        profile["competences"]!.AsArray().Select(c => c!["status"]!.GetValue<string>()).Should().Contain("valid");
        var gaps = System.Text.Json.Nodes.JsonNode.Parse(await client.GetStringAsync(gapsPath))!;
        gaps["members"]!.GetValue<int>().Should().BeGreaterThan(0);
        gaps["coverage"]!.AsArray().Should().NotBeEmpty();

        // The demo's training created reflection tasks, some answered, and each unit held a group reflection.
        var unit = gapsPath.Split('/')[3];
        var tasks = System.Text.Json.Nodes.JsonNode.Parse(await client.GetStringAsync($"/api/reflection-tasks?unit={unit}&limit=500"))!["tasks"]!.AsArray();
        tasks.Should().NotBeEmpty();
        tasks.Select(t => t!["status"]!.GetValue<string>()).Should().Contain("answered");
        var meetings = System.Text.Json.Nodes.JsonNode.Parse(await client.GetStringAsync($"/api/units/{unit}/group-reflections"))!["groupReflections"]!.AsArray();
        meetings.Should().ContainSingle().Which!["attendeeCount"]!.GetValue<int>().Should().BeGreaterThan(0);

        // The first unit plans: needs with its deviation reports, a plan followed month by month, a training plan for everyone, some behind.
        var needs = System.Text.Json.Nodes.JsonNode.Parse(await client.GetStringAsync($"/api/units/{unit}/needs"))!["needs"]!.AsArray();
        needs.Select(n => n!["kind"]!.GetValue<string>()).Should().Contain(["missing", "deviation"]);
        var progress = System.Text.Json.Nodes.JsonNode.Parse(await client.GetStringAsync($"/api/units/{unit}/plans/forflyttning-2026/progress"))!["goals"]!.AsArray();
        progress.Should().HaveCount(2);
        progress[0]!["months"]!.AsArray().Should().HaveCount(6);
        var training = System.Text.Json.Nodes.JsonNode.Parse(await client.GetStringAsync($"/api/units/{unit}/training-plans"))!;
        training["withPlan"]!.GetValue<int>().Should().Be(training["members"]!.GetValue<int>());
        training["overdue"]!.AsArray().Should().NotBeEmpty();
        training["onTrack"]!.GetValue<int>().Should().BeGreaterThan(0);
    }

    [Fact]
    public async Task Demo_statements_are_batches_without_ids_that_the_server_stores_and_a_framework_finds_evidence_in()
    {
        var file = Path.Combine(Directory, "batches.jsonl");
        var written = await RunAsync("demo", "statements", "--out", file, "--people", "20", "--statements-per-person", "15", "--batch", "40");
        written.ExitCode.Should().Be(0, written.Error);
        var lines = await File.ReadAllLinesAsync(file);
        lines.Should().NotBeEmpty();
        var batches = lines.Select(l => System.Text.Json.Nodes.JsonNode.Parse(l)!.AsArray()).ToList();
        batches.Should().OnlyContain(b => b.Count > 0 && b.Count <= 40);
        batches.SelectMany(b => b).Should().OnlyContain(s => !s!.AsObject().ContainsKey("id"));
        written.Output.Should().Contain($"{batches.Sum(b => b.Count)} statements of 20 people in {batches.Count} batches");
        lines[0].Should().NotContain("\\u00", "names are sent as UTF-8");

        var tenant = "belastning-" + Guid.NewGuid().ToString("N")[..8];
        (await RunAsync("tenants", "create", tenant)).ExitCode.Should().Be(0);
        var created = await RunAsync("credentials", "create", "--tenant", tenant, "--scopes", "statements/write");
        var (key, secret) = (KeyLine().Match(created.Output).Groups[1].Value, SecretLine().Match(created.Output).Groups[1].Value);
        await using (var server = await LrsProcess.StartAsync(Directory, StoreEnvironment))
        {
            using var client = FirstStartTests.Authenticated(server, key, secret, "1.0.3");
            // Twice: without ids, the same batch is new statements every time.
            foreach (var line in lines.Concat(lines.Take(1)))
            {
                var response = await client.PostAsync("/xapi/statements", new StringContent(line, System.Text.Encoding.UTF8, "application/json"));
                response.StatusCode.Should().Be(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
            }
        }

        // Stored before the tenant had a framework: importing one finds the evidence in them.
        var imported = await RunAsync("framework", "import", "--tenant", tenant, Path.Combine(AppContext.BaseDirectory, "Demo", "care-framework.json"));
        imported.ExitCode.Should().Be(0, imported.Error);
        int.Parse(Regex.Match(imported.Output, @"added=(\d+)").Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture).Should().BeGreaterThan(20);

        var seeded = await RunAsync("demo", "seed", "--tenant", tenant + "-units", "--people", "40", "--people-per-unit", "5", "--statements-per-person", "5");
        seeded.ExitCode.Should().Be(0, seeded.Error);
        seeded.Output.Should().Contain("5 employers, 15 units, 60 people");
        (await RunAsync("demo", "seed", "--tenant", tenant + "-none", "--people-per-unit", "0")).Error.Should().Contain("--people-per-unit is a whole number");
    }

    [Fact]
    public async Task Follow_up_export_writes_a_measure_of_the_demo_as_csv_for_excel()
    {
        var tenant = "follow-" + Guid.NewGuid().ToString("N")[..8];
        (await RunAsync("demo", "seed", "--tenant", tenant, "--people", "60", "--statements-per-person", "12")).ExitCode.Should().Be(0);
        var file = Path.Combine(Directory, "reach.csv");
        var exported = await RunAsync("follow-up", "export", "--tenant", tenant, "--measure", "reach", "--centre", "metodikum", "--locale", "sv-SE", "--out", file);
        exported.ExitCode.Should().Be(0, exported.Error);
        exported.Output.Should().Contain($"reach of tenant '{tenant}'").And.Contain(file);
        var bytes = await File.ReadAllBytesAsync(file);
        bytes.Take(3).Should().Equal(0xEF, 0xBB, 0xBF);
        var lines = System.Text.Encoding.UTF8.GetString(bytes, 3, bytes.Length - 3).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        lines[0].Should().Be("month;figure;by;group;value");
        lines.Should().Contain(l => l.Contains(";peopleTrained;employerKind;municipal;", StringComparison.Ordinal));
        lines.Should().Contain(l => l.Contains(";peopleTrained;employerKind;private;", StringComparison.Ordinal));

        var longTerm = await RunAsync("follow-up", "export", "--tenant", tenant, "--measure", "long-term", "--out", Path.Combine(Directory, "long.csv"));
        longTerm.ExitCode.Should().Be(0, longTerm.Error);
        (await File.ReadAllTextAsync(Path.Combine(Directory, "long.csv"))).Should().Contain(",coverage,unit,");

        (await RunAsync("follow-up", "export", "--tenant", tenant, "--measure", "happiness", "--out", file)).ExitCode.Should().Be(1);
        var badMonth = await RunAsync("follow-up", "export", "--tenant", tenant, "--measure", "reach", "--from", "2026-13", "--out", file);
        badMonth.ExitCode.Should().Be(1);
        badMonth.Error.Should().Contain("is not a month");
        (await RunAsync("follow-up", "export", "--tenant", "no-such-tenant", "--measure", "reach", "--out", file)).ExitCode.Should().Be(1);
    }

    [Fact]
    public async Task The_demo_framework_is_imported_exported_and_rebuilt_with_the_CLI_and_an_invalid_one_is_refused()
    {
        var tenant = "metodrum-" + Guid.NewGuid().ToString("N")[..8];
        (await RunAsync("tenants", "create", tenant)).ExitCode.Should().Be(0);
        var file = Path.Combine(AppContext.BaseDirectory, "Demo", "care-framework.json");

        var imported = await RunAsync("framework", "import", "--tenant", tenant, file);
        imported.ExitCode.Should().Be(0, imported.Error);
        imported.Output.Should().Contain("version=1 competences=15");

        var exported = await RunAsync("framework", "export", "--tenant", tenant);
        exported.ExitCode.Should().Be(0, exported.Error);
        var document = System.Text.Json.Nodes.JsonNode.Parse(exported.Output)!;
        document["competences"]!.AsArray().Select(c => c!["id"]!.GetValue<string>()).Should().Contain(["basal-hygien", "deleg-insulin"]);
        document["competences"]![0]!["name"]!["sv"]!.GetValue<string>().Should().Be("Introduktion inom vård och omsorg");

        var rebuilt = await RunAsync("evidence", "rebuild", "--tenant", tenant);
        rebuilt.ExitCode.Should().Be(0, rebuilt.Error);
        rebuilt.Output.Should().Contain("scanned=0 added=0 changed=0 retracted=0");

        var invalidFile = Path.Combine(Directory, "invalid.json");
        await File.WriteAllTextAsync(invalidFile, """{"competences":[{"id":"x","name":{"sv":"X"},"validity":"soon"}]}""");
        var invalid = await RunAsync("framework", "import", "--tenant", tenant, invalidFile);
        invalid.ExitCode.Should().Be(1);
        invalid.Error.Should().Contain("$.competences[0].validity");
        (await RunAsync("evidence", "rebuild", "--tenant", "no-such-tenant")).ExitCode.Should().Be(1);
    }

    [Fact]
    public async Task A_credential_created_with_the_CLI_works_is_listed_without_its_secret_and_fails_once_revoked()
    {
        var tenant = "metodikum-" + Guid.NewGuid().ToString("N")[..8];
        (await RunAsync("tenants", "create", tenant)).ExitCode.Should().Be(0);
        (await RunAsync("tenants", "list")).Output.Should().Contain(tenant);

        var created = await RunAsync("credentials", "create", "--tenant", tenant, "--name", "e-learning", "--scopes", "statements/write statements/read/mine state profile", "--expires", "2099-01-01T00:00:00Z");
        created.ExitCode.Should().Be(0, created.Error);
        var key = KeyLine().Match(created.Output).Groups[1].Value;
        var secret = SecretLine().Match(created.Output).Groups[1].Value;
        key.Should().NotBeEmpty(created.Output);
        secret.Should().NotBeEmpty(created.Output);

        await using (var server = await LrsProcess.StartAsync(Directory, StoreEnvironment))
        {
            using var client = FirstStartTests.Authenticated(server, key, secret);
            (await client.GetAsync("/xapi/statements?limit=1")).StatusCode.Should().Be(HttpStatusCode.OK);
        }

        var listed = await RunAsync("credentials", "list", "--tenant", tenant);
        listed.ExitCode.Should().Be(0, listed.Error);
        listed.Output.Should().Contain(key).And.Contain("statements/write statements/read/mine state profile").And.NotContain(secret);

        var revoked = await RunAsync("credentials", "revoke", key);
        revoked.ExitCode.Should().Be(0, revoked.Error);
        (await RunAsync("credentials", "list")).Output.Should().MatchRegex($@"{key}\t[^\n]*\trevoked\t");

        await using (var server = await LrsProcess.StartAsync(Directory, StoreEnvironment))
        {
            using var client = FirstStartTests.Authenticated(server, key, secret);
            (await client.GetAsync("/xapi/statements?limit=1")).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        }
    }

    [Fact]
    public async Task Mistakes_exit_with_1_and_say_what_is_wrong()
    {
        var unknownTenant = await RunAsync("credentials", "create", "--tenant", "no-such-" + Guid.NewGuid().ToString("N"));
        unknownTenant.ExitCode.Should().Be(1);
        unknownTenant.Error.Should().Contain("No tenant named");

        var tenant = "larcentra-" + Guid.NewGuid().ToString("N")[..8];
        (await RunAsync("tenants", "create", tenant)).ExitCode.Should().Be(0);
        var again = await RunAsync("tenants", "create", tenant);
        again.ExitCode.Should().Be(1);
        again.Error.Should().Contain("exists already");

        var badScope = await RunAsync("credentials", "create", "--tenant", tenant, "--scopes", "statements/write stuff");
        badScope.ExitCode.Should().Be(1);
        badScope.Error.Should().Contain("'stuff'");

        var pastExpiry = await RunAsync("credentials", "create", "--tenant", tenant, "--expires", "2001-01-01T00:00:00Z");
        pastExpiry.ExitCode.Should().Be(1);
        pastExpiry.Error.Should().Contain("has passed");

        (await RunAsync("credentials", "revoke", "no-such-key")).ExitCode.Should().Be(1);
        (await RunAsync("credentials", "frobnicate")).ExitCode.Should().Be(1);
    }

    [Fact]
    public async Task Restrictions_given_to_the_CLI_are_stored_in_a_database_from_before_them_and_shown_in_the_listing()
    {
        var tenant = "hemtjanst-" + Guid.NewGuid().ToString("N")[..8];
        (await RunAsync("tenants", "create", tenant)).ExitCode.Should().Be(0);
        var old = await RunAsync("credentials", "create", "--tenant", tenant, "--name", "old");
        var oldKey = KeyLine().Match(old.Output).Groups[1].Value;
        // A database written before credentials had restrictions (and before schema versions); the next start brings it up
        // to date, and the one after finds nothing to do.
        // Without what the migrations after 1 added, too: such a database never had it.
        await ExecuteSqlAsync("ALTER TABLE credentials DROP COLUMN organisation; ALTER TABLE credentials DROP COLUMN actor; ALTER TABLE credentials DROP COLUMN registration; " +
            "DROP TABLE privacy_policies; DROP TABLE privacy_keys; " +
            "DROP TABLE events; DROP TABLE competence_statuses; DROP INDEX ix_reflection_tasks_due; ALTER TABLE reflection_tasks DROP COLUMN overdue_announced; DROP TABLE webhook_subscriptions; " +
            "DROP TABLE unit_deviations; DROP TABLE unit_plans; DROP TABLE training_plans; " +
            "ALTER TABLE organisations DROP COLUMN kind; DROP TABLE learning_centres; " +
            "ALTER TABLE reflection_tasks DROP COLUMN available_from; ALTER TABLE reflection_answers DROP COLUMN score; DROP TABLE follow_up_facts; DROP INDEX ix_statements_voided; DROP TABLE schema_migrations;" +
            "ALTER TABLE tenants DROP COLUMN erasures;" +
            UndoStatementKeyHashes);
        for (var i = 0; i < 2; i++)
        {
            var upgraded = await RunAsync("credentials", "list", "--tenant", tenant);
            upgraded.ExitCode.Should().Be(0, upgraded.Error);
            upgraded.Output.Should().MatchRegex($@"{oldKey}\t[^\n]*\tnone");
        }

        var registration = Guid.NewGuid();
        var created = await RunAsync("credentials", "create", "--tenant", tenant, "--name", "cmi5 launch", "--scopes", "statements/write statements/read/mine state",
            "--organisation", "omsorgen-ab", "--actor", """{"account":{"homePage":"https://hr.omsorgen.example","name":"E77"}}""", "--registration", registration.ToString());
        created.ExitCode.Should().Be(0, created.Error);
        created.Output.Should().Contain("organisation=omsorgen-ab").And.Contain("E77").And.Contain($"registration={registration}");
        var key = KeyLine().Match(created.Output).Groups[1].Value;

        var listed = await RunAsync("credentials", "list", "--tenant", tenant);
        listed.Output.Should().MatchRegex($@"{key}\t[^\n]*\torganisation=omsorgen-ab; actor={{""account"":{{""homePage"":""https://hr.omsorgen.example"",""name"":""E77""}}}}; registration={registration}");

        var operatorCredential = await RunAsync("credentials", "create", "--tenant", tenant, "--name", "drift", "--scopes", "admin operator");
        operatorCredential.ExitCode.Should().Be(0, "the CLI is the operator's own tool and may issue operator");
        operatorCredential.Output.Should().Contain("admin operator");

        var group = await RunAsync("credentials", "create", "--tenant", tenant, "--actor", """{"objectType":"Group","mbox":"mailto:team@omsorgen.example"}""");
        group.ExitCode.Should().Be(1);
        group.Error.Should().Contain("actor is not an xAPI Agent");
        var notJson = await RunAsync("credentials", "create", "--tenant", tenant, "--actor", "E77");
        notJson.ExitCode.Should().Be(1);
        notJson.Error.Should().Contain("actor is not JSON");
        var badRegistration = await RunAsync("credentials", "create", "--tenant", tenant, "--registration", "42");
        badRegistration.ExitCode.Should().Be(1);
        badRegistration.Error.Should().Contain("not a UUID");
    }

    public void Dispose()
    {
        try { System.IO.Directory.Delete(Directory, recursive: true); } catch (IOException) { }
        GC.SuppressFinalize(this);
    }

    [GeneratedRegex(@"key:\s+(\S+)")]
    internal static partial Regex KeyLine();

    [GeneratedRegex(@"secret:\s+(\S+)")]
    internal static partial Regex SecretLine();
}

public sealed class AdminCommandTestsOnSqlite : AdminCommandTests
{
    protected override Dictionary<string, string> StoreEnvironment => new()
    {
        ["Lrs__Storage__Provider"] = "Sqlite",
        ["Lrs__Storage__ConnectionString"] = $"Data Source={Path.Combine(Directory, "lrs.db")}",
    };

    protected override async Task ExecuteSqlAsync(string sql)
    {
        await using var connection = new Microsoft.Data.Sqlite.SqliteConnection(StoreEnvironment["Lrs__Storage__ConnectionString"]);
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync();
    }
}

public sealed class AdminCommandTestsOnPostgres : AdminCommandTests
{
    private readonly Lazy<string> _database = new(PostgresServer.CreateDatabase);

    protected override Dictionary<string, string> StoreEnvironment => new()
    {
        ["Lrs__Storage__Provider"] = "Postgres",
        ["Lrs__Storage__ConnectionString"] = _database.Value,
    };

    protected override string UndoStatementKeyHashes => " " + PostgresServer.UndoStatementKeyHashes;

    protected override async Task ExecuteSqlAsync(string sql)
    {
        await using var connection = new Npgsql.NpgsqlConnection(_database.Value);
        await connection.OpenAsync();
        await using var command = new Npgsql.NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
