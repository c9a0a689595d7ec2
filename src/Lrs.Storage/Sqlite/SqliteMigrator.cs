using System.Data.Common;
using Microsoft.Data.Sqlite;

namespace Lrs.Storage.Sqlite;

/// <summary>The SQLite side of <see cref="SchemaMigrator"/>: scripts under Migrations/Sqlite, times in microseconds.</summary>
public sealed class SqliteMigrator() : SchemaMigrator("Sqlite", (
    TimeType: "INTEGER",
    Now: "CAST(unixepoch('subsec') * 1000000 AS INTEGER)",
    Tables: "SELECT name FROM sqlite_master WHERE type = 'table'"))
{
    /// <inheritdoc />
    protected override Task<IReadOnlyDictionary<string, string>> ColumnsAsync(DbTransaction transaction, CancellationToken ct) =>
        ColumnsAsync(transaction.Connection!, transaction, ct);

    /// <inheritdoc />
    protected override async Task<IReadOnlyDictionary<string, string>> ColumnsCreatedByAsync(DbTransaction transaction, string sql, CancellationToken ct)
    {
        // A private in-memory database: nothing of it reaches the store's file.
        await using var reference = new SqliteConnection("Data Source=:memory:");
        await reference.OpenAsync(ct);
        await using (var create = reference.CreateCommand())
        {
            create.CommandText = sql;
            await create.ExecuteNonQueryAsync(ct);
        }
        return await ColumnsAsync(reference, null, ct);
    }

    /// <inheritdoc />
    protected override async Task CompleteUnversionedAsync(DbTransaction transaction, CancellationToken ct)
    {
        // SQLite has no ADD COLUMN IF NOT EXISTS: the columns the unversioned code added at start are checked one by one.
        var columns = await ColumnsAsync(transaction, ct);
        foreach (var (table, column, type) in AddedColumns)
            if (!columns.ContainsKey($"{table}.{column}"))
                await ExecuteAsync(transaction, $"ALTER TABLE {table} ADD COLUMN {column} {type}", ct);
    }

    // Columns the unversioned schema added to tables after they shipped, oldest first; all nullable.
    private static readonly (string Table, string Column, string Type)[] AddedColumns =
    [
        ("credentials", "expires", "INTEGER"),
        ("credentials", "organisation", "TEXT"),
        ("credentials", "actor", "TEXT"),
        ("credentials", "registration", "TEXT"),
    ];

    private static async Task<IReadOnlyDictionary<string, string>> ColumnsAsync(DbConnection connection, DbTransaction? transaction, CancellationToken ct)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = $"""
            SELECT m.name, c.name, c.type FROM sqlite_master m JOIN pragma_table_info(m.name) c
            WHERE m.type = 'table' AND m.name <> '{VersionTable}'
            """;
        return await ReadColumnsAsync(command, ct);
    }
}
