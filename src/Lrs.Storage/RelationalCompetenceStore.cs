using System.Data.Common;
using System.Text.Json.Nodes;
using Lrs.Core.Competence;
using Lrs.Core.Storage;

namespace Lrs.Storage;

/// <summary>
/// The framework and evidence algorithms shared by the relational adapters; each adapter supplies its SQL.
/// </summary>
/// <remarks>
/// A rebuild walks the tenant's statements in ranges of <see cref="RebuildChunk"/> statements. Each range is
/// one transaction that holds the tenant's framework lock exclusively, so a voiding written meanwhile is either
/// seen by the range or applied after it, never undone by it; ingest waits at most for one range.
/// </remarks>
public abstract class RelationalCompetenceStore(FrameworkCache frameworks, TimeProvider time) : ICompetenceStore
{
    /// <summary>Statements per rebuild transaction.</summary>
    protected const int RebuildChunk = 5000;

    /// <summary>Evidence as stored, with the key that identifies it.</summary>
    protected sealed record EvidenceRow(Guid StatementId, string CompetenceId, string AgentKey, string RuleId,
        DateTimeOffset AchievedAt, DateTimeOffset? ExpiresAt, bool NeedsSignoff, string? AssessorJson);

    /// <summary>A sign-off as stored.</summary>
    protected sealed record SignoffRow(Guid StatementId, Guid TargetId, string SignerKey, DateTimeOffset SignedAt);

    /// <summary>A statement to match against the rules.</summary>
    protected sealed record Candidate(Guid Id, DateTimeOffset Stored, string Json);

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

            var wantedEvidence = new Dictionary<(Guid, string, string), EvidenceRow>();
            var wantedSignoffs = new Dictionary<Guid, SignoffRow>();
            foreach (var candidate in await CandidatesAsync(c, t, tenantId, from, to, verbs, ct))
            {
                scanned++;
                var statement = (JsonObject)JsonNode.Parse(candidate.Json)!;
                foreach (var found in EvidenceExtractor.Extract(framework, statement))
                    wantedEvidence[(candidate.Id, found.CompetenceId, found.AgentKey)] = new EvidenceRow(candidate.Id, found.CompetenceId, found.AgentKey,
                        found.RuleId, Micros(found.AchievedAt), found.ExpiresAt is { } e ? Micros(e) : null, found.NeedsSignoff, found.AssessorJson);
                if (Signoffs.Recognise(framework, statement) is { } signoff)
                    wantedSignoffs[candidate.Id] = new SignoffRow(candidate.Id, signoff.TargetStatementId, signoff.SignerKey, Micros(signoff.SignedAt));
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

    // Both stores keep times to the microsecond; rows compare equal only at that precision.
    private static DateTimeOffset Micros(DateTimeOffset t) => new(t.UtcTicks - t.UtcTicks % 10, TimeSpan.Zero);

    /// <inheritdoc />
    public abstract Task<IReadOnlyList<EvidenceRecord>> EvidenceAsync(long tenantId, IReadOnlyCollection<string> agentKeys, CancellationToken ct);

    /// <inheritdoc />
    public abstract Task<IReadOnlySet<string>> AgentsChangedSinceAsync(long tenantId, DateTimeOffset since, DateTimeOffset now, TimeSpan expiringWindow, CancellationToken ct);

    /// <inheritdoc />
    public abstract Task<IReadOnlySet<string>> AgentsWithEvidenceExpiringAsync(long tenantId, DateTimeOffset from, DateTimeOffset until, CancellationToken ct);

    /// <summary>The framework's version and last change (0 and null when none).</summary>
    protected abstract Task<(long Version, DateTimeOffset? Updated)> FrameworkStampAsync(long tenantId, CancellationToken ct);

    /// <summary>The framework row (0, null, null when none).</summary>
    protected abstract Task<(long Version, string? Document, DateTimeOffset? Updated)> FrameworkRowAsync(long tenantId, CancellationToken ct);

    /// <summary>The framework's version inside a transaction.</summary>
    protected abstract Task<long> FrameworkVersionAsync(DbConnection c, DbTransaction t, long tenantId, CancellationToken ct);

    /// <summary>The framework document inside a transaction (null when none).</summary>
    protected abstract Task<string?> FrameworkDocumentAsync(DbConnection c, DbTransaction t, long tenantId, CancellationToken ct);

    /// <summary>
    /// The end (exclusive) of the rebuild range starting at <paramref name="from"/>: just past the tenant's
    /// <see cref="RebuildChunk"/>-th statement from there, or past <paramref name="maxSeq"/>.
    /// </summary>
    protected abstract Task<long> ChunkEndAsync(DbConnection c, DbTransaction t, long tenantId, long from, long maxSeq, CancellationToken ct);

    /// <summary>A write transaction holding the tenant's framework lock exclusively (no statement batch of the tenant runs meanwhile).</summary>
    protected abstract Task<WriteLease> BeginExclusiveAsync(long tenantId, CancellationToken ct);

    /// <summary>Stores the document as the next version; returns it.</summary>
    protected abstract Task<long> WriteFrameworkAsync(DbConnection c, DbTransaction t, long tenantId, string document, DateTimeOffset now, CancellationToken ct);

    /// <summary>The highest statement sequence number of the tenant (0 when none).</summary>
    protected abstract Task<long> MaxSeqAsync(long tenantId, CancellationToken ct);

    /// <summary>Non-voided, non-voiding statements with sequence in [from, to) whose verb is one of <paramref name="verbs"/>.</summary>
    protected abstract Task<IReadOnlyList<Candidate>> CandidatesAsync(DbConnection c, DbTransaction t, long tenantId, long from, long to, string[] verbs, CancellationToken ct);

    /// <summary>The current evidence of the statements with sequence in [from, to).</summary>
    protected abstract Task<IReadOnlyList<EvidenceRow>> ExistingEvidenceAsync(DbConnection c, DbTransaction t, long tenantId, long from, long to, CancellationToken ct);

    /// <summary>The current sign-offs given by the statements with sequence in [from, to).</summary>
    protected abstract Task<IReadOnlyList<SignoffRow>> ExistingSignoffsAsync(DbConnection c, DbTransaction t, long tenantId, long from, long to, CancellationToken ct);

    /// <summary>Inserts evidence, or replaces it (clearing a retraction), recorded at <paramref name="now"/>.</summary>
    protected abstract Task UpsertEvidenceAsync(DbConnection c, DbTransaction t, long tenantId, IReadOnlyList<EvidenceRow> rows, DateTimeOffset now, CancellationToken ct);

    /// <summary>Marks evidence retracted at <paramref name="now"/>.</summary>
    protected abstract Task RetractEvidenceAsync(DbConnection c, DbTransaction t, long tenantId, IReadOnlyList<EvidenceRow> rows, DateTimeOffset now, CancellationToken ct);

    /// <summary>Inserts sign-offs, or replaces them (clearing a retraction), recorded at <paramref name="now"/>.</summary>
    protected abstract Task UpsertSignoffsAsync(DbConnection c, DbTransaction t, long tenantId, IReadOnlyList<SignoffRow> rows, DateTimeOffset now, CancellationToken ct);

    /// <summary>Marks sign-offs retracted at <paramref name="now"/>.</summary>
    protected abstract Task RetractSignoffsAsync(DbConnection c, DbTransaction t, long tenantId, IReadOnlyList<SignoffRow> rows, DateTimeOffset now, CancellationToken ct);
}
