using System.Collections.Concurrent;
using System.Data.Common;
using System.Text.Json.Nodes;
using Lrs.Core.Competence;
using Lrs.Core.Reflection;
using Lrs.Core.Storage;
using Lrs.Core.Xapi;

namespace Lrs.Storage;

/// <summary>
/// The write algorithm shared by the relational adapters; each adapter supplies its own SQL for the steps.
/// </summary>
/// <remarks>
/// One transaction per batch: compare duplicates, insert rows and their index keys, apply voiding in both
/// directions (a voiding statement may arrive before its target), and give every statement that targets
/// another through a StatementRef the keys of its target chain, so that the StatementRef rule of the query
/// is answered from the index. Chains longer than <see cref="MaxRefDepth"/> are not followed further.
/// Competence evidence and sign-offs are extracted in the same transaction, and retracted with the statements
/// voided, so that an acknowledged statement is already counted in every profile. Reflection tasks are created,
/// answered and cancelled in the same transaction too.
/// </remarks>
public abstract class RelationalStatementStore(FrameworkCache frameworks, ReflectionStore reflection) : IStatementStore
{
    /// <summary>How many StatementRef hops the index follows.</summary>
    protected const int MaxRefDepth = 16;

    /// <summary>A stored statement's identity and index information.</summary>
    protected sealed record RowInfo(long Seq, Guid Id, IReadOnlyList<string> Keys, Guid? RefTarget, bool IsVoiding);

    /// <summary>A statement that targets another through a StatementRef.</summary>
    protected sealed record Referrer(Guid Target, long Seq, Guid Id, bool IsVoiding);

    /// <summary>Evidence found in a stored statement.</summary>
    protected sealed record EvidenceRow(Guid StatementId, DateTimeOffset Recorded, EvidenceFound Found);

    /// <summary>A reflection task a stored statement triggered.</summary>
    protected sealed record TaskRow(Guid Id, DateTimeOffset Recorded, TaskTrigger Trigger, string AgentJson, string? TrainingJson);

    /// <summary>A sign-off found in a stored statement.</summary>
    protected sealed record SignoffRow(Guid StatementId, DateTimeOffset Recorded, Signoff Signoff);

    // What this node knows to be stored already: canonical definitions and agent names. Consulted before
    // writing so that the same course definition sent with every completion costs nothing; updated only
    // after a commit, so a rolled-back batch never makes the cache claim more than the database holds.
    private const int KnowledgeCacheLimit = 100_000;
    private readonly ConcurrentDictionary<(long Tenant, string Iri), JsonObject> _definitions = new();
    private readonly ConcurrentDictionary<(long Tenant, string Key, string Name), byte> _names = new();

    /// <inheritdoc />
    public async Task<StoreOutcome> StoreAsync(long tenantId, IReadOnlyList<PreparedStatement> batch, IReadOnlyCollection<AttachmentContent> attachments, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await StoreOnceAsync(tenantId, batch, attachments, ct);
            }
            catch (Exception e) when (attempt < 4 && IsTransient(e))
            {
                // A deadlock or serialization failure rolled everything back; the batch is simply tried again.
                await Task.Delay(Random.Shared.Next(5, 50) * attempt, ct);
            }
        }
    }

    /// <summary>Whether an exception is a concurrency failure after which the whole transaction can be retried.</summary>
    protected virtual bool IsTransient(Exception exception) => false;

    private async Task<StoreOutcome> StoreOnceAsync(long tenantId, IReadOnlyList<PreparedStatement> batch, IReadOnlyCollection<AttachmentContent> attachments, CancellationToken ct)
    {
        await using var lease = await BeginWriteAsync(ct);
        var (connection, transaction) = (lease.Connection, lease.Transaction);

        var existing = await ExistingBodiesAsync(connection, transaction, tenantId, batch.Select(s => s.Id).ToArray(), ct);
        var fresh = new List<PreparedStatement>(batch.Count);
        foreach (var statement in batch)
        {
            if (existing.TryGetValue(statement.Id, out var body))
            {
                if (!StatementComparer.AreEquivalent(JsonNode.Parse(body)!, statement.AsSent())) return new StoreOutcome(statement.Id);
            }
            else fresh.Add(statement);
        }

        // Data sent again with a duplicate statement is stored too: it may have come by fileUrl the first time.
        if (attachments.Count > 0) await InsertAttachmentsAsync(connection, transaction, tenantId, attachments, ct);
        if (fresh.Count == 0)
        {
            if (attachments.Count > 0) await lease.CommitAsync(ct);
            return StoreOutcome.Stored;
        }

        var seqs = await InsertStatementsAsync(connection, transaction, tenantId, fresh, ct);

        // Voiding, forwards: targets already stored (or earlier in this batch) become voided.
        var voidTargets = fresh.Where(s => s.IsVoiding).Select(s => s.RefTarget!.Value).Distinct().ToArray();
        if (voidTargets.Length > 0) await MarkVoidedAsync(connection, transaction, tenantId, voidTargets, ct);

        // Backwards: statements stored earlier that target the new ones.
        var referrers = await ReferrersAsync(connection, transaction, tenantId, fresh.Select(s => s.Id).ToArray(), ct);
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

        await RecordCompetenceAsync(connection, transaction, tenantId, fresh, voidTargets, voidedLate, ct);

        var definitions = await UpdateDefinitionsAsync(connection, transaction, tenantId, fresh, ct);
        // Only a sender allowed to define changes what the LRS holds about activities and agents.
        var names = AgentNames.Collect(fresh.Where(s => s.Define).Select(s => s.Node)).Where(n => !_names.ContainsKey((tenantId, n.Key, n.Name))).ToList();
        if (names.Count > 0) await InsertAgentNamesAsync(connection, transaction, tenantId, names, ct);

        await lease.CommitAsync(ct);

        if (_definitions.Count + definitions.Count > KnowledgeCacheLimit) _definitions.Clear();
        foreach (var (iri, definition) in definitions) _definitions[(tenantId, iri)] = definition;
        if (_names.Count + names.Count > KnowledgeCacheLimit) _names.Clear();
        foreach (var (key, name) in names) _names[(tenantId, key, name)] = 0;
        return StoreOutcome.Stored;
    }

    // Evidence and sign-offs of the new statements (not of those voided already), and retraction of what the
    // statements voided now had given.
    private async Task RecordCompetenceAsync(DbConnection c, DbTransaction t, long tenantId, List<PreparedStatement> fresh, Guid[] voidTargets, Guid[] voidedLate, CancellationToken ct)
    {
        var version = await FrameworkVersionAsync(c, t, tenantId, ct);
        if (voidTargets.Length > 0)
        {
            var at = fresh.Max(s => s.Stored);
            await RetractAsync(c, t, tenantId, voidTargets, at, ct);
            await VoidReflectionAsync(c, t, tenantId, voidTargets, at, ct);
        }
        if (version == 0) return;

        var framework = frameworks.Get(tenantId, version) ?? frameworks.Remember(tenantId, version, await FrameworkDocumentAsync(c, t, tenantId, ct));
        var voided = voidTargets.Length + voidedLate.Length == 0 ? null : new HashSet<Guid>(voidTargets.Concat(voidedLate));
        List<EvidenceRow>? evidence = null;
        List<SignoffRow>? signoffs = null;
        List<TaskRow>? tasks = null;
        List<AnswerFound>? answers = null;
        foreach (var statement in fresh)
        {
            if (statement.IsVoiding || (voided is not null && voided.Contains(statement.Id))) continue;
            var found = EvidenceExtractor.Extract(framework, statement.Node);
            foreach (var e in found)
                (evidence ??= []).Add(new EvidenceRow(statement.Id, statement.Stored, e));
            if (statement.RefTarget is not null && Signoffs.Recognise(framework, statement.Node) is { } signoff)
                (signoffs ??= []).Add(new SignoffRow(statement.Id, statement.Stored, signoff));
            var triggers = ReflectionTriggers.Match(framework, statement.Node, found, statement.Verb);
            if (triggers.Count > 0)
            {
                // One training per statement, however many tasks it triggers.
                var training = ReflectionStatements.TrainingActivity(statement.Node)?.ToJsonString();
                foreach (var trigger in triggers)
                    (tasks ??= []).Add(new TaskRow(Guid.NewGuid(), statement.Stored, trigger,
                        (AgentOf(statement.Node, trigger.AgentKey) ?? new JsonObject()).ToJsonString(), training));
            }
            if (statement.Verb == ReflectionStatements.AnsweredVerb && AnswerFound.Recognise(statement.Node, statement.Verb) is { } answer
                && framework.FindReflectionTemplate(answer.TemplateId)?.FindPrompt(answer.PromptId) is not null)
                (answers ??= []).Add(answer);
        }
        if (evidence is not null) await InsertEvidenceAsync(c, t, tenantId, evidence, ct);
        if (signoffs is not null) await InsertSignoffsAsync(c, t, tenantId, signoffs, ct);
        if (tasks is not null) await InsertTasksAsync(c, t, tenantId, tasks, ct);
        if (answers is not null) await RecordAnswersAsync(c, t, tenantId, answers, fresh.Max(s => s.Stored), ct);
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

    // Merges the batch's activity definitions into the canonical ones, skipping those that add nothing to
    // what this node knows; returns the canonical definitions written.
    private async Task<Dictionary<string, JsonObject>> UpdateDefinitionsAsync(DbConnection c, DbTransaction t, long tenantId, IReadOnlyList<PreparedStatement> fresh, CancellationToken ct)
    {
        var incoming = ActivityDefinitions.Collect(fresh.Where(s => s.Define).Select(s => s.Node));
        var changed = incoming
            .Where(d => !_definitions.TryGetValue((tenantId, d.Key), out var known) || !JsonNode.DeepEquals(ActivityDefinitions.Merge(known, d.Value), known))
            .OrderBy(d => d.Key, StringComparer.Ordinal)
            .ToList();
        var written = new Dictionary<string, JsonObject>(StringComparer.Ordinal);
        if (changed.Count == 0) return written;

        var stored = await LockDefinitionsAsync(c, t, tenantId, [.. changed.Select(d => d.Key)], ct);
        foreach (var (iri, definition) in changed)
            written[iri] = ActivityDefinitions.Merge(stored.TryGetValue(iri, out var json) ? JsonNode.Parse(json) as JsonObject : null, definition);
        await WriteDefinitionsAsync(c, t, tenantId, [.. written.Select(w => (w.Key, w.Value.ToJsonString()))], ct);
        return written;
    }

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

    /// <inheritdoc />
    public abstract Task<AttachmentContent?> GetAttachmentAsync(long tenantId, string sha2, CancellationToken ct);

    /// <inheritdoc />
    public abstract Task<StoredStatement?> GetAsync(long tenantId, Guid id, CancellationToken ct);

    /// <inheritdoc />
    public abstract Task<IReadOnlyList<StoredStatement>> QueryAsync(long tenantId, StatementQuery query, CancellationToken ct);

    /// <summary>Opens a connection and begins the write transaction (SQLite also takes its one-writer lock).</summary>
    protected abstract Task<WriteLease> BeginWriteAsync(CancellationToken ct);

    /// <summary>Bodies of the statements among <paramref name="ids"/> that are stored already.</summary>
    protected abstract Task<Dictionary<Guid, string>> ExistingBodiesAsync(DbConnection c, DbTransaction t, long tenantId, Guid[] ids, CancellationToken ct);

    /// <summary>Inserts statement rows with their own keys (source = themselves); returns their sequences in order.</summary>
    protected abstract Task<long[]> InsertStatementsAsync(DbConnection c, DbTransaction t, long tenantId, IReadOnlyList<PreparedStatement> statements, CancellationToken ct);

    /// <summary>Marks the non-voiding statements among <paramref name="ids"/> voided.</summary>
    protected abstract Task MarkVoidedAsync(DbConnection c, DbTransaction t, long tenantId, Guid[] ids, CancellationToken ct);

    /// <summary>The stored statements whose StatementRef object targets one of <paramref name="targets"/>.</summary>
    protected abstract Task<List<Referrer>> ReferrersAsync(DbConnection c, DbTransaction t, long tenantId, Guid[] targets, CancellationToken ct);

    /// <summary>A stored statement's index information by id.</summary>
    protected abstract Task<RowInfo?> RowByIdAsync(DbConnection c, DbTransaction t, long tenantId, Guid id, CancellationToken ct);

    /// <summary>Stores attachment data under (tenant, sha2); data already stored under a hash is kept.</summary>
    protected abstract Task InsertAttachmentsAsync(DbConnection c, DbTransaction t, long tenantId, IReadOnlyCollection<AttachmentContent> attachments, CancellationToken ct);

    /// <summary>Adds keys to statement <paramref name="seq"/>, each with the statement it came from; existing rows are kept.</summary>
    protected abstract Task InsertInheritedKeysAsync(DbConnection c, DbTransaction t, long tenantId, long seq, IReadOnlyList<(string Key, long Src)> keys, CancellationToken ct);

    /// <summary>
    /// The stored canonical definitions of <paramref name="iris"/> (sorted), locked until the transaction ends so
    /// that concurrent batches merge one after the other; unknown IRIs are absent.
    /// </summary>
    protected abstract Task<Dictionary<string, string>> LockDefinitionsAsync(DbConnection c, DbTransaction t, long tenantId, string[] iris, CancellationToken ct);

    /// <summary>Inserts or replaces canonical activity definitions (rows exist after <see cref="LockDefinitionsAsync"/> on PostgreSQL).</summary>
    protected abstract Task WriteDefinitionsAsync(DbConnection c, DbTransaction t, long tenantId, IReadOnlyList<(string Iri, string Json)> definitions, CancellationToken ct);

    /// <summary>Records names given to agents; pairs already stored are kept.</summary>
    protected abstract Task InsertAgentNamesAsync(DbConnection c, DbTransaction t, long tenantId, IReadOnlyList<(string Key, string Name)> names, CancellationToken ct);

    /// <summary>
    /// The version of the tenant's competence framework (0: none). PostgreSQL also takes the tenant's framework lock
    /// in shared mode, so that a framework change waits for batches written under the previous one (and the rebuild
    /// that follows it sees them).
    /// </summary>
    protected abstract Task<long> FrameworkVersionAsync(DbConnection c, DbTransaction t, long tenantId, CancellationToken ct);

    /// <summary>The tenant's framework document, or null.</summary>
    protected abstract Task<string?> FrameworkDocumentAsync(DbConnection c, DbTransaction t, long tenantId, CancellationToken ct);

    /// <summary>Stores evidence rows (a row already present for the same statement, competence and agent is kept).</summary>
    protected abstract Task InsertEvidenceAsync(DbConnection c, DbTransaction t, long tenantId, IReadOnlyList<EvidenceRow> rows, CancellationToken ct);

    /// <summary>Stores sign-off rows (one per signing statement).</summary>
    protected abstract Task InsertSignoffsAsync(DbConnection c, DbTransaction t, long tenantId, IReadOnlyList<SignoffRow> rows, CancellationToken ct);

    /// <summary>
    /// Creates reflection tasks, at most one per person (or, for an agent of no known person, per agent), template and
    /// registration: a task that exists already for any agent of the same person is kept as it is.
    /// </summary>
    private Task InsertTasksAsync(DbConnection c, DbTransaction t, long tenantId, IReadOnlyList<TaskRow> rows, CancellationToken ct) =>
        reflection.InsertTasksAsync(c, t, tenantId, [.. rows.Select(r => (r.Id, r.Recorded, r.Trigger, r.AgentJson, r.TrainingJson))], ct);

    /// <summary>
    /// Records answers to tasks: only to a task of the answering actor's person (or agent) and of the question's
    /// template, and not cancelled. The task becomes answered; an answer to a prompt answered before replaces it.
    /// </summary>
    private Task RecordAnswersAsync(DbConnection c, DbTransaction t, long tenantId, IReadOnlyList<AnswerFound> answers, DateTimeOffset at, CancellationToken ct) =>
        reflection.RecordAnswersAsync(c, t, tenantId, answers, at, ct);

    /// <summary>
    /// Voiding: open tasks triggered by the voided statements are cancelled; answers they carried are removed, and a task
    /// left without answers (and not discussed at a group reflection) is open again.
    /// </summary>
    private Task VoidReflectionAsync(DbConnection c, DbTransaction t, long tenantId, Guid[] statementIds, DateTimeOffset at, CancellationToken ct) =>
        reflection.VoidReflectionAsync(c, t, tenantId, statementIds, at, ct);

    /// <summary>Marks the evidence and sign-offs of voided statements retracted at <paramref name="at"/>.</summary>
    protected abstract Task RetractAsync(DbConnection c, DbTransaction t, long tenantId, Guid[] statementIds, DateTimeOffset at, CancellationToken ct);
}

/// <summary>An open connection with a write transaction; rolled back unless committed.</summary>
public sealed class WriteLease(DbConnection connection, DbTransaction transaction, IDisposable? writerLock) : IAsyncDisposable
{
    /// <summary>The connection.</summary>
    public DbConnection Connection { get; } = connection;
    /// <summary>The transaction.</summary>
    public DbTransaction Transaction { get; } = transaction;

    /// <summary>Commits the transaction.</summary>
    public Task CommitAsync(CancellationToken ct) => Transaction.CommitAsync(ct);

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await Transaction.DisposeAsync();
        await Connection.DisposeAsync();
        writerLock?.Dispose();
    }
}
