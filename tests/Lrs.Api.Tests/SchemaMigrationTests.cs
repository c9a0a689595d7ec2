using System.Data.Common;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Lrs.Api.Tests.Infrastructure;
using Microsoft.Data.Sqlite;
using Npgsql;
using static Lrs.Api.Tests.Infrastructure.Xapi;

namespace Lrs.Api.Tests;

/// <summary>
/// Versioned migrations, on each store: a database of the last unversioned schema (commit 6163426, kept under
/// Fixtures/Schema6163426 with rows that code wrote) is upgraded with its data intact; a database newer than the code is
/// refused; a second start changes nothing; nodes that start together on one database all start.
/// Every test makes its own database.
/// </summary>
public abstract class SchemaMigrationTests : IDisposable
{
    private const string Anna = """{"objectType":"Agent","account":{"homePage":"https://hr.solna.example","name":"emp-1001"}}""";
    private const string AnnaMbox = """{"objectType":"Agent","mbox":"mailto:anna.lind@solna.example"}""";
    private const string HygieneTest = "https://demo.lrsapi.se/xapi/activities/assessments/basal-hygien";
    private const string PassedStatement = "6f1c3a52-0b7e-4d49-9a51-3c2f0e8d7a01";
    private const string CompletedStatement = "6f1c3a52-0b7e-4d49-9a51-3c2f0e8d7a02";

    private readonly string _directory = Directory.CreateTempSubdirectory("lrs-migration-").FullName;

    protected abstract string Provider { get; }

    /// <summary>The name of this store's fixture files (sqlite, postgres).</summary>
    protected abstract string Dialect { get; }

    /// <summary>The connection string of a new, empty database.</summary>
    protected abstract string NewDatabase(string directory);

    protected abstract DbConnection Connect(string connectionString);

    /// <summary>This store's migrations, as the code knows them.</summary>
    protected abstract Lrs.Storage.SchemaMigrator Migrator { get; }

    // The versions this code has, in order (numbered 1, 2, 3, … without gaps), and the newest.
    private IReadOnlyList<int> KnownVersions => [.. Migrator.Migrations.Select(m => m.Version)];
    private int NewestVersion => Migrator.NewestVersion;

    [Fact]
    public async Task A_database_of_the_unversioned_schema_of_commit_6163426_is_upgraded_with_its_data_intact_and_queryable()
    {
        var database = await UnversionedDatabaseAsync();

        await using var lrs = new LrsOn(Provider, database);
        var client = await lrs.ClientWithScopesAsync("all admin operator profiles:read people:write reflections:read");

        // Statements by agent, through either of the person's agents, and by id.
        var byAccount = await client.GetAllAsync($"/xapi/statements?agent={Uri.EscapeDataString(Anna)}");
        byAccount.Select(s => s["id"]!.GetValue<string>()).Should().Equal(PassedStatement);
        byAccount[0]["result"]!["score"]!["scaled"]!.GetValue<double>().Should().Be(0.92);
        (await client.GetAllAsync($"/xapi/statements?agent={Uri.EscapeDataString(AnnaMbox)}")).Select(s => s["id"]!.GetValue<string>()).Should().Equal(CompletedStatement);
        (await client.GetAllAsync($"/xapi/statements?activity={Uri.EscapeDataString(HygieneTest)}&registration=0b1d2e3f-4a5b-4c6d-8e7f-901a2b3c4d5e"))
            .Should().ContainSingle();

        // The person, the competence profile computed from the stored evidence, and the reflection task.
        var person = (await client.GetFromJsonAsync<JsonNode>("/api/people/anna-lind"))!;
        person["name"]!.GetValue<string>().Should().Be("Anna Lind");
        var profile = (await client.GetFromJsonAsync<JsonNode>("/api/people/anna-lind/profile"))!;
        var hygiene = profile["competences"]!.AsArray().Single(c => c!["competence"]!.GetValue<string>() == "basal-hygien")!;
        hygiene["status"]!.GetValue<string>().Should().Be("valid");
        hygiene["evidence"]!.AsArray().Select(e => e!.GetValue<string>()).Should().Equal(PassedStatement);
        DateTimeOffset.Parse(hygiene["expiresAt"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture)
            .Should().Be(new DateTimeOffset(2027, 11, 20, 9, 30, 0, TimeSpan.Zero));
        var tasks = (await client.GetFromJsonAsync<JsonNode>("/api/reflection-tasks/?person=anna-lind"))!["tasks"]!.AsArray();
        tasks.Select(t => t!["templateId"]!.GetValue<string>()).Should().Equal("hygien-reflektion");
        tasks[0]!["triggeringStatementId"]!.GetValue<string>().Should().Be(PassedStatement);

        // The documents, bytes, content type and ETag as stored.
        var preferences = await client.GetAsync($"/xapi/agents/profile?agent={Uri.EscapeDataString(Anna)}&profileId=preferences");
        preferences.StatusCode.Should().Be(HttpStatusCode.OK);
        (await preferences.Content.ReadAsStringAsync()).Should().Be("""{"language":"sv","fontSize":"large"}""");
        preferences.Headers.ETag!.Tag.Should().Be("\"1b5bb6a61e7af9b5045751e089d3fa131ea88d86\"");
        var bookmark = await client.GetAsync($"/xapi/activities/state?activityId={Uri.EscapeDataString(HygieneTest)}&agent={Uri.EscapeDataString(Anna)}&stateId=bookmark");
        (await bookmark.Content.ReadAsStringAsync()).Should().Be("page-7");
        bookmark.Content.Headers.ContentType!.MediaType.Should().Be("text/plain");

        // The credentials keep their restrictions.
        var credentials = (await client.GetFromJsonAsync<JsonArray>("/api/admin/credentials"))!;
        credentials.Single(c => c!["name"]!.GetValue<string>() == "hr-solna")!["organisation"]!.GetValue<string>().Should().Be("solna-stad");

        // And the upgraded database takes new data: the identity sequences went along.
        var posted = await client.PostAsync(Statement(JsonNode.Parse(Anna)!.AsObject(), Passed, HygieneTest));
        (await client.GetAllAsync($"/xapi/statements?agent={Uri.EscapeDataString(Anna)}")).Select(s => s["id"]!.GetValue<string>()).Should().Equal(posted[0], PassedStatement);
        (await client.PostAsync("/api/admin/tenants", Json(new JsonObject { ["name"] = "after-upgrade" }))).StatusCode.Should().Be(HttpStatusCode.Created);

        (await VersionsAsync(database)).Select(v => v.Number).Should().Equal(KnownVersions);
        (await VersionsAsync(database))[0].Name.Should().Be("initial");
        if (Provider == "Postgres")
        {
            // Migration 10 rewrote the statements table; the start vacuumed and analysed it after migrating.
            await using var connection = Connect(database);
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = "SELECT last_vacuum IS NOT NULL AND last_analyze IS NOT NULL FROM pg_stat_user_tables WHERE relname = 'statements'";
            (await command.ExecuteScalarAsync()).Should().Be(true);
        }
    }

    [Fact]
    public async Task An_unversioned_database_without_the_credential_restriction_columns_gets_them_as_before()
    {
        var database = await UnversionedDatabaseAsync("ALTER TABLE credentials DROP COLUMN expires; ALTER TABLE credentials DROP COLUMN organisation; ALTER TABLE credentials DROP COLUMN actor; ALTER TABLE credentials DROP COLUMN registration;");

        await using var lrs = new LrsOn(Provider, database);
        var client = await lrs.ClientWithScopesAsync("all admin", restrictions: new Lrs.Core.Storage.CredentialRestrictions("solna-stad", null, null));
        (await client.GetFromJsonAsync<JsonArray>("/api/admin/credentials"))!.Select(c => (string?)c!["organisation"]).Should().Contain("solna-stad");
    }

    [Fact]
    public async Task An_unversioned_database_whose_schema_is_not_that_of_version_1_is_refused_with_what_differs()
    {
        var database = await UnversionedDatabaseAsync("ALTER TABLE people DROP COLUMN hsa_id;");

        var (exitCode, output) = await LrsProcess.RunUntilExitAsync(_directory, Environment(database));

        exitCode.Should().NotBe(0, output);
        output.Should().Contain("LrsApi cannot start: The database has the LRS's tables but no schema_migrations table").And.Contain("people.hsa_id (");
        (await VersionsAsync(database)).Should().BeEmpty("nothing is recorded for a database that was refused");
    }

    [Fact]
    public async Task A_database_migrated_by_a_newer_LRS_is_refused_at_start_and_the_process_exits_with_the_reason()
    {
        var database = NewDatabase(_directory);
        await using (var first = new LrsOn(Provider, database)) first.CreateClient();
        var future = NewestVersion + 1;
        await ExecuteAsync(database, $"INSERT INTO schema_migrations (version, name, checksum, applied_at) SELECT {future}, 'from_the_future', 'x', applied_at FROM schema_migrations WHERE version = 1");

        var (exitCode, output) = await LrsProcess.RunUntilExitAsync(_directory, Environment(database));

        exitCode.Should().NotBe(0, output);
        output.Should().Contain($"LrsApi cannot start: The database schema is at version {future} (from_the_future), newer than this LRS knows (up to {NewestVersion}");
        (await VersionsAsync(database)).Select(v => v.Number).Should().Equal([.. KnownVersions, future]);
    }

    [Fact]
    public async Task A_database_whose_recorded_migration_differs_from_the_code_s_script_is_refused_at_start()
    {
        var database = NewDatabase(_directory);
        await using (var first = new LrsOn(Provider, database)) first.CreateClient();
        await ExecuteAsync(database, "UPDATE schema_migrations SET checksum = 'edited' WHERE version = 1");

        var (exitCode, output) = await LrsProcess.RunUntilExitAsync(_directory, Environment(database));

        exitCode.Should().NotBe(0, output);
        output.Should().Contain("LrsApi cannot start: Migration 1 (initial) was applied to this database with a different script (checksum edited");
    }

    [Fact]
    public async Task A_second_start_applies_nothing_and_keeps_the_data()
    {
        var database = NewDatabase(_directory);
        string id;
        await using (var first = new LrsOn(Provider, database))
            id = (await first.Client().PostAsync(Statement()))[0];
        var before = await VersionsAsync(database);
        before.Select(v => v.Number).Should().Equal(KnownVersions);

        await using var second = new LrsOn(Provider, database);
        (await second.Client().GetAsync($"/xapi/statements?statementId={id}")).StatusCode.Should().Be(HttpStatusCode.OK);
        (await VersionsAsync(database)).Should().Equal(before);
    }

    [Fact]
    public async Task Two_nodes_starting_together_on_one_new_database_both_start_and_the_migrations_are_applied_once()
    {
        var database = NewDatabase(_directory);
        var environment = Environment(database);

        var starts = await Task.WhenAll(LrsProcess.StartAsync(_directory, environment), LrsProcess.StartAsync(_directory, environment));
        await using var one = starts[0];
        await using var two = starts[1];

        using var a = FirstStartTests.Authenticated(one, LrsFixture.Key, LrsFixture.Secret);
        using var b = FirstStartTests.Authenticated(two, LrsFixture.Key, LrsFixture.Secret);
        var id = (await a.PostAsync(Statement()))[0];
        (await b.GetAsync($"/xapi/statements?statementId={id}")).StatusCode.Should().Be(HttpStatusCode.OK);
        (await VersionsAsync(database)).Select(v => v.Number).Should().Equal(KnownVersions);
    }

    // A database as commit 6163426 left it: its schema, the rows it wrote, then (for a test) a change of an older database.
    private async Task<string> UnversionedDatabaseAsync(string? change = null)
    {
        var database = NewDatabase(_directory);
        var fixtures = Path.Combine(AppContext.BaseDirectory, "Fixtures", "Schema6163426");
        await ExecuteAsync(database, await File.ReadAllTextAsync(Path.Combine(fixtures, $"{Dialect}.sql")));
        await ExecuteAsync(database, await File.ReadAllTextAsync(Path.Combine(fixtures, $"{Dialect}-data.sql")));
        if (change is not null) await ExecuteAsync(database, change);
        return database;
    }

    private Dictionary<string, string> Environment(string database) => new()
    {
        ["Lrs__Storage__Provider"] = Provider,
        ["Lrs__Storage__ConnectionString"] = database,
        ["Lrs__Bootstrap__Key"] = LrsFixture.Key,
        ["Lrs__Bootstrap__Secret"] = LrsFixture.Secret,
    };

    private async Task ExecuteAsync(string database, string sql)
    {
        await using var connection = Connect(database);
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync();
    }

    private sealed record Version(int Number, string Name, string Checksum, string AppliedAt);

    // The version table as recorded, oldest first; empty when there is none.
    private async Task<List<Version>> VersionsAsync(string database)
    {
        await using var connection = Connect(database);
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT version, name, checksum, CAST(applied_at AS TEXT) FROM schema_migrations ORDER BY version";
        var versions = new List<Version>();
        try
        {
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
                versions.Add(new Version(Convert.ToInt32(reader.GetValue(0), System.Globalization.CultureInfo.InvariantCulture), reader.GetString(1), reader.GetString(2), reader.GetString(3)));
        }
        catch (DbException e) when (e.Message.Contains("schema_migrations", StringComparison.Ordinal))
        {
            // no version table
        }
        return versions;
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        try { Directory.Delete(_directory, recursive: true); } catch (IOException) { }
        GC.SuppressFinalize(this);
    }

    /// <summary>An LRS in this process on a database the test prepared.</summary>
    private sealed class LrsOn(string provider, string connectionString) : LrsFixture
    {
        protected override string Provider => provider;
        protected override string ConnectionString => connectionString;
    }
}

public sealed class SchemaMigrationTestsOnSqlite : SchemaMigrationTests
{
    protected override string Provider => "Sqlite";
    protected override string Dialect => "sqlite";
    protected override Lrs.Storage.SchemaMigrator Migrator { get; } = new Lrs.Storage.Sqlite.SqliteMigrator();
    protected override string NewDatabase(string directory) => $"Data Source={Path.Combine(directory, Guid.NewGuid().ToString("N") + ".db")}";
    protected override DbConnection Connect(string connectionString) => new SqliteConnection(connectionString);
}

public sealed class SchemaMigrationTestsOnPostgres : SchemaMigrationTests
{
    protected override string Provider => "Postgres";
    protected override string Dialect => "postgres";
    protected override Lrs.Storage.SchemaMigrator Migrator { get; } = new Lrs.Storage.Postgres.PostgresMigrator();
    protected override string NewDatabase(string directory) => PostgresServer.CreateDatabase();
    protected override DbConnection Connect(string connectionString) => new NpgsqlConnection(connectionString);
}
