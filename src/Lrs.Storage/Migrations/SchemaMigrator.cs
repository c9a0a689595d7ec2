using System.Data.Common;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace Lrs.Storage;

/// <summary>One numbered SQL script of a dialect, as embedded in this assembly.</summary>
public sealed record Migration(int Version, string Name, string Sql, string Checksum);

/// <summary>The database's schema is not one this code may run on; the message says why and what to do.</summary>
public sealed class IncompatibleSchemaException(string message) : Exception(message);

/// <summary>
/// Brings a database to the newest schema this code knows. The migrations are the numbered SQL scripts embedded under
/// <c>Migrations/{dialect}/NNNN_name.sql</c>; pending ones run in order inside the caller's transaction, which holds the
/// store's start-up lock, and each is recorded in <c>schema_migrations</c> (version, name, checksum, applied_at).
/// Either every pending migration is applied and recorded, or (on any error) none.
/// </summary>
public abstract partial class SchemaMigrator
{
    /// <summary>The table that records applied migrations.</summary>
    public const string VersionTable = "schema_migrations";

    // A table every database of the LRS has had since its first version: its presence without a version table marks a
    // database created before migrations were versioned.
    private const string UnversionedMarker = "tenants";

    /// <param name="dialect">The folder of the dialect's scripts under Migrations.</param>
    /// <param name="sql">The dialect's words the runner needs: the column type of a point in time, the current time as
    /// the dialect stores it, and a query selecting the name of every table in the schema the store uses.</param>
    protected SchemaMigrator(string dialect, (string TimeType, string Now, string Tables) sql)
    {
        Migrations = Load(dialect);
        (TimeType, NowSql, TablesSql) = sql;
    }

    /// <summary>The data steps of the migrations (see <see cref="MigrateAsync"/>) for a store of <paramref name="db"/>'s dialect.</summary>
    public static IReadOnlyDictionary<int, Func<DbTransaction, CancellationToken, Task>> DataSteps(Dialect db) =>
        new Dictionary<int, Func<DbTransaction, CancellationToken, Task>> { [7] = new FollowUpFacts(db).BackfillAsync };

    /// <summary>This dialect's migrations, oldest first, numbered 1, 2, 3, … without gaps.</summary>
    public IReadOnlyList<Migration> Migrations { get; }

    /// <summary>The number of this dialect's newest migration: the schema version the code expects.</summary>
    public int NewestVersion => Migrations[^1].Version;

    /// <summary>The newest migration <paramref name="connection"/>'s database records, 0 for none.</summary>
    public static async Task<int> RecordedVersionAsync(DbConnection connection, CancellationToken ct)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT MAX(version) FROM {VersionTable}";
        return await command.ExecuteScalarAsync(ct) is { } version and not DBNull
            ? Convert.ToInt32(version, System.Globalization.CultureInfo.InvariantCulture) : 0;
    }

    /// <summary>Creates the version table (version, name, checksum, applied_at).</summary>
    private string CreateVersionTableSql => $"""
        CREATE TABLE {VersionTable} (
            version integer PRIMARY KEY,
            name text NOT NULL,
            checksum text NOT NULL,
            applied_at {TimeType} NOT NULL)
        """;

    private string TimeType { get; }

    private string NowSql { get; }

    private string TablesSql { get; }

    /// <summary>Every column of the store's tables, as "table.column" → declared type.</summary>
    protected abstract Task<IReadOnlyDictionary<string, string>> ColumnsAsync(DbTransaction transaction, CancellationToken ct);

    /// <summary>The columns <paramref name="sql"/> creates on an empty database, in the form of <see cref="ColumnsAsync"/>; leaves nothing behind.</summary>
    protected abstract Task<IReadOnlyDictionary<string, string>> ColumnsCreatedByAsync(DbTransaction transaction, string sql, CancellationToken ct);

    /// <summary>What migration 1 cannot say idempotently in this dialect, done on a database from before versioning.</summary>
    protected virtual Task CompleteUnversionedAsync(DbTransaction transaction, CancellationToken ct) => Task.CompletedTask;

    /// <summary>
    /// Applies the pending migrations and returns them. Refuses (with <see cref="IncompatibleSchemaException"/>) a database
    /// that a newer LRS has migrated, or whose recorded migrations differ from this code's. A migration with a step in
    /// <paramref name="dataSteps"/> (by version) has it run right after its script, in the same transaction: data that only
    /// the code can derive (e.g. from statement bodies), filled in once for the rows stored before.
    /// </summary>
    public async Task<IReadOnlyList<Migration>> MigrateAsync(DbTransaction transaction, CancellationToken ct,
        IReadOnlyDictionary<int, Func<DbTransaction, CancellationToken, Task>>? dataSteps = null)
    {
        var tables = await TablesAsync(transaction, ct);
        var applied = tables.Contains(VersionTable) ? await AppliedAsync(transaction, ct) : new Dictionary<int, (string, string)>();
        Check(applied);
        if (!tables.Contains(VersionTable)) await ExecuteAsync(transaction, CreateVersionTableSql, ct);

        var pending = Migrations.Where(m => !applied.ContainsKey(m.Version)).ToList();
        if (applied.Count == 0 && tables.Contains(UnversionedMarker))
        {
            await BaselineAsync(transaction, ct);
            pending.RemoveAt(0);
        }
        foreach (var migration in pending)
        {
            await ExecuteAsync(transaction, migration.Sql, ct);
            if (dataSteps?.GetValueOrDefault(migration.Version) is { } step) await step(transaction, ct);
            await RecordAsync(transaction, migration, ct);
        }
        return pending;
    }

    private void Check(Dictionary<int, (string Name, string Checksum)> applied)
    {
        if (applied.Count == 0) return;
        var newest = applied.Keys.Max();
        var known = Migrations[^1];
        if (newest > known.Version)
            throw new IncompatibleSchemaException(
                $"The database schema is at version {newest} ({applied[newest].Name}), newer than this LRS knows (up to {known.Version}, {known.Name}): " +
                "a newer LRS has upgraded it. Run that version (or a later one) of the LRS, or restore a backup from before the upgrade.");
        foreach (var migration in Migrations.Where(m => m.Version <= newest))
        {
            if (!applied.TryGetValue(migration.Version, out var recorded))
                throw new IncompatibleSchemaException(
                    $"The database records migrations up to {newest} but not {migration.Version} ({migration.Name}): migrations must be numbered in the order they ship.");
            if (recorded.Checksum != migration.Checksum)
                throw new IncompatibleSchemaException(
                    $"Migration {migration.Version} ({migration.Name}) was applied to this database with a different script (checksum {recorded.Checksum}, this LRS has {migration.Checksum}): a migration that has shipped must never change; add a new one instead.");
        }
    }

    // A database of the unversioned schema (commit 6163426 or older) is completed as that code did at every start, checked
    // against a database that migration 1 creates from nothing, and recorded as version 1.
    private async Task BaselineAsync(DbTransaction transaction, CancellationToken ct)
    {
        var initial = Migrations[0];
        await ExecuteAsync(transaction, initial.Sql, ct);
        await CompleteUnversionedAsync(transaction, ct);
        var expected = await ColumnsCreatedByAsync(transaction, initial.Sql, ct);
        var actual = await ColumnsAsync(transaction, ct);
        var wrong = expected
            .Where(c => !actual.TryGetValue(c.Key, out var type) || !string.Equals(type, c.Value, StringComparison.OrdinalIgnoreCase))
            .Select(c => actual.TryGetValue(c.Key, out var type) ? $"{c.Key} is {type}, not {c.Value}" : $"{c.Key} ({c.Value}) is missing")
            .ToList();
        if (wrong.Count > 0)
            throw new IncompatibleSchemaException(
                $"The database has the LRS's tables but no {VersionTable} table, and its schema is not the one of version 1 ({initial.Name}): " +
                string.Join("; ", wrong) + ".");
        await RecordAsync(transaction, initial, ct);
    }

    private async Task<HashSet<string>> TablesAsync(DbTransaction transaction, CancellationToken ct)
    {
        await using var command = Command(transaction, TablesSql);
        await using var reader = await command.ExecuteReaderAsync(ct);
        var tables = new HashSet<string>(StringComparer.Ordinal);
        while (await reader.ReadAsync(ct)) tables.Add(reader.GetString(0));
        return tables;
    }

    /// <summary>Reads the rows (table, column, type) of <paramref name="command"/> as "table.column" → type.</summary>
    protected static async Task<IReadOnlyDictionary<string, string>> ReadColumnsAsync(DbCommand command, CancellationToken ct)
    {
        await using var reader = await command.ExecuteReaderAsync(ct);
        var columns = new Dictionary<string, string>(StringComparer.Ordinal);
        while (await reader.ReadAsync(ct)) columns[$"{reader.GetString(0)}.{reader.GetString(1)}"] = reader.GetString(2);
        return columns;
    }

    private async Task<Dictionary<int, (string Name, string Checksum)>> AppliedAsync(DbTransaction transaction, CancellationToken ct)
    {
        await using var command = Command(transaction, $"SELECT version, name, checksum FROM {VersionTable}");
        await using var reader = await command.ExecuteReaderAsync(ct);
        var applied = new Dictionary<int, (string, string)>();
        while (await reader.ReadAsync(ct)) applied[Convert.ToInt32(reader.GetValue(0), System.Globalization.CultureInfo.InvariantCulture)] = (reader.GetString(1), reader.GetString(2));
        return applied;
    }

    private async Task RecordAsync(DbTransaction transaction, Migration migration, CancellationToken ct)
    {
        await using var command = Command(transaction, $"INSERT INTO {VersionTable} (version, name, checksum, applied_at) VALUES (@version, @name, @checksum, {NowSql})");
        Add(command, "version", migration.Version);
        Add(command, "name", migration.Name);
        Add(command, "checksum", migration.Checksum);
        await command.ExecuteNonQueryAsync(ct);
    }

    private static void Add(DbCommand command, string name, object value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value;
        command.Parameters.Add(parameter);
    }

    /// <summary>Runs SQL (one or more statements) in the transaction.</summary>
    protected static async Task ExecuteAsync(DbTransaction transaction, string sql, CancellationToken ct)
    {
        await using var command = Command(transaction, sql);
        await command.ExecuteNonQueryAsync(ct);
    }

    /// <summary>
    /// A command on the transaction's connection, enlisted in it, without a time limit: a migration that rewrites a large table
    /// takes as long as it takes, under the start-up lock.
    /// </summary>
    protected static DbCommand Command(DbTransaction transaction, string sql)
    {
        var command = transaction.Connection!.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        command.CommandTimeout = 0;
        return command;
    }

    private static List<Migration> Load(string dialect)
    {
        var assembly = typeof(SchemaMigrator).Assembly;
        var prefix = $"Lrs.Storage.Migrations.{dialect}.";
        var migrations = new List<Migration>();
        foreach (var resource in assembly.GetManifestResourceNames().Where(n => n.StartsWith(prefix, StringComparison.Ordinal)))
        {
            var match = ScriptName().Match(resource[prefix.Length..]);
            if (!match.Success) throw new InvalidOperationException($"Migration {resource} is not named NNNN_name.sql.");
            using var reader = new StreamReader(assembly.GetManifestResourceStream(resource)!);
            // Line endings are a checkout's choice, not the script's: the checksum is the same on every platform.
            var sql = reader.ReadToEnd().Replace("\r\n", "\n", StringComparison.Ordinal);
            var checksum = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(sql)));
            migrations.Add(new Migration(int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture), match.Groups[2].Value, sql, checksum));
        }
        migrations.Sort((a, b) => a.Version.CompareTo(b.Version));
        for (var i = 0; i < migrations.Count; i++)
            if (migrations[i].Version != i + 1)
                throw new InvalidOperationException($"The {dialect} migrations are not numbered 1, 2, 3, … without gaps: {string.Join(", ", migrations.Select(m => m.Version))}.");
        if (migrations.Count == 0) throw new InvalidOperationException($"No {dialect} migrations are embedded.");
        return migrations;
    }

    [GeneratedRegex(@"^(\d{4})_([a-z0-9_]+)\.sql$")]
    private static partial Regex ScriptName();
}
