using System.Data.Common;
using System.Text;
using System.Text.Json;
using Lrs.Core.Reflection;
using Lrs.Core.Storage;
using Lrs.Core.Xapi;
using Microsoft.Data.Sqlite;
using static Lrs.Storage.Sqlite.SqliteStatementStore;

namespace Lrs.Storage.Sqlite;

/// <summary>Reflection tasks, their answers and group reflections in SQLite.</summary>
public sealed class SqliteReflectionStore(SqliteDatabase database) : IReflectionStore
{
    private const string TaskColumns = """
        SELECT t.id, t.template_id, t.agent_key, g.person_id, t.agent, t.registration, t.statement_id, t.training, t.triggered_at, t.due_at,
            t.created, t.updated, t.status, t.answered_at, t.shared, t.meeting_id
        FROM reflection_tasks t LEFT JOIN person_agents g ON g.tenant_id = t.tenant_id AND g.agent_key = t.agent_key
        """;

    // The agents of the people a filter names; tasks are found through the agent index.
    private const string AgentsOfPeople = "SELECT a.agent_key FROM person_agents a WHERE a.tenant_id = $t AND a.person_id";

    // ---- written in the statement's transaction (see RelationalStatementStore) ----

    internal static async Task InsertTasksAsync(DbConnection c, DbTransaction t, long tenantId, IReadOnlyList<(Guid Id, DateTimeOffset Recorded, TaskTrigger Trigger, string Agent, string? Training)> rows, CancellationToken ct)
    {
        // The subject is the person when the agent belongs to one, so that one person's several agents share one task.
        await using var command = Command(c, t, """
            INSERT OR IGNORE INTO reflection_tasks (tenant_id, id, template_id, agent_key, subject, registration, statement_id, agent, training,
                triggered_at, due_at, created, updated, status, answered_at, shared, meeting_id)
            VALUES ($t, $id, $template, $key,
                coalesce((SELECT 'p:' || person_id FROM person_agents WHERE tenant_id = $t AND agent_key = $key), 'a:' || $key),
                $registration, $statement, $agent, $training, $triggered, $due, $recorded, $recorded, 'open', NULL, 0, NULL)
            """);
        command.Parameters.AddWithValue("$t", tenantId);
        var p = new[] { "$id", "$template", "$key", "$registration", "$statement", "$agent", "$training" }.Select(n => command.Parameters.Add(n, SqliteType.Text)).ToArray();
        var times = new[] { "$triggered", "$due", "$recorded" }.Select(n => command.Parameters.Add(n, SqliteType.Integer)).ToArray();
        foreach (var row in rows)
        {
            var trigger = row.Trigger;
            p[0].Value = Id(row.Id);
            p[1].Value = trigger.TemplateId;
            p[2].Value = trigger.AgentKey;
            p[3].Value = ReflectionRows.Registration(trigger.Registration);
            p[4].Value = Id(trigger.StatementId);
            p[5].Value = row.Agent;
            p[6].Value = (object?)row.Training ?? DBNull.Value;
            times[0].Value = Micros(trigger.TriggeredAt);
            times[1].Value = Micros(trigger.DueAt);
            times[2].Value = Micros(row.Recorded);
            await command.ExecuteNonQueryAsync(ct);
        }
    }

    internal static async Task RecordAnswersAsync(DbConnection c, DbTransaction t, long tenantId, IReadOnlyList<AnswerFound> answers, DateTimeOffset at, CancellationToken ct)
    {
        await using var update = Command(c, t, """
            UPDATE reflection_tasks SET status = 'answered', answered_at = coalesce(answered_at, $answered), shared = $shared, updated = $at
            WHERE tenant_id = $t AND id = $task AND template_id = $template AND status <> 'cancelled'
              AND (agent_key = $actor OR subject = (SELECT 'p:' || person_id FROM person_agents WHERE tenant_id = $t AND agent_key = $actor))
            """);
        await using var insert = Command(c, t, """
            INSERT INTO reflection_answers (tenant_id, task_id, prompt_id, statement_id, response, answered_at)
            VALUES ($t, $task, $prompt, $statement, $response, $answered)
            ON CONFLICT (tenant_id, task_id, prompt_id) DO UPDATE SET
                statement_id = excluded.statement_id, response = excluded.response, answered_at = excluded.answered_at
            """);
        foreach (var a in answers)
        {
            update.Parameters.Clear();
            update.Parameters.AddWithValue("$t", tenantId);
            update.Parameters.AddWithValue("$task", Id(a.TaskId));
            update.Parameters.AddWithValue("$template", a.TemplateId);
            update.Parameters.AddWithValue("$actor", a.ActorKey);
            update.Parameters.AddWithValue("$answered", Micros(a.AnsweredAt));
            update.Parameters.AddWithValue("$shared", a.Shared ? 1 : 0);
            update.Parameters.AddWithValue("$at", Micros(at));
            if (await update.ExecuteNonQueryAsync(ct) != 1) continue;
            insert.Parameters.Clear();
            insert.Parameters.AddWithValue("$t", tenantId);
            insert.Parameters.AddWithValue("$task", Id(a.TaskId));
            insert.Parameters.AddWithValue("$prompt", a.PromptId);
            insert.Parameters.AddWithValue("$statement", Id(a.StatementId));
            insert.Parameters.AddWithValue("$response", a.Response);
            insert.Parameters.AddWithValue("$answered", Micros(a.AnsweredAt));
            await insert.ExecuteNonQueryAsync(ct);
        }
    }

    internal static async Task VoidReflectionAsync(DbConnection c, DbTransaction t, long tenantId, Guid[] statementIds, DateTimeOffset at, CancellationToken ct)
    {
        await using var command = Command(c, t, """
            UPDATE reflection_tasks SET status = 'cancelled', updated = $at WHERE tenant_id = $t AND statement_id = $id AND status = 'open';
            UPDATE reflection_tasks SET updated = $at
            WHERE tenant_id = $t AND id IN (SELECT task_id FROM reflection_answers WHERE tenant_id = $t AND statement_id = $id);
            DELETE FROM reflection_answers WHERE tenant_id = $t AND statement_id = $id;
            UPDATE reflection_tasks SET status = 'open', answered_at = NULL
            WHERE tenant_id = $t AND updated = $at AND status = 'answered' AND meeting_id IS NULL
              AND NOT EXISTS (SELECT 1 FROM reflection_answers a WHERE a.tenant_id = $t AND a.task_id = reflection_tasks.id);
            """);
        command.Parameters.AddWithValue("$t", tenantId);
        command.Parameters.AddWithValue("$at", Micros(at));
        var id = command.Parameters.Add("$id", SqliteType.Text);
        foreach (var statementId in statementIds)
        {
            id.Value = Id(statementId);
            await command.ExecuteNonQueryAsync(ct);
        }
    }

    // ---- reads and group reflections ----

    /// <inheritdoc />
    public async Task<ReflectionTask?> GetAsync(long tenantId, Guid taskId, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        await using var command = Command(connection, null, TaskColumns + " WHERE t.tenant_id = $t AND t.id = $id");
        command.Parameters.AddWithValue("$t", tenantId);
        command.Parameters.AddWithValue("$id", Id(taskId));
        var tasks = await ReadTasksAsync(command, tenantId, ct);
        return tasks.Count == 0 ? null : tasks[0];
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<ReflectionTask>> ListAsync(long tenantId, ReflectionTaskQuery query, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        await using var command = Command(connection, null, "");
        var sql = new StringBuilder(TaskColumns).Append(" WHERE t.tenant_id = $t");
        command.Parameters.AddWithValue("$t", tenantId);
        if (query.PersonId is { } person)
        {
            sql.Append($" AND t.agent_key IN ({AgentsOfPeople} = $person)");
            command.Parameters.AddWithValue("$person", person);
        }
        if (query.UnitId is { } unit)
        {
            sql.Append($" AND t.agent_key IN ({AgentsOfPeople} IN (SELECT person_id FROM person_assignments WHERE tenant_id = $t AND kind = 'unit' AND value = $unit AND valid_to IS NULL))");
            command.Parameters.AddWithValue("$unit", unit);
        }
        if (query.OrganisationId is { } organisation)
        {
            sql.Append($" AND t.agent_key IN ({AgentsOfPeople} IN (SELECT id FROM people WHERE tenant_id = $t AND organisation_id = $org))");
            command.Parameters.AddWithValue("$org", organisation);
        }
        if (query.AgentKey is { } agent)
        {
            sql.Append(" AND t.agent_key = $agent");
            command.Parameters.AddWithValue("$agent", agent);
        }
        if (query.TemplateId is { } template)
        {
            sql.Append(" AND t.template_id = $template");
            command.Parameters.AddWithValue("$template", template);
        }
        if (query.Status is { } status)
        {
            sql.Append(" AND t.status = $status");
            command.Parameters.AddWithValue("$status", ReflectionTaskStatuses.Name(status));
        }
        if (query.OverdueAt is { } overdue)
        {
            sql.Append(" AND t.status = 'open' AND t.due_at < $overdue");
            command.Parameters.AddWithValue("$overdue", Micros(overdue));
        }
        if (query.ChangedSince is { } since)
        {
            sql.Append(" AND t.updated > $since");
            command.Parameters.AddWithValue("$since", Micros(since));
        }
        if (query.After is { } after)
        {
            sql.Append(" AND (t.updated > $au OR (t.updated = $au AND t.id > $aid))");
            command.Parameters.AddWithValue("$au", Micros(after.Updated));
            command.Parameters.AddWithValue("$aid", Id(after.Id));
        }
        sql.Append(" ORDER BY t.updated, t.id LIMIT $limit");
        command.Parameters.AddWithValue("$limit", query.Limit);
        command.CommandText = sql.ToString();
        return await ReadTasksAsync(command, tenantId, ct);
    }

    private static async Task<List<ReflectionTask>> ReadTasksAsync(SqliteCommand command, long tenantId, CancellationToken ct)
    {
        var tasks = new List<ReflectionTask>();
        await using (var r = await command.ExecuteReaderAsync(ct))
            while (await r.ReadAsync(ct))
                tasks.Add(new ReflectionTask(Guid.Parse(r.GetString(0)), r.GetString(1), r.GetString(2), r.IsDBNull(3) ? null : r.GetString(3),
                    ReflectionRows.Agent(r.GetString(4)), ReflectionRows.ParseRegistration(r.GetString(5)), Guid.Parse(r.GetString(6)),
                    ReflectionRows.Training(r.IsDBNull(7) ? null : r.GetString(7)), FromMicros(r.GetInt64(8)), FromMicros(r.GetInt64(9)),
                    FromMicros(r.GetInt64(10)), FromMicros(r.GetInt64(11)), ReflectionTaskStatuses.Parse(r.GetString(12)) ?? ReflectionTaskStatus.Cancelled,
                    r.IsDBNull(13) ? null : FromMicros(r.GetInt64(13)), r.GetInt64(14) == 1, r.IsDBNull(15) ? null : Guid.Parse(r.GetString(15)), []));
        if (tasks.Count == 0) return tasks;

        command.Parameters.Clear();
        command.CommandText = """
            SELECT task_id, prompt_id, statement_id, response, answered_at FROM reflection_answers
            WHERE tenant_id = $t AND task_id IN (SELECT value FROM json_each($ids)) ORDER BY answered_at, prompt_id
            """;
        command.Parameters.AddWithValue("$t", tenantId);
        command.Parameters.AddWithValue("$ids", JsonSerializer.Serialize(tasks.Select(x => Id(x.Id))));
        var answers = new List<(Guid, StoredAnswer)>();
        await using (var r = await command.ExecuteReaderAsync(ct))
            while (await r.ReadAsync(ct))
                answers.Add((Guid.Parse(r.GetString(0)), new StoredAnswer(r.GetString(1), Guid.Parse(r.GetString(2)), r.GetString(3), FromMicros(r.GetInt64(4)))));
        return ReflectionRows.WithAnswers(tasks, answers);
    }

    /// <inheritdoc />
    public async Task<bool> RecordGroupReflectionAsync(long tenantId, GroupReflection reflection, CancellationToken ct)
    {
        using var writer = await database.LockWriterAsync(ct);
        await using var connection = await database.OpenAsync(ct);
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(ct);
        await using var command = Command(connection, transaction, """
            INSERT OR IGNORE INTO group_reflections (tenant_id, id, unit_id, held_at, facilitator, templates, attendees, notes, recorded)
            VALUES ($t, $id, $unit, $held, $facilitator, $templates, $attendees, $notes, $recorded)
            """);
        command.Parameters.AddWithValue("$t", tenantId);
        command.Parameters.AddWithValue("$id", Id(reflection.Id));
        command.Parameters.AddWithValue("$unit", reflection.UnitId);
        command.Parameters.AddWithValue("$held", Micros(reflection.HeldAt));
        command.Parameters.AddWithValue("$facilitator", reflection.Facilitator.ToJsonString());
        command.Parameters.AddWithValue("$templates", ReflectionRows.TemplatesJson(reflection.TemplateIds));
        command.Parameters.AddWithValue("$attendees", ReflectionRows.AttendeesJson(reflection.Attendees));
        command.Parameters.AddWithValue("$notes", (object?)reflection.Notes ?? DBNull.Value);
        command.Parameters.AddWithValue("$recorded", Micros(reflection.Recorded));
        if (await command.ExecuteNonQueryAsync(ct) == 0) return false;

        // The attendees' open tasks of the templates discussed, triggered before the meeting, count as answered at it.
        command.Parameters.Clear();
        command.CommandText = $"""
            UPDATE reflection_tasks SET status = 'answered', answered_at = $held, meeting_id = $id, updated = $recorded
            WHERE tenant_id = $t AND status = 'open' AND triggered_at <= $held
              AND template_id IN (SELECT value FROM json_each($templates))
              AND (agent_key IN (SELECT value FROM json_each($keys)) OR agent_key IN ({AgentsOfPeople} IN (SELECT value FROM json_each($people))))
            """;
        command.Parameters.AddWithValue("$t", tenantId);
        command.Parameters.AddWithValue("$id", Id(reflection.Id));
        command.Parameters.AddWithValue("$held", Micros(reflection.HeldAt));
        command.Parameters.AddWithValue("$recorded", Micros(reflection.Recorded));
        command.Parameters.AddWithValue("$templates", ReflectionRows.TemplatesJson(reflection.TemplateIds));
        command.Parameters.AddWithValue("$keys", JsonSerializer.Serialize(reflection.Attendees.Select(a => AgentKey.Of(a.Agent)).OfType<string>()));
        command.Parameters.AddWithValue("$people", JsonSerializer.Serialize(reflection.Attendees.Select(a => a.PersonId).OfType<string>()));
        await command.ExecuteNonQueryAsync(ct);
        await transaction.CommitAsync(ct);
        return true;
    }

    /// <inheritdoc />
    public async Task<GroupReflection?> GetGroupReflectionAsync(long tenantId, Guid id, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        await using var command = Command(connection, null, GroupColumns + " WHERE tenant_id = $t AND id = $id");
        command.Parameters.AddWithValue("$t", tenantId);
        command.Parameters.AddWithValue("$id", Id(id));
        var found = await ReadGroupReflectionsAsync(command, ct);
        return found.Count == 0 ? null : found[0];
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<GroupReflection>> GroupReflectionsAsync(long tenantId, string unitId, DateTimeOffset from, DateTimeOffset to, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        await using var command = Command(connection, null,
            GroupColumns + " WHERE tenant_id = $t AND unit_id = $unit AND held_at >= $from AND held_at < $to ORDER BY held_at DESC, id");
        command.Parameters.AddWithValue("$t", tenantId);
        command.Parameters.AddWithValue("$unit", unitId);
        command.Parameters.AddWithValue("$from", Micros(from));
        command.Parameters.AddWithValue("$to", Micros(to));
        return await ReadGroupReflectionsAsync(command, ct);
    }

    private const string GroupColumns = "SELECT id, unit_id, held_at, facilitator, templates, attendees, notes, recorded FROM group_reflections";

    private static async Task<List<GroupReflection>> ReadGroupReflectionsAsync(SqliteCommand command, CancellationToken ct)
    {
        var found = new List<GroupReflection>();
        await using var r = await command.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
            found.Add(new GroupReflection(Guid.Parse(r.GetString(0)), r.GetString(1), FromMicros(r.GetInt64(2)), ReflectionRows.Agent(r.GetString(3)),
                ReflectionRows.ParseTemplates(r.GetString(4)), ReflectionRows.ParseAttendees(r.GetString(5)), r.IsDBNull(6) ? null : r.GetString(6),
                FromMicros(r.GetInt64(7))));
        return found;
    }

    /// <inheritdoc />
    public async Task<UnitReflectionActivity> UnitActivityAsync(long tenantId, string unitId, DateTimeOffset from, DateTimeOffset to, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        const string members = $"{AgentsOfPeople} IN (SELECT person_id FROM person_assignments WHERE tenant_id = $t AND kind = 'unit' AND value = $unit AND valid_to IS NULL)";
        await using var command = Command(connection, null, $"""
            SELECT min(achieved_at) FROM evidence WHERE tenant_id = $t AND retracted IS NULL AND achieved_at >= $from AND achieved_at < $to
              AND agent_key IN ({members}) GROUP BY statement_id;
            """);
        command.Parameters.AddWithValue("$t", tenantId);
        command.Parameters.AddWithValue("$unit", unitId);
        command.Parameters.AddWithValue("$from", Micros(from));
        command.Parameters.AddWithValue("$to", Micros(to));
        var trainings = await TimesAsync(command, ct);
        command.CommandText = $"""
            SELECT answered_at FROM reflection_tasks WHERE tenant_id = $t AND status = 'answered' AND answered_at >= $from AND answered_at < $to
              AND agent_key IN ({members})
            """;
        var answered = await TimesAsync(command, ct);
        command.CommandText = "SELECT held_at, attendees FROM group_reflections WHERE tenant_id = $t AND unit_id = $unit AND held_at >= $from AND held_at < $to";
        var meetings = new List<(DateTimeOffset, int)>();
        await using (var r = await command.ExecuteReaderAsync(ct))
            while (await r.ReadAsync(ct)) meetings.Add((FromMicros(r.GetInt64(0)), ReflectionRows.AttendeeCount(r.GetString(1))));
        return new UnitReflectionActivity(trainings, answered, meetings);
    }

    private static async Task<List<DateTimeOffset>> TimesAsync(SqliteCommand command, CancellationToken ct)
    {
        var times = new List<DateTimeOffset>();
        await using var r = await command.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct)) times.Add(FromMicros(r.GetInt64(0)));
        return times;
    }
}
