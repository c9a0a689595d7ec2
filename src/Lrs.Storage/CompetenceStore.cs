using System.Data.Common;
using System.Text.Json.Nodes;
using Lrs.Core.Competence;
using Lrs.Core.Storage;
using Lrs.Core.Xapi;

namespace Lrs.Storage;

/// <summary>Competence framework and evidence, and the rebuild of evidence from stored statements.</summary>
/// <remarks>
/// A rebuild walks the tenant's statements in ranges of <see cref="RebuildChunk"/> statements. Each range is
/// one transaction that holds the tenant's framework lock exclusively, so a voiding written meanwhile is either
/// seen by the range or applied after it, never undone by it; ingest waits at most for one range.
/// </remarks>
public sealed class CompetenceStore(Dialect db, FrameworkCache frameworks, TimeProvider time) : ICompetenceStore
{
    /// <summary>Statements per rebuild transaction.</summary>
    private const int RebuildChunk = 5000;

    private readonly EvidenceTables _evidence = new(db);

    /// <summary>Evidence as stored, with the key that identifies it.</summary>
    private sealed record EvidenceRow(Guid StatementId, string CompetenceId, string AgentKey, string RuleId,
        DateTimeOffset AchievedAt, DateTimeOffset? ExpiresAt, bool NeedsSignoff, string? AssessorJson);

    /// <summary>A sign-off as stored.</summary>
    private sealed record SignoffRow(Guid StatementId, Guid TargetId, string SignerKey, DateTimeOffset SignedAt);

    /// <summary>A statement to match against the rules.</summary>
    private sealed record Candidate(Guid Id, DateTimeOffset Stored, string Json);

    /// <inheritdoc />
    public async Task<StoredFramework> GetFrameworkAsync(long tenantId, CancellationToken ct)
    {
        var (version, updated) = await FrameworkStampAsync(tenantId, ct);
        if (version == 0) return new StoredFramework(Framework.Empty, 0, null);
        var framework = frameworks.Get(tenantId, version);
        if (framework is null)
        {
            var (storedVersion, document, storedUpdated) = await FrameworkRowAsync(tenantId, ct);
            (version, updated) = (storedVersion, storedUpdated);
            framework = frameworks.Remember(tenantId, version, document);
        }
        return new StoredFramework(framework, version, updated);
    }

    /// <inheritdoc />
    public async Task<StoredFramework?> PutFrameworkAsync(long tenantId, Framework framework, long? expectedVersion, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var document = FrameworkDocument.Write(framework).ToJsonString();
        long version;
        await using (var lease = await BeginExclusiveAsync(tenantId, ct))
        {
            if (expectedVersion is { } expected && await FrameworkVersionAsync(lease.Connection, lease.Transaction, tenantId, ct) != expected) return null;
            version = await WriteFrameworkAsync(lease.Connection, lease.Transaction, tenantId, document, now, ct);
            await lease.CommitAsync(ct);
        }
        frameworks.Remember(tenantId, version, document);
        return new StoredFramework(framework, version, now);
    }

    /// <inheritdoc />
    public async Task<RebuildOutcome> RebuildAsync(long tenantId, CancellationToken ct)
    {
        var framework = (await GetFrameworkAsync(tenantId, ct)).Framework;
        var verbs = framework.EvidenceVerbs.Concat(framework.SignoffVerbs).Distinct(StringComparer.Ordinal).ToArray();
        var maxSeq = await MaxSeqAsync(tenantId, ct);
        int scanned = 0, added = 0, changed = 0, retracted = 0;
        for (long from = 0, to; from <= maxSeq; from = to)
        {
            await using var lease = await BeginExclusiveAsync(tenantId, ct);
            var (c, t) = (lease.Connection, lease.Transaction);
            to = await ChunkEndAsync(c, t, tenantId, from, maxSeq, ct);
            // The framework may have changed since the rebuild began; the newest one decides.
            var version = await FrameworkVersionAsync(c, t, tenantId, ct);
            framework = frameworks.Get(tenantId, version) ?? frameworks.Remember(tenantId, version, await FrameworkDocumentAsync(c, t, tenantId, ct));
            var now = time.GetUtcNow();

            // Both stores keep times to the microsecond; rows compare equal only at that precision.
            var wantedEvidence = new Dictionary<(Guid, string, string), EvidenceRow>();
            var wantedSignoffs = new Dictionary<Guid, SignoffRow>();
            foreach (var candidate in await CandidatesAsync(c, t, tenantId, from, to, verbs, ct))
            {
                scanned++;
                var statement = (JsonObject)JsonNode.Parse(candidate.Json)!;
                foreach (var found in EvidenceExtractor.Extract(framework, statement))
                    wantedEvidence[(candidate.Id, found.CompetenceId, found.AgentKey)] = new EvidenceRow(candidate.Id, found.CompetenceId, found.AgentKey,
                        found.RuleId, XapiTimestamp.ToMicroseconds(found.AchievedAt), found.ExpiresAt is { } e ? XapiTimestamp.ToMicroseconds(e) : null, found.NeedsSignoff, found.AssessorJson);
                if (Signoffs.Recognise(framework, statement) is { } signoff)
                    wantedSignoffs[candidate.Id] = new SignoffRow(candidate.Id, signoff.TargetStatementId, signoff.SignerKey, XapiTimestamp.ToMicroseconds(signoff.SignedAt));
            }

            var haveEvidence = (await ExistingEvidenceAsync(c, t, tenantId, from, to, ct))
                .ToDictionary(e => (e.StatementId, e.CompetenceId, e.AgentKey));
            var upsertEvidence = wantedEvidence.Values.Where(w => !haveEvidence.TryGetValue((w.StatementId, w.CompetenceId, w.AgentKey), out var have) || have != w).ToList();
            var dropEvidence = haveEvidence.Values.Where(h => !wantedEvidence.ContainsKey((h.StatementId, h.CompetenceId, h.AgentKey))).ToList();
            var haveSignoffs = (await ExistingSignoffsAsync(c, t, tenantId, from, to, ct)).ToDictionary(s => s.StatementId);
            var upsertSignoffs = wantedSignoffs.Values.Where(w => !haveSignoffs.TryGetValue(w.StatementId, out var have) || have != w).ToList();
            var dropSignoffs = haveSignoffs.Values.Where(h => !wantedSignoffs.ContainsKey(h.StatementId)).ToList();

            if (upsertEvidence.Count + dropEvidence.Count + upsertSignoffs.Count + dropSignoffs.Count == 0) continue;
            if (upsertEvidence.Count > 0) await UpsertEvidenceAsync(c, t, tenantId, upsertEvidence, now, ct);
            if (dropEvidence.Count > 0) await RetractEvidenceAsync(c, t, tenantId, dropEvidence, now, ct);
            if (upsertSignoffs.Count > 0) await UpsertSignoffsAsync(c, t, tenantId, upsertSignoffs, now, ct);
            if (dropSignoffs.Count > 0) await RetractSignoffsAsync(c, t, tenantId, dropSignoffs, now, ct);
            await lease.CommitAsync(ct);

            var newEvidence = upsertEvidence.Count(u => !haveEvidence.ContainsKey((u.StatementId, u.CompetenceId, u.AgentKey)));
            var newSignoffs = upsertSignoffs.Count(u => !haveSignoffs.ContainsKey(u.StatementId));
            added += newEvidence + newSignoffs;
            changed += upsertEvidence.Count - newEvidence + upsertSignoffs.Count - newSignoffs;
            retracted += dropEvidence.Count + dropSignoffs.Count;
        }
        return new RebuildOutcome(scanned, added, changed, retracted);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<EvidenceRecord>> EvidenceAsync(long tenantId, IReadOnlyCollection<string> agentKeys, CancellationToken ct)
    {
        if (agentKeys.Count == 0) return [];
        await using var connection = await db.OpenAsync(ct);
        return await _evidence.EvidenceAsync(connection, null, tenantId, agentKeys, ct);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<EvidenceHistory>> EvidenceHistoryAsync(long tenantId, IReadOnlyCollection<string>? agentKeys, CancellationToken ct)
    {
        if (agentKeys?.Count == 0) return [];
        // A retraction counts as a voiding only when the statement is voided; a change of rules retracts for every moment.
        const string voided = "EXISTS (SELECT 1 FROM statements v WHERE v.tenant_id = {0}.tenant_id AND v.id = {0}.statement_id AND v.voided)";
        await using var connection = await db.OpenAsync(ct);
        await using var command = Dialect.Command(connection, null, $"""
            SELECT e.competence_id, e.statement_id, e.agent_key, e.achieved_at, e.expires_at, e.needs_signoff, e.assessor, e.retracted,
                so.statement_id, so.signed_at, so.retracted
            FROM evidence e LEFT JOIN signoffs so ON e.needs_signoff AND so.tenant_id = e.tenant_id AND so.target_id = e.statement_id
                AND so.signer_key <> e.agent_key AND (so.retracted IS NULL OR {string.Format(System.Globalization.CultureInfo.InvariantCulture, voided, "so")})
            WHERE e.tenant_id = @t{(agentKeys is null ? "" : $" AND e.agent_key{db.In("keys")}")} AND (e.retracted IS NULL OR {string.Format(System.Globalization.CultureInfo.InvariantCulture, voided, "e")})
            """, ("t", tenantId), ("keys", db.List(agentKeys ?? [])));
        // A whole tenant's evidence is read at once (follow-up, goal progress): each agent, competence and assessor is kept once,
        // however many rows repeat it. A row without a sign-off is the only row of its evidence (the join found none); the rows
        // of evidence with sign-offs are gathered by the evidence's key, wherever the join put them.
        var strings = new StringPool();
        var histories = new List<EvidenceHistory>();
        var signed = new Dictionary<(Guid, string, string), List<SignoffHistory>>();
        await using var r = await command.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
        {
            var evidence = new EvidenceRecord(strings.Text(r, 0)!, db.Uuid(r, 1), strings.Text(r, 2)!, db.Time(r, 3), db.TimeOrNull(r, 4), r.GetBoolean(5), null, null,
                strings.Text(r, 6));
            var voidedAt = db.TimeOrNull(r, 7);
            if (r.IsDBNull(8)) { histories.Add(new EvidenceHistory(evidence, voidedAt, [])); continue; }
            var signoff = new SignoffHistory(db.Uuid(r, 8), db.Time(r, 9), db.TimeOrNull(r, 10));
            var key = (evidence.StatementId, evidence.CompetenceId, evidence.AgentKey);
            if (signed.TryGetValue(key, out var signoffs)) { signoffs.Add(signoff); continue; }
            signed[key] = signoffs = [signoff];
            histories.Add(new EvidenceHistory(evidence, voidedAt, signoffs));
        }
        return histories;
    }

    /// <inheritdoc />
    public async Task<IReadOnlySet<string>> AgentsChangedSinceAsync(long tenantId, DateTimeOffset since, DateTimeOffset now, TimeSpan expiringWindow, CancellationToken ct) =>
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
    public async Task<IReadOnlySet<string>> AgentsWithEvidenceExpiringAsync(long tenantId, DateTimeOffset from, DateTimeOffset until, CancellationToken ct) =>
        (await db.QueryAsync("SELECT DISTINCT agent_key FROM evidence WHERE tenant_id = @t AND expires_at > @from AND expires_at <= @until AND retracted IS NULL",
            r => r.GetString(0), ct, ("t", tenantId), ("from", db.Time(from)), ("until", db.Time(until)))).ToHashSet(StringComparer.Ordinal);

    /// <summary>The framework's version and last change (0 and null when none).</summary>
    private async Task<(long Version, DateTimeOffset? Updated)> FrameworkStampAsync(long tenantId, CancellationToken ct) =>
        (await db.QueryAsync("SELECT version, updated FROM frameworks WHERE tenant_id = @t", r => (r.GetInt64(0), (DateTimeOffset?)db.Time(r, 1)), ct, ("t", tenantId)))
            .DefaultIfEmpty((0, null)).First();

    /// <summary>The framework row (0, null, null when none).</summary>
    private async Task<(long Version, string? Document, DateTimeOffset? Updated)> FrameworkRowAsync(long tenantId, CancellationToken ct) =>
        (await db.QueryAsync($"SELECT version, document{db.AsText}, updated FROM frameworks WHERE tenant_id = @t",
            r => (r.GetInt64(0), (string?)r.GetString(1), (DateTimeOffset?)db.Time(r, 2)), ct, ("t", tenantId))).DefaultIfEmpty((0, null, null)).First();

    /// <summary>The framework's version inside a transaction.</summary>
    private Task<long> FrameworkVersionAsync(DbConnection c, DbTransaction t, long tenantId, CancellationToken ct) =>
        _evidence.VersionAsync(c, t, tenantId, shareLock: false, ct);

    /// <summary>The framework document inside a transaction (null when none).</summary>
    private Task<string?> FrameworkDocumentAsync(DbConnection c, DbTransaction t, long tenantId, CancellationToken ct) => _evidence.DocumentAsync(c, t, tenantId, ct);

    /// <summary>
    /// The end (exclusive) of the rebuild range starting at <paramref name="from"/>: just past the tenant's
    /// <see cref="RebuildChunk"/>-th statement from there, or past <paramref name="maxSeq"/>.
    /// </summary>
    private async Task<long> ChunkEndAsync(DbConnection c, DbTransaction t, long tenantId, long from, long maxSeq, CancellationToken ct)
    {
        await using var command = Dialect.Command(c, t, $"SELECT seq FROM statements WHERE tenant_id = @t AND seq >= @from ORDER BY seq LIMIT 1 OFFSET {RebuildChunk}",
            ("t", tenantId), ("from", from));
        return await command.ExecuteScalarAsync(ct) is long end ? end : maxSeq + 1;
    }

    /// <summary>A write transaction holding the tenant's framework lock exclusively (no statement batch of the tenant runs meanwhile).</summary>
    private Task<WriteLease> BeginExclusiveAsync(long tenantId, CancellationToken ct) => _evidence.BeginExclusiveAsync(tenantId, ct);

    /// <summary>Stores the document as the next version; returns it.</summary>
    private async Task<long> WriteFrameworkAsync(DbConnection c, DbTransaction t, long tenantId, string document, DateTimeOffset now, CancellationToken ct)
    {
        await using var command = Dialect.Command(c, t, $"""
            INSERT INTO frameworks (tenant_id, version, document, updated) VALUES (@t, 1, @document{db.AsJson}, @now)
            ON CONFLICT (tenant_id) DO UPDATE SET version = frameworks.version + 1, document = excluded.document, updated = excluded.updated
            RETURNING version
            """, ("t", tenantId), ("document", document), ("now", db.Time(now)));
        return (long)(await command.ExecuteScalarAsync(ct))!;
    }

    /// <summary>The highest statement sequence number of the tenant (0 when none).</summary>
    private async Task<long> MaxSeqAsync(long tenantId, CancellationToken ct) =>
        (long)(await db.ScalarAsync("SELECT COALESCE(max(seq), 0) FROM statements WHERE tenant_id = @t", ct, ("t", tenantId)))!;

    /// <summary>Non-voided, non-voiding statements with sequence in [from, to) whose verb is one of <paramref name="verbs"/>.</summary>
    private async Task<IReadOnlyList<Candidate>> CandidatesAsync(DbConnection c, DbTransaction t, long tenantId, long from, long to, string[] verbs, CancellationToken ct)
    {
        if (verbs.Length == 0) return [];
        await using var command = Dialect.Command(c, t, $"""
            SELECT id, stored, body FROM statements
            WHERE tenant_id = @t AND seq >= @from AND seq < @to AND NOT voided AND NOT is_voiding AND verb{db.In("verbs")}
            ORDER BY seq
            """, ("t", tenantId), ("from", from), ("to", to), ("verbs", db.List(verbs)));
        return await command.ListAsync(r => new Candidate(db.Uuid(r, 0), db.Time(r, 1), r.GetString(2)), ct);
    }

    /// <summary>The current evidence of the statements with sequence in [from, to).</summary>
    private async Task<IReadOnlyList<EvidenceRow>> ExistingEvidenceAsync(DbConnection c, DbTransaction t, long tenantId, long from, long to, CancellationToken ct)
    {
        await using var command = Dialect.Command(c, t, """
            SELECT e.statement_id, e.competence_id, e.agent_key, e.rule_id, e.achieved_at, e.expires_at, e.needs_signoff, e.assessor
            FROM statements s JOIN evidence e ON e.tenant_id = s.tenant_id AND e.statement_id = s.id
            WHERE s.tenant_id = @t AND s.seq >= @from AND s.seq < @to AND e.retracted IS NULL
            """, ("t", tenantId), ("from", from), ("to", to));
        return await command.ListAsync(r => new EvidenceRow(db.Uuid(r, 0), r.GetString(1), r.GetString(2), r.GetString(3), db.Time(r, 4), db.TimeOrNull(r, 5),
            r.GetBoolean(6), r.StringOrNull(7)), ct);
    }

    /// <summary>The current sign-offs given by the statements with sequence in [from, to).</summary>
    private async Task<IReadOnlyList<SignoffRow>> ExistingSignoffsAsync(DbConnection c, DbTransaction t, long tenantId, long from, long to, CancellationToken ct)
    {
        await using var command = Dialect.Command(c, t, """
            SELECT so.statement_id, so.target_id, so.signer_key, so.signed_at
            FROM statements s JOIN signoffs so ON so.tenant_id = s.tenant_id AND so.statement_id = s.id
            WHERE s.tenant_id = @t AND s.seq >= @from AND s.seq < @to AND so.retracted IS NULL
            """, ("t", tenantId), ("from", from), ("to", to));
        return await command.ListAsync(r => new SignoffRow(db.Uuid(r, 0), db.Uuid(r, 1), r.GetString(2), db.Time(r, 3)), ct);
    }

    /// <summary>Inserts evidence, or replaces it (clearing a retraction), recorded at <paramref name="now"/>.</summary>
    private Task UpsertEvidenceAsync(DbConnection c, DbTransaction t, long tenantId, IReadOnlyList<EvidenceRow> rows, DateTimeOffset now, CancellationToken ct) =>
        _evidence.UpsertEvidenceAsync(c, t, tenantId, [.. rows.Select(r => (r.StatementId, now,
            new EvidenceFound(r.CompetenceId, r.RuleId, r.AgentKey, r.AchievedAt, r.ExpiresAt, r.NeedsSignoff, r.AssessorJson)))], ct);

    /// <summary>Marks evidence retracted at <paramref name="now"/>.</summary>
    private async Task RetractEvidenceAsync(DbConnection c, DbTransaction t, long tenantId, IReadOnlyList<EvidenceRow> rows, DateTimeOffset now, CancellationToken ct)
    {
        await using var command = Dialect.Command(c, t, "", ("t", tenantId), ("now", db.Time(now)));
        await db.ForEachRowAsync(command, """
            UPDATE evidence AS e SET retracted = @now FROM {rows}
            WHERE e.tenant_id = @t AND e.statement_id = r.id AND e.competence_id = r.competence AND e.agent_key = r.agent
            """, rows, ct,
            new("id", ColumnType.Uuid, r => r.StatementId), new("competence", ColumnType.Text, r => r.CompetenceId), new("agent", ColumnType.Text, r => r.AgentKey));
    }

    /// <summary>Inserts sign-offs, or replaces them (clearing a retraction), recorded at <paramref name="now"/>.</summary>
    private Task UpsertSignoffsAsync(DbConnection c, DbTransaction t, long tenantId, IReadOnlyList<SignoffRow> rows, DateTimeOffset now, CancellationToken ct) =>
        _evidence.UpsertSignoffsAsync(c, t, tenantId, [.. rows.Select(r => (r.StatementId, now, new Signoff(r.TargetId, r.SignerKey, r.SignedAt)))], ct);

    /// <summary>Marks sign-offs retracted at <paramref name="now"/>.</summary>
    private async Task RetractSignoffsAsync(DbConnection c, DbTransaction t, long tenantId, IReadOnlyList<SignoffRow> rows, DateTimeOffset now, CancellationToken ct)
    {
        await using var command = Dialect.Command(c, t, $"UPDATE signoffs SET retracted = @now WHERE tenant_id = @t AND statement_id{db.In("ids")}",
            ("t", tenantId), ("now", db.Time(now)), ("ids", db.List(rows.Select(r => r.StatementId))));
        await command.ExecuteNonQueryAsync(ct);
    }
}
