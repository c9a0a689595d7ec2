using System.Data.Common;
using System.Text;
using System.Text.Json.Nodes;
using Lrs.Core.People;
using Lrs.Core.Storage;

namespace Lrs.Storage;

/// <summary>
/// Organisations, units and people. A bulk upsert costs a fixed number of round trips whatever its size: one batch of
/// reads, one for agent owners, one per kind of write (PostgreSQL unnests the rows server-side), commit.
/// </summary>
public sealed class PeopleStore(Dialect db) : IPeopleStore
{
    private readonly EventTables _events = new(db);

    // One row per person with current units, roles and agents gathered by subqueries: one query for any page size.
    private string PersonColumns => $"""
        SELECT p.id, p.organisation_id, p.name, p.email, p.hsa_id, p.duties{db.Sql("", "::text")}, p.changed,
            {db.ArrayOf("a.value", "FROM person_assignments a WHERE a.tenant_id = p.tenant_id AND a.person_id = p.id AND a.kind = 'unit' AND a.valid_to IS NULL", "a.value" + db.Binary)},
            {db.ArrayOf("a.value", "FROM person_assignments a WHERE a.tenant_id = p.tenant_id AND a.person_id = p.id AND a.kind = 'role' AND a.valid_to IS NULL", "a.value" + db.Binary)},
            {db.ArrayOf("g.agent", "FROM person_agents g WHERE g.tenant_id = p.tenant_id AND g.person_id = p.id", "g.agent_key" + db.Binary)}
        FROM people p
        """;

    private const string OrganisationColumns = "SELECT id, name, hr_home_page, changed, kind FROM organisations";

    /// <inheritdoc />
    public async Task<UpsertOutcome> UpsertOrganisationsAsync(long tenantId, IReadOnlyList<OrganisationUpsert> organisations, string? organisationId, DateTimeOffset now, CancellationToken ct)
    {
        await using var write = await BeginUpsertAsync(tenantId, ct);
        var stored = new Dictionary<string, Organisation>(StringComparer.Ordinal);
        var storedUnits = new Dictionary<string, OrgUnit>(StringComparer.Ordinal);
        await using (var command = write.Command($"""
            {OrganisationColumns} WHERE tenant_id = @t AND id{db.In("ids")};
            SELECT id, organisation_id, name, changed FROM org_units WHERE tenant_id = @t AND id{db.In("units")};
            """, ("t", tenantId), ("ids", db.List(organisations.Select(o => o.Id))), ("units", db.List(organisations.SelectMany(o => o.Units).Select(u => u.Id)))))
        {
            await using var r = await command.ExecuteReaderAsync(ct);
            while (await r.ReadAsync(ct)) stored[r.GetString(0)] = ReadOrganisation(r);
            await r.NextResultAsync(ct);
            while (await r.ReadAsync(ct)) storedUnits[r.GetString(0)] = ReadUnit(r);
        }

        var plan = PeopleSync.PlanOrganisations(organisations, new OrganisationsSnapshot(stored, storedUnits), organisationId, now);
        if (plan.Outcome.Refusal is not null) return plan.Outcome;

        // "WHERE true": SQLite reads the ON of an upsert after a bare FROM as a join's.
        await ForEachRowAsync(write, tenantId, null, """
            INSERT INTO organisations (tenant_id, id, name, hr_home_page, changed, kind) SELECT @t, r.id, r.name, r.hr, r.changed, r.kind FROM {rows} WHERE true
            ON CONFLICT (tenant_id, id) DO UPDATE SET name = excluded.name, hr_home_page = excluded.hr_home_page, changed = excluded.changed, kind = excluded.kind
            """, plan.Organisations, ct,
            new("id", ColumnType.Text, o => o.Id), new("name", ColumnType.Text, o => o.Name), new("hr", ColumnType.Text, o => o.HrHomePage),
            new("changed", ColumnType.Time, o => o.Changed), new("kind", ColumnType.Text, o => o.Kind));
        await ForEachRowAsync(write, tenantId, null, """
            INSERT INTO org_units (tenant_id, id, organisation_id, name, changed) SELECT @t, r.id, r.org, r.name, r.changed FROM {rows} WHERE true
            ON CONFLICT (tenant_id, id) DO UPDATE SET name = excluded.name, changed = excluded.changed
            """, plan.Units, ct,
            new("id", ColumnType.Text, u => u.Id), new("org", ColumnType.Text, u => u.OrganisationId), new("name", ColumnType.Text, u => u.Name),
            new("changed", ColumnType.Time, u => u.Changed));
        await write.CommitAsync(ct);
        return plan.Outcome;
    }

    /// <inheritdoc />
    public async Task<UpsertOutcome> UpsertPeopleAsync(long tenantId, IReadOnlyList<PersonUpsert> people, string? organisationId, DateTimeOffset now, CancellationToken ct)
    {
        await using var write = await BeginUpsertAsync(tenantId, ct);
        var stored = new Dictionary<string, Person>(StringComparer.Ordinal);
        var organisations = new Dictionary<string, Organisation>(StringComparer.Ordinal);
        var unitOrganisations = new Dictionary<string, string>(StringComparer.Ordinal);
        await using (var command = write.Command($"""
            {PersonColumns} WHERE p.tenant_id = @t AND p.id{db.In("ids")};
            {OrganisationColumns} WHERE tenant_id = @t AND id{db.In("orgs")};
            SELECT id, organisation_id FROM org_units WHERE tenant_id = @t AND id{db.In("units")};
            """, ("t", tenantId), ("ids", db.List(people.Select(p => p.Id))), ("orgs", db.List(people.Select(p => p.OrganisationId).Distinct())),
            ("units", db.List(people.SelectMany(p => p.Units).Distinct()))))
        {
            await using var r = await command.ExecuteReaderAsync(ct);
            while (await r.ReadAsync(ct))
            {
                var person = ReadPerson(r);
                stored[person.Id] = person;
            }
            await r.NextResultAsync(ct);
            while (await r.ReadAsync(ct)) organisations[r.GetString(0)] = ReadOrganisation(r);
            await r.NextResultAsync(ct);
            while (await r.ReadAsync(ct)) unitOrganisations[r.GetString(0)] = r.GetString(1);
        }
        var owners = new Dictionary<string, AgentOwner>(StringComparer.Ordinal);
        await using (var command = write.Command($"""
            SELECT g.agent_key, g.person_id, p.organisation_id FROM person_agents g
            JOIN people p ON p.tenant_id = g.tenant_id AND p.id = g.person_id
            WHERE g.tenant_id = @t AND g.agent_key{db.In("keys")}
            """, ("t", tenantId), ("keys", db.List(PeopleSync.WantedAgentKeys(people, organisations)))))
        {
            foreach (var (key, owner) in await command.ListAsync(r => (r.GetString(0), new AgentOwner(r.GetString(1), r.GetString(2))), ct))
                owners[key] = owner;
        }

        var plan = PeopleSync.PlanPeople(people, new PeopleSnapshot(stored, organisations, unitOrganisations, owners), organisationId, now);
        if (plan.Outcome.Refusal is not null) return plan.Outcome;

        // Closing before opening and unlinking before linking: an agent may move between two people of the batch.
        var at = PeopleSync.Instant(now);
        await ForEachRowAsync(write, tenantId, at, """
            INSERT INTO people (tenant_id, id, organisation_id, name, email, hsa_id, duties, changed)
            SELECT @t, r.id, r.org, r.name, r.email, r.hsa, r.duties, r.changed FROM {rows} WHERE true
            ON CONFLICT (tenant_id, id) DO UPDATE SET organisation_id = excluded.organisation_id, name = excluded.name,
                email = excluded.email, hsa_id = excluded.hsa_id, duties = excluded.duties, changed = excluded.changed
            """, plan.Write, ct,
            new("id", ColumnType.Text, p => p.Id), new("org", ColumnType.Text, p => p.OrganisationId), new("name", ColumnType.Text, p => p.Name),
            new("email", ColumnType.Text, p => p.Email), new("hsa", ColumnType.Text, p => p.HsaId), new("duties", ColumnType.Json, p => PeopleRows.Json(p.Duties)),
            new("changed", ColumnType.Time, p => p.Changed));
        Column<AssignmentChange>[] assignment =
            [new("person_id", ColumnType.Text, c => c.PersonId), new("kind", ColumnType.Text, c => PeopleRows.KindText(c.Kind)), new("value", ColumnType.Text, c => c.Value)];
        await ForEachRowAsync(write, tenantId, at, """
            UPDATE person_assignments AS a SET valid_to = @at FROM {rows}
            WHERE a.tenant_id = @t AND a.person_id = r.person_id AND a.kind = r.kind AND a.value = r.value AND a.valid_to IS NULL
            """, plan.Close, ct, assignment);
        await ForEachRowAsync(write, tenantId, at,
            "INSERT INTO person_assignments (tenant_id, person_id, kind, value, valid_from) SELECT @t, r.person_id, r.kind, r.value, @at FROM {rows}",
            plan.Open, ct, assignment);
        var changes = PersonChanges(plan, stored);
        if (plan.Unlink.Count > 0)
        {
            // People who lose an agent to another person of the batch change too.
            await using var command = write.Command($"""
                SELECT g.person_id, p.organisation_id FROM person_agents g JOIN people p ON p.tenant_id = g.tenant_id AND p.id = g.person_id
                WHERE g.tenant_id = @t AND g.agent_key{db.In("unlink")}
                """, ("t", tenantId), ("unlink", db.List(plan.Unlink)));
            foreach (var (person, organisation) in await command.ListAsync(r => (r.GetString(0), r.GetString(1)), ct))
                Change(changes, person, organisation, "agents");
        }
        await using (var command = write.Command($"DELETE FROM person_agents WHERE tenant_id = @t AND agent_key{db.In("unlink")}", ("t", tenantId), ("unlink", db.List(plan.Unlink))))
            await command.ExecuteNonQueryAsync(ct);
        await ForEachRowAsync(write, tenantId, at,
            "INSERT INTO person_agents (tenant_id, agent_key, person_id, agent) SELECT @t, r.agent_key, r.person_id, r.agent FROM {rows}", plan.Link, ct,
            new("agent_key", ColumnType.Text, l => l.Key), new("person_id", ColumnType.Text, l => l.PersonId), new("agent", ColumnType.Text, l => l.AgentJson));
        await _events.AppendAsync(write.Connection, write.Transaction, tenantId, [.. changes.Select(c => new NewEvent(EventTypes.PersonChanged, at, c.Value.Organisation, c.Key,
            new JsonObject { ["personId"] = c.Key, ["organisationId"] = c.Value.Organisation, ["changes"] = new JsonArray([.. c.Value.What.Select(w => JsonValue.Create(w))]) }))], ct);
        await write.CommitAsync(ct);
        return plan.Outcome;
    }

    // What an upsert changes of each person, in the words of the person.changed event (never the values: no names).
    private static Dictionary<string, (string Organisation, SortedSet<string> What)> PersonChanges(PeoplePlan plan, Dictionary<string, Person> stored)
    {
        var changes = new Dictionary<string, (string Organisation, SortedSet<string> What)>(StringComparer.Ordinal);
        var organisationOf = plan.Write.ToDictionary(p => p.Id, p => p.OrganisationId, StringComparer.Ordinal);
        string OrganisationOf(string person) => organisationOf.TryGetValue(person, out var o) ? o : stored[person].OrganisationId;
        foreach (var p in plan.Write)
        {
            if (!stored.TryGetValue(p.Id, out var before)) Change(changes, p.Id, p.OrganisationId, "created");
            else
            {
                if (before.OrganisationId != p.OrganisationId) Change(changes, p.Id, p.OrganisationId, "organisation");
                if (before.Name != p.Name || before.Email != p.Email || before.HsaId != p.HsaId || !before.Duties.SequenceEqual(p.Duties))
                    Change(changes, p.Id, p.OrganisationId, "details");
            }
        }
        foreach (var a in plan.Close.Concat(plan.Open))
            Change(changes, a.PersonId, OrganisationOf(a.PersonId), a.Kind == AssignmentKind.Unit ? "units" : "roles");
        foreach (var l in plan.Link) Change(changes, l.PersonId, OrganisationOf(l.PersonId), "agents");
        return changes;
    }

    private static void Change(Dictionary<string, (string Organisation, SortedSet<string> What)> changes, string person, string organisation, string what)
    {
        if (!changes.TryGetValue(person, out var entry)) changes[person] = entry = (organisation, new SortedSet<string>(StringComparer.Ordinal));
        entry.What.Add(what);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<Organisation>> OrganisationsAsync(long tenantId, string? organisationId, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        await using var command = Dialect.Command(connection, null,
            OrganisationColumns + " WHERE tenant_id = @t" + (organisationId is null ? "" : " AND id = @org") + " ORDER BY id", ("t", tenantId), ("org", organisationId));
        return await command.ListAsync(ReadOrganisation, ct);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<OrgUnit>?> UnitsAsync(long tenantId, string organisationId, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        await using var command = Dialect.Command(connection, null, """
            SELECT u.id, u.organisation_id, u.name, u.changed FROM organisations o
            LEFT JOIN org_units u ON u.tenant_id = o.tenant_id AND u.organisation_id = o.id
            WHERE o.tenant_id = @t AND o.id = @org ORDER BY u.id
            """, ("t", tenantId), ("org", organisationId));
        var rows = await command.ListAsync(r => r.IsDBNull(0) ? null : ReadUnit(r), ct);
        return rows.Count == 0 ? null : [.. rows.OfType<OrgUnit>()];
    }

    /// <inheritdoc />
    public async Task<UnitMembers?> UnitAsync(long tenantId, string unitId, string? organisationId, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        await using var command = Dialect.Command(connection, null, $"""
            SELECT u.id, u.organisation_id, u.name, u.changed,
                {db.ArrayOf("a.person_id", "FROM person_assignments a WHERE a.tenant_id = u.tenant_id AND a.kind = 'unit' AND a.value = u.id AND a.valid_to IS NULL", "a.person_id")}
            FROM org_units u WHERE u.tenant_id = @t AND u.id = @unit
            """, ("t", tenantId), ("unit", unitId));
        var found = (await command.ListAsync(r => new UnitMembers(ReadUnit(r), db.Strings(r, 4)), ct)).SingleOrDefault();
        return found is null || (organisationId is not null && found.Unit.OrganisationId != organisationId) ? null : found;
    }

    /// <inheritdoc />
    public async Task<Person?> GetAsync(long tenantId, string personId, string? organisationId, CancellationToken ct) =>
        (await GetManyAsync(tenantId, [personId], organisationId, ct)).SingleOrDefault();

    /// <inheritdoc />
    public async Task<IReadOnlyList<Person>> GetManyAsync(long tenantId, IReadOnlyCollection<string> personIds, string? organisationId, CancellationToken ct)
    {
        if (personIds.Count == 0) return [];
        await using var connection = await db.OpenAsync(ct);
        await using var command = Dialect.Command(connection, null, $"""
            {PersonColumns} WHERE p.tenant_id = @t AND p.id{db.In("ids")} ORDER BY p.id{db.Binary};
            SELECT person_id, kind, value, valid_from, valid_to FROM person_assignments WHERE tenant_id = @t AND person_id{db.In("ids")}
            ORDER BY valid_from, kind, value;
            """, ("t", tenantId), ("ids", db.List(personIds)));
        await using var r = await command.ExecuteReaderAsync(ct);
        var people = new List<Person>();
        while (await r.ReadAsync(ct)) people.Add(ReadPerson(r));
        await r.NextResultAsync(ct);
        var history = new Dictionary<string, List<Assignment>>(StringComparer.Ordinal);
        while (await r.ReadAsync(ct))
        {
            var personId = r.GetString(0);
            if (!history.TryGetValue(personId, out var assignments)) history[personId] = assignments = [];
            assignments.Add(new Assignment(PeopleRows.Kind(r.GetString(1)), r.GetString(2), db.Time(r, 3), db.TimeOrNull(r, 4)));
        }
        return [.. people.Where(p => organisationId is null || p.OrganisationId == organisationId)
            .Select(p => p with { History = history.GetValueOrDefault(p.Id) ?? [] })];
    }

    /// <inheritdoc />
    public async Task<PeoplePage> ListAsync(long tenantId, PeopleQuery query, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        await using var command = Dialect.Command(connection, null, "", ("t", tenantId));
        var sql = new StringBuilder(PersonColumns).Append(" WHERE p.tenant_id = @t");
        // Only the filters asked for are in the SQL, so each combination gets a plan that uses its index.
        if (query.OrganisationId is { } org)
        {
            sql.Append(" AND p.organisation_id = @org");
            command.With("org", org);
        }
        foreach (var (kind, value) in new[] { ("unit", query.UnitId), ("role", query.RoleId) })
        {
            if (value is null) continue;
            // Driven by the current-assignment index: a unit's members are few, the tenant's people many.
            sql.Append($" AND p.id IN (SELECT a.person_id FROM person_assignments a WHERE a.tenant_id = @t AND a.kind = '{kind}' AND a.value = @{kind} AND a.valid_to IS NULL)");
            command.With(kind, value);
        }
        if (query.ChangedSince is { } since)
        {
            sql.Append(" AND p.changed >= @since");
            command.With("since", db.Time(since));
        }
        if (query.Cursor is { } cursor)
        {
            sql.Append(" AND p.id > @after");
            command.With("after", cursor);
        }
        command.CommandText = sql.Append(" ORDER BY p.id LIMIT @limit").ToString();
        command.With("limit", query.Limit + 1);
        return PeopleRows.Page(await command.ListAsync(ReadPerson, ct), query.Limit);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<string>> AgentKeysAsync(long tenantId, string personId, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        await using var command = Dialect.Command(connection, null, $"SELECT agent_key FROM person_agents WHERE tenant_id = @t AND person_id = @id ORDER BY agent_key{db.Binary}",
            ("t", tenantId), ("id", personId));
        return await command.ListAsync(r => r.GetString(0), ct);
    }

    /// <inheritdoc />
    public async Task<string?> PersonOfAgentAsync(long tenantId, string agentKey, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        await using var command = Dialect.Command(connection, null, "SELECT person_id FROM person_agents WHERE tenant_id = @t AND agent_key = @key", ("t", tenantId), ("key", agentKey));
        return await command.ExecuteScalarAsync(ct) as string;
    }

    /// <inheritdoc />
    public async Task<IReadOnlyDictionary<string, string?>> EmployersOfAgentsAsync(long tenantId, IReadOnlyCollection<string> agentKeys, CancellationToken ct)
    {
        var employers = new Dictionary<string, string?>(StringComparer.Ordinal);
        if (agentKeys.Count == 0) return employers;
        await using var connection = await db.OpenAsync(ct);
        await using var command = Dialect.Command(connection, null, $"""
            SELECT pa.agent_key, p.organisation_id FROM person_agents pa LEFT JOIN people p ON p.tenant_id = pa.tenant_id AND p.id = pa.person_id
            WHERE pa.tenant_id = @t AND pa.agent_key{db.In("keys")}
            """, ("t", tenantId), ("keys", db.List(agentKeys)));
        await using var r = await command.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct)) employers[r.GetString(0)] = r.IsDBNull(1) ? null : r.GetString(1);
        return employers;
    }

    // Upserts of one tenant queue behind each other: each reads what it is about to overwrite, and rows that do not
    // exist yet cannot be locked. Readers are not held up.
    private async Task<WriteLease> BeginUpsertAsync(long tenantId, CancellationToken ct)
    {
        var write = await db.BeginWriteAsync("people " + tenantId.ToString(System.Globalization.CultureInfo.InvariantCulture), ct);
        if (!db.IsPostgres) return write;
        // Custom plans: a generic plan cannot know how many elements the arrays hold, and one cached while the tables
        // were nearly empty turned a 1000-person upsert from 0.1 s into 4 s (nested loops over sequential scans).
        await using var command = write.Command("SET LOCAL plan_cache_mode = force_custom_plan");
        await command.ExecuteNonQueryAsync(ct);
        return write;
    }

    private async Task ForEachRowAsync<T>(WriteLease write, long tenantId, DateTimeOffset? at, string sql, IReadOnlyList<T> rows, CancellationToken ct, params Column<T>[] columns)
    {
        await using var command = write.Command("", ("t", tenantId), ("at", db.Time(at)));
        await db.ForEachRowAsync(command, sql, rows, ct, columns);
    }

    private Person ReadPerson(DbDataReader r) => new(
        r.GetString(0), r.GetString(1), r.StringOrNull(2), r.StringOrNull(3), r.StringOrNull(4),
        db.Strings(r, 7), db.Strings(r, 8), PeopleRows.Strings(r.GetString(5)), PeopleRows.Agents(db.Strings(r, 9)), db.Time(r, 6), []);

    private Organisation ReadOrganisation(DbDataReader r) => new(r.GetString(0), r.GetString(1), r.StringOrNull(2), db.Time(r, 3), r.StringOrNull(4));

    private OrgUnit ReadUnit(DbDataReader r) => new(r.GetString(0), r.GetString(1), r.GetString(2), db.Time(r, 3));
}
