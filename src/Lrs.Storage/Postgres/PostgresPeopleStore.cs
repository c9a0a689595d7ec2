using System.Text;
using Lrs.Core.People;
using Lrs.Core.Storage;
using Npgsql;
using NpgsqlTypes;

namespace Lrs.Storage.Postgres;

/// <summary>
/// Organisations, units and people in PostgreSQL. A bulk upsert costs a fixed number of round trips whatever its
/// size: one batch of reads, one for agent owners, one batch of writes with arrays unnested server-side, commit.
/// </summary>
public sealed class PostgresPeopleStore(PostgresDatabase database) : IPeopleStore
{
    // One row per person with current units, roles and agents gathered by subqueries: one query for any page size.
    private const string PersonColumns = """
        SELECT p.id, p.organisation_id, p.name, p.email, p.hsa_id, p.duties::text, p.changed,
            ARRAY(SELECT a.value FROM person_assignments a
                  WHERE a.tenant_id = p.tenant_id AND a.person_id = p.id AND a.kind = 'unit' AND a.valid_to IS NULL ORDER BY a.value COLLATE "C"),
            ARRAY(SELECT a.value FROM person_assignments a
                  WHERE a.tenant_id = p.tenant_id AND a.person_id = p.id AND a.kind = 'role' AND a.valid_to IS NULL ORDER BY a.value COLLATE "C"),
            ARRAY(SELECT g.agent FROM person_agents g WHERE g.tenant_id = p.tenant_id AND g.person_id = p.id ORDER BY g.agent_key COLLATE "C")
        FROM people p
        """;

    /// <inheritdoc />
    public async Task<UpsertOutcome> UpsertOrganisationsAsync(long tenantId, IReadOnlyList<OrganisationUpsert> organisations, string? organisationId, DateTimeOffset now, CancellationToken ct)
    {
        await using var connection = await database.DataSource.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);

        var stored = new Dictionary<string, Organisation>(StringComparer.Ordinal);
        var storedUnits = new Dictionary<string, OrgUnit>(StringComparer.Ordinal);
        await using (var command = Command(connection, transaction, tenantId, $"""
            {TenantLock};
            SELECT id, name, hr_home_page, changed FROM organisations WHERE tenant_id = @t AND id = ANY(@ids);
            SELECT id, organisation_id, name, changed FROM org_units WHERE tenant_id = @t AND id = ANY(@units);
            """))
        {
            command.Parameters.AddWithValue("ids", organisations.Select(o => o.Id).ToArray());
            command.Parameters.AddWithValue("units", organisations.SelectMany(o => o.Units).Select(u => u.Id).ToArray());
            await using var r = await command.ExecuteReaderAsync(ct);
            await r.NextResultAsync(ct);
            while (await r.ReadAsync(ct)) stored[r.GetString(0)] = ReadOrganisation(r);
            await r.NextResultAsync(ct);
            while (await r.ReadAsync(ct)) storedUnits[r.GetString(0)] = ReadUnit(r);
        }

        var plan = PeopleSync.PlanOrganisations(organisations, new OrganisationsSnapshot(stored, storedUnits), organisationId, now);
        if (plan.Outcome.Refusal is not null) return plan.Outcome;

        await using (var command = Command(connection, transaction, tenantId, """
            INSERT INTO organisations (tenant_id, id, name, hr_home_page, changed)
            SELECT @t, o.id, o.name, o.hr, o.changed FROM unnest(@ids, @names, @hrs, @changed) AS o(id, name, hr, changed)
            ON CONFLICT (tenant_id, id) DO UPDATE SET name = excluded.name, hr_home_page = excluded.hr_home_page, changed = excluded.changed;
            INSERT INTO org_units (tenant_id, id, organisation_id, name, changed)
            SELECT @t, u.id, u.org, u.name, u.changed FROM unnest(@unitIds, @unitOrgs, @unitNames, @unitChanged) AS u(id, org, name, changed)
            ON CONFLICT (tenant_id, id) DO UPDATE SET name = excluded.name, changed = excluded.changed;
            """))
        {
            command.Parameters.AddWithValue("ids", plan.Organisations.Select(o => o.Id).ToArray());
            command.Parameters.AddWithValue("names", plan.Organisations.Select(o => o.Name).ToArray());
            command.Parameters.AddWithValue("hrs", NpgsqlDbType.Array | NpgsqlDbType.Text, plan.Organisations.Select(o => o.HrHomePage).ToArray());
            command.Parameters.AddWithValue("changed", NpgsqlDbType.Array | NpgsqlDbType.TimestampTz, plan.Organisations.Select(o => o.Changed.UtcDateTime).ToArray());
            command.Parameters.AddWithValue("unitIds", plan.Units.Select(u => u.Id).ToArray());
            command.Parameters.AddWithValue("unitOrgs", plan.Units.Select(u => u.OrganisationId).ToArray());
            command.Parameters.AddWithValue("unitNames", plan.Units.Select(u => u.Name).ToArray());
            command.Parameters.AddWithValue("unitChanged", NpgsqlDbType.Array | NpgsqlDbType.TimestampTz, plan.Units.Select(u => u.Changed.UtcDateTime).ToArray());
            await command.ExecuteNonQueryAsync(ct);
        }
        await transaction.CommitAsync(ct);
        return plan.Outcome;
    }

    /// <inheritdoc />
    public async Task<UpsertOutcome> UpsertPeopleAsync(long tenantId, IReadOnlyList<PersonUpsert> people, string? organisationId, DateTimeOffset now, CancellationToken ct)
    {
        await using var connection = await database.DataSource.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);

        var stored = new Dictionary<string, Person>(StringComparer.Ordinal);
        var organisations = new Dictionary<string, Organisation>(StringComparer.Ordinal);
        var unitOrganisations = new Dictionary<string, string>(StringComparer.Ordinal);
        await using (var command = Command(connection, transaction, tenantId, $"""
            {TenantLock};
            {PersonColumns} WHERE p.tenant_id = @t AND p.id = ANY(@ids);
            SELECT id, name, hr_home_page, changed FROM organisations WHERE tenant_id = @t AND id = ANY(@orgs);
            SELECT id, organisation_id FROM org_units WHERE tenant_id = @t AND id = ANY(@units);
            """))
        {
            command.Parameters.AddWithValue("ids", people.Select(p => p.Id).ToArray());
            command.Parameters.AddWithValue("orgs", people.Select(p => p.OrganisationId).Distinct().ToArray());
            command.Parameters.AddWithValue("units", people.SelectMany(p => p.Units).Distinct().ToArray());
            await using var r = await command.ExecuteReaderAsync(ct);
            await r.NextResultAsync(ct);
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
        await using (var command = Command(connection, transaction, tenantId, """
            SELECT g.agent_key, g.person_id, p.organisation_id FROM person_agents g
            JOIN people p ON p.tenant_id = g.tenant_id AND p.id = g.person_id
            WHERE g.tenant_id = @t AND g.agent_key = ANY(@keys)
            """))
        {
            command.Parameters.AddWithValue("keys", PeopleSync.WantedAgentKeys(people, organisations).ToArray());
            await using var r = await command.ExecuteReaderAsync(ct);
            while (await r.ReadAsync(ct)) owners[r.GetString(0)] = new AgentOwner(r.GetString(1), r.GetString(2));
        }

        var plan = PeopleSync.PlanPeople(people, new PeopleSnapshot(stored, organisations, unitOrganisations, owners), organisationId, now);
        if (plan.Outcome.Refusal is not null) return plan.Outcome;

        // Closing before opening and unlinking before linking: an agent may move between two people of the batch.
        await using (var command = Command(connection, transaction, tenantId, """
            INSERT INTO people (tenant_id, id, organisation_id, name, email, hsa_id, duties, changed)
            SELECT @t, u.id, u.org, u.name, u.email, u.hsa, u.duties::jsonb, @at
            FROM unnest(@ids, @orgs, @names, @emails, @hsas, @duties) AS u(id, org, name, email, hsa, duties)
            ON CONFLICT (tenant_id, id) DO UPDATE SET organisation_id = excluded.organisation_id, name = excluded.name,
                email = excluded.email, hsa_id = excluded.hsa_id, duties = excluded.duties, changed = excluded.changed;
            UPDATE person_assignments a SET valid_to = @at
            FROM unnest(@closePeople, @closeKinds, @closeValues) AS c(person_id, kind, value)
            WHERE a.tenant_id = @t AND a.person_id = c.person_id AND a.kind = c.kind AND a.value = c.value AND a.valid_to IS NULL;
            INSERT INTO person_assignments (tenant_id, person_id, kind, value, valid_from)
            SELECT @t, o.person_id, o.kind, o.value, @at FROM unnest(@openPeople, @openKinds, @openValues) AS o(person_id, kind, value);
            DELETE FROM person_agents WHERE tenant_id = @t AND agent_key = ANY(@unlink);
            INSERT INTO person_agents (tenant_id, agent_key, person_id, agent)
            SELECT @t, l.agent_key, l.person_id, l.agent FROM unnest(@linkKeys, @linkPeople, @linkAgents) AS l(agent_key, person_id, agent);
            """))
        {
            command.Parameters.AddWithValue("at", NpgsqlDbType.TimestampTz, PeopleSync.Instant(now).UtcDateTime);
            command.Parameters.AddWithValue("ids", plan.Write.Select(p => p.Id).ToArray());
            command.Parameters.AddWithValue("orgs", plan.Write.Select(p => p.OrganisationId).ToArray());
            Texts(command, "names", plan.Write.Select(p => p.Name));
            Texts(command, "emails", plan.Write.Select(p => p.Email));
            Texts(command, "hsas", plan.Write.Select(p => p.HsaId));
            command.Parameters.AddWithValue("duties", plan.Write.Select(p => PeopleRows.Json(p.Duties)).ToArray());
            command.Parameters.AddWithValue("closePeople", plan.Close.Select(c => c.PersonId).ToArray());
            command.Parameters.AddWithValue("closeKinds", plan.Close.Select(c => PeopleRows.KindText(c.Kind)).ToArray());
            command.Parameters.AddWithValue("closeValues", plan.Close.Select(c => c.Value).ToArray());
            command.Parameters.AddWithValue("openPeople", plan.Open.Select(c => c.PersonId).ToArray());
            command.Parameters.AddWithValue("openKinds", plan.Open.Select(c => PeopleRows.KindText(c.Kind)).ToArray());
            command.Parameters.AddWithValue("openValues", plan.Open.Select(c => c.Value).ToArray());
            command.Parameters.AddWithValue("unlink", plan.Unlink.ToArray());
            command.Parameters.AddWithValue("linkKeys", plan.Link.Select(l => l.Key).ToArray());
            command.Parameters.AddWithValue("linkPeople", plan.Link.Select(l => l.PersonId).ToArray());
            command.Parameters.AddWithValue("linkAgents", plan.Link.Select(l => l.AgentJson).ToArray());
            await command.ExecuteNonQueryAsync(ct);
        }
        await transaction.CommitAsync(ct);
        return plan.Outcome;
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<Organisation>> OrganisationsAsync(long tenantId, string? organisationId, CancellationToken ct)
    {
        await using var command = database.DataSource.CreateCommand(
            "SELECT id, name, hr_home_page, changed FROM organisations WHERE tenant_id = @t" + (organisationId is null ? "" : " AND id = @org") + " ORDER BY id");
        command.Parameters.AddWithValue("t", tenantId);
        if (organisationId is not null) command.Parameters.AddWithValue("org", organisationId);
        var list = new List<Organisation>();
        await using var r = await command.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct)) list.Add(ReadOrganisation(r));
        return list;
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<OrgUnit>?> UnitsAsync(long tenantId, string organisationId, CancellationToken ct)
    {
        await using var command = database.DataSource.CreateCommand("""
            SELECT u.id, u.organisation_id, u.name, u.changed FROM organisations o
            LEFT JOIN org_units u ON u.tenant_id = o.tenant_id AND u.organisation_id = o.id
            WHERE o.tenant_id = @t AND o.id = @org ORDER BY u.id
            """);
        command.Parameters.AddWithValue("t", tenantId);
        command.Parameters.AddWithValue("org", organisationId);
        await using var r = await command.ExecuteReaderAsync(ct);
        if (!await r.ReadAsync(ct)) return null;
        var list = new List<OrgUnit>();
        do
        {
            if (!r.IsDBNull(0)) list.Add(ReadUnit(r));
        }
        while (await r.ReadAsync(ct));
        return list;
    }

    /// <inheritdoc />
    public async Task<UnitMembers?> UnitAsync(long tenantId, string unitId, string? organisationId, CancellationToken ct)
    {
        await using var command = database.DataSource.CreateCommand("""
            SELECT u.id, u.organisation_id, u.name, u.changed,
                ARRAY(SELECT a.person_id FROM person_assignments a
                      WHERE a.tenant_id = u.tenant_id AND a.kind = 'unit' AND a.value = u.id AND a.valid_to IS NULL ORDER BY a.person_id)
            FROM org_units u WHERE u.tenant_id = @t AND u.id = @unit
            """);
        command.Parameters.AddWithValue("t", tenantId);
        command.Parameters.AddWithValue("unit", unitId);
        await using var r = await command.ExecuteReaderAsync(ct);
        if (!await r.ReadAsync(ct)) return null;
        var unit = ReadUnit(r);
        if (organisationId is not null && unit.OrganisationId != organisationId) return null;
        return new UnitMembers(unit, r.GetFieldValue<string[]>(4));
    }

    /// <inheritdoc />
    public async Task<Person?> GetAsync(long tenantId, string personId, string? organisationId, CancellationToken ct)
    {
        await using var command = database.DataSource.CreateCommand($"""
            {PersonColumns} WHERE p.tenant_id = @t AND p.id = @id;
            SELECT kind, value, valid_from, valid_to FROM person_assignments WHERE tenant_id = @t AND person_id = @id ORDER BY valid_from, kind, value;
            """);
        command.Parameters.AddWithValue("t", tenantId);
        command.Parameters.AddWithValue("id", personId);
        await using var r = await command.ExecuteReaderAsync(ct);
        if (!await r.ReadAsync(ct)) return null;
        var person = ReadPerson(r);
        if (organisationId is not null && person.OrganisationId != organisationId) return null;
        await r.NextResultAsync(ct);
        var history = new List<Assignment>();
        while (await r.ReadAsync(ct))
            history.Add(new Assignment(PeopleRows.Kind(r.GetString(0)), r.GetString(1), Utc(r.GetDateTime(2)), r.IsDBNull(3) ? null : Utc(r.GetDateTime(3))));
        return person with { History = history };
    }

    /// <inheritdoc />
    public async Task<PeoplePage> ListAsync(long tenantId, PeopleQuery query, CancellationToken ct)
    {
        await using var command = database.DataSource.CreateCommand();
        command.Parameters.AddWithValue("t", tenantId);
        var sql = new StringBuilder(PersonColumns).Append(" WHERE p.tenant_id = @t");
        // Only the filters asked for are in the SQL, so each combination gets a plan that uses its index.
        if (query.OrganisationId is { } org)
        {
            sql.Append(" AND p.organisation_id = @org");
            command.Parameters.AddWithValue("org", org);
        }
        foreach (var (kind, value, name) in new[] { ("unit", query.UnitId, "unit"), ("role", query.RoleId, "role") })
        {
            if (value is null) continue;
            // Driven by the current-assignment index: a unit's members are few, the tenant's people many.
            sql.Append($" AND p.id IN (SELECT a.person_id FROM person_assignments a WHERE a.tenant_id = @t AND a.kind = '{kind}' AND a.value = @{name} AND a.valid_to IS NULL)");
            command.Parameters.AddWithValue(name, value);
        }
        if (query.ChangedSince is { } since)
        {
            sql.Append(" AND p.changed >= @since");
            command.Parameters.AddWithValue("since", NpgsqlDbType.TimestampTz, since.UtcDateTime);
        }
        if (query.Cursor is { } cursor)
        {
            sql.Append(" AND p.id > @after");
            command.Parameters.AddWithValue("after", cursor);
        }
        sql.Append(" ORDER BY p.id LIMIT @limit");
        command.Parameters.AddWithValue("limit", query.Limit + 1);
        command.CommandText = sql.ToString();

        var people = new List<Person>();
        await using var r = await command.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct)) people.Add(ReadPerson(r));
        return PeopleRows.Page(people, query.Limit);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<string>> AgentKeysAsync(long tenantId, string personId, CancellationToken ct)
    {
        await using var command = database.DataSource.CreateCommand("SELECT agent_key FROM person_agents WHERE tenant_id = @t AND person_id = @id ORDER BY agent_key COLLATE \"C\"");
        command.Parameters.AddWithValue("t", tenantId);
        command.Parameters.AddWithValue("id", personId);
        var keys = new List<string>();
        await using var r = await command.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct)) keys.Add(r.GetString(0));
        return keys;
    }

    /// <inheritdoc />
    public async Task<string?> PersonOfAgentAsync(long tenantId, string agentKey, CancellationToken ct)
    {
        await using var command = database.DataSource.CreateCommand("SELECT person_id FROM person_agents WHERE tenant_id = @t AND agent_key = @key");
        command.Parameters.AddWithValue("t", tenantId);
        command.Parameters.AddWithValue("key", agentKey);
        return await command.ExecuteScalarAsync(ct) as string;
    }

    // Upserts of one tenant queue behind each other: each reads what it is about to overwrite, and rows that do not
    // exist yet cannot be locked. Readers are not held up.
    // Custom plans: a generic plan cannot know how many elements the arrays hold, and one cached while the tables
    // were nearly empty turned a 1000-person upsert from 0.1 s into 4 s (nested loops over sequential scans).
    private const string TenantLock = """
        SET LOCAL plan_cache_mode = force_custom_plan;
        SELECT pg_advisory_xact_lock(hashtextextended('people ' || @t::text, 0))
        """;

    private static NpgsqlCommand Command(NpgsqlConnection connection, NpgsqlTransaction transaction, long tenantId, string sql)
    {
        var command = new NpgsqlCommand(sql, connection, transaction);
        command.Parameters.AddWithValue("t", tenantId);
        return command;
    }

    private static void Texts(NpgsqlCommand command, string name, IEnumerable<string?> values) =>
        command.Parameters.AddWithValue(name, NpgsqlDbType.Array | NpgsqlDbType.Text, values.ToArray());

    private static Person ReadPerson(NpgsqlDataReader r) => new(
        r.GetString(0), r.GetString(1), r.IsDBNull(2) ? null : r.GetString(2), r.IsDBNull(3) ? null : r.GetString(3), r.IsDBNull(4) ? null : r.GetString(4),
        r.GetFieldValue<string[]>(7), r.GetFieldValue<string[]>(8), PeopleRows.Strings(r.GetString(5)),
        PeopleRows.Agents(r.GetFieldValue<string[]>(9)), Utc(r.GetDateTime(6)), []);

    private static Organisation ReadOrganisation(NpgsqlDataReader r) =>
        new(r.GetString(0), r.GetString(1), r.IsDBNull(2) ? null : r.GetString(2), Utc(r.GetDateTime(3)));

    private static OrgUnit ReadUnit(NpgsqlDataReader r) => new(r.GetString(0), r.GetString(1), r.GetString(2), Utc(r.GetDateTime(3)));

    private static DateTimeOffset Utc(DateTime t) => new(DateTime.SpecifyKind(t, DateTimeKind.Utc));
}
