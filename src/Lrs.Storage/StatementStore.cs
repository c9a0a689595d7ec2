using System.Collections.Concurrent;
using System.Data.Common;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Lrs.Core.Competence;
using Lrs.Core.Reflection;
using Lrs.Core.Storage;
using Lrs.Core.Xapi;
using Npgsql;
using NpgsqlTypes;

namespace Lrs.Storage;

/// <summary>
/// Statements. PostgreSQL writes set-based, whatever the batch's size: a plain batch of new statements is one round trip
/// before the commit (see <c>ReadAndInsertAsync</c>); SQLite, in process, runs prepared statements per row.
/// </summary>
/// <remarks>
/// One transaction per batch: compare duplicates, insert rows and their index keys, apply voiding in both
/// directions (a voiding statement may arrive before its target), and give every statement that targets
/// another through a StatementRef the keys of its target chain, so that the StatementRef rule of the query
/// is answered from the index. Chains longer than <see cref="MaxRefDepth"/> are not followed further.
/// Competence evidence and sign-offs are extracted in the same transaction, and retracted with the statements
/// voided, so that an acknowledged statement is already counted in every profile. Reflection tasks are created,
/// answered and cancelled in the same transaction too, and so are the events that announce them. Competence statuses are
/// computed again only for the people whose evidence the batch changed (<paramref name="expiringWindow"/> makes a status
/// expiring): a batch that changes no evidence costs nothing more.
/// </remarks>
public sealed class StatementStore(Dialect db, FrameworkCache frameworks, TimeSpan expiringWindow, StoreMetrics? metrics = null,
    Postgres.KeyStatistics? keyStatistics = null) : IStatementStore
{
    /// <summary>How many StatementRef hops the index follows.</summary>
    private const int MaxRefDepth = 16;

    // Keys never contain this control character (IRIs and IFIs cannot), so it separates them in SQLite's keys column.
    private const char KeySeparator = '\u001f';

    private readonly EvidenceTables _evidence = new(db);
    private readonly ReflectionStore _reflection = new(db);
    private readonly EventTables _events = new(db);
    private readonly FollowUpFacts _facts = new(db);

    /// <summary>A stored statement's identity and index information.</summary>
    private sealed record RowInfo(long Seq, Guid Id, IReadOnlyList<string> Keys, Guid? RefTarget, bool IsVoiding);

    /// <summary>A statement that targets another through a StatementRef.</summary>
    private sealed record Referrer(Guid Target, long Seq, Guid Id, bool IsVoiding);

    /// <summary>
    /// A canonical definition this node knows to be stored, and the text of the last definition sent for the activity that it
    /// is known to cover: a course sends the same text with every statement, and text equal to it needs no parsing to be
    /// known to add nothing.
    /// </summary>
    private sealed record KnownDefinition(JsonObject Canonical, byte[] Covered);

    /// <summary>Evidence found in a stored statement.</summary>
    private sealed record EvidenceRow(Guid StatementId, DateTimeOffset Recorded, EvidenceFound Found);

    /// <summary>A reflection task a stored statement triggered.</summary>
    private sealed record TaskRow(Guid Id, DateTimeOffset Recorded, TaskTrigger Trigger, string AgentJson, string? TrainingJson);

    /// <summary>A sign-off found in a stored statement.</summary>
    private sealed record SignoffRow(Guid StatementId, DateTimeOffset Recorded, Signoff Signoff);

    // What this node knows to be stored already, per tenant: canonical definitions and agent names. Consulted before
    // writing so that the same course definition and the same learner's name sent with every statement cost nothing;
    // updated only after a commit, so a rolled-back batch never makes the cache claim more than the database holds.
    private const int KnowledgeCacheLimit = 100_000;
    private readonly ConcurrentDictionary<long, TenantKnowledge> _knowledge = new();
    private int _knowledgeCount;

    private sealed class TenantKnowledge
    {
        /// <summary>Canonical definitions by activity IRI.</summary>
        public readonly ConcurrentDictionary<string, KnownDefinition> Definitions = new(StringComparer.Ordinal);

        /// <summary>The names recorded per agent key, as of a count of the tenant's erasures (which delete names).</summary>
        public volatile KnownNames? Names;
    }

    /// <summary>
    /// The names this node recorded per agent key while the tenant had had <paramref name="Erasures"/> erasures. A batch that
    /// reads another count (in the round trip before it writes) does not trust them: an erasure deleted a person's names,
    /// perhaps on another node, and the person's next statement records them again.
    /// </summary>
    private sealed record KnownNames(long Erasures)
    {
        public ConcurrentDictionary<string, string[]> ByAgent { get; } = new(StringComparer.Ordinal);
    }

    // More names than this for one agent are not kept: a sender that renames an agent at every statement costs an insert each.
    private const int NamesKeptPerAgent = 8;

    /// <inheritdoc />
    public async Task<StoreOutcome> StoreAsync(long tenantId, IReadOnlyList<PreparedStatement> batch, IReadOnlyCollection<AttachmentContent> attachments, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await StoreOnceAsync(tenantId, batch, attachments, ct);
            }
            catch (Exception e) when (attempt < 4 && (db.IsTransient(e) || e is StoredMeanwhileException))
            {
                // A deadlock or serialization failure rolled everything back; the batch is simply tried again.
                await Task.Delay(Random.Shared.Next(5, 50) * attempt, ct);
            }
            catch (Exception e) when (db.IsUnreachable(e))
            {
                // Before the commit: the transaction never committed, so nothing of the batch is stored.
                throw new StoreUnavailableException(outcomeUnknown: false, e);
            }
        }
    }

    // A connection that breaks during COMMIT leaves the outcome unknown: the server may have committed before it went.
    private async Task CommitAsync(WriteLease lease, CancellationToken ct)
    {
        try
        {
            await lease.CommitAsync(ct);
        }
        catch (Exception e) when (db.IsUnreachable(e))
        {
            throw new StoreUnavailableException(outcomeUnknown: true, e);
        }
    }

    private async Task<StoreOutcome> StoreOnceAsync(long tenantId, IReadOnlyList<PreparedStatement> batch, IReadOnlyCollection<AttachmentContent> attachments, CancellationToken ct)
    {
        await using var lease = await db.BeginWriteAsync(null, ct);
        var (connection, transaction) = (lease.Connection, lease.Transaction);
        // PostgreSQL inserts the rows of ids not stored in the round trip that reads (see ReadAndInsertAsync); SQLite reads first.
        var (version, erasures, existing, referrers, inserted) = db.IsPostgres
            ? await ReadAndInsertAsync(connection, transaction, tenantId, batch, ct)
            : await ReadBeforeWritingAsync(connection, transaction, tenantId, batch.Select(s => s.Id).ToArray(), ct);
        var fresh = new List<PreparedStatement>(batch.Count);
        var insertedSeqs = new List<long>(inserted is null ? 0 : batch.Count);
        foreach (var statement in batch)
        {
            if (existing.TryGetValue(statement.Id, out var body))
            {
                if (!StatementComparer.AreEquivalent(JsonNode.Parse(body)!, statement.AsSent())) return new StoreOutcome(statement.Id);
            }
            else if (inserted is null) fresh.Add(statement);
            else if (inserted.TryGetValue(statement.Id, out var seq))
            {
                fresh.Add(statement);
                insertedSeqs.Add(seq);
            }
            // Neither inserted nor found stored: what was stored under the id when the insert ran was gone when it was read. Tried
            // again, the batch sees the id as it is now.
            else throw new StoredMeanwhileException();
        }

        // Data sent again with a duplicate statement is stored too: it may have come by fileUrl the first time.
        if (attachments.Count > 0) await InsertAttachmentsAsync(connection, transaction, tenantId, attachments, ct);
        if (fresh.Count == 0)
        {
            if (attachments.Count > 0) await CommitAsync(lease, ct);
            return StoreOutcome.Stored;
        }

        long[] seqs;
        if (inserted is not null) seqs = [.. insertedSeqs];
        else
        {
            seqs = await InsertRowByRowAsync(connection, transaction, tenantId, fresh, ct);
            await InsertFollowUpFactsAsync(connection, transaction, tenantId, fresh, seqs, ct);
        }

        // Voiding, forwards: targets already stored (or earlier in this batch) become voided.
        var voidTargets = fresh.Where(s => s.IsVoiding).Select(s => s.RefTarget!.Value).Distinct().ToArray();
        if (voidTargets.Length > 0) await MarkVoidedAsync(connection, transaction, tenantId, voidTargets, ct);

        // Backwards: statements stored earlier that target the new ones (read before the insert: those of this batch that
        // target others of it are the forward case above). Those of statements already stored were handled when they were stored.
        if (existing.Count > 0) referrers = [.. referrers.Where(r => !existing.ContainsKey(r.Target))];
        var voidedLate = referrers.Where(r => r.IsVoiding).Select(r => r.Target).Distinct().ToArray();
        if (voidedLate.Length > 0) await MarkVoidedAsync(connection, transaction, tenantId, voidedLate, ct);

        // StatementRef chains: new referrers inherit their targets' keys; earlier referrers of new statements too.
        var refresh = new List<(long Seq, Guid Target)>();
        for (var i = 0; i < fresh.Count; i++)
            if (fresh[i].RefTarget is { } target) refresh.Add((seqs[i], target));
        var visited = new HashSet<Guid>(fresh.Select(s => s.Id));
        var frontier = referrers;
        for (var depth = 0; frontier.Count > 0 && depth < MaxRefDepth; depth++)
        {
            foreach (var r in frontier) refresh.Add((r.Seq, r.Target));
            var next = frontier.Select(r => r.Id).Where(visited.Add).ToArray();
            frontier = next.Length == 0 ? [] : await ReferrersAsync(connection, transaction, tenantId, next, ct);
        }
        foreach (var (seq, target) in refresh.Distinct())
            await InheritChainAsync(connection, transaction, tenantId, seq, target, ct);

        var (evidenceCreated, tasksCreated) = await RecordCompetenceAsync(connection, transaction, tenantId, version, fresh, voidTargets, voidedLate, ct);

        var knowledge = _knowledge.GetValueOrDefault(tenantId);
        var definitions = await UpdateDefinitionsAsync(connection, transaction, tenantId, knowledge, fresh, ct);
        // Only a sender allowed to define changes what the LRS holds about activities and agents.
        var names = UnknownNames(knowledge?.Names is { } known && known.Erasures == erasures ? known : null, fresh);
        if (names.Count > 0) await InsertAgentNamesAsync(connection, transaction, tenantId, names, ct);

        await CommitAsync(lease, ct);
        metrics?.Recorded(evidenceCreated, tasksCreated);
        Remember(tenantId, definitions, erasures, names);
        return StoreOutcome.Stored;
    }

    // The distinct (agent key, name) pairs of the statements from senders that may define, less those known to be recorded.
    private static List<(string Key, string Name)> UnknownNames(KnownNames? known, List<PreparedStatement> fresh)
    {
        var unknown = new List<(string Key, string Name)>();
        HashSet<(string, string)>? seen = null;
        foreach (var statement in fresh)
        {
            if (!statement.Define) continue;
            foreach (var pair in statement.Names)
            {
                if (known is not null && known.ByAgent.TryGetValue(pair.Key, out var names) && Array.IndexOf(names, pair.Name) >= 0) continue;
                if ((seen ??= []).Add(pair)) unknown.Add(pair);
            }
        }
        return unknown;
    }

    // After a commit: what the batch stored, as of the count of erasures it read. Knowledge of another count is replaced
    // (or, if newer, kept: the batch's names are left out of it). Past the limit, everything is forgotten.
    private void Remember(long tenantId, Dictionary<string, KnownDefinition> definitions, long erasures, List<(string Key, string Name)> names)
    {
        if (definitions.Count == 0 && names.Count == 0) return;
        if (Interlocked.Add(ref _knowledgeCount, definitions.Count + names.Count) > KnowledgeCacheLimit)
        {
            _knowledge.Clear();
            Volatile.Write(ref _knowledgeCount, definitions.Count + names.Count);
        }
        var tenant = _knowledge.GetOrAdd(tenantId, _ => new TenantKnowledge());
        foreach (var (iri, known) in definitions) tenant.Definitions[iri] = known;
        if (names.Count == 0) return;
        var current = tenant.Names;
        if (current is null || current.Erasures < erasures) tenant.Names = current = new KnownNames(erasures);
        else if (current.Erasures > erasures) return;
        foreach (var (key, name) in names)
            current.ByAgent.AddOrUpdate(key, static (_, name) => [name],
                static (_, known, name) => known.Contains(name) ? known : known.Length < NamesKeptPerAgent ? [.. known, name] : [name], name);
    }

    // Evidence and sign-offs of the new statements (not of those voided already), and retraction of what the
    // statements voided now had given. Returns how much evidence and how many reflection tasks it created.
    private async Task<(int Evidence, int Tasks)> RecordCompetenceAsync(DbConnection c, DbTransaction t, long tenantId, long version, List<PreparedStatement> fresh, Guid[] voidTargets, Guid[] voidedLate, CancellationToken ct)
    {
        if (voidTargets.Length > 0)
        {
            var at = fresh.Max(s => s.Stored);
            await RetractAsync(c, t, tenantId, voidTargets, at, ct);
            await VoidReflectionAsync(c, t, tenantId, voidTargets, at, ct);
        }
        if (version == 0) return (0, 0);

        var framework = frameworks.Get(tenantId, version) ?? frameworks.Remember(tenantId, version, await FrameworkDocumentAsync(c, t, tenantId, ct));
        var voided = voidTargets.Length + voidedLate.Length == 0 ? null : new HashSet<Guid>(voidTargets.Concat(voidedLate));
        List<EvidenceRow>? evidence = null;
        List<SignoffRow>? signoffs = null;
        List<TaskRow>? tasks = null;
        List<AnswerFound>? answers = null;
        foreach (var statement in fresh)
        {
            if (statement.IsVoiding || (voided is not null && voided.Contains(statement.Id)) || !framework.Reads(statement)) continue;
            var view = statement.View;
            var found = EvidenceExtractor.Extract(framework, view);
            foreach (var e in found)
                (evidence ??= []).Add(new EvidenceRow(statement.Id, statement.Stored, e));
            if (statement.RefTarget is not null && Signoffs.Recognise(framework, view) is { } signoff)
                (signoffs ??= []).Add(new SignoffRow(statement.Id, statement.Stored, signoff));
            var triggers = ReflectionTriggers.Match(framework, view, found, statement.Verb);
            if (triggers.Count > 0)
            {
                // One training per statement, however many tasks it triggers.
                var training = ReflectionStatements.TrainingActivity(view)?.ToJsonString();
                foreach (var trigger in triggers)
                    (tasks ??= []).Add(new TaskRow(Guid.NewGuid(), statement.Stored, trigger,
                        (AgentOf(view, trigger.AgentKey) ?? new JsonObject()).ToJsonString(), training));
            }
            // An answer that does not fit its template (a follow-up question without a score from 1 to 5, a reflection without
            // words) is stored as the statement it is, but answers nothing.
            if (statement.Verb == ReflectionStatements.AnsweredVerb && AnswerFound.Recognise(view, statement.Verb) is { } answer
                && framework.FindReflectionTemplate(answer.TemplateId) is { } template && template.FindPrompt(answer.PromptId) is not null
                && template.Accepts(answer.Response, answer.Score))
                (answers ??= []).Add(template.IsFollowUp ? answer : answer with { Score = null });
        }
        if (evidence is not null) await InsertEvidenceAsync(c, t, tenantId, evidence, ct);
        if (signoffs is not null) await InsertSignoffsAsync(c, t, tenantId, signoffs, ct);
        var tasksCreated = tasks is null ? 0 : await InsertTasksAsync(c, t, tenantId, tasks, ct);
        if (answers is not null) await RecordAnswersAsync(c, t, tenantId, answers, fresh.Max(s => s.Stored), ct);
        if (evidence is not null || signoffs is not null || voidTargets.Length > 0)
            await _events.AnnounceCompetenceAsync(c, t, tenantId, framework, fresh.Max(s => s.Stored), expiringWindow,
                [.. (evidence ?? []).Select(e => e.Found.AgentKey).Distinct()], [.. voidTargets, .. (signoffs ?? []).Select(s => s.StatementId)], [], ct);
        return (evidence?.Count ?? 0, tasksCreated);
    }

    // The agent node of the actor (or of a member of a Group actor) with this key: the actor of the task's answers.
    private static JsonObject? AgentOf(JsonObject statement, string key)
    {
        if (statement["actor"] is not JsonObject actor) return null;
        if (AgentKey.Of(actor) == key) return Identified(actor);
        if (actor["member"] is JsonArray members)
            foreach (var member in members)
                if (member is JsonObject m && AgentKey.Of(m) == key) return Identified(m);
        return null;

        static JsonObject Identified(JsonObject agent)
        {
            var copy = (JsonObject)agent.DeepClone();
            copy.Remove("member");
            copy["objectType"] = "Agent";
            return copy;
        }
    }

    // Merges the batch's activity definitions into the canonical ones, skipping those that add nothing to what this node knows;
    // returns what this node knows afterwards of the activities whose definitions the batch sent (to remember after the commit).
    private async Task<Dictionary<string, KnownDefinition>> UpdateDefinitionsAsync(DbConnection c, DbTransaction t, long tenantId, TenantKnowledge? knowledge,
        IReadOnlyList<PreparedStatement> fresh, CancellationToken ct)
    {
        var cache = knowledge?.Definitions;
        // Per activity, in batch order: the definitions merged so far (ActivityDefinitions.Fold), parsed only once a text comes
        // that is not known to be covered, and the last text, which what is merged covers.
        var incoming = new Dictionary<string, (JsonObject? Merged, byte[] Last)>(StringComparer.Ordinal);
        foreach (var statement in fresh)
        {
            if (!statement.Define) continue;
            foreach (var (iri, utf8) in statement.Definitions)
            {
                if (incoming.TryGetValue(iri, out var sofar))
                {
                    if (Same(utf8, sofar.Last)) continue;
                }
                else if (cache is not null && cache.TryGetValue(iri, out var cached) && Same(utf8, cached.Covered))
                {
                    // Known covered, and so is what it is folded with as long as the texts that follow are the same.
                    incoming[iri] = (null, utf8);
                    continue;
                }
                var merged = sofar.Merged ?? (sofar.Last is null ? null : Parse(sofar.Last));
                incoming[iri] = (ActivityDefinitions.Fold(merged, Parse(utf8)), utf8);
            }
        }

        var known = new Dictionary<string, KnownDefinition>(StringComparer.Ordinal);
        var changed = new List<(string Iri, JsonObject Definition, byte[] Last)>();
        foreach (var (iri, (merged, last)) in incoming)
        {
            if (merged is null) continue;
            if (cache is not null && cache.TryGetValue(iri, out var cached) && ActivityDefinitions.Covers(cached.Canonical, merged))
                known[iri] = cached with { Covered = last };
            else changed.Add((iri, merged, last));
        }
        if (changed.Count == 0) return known;

        changed.Sort((a, b) => string.CompareOrdinal(a.Iri, b.Iri));
        var stored = await LockDefinitionsAsync(c, t, tenantId, [.. changed.Select(d => d.Iri)], ct);
        foreach (var (iri, definition, last) in changed)
            known[iri] = new KnownDefinition(
                ActivityDefinitions.Merge(stored.TryGetValue(iri, out var json) ? JsonNode.Parse(json) as JsonObject : null, definition), last);
        await WriteDefinitionsAsync(c, t, tenantId, [.. changed.Select(d => (d.Iri, known[d.Iri].Canonical.ToJsonString()))], ct);
        return known;
    }

    // Two definitions' texts alike: most often the same array (JsonText.Written), compared only when not.
    private static bool Same(byte[] a, byte[] b) => ReferenceEquals(a, b) || a.AsSpan().SequenceEqual(b);

    private static readonly JsonDocumentOptions DefinitionReading = new() { MaxDepth = 128 };

    private static JsonObject Parse(byte[] definition) => (JsonObject)JsonText.Parse(definition, DefinitionReading)!;

    private async Task InheritChainAsync(DbConnection c, DbTransaction t, long tenantId, long seq, Guid target, CancellationToken ct)
    {
        var rows = new List<(string Key, long Src)>();
        Guid? current = target;
        var seen = new HashSet<Guid>();
        for (var depth = 0; current is { } id && depth < MaxRefDepth && seen.Add(id); depth++)
        {
            var row = await RowByIdAsync(c, t, tenantId, id, ct);
            if (row is null || row.Seq == seq) break;
            foreach (var key in row.Keys) rows.Add((key, row.Seq));
            current = row.RefTarget;
        }
        if (rows.Count > 0) await InsertInheritedKeysAsync(c, t, tenantId, seq, rows, ct);
    }

    /// <summary>
    /// What a batch reads before it writes, in one round trip: the version of the tenant's framework (on PostgreSQL after
    /// taking its lock in shared mode, first, so that an erasure or a framework change, which take it exclusively, never
    /// lands between this batch's reads and writes); the bodies of the statements among <paramref name="ids"/> stored
    /// already; and the stored statements whose StatementRef targets one of them.
    /// </summary>
    private async Task<(long Version, long Erasures, Dictionary<Guid, string> Existing, List<Referrer> Referrers, Dictionary<Guid, long>? Inserted)> ReadBeforeWritingAsync(
        DbConnection c, DbTransaction t, long tenantId, Guid[] ids, CancellationToken ct)
    {
        await using var command = Dialect.Command(c, t, $"""
            {_evidence.VersionSql(shareLock: true)};
            {ErasuresSql};
            {StoredBodiesSql};
            {ReferrersSql}
            """, ("t", tenantId), ("lock", EvidenceTables.LockParameter(tenantId)), ("ids", db.List(ids)), ("targets", db.List(ids)));
        await using var reader = await command.ExecuteReaderAsync(ct);
        var version = await _evidence.ReadVersionAsync(reader, shareLock: true, ct);
        var erasures = await ReadErasuresAsync(reader, ct);
        await reader.NextResultAsync(ct);
        var existing = new Dictionary<Guid, string>();
        while (await reader.ReadAsync(ct)) existing[db.Uuid(reader, 0)] = reader.GetString(1);
        await reader.NextResultAsync(ct);
        var referrers = new List<Referrer>();
        while (await reader.ReadAsync(ct)) referrers.Add(ReadReferrer(reader));
        return (version, erasures, existing, referrers, null);
    }

    // How many erasures the tenant has had: what this node knows of its agents' names holds only for the count it was learnt at.
    private const string ErasuresSql = "SELECT erasures FROM tenants WHERE id = @t";

    // Reads the result of ErasuresSql, from the result before it.
    private static async Task<long> ReadErasuresAsync(DbDataReader reader, CancellationToken ct)
    {
        await reader.NextResultAsync(ct);
        return await reader.ReadAsync(ct) ? reader.GetInt64(0) : 0;
    }

    /// <summary>
    /// PostgreSQL, in one round trip: the framework version and the referrers, as <see cref="ReadBeforeWritingAsync"/> reads them,
    /// then the rows of the batch whose ids are not stored inserted with their own keys and the keys' hashes
    /// (<see cref="StatementKeys"/>), and the follow-up facts of the rows inserted. Only when an id was stored already does a
    /// second round trip read what is stored under it. Returns the seq of each statement inserted.
    /// </summary>
    /// <remarks>
    /// Stored already means committed when the insert ran; a row another transaction is inserting at that moment makes the
    /// insert fail on the unique index, and the batch is tried again (<see cref="Dialect.IsTransient"/>). No <c>ON CONFLICT</c>:
    /// its speculative insertion writes every row twice to the WAL.
    /// </remarks>
    private async Task<(long Version, long Erasures, Dictionary<Guid, string> Existing, List<Referrer> Referrers, Dictionary<Guid, long>? Inserted)> ReadAndInsertAsync(
        DbConnection c, DbTransaction t, long tenantId, IReadOnlyList<PreparedStatement> statements, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand("", (NpgsqlConnection)c, (NpgsqlTransaction)t);
        var n = statements.Count;
        var ids = new Guid[n];
        var stored = new DateTime[n];
        var verbs = new string[n];
        var regs = new Guid?[n];
        var refs = new Guid?[n];
        var voiding = new bool[n];
        var keys = new string[n];
        var objects = new string?[n];
        var bodies = new byte[n][];
        for (var i = 0; i < n; i++)
        {
            var s = statements[i];
            (ids[i], stored[i], verbs[i], regs[i], refs[i]) = (s.Id, s.Stored.UtcDateTime, s.Verb, s.Registration, s.RefTarget);
            (voiding[i], keys[i], objects[i], bodies[i]) = (s.IsVoiding, string.Join(KeySeparator, s.Keys), StatementKeys.ObjectKey(s.Keys), s.Utf8Json);
        }
        command.Parameters.AddWithValue("t", tenantId);
        command.Parameters.AddWithValue("lock", EvidenceTables.LockParameter(tenantId));
        command.Parameters.AddWithValue("ids", ids);
        command.Parameters.AddWithValue("targets", ids);
        command.Parameters.Add(new NpgsqlParameter<DateTime[]>("stored", NpgsqlDbType.Array | NpgsqlDbType.TimestampTz) { TypedValue = stored });
        command.Parameters.AddWithValue("verbs", verbs);
        command.Parameters.Add(new NpgsqlParameter<Guid?[]>("regs", NpgsqlDbType.Array | NpgsqlDbType.Uuid) { TypedValue = regs });
        command.Parameters.Add(new NpgsqlParameter<Guid?[]>("refs", NpgsqlDbType.Array | NpgsqlDbType.Uuid) { TypedValue = refs });
        command.Parameters.AddWithValue("voiding", voiding);
        command.Parameters.AddWithValue("keys", keys);
        command.Parameters.Add(new NpgsqlParameter<string?[]>("objects", NpgsqlDbType.Array | NpgsqlDbType.Text) { TypedValue = objects });
        // The statements' UTF-8 text as it is: no string of it made on the way.
        command.Parameters.Add(new NpgsqlParameter<byte[][]>("bodies", NpgsqlDbType.Array | NpgsqlDbType.Text) { TypedValue = bodies });

        List<Lrs.Core.FollowUp.StatementFact>? facts = null;
        foreach (var s in statements)
            if (s.Fact is { } fact) (facts ??= []).Add(fact);
        // The keys travel as one separated text per row. Each id is looked up by itself: the LIMIT keeps the lookup inside the
        // loop over the batch, where the unique index answers it, so that no plan can scan the tenant's statements instead (a
        // NOT EXISTS was planned so while the table had no statistics, which make a tenant look like 0.5 % of it).
        command.CommandText = $"""
            {PlanModeSql};
            {_evidence.VersionSql(shareLock: true)};
            {ErasuresSql};
            {ReferrersSql};
            WITH inserted AS (
                INSERT INTO statements (tenant_id, id, stored, verb, registration, ref_target, is_voiding, keys, key_hashes, object_hash, body)
                SELECT @t, u.id, u.stored, u.verb, u.reg, u.ref, u.voiding, k.keys, {StatementKeys.HashesOfArray("k.keys")}, hashtextextended(u.object, @t), u.body
                FROM unnest(@ids, @stored, @verbs, @regs, @refs, @voiding, @keys, @objects, @bodies) WITH ORDINALITY
                    AS u(id, stored, verb, reg, ref, voiding, keys, object, body, ord)
                    CROSS JOIN LATERAL (SELECT string_to_array(u.keys, chr(31)) AS keys) k
                    LEFT JOIN LATERAL (SELECT true AS found FROM statements e WHERE e.tenant_id = @t AND e.id = u.id LIMIT 1) e ON true
                WHERE e.found IS NULL
                ORDER BY u.ord
                RETURNING seq, id){(facts is null ? "" : $", facts AS ({FollowUpFacts.InsertOfInsertedSql(command, "inserted", facts)})")}
            SELECT seq, id FROM inserted;
            {PlanModeResetSql}
            """;

        long version, erasures;
        var referrers = new List<Referrer>();
        var inserted = new Dictionary<Guid, long>(n);
        await using (var reader = await command.ExecuteReaderAsync(ct))
        {
            await reader.NextResultAsync(ct); // past the planning mode
            version = await _evidence.ReadVersionAsync(reader, shareLock: true, ct);
            erasures = await ReadErasuresAsync(reader, ct);
            await reader.NextResultAsync(ct);
            while (await reader.ReadAsync(ct)) referrers.Add(ReadReferrer(reader));
            await reader.NextResultAsync(ct);
            while (await reader.ReadAsync(ct)) inserted[reader.GetGuid(1)] = reader.GetInt64(0);
        }
        var existing = new Dictionary<Guid, string>();
        if (inserted.Count < n)
        {
            await using var read = Dialect.Command(c, t, StoredBodiesSql, ("t", tenantId), ("ids", db.List(ids.Where(id => !inserted.ContainsKey(id)))));
            await using var reader = await read.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct)) existing[db.Uuid(reader, 0)] = reader.GetString(1);
        }
        return (version, erasures, existing, referrers, inserted);
    }

    /// <summary>
    /// How PostgreSQL plans the statements of <see cref="ReadAndInsertAsync"/>, set for them alone: at each execution while the
    /// table of statements is young, once while it is established (<see cref="EstablishedStatements"/> rows by its statistics).
    /// </summary>
    /// <remarks>
    /// Left to itself (<c>auto</c>), PostgreSQL keeps a prepared statement's generic plan from its sixth execution until the
    /// table is next analysed, which autovacuum may do a minute later: a plan made for a table of a few rows, kept while the
    /// table grows by thousands. Planned at each execution, the plan follows the table's size. Once the table is established,
    /// <c>auto</c> planned afresh at every round trip of a few statements (a generic plan cannot know the arrays' lengths, so
    /// it looks dearer): 0.2–0.3 ms of PostgreSQL's time per round trip of single statements, for the same plan.
    /// </remarks>
    private static readonly string PlanModeSql = $"""
        SELECT set_config('plan_cache_mode', CASE WHEN reltuples >= {EstablishedStatements} THEN 'force_generic_plan' ELSE 'force_custom_plan' END, true)
        FROM pg_class WHERE oid = 'statements'::regclass
        """;

    // Back to the session's (or the server's) own setting for the rest of the transaction.
    private const string PlanModeResetSql = "SELECT set_config('plan_cache_mode', NULL, true)";

    // Rows by the statistics from which the table of statements is established: the probe of the unique index is by far the
    // cheapest plan from a few hundred rows on.
    private const int EstablishedStatements = 10_000;

    // The bodies of the statements among @ids stored already.
    private string StoredBodiesSql => $"SELECT id, body FROM statements WHERE tenant_id = @t AND id{db.In("ids")}";

    /// <summary>What another transaction did to an id of the batch between this one's insert and its read.</summary>
    private sealed class StoredMeanwhileException() : Exception("A statement id of the batch changed meanwhile in another transaction.");

    // SQLite: prepared statements per row and per key, in process.
    private async Task<long[]> InsertRowByRowAsync(DbConnection c, DbTransaction t, long tenantId, IReadOnlyList<PreparedStatement> statements, CancellationToken ct)
    {
        await using var insert = Dialect.Command(c, t, """
            INSERT INTO statements (tenant_id, id, stored, verb, registration, ref_target, is_voiding, voided, keys, body)
            VALUES (@t, @id, @stored, @verb, @reg, @ref, @voiding, 0, @keys, @body) RETURNING seq
            """, ("t", tenantId));
        var p = new[] { "id", "stored", "verb", "reg", "ref", "voiding", "keys", "body" }.Select(name => insert.With(name, null).Parameters[^1]).ToArray();
        await insert.PrepareAsync(ct);
        await using var index = Dialect.Command(c, t, "INSERT OR IGNORE INTO statement_index (tenant_id, key, seq, src) VALUES (@t, @key, @seq, @seq)", ("t", tenantId));
        var (pKey, pSeq) = (index.With("key", null).Parameters[^1], index.With("seq", null).Parameters[^1]);
        await index.PrepareAsync(ct);

        var seqs = new long[statements.Count];
        for (var i = 0; i < statements.Count; i++)
        {
            var s = statements[i];
            (p[0].Value, p[1].Value, p[2].Value) = (db.Uuid(s.Id), db.Time(s.Stored), s.Verb);
            (p[3].Value, p[4].Value) = (s.Registration is { } r ? db.Uuid(r) : DBNull.Value, s.RefTarget is { } rt ? db.Uuid(rt) : DBNull.Value);
            (p[5].Value, p[6].Value, p[7].Value) = (s.IsVoiding ? 1 : 0, string.Join(KeySeparator, s.Keys), Encoding.UTF8.GetString(s.Utf8Json));
            seqs[i] = (long)(await insert.ExecuteScalarAsync(ct))!;
            pSeq.Value = seqs[i];
            foreach (var key in s.Keys)
            {
                pKey.Value = key;
                await index.ExecuteNonQueryAsync(ct);
            }
        }
        return seqs;
    }

    // What follow-up reads of the new statements (before voiding, which removes it again from those voided in this batch).
    private async Task InsertFollowUpFactsAsync(DbConnection c, DbTransaction t, long tenantId, List<PreparedStatement> fresh, long[] seqs, CancellationToken ct)
    {
        List<(long Seq, Lrs.Core.FollowUp.StatementFact Fact)>? facts = null;
        for (var i = 0; i < fresh.Count; i++)
            if (fresh[i].Fact is { } fact) (facts ??= []).Add((seqs[i], fact));
        if (facts is null) return;
        await using var command = Dialect.Command(c, t, "");
        await _facts.InsertAsync(command, tenantId, facts, ct);
    }

    /// <summary>Marks the non-voiding statements among <paramref name="ids"/> voided, and takes them out of follow-up.</summary>
    private async Task MarkVoidedAsync(DbConnection c, DbTransaction t, long tenantId, Guid[] ids, CancellationToken ct)
    {
        await using var command = Dialect.Command(c, t, $"""
            UPDATE statements SET voided = true WHERE tenant_id = @t AND id{db.In("ids")} AND NOT is_voiding AND NOT voided;
            DELETE FROM follow_up_facts WHERE tenant_id = @t AND seq IN (SELECT seq FROM statements WHERE tenant_id = @t AND id{db.In("ids")} AND voided)
            """, ("t", tenantId), ("ids", db.List(ids)));
        await command.ExecuteNonQueryAsync(ct);
    }

    /// <summary>The stored statements whose StatementRef object targets one of <paramref name="targets"/>.</summary>
    private async Task<List<Referrer>> ReferrersAsync(DbConnection c, DbTransaction t, long tenantId, Guid[] targets, CancellationToken ct)
    {
        await using var command = Dialect.Command(c, t, ReferrersSql, ("t", tenantId), ("targets", db.List(targets)));
        return await command.ListAsync(ReadReferrer, ct);
    }

    private string ReferrersSql => $"SELECT ref_target, seq, id, is_voiding FROM statements WHERE tenant_id = @t AND ref_target{db.In("targets")}";

    private Referrer ReadReferrer(DbDataReader r) => new(db.Uuid(r, 0), r.GetInt64(1), db.Uuid(r, 2), r.GetBoolean(3));

    /// <summary>A stored statement's index information by id.</summary>
    private async Task<RowInfo?> RowByIdAsync(DbConnection c, DbTransaction t, long tenantId, Guid id, CancellationToken ct)
    {
        await using var command = Dialect.Command(c, t, "SELECT seq, keys, ref_target, is_voiding FROM statements WHERE tenant_id = @t AND id = @id", ("t", tenantId), ("id", db.Uuid(id)));
        return (await command.ListAsync(r => new RowInfo(r.GetInt64(0), id,
            db.IsPostgres ? r.GetFieldValue<string[]>(1) : r.GetString(1).Split(KeySeparator, StringSplitOptions.RemoveEmptyEntries),
            db.UuidOrNull(r, 2), r.GetBoolean(3)), ct)).FirstOrDefault();
    }

    /// <summary>Adds keys to statement <paramref name="seq"/>, each with the statement it came from; existing rows are kept.</summary>
    private async Task InsertInheritedKeysAsync(DbConnection c, DbTransaction t, long tenantId, long seq, IReadOnlyList<(string Key, long Src)> keys, CancellationToken ct)
    {
        await using var command = Dialect.Command(c, t, "", ("t", tenantId), ("seq", seq));
        await db.ForEachRowAsync(command, "INSERT INTO statement_index (tenant_id, key, seq, src) SELECT @t, r.key, @seq, r.src FROM {rows} WHERE true ON CONFLICT DO NOTHING",
            keys, ct, new("key", ColumnType.Text, k => k.Key), new("src", ColumnType.Long, k => k.Src));
        if (!db.IsPostgres) return;
        await using var refresh = Dialect.Command(c, t, StatementKeys.RefreshHashesSql, ("t", tenantId), ("seqs", new[] { seq }));
        await refresh.ExecuteNonQueryAsync(ct);
    }

    /// <summary>
    /// The stored canonical definitions of <paramref name="iris"/> (sorted), locked until the transaction ends so
    /// that concurrent batches merge one after the other; unknown IRIs are absent.
    /// </summary>
    private async Task<Dictionary<string, string>> LockDefinitionsAsync(DbConnection c, DbTransaction t, long tenantId, string[] iris, CancellationToken ct)
    {
        await using var command = Dialect.Command(c, t, db.Sql(
            // The transaction already holds SQLite's one write lock.
            sqlite: "SELECT iri, definition FROM activities WHERE tenant_id = @t AND iri IN (SELECT value FROM json_each(@iris))",
            // Placeholder rows first: a concurrent batch defining the same new activity then waits on the row instead of
            // overwriting this one's merge. Rows are locked in IRI order to avoid deadlocks.
            postgres: """
                INSERT INTO activities (tenant_id, iri, definition)
                SELECT @t, i, '{}'::jsonb FROM unnest(@iris) AS i ORDER BY i
                ON CONFLICT DO NOTHING;
                SELECT iri, definition::text FROM activities WHERE tenant_id = @t AND iri = ANY(@iris) ORDER BY iri FOR UPDATE;
                """), ("t", tenantId), ("iris", db.List(iris)));
        return (await command.ListAsync(r => (Iri: r.GetString(0), Json: r.GetString(1)), ct)).ToDictionary(x => x.Iri, x => x.Json, StringComparer.Ordinal);
    }

    /// <summary>Inserts or replaces canonical activity definitions (rows exist after <see cref="LockDefinitionsAsync"/> on PostgreSQL).</summary>
    private async Task WriteDefinitionsAsync(DbConnection c, DbTransaction t, long tenantId, IReadOnlyList<(string Iri, string Json)> definitions, CancellationToken ct)
    {
        await using var command = Dialect.Command(c, t, "", ("t", tenantId));
        await db.ForEachRowAsync(command, """
            INSERT INTO activities (tenant_id, iri, definition) SELECT @t, r.iri, r.definition FROM {rows} WHERE true
            ON CONFLICT (tenant_id, iri) DO UPDATE SET definition = excluded.definition
            """, definitions, ct, new("iri", ColumnType.Text, d => d.Iri), new("definition", ColumnType.Json, d => d.Json));
    }

    /// <summary>Records names given to agents; pairs already stored are kept.</summary>
    private async Task InsertAgentNamesAsync(DbConnection c, DbTransaction t, long tenantId, IReadOnlyList<(string Key, string Name)> names, CancellationToken ct)
    {
        await using var command = Dialect.Command(c, t, "", ("t", tenantId));
        await db.ForEachRowAsync(command, """
            INSERT INTO agent_names (tenant_id, agent_key, name) SELECT @t, r.key, r.name FROM {rows} WHERE true ORDER BY r.key, r.name
            ON CONFLICT DO NOTHING
            """, names, ct, new("key", ColumnType.Text, n => n.Key), new("name", ColumnType.Text, n => n.Name));
    }

    /// <summary>Stores attachment data under (tenant, sha2); data already stored under a hash is kept.</summary>
    private async Task InsertAttachmentsAsync(DbConnection c, DbTransaction t, long tenantId, IReadOnlyCollection<AttachmentContent> attachments, CancellationToken ct)
    {
        foreach (var a in attachments)
        {
            await using var command = Dialect.Command(c, t, """
                INSERT INTO attachments (tenant_id, sha2, content_type, length, content) VALUES (@t, @sha2, @type, @length, @content)
                ON CONFLICT DO NOTHING
                """, ("t", tenantId), ("sha2", a.Sha2), ("type", a.ContentType), ("length", a.Content.LongLength), ("content", a.Content));
            await command.ExecuteNonQueryAsync(ct);
        }
    }

    /// <inheritdoc />
    public async Task<AttachmentContent?> GetAttachmentAsync(long tenantId, string sha2, CancellationToken ct) =>
        (await db.QueryAsync("SELECT content_type, content FROM attachments WHERE tenant_id = @t AND sha2 = @sha2",
            r => new AttachmentContent(sha2, r.GetString(0), (byte[])r.GetValue(1)), ct, ("t", tenantId), ("sha2", sha2))).FirstOrDefault();

    /// <inheritdoc />
    public async Task<StoredStatement?> GetAsync(long tenantId, Guid id, CancellationToken ct) =>
        (await db.QueryAsync("SELECT seq, stored, body, voided FROM statements WHERE tenant_id = @t AND id = @id", Read, ct,
            ("t", tenantId), ("id", db.Uuid(id)))).FirstOrDefault();

    /// <inheritdoc />
    public async Task<IReadOnlyList<StoredStatement>> QueryAsync(long tenantId, StatementQuery query, CancellationToken ct)
    {
        await using var connection = await db.OpenReadAsync(ct);
        await using var command = Dialect.Command(connection, null, "", ("t", tenantId));
        // A related agent or activity is any of the keys it may have been written as: per key, the names of its alternatives.
        var alternatives = query.Keys.Select(StatementIndex.Alternatives).ToList();
        var names = new List<string[]>();
        for (var i = 0; i < query.Keys.Count; i++)
        {
            names.Add([.. alternatives[i].Select((_, j) => $"k{i}_{j}")]);
            for (var j = 0; j < alternatives[i].Count; j++) command.With(names[i][j], alternatives[i][j]);
        }
        for (var i = 0; i < query.OwnKeys.Count; i++) command.With($"own{i}", query.OwnKeys[i]);
        var agents = query.Organisation is { } org ? await EmployerAgentsAsync(connection, tenantId, org, ct) : null;
        if (agents is { Count: 0 }) return [];
        var employer = (agents ?? []).Select((_, j) => $"oa{j}").ToArray();
        for (var j = 0; j < employer.Length; j++) command.With(employer[j], StatementIndex.Agent + agents![j]);
        // SQLite: the statements of a rare key are read first (see SqliteKeyFirstBelow); the others in stored order. The list of
        // the statements carrying the keys is made from the rarest of them. The candidates: the query's keys, its own keys,
        // then the employer's agents as one.
        var byRows = db.IsPostgres ? [] : await KeysByRowsAsync(command,
            [.. names, .. query.OwnKeys.Select((_, i) => new[] { $"own{i}" }), .. agents is null ? [] : new[] { employer }], ct);
        var keyFirst = byRows is [var rarest, ..] && rarest.Rows < SqliteKeyFirstBelow ? rarest.Key : -1;
        var leading = byRows.FirstOrDefault(k => k.Key < query.Keys.Count, (-1, 0)).Key;
        var onePass = await IsOfRareKeysAsync(connection, tenantId, query, alternatives, ct);
        metrics?.Queried(rareKeyFirst: onePass || keyFirst >= 0);

        // The page's rows are found and ordered first, and only they are read whole: a filter that matches thousands of
        // statements would otherwise have each one's body read before the sort. (On PostgreSQL a rare key's few statements are
        // read whole at once: IsOfRareKeysAsync.)
        var from = keyFirst < 0 ? " FROM statements s" : " FROM statements s NOT INDEXED";
        var sql = new StringBuilder(" WHERE s.tenant_id = @t AND NOT s.voided");   // the conditions
        var allMatching = false;
        if (query.Since is { } since)
        {
            sql.Append(" AND s.stored > @since");
            command.With("since", db.Time(since));
        }
        if (query.Until is { } until)
        {
            sql.Append(" AND s.stored <= @until");
            command.With("until", db.Time(until));
        }
        if (query.After is { } after)
        {
            sql.Append(query.Ascending ? " AND (s.stored, s.seq) > (@as, @aseq)" : " AND (s.stored, s.seq) < (@as, @aseq)");
            command.With("as", db.Time(after.Stored)).With("aseq", after.Sequence);
        }
        for (var i = 0; i < query.OwnKeys.Count; i++)
            sql.Append(db.Sql(
                sqlite: keyFirst == query.Keys.Count + i
                    ? $" AND s.seq IN (SELECT m{i}.seq FROM statement_index m{i} WHERE m{i}.tenant_id = @t AND m{i}.key = @own{i} AND m{i}.src = m{i}.seq)"
                    : $" AND EXISTS (SELECT 1 FROM statement_index m{i} WHERE m{i}.tenant_id = @t AND m{i}.key = @own{i} AND m{i}.seq = s.seq AND m{i}.src = s.seq)",
                postgres: $" AND s.key_hashes && {StatementKeys.HashesOf([$"own{i}"])} AND s.keys @> ARRAY[@own{i}::text]"));
        if (query.Organisation is { } organisation)
        {
            sql.Append(AboutOrganisation);
            command.With("org", organisation);
            // An employer of few agents (a small provider among a municipality's thousands): its statements are found by its
            // agents' keys first, as an agent's are, instead of checking every statement of the tenant newest first until the
            // page is full, which for an employer with few statements meant all of them. AboutOrganisation still decides.
            // On SQLite, when another key is read first, AboutOrganisation alone decides on its few statements.
            if (agents is not null && (keyFirst < 0 || keyFirst == query.Keys.Count + query.OwnKeys.Count))
            {
                sql.Append(db.Sql(
                    sqlite: $" AND s.seq IN (SELECT i.seq FROM statement_index i WHERE i.tenant_id = @t AND i.key IN ({string.Join(", ", employer.Select(n => "@" + n))}) AND i.src = i.seq)",
                    postgres: $" AND s.key_hashes && {StatementKeys.HashesOf(employer)}"));
                allMatching = db.IsPostgres;
            }
        }
        string? exact = null;
        if (query.Keys.Count > 0)
        {
            // All keys must come from one source: the statement itself or one statement of its StatementRef chain. On SQLite the
            // rarest leads the join.
            if (leading > 0) (names[0], names[leading]) = (names[leading], names[0]);
            string Matches(int i) => names[i].Length == 1 ? $"i{i}.key = @{names[i][0]}" : $"i{i}.key IN ({string.Join(", ", names[i].Select(n => "@" + n))})";
            string Inherited(string select, string where)
            {
                var joins = string.Concat(Enumerable.Range(1, query.Keys.Count - 1)
                    .Select(i => $" JOIN statement_index i{i} ON i{i}.tenant_id = i0.tenant_id AND {Matches(i)} AND i{i}.seq = i0.seq AND i{i}.src = i0.src"));
                return $"{select} statement_index i0{joins} WHERE i0.tenant_id = @t AND {Matches(0)}{where}";
            }
            if (db.IsPostgres)
            {
                // Candidates by the hashes of the keys, then the keys themselves: the statement's own, or inherited from one source.
                // The page is chosen by the hashes alone, which the stored-order index holds beside each statement's position: a
                // key many statements carry is then read newest first from that index and the walk stops at the page's end, and
                // a rare one comes from the GIN index. The keys are checked on the page's rows.
                // The object activity is found by its own column instead, which orders its statements by stored in an index of
                // their own. Not both: the planner would take them for independent conditions, under-estimate how many
                // statements match and sort them all.
                for (var i = 0; i < names.Count; i++)
                    sql.Append(StatementKeys.ObjectCondition(query.Keys[i], names[i][0]) ?? $" AND s.key_hashes && {StatementKeys.HashesOf(names[i])}");
                var own = string.Join(" AND ", names.Select(n => $"s.keys && ARRAY[{string.Join(", ", n.Select(x => $"@{x}::text"))}]"));
                exact = $"({own}) OR EXISTS ({Inherited("SELECT 1 FROM", " AND i0.seq = s.seq")})";
            }
            // Walking the tenant in stored order, SQLite checks each statement against the list of those carrying the keys; read
            // first, their list is the walk. Led by an own key, each of them is checked against the keys' index rows instead.
            else sql.Append(keyFirst >= query.Keys.Count
                ? $" AND EXISTS ({Inherited("SELECT 1 FROM", " AND i0.seq = s.seq")})"
                : $" AND s.seq IN ({Inherited("SELECT i0.seq FROM", "")})");
        }
        var order = query.Ascending ? " ORDER BY s.stored, s.seq" : " ORDER BY s.stored DESC, s.seq DESC";
        // The rows of the page chosen by `choose`, read whole, with `checked` beside each. SQLite joins them in that order (CROSS
        // JOIN): left to choose, it walked the tenant's statements in stored order to find the page's hundred.
        var join = db.Sql(sqlite: "CROSS JOIN", postgres: "JOIN");
        string Page(string choose, string @checked) =>
            $"SELECT s.seq, s.stored, s.body, s.voided, {@checked} FROM ({choose}{order} LIMIT @limit) page {join} statements s ON s.tenant_id = @t AND s.seq = page.seq{order}";
        // The statements matching `sql` and `where`. For an employer's few agents, PostgreSQL finds all of them (through the GIN
        // index) and sorts them: left to choose, it estimates that thousands carry them and walks the tenant's statements newest
        // first, all of them when the employer has few statements. OFFSET 0 keeps the page's order out of the subquery.
        string Choose(string where) => allMatching
            ? $"SELECT s.seq FROM (SELECT s.seq, s.stored{from}{sql}{where} OFFSET 0) s"
            : $"SELECT s.seq{from}{sql}{where}";
        // One pass: ordered by an expression, which no index holds, so that PostgreSQL can only read the matching rows and sort
        // them, whatever it estimates; and for one key alone, on a plan made once per connection (OnePassGenericPlan), where the
        // tenant and the times are compared as expressions too, so that the GIN index is the only one the plan can use.
        var generic = onePass && query.Keys.Count == 1 && query.OwnKeys.Count == 0;
        var conditions = generic ? sql.ToString().Replace("s.tenant_id", "(s.tenant_id + 0)").Replace("s.stored", StoredUnindexed) : sql.ToString();
        command.CommandText = onePass
            ? $"{(generic ? OnePassGenericPlan : "")}SELECT s.seq, s.stored, s.body, s.voided, {exact ?? "true"}{from}{conditions}{order.Replace("s.stored", StoredUnindexed)} LIMIT @limit"
            : Page(Choose(""), exact ?? "true");
        command.With("limit", query.Limit);
        var rows = new List<(StoredStatement Statement, bool Exact)>();
        await using (var reader = await command.ExecuteReaderAsync(ct))
        {
            if (generic) await reader.NextResultAsync(ct);
            while (await reader.ReadAsync(ct)) rows.Add((Read(reader), reader.GetBoolean(4)));
        }
        if (rows.All(r => r.Exact)) return [.. rows.Select(r => r.Statement)];

        // A 64-bit hash of another key matched (never seen in practice, but possible): the page is chosen again with the keys
        // checked before the cut, so that it is still full and its end still where the next page starts.
        command.CommandText = Page(Choose($" AND ({exact})"), "true");
        return await command.ListAsync(Read, ct);
    }

    /// <summary>
    /// PostgreSQL: whether one of the query's keys other than the object activity, or one of its own keys, is on few statements by
    /// the table's statistics (<see cref="Postgres.KeyStatistics"/>). Then the page is read in one pass: the key's statements
    /// whole, from the GIN index, sorted, the first <c>limit</c> kept. Otherwise the page is chosen first and only its rows are
    /// read whole, which for a key many statements carry lets PostgreSQL walk the stored-order index, whose entries hold the keys'
    /// hashes, without reading a row until it is on the page. For an agent of 100 statements among a million, one pass costs
    /// PostgreSQL 0.4 ms less per page than visiting each row a second time; from about 400 to 900 statements the two cost about
    /// the same, and beyond that one pass costs more, as the sort carries every matching row whole. For a key the planner takes
    /// for a frequent one, one pass would read every row it walks past: the estimate here is the planner's own, from the same
    /// statistics. Employers' reads keep their form.
    /// </summary>
    /// <param name="alternatives">Per key of the query, the keys it may have been written as.</param>
    private async Task<bool> IsOfRareKeysAsync(DbConnection connection, long tenantId, StatementQuery query, IReadOnlyList<IReadOnlyList<string>> alternatives,
        CancellationToken ct)
    {
        if (keyStatistics is null || query.Organisation is not null || (query.Keys.Count == 0 && query.OwnKeys.Count == 0)) return false;
        await keyStatistics.RefreshAsync(connection, ct);
        return query.Keys.Where((k, i) => !StatementKeys.IsObject(k) && keyStatistics.AreRare(alternatives[i], tenantId)).Any()
            || query.OwnKeys.Any(k => keyStatistics.AreRare([k], tenantId));
    }

    // A statement's stored time as an expression that no index holds (one-pass queries).
    private const string StoredUnindexed = "(s.stored + interval '0 s')";

    /// <summary>
    /// PostgreSQL, before a one-pass query of one rare key, in the same transaction: its plan is the one PostgreSQL makes without
    /// the key's value (a generic plan, cached on the connection) and without parallel workers. Planned afresh for each key, the
    /// query spent about 0.3 ms of PostgreSQL's time planning, against 0.4–0.8 ms executing. Without the value, PostgreSQL takes
    /// a key for one of 0.5 % of the statements: left to choose, it read them with two workers (46–59 ms for an agent), and given
    /// an indexed condition on the tenant or the stored time, it combined the GIN index with a scan of that index's range, all
    /// of the tenant's statements for a query with since (160 ms). So those are compared as expressions (<see cref="QueryAsync"/>),
    /// and the plan is the same for every key: the key's rows through the GIN index, sorted. Not for several keys: not knowing
    /// which of them is rare, such a plan could read a common key's rows from the GIN index too.
    /// </summary>
    private const string OnePassGenericPlan =
        "SELECT set_config('plan_cache_mode', 'force_generic_plan', true), set_config('max_parallel_workers_per_gather', '0', true); ";

    /// <summary>
    /// On SQLite, below this many index rows for one of a query's keys the statements carrying it are read first and sorted
    /// (at most about 3 ms); otherwise the tenant is walked newest first against the list of them, which stops at the page's
    /// end after about (page size × statements ÷ matches) statements. For an agent with a hundred statements among 300,000,
    /// the walk read them all: 25 ms, against 1 ms read first.
    /// </summary>
    private const int SqliteKeyFirstBelow = 1000;

    // SQLite, for a query of several keys: the list of the statements carrying all of them is made from the rarest, counted up
    // to this many index rows. The list of a verb and an activity made from the verb's 30,000 statements took 20 ms.
    private const int SqliteKeysCountedTo = 20_000;

    // SQLite: the candidate keys, each given as the names of its alternatives' parameters on `command`, from the fewest index
    // rows to the most, each counted up to a bound. Uses `command` for the count; its parameters stay.
    private static async Task<List<(int Key, long Rows)>> KeysByRowsAsync(DbCommand command, IReadOnlyList<string[]> candidates, CancellationToken ct)
    {
        if (candidates.Count == 0) return [];
        var bound = candidates.Count == 1 ? SqliteKeyFirstBelow : SqliteKeysCountedTo;
        command.CommandText = "SELECT " + string.Join(", ", candidates.Select(names =>
            $"(SELECT count(*) FROM (SELECT 1 FROM statement_index WHERE tenant_id = @t AND key IN ({string.Join(", ", names.Select(n => "@" + n))}) LIMIT {bound}))"));
        var row = (await command.ListAsync(r => Enumerable.Range(0, candidates.Count).Select(r.GetInt64).ToArray(), ct))[0];
        return [.. row.Select((rows, key) => (Key: key, Rows: rows)).OrderBy(k => k.Rows)];
    }

    // The agent keys of an employer's people when there are at most this many: each is a parameter of the statement query.
    private const int FewEmployerAgents = 256;

    // The agent keys of the people of an employer, or null when it has more than FewEmployerAgents.
    private async Task<List<string>?> EmployerAgentsAsync(DbConnection connection, long tenantId, string organisation, CancellationToken ct)
    {
        await using var command = Dialect.Command(connection, null, """
            SELECT pa.agent_key FROM people p JOIN person_agents pa ON pa.tenant_id = p.tenant_id AND pa.person_id = p.id
            WHERE p.tenant_id = @t AND p.organisation_id = @org LIMIT @few
            """, ("t", tenantId), ("org", organisation), ("few", FewEmployerAgents + 1));
        var agents = await command.ListAsync(r => r.GetString(0), ct);
        return agents.Count > FewEmployerAgents ? null : [.. agents];
    }

    /// <summary>The tenant's framework document, or null.</summary>
    private Task<string?> FrameworkDocumentAsync(DbConnection c, DbTransaction t, long tenantId, CancellationToken ct) => _evidence.DocumentAsync(c, t, tenantId, ct);

    /// <summary>Stores evidence rows (a row already present for the same statement, competence and agent is kept).</summary>
    private Task InsertEvidenceAsync(DbConnection c, DbTransaction t, long tenantId, IReadOnlyList<EvidenceRow> rows, CancellationToken ct) =>
        _evidence.UpsertEvidenceAsync(c, t, tenantId, [.. rows.Select(r => (r.StatementId, r.Recorded, r.Found))], ct);

    /// <summary>Stores sign-off rows (one per signing statement).</summary>
    private Task InsertSignoffsAsync(DbConnection c, DbTransaction t, long tenantId, IReadOnlyList<SignoffRow> rows, CancellationToken ct) =>
        _evidence.UpsertSignoffsAsync(c, t, tenantId, [.. rows.Select(r => (r.StatementId, r.Recorded, r.Signoff))], ct);

    /// <summary>Marks the evidence and sign-offs of voided statements retracted at <paramref name="at"/>.</summary>
    private Task RetractAsync(DbConnection c, DbTransaction t, long tenantId, Guid[] statementIds, DateTimeOffset at, CancellationToken ct) =>
        _evidence.RetractAsync(c, t, tenantId, statementIds, at, ct);

    // The statement's own agent keys (not those of a StatementRef target) against the people of employer @org.
    private string AboutOrganisation => db.Sql(
        // SQLite splits the statement's keys (separated by U+001F) and looks each agent up: searching its keys for every person of
        // the employer in turn took 1 ms per statement for an employer of a thousand people.
        sqlite: " AND EXISTS (WITH RECURSIVE k(rest, key) AS (SELECT s.keys || char(31), NULL"
            + " UNION ALL SELECT substr(rest, instr(rest, char(31)) + 1), substr(rest, 1, instr(rest, char(31)) - 1) FROM k WHERE rest <> '')"
            + $" SELECT 1 FROM k JOIN person_agents pa ON pa.tenant_id = @t AND pa.agent_key = substr(k.key, {StatementIndex.Agent.Length + 1})"
            + " JOIN people p ON p.tenant_id = @t AND p.id = pa.person_id"
            + $" WHERE substr(k.key, 1, {StatementIndex.Agent.Length}) = '{StatementIndex.Agent}' AND p.organisation_id = @org)",
        postgres: $" AND EXISTS (SELECT 1 FROM unnest(s.keys) AS k(key) JOIN person_agents pa ON pa.tenant_id = @t AND pa.agent_key = substr(k.key, {StatementIndex.Agent.Length + 1})"
            + " JOIN people p ON p.tenant_id = @t AND p.id = pa.person_id"
            + $" WHERE k.key LIKE '{StatementIndex.Agent}%' AND p.organisation_id = @org)");

    /// <inheritdoc />
    public async Task<IReadOnlyList<StoredStatement>> NamingAgentsAsync(long tenantId, IReadOnlyCollection<string> agentKeys, string? organisation,
        StatementPosition? after, int limit, CancellationToken ct)
    {
        if (agentKeys.Count == 0) return [];
        await using var connection = await db.OpenAsync(ct);
        // The agent keys of every source (actor, object, authority, related): the statement's own, and those it inherited from its
        // StatementRef chain.
        await using var command = Dialect.Command(connection, null, "", ("t", tenantId),
            ("keys", db.List(agentKeys.SelectMany(k => StatementIndex.Alternatives(StatementIndex.RelatedAgent + k)))),
            ("limit", limit));
        var sql = new StringBuilder("SELECT s.seq, s.stored, s.body, s.voided FROM statements s WHERE s.tenant_id = @t")
            .Append($" AND {StatementKeys.CarriesAny(db, "s", "keys")}");
        if (after is { } position)
        {
            sql.Append(" AND (s.stored, s.seq) > (@as, @aseq)");
            command.With("as", db.Time(position.Stored)).With("aseq", position.Sequence);
        }
        if (organisation is not null)
        {
            sql.Append(AboutOrganisation);
            command.With("org", organisation);
        }
        command.CommandText = sql.Append(" ORDER BY s.stored, s.seq LIMIT @limit").ToString();
        return await command.ListAsync(Read, ct);
    }

    // Driven by the agents' few index rows, each statement's own keys then checked for the activities: one row read per statement of
    // the agents, however many activities are asked for and however many learners they have.
    /// <inheritdoc />
    public async Task<IReadOnlyList<AgentStatement>> OfAgentsOnActivitiesAsync(long tenantId, IReadOnlyCollection<string> agentKeys,
        IReadOnlyCollection<string> activityIds, int limit, CancellationToken ct) =>
        agentKeys.Count == 0 || activityIds.Count == 0 ? [] : await db.QueryAsync(db.Sql(
            sqlite: $"""
                SELECT s.seq, s.stored, s.body, s.voided, substr(a.key, {StatementIndex.Agent.Length + 1})
                FROM statement_index a JOIN statements s ON s.tenant_id = a.tenant_id AND s.seq = a.seq
                WHERE a.tenant_id = @t AND a.key IN (SELECT value FROM json_each(@agents)) AND a.src = a.seq AND NOT s.voided
                    AND EXISTS (SELECT 1 FROM json_each(@activities) j WHERE instr(char(31) || s.keys || char(31), char(31) || j.value || char(31)) > 0)
                ORDER BY s.stored DESC, s.seq DESC, a.key LIMIT @limit
                """,
            // The statements' own keys: candidates by the hashes of the agents' and the activities' keys, then the keys themselves.
            postgres: $"""
                SELECT s.seq, s.stored, s.body, s.voided, substr(a.key, {StatementIndex.Agent.Length + 1})
                FROM statements s JOIN unnest(@agents) AS a(key) ON s.keys @> ARRAY[a.key]
                WHERE s.tenant_id = @t AND NOT s.voided AND s.keys && @activities
                    AND s.key_hashes && {StatementKeys.HashesOfArray("@agents")}
                    AND s.key_hashes && {StatementKeys.HashesOfArray("@activities")}
                ORDER BY s.stored DESC, s.seq DESC, a.key COLLATE "C" LIMIT @limit
                """), r => new AgentStatement(r.GetString(4), Read(r)), ct, ("t", tenantId),
            ("agents", db.List(agentKeys.Select(k => StatementIndex.Agent + k))), ("activities", db.List(activityIds.Select(a => StatementIndex.Activity + a))),
            ("limit", limit));

    // Both stores give the stored text as the UTF-8 they hold (SQLite's column_blob of a text is its bytes), which a page
    // writes out as it is.
    private StoredStatement Read(DbDataReader r) =>
        new(new StatementPosition(db.Time(r, 1), r.GetInt64(0)), r.GetFieldValue<byte[]>(2), r.GetBoolean(3));

    /// <summary>
    /// Creates reflection tasks, at most one per person (or, for an agent of no known person, per agent), template and
    /// registration: a task that exists already for any agent of the same person is kept as it is.
    /// </summary>
    private Task<int> InsertTasksAsync(DbConnection c, DbTransaction t, long tenantId, IReadOnlyList<TaskRow> rows, CancellationToken ct) =>
        _reflection.InsertTasksAsync(c, t, tenantId, [.. rows.Select(r => (r.Id, r.Recorded, r.Trigger, r.AgentJson, r.TrainingJson))], ct);

    /// <summary>
    /// Records answers to tasks: only to a task of the answering actor's person (or agent) and of the question's
    /// template, and not cancelled. The task becomes answered; an answer to a prompt answered before replaces it.
    /// </summary>
    private Task RecordAnswersAsync(DbConnection c, DbTransaction t, long tenantId, IReadOnlyList<AnswerFound> answers, DateTimeOffset at, CancellationToken ct) =>
        _reflection.RecordAnswersAsync(c, t, tenantId, answers, at, ct);

    /// <summary>
    /// Voiding: open tasks triggered by the voided statements are cancelled; answers they carried are removed, and a task
    /// left without answers (and not discussed at a group reflection) is open again.
    /// </summary>
    private Task VoidReflectionAsync(DbConnection c, DbTransaction t, long tenantId, Guid[] statementIds, DateTimeOffset at, CancellationToken ct) =>
        _reflection.VoidReflectionAsync(c, t, tenantId, statementIds, at, ct);
}
