using System.Data.Common;
using System.Text.Json.Nodes;
using Lrs.Core.Learning;
using Lrs.Core.Storage;
using Npgsql;
using NpgsqlTypes;

namespace Lrs.Storage.Postgres;

/// <summary>Sessions and webinars in PostgreSQL.</summary>
public sealed class PostgresSessionStore(PostgresDatabase database) : ISessionStore
{
    private const string Columns = "id, activity_id, start_at, end_at, registration, definition, updated";

    /// <inheritdoc />
    public async Task<SessionRecord?> GetAsync(long tenantId, SessionKind kind, string id, CancellationToken ct)
    {
        await using var connection = await database.DataSource.OpenConnectionAsync(ct);
        SessionRecord? session;
        await using (var command = new NpgsqlCommand($"SELECT {Columns} FROM sessions WHERE tenant_id = @t AND kind = @k AND id = @id", connection))
        {
            Key(command, tenantId, kind).AddWithValue("id", id);
            await using var r = await command.ExecuteReaderAsync(ct);
            if (!await r.ReadAsync(ct)) return null;
            session = Read(r, kind);
        }
        var participants = new List<SessionParticipant>();
        await using (var command = new NpgsqlCommand(
            "SELECT participant, person_id, organisation_id, body FROM session_participants WHERE tenant_id = @t AND kind = @k AND session_id = @id ORDER BY participant COLLATE \"C\"", connection))
        {
            Key(command, tenantId, kind).AddWithValue("id", id);
            await using var r = await command.ExecuteReaderAsync(ct);
            while (await r.ReadAsync(ct))
                participants.Add(SessionRows.Participant(r.GetString(0), r.IsDBNull(1) ? null : r.GetString(1), r.IsDBNull(2) ? null : r.GetString(2), r.GetString(3)));
        }
        return session with { Participants = participants };
    }

    /// <inheritdoc />
    public async Task PutAsync(long tenantId, SessionRecord session, CancellationToken ct)
    {
        await using var connection = await database.DataSource.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        await using (var command = new NpgsqlCommand("""
            INSERT INTO sessions (tenant_id, kind, id, activity_id, start_at, end_at, registration, definition, updated)
            VALUES (@t, @k, @id, @activity, @start, @end, @registration, @definition, @updated)
            ON CONFLICT (tenant_id, kind, id) DO UPDATE SET activity_id = excluded.activity_id, start_at = excluded.start_at, end_at = excluded.end_at,
                registration = excluded.registration, definition = excluded.definition, updated = excluded.updated;
            """, connection, transaction))
        {
            var p = Key(command, tenantId, session.Kind);
            p.AddWithValue("id", session.Id);
            p.AddWithValue("activity", session.ActivityId);
            p.AddWithValue("start", session.Start.UtcDateTime);
            p.AddWithValue("end", session.End.UtcDateTime);
            p.AddWithValue("registration", session.Registration);
            p.AddWithValue("definition", session.Definition.ToJsonString());
            p.AddWithValue("updated", session.Updated.UtcDateTime);
            await command.ExecuteNonQueryAsync(ct);
        }
        await using (var command = new NpgsqlCommand("""
            DELETE FROM session_participants WHERE tenant_id = @t AND kind = @k AND session_id = @id;
            INSERT INTO session_participants (tenant_id, kind, session_id, participant, person_id, organisation_id, body)
            SELECT @t, @k, @id, p, person, organisation, body FROM unnest(@participants, @people, @organisations, @bodies) AS x(p, person, organisation, body);
            """, connection, transaction))
        {
            Key(command, tenantId, session.Kind).AddWithValue("id", session.Id);
            Texts(command, "participants", session.Participants.Select(s => s.Key));
            Texts(command, "people", session.Participants.Select(s => s.PersonId));
            Texts(command, "organisations", session.Participants.Select(s => s.OrganisationId));
            Texts(command, "bodies", session.Participants.Select(SessionRows.Body));
            await command.ExecuteNonQueryAsync(ct);
        }
        await transaction.CommitAsync(ct);
    }

    /// <inheritdoc />
    public async Task<SessionPage> ListAsync(long tenantId, SessionQuery query, CancellationToken ct)
    {
        await using var connection = await database.DataSource.OpenConnectionAsync(ct);
        var sql = $"SELECT {Columns} FROM sessions s WHERE tenant_id = @t AND kind = @k";
        await using var command = new NpgsqlCommand("", connection);
        var p = Key(command, tenantId, query.Kind);
        if (query.From is { } from) { sql += " AND start_at >= @from"; p.AddWithValue("from", from.UtcDateTime); }
        if (query.To is { } to) { sql += " AND start_at < @to"; p.AddWithValue("to", to.UtcDateTime); }
        if (query.ActivityId is { } activity) { sql += " AND activity_id = @activity"; p.AddWithValue("activity", activity); }
        if (query.After is { } after)
        {
            sql += " AND (start_at, id COLLATE \"C\") > (@afterStart, @afterId COLLATE \"C\")";
            p.AddWithValue("afterStart", after.Start.UtcDateTime);
            p.AddWithValue("afterId", after.Id);
        }
        if (query.OrganisationId is { } organisation)
        {
            sql += " AND EXISTS (SELECT 1 FROM session_participants sp WHERE sp.tenant_id = s.tenant_id AND sp.kind = s.kind AND sp.session_id = s.id AND sp.organisation_id = @org)";
            p.AddWithValue("org", organisation);
        }
        command.CommandText = sql + " ORDER BY start_at, id COLLATE \"C\" LIMIT @limit";
        p.AddWithValue("limit", query.Limit + 1);
        var sessions = new List<SessionRecord>();
        await using var r = await command.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct)) sessions.Add(Read(r, query.Kind));
        var more = sessions.Count > query.Limit;
        return new SessionPage(more ? sessions[..query.Limit] : sessions, more);
    }

    private static NpgsqlParameterCollection Key(NpgsqlCommand command, long tenantId, SessionKind kind)
    {
        command.Parameters.AddWithValue("t", tenantId);
        command.Parameters.AddWithValue("k", SessionRows.Kind(kind));
        return command.Parameters;
    }

    private static void Texts(NpgsqlCommand command, string name, IEnumerable<string?> values) =>
        command.Parameters.AddWithValue(name, NpgsqlDbType.Array | NpgsqlDbType.Text, values.ToArray());

    private static SessionRecord Read(DbDataReader r, SessionKind kind) => new(
        r.GetString(0), kind, r.GetString(1), Utc(r.GetDateTime(2)), Utc(r.GetDateTime(3)), r.GetGuid(4),
        JsonNode.Parse(r.GetString(5))!.AsObject(), [], Utc(r.GetDateTime(6)));

    private static DateTimeOffset Utc(DateTime t) => new(DateTime.SpecifyKind(t, DateTimeKind.Utc));
}
