using Lrs.Core.Storage;
using Npgsql;
using NpgsqlTypes;

namespace Lrs.Storage.Postgres;

/// <summary>The audit log in PostgreSQL; seq comes from an identity column, so it increases across tenants.</summary>
public sealed class PostgresAuditLog(PostgresDatabase database) : IAuditLog
{
    /// <inheritdoc />
    public async Task AppendAsync(long tenantId, DateTimeOffset at, string actor, string action, string target, string? detail, CancellationToken ct)
    {
        await using var command = database.DataSource.CreateCommand(
            "INSERT INTO audit_log (tenant_id, at, actor, action, target, detail) VALUES (@t, @at, @actor, @action, @target, @detail)");
        command.Parameters.AddWithValue("t", tenantId);
        command.Parameters.AddWithValue("at", at.UtcDateTime);
        command.Parameters.AddWithValue("actor", actor);
        command.Parameters.AddWithValue("action", action);
        command.Parameters.AddWithValue("target", target);
        command.Parameters.Add(new NpgsqlParameter("detail", NpgsqlDbType.Text) { Value = (object?)detail ?? DBNull.Value });
        await command.ExecuteNonQueryAsync(ct);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<AuditEntry>> ListAsync(long tenantId, long? before, int limit, CancellationToken ct)
    {
        await using var command = database.DataSource.CreateCommand("""
            SELECT seq, at, actor, action, target, detail FROM audit_log
            WHERE tenant_id = @t AND (@before::bigint IS NULL OR seq < @before) ORDER BY seq DESC LIMIT @limit
            """);
        command.Parameters.AddWithValue("t", tenantId);
        command.Parameters.Add(new NpgsqlParameter("before", NpgsqlDbType.Bigint) { Value = (object?)before ?? DBNull.Value });
        command.Parameters.AddWithValue("limit", limit);
        await using var r = await command.ExecuteReaderAsync(ct);
        var list = new List<AuditEntry>();
        while (await r.ReadAsync(ct))
            list.Add(new AuditEntry(tenantId, r.GetInt64(0), new DateTimeOffset(r.GetDateTime(1), TimeSpan.Zero), r.GetString(2), r.GetString(3), r.GetString(4), r.IsDBNull(5) ? null : r.GetString(5)));
        return list;
    }
}
