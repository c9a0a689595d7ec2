using Lrs.Core.Storage;
using static Lrs.Storage.Sqlite.SqliteStatementStore;

namespace Lrs.Storage.Sqlite;

/// <summary>The audit log in SQLite; seq counts per tenant under the writer lock.</summary>
public sealed class SqliteAuditLog(SqliteDatabase database) : IAuditLog
{
    /// <inheritdoc />
    public async Task AppendAsync(long tenantId, DateTimeOffset at, string actor, string action, string target, string? detail, CancellationToken ct)
    {
        using var _ = await database.LockWriterAsync(ct);
        await using var connection = await database.OpenAsync(ct);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            INSERT INTO audit_log (tenant_id, seq, at, actor, action, target, detail)
            SELECT $t, COALESCE(MAX(seq), 0) + 1, $at, $actor, $action, $target, $detail FROM audit_log WHERE tenant_id = $t
            """;
        command.Parameters.AddWithValue("$t", tenantId);
        command.Parameters.AddWithValue("$at", Micros(at));
        command.Parameters.AddWithValue("$actor", actor);
        command.Parameters.AddWithValue("$action", action);
        command.Parameters.AddWithValue("$target", target);
        command.Parameters.AddWithValue("$detail", (object?)detail ?? DBNull.Value);
        await command.ExecuteNonQueryAsync(ct);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<AuditEntry>> ListAsync(long tenantId, long? before, int limit, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT seq, at, actor, action, target, detail FROM audit_log
            WHERE tenant_id = $t AND ($before IS NULL OR seq < $before) ORDER BY seq DESC LIMIT $limit
            """;
        command.Parameters.AddWithValue("$t", tenantId);
        command.Parameters.AddWithValue("$before", (object?)before ?? DBNull.Value);
        command.Parameters.AddWithValue("$limit", limit);
        await using var r = await command.ExecuteReaderAsync(ct);
        var list = new List<AuditEntry>();
        while (await r.ReadAsync(ct))
            list.Add(new AuditEntry(tenantId, r.GetInt64(0), FromMicros(r.GetInt64(1)), r.GetString(2), r.GetString(3), r.GetString(4), r.IsDBNull(5) ? null : r.GetString(5)));
        return list;
    }
}
