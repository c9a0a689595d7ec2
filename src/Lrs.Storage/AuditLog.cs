using Lrs.Core.Storage;

namespace Lrs.Storage;

/// <summary>
/// The audit log. SQLite counts seq per tenant under its single writer; PostgreSQL takes it from an identity column,
/// so there it increases across tenants.
/// </summary>
public sealed class AuditLog(Dialect db) : IAuditLog
{
    /// <inheritdoc />
    public async Task AppendAsync(long tenantId, DateTimeOffset at, string actor, string action, string target, string? detail, CancellationToken ct)
    {
        await using var write = await db.BeginWriteAsync(null, ct);
        await AppendAsync(db, write, tenantId, at, actor, action, target, detail, ct);
        await write.CommitAsync(ct);
    }

    /// <summary>Appends one entry inside another write's transaction, so that it commits (or not) with that write.</summary>
    internal static async Task AppendAsync(Dialect db, WriteLease write, long tenantId, DateTimeOffset at, string actor, string action, string target, string? detail, CancellationToken ct)
    {
        await using var command = write.Command(db.Sql(
            sqlite: """
                INSERT INTO audit_log (tenant_id, seq, at, actor, action, target, detail)
                SELECT @t, COALESCE(MAX(seq), 0) + 1, @at, @actor, @action, @target, @detail FROM audit_log WHERE tenant_id = @t
                """,
            postgres: "INSERT INTO audit_log (tenant_id, at, actor, action, target, detail) VALUES (@t, @at, @actor, @action, @target, @detail)"),
            ("t", tenantId), ("at", db.Time(at)), ("actor", actor), ("action", action), ("target", target), ("detail", detail));
        await command.ExecuteNonQueryAsync(ct);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<AuditEntry>> ListAsync(long tenantId, long? before, int limit, CancellationToken ct) =>
        await db.QueryAsync($"""
            SELECT seq, at, actor, action, target, detail FROM audit_log
            WHERE tenant_id = @t{(before is null ? "" : " AND seq < @before")} ORDER BY seq DESC LIMIT @limit
            """, r => Entry(tenantId, r), ct, ("t", tenantId), ("before", before), ("limit", limit));

    /// <inheritdoc />
    public async Task<IReadOnlyList<AuditEntry>> AboutAsync(long tenantId, string target, CancellationToken ct) =>
        await db.QueryAsync("SELECT seq, at, actor, action, target, detail FROM audit_log WHERE tenant_id = @t AND target = @target ORDER BY seq",
            r => Entry(tenantId, r), ct, ("t", tenantId), ("target", target));

    private AuditEntry Entry(long tenantId, System.Data.Common.DbDataReader r) =>
        new(tenantId, r.GetInt64(0), db.Time(r, 1), r.GetString(2), r.GetString(3), r.GetString(4), r.StringOrNull(5));
}
