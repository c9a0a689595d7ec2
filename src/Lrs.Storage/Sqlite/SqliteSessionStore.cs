using System.Data.Common;
using System.Text.Json.Nodes;
using Lrs.Core.Learning;
using Lrs.Core.Storage;
using Microsoft.Data.Sqlite;
using static Lrs.Storage.Sqlite.SqliteStatementStore;

namespace Lrs.Storage.Sqlite;

/// <summary>Sessions and webinars in SQLite.</summary>
public sealed class SqliteSessionStore(SqliteDatabase database) : ISessionStore
{
    private const string Columns = "id, activity_id, start_at, end_at, registration, definition, updated";

    /// <inheritdoc />
    public async Task<SessionRecord?> GetAsync(long tenantId, SessionKind kind, string id, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        SessionRecord? session;
        await using (var command = Command(connection, null, $"SELECT {Columns} FROM sessions WHERE tenant_id = $t AND kind = $k AND id = $id"))
        {
            Key(command, tenantId, kind).AddWithValue("$id", id);
            await using var r = await command.ExecuteReaderAsync(ct);
            if (!await r.ReadAsync(ct)) return null;
            session = Read(r, kind);
        }
        var participants = new List<SessionParticipant>();
        await using (var command = Command(connection, null,
            "SELECT participant, person_id, organisation_id, body FROM session_participants WHERE tenant_id = $t AND kind = $k AND session_id = $id ORDER BY participant"))
        {
            Key(command, tenantId, kind).AddWithValue("$id", id);
            await using var r = await command.ExecuteReaderAsync(ct);
            while (await r.ReadAsync(ct))
                participants.Add(SessionRows.Participant(r.GetString(0), r.IsDBNull(1) ? null : r.GetString(1), r.IsDBNull(2) ? null : r.GetString(2), r.GetString(3)));
        }
        return session with { Participants = participants };
    }

    /// <inheritdoc />
    public async Task PutAsync(long tenantId, SessionRecord session, CancellationToken ct)
    {
        using var writer = await database.LockWriterAsync(ct);
        await using var connection = await database.OpenAsync(ct);
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(ct);
        await using (var command = Command(connection, transaction, """
            INSERT INTO sessions (tenant_id, kind, id, activity_id, start_at, end_at, registration, definition, updated)
            VALUES ($t, $k, $id, $activity, $start, $end, $registration, $definition, $updated)
            ON CONFLICT (tenant_id, kind, id) DO UPDATE SET activity_id = excluded.activity_id, start_at = excluded.start_at, end_at = excluded.end_at,
                registration = excluded.registration, definition = excluded.definition, updated = excluded.updated;
            DELETE FROM session_participants WHERE tenant_id = $t AND kind = $k AND session_id = $id;
            """))
        {
            var p = Key(command, tenantId, session.Kind);
            p.AddWithValue("$id", session.Id);
            p.AddWithValue("$activity", session.ActivityId);
            p.AddWithValue("$start", Micros(session.Start));
            p.AddWithValue("$end", Micros(session.End));
            p.AddWithValue("$registration", Id(session.Registration));
            p.AddWithValue("$definition", session.Definition.ToJsonString());
            p.AddWithValue("$updated", Micros(session.Updated));
            await command.ExecuteNonQueryAsync(ct);
        }
        await using (var command = Command(connection, transaction, """
            INSERT INTO session_participants (tenant_id, kind, session_id, participant, person_id, organisation_id, body)
            VALUES ($t, $k, $id, $participant, $person, $organisation, $body)
            """))
        {
            Key(command, tenantId, session.Kind).AddWithValue("$id", session.Id);
            var (participant, person, organisation, body) = (command.Parameters.Add("$participant", SqliteType.Text), command.Parameters.Add("$person", SqliteType.Text),
                command.Parameters.Add("$organisation", SqliteType.Text), command.Parameters.Add("$body", SqliteType.Text));
            foreach (var s in session.Participants)
            {
                (participant.Value, person.Value, organisation.Value, body.Value) =
                    (s.Key, (object?)s.PersonId ?? DBNull.Value, (object?)s.OrganisationId ?? DBNull.Value, SessionRows.Body(s));
                await command.ExecuteNonQueryAsync(ct);
            }
        }
        await transaction.CommitAsync(ct);
    }

    /// <inheritdoc />
    public async Task<SessionPage> ListAsync(long tenantId, SessionQuery query, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        var sql = $"SELECT {Columns} FROM sessions s WHERE tenant_id = $t AND kind = $k";
        await using var command = Command(connection, null, "");
        var p = Key(command, tenantId, query.Kind);
        if (query.From is { } from) { sql += " AND start_at >= $from"; p.AddWithValue("$from", Micros(from)); }
        if (query.To is { } to) { sql += " AND start_at < $to"; p.AddWithValue("$to", Micros(to)); }
        if (query.ActivityId is { } activity) { sql += " AND activity_id = $activity"; p.AddWithValue("$activity", activity); }
        if (query.After is { } after)
        {
            sql += " AND (start_at > $afterStart OR (start_at = $afterStart AND id > $afterId))";
            p.AddWithValue("$afterStart", Micros(after.Start));
            p.AddWithValue("$afterId", after.Id);
        }
        if (query.OrganisationId is { } organisation)
        {
            sql += " AND EXISTS (SELECT 1 FROM session_participants sp WHERE sp.tenant_id = s.tenant_id AND sp.kind = s.kind AND sp.session_id = s.id AND sp.organisation_id = $org)";
            p.AddWithValue("$org", organisation);
        }
        command.CommandText = sql + " ORDER BY start_at, id LIMIT $limit";
        p.AddWithValue("$limit", query.Limit + 1);
        var sessions = new List<SessionRecord>();
        await using var r = await command.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct)) sessions.Add(Read(r, query.Kind));
        var more = sessions.Count > query.Limit;
        return new SessionPage(more ? sessions[..query.Limit] : sessions, more);
    }

    private static SqliteParameterCollection Key(SqliteCommand command, long tenantId, SessionKind kind)
    {
        command.Parameters.AddWithValue("$t", tenantId);
        command.Parameters.AddWithValue("$k", SessionRows.Kind(kind));
        return command.Parameters;
    }

    private static SessionRecord Read(DbDataReader r, SessionKind kind) => new(
        r.GetString(0), kind, r.GetString(1), FromMicros(r.GetInt64(2)), FromMicros(r.GetInt64(3)), Guid.Parse(r.GetString(4)),
        JsonNode.Parse(r.GetString(5))!.AsObject(), [], FromMicros(r.GetInt64(6)));
}
