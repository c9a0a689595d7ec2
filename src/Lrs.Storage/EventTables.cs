using System.Data.Common;
using System.Text.Json.Nodes;
using Lrs.Core.Competence;
using Lrs.Core.Storage;

namespace Lrs.Storage;

/// <summary>An event to append to the outbox.</summary>
internal sealed record NewEvent(string Type, DateTimeOffset Occurred, string? OrganisationId, string? PersonId, JsonObject Data);

/// <summary>
/// The outbox rows written inside other transactions (a statement batch's, a people upsert's, a group reflection's, the
/// scheduled pass's): events, and the competence statuses last announced.
/// </summary>
internal sealed class EventTables(Dialect db)
{
    /// <summary>The advisory lock class of a person's announced competence statuses (the hash of the person id is the object id).</summary>
    private const int PersonLock = 4711022;

    private readonly EvidenceTables _evidence = new(db);

    /// <summary>Appends events in the order given.</summary>
    public async Task AppendAsync(DbConnection c, DbTransaction t, long tenantId, IReadOnlyList<NewEvent> events, CancellationToken ct)
    {
        if (events.Count == 0) return;
        await using var command = Dialect.Command(c, t, "", ("t", tenantId));
        await db.ForEachRowAsync(command, """
            INSERT INTO events (tenant_id, id, type, organisation_id, person_id, occurred, data)
            SELECT @t, r.id, r.type, r.org, r.person, r.occurred, r.data FROM {rows} ORDER BY r.n
            """, events, ct,
            new("id", ColumnType.Uuid, _ => Guid.NewGuid()), new("type", ColumnType.Text, e => e.Type), new("org", ColumnType.Text, e => e.OrganisationId),
            new("person", ColumnType.Text, e => e.PersonId), new("occurred", ColumnType.Time, e => e.Occurred), new("data", ColumnType.Json, e => e.Data.ToJsonString()));
    }

    /// <summary>
    /// Announces one event of <paramref name="type"/> for each task that <paramref name="condition"/> (on <c>t</c>, the
    /// task) selects: its id, template, person, status and due time; never its answers.
    /// </summary>
    public async Task AppendTaskEventsAsync(DbConnection c, DbTransaction t, long tenantId, string type, DateTimeOffset at, string condition, CancellationToken ct,
        params (string Name, object? Value)[] parameters)
    {
        await using var command = Dialect.Command(c, t, $"""
            SELECT t.id, t.template_id, t.status, t.due_at, t.statement_id, g.person_id, p.organisation_id
            FROM reflection_tasks t
            LEFT JOIN person_agents g ON g.tenant_id = t.tenant_id AND g.agent_key = t.agent_key
            LEFT JOIN people p ON p.tenant_id = t.tenant_id AND p.id = g.person_id
            WHERE t.tenant_id = @t AND {condition} ORDER BY t.created, t.id
            """, [("t", tenantId), .. parameters]);
        var events = await command.ListAsync(r => new NewEvent(type, at, r.StringOrNull(6), r.StringOrNull(5), new JsonObject
        {
            ["taskId"] = db.Uuid(r, 0), ["templateId"] = r.GetString(1), ["personId"] = r.StringOrNull(5), ["status"] = r.GetString(2),
            ["dueAt"] = db.Time(r, 3), ["trainingStatementId"] = db.Uuid(r, 4),
        }), ct);
        await AppendAsync(c, t, tenantId, events, ct);
    }

    /// <summary>
    /// Recomputes, at <paramref name="now"/>, the competence statuses of the people whose evidence may have changed:
    /// those with an agent in <paramref name="agentKeys"/>, with evidence from <paramref name="statementIds"/>, or whose
    /// evidence a sign-off among <paramref name="statementIds"/> targets; or the people <paramref name="personIds"/>. Each
    /// status that differs from the one last announced becomes a <c>competence.status-changed</c> event, and is remembered
    /// with the time at which time alone may change it (<paramref name="expiringWindow"/> makes a status expiring). Returns
    /// how many changed.
    /// </summary>
    public async Task<int> AnnounceCompetenceAsync(DbConnection c, DbTransaction t, long tenantId, Framework framework, DateTimeOffset now, TimeSpan expiringWindow,
        IReadOnlyCollection<string> agentKeys, IReadOnlyCollection<Guid> statementIds, IReadOnlyCollection<string> personIds, CancellationToken ct)
    {
        if (agentKeys.Count + statementIds.Count + personIds.Count == 0) return 0;
        // The people concerned, their employer and every agent of theirs.
        var agentsOf = new Dictionary<string, (string? Organisation, List<string> Agents)>(StringComparer.Ordinal);
        await using (var command = Dialect.Command(c, t, $"""
            SELECT g.person_id, p.organisation_id, g.agent_key FROM person_agents g JOIN people p ON p.tenant_id = g.tenant_id AND p.id = g.person_id
            WHERE g.tenant_id = @t AND g.person_id IN (
                SELECT a.person_id FROM person_agents a WHERE a.tenant_id = @t AND (a.agent_key{db.In("keys")} OR a.agent_key IN (
                    SELECT e.agent_key FROM evidence e WHERE e.tenant_id = @t AND (e.statement_id{db.In("ids")}
                        OR e.statement_id IN (SELECT s.target_id FROM signoffs s WHERE s.tenant_id = @t AND s.statement_id{db.In("ids")}))))
                UNION SELECT p2.id FROM people p2 WHERE p2.tenant_id = @t AND p2.id{db.In("people")})
            """, ("t", tenantId), ("keys", db.List(agentKeys)), ("ids", db.List(statementIds)), ("people", db.List(personIds))))
        {
            foreach (var (person, organisation, agent) in await command.ListAsync(r => (r.GetString(0), r.StringOrNull(1), r.GetString(2)), ct))
            {
                if (!agentsOf.TryGetValue(person, out var entry)) agentsOf[person] = entry = (organisation, []);
                entry.Agents.Add(agent);
            }
        }
        // People in personIds without agents still have statuses to settle (their evidence went with their agents).
        foreach (var person in personIds) agentsOf.TryAdd(person, (null, []));
        if (agentsOf.Count == 0) return 0;
        if (db.IsPostgres)
        {
            // Two transactions that change one person's evidence take turns here, in person order (no deadlock), so that the
            // second reads the first's evidence and announced statuses: no change is announced twice or lost.
            await using var command = Dialect.Command(c, t,
                $"SELECT pg_advisory_xact_lock({PersonLock}, hashtext(p)) FROM (SELECT p FROM unnest(@people) AS u(p) ORDER BY p) s", ("people", db.List(agentsOf.Keys)));
            await command.ExecuteNonQueryAsync(ct);
        }

        var personOfAgent = agentsOf.SelectMany(p => p.Value.Agents.Select(a => (Agent: a, Person: p.Key))).ToDictionary(x => x.Agent, x => x.Person, StringComparer.Ordinal);
        var evidence = (await _evidence.EvidenceAsync(c, t, tenantId, personOfAgent.Keys, ct))
            .GroupBy(e => personOfAgent[e.AgentKey]).ToDictionary(g => g.Key, g => g.ToList(), StringComparer.Ordinal);

        var announced = new Dictionary<(string Person, string Competence), (string Status, DateTimeOffset? ChangesAt)>();
        await using (var command = Dialect.Command(c, t, $"""
            SELECT person_id, competence_id, status, changes_at FROM competence_statuses WHERE tenant_id = @t AND person_id{db.In("people")}
            """, ("t", tenantId), ("people", db.List(agentsOf.Keys))))
        {
            foreach (var (person, competence, status, changesAt) in await command.ListAsync(r => (r.GetString(0), r.GetString(1), r.GetString(2), db.TimeOrNull(r, 3)), ct))
                announced[(person, competence)] = (status, changesAt);
        }

        var events = new List<NewEvent>();
        var remember = new List<(string Person, string Competence, string Status, DateTimeOffset? ChangesAt)>();
        foreach (var (person, (organisation, _)) in agentsOf)
        {
            var own = evidence.GetValueOrDefault(person) ?? [];
            var profile = ProfileCalculator.Compute(new PersonFacts(person, [], []), own, framework, now, expiringWindow);
            var current = profile.Entries.ToDictionary(e => e.CompetenceId, e => (ProfileCalculator.StatusName(e.Status), ChangesAt(own, e.CompetenceId, now, expiringWindow)), StringComparer.Ordinal);
            // A competence announced before and now without evidence is missing again.
            foreach (var ((p, competence), _) in announced)
                if (p == person && !current.ContainsKey(competence)) current[competence] = (ProfileCalculator.StatusName(CompetenceStatus.Missing), null);

            foreach (var (competence, (status, changesAt)) in current)
            {
                var before = announced.TryGetValue((person, competence), out var a) ? a : (Status: ProfileCalculator.StatusName(CompetenceStatus.Missing), ChangesAt: null);
                if (before.Status != status)
                    events.Add(new NewEvent(EventTypes.CompetenceStatusChanged, now, organisation, person, new JsonObject
                    {
                        ["personId"] = person, ["competenceId"] = competence, ["oldStatus"] = before.Status, ["newStatus"] = status,
                    }));
                if (before.Status != status || before.ChangesAt != changesAt || !announced.ContainsKey((person, competence)))
                    remember.Add((person, competence, status, changesAt));
            }
        }
        await using (var command = Dialect.Command(c, t, "", ("t", tenantId)))
        {
            await db.ForEachRowAsync(command, """
                INSERT INTO competence_statuses (tenant_id, person_id, competence_id, status, changes_at)
                SELECT @t, r.person, r.competence, r.status, r.changes FROM {rows} WHERE true
                ON CONFLICT (tenant_id, person_id, competence_id) DO UPDATE SET status = excluded.status, changes_at = excluded.changes_at
                """, remember, ct,
                new("person", ColumnType.Text, r => r.Person), new("competence", ColumnType.Text, r => r.Competence),
                new("status", ColumnType.Text, r => r.Status), new("changes", ColumnType.Time, r => r.ChangesAt));
        }
        await AppendAsync(c, t, tenantId, events, ct);
        return events.Count;
    }

    // The first moment after now at which time alone may change the status of a competence: an evidence entering the
    // expiring window or expiring. The status is computed again then (it may turn out the same).
    private static DateTimeOffset? ChangesAt(List<EvidenceRecord> evidence, string competenceId, DateTimeOffset now, TimeSpan expiringWindow)
    {
        DateTimeOffset? first = null;
        foreach (var e in evidence)
        {
            if (e.CompetenceId != competenceId || e.ExpiresAt is not { } expires) continue;
            var entersWindow = expires - expiringWindow;
            foreach (var at in (ReadOnlySpan<DateTimeOffset>)[entersWindow, expires])
                if (at > now && (first is null || at < first)) first = at;
        }
        return first;
    }
}
