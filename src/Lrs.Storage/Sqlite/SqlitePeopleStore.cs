using System.Text;
using System.Text.Json;
using Lrs.Core.People;
using Lrs.Core.Storage;
using Microsoft.Data.Sqlite;
using static Lrs.Storage.Sqlite.SqliteStatementStore;

namespace Lrs.Storage.Sqlite;

/// <summary>Organisations, units and people in SQLite. Lists of ids travel as one JSON array read with <c>json_each</c>.</summary>
public sealed class SqlitePeopleStore(SqliteDatabase database) : IPeopleStore
{
    // One row per person with current units, roles and agents gathered by subqueries: one query for any page size.
    private const string PersonColumns = """
        SELECT p.id, p.organisation_id, p.name, p.email, p.hsa_id, p.duties, p.changed,
            (SELECT json_group_array(a.value ORDER BY a.value) FROM person_assignments a
             WHERE a.tenant_id = p.tenant_id AND a.person_id = p.id AND a.kind = 'unit' AND a.valid_to IS NULL),
            (SELECT json_group_array(a.value ORDER BY a.value) FROM person_assignments a
             WHERE a.tenant_id = p.tenant_id AND a.person_id = p.id AND a.kind = 'role' AND a.valid_to IS NULL),
            (SELECT json_group_array(json(g.agent) ORDER BY g.agent_key) FROM person_agents g
             WHERE g.tenant_id = p.tenant_id AND g.person_id = p.id)
        FROM people p
        """;

    /// <inheritdoc />
    public async Task<UpsertOutcome> UpsertOrganisationsAsync(long tenantId, IReadOnlyList<OrganisationUpsert> organisations, string? organisationId, DateTimeOffset now, CancellationToken ct)
    {
        using var writer = await database.LockWriterAsync(ct);
        await using var connection = await database.OpenAsync(ct);
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(System.Data.IsolationLevel.Serializable, ct);

        var stored = new Dictionary<string, Organisation>(StringComparer.Ordinal);
        await using (var command = Command(connection, transaction, tenantId,
            "SELECT id, name, hr_home_page, changed FROM organisations WHERE tenant_id = $t AND id IN (SELECT value FROM json_each($ids))"))
        {
            command.Parameters.AddWithValue("$ids", JsonSerializer.Serialize(organisations.Select(o => o.Id)));
            await using var r = await command.ExecuteReaderAsync(ct);
            while (await r.ReadAsync(ct)) stored[r.GetString(0)] = ReadOrganisation(r);
        }
        var storedUnits = new Dictionary<string, OrgUnit>(StringComparer.Ordinal);
        await using (var command = Command(connection, transaction, tenantId,
            "SELECT id, organisation_id, name, changed FROM org_units WHERE tenant_id = $t AND id IN (SELECT value FROM json_each($ids))"))
        {
            command.Parameters.AddWithValue("$ids", JsonSerializer.Serialize(organisations.SelectMany(o => o.Units).Select(u => u.Id)));
            await using var r = await command.ExecuteReaderAsync(ct);
            while (await r.ReadAsync(ct)) storedUnits[r.GetString(0)] = ReadUnit(r);
        }

        var plan = PeopleSync.PlanOrganisations(organisations, new OrganisationsSnapshot(stored, storedUnits), organisationId, now);
        if (plan.Outcome.Refusal is not null) return plan.Outcome;

        await using (var command = Command(connection, transaction, tenantId, """
            INSERT INTO organisations (tenant_id, id, name, hr_home_page, changed) VALUES ($t, $id, $name, $hr, $changed)
            ON CONFLICT (tenant_id, id) DO UPDATE SET name = excluded.name, hr_home_page = excluded.hr_home_page, changed = excluded.changed
            """))
        {
            var (id, name, hr, changed) = (Text(command, "$id"), Text(command, "$name"), Text(command, "$hr"), command.Parameters.Add("$changed", SqliteType.Integer));
            foreach (var o in plan.Organisations)
            {
                (id.Value, name.Value, hr.Value, changed.Value) = (o.Id, o.Name, (object?)o.HrHomePage ?? DBNull.Value, Micros(o.Changed));
                await command.ExecuteNonQueryAsync(ct);
            }
        }
        await using (var command = Command(connection, transaction, tenantId, """
            INSERT INTO org_units (tenant_id, id, organisation_id, name, changed) VALUES ($t, $id, $org, $name, $changed)
            ON CONFLICT (tenant_id, id) DO UPDATE SET name = excluded.name, changed = excluded.changed
            """))
        {
            var (id, org, name, changed) = (Text(command, "$id"), Text(command, "$org"), Text(command, "$name"), command.Parameters.Add("$changed", SqliteType.Integer));
            foreach (var u in plan.Units)
            {
                (id.Value, org.Value, name.Value, changed.Value) = (u.Id, u.OrganisationId, u.Name, Micros(u.Changed));
                await command.ExecuteNonQueryAsync(ct);
            }
        }
        await transaction.CommitAsync(ct);
        return plan.Outcome;
    }

    /// <inheritdoc />
    public async Task<UpsertOutcome> UpsertPeopleAsync(long tenantId, IReadOnlyList<PersonUpsert> people, string? organisationId, DateTimeOffset now, CancellationToken ct)
    {
        using var writer = await database.LockWriterAsync(ct);
        await using var connection = await database.OpenAsync(ct);
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(System.Data.IsolationLevel.Serializable, ct);

        var stored = new Dictionary<string, Person>(StringComparer.Ordinal);
        await using (var command = Command(connection, transaction, tenantId,
            PersonColumns + " WHERE p.tenant_id = $t AND p.id IN (SELECT value FROM json_each($ids))"))
        {
            command.Parameters.AddWithValue("$ids", JsonSerializer.Serialize(people.Select(p => p.Id)));
            foreach (var person in await ReadPeopleAsync(command, ct)) stored[person.Id] = person;
        }
        var organisations = new Dictionary<string, Organisation>(StringComparer.Ordinal);
        await using (var command = Command(connection, transaction, tenantId,
            "SELECT id, name, hr_home_page, changed FROM organisations WHERE tenant_id = $t AND id IN (SELECT value FROM json_each($ids))"))
        {
            command.Parameters.AddWithValue("$ids", JsonSerializer.Serialize(people.Select(p => p.OrganisationId).Distinct()));
            await using var r = await command.ExecuteReaderAsync(ct);
            while (await r.ReadAsync(ct)) organisations[r.GetString(0)] = ReadOrganisation(r);
        }
        var unitOrganisations = new Dictionary<string, string>(StringComparer.Ordinal);
        await using (var command = Command(connection, transaction, tenantId,
            "SELECT id, organisation_id FROM org_units WHERE tenant_id = $t AND id IN (SELECT value FROM json_each($ids))"))
        {
            command.Parameters.AddWithValue("$ids", JsonSerializer.Serialize(people.SelectMany(p => p.Units).Distinct()));
            await using var r = await command.ExecuteReaderAsync(ct);
            while (await r.ReadAsync(ct)) unitOrganisations[r.GetString(0)] = r.GetString(1);
        }
        var owners = new Dictionary<string, AgentOwner>(StringComparer.Ordinal);
        await using (var command = Command(connection, transaction, tenantId, """
            SELECT g.agent_key, g.person_id, p.organisation_id FROM person_agents g
            JOIN people p ON p.tenant_id = g.tenant_id AND p.id = g.person_id
            WHERE g.tenant_id = $t AND g.agent_key IN (SELECT value FROM json_each($keys))
            """))
        {
            command.Parameters.AddWithValue("$keys", JsonSerializer.Serialize(PeopleSync.WantedAgentKeys(people, organisations)));
            await using var r = await command.ExecuteReaderAsync(ct);
            while (await r.ReadAsync(ct)) owners[r.GetString(0)] = new AgentOwner(r.GetString(1), r.GetString(2));
        }

        var plan = PeopleSync.PlanPeople(people, new PeopleSnapshot(stored, organisations, unitOrganisations, owners), organisationId, now);
        if (plan.Outcome.Refusal is not null) return plan.Outcome;

        await using (var command = Command(connection, transaction, tenantId, """
            INSERT INTO people (tenant_id, id, organisation_id, name, email, hsa_id, duties, changed)
            VALUES ($t, $id, $org, $name, $email, $hsa, $duties, $changed)
            ON CONFLICT (tenant_id, id) DO UPDATE SET organisation_id = excluded.organisation_id, name = excluded.name,
                email = excluded.email, hsa_id = excluded.hsa_id, duties = excluded.duties, changed = excluded.changed
            """))
        {
            var (id, org, name, email, hsa, duties) = (Text(command, "$id"), Text(command, "$org"), Text(command, "$name"), Text(command, "$email"), Text(command, "$hsa"), Text(command, "$duties"));
            var changed = command.Parameters.Add("$changed", SqliteType.Integer);
            foreach (var p in plan.Write)
            {
                (id.Value, org.Value, name.Value, email.Value, hsa.Value) = (p.Id, p.OrganisationId, (object?)p.Name ?? DBNull.Value, (object?)p.Email ?? DBNull.Value, (object?)p.HsaId ?? DBNull.Value);
                (duties.Value, changed.Value) = (PeopleRows.Json(p.Duties), Micros(p.Changed));
                await command.ExecuteNonQueryAsync(ct);
            }
        }
        var at = Micros(PeopleSync.Instant(now));
        await ForEachAsync(connection, transaction, tenantId, at, plan.Close,
            "UPDATE person_assignments SET valid_to = $at WHERE tenant_id = $t AND person_id = $p AND kind = $k AND value = $v AND valid_to IS NULL", ct);
        await ForEachAsync(connection, transaction, tenantId, at, plan.Open,
            "INSERT INTO person_assignments (tenant_id, person_id, kind, value, valid_from) VALUES ($t, $p, $k, $v, $at)", ct);
        await using (var command = Command(connection, transaction, tenantId, "DELETE FROM person_agents WHERE tenant_id = $t AND agent_key = $key"))
        {
            var key = Text(command, "$key");
            foreach (var k in plan.Unlink)
            {
                key.Value = k;
                await command.ExecuteNonQueryAsync(ct);
            }
        }
        await using (var command = Command(connection, transaction, tenantId, "INSERT INTO person_agents (tenant_id, agent_key, person_id, agent) VALUES ($t, $key, $p, $agent)"))
        {
            var (key, person, agent) = (Text(command, "$key"), Text(command, "$p"), Text(command, "$agent"));
            foreach (var link in plan.Link)
            {
                (key.Value, person.Value, agent.Value) = (link.Key, link.PersonId, link.AgentJson);
                await command.ExecuteNonQueryAsync(ct);
            }
        }
        await transaction.CommitAsync(ct);
        return plan.Outcome;
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<Organisation>> OrganisationsAsync(long tenantId, string? organisationId, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        await using var command = Command(connection, null, tenantId,
            "SELECT id, name, hr_home_page, changed FROM organisations WHERE tenant_id = $t" + (organisationId is null ? "" : " AND id = $org") + " ORDER BY id");
        if (organisationId is not null) command.Parameters.AddWithValue("$org", organisationId);
        var list = new List<Organisation>();
        await using var r = await command.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct)) list.Add(ReadOrganisation(r));
        return list;
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<OrgUnit>?> UnitsAsync(long tenantId, string organisationId, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        await using var command = Command(connection, null, tenantId, """
            SELECT u.id, u.organisation_id, u.name, u.changed FROM organisations o
            LEFT JOIN org_units u ON u.tenant_id = o.tenant_id AND u.organisation_id = o.id
            WHERE o.tenant_id = $t AND o.id = $org ORDER BY u.id
            """);
        command.Parameters.AddWithValue("$org", organisationId);
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
        await using var connection = await database.OpenAsync(ct);
        await using var command = Command(connection, null, tenantId, """
            SELECT u.id, u.organisation_id, u.name, u.changed,
                (SELECT json_group_array(a.person_id ORDER BY a.person_id) FROM person_assignments a
                 WHERE a.tenant_id = u.tenant_id AND a.kind = 'unit' AND a.value = u.id AND a.valid_to IS NULL)
            FROM org_units u WHERE u.tenant_id = $t AND u.id = $unit
            """);
        command.Parameters.AddWithValue("$unit", unitId);
        await using var r = await command.ExecuteReaderAsync(ct);
        if (!await r.ReadAsync(ct)) return null;
        var unit = ReadUnit(r);
        if (organisationId is not null && unit.OrganisationId != organisationId) return null;
        return new UnitMembers(unit, PeopleRows.Strings(r.GetString(4)));
    }

    /// <inheritdoc />
    public async Task<Person?> GetAsync(long tenantId, string personId, string? organisationId, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        await using var command = Command(connection, null, tenantId, PersonColumns + " WHERE p.tenant_id = $t AND p.id = $id");
        command.Parameters.AddWithValue("$id", personId);
        var person = (await ReadPeopleAsync(command, ct)).FirstOrDefault();
        if (person is null || (organisationId is not null && person.OrganisationId != organisationId)) return null;

        command.CommandText = "SELECT kind, value, valid_from, valid_to FROM person_assignments WHERE tenant_id = $t AND person_id = $id ORDER BY valid_from, kind, value";
        var history = new List<Assignment>();
        await using var r = await command.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
            history.Add(new Assignment(PeopleRows.Kind(r.GetString(0)), r.GetString(1), FromMicros(r.GetInt64(2)), r.IsDBNull(3) ? null : FromMicros(r.GetInt64(3))));
        return person with { History = history };
    }

    /// <inheritdoc />
    public async Task<PeoplePage> ListAsync(long tenantId, PeopleQuery query, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        await using var command = Command(connection, null, tenantId, "");
        var sql = new StringBuilder(PersonColumns).Append(" WHERE p.tenant_id = $t");
        // Only the filters asked for are in the SQL, so each combination gets a plan that uses its index.
        if (query.OrganisationId is { } org)
        {
            sql.Append(" AND p.organisation_id = $org");
            command.Parameters.AddWithValue("$org", org);
        }
        foreach (var (kind, value, name) in new[] { ("unit", query.UnitId, "$unit"), ("role", query.RoleId, "$role") })
        {
            if (value is null) continue;
            // Driven by the current-assignment index: a unit's members are few, the tenant's people many.
            sql.Append($" AND p.id IN (SELECT a.person_id FROM person_assignments a WHERE a.tenant_id = $t AND a.kind = '{kind}' AND a.value = {name} AND a.valid_to IS NULL)");
            command.Parameters.AddWithValue(name, value);
        }
        if (query.ChangedSince is { } since)
        {
            sql.Append(" AND p.changed >= $since");
            command.Parameters.AddWithValue("$since", Micros(since));
        }
        if (query.Cursor is { } cursor)
        {
            sql.Append(" AND p.id > $after");
            command.Parameters.AddWithValue("$after", cursor);
        }
        sql.Append(" ORDER BY p.id LIMIT $limit");
        command.Parameters.AddWithValue("$limit", query.Limit + 1);
        command.CommandText = sql.ToString();
        return PeopleRows.Page(await ReadPeopleAsync(command, ct), query.Limit);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<string>> AgentKeysAsync(long tenantId, string personId, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        await using var command = Command(connection, null, tenantId, "SELECT agent_key FROM person_agents WHERE tenant_id = $t AND person_id = $id ORDER BY agent_key");
        command.Parameters.AddWithValue("$id", personId);
        var keys = new List<string>();
        await using var r = await command.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct)) keys.Add(r.GetString(0));
        return keys;
    }

    /// <inheritdoc />
    public async Task<string?> PersonOfAgentAsync(long tenantId, string agentKey, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        await using var command = Command(connection, null, tenantId, "SELECT person_id FROM person_agents WHERE tenant_id = $t AND agent_key = $key");
        command.Parameters.AddWithValue("$key", agentKey);
        return await command.ExecuteScalarAsync(ct) as string;
    }

    private static SqliteCommand Command(SqliteConnection connection, SqliteTransaction? transaction, long tenantId, string sql)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        command.Parameters.AddWithValue("$t", tenantId);
        return command;
    }

    private static SqliteParameter Text(SqliteCommand command, string name) => command.Parameters.Add(name, SqliteType.Text);

    private static async Task ForEachAsync(SqliteConnection connection, SqliteTransaction transaction, long tenantId, long at, IReadOnlyList<AssignmentChange> changes, string sql, CancellationToken ct)
    {
        await using var command = Command(connection, transaction, tenantId, sql);
        command.Parameters.AddWithValue("$at", at);
        var (person, kind, value) = (Text(command, "$p"), Text(command, "$k"), Text(command, "$v"));
        foreach (var change in changes)
        {
            (person.Value, kind.Value, value.Value) = (change.PersonId, PeopleRows.KindText(change.Kind), change.Value);
            await command.ExecuteNonQueryAsync(ct);
        }
    }

    private static async Task<List<Person>> ReadPeopleAsync(SqliteCommand command, CancellationToken ct)
    {
        var people = new List<Person>();
        await using var r = await command.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
            people.Add(new Person(
                r.GetString(0), r.GetString(1), r.IsDBNull(2) ? null : r.GetString(2), r.IsDBNull(3) ? null : r.GetString(3), r.IsDBNull(4) ? null : r.GetString(4),
                PeopleRows.Strings(r.GetString(7)), PeopleRows.Strings(r.GetString(8)), PeopleRows.Strings(r.GetString(5)),
                PeopleRows.Agents(r.GetString(9)), FromMicros(r.GetInt64(6)), []));
        return people;
    }

    private static Organisation ReadOrganisation(SqliteDataReader r) =>
        new(r.GetString(0), r.GetString(1), r.IsDBNull(2) ? null : r.GetString(2), FromMicros(r.GetInt64(3)));

    private static OrgUnit ReadUnit(SqliteDataReader r) => new(r.GetString(0), r.GetString(1), r.GetString(2), FromMicros(r.GetInt64(3)));
}
