using System.Data.Common;
using Npgsql;
using NpgsqlTypes;

namespace Lrs.Storage.Postgres;

/// <summary>PostgreSQL's side of the seam: advisory locks, timestamptz, uuid, arrays, batches unnested server-side.</summary>
public sealed class PostgresDialect(PostgresDatabase database) : Dialect
{
    /// <inheritdoc />
    public override bool IsPostgres => true;

    /// <inheritdoc />
    public override bool IsTransient(Exception exception) => exception is PostgresException
    {
        SqlState: PostgresErrorCodes.DeadlockDetected or PostgresErrorCodes.SerializationFailure,
    } or PostgresException
    {
        // Another transaction stored the same statement id first; tried again, the batch finds it stored
        // and compares it like any duplicate.
        SqlState: PostgresErrorCodes.UniqueViolation, ConstraintName: "ux_statements_id",
    };

    /// <inheritdoc />
    public override bool IsUnreachable(Exception exception) => PostgresDatabase.IsUnreachable(exception);

    /// <inheritdoc />
    public override async Task<DbConnection> OpenAsync(CancellationToken ct) => await database.DataSource.OpenConnectionAsync(ct);

    /// <inheritdoc />
    public override async Task<DbConnection> OpenReadAsync(CancellationToken ct) => await database.Reads.OpenConnectionAsync(ct);

    /// <inheritdoc />
    public override async Task<WriteLease> BeginWriteAsync(string? lockKey, CancellationToken ct)
    {
        var connection = await database.DataSource.OpenConnectionAsync(ct);
        try
        {
            var lease = new WriteLease(connection, await connection.BeginTransactionAsync(ct), null);
            if (lockKey is null) return lease;
            // A row lock cannot guard a row that does not exist yet, so writers of one key queue on an advisory lock keyed
            // by its hash (a collision only makes two keys wait for each other).
            await using var command = lease.Command("SELECT pg_advisory_xact_lock(hashtextextended(@key, 0))", ("key", lockKey));
            await command.ExecuteNonQueryAsync(ct);
            return lease;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    /// <inheritdoc />
    public override object Time(DateTimeOffset time) => time.UtcDateTime;

    /// <inheritdoc />
    public override DateTimeOffset Time(DbDataReader r, int i) => new(DateTime.SpecifyKind(r.GetDateTime(i), DateTimeKind.Utc));

    /// <inheritdoc />
    public override object Uuid(Guid id) => id;

    /// <inheritdoc />
    public override Guid Uuid(DbDataReader r, int i) => r.GetGuid(i);

    /// <inheritdoc />
    public override object List<T>(IEnumerable<T> values) => values.ToArray();

    /// <inheritdoc />
    public override string[] Strings(DbDataReader r, int i) => r.GetFieldValue<string[]>(i);

    /// <inheritdoc />
    public override async Task<int> ForEachRowAsync<T>(DbCommand command, string sql, IReadOnlyList<T> rows, CancellationToken ct, params Column<T>[] columns)
    {
        if (rows.Count == 0) return 0;
        command.CommandText = sql.Replace("{rows}", Unnest(command, "", rows, columns), StringComparison.Ordinal);
        return await command.ExecuteNonQueryAsync(ct);
    }

    /// <summary>
    /// Adds one array parameter per column (named <paramref name="prefix"/> and the column's name) to <paramref name="command"/>
    /// and returns the source that unnests them as rows <c>r</c> with the columns' names and their position <c>n</c>.
    /// </summary>
    public static string Unnest<T>(DbCommand command, string prefix, IReadOnlyList<T> rows, params Column<T>[] columns)
    {
        foreach (var c in columns)
            ((NpgsqlCommand)command).Parameters.Add(new NpgsqlParameter(prefix + c.Name, NpgsqlDbType.Array | Type(c.Type)) { Value = Array(c, rows) });
        return $"unnest({string.Join(", ", columns.Select(c => "@" + prefix + c.Name))}) WITH ORDINALITY AS r({string.Join(", ", columns.Select(c => c.Name))}, n)";
    }

    private static NpgsqlDbType Type(ColumnType type) => type switch
    {
        ColumnType.Uuid => NpgsqlDbType.Uuid,
        ColumnType.Time => NpgsqlDbType.TimestampTz,
        ColumnType.Boolean => NpgsqlDbType.Boolean,
        ColumnType.Long => NpgsqlDbType.Bigint,
        ColumnType.Double => NpgsqlDbType.Double,
        ColumnType.Json => NpgsqlDbType.Jsonb,
        _ => NpgsqlDbType.Text,
    };

    private static Array Array<T>(Column<T> c, IReadOnlyList<T> rows) => c.Type switch
    {
        ColumnType.Uuid => rows.Select(r => (Guid?)c.Value(r)).ToArray(),
        ColumnType.Time => rows.Select(r => ((DateTimeOffset?)c.Value(r))?.UtcDateTime).ToArray(),
        ColumnType.Boolean => rows.Select(r => (bool)c.Value(r)!).ToArray(),
        ColumnType.Long => rows.Select(r => c.Value(r) is { } v ? Convert.ToInt64(v, System.Globalization.CultureInfo.InvariantCulture) : (long?)null).ToArray(),
        ColumnType.Double => rows.Select(r => (double?)c.Value(r)).ToArray(),
        _ => rows.Select(r => (string?)c.Value(r)).ToArray(),
    };
}
