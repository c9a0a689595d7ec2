using System.Data.Common;
using Lrs.Core.Competence;

namespace Lrs.Storage;

/// <summary>
/// The evidence, sign-off and framework rows written inside other transactions: a statement batch's and a rebuild's.
/// </summary>
/// <remarks>
/// On PostgreSQL a framework change and statement batches exclude each other through the tenant's framework lock
/// (exclusive for the change, shared for a batch); SQLite's single writer excludes them already.
/// </remarks>
internal sealed class EvidenceTables(Dialect db)
{
    /// <summary>The advisory lock class of a tenant's competence framework (the tenant id is the lock's object id).</summary>
    private const int FrameworkLock = 4711021;

    /// <summary>The object id of a tenant's advisory locks (tenant ids beyond 2^31 share ids, which only makes them wait for each other).</summary>
    private static int LockId(long tenantId) => (int)(tenantId % int.MaxValue);

    /// <summary>A write transaction that holds the tenant's framework lock exclusively.</summary>
    public async Task<WriteLease> BeginExclusiveAsync(long tenantId, CancellationToken ct)
    {
        var lease = await db.BeginWriteAsync(null, ct);
        if (!db.IsPostgres) return lease;
        try
        {
            await using var command = lease.Command($"SELECT pg_advisory_xact_lock({FrameworkLock}, @lock)", ("lock", LockId(tenantId)));
            await command.ExecuteNonQueryAsync(ct);
            return lease;
        }
        catch
        {
            await lease.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// The version of the tenant's framework (0: none); with <paramref name="shareLock"/>, PostgreSQL first takes the
    /// framework lock in shared mode, so that the version read after it is the newest committed one.
    /// </summary>
    public async Task<long> VersionAsync(DbConnection c, DbTransaction t, long tenantId, bool shareLock, CancellationToken ct)
    {
        var locking = shareLock && db.IsPostgres;
        await using var command = Dialect.Command(c, t,
            (locking ? $"SELECT pg_advisory_xact_lock_shared({FrameworkLock}, @lock); " : "") + "SELECT version FROM frameworks WHERE tenant_id = @t",
            ("t", tenantId), ("lock", LockId(tenantId)));
        await using var reader = await command.ExecuteReaderAsync(ct);
        if (locking) await reader.NextResultAsync(ct);
        return await reader.ReadAsync(ct) ? reader.GetInt64(0) : 0;
    }

    /// <summary>The tenant's framework document (null when none).</summary>
    public async Task<string?> DocumentAsync(DbConnection c, DbTransaction t, long tenantId, CancellationToken ct)
    {
        await using var command = Dialect.Command(c, t, $"SELECT document{db.AsText} FROM frameworks WHERE tenant_id = @t", ("t", tenantId));
        return await command.ExecuteScalarAsync(ct) as string;
    }

    /// <summary>Inserts or replaces evidence rows, clearing a retraction.</summary>
    public async Task UpsertEvidenceAsync(DbConnection c, DbTransaction t, long tenantId, IReadOnlyList<(Guid StatementId, DateTimeOffset Recorded, EvidenceFound Found)> rows, CancellationToken ct)
    {
        await using var command = Dialect.Command(c, t, "", ("t", tenantId));
        await db.ForEachRowAsync(command, """
            INSERT INTO evidence (tenant_id, statement_id, competence_id, agent_key, rule_id, achieved_at, expires_at, needs_signoff, assessor, recorded)
            SELECT @t, r.id, r.competence, r.agent, r.rule, r.achieved, r.expires, r.signoff, r.assessor, r.recorded FROM {rows} WHERE true
            ON CONFLICT (tenant_id, statement_id, competence_id, agent_key) DO UPDATE SET
                rule_id = excluded.rule_id, achieved_at = excluded.achieved_at, expires_at = excluded.expires_at,
                needs_signoff = excluded.needs_signoff, assessor = excluded.assessor, recorded = excluded.recorded, retracted = NULL
            """, rows, ct,
            new("id", ColumnType.Uuid, r => r.StatementId), new("competence", ColumnType.Text, r => r.Found.CompetenceId),
            new("agent", ColumnType.Text, r => r.Found.AgentKey), new("rule", ColumnType.Text, r => r.Found.RuleId),
            new("achieved", ColumnType.Time, r => r.Found.AchievedAt), new("expires", ColumnType.Time, r => r.Found.ExpiresAt),
            new("signoff", ColumnType.Boolean, r => r.Found.NeedsSignoff), new("assessor", ColumnType.Text, r => r.Found.AssessorJson),
            new("recorded", ColumnType.Time, r => r.Recorded));
    }

    /// <summary>Inserts or replaces sign-off rows, clearing a retraction.</summary>
    public async Task UpsertSignoffsAsync(DbConnection c, DbTransaction t, long tenantId, IReadOnlyList<(Guid StatementId, DateTimeOffset Recorded, Signoff Signoff)> rows, CancellationToken ct)
    {
        await using var command = Dialect.Command(c, t, "", ("t", tenantId));
        await db.ForEachRowAsync(command, """
            INSERT INTO signoffs (tenant_id, statement_id, target_id, signer_key, signed_at, recorded)
            SELECT @t, r.id, r.target, r.signer, r.signed, r.recorded FROM {rows} WHERE true
            ON CONFLICT (tenant_id, statement_id) DO UPDATE SET
                target_id = excluded.target_id, signer_key = excluded.signer_key, signed_at = excluded.signed_at,
                recorded = excluded.recorded, retracted = NULL
            """, rows, ct,
            new("id", ColumnType.Uuid, r => r.StatementId), new("target", ColumnType.Uuid, r => r.Signoff.TargetStatementId),
            new("signer", ColumnType.Text, r => r.Signoff.SignerKey), new("signed", ColumnType.Time, r => r.Signoff.SignedAt),
            new("recorded", ColumnType.Time, r => r.Recorded));
    }

    /// <summary>Marks the evidence and sign-offs of <paramref name="statementIds"/> retracted at <paramref name="at"/>.</summary>
    public async Task RetractAsync(DbConnection c, DbTransaction t, long tenantId, IEnumerable<Guid> statementIds, DateTimeOffset at, CancellationToken ct)
    {
        await using var command = Dialect.Command(c, t, $"""
            UPDATE evidence SET retracted = @at WHERE tenant_id = @t AND statement_id{db.In("ids")} AND retracted IS NULL;
            UPDATE signoffs SET retracted = @at WHERE tenant_id = @t AND statement_id{db.In("ids")} AND retracted IS NULL;
            """, ("t", tenantId), ("at", db.Time(at)), ("ids", db.List(statementIds)));
        await command.ExecuteNonQueryAsync(ct);
    }
}
