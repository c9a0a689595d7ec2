using System.Data.Common;
using Lrs.Core.Competence;

namespace Lrs.Storage;

/// <summary>Competence framework and evidence.</summary>
public sealed class CompetenceStore(Dialect db, FrameworkCache frameworks, TimeProvider time) : RelationalCompetenceStore(frameworks, time)
{
    private readonly EvidenceTables _evidence = new(db);

    /// <inheritdoc />
    public override async Task<IReadOnlyList<EvidenceRecord>> EvidenceAsync(long tenantId, IReadOnlyCollection<string> agentKeys, CancellationToken ct)
    {
        if (agentKeys.Count == 0) return [];
        // A sign-off counts only when someone other than the learner gave it; the earliest one decides.
        const string signoff = """
            FROM signoffs s WHERE e.needs_signoff AND s.tenant_id = e.tenant_id AND s.target_id = e.statement_id AND s.retracted IS NULL AND s.signer_key <> e.agent_key
            ORDER BY s.signed_at, s.statement_id LIMIT 1
            """;
        return await db.QueryAsync($"""
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
            """, r => new EvidenceRecord(r.GetString(0), db.Uuid(r, 1), r.GetString(2), db.Time(r, 3), db.TimeOrNull(r, 4),
                r.GetBoolean(5), db.TimeOrNull(r, 7), db.UuidOrNull(r, 8), r.StringOrNull(6)),
            ct, ("t", tenantId), ("keys", db.List(agentKeys)));
    }

    /// <inheritdoc />
    public override async Task<IReadOnlySet<string>> AgentsChangedSinceAsync(long tenantId, DateTimeOffset since, DateTimeOffset now, TimeSpan expiringWindow, CancellationToken ct) =>
        (await db.QueryAsync("""
            SELECT agent_key FROM evidence WHERE tenant_id = @t AND recorded > @since
            UNION SELECT agent_key FROM evidence WHERE tenant_id = @t AND retracted > @since
            UNION SELECT agent_key FROM evidence WHERE tenant_id = @t AND expires_at > @since AND expires_at <= @now
            UNION SELECT agent_key FROM evidence WHERE tenant_id = @t AND expires_at > @since_w AND expires_at <= @now_w
            UNION SELECT e.agent_key FROM signoffs so JOIN evidence e ON e.tenant_id = so.tenant_id AND e.statement_id = so.target_id
                WHERE so.tenant_id = @t AND (so.recorded > @since OR so.retracted > @since)
            """, r => r.GetString(0), ct, ("t", tenantId), ("since", db.Time(since)), ("now", db.Time(now)),
            ("since_w", db.Time(since + expiringWindow)), ("now_w", db.Time(now + expiringWindow)))).ToHashSet(StringComparer.Ordinal);

    /// <inheritdoc />
    public override async Task<IReadOnlySet<string>> AgentsWithEvidenceExpiringAsync(long tenantId, DateTimeOffset from, DateTimeOffset until, CancellationToken ct) =>
        (await db.QueryAsync("SELECT DISTINCT agent_key FROM evidence WHERE tenant_id = @t AND expires_at > @from AND expires_at <= @until AND retracted IS NULL",
            r => r.GetString(0), ct, ("t", tenantId), ("from", db.Time(from)), ("until", db.Time(until)))).ToHashSet(StringComparer.Ordinal);

    /// <inheritdoc />
    protected override async Task<(long Version, DateTimeOffset? Updated)> FrameworkStampAsync(long tenantId, CancellationToken ct) =>
        (await db.QueryAsync("SELECT version, updated FROM frameworks WHERE tenant_id = @t", r => (r.GetInt64(0), (DateTimeOffset?)db.Time(r, 1)), ct, ("t", tenantId)))
            .DefaultIfEmpty((0, null)).First();

    /// <inheritdoc />
    protected override async Task<(long Version, string? Document, DateTimeOffset? Updated)> FrameworkRowAsync(long tenantId, CancellationToken ct) =>
        (await db.QueryAsync($"SELECT version, document{db.AsText}, updated FROM frameworks WHERE tenant_id = @t",
            r => (r.GetInt64(0), (string?)r.GetString(1), (DateTimeOffset?)db.Time(r, 2)), ct, ("t", tenantId))).DefaultIfEmpty((0, null, null)).First();

    /// <inheritdoc />
    protected override Task<long> FrameworkVersionAsync(DbConnection c, DbTransaction t, long tenantId, CancellationToken ct) =>
        _evidence.VersionAsync(c, t, tenantId, shareLock: false, ct);

    /// <inheritdoc />
    protected override Task<string?> FrameworkDocumentAsync(DbConnection c, DbTransaction t, long tenantId, CancellationToken ct) => _evidence.DocumentAsync(c, t, tenantId, ct);

    /// <inheritdoc />
    protected override async Task<long> ChunkEndAsync(DbConnection c, DbTransaction t, long tenantId, long from, long maxSeq, CancellationToken ct)
    {
        await using var command = Dialect.Command(c, t, $"SELECT seq FROM statements WHERE tenant_id = @t AND seq >= @from ORDER BY seq LIMIT 1 OFFSET {RebuildChunk}",
            ("t", tenantId), ("from", from));
        return await command.ExecuteScalarAsync(ct) is long end ? end : maxSeq + 1;
    }

    /// <inheritdoc />
    protected override Task<WriteLease> BeginExclusiveAsync(long tenantId, CancellationToken ct) => _evidence.BeginExclusiveAsync(tenantId, ct);

    /// <inheritdoc />
    protected override async Task<long> WriteFrameworkAsync(DbConnection c, DbTransaction t, long tenantId, string document, DateTimeOffset now, CancellationToken ct)
    {
        await using var command = Dialect.Command(c, t, $"""
            INSERT INTO frameworks (tenant_id, version, document, updated) VALUES (@t, 1, @document{db.AsJson}, @now)
            ON CONFLICT (tenant_id) DO UPDATE SET version = frameworks.version + 1, document = excluded.document, updated = excluded.updated
            RETURNING version
            """, ("t", tenantId), ("document", document), ("now", db.Time(now)));
        return (long)(await command.ExecuteScalarAsync(ct))!;
    }

    /// <inheritdoc />
    protected override async Task<long> MaxSeqAsync(long tenantId, CancellationToken ct) =>
        (long)(await db.ScalarAsync("SELECT COALESCE(max(seq), 0) FROM statements WHERE tenant_id = @t", ct, ("t", tenantId)))!;

    /// <inheritdoc />
    protected override async Task<IReadOnlyList<Candidate>> CandidatesAsync(DbConnection c, DbTransaction t, long tenantId, long from, long to, string[] verbs, CancellationToken ct)
    {
        if (verbs.Length == 0) return [];
        await using var command = Dialect.Command(c, t, $"""
            SELECT id, stored, body{db.AsText} FROM statements
            WHERE tenant_id = @t AND seq >= @from AND seq < @to AND NOT voided AND NOT is_voiding AND verb{db.In("verbs")}
            ORDER BY seq
            """, ("t", tenantId), ("from", from), ("to", to), ("verbs", db.List(verbs)));
        return await command.ListAsync(r => new Candidate(db.Uuid(r, 0), db.Time(r, 1), r.GetString(2)), ct);
    }

    /// <inheritdoc />
    protected override async Task<IReadOnlyList<EvidenceRow>> ExistingEvidenceAsync(DbConnection c, DbTransaction t, long tenantId, long from, long to, CancellationToken ct)
    {
        await using var command = Dialect.Command(c, t, """
            SELECT e.statement_id, e.competence_id, e.agent_key, e.rule_id, e.achieved_at, e.expires_at, e.needs_signoff, e.assessor
            FROM statements s JOIN evidence e ON e.tenant_id = s.tenant_id AND e.statement_id = s.id
            WHERE s.tenant_id = @t AND s.seq >= @from AND s.seq < @to AND e.retracted IS NULL
            """, ("t", tenantId), ("from", from), ("to", to));
        return await command.ListAsync(r => new EvidenceRow(db.Uuid(r, 0), r.GetString(1), r.GetString(2), r.GetString(3), db.Time(r, 4), db.TimeOrNull(r, 5),
            r.GetBoolean(6), r.StringOrNull(7)), ct);
    }

    /// <inheritdoc />
    protected override async Task<IReadOnlyList<SignoffRow>> ExistingSignoffsAsync(DbConnection c, DbTransaction t, long tenantId, long from, long to, CancellationToken ct)
    {
        await using var command = Dialect.Command(c, t, """
            SELECT so.statement_id, so.target_id, so.signer_key, so.signed_at
            FROM statements s JOIN signoffs so ON so.tenant_id = s.tenant_id AND so.statement_id = s.id
            WHERE s.tenant_id = @t AND s.seq >= @from AND s.seq < @to AND so.retracted IS NULL
            """, ("t", tenantId), ("from", from), ("to", to));
        return await command.ListAsync(r => new SignoffRow(db.Uuid(r, 0), db.Uuid(r, 1), r.GetString(2), db.Time(r, 3)), ct);
    }

    /// <inheritdoc />
    protected override Task UpsertEvidenceAsync(DbConnection c, DbTransaction t, long tenantId, IReadOnlyList<EvidenceRow> rows, DateTimeOffset now, CancellationToken ct) =>
        _evidence.UpsertEvidenceAsync(c, t, tenantId, [.. rows.Select(r => (r.StatementId, now,
            new EvidenceFound(r.CompetenceId, r.RuleId, r.AgentKey, r.AchievedAt, r.ExpiresAt, r.NeedsSignoff, r.AssessorJson)))], ct);

    /// <inheritdoc />
    protected override async Task RetractEvidenceAsync(DbConnection c, DbTransaction t, long tenantId, IReadOnlyList<EvidenceRow> rows, DateTimeOffset now, CancellationToken ct)
    {
        await using var command = Dialect.Command(c, t, "", ("t", tenantId), ("now", db.Time(now)));
        await db.ForEachRowAsync(command, """
            UPDATE evidence AS e SET retracted = @now FROM {rows}
            WHERE e.tenant_id = @t AND e.statement_id = r.id AND e.competence_id = r.competence AND e.agent_key = r.agent
            """, rows, ct,
            new("id", ColumnType.Uuid, r => r.StatementId), new("competence", ColumnType.Text, r => r.CompetenceId), new("agent", ColumnType.Text, r => r.AgentKey));
    }

    /// <inheritdoc />
    protected override Task UpsertSignoffsAsync(DbConnection c, DbTransaction t, long tenantId, IReadOnlyList<SignoffRow> rows, DateTimeOffset now, CancellationToken ct) =>
        _evidence.UpsertSignoffsAsync(c, t, tenantId, [.. rows.Select(r => (r.StatementId, now, new Signoff(r.TargetId, r.SignerKey, r.SignedAt)))], ct);

    /// <inheritdoc />
    protected override async Task RetractSignoffsAsync(DbConnection c, DbTransaction t, long tenantId, IReadOnlyList<SignoffRow> rows, DateTimeOffset now, CancellationToken ct)
    {
        await using var command = Dialect.Command(c, t, $"UPDATE signoffs SET retracted = @now WHERE tenant_id = @t AND statement_id{db.In("ids")}",
            ("t", tenantId), ("now", db.Time(now)), ("ids", db.List(rows.Select(r => r.StatementId))));
        await command.ExecuteNonQueryAsync(ct);
    }
}
