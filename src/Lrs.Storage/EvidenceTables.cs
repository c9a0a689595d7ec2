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
        await using var command = Dialect.Command(c, t, VersionSql(shareLock), ("t", tenantId), ("lock", LockId(tenantId)));
        await using var reader = await command.ExecuteReaderAsync(ct);
        return await ReadVersionAsync(reader, shareLock, ct);
    }

    /// <summary>
    /// The statements of <see cref="VersionAsync"/>, to run first in a command of several: parameters <c>@t</c> (the tenant)
    /// and <c>@lock</c> (<see cref="LockParameter"/>); read its result with <see cref="ReadVersionAsync"/>.
    /// </summary>
    public string VersionSql(bool shareLock) =>
        (shareLock && db.IsPostgres ? $"SELECT pg_advisory_xact_lock_shared({FrameworkLock}, @lock); " : "") + "SELECT version FROM frameworks WHERE tenant_id = @t";

    /// <summary>The value of <c>@lock</c> for the tenant.</summary>
    public static int LockParameter(long tenantId) => LockId(tenantId);

    /// <summary>Reads the version from a reader at the first result of <see cref="VersionSql"/>, leaving it on that result.</summary>
    public async Task<long> ReadVersionAsync(DbDataReader reader, bool shareLock, CancellationToken ct)
    {
        if (shareLock && db.IsPostgres) await reader.NextResultAsync(ct);
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

    /// <summary>The unretracted evidence of <paramref name="agentKeys"/>, each with the sign-off that counts for it (read in <paramref name="t"/> when given).</summary>
    public async Task<List<EvidenceRecord>> EvidenceAsync(DbConnection c, DbTransaction? t, long tenantId, IReadOnlyCollection<string> agentKeys, CancellationToken ct)
    {
        if (agentKeys.Count == 0) return [];
        // A sign-off counts only when someone other than the learner gave it; the earliest one decides.
        const string signoff = """
            FROM signoffs s WHERE e.needs_signoff AND s.tenant_id = e.tenant_id AND s.target_id = e.statement_id AND s.retracted IS NULL AND s.signer_key <> e.agent_key
            ORDER BY s.signed_at, s.statement_id LIMIT 1
            """;
        await using var command = Dialect.Command(c, t, $"""
            SELECT e.competence_id, e.statement_id, e.agent_key, e.achieved_at, e.expires_at, e.needs_signoff, e.assessor, {db.Sql(
                sqlite: $"""
                    CASE WHEN e.needs_signoff THEN (SELECT s.signed_at {signoff}) END, CASE WHEN e.needs_signoff THEN (SELECT s.statement_id {signoff}) END
                    FROM evidence e
                    """,
                // e.needs_signoff inside the lateral subquery, not in ON: there it is a one-time filter that skips the
                // sign-off lookup for the three quarters of evidence that needs none; in ON the lookup ran for every row
                // and was discarded.
                postgres: $"""
                    so.signed_at, so.statement_id
                    FROM evidence e LEFT JOIN LATERAL (SELECT s.signed_at, s.statement_id {signoff}) so ON true
                    """)}
            WHERE e.tenant_id = @t AND e.agent_key{db.In("keys")} AND e.retracted IS NULL
            """, ("t", tenantId), ("keys", db.List(agentKeys)));
        return await command.ListAsync(r => new EvidenceRecord(r.GetString(0), db.Uuid(r, 1), r.GetString(2), db.Time(r, 3), db.TimeOrNull(r, 4),
            r.GetBoolean(5), db.TimeOrNull(r, 7), db.UuidOrNull(r, 8), r.StringOrNull(6)), ct);
    }
}
