using System.Data.Common;
using System.Text.Json;
using Lrs.Core.Xapi;

namespace Lrs.Storage.Sqlite;

/// <summary>SQLite's side of the seam: one writer at a time, times as microseconds, ids as text, lists as JSON.</summary>
public sealed class SqliteDialect(SqliteDatabase database) : Dialect
{
    /// <inheritdoc />
    public override bool IsPostgres => false;

    /// <inheritdoc />
    public override bool IsUnreachable(Exception exception) => SqliteDatabase.IsUnreachable(exception);

    /// <inheritdoc />
    public override async Task<DbConnection> OpenAsync(CancellationToken ct) => await database.OpenAsync(ct);

    /// <inheritdoc />
    public override async Task<WriteLease> BeginWriteAsync(string? lockKey, CancellationToken ct)
    {
        var writer = await database.LockWriterAsync(ct);
        try
        {
            var connection = await database.OpenAsync(ct);
            // IMMEDIATE takes SQLite's write lock at once, so another process waits on busy_timeout instead of failing midway.
            var transaction = (DbTransaction)await connection.BeginTransactionAsync(System.Data.IsolationLevel.Serializable, ct);
            return new WriteLease(connection, transaction, writer);
        }
        catch
        {
            writer.Dispose();
            throw;
        }
    }

    /// <inheritdoc />
    public override object Time(DateTimeOffset time) => Micros(time);

    /// <inheritdoc />
    public override DateTimeOffset Time(DbDataReader r, int i) => FromMicros(r.GetInt64(i));

    /// <inheritdoc />
    public override object Uuid(Guid id) => Id(id);

    /// <inheritdoc />
    public override Guid Uuid(DbDataReader r, int i) => Guid.Parse(r.GetString(i));

    /// <inheritdoc />
    public override object List<T>(IEnumerable<T> values) => JsonSerializer.Serialize(values);

    /// <inheritdoc />
    public override string[] Strings(DbDataReader r, int i) => JsonSerializer.Deserialize<string[]>(r.GetString(i)) ?? [];

    /// <inheritdoc />
    public override async Task<int> ForEachRowAsync<T>(DbCommand command, string sql, IReadOnlyList<T> rows, CancellationToken ct, params Column<T>[] columns)
    {
        if (rows.Count == 0) return 0;
        command.CommandText = sql.Replace("{rows}", $"(SELECT {string.Concat(columns.Select(c => $"@{c.Name} AS {c.Name}, "))}@n AS n) AS r", StringComparison.Ordinal);
        var parameters = columns.Select(c => command.With(c.Name, null).Parameters[^1]).ToArray();
        var position = command.With("n", 0L).Parameters[^1];
        var affected = 0;
        for (var i = 0; i < rows.Count; i++)
        {
            for (var c = 0; c < columns.Length; c++) parameters[c].Value = Value(columns[c], rows[i]);
            position.Value = (long)i;
            affected += await command.ExecuteNonQueryAsync(ct);
        }
        return affected;
    }

    private object Value<T>(Column<T> column, T row) => column.Value(row) switch
    {
        null => DBNull.Value,
        DateTimeOffset t => Micros(t),
        Guid id => Id(id),
        var v => v,
    };

    private static string Id(Guid id) => id.ToString("D");
    private static long Micros(DateTimeOffset time) => StatementCursor.ToMicros(time);
    private static DateTimeOffset FromMicros(long micros) => StatementCursor.FromMicros(micros);
}
