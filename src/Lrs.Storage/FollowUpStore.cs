using System.Text.Json.Nodes;
using Lrs.Core.FollowUp;
using Lrs.Core.People;
using Lrs.Core.Storage;

namespace Lrs.Storage;

/// <summary>Learning centres and the reads of follow-up.</summary>
public sealed class FollowUpStore(Dialect db) : IFollowUpStore
{
    private readonly FollowUpFacts _facts = new(db);

    /// <inheritdoc />
    public async Task<CentreWrite> PutCentreAsync(long tenantId, LearningCentre centre, CancellationToken ct)
    {
        var document = LearningCentreInput.ToJson(centre).ToJsonString();
        await using var write = await db.BeginWriteAsync($"learning-centre:{tenantId}", ct);
        string? stored = null;
        await using (var command = write.Command($"SELECT id, document{db.AsText} FROM learning_centres WHERE tenant_id = @t AND (id = @id OR iri = @iri)",
            ("t", tenantId), ("id", centre.Id), ("iri", centre.Iri)))
        await using (var r = await command.ExecuteReaderAsync(ct))
            while (await r.ReadAsync(ct))
            {
                if (r.GetString(0) != centre.Id) return CentreWrite.IriTaken;
                stored = r.GetString(1);
            }
        if (stored is not null && JsonNode.DeepEquals(JsonNode.Parse(stored), JsonNode.Parse(document))) return CentreWrite.Unchanged;
        await using (var command = write.Command($"""
            INSERT INTO learning_centres (tenant_id, id, iri, document, updated) VALUES (@t, @id, @iri, @document{db.AsJson}, @updated)
            ON CONFLICT (tenant_id, id) DO UPDATE SET iri = excluded.iri, document = excluded.document, updated = excluded.updated
            """, ("t", tenantId), ("id", centre.Id), ("iri", centre.Iri), ("document", document), ("updated", db.Time(centre.Updated))))
            await command.ExecuteNonQueryAsync(ct);
        await write.CommitAsync(ct);
        return stored is null ? CentreWrite.Created : CentreWrite.Updated;
    }

    /// <inheritdoc />
    public async Task<LearningCentre?> GetCentreAsync(long tenantId, string id, CancellationToken ct) =>
        (await db.QueryAsync($"SELECT id, document{db.AsText}, updated FROM learning_centres WHERE tenant_id = @t AND id = @id", ReadCentre, ct,
            ("t", tenantId), ("id", id))).FirstOrDefault();

    /// <inheritdoc />
    public async Task<IReadOnlyList<LearningCentre>> CentresAsync(long tenantId, string? after, int limit, CancellationToken ct) =>
        await db.QueryAsync($"""
            SELECT id, document{db.AsText}, updated FROM learning_centres WHERE tenant_id = @t{(after is null ? "" : $" AND id{db.Binary} > @after{db.Binary}")}
            ORDER BY id{db.Binary} LIMIT @limit
            """, ReadCentre, ct, ("t", tenantId), ("after", after ?? ""), ("limit", limit));

    /// <inheritdoc />
    public async Task<FollowUpDirectory> DirectoryAsync(long tenantId, CancellationToken ct)
    {
        var kinds = new Dictionary<string, string?>(StringComparer.Ordinal);
        var units = new Dictionary<string, string>(StringComparer.Ordinal);
        var people = new Dictionary<string, (string Organisation, IReadOnlyList<string> Duties)>(StringComparer.Ordinal);
        var assignments = new Dictionary<string, List<Assignment>>(StringComparer.Ordinal);
        var agents = new Dictionary<string, string>(StringComparer.Ordinal);
        await using var connection = await db.OpenAsync(ct);
        await using var command = Dialect.Command(connection, null, $"""
            SELECT id, kind FROM organisations WHERE tenant_id = @t;
            SELECT id, organisation_id FROM org_units WHERE tenant_id = @t;
            SELECT id, organisation_id, duties{db.AsText} FROM people WHERE tenant_id = @t;
            SELECT person_id, kind, value, valid_from, valid_to FROM person_assignments WHERE tenant_id = @t;
            SELECT agent_key, person_id FROM person_agents WHERE tenant_id = @t;
            """, ("t", tenantId));
        await using var r = await command.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct)) kinds[r.GetString(0)] = r.StringOrNull(1);
        await r.NextResultAsync(ct);
        while (await r.ReadAsync(ct)) units[r.GetString(0)] = r.GetString(1);
        await r.NextResultAsync(ct);
        while (await r.ReadAsync(ct)) people[r.GetString(0)] = (r.GetString(1), PeopleRows.Strings(r.GetString(2)));
        await r.NextResultAsync(ct);
        while (await r.ReadAsync(ct))
        {
            if (!assignments.TryGetValue(r.GetString(0), out var list)) assignments[r.GetString(0)] = list = [];
            list.Add(new Assignment(PeopleRows.Kind(r.GetString(1)), r.GetString(2), db.Time(r, 3), db.TimeOrNull(r, 4)));
        }
        await r.NextResultAsync(ct);
        while (await r.ReadAsync(ct)) agents[r.GetString(0)] = r.GetString(1);
        return new FollowUpDirectory(
            people.ToDictionary(p => p.Key, p => new FollowUpPerson(p.Key, p.Value.Organisation, assignments.GetValueOrDefault(p.Key) ?? [], p.Value.Duties), StringComparer.Ordinal),
            agents, kinds, units);
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<StatementFact>> StatementsAsync(long tenantId, IReadOnlyCollection<string> verbs, DateTimeOffset? from, DateTimeOffset? to,
        LearningCentre? centre, CancellationToken ct, IReadOnlyCollection<string>? actors = null, FactParts parts = FactParts.All) =>
        _facts.ReadAsync(tenantId, verbs, from, to, centre, actors, parts, ct);

    /// <inheritdoc />
    public Task<IReadOnlyList<StatementFact>> StatementsByIdAsync(long tenantId, IReadOnlyCollection<Guid> ids, CancellationToken ct) =>
        _facts.ReadByIdAsync(tenantId, ids, ct);

    /// <inheritdoc />
    public async Task<IReadOnlyList<TaskFact>> TasksAsync(long tenantId, CancellationToken ct, IReadOnlyCollection<string>? agents = null,
        DateTimeOffset? from = null, DateTimeOffset? to = null, IReadOnlyCollection<string>? scored = null) =>
        agents is { Count: 0 } ? [] : await db.QueryAsync($"""
            SELECT t.template_id, t.agent_key, t.statement_id, t.triggered_at, t.status,
                coalesce(t.available_from, t.triggered_at),
                CASE WHEN t.status = 'answered'{(scored is null ? "" : $" AND t.template_id{db.In("scored")}")}
                    THEN (SELECT max(a.score) FROM reflection_answers a WHERE a.tenant_id = t.tenant_id AND a.task_id = t.id) END
            FROM reflection_tasks t WHERE t.tenant_id = @t AND t.status <> 'cancelled'{(agents is null ? "" : db.Sql($" AND t.agent_key{db.In("agents")}", " AND t.agent_key IN (SELECT unnest(@agents))"))}
                {(from is null ? "" : "AND coalesce(t.available_from, t.triggered_at) >= @from")} {(to is null ? "" : "AND t.triggered_at < @to")}
            """,
            r => new TaskFact(r.GetString(0), r.GetString(1), db.Uuid(r, 2), db.Time(r, 3), r.GetString(4) == "answered", db.Time(r, 5),
                r.IsDBNull(6) ? null : r.GetDouble(6)), ct,
            ("t", tenantId), ("agents", agents is null ? null : db.List(agents)), ("from", db.Time(from)), ("to", db.Time(to)),
            ("scored", scored is null ? null : db.List(scored)));

    /// <inheritdoc />
    public async Task<IReadOnlyList<GroupReflectionFact>> GroupReflectionsAsync(long tenantId, CancellationToken ct) =>
        await db.QueryAsync("SELECT unit_id, held_at FROM group_reflections WHERE tenant_id = @t",
            r => new GroupReflectionFact(r.GetString(0), db.Time(r, 1)), ct, ("t", tenantId));

    /// <inheritdoc />
    public async Task<IReadOnlyList<SessionFact>> SessionsAsync(long tenantId, CancellationToken ct) =>
        await db.QueryAsync($"SELECT id, definition, start_at FROM sessions WHERE tenant_id = @t AND kind = @k",
            r =>
            {
                var definition = JsonNode.Parse(r.GetString(1))!.AsObject();
                return new SessionFact(r.GetString(0), definition["place"]?["id"]?.GetValue<string>(), db.Time(r, 2),
                    definition["places"] is JsonValue places ? (int)places.GetValue<double>() : null);
            }, ct, ("t", tenantId), ("k", SessionRows.Kind(Lrs.Core.Learning.SessionKind.OnSite)));

    private LearningCentre ReadCentre(System.Data.Common.DbDataReader r) => LearningCentreInput.FromJson(r.GetString(0), r.GetString(1), db.Time(r, 2));
}
