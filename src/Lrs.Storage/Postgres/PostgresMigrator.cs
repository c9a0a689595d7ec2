using System.Data.Common;

namespace Lrs.Storage.Postgres;

/// <summary>The PostgreSQL side of <see cref="SchemaMigrator"/>: scripts under Migrations/Postgres, in the current schema.</summary>
public sealed class PostgresMigrator() : SchemaMigrator("Postgres", (
    TimeType: "timestamptz",
    Now: "now()",
    Tables: "SELECT relname FROM pg_class WHERE relkind IN ('r', 'p') AND relnamespace = (SELECT oid FROM pg_namespace WHERE nspname = current_schema())"))
{
    /// <inheritdoc />
    protected override Task<IReadOnlyDictionary<string, string>> ColumnsAsync(DbTransaction transaction, CancellationToken ct) =>
        ColumnsAsync(transaction, "(SELECT oid FROM pg_namespace WHERE nspname = current_schema())", ct);

    /// <inheritdoc />
    protected override async Task<IReadOnlyDictionary<string, string>> ColumnsCreatedByAsync(DbTransaction transaction, string sql, CancellationToken ct)
    {
        // Built as temporary tables (pg_temp first in the search path) and rolled back: needs no right beyond TEMP, which
        // every role has by default, and leaves nothing behind.
        await transaction.SaveAsync("reference", ct);
        await ExecuteAsync(transaction, "SET LOCAL search_path = pg_temp", ct);
        await ExecuteAsync(transaction, sql, ct);
        var columns = await ColumnsAsync(transaction, "pg_my_temp_schema()", ct);
        await transaction.RollbackAsync("reference", ct);
        return columns;
    }

    private static async Task<IReadOnlyDictionary<string, string>> ColumnsAsync(DbTransaction transaction, string schema, CancellationToken ct)
    {
        await using var command = Command(transaction, $"""
            SELECT c.relname, a.attname, format_type(a.atttypid, a.atttypmod)
            FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid
            WHERE c.relkind IN ('r', 'p') AND c.relnamespace = {schema} AND c.relname <> '{VersionTable}' AND a.attnum > 0 AND NOT a.attisdropped
            """);
        return await ReadColumnsAsync(command, ct);
    }
}
