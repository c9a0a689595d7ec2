using System.Data.Common;
using System.Text.Json.Nodes;
using Lrs.Core.Learning;
using Lrs.Core.Storage;

namespace Lrs.Storage;

/// <summary>Sessions and webinars.</summary>
public sealed class SessionStore(Dialect db) : ISessionStore
{
    private const string Columns = "id, activity_id, start_at, end_at, registration, definition, updated";

    /// <inheritdoc />
    public async Task<SessionRecord?> GetAsync(long tenantId, SessionKind kind, string id, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        await using var command = Dialect.Command(connection, null, $"SELECT {Columns} FROM sessions WHERE tenant_id = @t AND kind = @k AND id = @id",
            ("t", tenantId), ("k", SessionRows.Kind(kind)), ("id", id));
        var session = (await command.ListAsync(r => Read(r, kind), ct)).SingleOrDefault();
        if (session is null) return null;
        command.CommandText = $"SELECT participant, person_id, organisation_id, body FROM session_participants WHERE tenant_id = @t AND kind = @k AND session_id = @id ORDER BY participant{db.Binary}";
        return session with { Participants = await command.ListAsync(r => SessionRows.Participant(r.GetString(0), r.StringOrNull(1), r.StringOrNull(2), r.GetString(3)), ct) };
    }

    /// <inheritdoc />
    public async Task PutAsync(long tenantId, SessionRecord session, CancellationToken ct)
    {
        await using var write = await db.BeginWriteAsync(null, ct);
        await using (var command = write.Command("""
            INSERT INTO sessions (tenant_id, kind, id, activity_id, start_at, end_at, registration, definition, updated)
            VALUES (@t, @k, @id, @activity, @start, @end, @registration, @definition, @updated)
            ON CONFLICT (tenant_id, kind, id) DO UPDATE SET activity_id = excluded.activity_id, start_at = excluded.start_at, end_at = excluded.end_at,
                registration = excluded.registration, definition = excluded.definition, updated = excluded.updated;
            DELETE FROM session_participants WHERE tenant_id = @t AND kind = @k AND session_id = @id;
            """, ("t", tenantId), ("k", SessionRows.Kind(session.Kind)), ("id", session.Id), ("activity", session.ActivityId), ("start", db.Time(session.Start)),
            ("end", db.Time(session.End)), ("registration", db.Uuid(session.Registration)), ("definition", session.Definition.ToJsonString()), ("updated", db.Time(session.Updated))))
            await command.ExecuteNonQueryAsync(ct);
        await using (var command = write.Command("", ("t", tenantId), ("k", SessionRows.Kind(session.Kind)), ("id", session.Id)))
            await db.ForEachRowAsync(command, """
                INSERT INTO session_participants (tenant_id, kind, session_id, participant, person_id, organisation_id, body)
                SELECT @t, @k, @id, r.participant, r.person, r.organisation, r.body FROM {rows}
                """, session.Participants, ct,
                new("participant", ColumnType.Text, s => s.Key), new("person", ColumnType.Text, s => s.PersonId),
                new("organisation", ColumnType.Text, s => s.OrganisationId), new("body", ColumnType.Text, SessionRows.Body));
        await write.CommitAsync(ct);
    }

    /// <inheritdoc />
    public async Task<SessionPage> ListAsync(long tenantId, SessionQuery query, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        var sql = $"SELECT {Columns} FROM sessions s WHERE tenant_id = @t AND kind = @k";
        await using var command = Dialect.Command(connection, null, "", ("t", tenantId), ("k", SessionRows.Kind(query.Kind)));
        if (query.From is { } from) { sql += " AND start_at >= @from"; command.With("from", db.Time(from)); }
        if (query.To is { } to) { sql += " AND start_at < @to"; command.With("to", db.Time(to)); }
        if (query.ActivityId is { } activity) { sql += " AND activity_id = @activity"; command.With("activity", activity); }
        if (query.After is { } after)
        {
            sql += $" AND (start_at, id{db.Binary}) > (@afterStart, @afterId{db.Binary})";
            command.With("afterStart", db.Time(after.Start)).With("afterId", after.Id);
        }
        if (query.OrganisationId is { } organisation)
        {
            sql += " AND EXISTS (SELECT 1 FROM session_participants sp WHERE sp.tenant_id = s.tenant_id AND sp.kind = s.kind AND sp.session_id = s.id AND sp.organisation_id = @org)";
            command.With("org", organisation);
        }
        command.CommandText = sql + $" ORDER BY start_at, id{db.Binary} LIMIT @limit";
        command.With("limit", query.Limit + 1);
        var sessions = await command.ListAsync(r => Read(r, query.Kind), ct);
        var more = sessions.Count > query.Limit;
        return new SessionPage(more ? sessions[..query.Limit] : sessions, more);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<SessionRecord>> OfParticipantAsync(long tenantId, string personId, IReadOnlyCollection<string> agentKeys, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        await using var command = Dialect.Command(connection, null, $"""
            SELECT sp.kind, sp.session_id, sp.participant, sp.person_id, sp.organisation_id, sp.body FROM session_participants sp
            WHERE sp.tenant_id = @t AND (sp.person_id = @person OR sp.participant{db.In("agents")})
            """, ("t", tenantId), ("person", personId), ("agents", db.List(agentKeys)));
        var entries = await command.ListAsync(r => (Kind: r.GetInt16(0) == SessionRows.Kind(SessionKind.Webinar) ? SessionKind.Webinar : SessionKind.OnSite,
            Id: r.GetString(1), Participant: SessionRows.Participant(r.GetString(2), r.StringOrNull(3), r.StringOrNull(4), r.GetString(5))), ct);
        var sessions = new List<SessionRecord>();
        foreach (var group in entries.GroupBy(e => (e.Kind, e.Id)))
        {
            command.Parameters.Clear();
            command.CommandText = $"SELECT {Columns} FROM sessions WHERE tenant_id = @t AND kind = @k AND id = @id";
            command.With("t", tenantId).With("k", SessionRows.Kind(group.Key.Kind)).With("id", group.Key.Id);
            if ((await command.ListAsync(r => Read(r, group.Key.Kind), ct)).SingleOrDefault() is { } session)
                sessions.Add(session with { Participants = [.. group.Select(e => e.Participant).OrderBy(p => p.Key, StringComparer.Ordinal)] });
        }
        return [.. sessions.OrderBy(s => s.Kind).ThenBy(s => s.Start).ThenBy(s => s.Id, StringComparer.Ordinal)];
    }

    private SessionRecord Read(DbDataReader r, SessionKind kind) => new(
        r.GetString(0), kind, r.GetString(1), db.Time(r, 2), db.Time(r, 3), db.Uuid(r, 4),
        JsonNode.Parse(r.GetString(5))!.AsObject(), [], db.Time(r, 6));
}
