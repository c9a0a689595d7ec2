using System.Data.Common;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using Lrs.Core.People;
using Lrs.Core.Storage;
using Lrs.Core.Xapi;

namespace Lrs.Storage;

/// <summary>
/// The privacy policy of each tenant, erasure and pseudonymisation of a person, and retention.
/// </summary>
/// <remarks>
/// An erasure is one transaction that holds the tenant's framework lock exclusively on PostgreSQL (statement batches take it
/// shared for their whole transaction) and SQLite's single writer, so a statement batch commits wholly before or wholly after
/// it: a batch never inherits index keys from a statement the erasure removes, nor lands between its reads and its writes.
/// </remarks>
public sealed class PrivacyStore(Dialect db) : IPrivacyStore
{
    /// <summary>The audit actions this store writes.</summary>
    public const string EraseAction = "person.erase", PseudonymiseAction = "person.pseudonymise", RetentionAction = "retention.apply";

    private const char KeySeparator = '\u001f';
    private const int MaxRefDepth = 16;

    private readonly EvidenceTables _evidence = new(db);

    /// <summary>A statement read for an erasure.</summary>
    private sealed record StatementRow(long Seq, Guid Id, Guid? RefTarget, JsonObject Body, string[] Keys);

    /// <inheritdoc />
    public async Task<PrivacyPolicy?> GetPolicyAsync(long tenantId, CancellationToken ct) =>
        (await db.QueryAsync($"SELECT erasure, retention{db.AsText} FROM privacy_policies WHERE tenant_id = @t",
            r => new PrivacyPolicy(r.GetString(0), JsonSerializer.Deserialize<RetentionPeriods>(r.GetString(1), JsonSerializerOptions.Web) ?? new RetentionPeriods()),
            ct, ("t", tenantId))).FirstOrDefault();

    /// <inheritdoc />
    public Task PutPolicyAsync(long tenantId, PrivacyPolicy policy, DateTimeOffset at, CancellationToken ct) =>
        db.ExecuteAsync($"""
            INSERT INTO privacy_policies (tenant_id, erasure, retention, updated) VALUES (@t, @erasure, @retention{db.AsJson}, @at)
            ON CONFLICT (tenant_id) DO UPDATE SET erasure = excluded.erasure, retention = excluded.retention, updated = excluded.updated
            """, ct, ("t", tenantId), ("erasure", policy.Erasure), ("retention", JsonSerializer.Serialize(policy.Retention, JsonSerializerOptions.Web)), ("at", db.Time(at)));

    /// <inheritdoc />
    public async Task<IReadOnlyList<(long TenantId, PrivacyPolicy Policy)>> PoliciesWithRetentionAsync(CancellationToken ct) =>
        [.. (await db.QueryAsync($"SELECT tenant_id, erasure, retention{db.AsText} FROM privacy_policies ORDER BY tenant_id",
            r => (r.GetInt64(0), new PrivacyPolicy(r.GetString(1), JsonSerializer.Deserialize<RetentionPeriods>(r.GetString(2), JsonSerializerOptions.Web) ?? new RetentionPeriods())), ct))
            .Where(p => p.Item2.Retention is { Statements: not null } or { ReflectionAnswers: not null } or { Audit: not null })];

    /// <inheritdoc />
    public async Task<ErasureOutcome?> EraseAsync(long tenantId, string personId, string? organisationId, ErasureMode mode, DateTimeOffset at, DateTimeOffset stored, string actor, CancellationToken ct)
    {
        await using var lease = await _evidence.BeginExclusiveAsync(tenantId, ct);
        var person = (await ListAsync(lease, "SELECT organisation_id, email FROM people WHERE tenant_id = @t AND id = @id",
            r => (Organisation: r.GetString(0), Email: r.StringOrNull(1)), ct, ("t", tenantId), ("id", personId))).FirstOrDefault();
        if (person.Organisation is null || (organisationId is not null && person.Organisation != organisationId)) return null;

        var keys = await ListAsync(lease, "SELECT agent_key FROM person_agents WHERE tenant_id = @t AND person_id = @id", r => r.GetString(0), ct, ("t", tenantId), ("id", personId));
        var who = PersonIdentifiers.Of(personId, keys, person.Email);
        var pseudonym = new Pseudonym(await HashKeyAsync(lease, tenantId, at, ct), tenantId, personId);
        var counts = new ErasureCounts();

        await EraseStatementsAsync(lease, tenantId, who, pseudonym, mode, stored, counts, ct);
        await EraseAgentRowsAsync(lease, tenantId, who, pseudonym, mode, counts, ct);
        // Every node's statement store learns from this count, before its next batch writes, that names it remembers may be gone.
        await Execute(lease, "UPDATE tenants SET erasures = erasures + 1 WHERE id = @t", ct, ("t", tenantId));
        await EraseLearningRowsAsync(lease, tenantId, who, pseudonym, mode, counts, ct);
        await EraseCredentialsAsync(lease, tenantId, who, pseudonym, at, counts, ct);
        await ErasePersonKeyedRowsAsync(lease, tenantId, who, pseudonym, mode, counts, ct);
        await ErasePersonAsync(lease, tenantId, who, pseudonym, mode, person.Organisation, at, counts, ct);

        var detail = $"person={pseudonym.Hash}; " + string.Join("; ", typeof(ErasureCounts).GetProperties()
            .Select(p => $"{JsonNamingPolicy.CamelCase.ConvertName(p.Name)}={p.GetValue(counts)}"));
        await AuditLog.AppendAsync(db, lease, tenantId, at, actor, mode == ErasureMode.Erase ? EraseAction : PseudonymiseAction, "person:" + pseudonym.Hash, detail, ct);
        await lease.CommitAsync(ct);
        return new ErasureOutcome(mode, pseudonym.Hash, counts);
    }

    // The tenant's secret key of keyed hashes, made on first use.
    private async Task<byte[]> HashKeyAsync(WriteLease lease, long tenantId, DateTimeOffset at, CancellationToken ct)
    {
        await Execute(lease, "INSERT INTO privacy_keys (tenant_id, hash_key, created) VALUES (@t, @key, @at) ON CONFLICT DO NOTHING", ct,
            ("t", tenantId), ("key", RandomNumberGenerator.GetBytes(32)), ("at", db.Time(at)));
        return (await ListAsync(lease, "SELECT hash_key FROM privacy_keys WHERE tenant_id = @t", r => (byte[])r.GetValue(0), ct, ("t", tenantId)))[0];
    }

    /// <summary>
    /// Statements: under <c>erase</c>, the person's own (every actor or object agent is theirs) go, with every statement that
    /// refers to them; an own statement that refers to someone else's (a sign-off, a voiding) stays, pseudonymised, since
    /// removing it would change that person's record. Every statement kept that names the person is rewritten with the
    /// pseudonym and a new <c>stored</c>, and the index keys of the person's agents become the pseudonym's.
    /// </summary>
    private async Task EraseStatementsAsync(WriteLease lease, long tenantId, PersonIdentifiers who, Pseudonym pseudonym, ErasureMode mode, DateTimeOffset stored, ErasureCounts counts, CancellationToken ct)
    {
        var indexKeys = who.Keys.SelectMany(k => StatementIndex.AgentPrefixes.Select(p => p + k)).ToArray();
        var rows = (await ReadStatementsAsync(lease, tenantId, StatementKeys.CarriesAny(db, "statements", "keys"), ct, ("keys", db.List(indexKeys))))
            .ToDictionary(r => r.Seq);

        var erased = new Dictionary<long, StatementRow>();
        if (mode == ErasureMode.Erase)
        {
            var own = rows.Values.Where(r => IsOwn(r.Body, who)).ToDictionary(r => r.Id);
            var outside = own.Values.Select(r => r.RefTarget).OfType<Guid>().Where(t => !own.ContainsKey(t)).Distinct().ToArray();
            var existing = outside.Length == 0 ? [] : (await ListAsync(lease, $"SELECT id FROM statements WHERE tenant_id = @t AND id{db.In("ids")}",
                r => db.Uuid(r, 0), ct, ("t", tenantId), ("ids", db.List(outside)))).ToHashSet();
            // An own statement stays when it refers to a statement that stays; that may keep another own statement, so repeat.
            for (var changed = true; changed;)
            {
                changed = false;
                foreach (var r in own.Values.ToList())
                    if (r.RefTarget is { } target && !own.ContainsKey(target) && existing.Contains(target))
                    {
                        own.Remove(r.Id);
                        existing.Add(r.Id);
                        changed = true;
                    }
            }
            foreach (var r in own.Values) erased[r.Seq] = r;
            // Statements that refer to an erased one (voiding, sign-offs, references) are about it and go too.
            var frontier = own.Keys.ToArray();
            for (var depth = 0; frontier.Length > 0 && depth < MaxRefDepth; depth++)
            {
                var referrers = await ReadStatementsAsync(lease, tenantId, $"ref_target{db.In("ids")}", ct, ("ids", db.List(frontier)));
                frontier = [.. referrers.Where(r => !erased.ContainsKey(r.Seq)).Select(r => r.Id)];
                foreach (var r in referrers) erased[r.Seq] = rows[r.Seq] = r;
            }
            await RemoveStatementsAsync(lease, tenantId, [.. erased.Values], counts, ct);
        }

        var rewritten = rows.Values.Where(r => !erased.ContainsKey(r.Seq) && pseudonym.Rewrite(r.Body, who)).ToList();
        if (rewritten.Count > 0)
        {
            var storedText = XapiTimestamp.ToUtcString(stored);
            foreach (var r in rewritten) r.Body["stored"] = storedText;
            await using var command = lease.Command("", ("t", tenantId));
            await db.ForEachRowAsync(command, db.Sql(
                sqlite: "UPDATE statements SET body = r.body, keys = r.keys, stored = r.stored FROM {rows} WHERE statements.tenant_id = @t AND statements.seq = r.seq",
                postgres: "UPDATE statements s SET body = r.body, keys = string_to_array(r.keys, chr(31)), stored = r.stored FROM {rows} WHERE s.tenant_id = @t AND s.seq = r.seq"),
                rewritten, ct, new("seq", ColumnType.Long, r => r.Seq), new("body", ColumnType.Text, r => r.Body.ToJsonString()),
                new("keys", ColumnType.Text, r => string.Join(KeySeparator, StatementIndex.Extract(r.Body))), new("stored", ColumnType.Time, _ => stored));
            counts.StatementsRewritten = rewritten.Count;
            // What follow-up reads of them names the pseudonym too.
            var seqs = rewritten.Select(r => r.Seq).ToList();
            await Execute(lease, $"DELETE FROM follow_up_facts WHERE tenant_id = @t AND seq{db.In("seqs")}", ct, ("t", tenantId), ("seqs", db.List(seqs)));
            var facts = await ListAsync(lease, $"SELECT seq, verb, ref_target, is_voiding, body FROM statements WHERE tenant_id = @t AND seq{db.In("seqs")} AND NOT voided",
                r => (Seq: r.GetInt64(0), Fact: FollowUpFacts.Of(r.GetString(1), db.UuidOrNull(r, 2), r.GetBoolean(3), r.GetString(4))), ct, ("t", tenantId), ("seqs", db.List(seqs)));
            await using var insert = lease.Command("");
            await new FollowUpFacts(db).InsertAsync(insert, tenantId, [.. facts.Where(f => f.Fact is not null).Select(f => (f.Seq, f.Fact!))], ct);
        }

        // The keys that remain (statements rewritten, and referrers that inherited the person's keys) name the pseudonym.
        foreach (var old in indexKeys)
        {
            var prefix = StatementIndex.AgentPrefixes.First(p => old.StartsWith(p, StringComparison.Ordinal));
            await Execute(lease, """
                INSERT INTO statement_index (tenant_id, key, seq, src) SELECT tenant_id, @new, seq, src FROM statement_index WHERE tenant_id = @t AND key = @old
                ON CONFLICT DO NOTHING
                """, ct, ("t", tenantId), ("old", old), ("new", prefix + pseudonym.AgentKey));
            counts.IndexKeys += await Execute(lease, "DELETE FROM statement_index WHERE tenant_id = @t AND key = @old", ct, ("t", tenantId), ("old", old));
        }
        // PostgreSQL keeps a statement's own keys in the row only (StatementKeys): they were rewritten with it, and their hashes follow.
        var kept = rows.Values.Where(r => !erased.ContainsKey(r.Seq)).ToList();
        if (db.IsPostgres && kept.Count > 0)
        {
            var named = indexKeys.ToHashSet(StringComparer.Ordinal);
            counts.IndexKeys += kept.Sum(r => r.Keys.Count(named.Contains));
            await Execute(lease, StatementKeys.RefreshHashesSql, ct, ("t", tenantId), ("seqs", kept.Select(r => r.Seq).ToArray()));
        }
    }

    // Whether every agent a statement is about (actor, or members of a Group actor, and an Agent or Group object) is the person.
    private static bool IsOwn(JsonObject statement, PersonIdentifiers who)
    {
        var about = new List<string>(AgentKey.OfActor(statement["actor"]));
        if (statement["object"] is JsonObject o && o["objectType"]?.GetValue<string>() is "Agent" or "Group") about.AddRange(AgentKey.OfActor(o));
        return about.Count > 0 && about.All(who.Keys.Contains);
    }

    private async Task<List<StatementRow>> ReadStatementsAsync(WriteLease lease, long tenantId, string where, CancellationToken ct, params (string Name, object? Value)[] parameters) =>
        await ListAsync(lease, $"SELECT seq, id, ref_target, body, keys FROM statements WHERE tenant_id = @t AND {where}",
            r => new StatementRow(r.GetInt64(0), db.Uuid(r, 1), db.UuidOrNull(r, 2), (JsonObject)JsonNode.Parse(r.GetString(3))!,
                db.IsPostgres ? r.GetFieldValue<string[]>(4) : r.GetString(4).Split(KeySeparator, StringSplitOptions.RemoveEmptyEntries)),
            ct, [("t", tenantId), .. parameters]);

    /// <summary>
    /// Removes statements and every row derived from them: their index keys (their own and those inherited along their
    /// StatementRef chain), evidence, sign-offs by and of them, the reflection tasks they triggered and the answers they carry,
    /// and the attachments no remaining statement refers to.
    /// </summary>
    private async Task RemoveStatementsAsync(WriteLease lease, long tenantId, IReadOnlyList<StatementRow> statements, ErasureCounts counts, CancellationToken ct)
    {
        if (statements.Count == 0) return;
        var byId = statements.ToDictionary(s => s.Id);
        var ids = db.List(byId.Keys);
        counts.Evidence += await Execute(lease, $"DELETE FROM evidence WHERE tenant_id = @t AND statement_id{db.In("ids")}", ct, ("t", tenantId), ("ids", ids));
        counts.Signoffs += await Execute(lease, $"DELETE FROM signoffs WHERE tenant_id = @t AND (statement_id{db.In("ids")} OR target_id{db.In("ids")})", ct, ("t", tenantId), ("ids", ids));
        counts.ReflectionAnswers += await Execute(lease, $"""
            DELETE FROM reflection_answers WHERE tenant_id = @t AND (statement_id{db.In("ids")}
                OR task_id IN (SELECT id FROM reflection_tasks WHERE tenant_id = @t AND statement_id{db.In("ids")}))
            """, ct, ("t", tenantId), ("ids", ids));
        counts.ReflectionTasks += await Execute(lease, $"DELETE FROM reflection_tasks WHERE tenant_id = @t AND statement_id{db.In("ids")}", ct, ("t", tenantId), ("ids", ids));

        // Index rows by (key, seq), which the primary key finds: a statement's own keys and those of its chain's targets.
        var pairs = new List<(string Key, long Seq)>();
        foreach (var s in statements)
        {
            pairs.AddRange(s.Keys.Select(k => (k, s.Seq)));
            var target = s.RefTarget;
            for (var depth = 0; target is { } t && byId.TryGetValue(t, out var next) && depth < MaxRefDepth; depth++, target = next.RefTarget)
                pairs.AddRange(next.Keys.Select(k => (k, s.Seq)));
        }
        var distinct = pairs.Distinct().ToList();
        await using (var command = lease.Command("", ("t", tenantId)))
            await db.ForEachRowAsync(command, "DELETE FROM statement_index WHERE tenant_id = @t AND (key, seq) IN (SELECT r.key, r.seq FROM {rows})",
                distinct, ct, new("key", ColumnType.Text, p => p.Key), new("seq", ColumnType.Long, p => p.Seq));
        counts.IndexKeys += distinct.Count;

        var sha2s = statements.SelectMany(s => Attachments(s.Body)).Distinct().ToArray();
        var seqs = db.List(statements.Select(s => s.Seq));
        await Execute(lease, $"DELETE FROM follow_up_facts WHERE tenant_id = @t AND seq{db.In("seqs")}", ct, ("t", tenantId), ("seqs", seqs));
        counts.StatementsRemoved += await Execute(lease, $"DELETE FROM statements WHERE tenant_id = @t AND seq{db.In("seqs")}", ct, ("t", tenantId), ("seqs", seqs));
        if (sha2s.Length > 0) counts.Attachments += await RemoveUnreferencedAttachmentsAsync(lease, tenantId, sha2s, ct);
    }

    // The data is kept under the lower-case hash; a statement may list it in capitals (hex either way).
    private static IEnumerable<string> Attachments(JsonObject statement) =>
        (statement["attachments"] as JsonArray ?? []).Select(a => a?["sha2"]?.GetValue<string>()?.ToLowerInvariant()).OfType<string>();

    // Attachments among the candidates (all of them when null) that no stored statement of the tenant mentions any more, in
    // whatever case it spells the hash.
    private Task<int> RemoveUnreferencedAttachmentsAsync(WriteLease lease, long tenantId, string[]? candidates, CancellationToken ct) =>
        Execute(lease, $"""
            DELETE FROM attachments WHERE tenant_id = @t{(candidates is null ? "" : $" AND sha2{db.In("sha2s")}")}
                AND NOT EXISTS (SELECT 1 FROM statements s WHERE s.tenant_id = @t AND {db.Sql("instr(lower(s.body), attachments.sha2) > 0", "strpos(lower(s.body), attachments.sha2) > 0")})
            """, ct, ("t", tenantId), ("sha2s", candidates is null ? null : db.List(candidates)));

    /// <summary>
    /// Rows keyed by agent: recorded names go; documents, evidence and reflection tasks go under <c>erase</c> and move to the
    /// pseudonym under <c>pseudonymise</c>; sign-offs the person gave, and the assessor of evidence they assessed, name the pseudonym.
    /// </summary>
    private async Task EraseAgentRowsAsync(WriteLease lease, long tenantId, PersonIdentifiers who, Pseudonym pseudonym, ErasureMode mode, ErasureCounts counts, CancellationToken ct)
    {
        var keys = db.List(who.Keys);
        (string, object?)[] p = [("t", tenantId), ("keys", keys), ("pseudonym", pseudonym.AgentKey)];
        counts.AgentNames += await Execute(lease, $"DELETE FROM agent_names WHERE tenant_id = @t AND agent_key{db.In("keys")}", ct, p);
        if (mode == ErasureMode.Pseudonymise)
        {
            // Copied under the pseudonym first (a row the pseudonym has already is kept), then removed.
            await Execute(lease, $"""
                INSERT INTO documents (tenant_id, kind, activity_id, agent_key, registration, document_id, content, content_type, etag, updated)
                SELECT tenant_id, kind, activity_id, @pseudonym, registration, document_id, content, content_type, etag, updated
                FROM documents WHERE tenant_id = @t AND agent_key{db.In("keys")} ON CONFLICT DO NOTHING
                """, ct, p);
            await Execute(lease, $"""
                INSERT INTO evidence (tenant_id, statement_id, competence_id, agent_key, rule_id, achieved_at, expires_at, needs_signoff, assessor, recorded, retracted)
                SELECT tenant_id, statement_id, competence_id, @pseudonym, rule_id, achieved_at, expires_at, needs_signoff, assessor, recorded, retracted
                FROM evidence WHERE tenant_id = @t AND agent_key{db.In("keys")} ON CONFLICT DO NOTHING
                """, ct, p);
        }
        counts.Documents += await Execute(lease, $"DELETE FROM documents WHERE tenant_id = @t AND agent_key{db.In("keys")}", ct, p);
        counts.Evidence += await Execute(lease, $"DELETE FROM evidence WHERE tenant_id = @t AND agent_key{db.In("keys")}", ct, p);
        counts.Signoffs += await Execute(lease, $"UPDATE signoffs SET signer_key = @pseudonym WHERE tenant_id = @t AND signer_key{db.In("keys")}", ct, p);
        counts.Evidence += await RewriteJsonAsync(lease, tenantId, "evidence", ["statement_id", "competence_id", "agent_key"], "assessor", who, pseudonym, ct);

        var subjects = db.List(who.Keys.Select(k => "a:" + k).Append("p:" + who.PersonId));
        if (mode == ErasureMode.Erase)
        {
            const string tasks = "SELECT id FROM reflection_tasks WHERE tenant_id = @t AND (agent_key{0} OR subject{1})";
            var of = string.Format(System.Globalization.CultureInfo.InvariantCulture, tasks, db.In("keys"), db.In("subjects"));
            counts.ReflectionAnswers += await Execute(lease, $"DELETE FROM reflection_answers WHERE tenant_id = @t AND task_id IN ({of})", ct, [.. p, ("subjects", subjects)]);
            counts.ReflectionTasks += await Execute(lease, $"DELETE FROM reflection_tasks WHERE id IN ({of}) AND tenant_id = @t", ct, [.. p, ("subjects", subjects)]);
        }
        else
        {
            counts.ReflectionTasks += await Execute(lease, $"""
                UPDATE reflection_tasks SET agent_key = CASE WHEN agent_key{db.In("keys")} THEN @pseudonym ELSE agent_key END,
                    subject = CASE WHEN subject = @person THEN @pseudonymPerson WHEN subject{db.In("subjects")} THEN @pseudonymAgent ELSE subject END
                WHERE tenant_id = @t AND (agent_key{db.In("keys")} OR subject{db.In("subjects")})
                """, ct, [.. p, ("subjects", subjects), ("person", "p:" + who.PersonId), ("pseudonymPerson", "p:" + pseudonym.PersonId), ("pseudonymAgent", "a:" + pseudonym.AgentKey)]);
            await RewriteJsonAsync(lease, tenantId, "reflection_tasks", ["id"], "agent", who, pseudonym, ct);
        }
    }

    /// <summary>
    /// Sessions, webinars and workplace meetings: under <c>erase</c> the person's participations and attendances go; the
    /// person as facilitator, or named in a session's definition, becomes the pseudonym (the others' meeting stays whole).
    /// </summary>
    private async Task EraseLearningRowsAsync(WriteLease lease, long tenantId, PersonIdentifiers who, Pseudonym pseudonym, ErasureMode mode, ErasureCounts counts, CancellationToken ct)
    {
        var participants = db.List(who.Keys.Append("person:" + who.PersonId));
        (string, object?)[] p = [("t", tenantId), ("person", who.PersonId), ("participants", participants)];
        if (mode == ErasureMode.Erase)
            counts.Sessions += await Execute(lease, $"DELETE FROM session_participants WHERE tenant_id = @t AND (person_id = @person OR participant{db.In("participants")})", ct, p);
        else
        {
            // The participant key names the person; the pseudonym takes its place ("person:" + the pseudonymous id).
            counts.Sessions += await Execute(lease, $"""
                UPDATE session_participants SET person_id = CASE WHEN person_id = @person THEN @pseudonymPerson ELSE person_id END,
                    participant = CASE WHEN participant = @personKey THEN @pseudonymPersonKey WHEN participant{db.In("participants")} THEN @pseudonym ELSE participant END
                WHERE tenant_id = @t AND (person_id = @person OR participant{db.In("participants")})
                """, ct, [.. p, ("pseudonymPerson", pseudonym.PersonId), ("personKey", "person:" + who.PersonId),
                    ("pseudonymPersonKey", "person:" + pseudonym.PersonId), ("pseudonym", pseudonym.AgentKey)]);
            await RewriteJsonAsync(lease, tenantId, "session_participants", ["kind", "session_id", "participant"], "body", who, pseudonym, ct);
        }
        counts.Sessions += await RewriteJsonAsync(lease, tenantId, "sessions", ["kind", "id"], "definition", who, pseudonym, ct);

        var meetings = await ListAsync(lease, $"SELECT id, facilitator, attendees FROM group_reflections WHERE tenant_id = @t AND ({Mentions(who, "facilitator")} OR {Mentions(who, "attendees")})",
            r => (Id: r.GetValue(0), Facilitator: JsonNode.Parse(r.GetString(1)), Attendees: JsonNode.Parse(r.GetString(2))!.AsArray()), ct, [("t", tenantId), .. Needles(who)]);
        foreach (var m in meetings)
        {
            var changed = pseudonym.Rewrite(m.Facilitator, who);
            if (mode == ErasureMode.Erase)
                foreach (var attendee in m.Attendees.Where(a => a?["personId"]?.GetValue<string>() == who.PersonId || who.IsAgent(a?["agent"])).ToList())
                    changed |= m.Attendees.Remove(attendee);
            changed |= pseudonym.Rewrite(m.Attendees, who);
            if (!changed) continue;
            counts.GroupReflections += await Execute(lease, "UPDATE group_reflections SET facilitator = @f, attendees = @a WHERE tenant_id = @t AND id = @id", ct,
                ("t", tenantId), ("id", m.Id), ("f", m.Facilitator!.ToJsonString()), ("a", m.Attendees.ToJsonString()));
        }
    }

    /// <summary>Credentials bound to one of the person's agents are revoked and bound to the pseudonym; their audit entries follow.</summary>
    private async Task EraseCredentialsAsync(WriteLease lease, long tenantId, PersonIdentifiers who, Pseudonym pseudonym, DateTimeOffset at, ErasureCounts counts, CancellationToken ct)
    {
        var bound = (await ListAsync(lease, $"SELECT key, actor FROM credentials WHERE tenant_id = @t AND actor IS NOT NULL AND {Mentions(who, "actor")}",
            r => (Key: r.GetString(0), Actor: r.GetString(1)), ct, [("t", tenantId), .. Needles(who)])).Where(c => who.IsAgent(JsonNode.Parse(c.Actor))).ToList();
        var replacement = pseudonym.Agent().ToJsonString();
        foreach (var (key, actor) in bound)
        {
            counts.Credentials += await Execute(lease, "UPDATE credentials SET actor = @actor, revoked = COALESCE(revoked, @at) WHERE key = @key AND tenant_id = @t", ct,
                ("t", tenantId), ("key", key), ("actor", replacement), ("at", db.Time(at)));
            counts.AuditEntries += await Execute(lease, "UPDATE audit_log SET detail = replace(detail, @old, @new) WHERE tenant_id = @t AND target = @key AND detail LIKE @like", ct,
                ("t", tenantId), ("key", key), ("old", "actor=" + actor), ("new", "actor=" + replacement), ("like", "%actor=%"));
        }
    }

    /// <summary>
    /// Rows keyed by person id: the outbox events about the person, their last announced competence statuses and their
    /// training plan go under <c>erase</c> and move to the pseudonymous id under <c>pseudonymise</c>; events, training plans,
    /// unit plans and learning centres of others that name the person in their JSON name the pseudonym.
    /// </summary>
    private async Task ErasePersonKeyedRowsAsync(WriteLease lease, long tenantId, PersonIdentifiers who, Pseudonym pseudonym, ErasureMode mode, ErasureCounts counts, CancellationToken ct)
    {
        (string, object?)[] p = [("t", tenantId), ("person", who.PersonId), ("pseudonymPerson", pseudonym.PersonId)];
        if (mode == ErasureMode.Erase)
        {
            counts.Events += await Execute(lease, "DELETE FROM events WHERE tenant_id = @t AND person_id = @person", ct, p);
            counts.CompetenceStatuses += await Execute(lease, "DELETE FROM competence_statuses WHERE tenant_id = @t AND person_id = @person", ct, p);
            counts.TrainingPlans += await Execute(lease, "DELETE FROM training_plans WHERE tenant_id = @t AND person_id = @person", ct, p);
        }
        else
        {
            counts.Events += await Execute(lease, "UPDATE events SET person_id = @pseudonymPerson WHERE tenant_id = @t AND person_id = @person", ct, p);
            counts.CompetenceStatuses += await Execute(lease, "UPDATE competence_statuses SET person_id = @pseudonymPerson WHERE tenant_id = @t AND person_id = @person", ct, p);
            counts.TrainingPlans += await Execute(lease, "UPDATE training_plans SET person_id = @pseudonymPerson WHERE tenant_id = @t AND person_id = @person", ct, p);
        }
        await RewriteJsonAsync(lease, tenantId, "events", ["seq"], "data", who, pseudonym, ct, jsonb: true);
        await RewriteJsonAsync(lease, tenantId, "training_plans", ["person_id"], "document", who, pseudonym, ct, jsonb: true);
        counts.TrainingPlans += await RewriteJsonAsync(lease, tenantId, "unit_plans", ["unit_id", "id"], "document", who, pseudonym, ct, jsonb: true);
        await RewriteJsonAsync(lease, tenantId, "learning_centres", ["id"], "document", who, pseudonym, ct, jsonb: true);
    }

    /// <summary>The person: removed with agents and history, or kept under the pseudonymous id with no name, address or HSA-id.</summary>
    private async Task ErasePersonAsync(WriteLease lease, long tenantId, PersonIdentifiers who, Pseudonym pseudonym, ErasureMode mode, string organisation, DateTimeOffset at, ErasureCounts counts, CancellationToken ct)
    {
        (string, object?)[] p = [("t", tenantId), ("person", who.PersonId), ("pseudonymPerson", pseudonym.PersonId), ("at", db.Time(at)),
            ("key", pseudonym.AgentKey), ("agent", pseudonym.Agent().ToJsonString()), ("organisation", organisation)];
        counts.PersonRows += await Execute(lease, "DELETE FROM person_agents WHERE tenant_id = @t AND person_id = @person", ct, p);
        if (mode == ErasureMode.Erase)
        {
            counts.PersonRows += await Execute(lease, "DELETE FROM person_assignments WHERE tenant_id = @t AND person_id = @person", ct, p);
            counts.PersonRows += await Execute(lease, "DELETE FROM people WHERE tenant_id = @t AND id = @person", ct, p);
            return;
        }
        await Execute(lease, """
            INSERT INTO person_agents (tenant_id, agent_key, person_id, agent) VALUES (@t, @key, @pseudonymPerson, @agent) ON CONFLICT DO NOTHING
            """, ct, p);
        counts.PersonRows += await Execute(lease, """
            INSERT INTO people (tenant_id, id, organisation_id, name, email, hsa_id, duties, changed)
            SELECT tenant_id, @pseudonymPerson, organisation_id, NULL, NULL, NULL, duties, @at FROM people WHERE tenant_id = @t AND id = @person
            ON CONFLICT DO NOTHING
            """, ct, p);
        counts.PersonRows += await Execute(lease, "UPDATE person_assignments SET person_id = @pseudonymPerson WHERE tenant_id = @t AND person_id = @person", ct, p);
        await Execute(lease, "DELETE FROM people WHERE tenant_id = @t AND id = @person", ct, p);
    }

    /// <summary>
    /// Rewrites a JSON text column with the pseudonym in the rows whose text mentions one of the person's identifiers; returns
    /// the rows changed. <paramref name="keyColumns"/> identify a row within the tenant; <paramref name="jsonb"/>: the column is
    /// <c>jsonb</c> on PostgreSQL.
    /// </summary>
    private async Task<int> RewriteJsonAsync(WriteLease lease, long tenantId, string table, string[] keyColumns, string column, PersonIdentifiers who, Pseudonym pseudonym, CancellationToken ct, bool jsonb = false)
    {
        var rows = await ListAsync(lease, $"SELECT {column}{db.AsText}, {string.Join(", ", keyColumns)} FROM {table} WHERE tenant_id = @t AND {column} IS NOT NULL AND {Mentions(who, column + db.AsText)}",
            r => (Json: JsonNode.Parse(r.GetString(0)), Key: Enumerable.Range(1, keyColumns.Length).Select(r.GetValue).ToArray()), ct, [("t", tenantId), .. Needles(who)]);
        var changed = 0;
        foreach (var (json, key) in rows)
        {
            if (!pseudonym.Rewrite(json, who)) continue;
            var where = string.Join(" AND ", keyColumns.Select((k, i) => $"{k} = @k{i}"));
            changed += await Execute(lease, $"UPDATE {table} SET {column} = @json{(jsonb ? db.AsJson : "")} WHERE tenant_id = @t AND {where}", ct,
                [("t", tenantId), ("json", json!.ToJsonString()), .. key.Select((v, i) => ($"k{i}", (object?)v))]);
        }
        return changed;
    }

    // "the column's text contains one of the person's identifier values", with the parameters of Needles.
    private string Mentions(PersonIdentifiers who, string column) =>
        "(" + string.Join(" OR ", who.Values.Select((_, i) => db.Sql($"instr({column}, @needle{i}) > 0", $"strpos({column}, @needle{i}) > 0"))) + ")";

    private static (string, object?)[] Needles(PersonIdentifiers who) => [.. who.Values.Select((v, i) => ($"needle{i}", (object?)v))];

    /// <inheritdoc />
    public async Task<RetentionCounts> ApplyRetentionAsync(long tenantId, RetentionCutoffs cutoffs, bool dryRun, DateTimeOffset at, string actor, CancellationToken ct)
    {
        var counts = new RetentionCounts();
        await using (var lease = await _evidence.BeginExclusiveAsync(tenantId, ct))
        {
            (string, object?)[] p = [("t", tenantId), ("statements", db.Time(cutoffs.Statements)), ("answers", db.Time(cutoffs.ReflectionAnswers)), ("audit", db.Time(cutoffs.Audit))];
            // The statements that go: older than the statement period, and the statements of answers older than the answer period.
            var old = $"""
                SELECT seq FROM statements WHERE tenant_id = @t AND (stored < @statements
                    OR id IN (SELECT statement_id FROM reflection_answers WHERE tenant_id = @t AND answered_at < @answers))
                """;
            var oldIds = old.Replace("SELECT seq", "SELECT id", StringComparison.Ordinal);
            counts.ReflectionAnswers += await Execute(lease, $"""
                DELETE FROM reflection_answers WHERE tenant_id = @t AND (answered_at < @answers OR statement_id IN ({oldIds})
                    OR task_id IN (SELECT id FROM reflection_tasks WHERE tenant_id = @t AND statement_id IN ({oldIds})))
                """, ct, p);
            counts.ReflectionTasks += await Execute(lease, $"DELETE FROM reflection_tasks WHERE tenant_id = @t AND statement_id IN ({oldIds})", ct, p);
            counts.Evidence += await Execute(lease, $"DELETE FROM evidence WHERE tenant_id = @t AND statement_id IN ({oldIds})", ct, p);
            counts.Signoffs += await Execute(lease, $"DELETE FROM signoffs WHERE tenant_id = @t AND (statement_id IN ({oldIds}) OR target_id IN ({oldIds}))", ct, p);
            // Index rows of old statements, and those that newer statements inherited from them. PostgreSQL keeps a statement's own
            // keys in its row only (StatementKeys), so they are counted there.
            if (db.IsPostgres)
                counts.IndexKeys += Convert.ToInt32(await Scalar(lease, $"SELECT coalesce(sum(cardinality(keys)), 0) FROM statements WHERE tenant_id = @t AND seq IN ({old})", ct, p),
                    System.Globalization.CultureInfo.InvariantCulture);
            counts.IndexKeys += await Execute(lease, $"DELETE FROM statement_index WHERE tenant_id = @t AND (seq IN ({old}) OR src IN ({old}))", ct, p);
            await Execute(lease, $"DELETE FROM follow_up_facts WHERE tenant_id = @t AND seq IN ({old})", ct, p);
            counts.Statements += await Execute(lease, $"DELETE FROM statements WHERE tenant_id = @t AND seq IN ({old})", ct, p);
            if (counts.Statements > 0) counts.Attachments += await RemoveUnreferencedAttachmentsAsync(lease, tenantId, null, ct);
            counts.AuditEntries += await Execute(lease, "DELETE FROM audit_log WHERE tenant_id = @t AND at < @audit", ct, p);
            if (!dryRun) await lease.CommitAsync(ct);
        }
        var detail = (dryRun ? "dryRun=true; " : "") + string.Join("; ", typeof(RetentionCounts).GetProperties()
            .Select(p => $"{JsonNamingPolicy.CamelCase.ConvertName(p.Name)}={p.GetValue(counts)}"));
        await new AuditLog(db).AppendAsync(tenantId, at, actor, RetentionAction, "retention", detail, ct);
        return counts;
    }

    private async Task<List<T>> ListAsync<T>(WriteLease lease, string sql, Func<DbDataReader, T> read, CancellationToken ct, params (string Name, object? Value)[] parameters)
    {
        await using var command = lease.Command(sql, parameters);
        return await command.ListAsync(read, ct);
    }

    private static async Task<object?> Scalar(WriteLease lease, string sql, CancellationToken ct, params (string Name, object? Value)[] parameters)
    {
        await using var command = lease.Command(sql, parameters);
        return await command.ExecuteScalarAsync(ct);
    }

    private static async Task<int> Execute(WriteLease lease, string sql, CancellationToken ct, params (string Name, object? Value)[] parameters)
    {
        await using var command = lease.Command(sql, parameters);
        return await command.ExecuteNonQueryAsync(ct);
    }
}
