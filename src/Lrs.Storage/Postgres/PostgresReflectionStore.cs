using System.Data.Common;
using System.Text;
using Lrs.Core.Reflection;
using Lrs.Core.Storage;
using Lrs.Core.Xapi;
using Npgsql;
using NpgsqlTypes;

namespace Lrs.Storage.Postgres;

/// <summary>Reflection tasks, their answers and group reflections in PostgreSQL.</summary>
public sealed class PostgresReflectionStore(PostgresDatabase database) : IReflectionStore
{
    private const string TaskColumns = """
        SELECT t.id, t.template_id, t.agent_key, g.person_id, t.agent, t.registration, t.statement_id, t.training, t.triggered_at, t.due_at,
            t.created, t.updated, t.status, t.answered_at, t.shared, t.meeting_id
        FROM reflection_tasks t LEFT JOIN person_agents g ON g.tenant_id = t.tenant_id AND g.agent_key = t.agent_key
        """;

    // The agents of the people a filter names; tasks are found through the agent index.
    private const string AgentsOfPeople = "SELECT a.agent_key FROM person_agents a WHERE a.tenant_id = @t AND a.person_id";

    private const string UnitMembers = "SELECT person_id FROM person_assignments WHERE tenant_id = @t AND kind = 'unit' AND value = @unit AND valid_to IS NULL";

    // ---- written in the statement's transaction (see RelationalStatementStore) ----

    internal static async Task InsertTasksAsync(DbConnection c, DbTransaction t, long tenantId, IReadOnlyList<(Guid Id, DateTimeOffset Recorded, TaskTrigger Trigger, string Agent, string? Training)> rows, CancellationToken ct)
    {
        // One statement for the batch. The subject is the person when the agent belongs to one, so that one person's
        // several agents share one task; a second row for the same task in this batch is skipped like a stored one.
        await using var command = Command(c, t, """
            INSERT INTO reflection_tasks (tenant_id, id, template_id, agent_key, subject, registration, statement_id, agent, training,
                triggered_at, due_at, created, updated, status, answered_at, shared, meeting_id)
            SELECT @t, r.id, r.template, r.key, coalesce('p:' || g.person_id, 'a:' || r.key), r.registration, r.statement, r.agent, r.training,
                r.triggered, r.due, r.recorded, r.recorded, 'open', NULL, false, NULL
            FROM unnest(@ids, @templates, @keys, @registrations, @statements, @agents, @trainings, @triggered, @due, @recorded)
                WITH ORDINALITY AS r(id, template, key, registration, statement, agent, training, triggered, due, recorded, n)
            LEFT JOIN person_agents g ON g.tenant_id = @t AND g.agent_key = r.key
            ORDER BY r.n
            ON CONFLICT DO NOTHING
            """);
        command.Parameters.AddWithValue("t", tenantId);
        command.Parameters.AddWithValue("ids", rows.Select(r => r.Id).ToArray());
        command.Parameters.AddWithValue("templates", rows.Select(r => r.Trigger.TemplateId).ToArray());
        command.Parameters.AddWithValue("keys", rows.Select(r => r.Trigger.AgentKey).ToArray());
        command.Parameters.AddWithValue("registrations", rows.Select(r => ReflectionRows.Registration(r.Trigger.Registration)).ToArray());
        command.Parameters.AddWithValue("statements", rows.Select(r => r.Trigger.StatementId).ToArray());
        command.Parameters.AddWithValue("agents", rows.Select(r => r.Agent).ToArray());
        command.Parameters.Add(new NpgsqlParameter("trainings", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = rows.Select(r => r.Training).ToArray() });
        command.Parameters.AddWithValue("triggered", rows.Select(r => r.Trigger.TriggeredAt.UtcDateTime).ToArray());
        command.Parameters.AddWithValue("due", rows.Select(r => r.Trigger.DueAt.UtcDateTime).ToArray());
        command.Parameters.AddWithValue("recorded", rows.Select(r => r.Recorded.UtcDateTime).ToArray());
        await command.ExecuteNonQueryAsync(ct);
    }

    internal static async Task RecordAnswersAsync(DbConnection c, DbTransaction t, long tenantId, IReadOnlyList<AnswerFound> answers, DateTimeOffset at, CancellationToken ct)
    {
        // Answers are few per batch (one per prompt of a task); one round trip each keeps "only the task's own person"
        // a plain condition of the UPDATE whose row count decides the INSERT.
        await using var command = Command(c, t, """
            WITH task AS (
                UPDATE reflection_tasks SET status = 'answered', answered_at = coalesce(answered_at, @answered), shared = @shared, updated = @at
                WHERE tenant_id = @t AND id = @task AND template_id = @template AND status <> 'cancelled'
                  AND (agent_key = @actor OR subject = (SELECT 'p:' || person_id FROM person_agents WHERE tenant_id = @t AND agent_key = @actor))
                RETURNING id)
            INSERT INTO reflection_answers (tenant_id, task_id, prompt_id, statement_id, response, answered_at)
            SELECT @t, id, @prompt, @statement, @response, @answered FROM task
            ON CONFLICT (tenant_id, task_id, prompt_id) DO UPDATE SET
                statement_id = excluded.statement_id, response = excluded.response, answered_at = excluded.answered_at
            """);
        command.Parameters.AddWithValue("t", tenantId);
        command.Parameters.AddWithValue("at", at.UtcDateTime);
        var task = command.Parameters.Add("task", NpgsqlDbType.Uuid);
        var template = command.Parameters.Add("template", NpgsqlDbType.Text);
        var actor = command.Parameters.Add("actor", NpgsqlDbType.Text);
        var answered = command.Parameters.Add("answered", NpgsqlDbType.TimestampTz);
        var shared = command.Parameters.Add("shared", NpgsqlDbType.Boolean);
        var prompt = command.Parameters.Add("prompt", NpgsqlDbType.Text);
        var statement = command.Parameters.Add("statement", NpgsqlDbType.Uuid);
        var response = command.Parameters.Add("response", NpgsqlDbType.Text);
        foreach (var a in answers)
        {
            (task.Value, template.Value, actor.Value, answered.Value) = (a.TaskId, a.TemplateId, a.ActorKey, a.AnsweredAt.UtcDateTime);
            (shared.Value, prompt.Value, statement.Value, response.Value) = (a.Shared, a.PromptId, a.StatementId, a.Response);
            await command.ExecuteNonQueryAsync(ct);
        }
    }

    internal static async Task VoidReflectionAsync(DbConnection c, DbTransaction t, long tenantId, Guid[] statementIds, DateTimeOffset at, CancellationToken ct)
    {
        await using var command = Command(c, t, """
            UPDATE reflection_tasks SET status = 'cancelled', updated = @at WHERE tenant_id = @t AND statement_id = ANY(@ids) AND status = 'open';
            WITH removed AS (DELETE FROM reflection_answers WHERE tenant_id = @t AND statement_id = ANY(@ids) RETURNING task_id)
            UPDATE reflection_tasks k SET updated = @at,
                status = CASE WHEN k.status = 'answered' AND k.meeting_id IS NULL AND NOT EXISTS (
                    SELECT 1 FROM reflection_answers a WHERE a.tenant_id = @t AND a.task_id = k.id AND NOT (a.statement_id = ANY(@ids)))
                    THEN 'open' ELSE k.status END,
                answered_at = CASE WHEN k.status = 'answered' AND k.meeting_id IS NULL AND NOT EXISTS (
                    SELECT 1 FROM reflection_answers a WHERE a.tenant_id = @t AND a.task_id = k.id AND NOT (a.statement_id = ANY(@ids)))
                    THEN NULL ELSE k.answered_at END
            WHERE k.tenant_id = @t AND k.id IN (SELECT task_id FROM removed);
            """);
        command.Parameters.AddWithValue("t", tenantId);
        command.Parameters.AddWithValue("ids", statementIds);
        command.Parameters.AddWithValue("at", at.UtcDateTime);
        await command.ExecuteNonQueryAsync(ct);
    }

    // ---- reads and group reflections ----

    /// <inheritdoc />
    public async Task<ReflectionTask?> GetAsync(long tenantId, Guid taskId, CancellationToken ct)
    {
        await using var connection = await database.DataSource.OpenConnectionAsync(ct);
        await using var command = new NpgsqlCommand(TaskColumns + " WHERE t.tenant_id = @t AND t.id = @id", connection);
        command.Parameters.AddWithValue("t", tenantId);
        command.Parameters.AddWithValue("id", taskId);
        var tasks = await ReadTasksAsync(command, tenantId, ct);
        return tasks.Count == 0 ? null : tasks[0];
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<ReflectionTask>> ListAsync(long tenantId, ReflectionTaskQuery query, CancellationToken ct)
    {
        await using var connection = await database.DataSource.OpenConnectionAsync(ct);
        await using var command = new NpgsqlCommand("", connection);
        var sql = new StringBuilder(TaskColumns).Append(" WHERE t.tenant_id = @t");
        command.Parameters.AddWithValue("t", tenantId);
        if (query.PersonId is { } person)
        {
            sql.Append($" AND t.agent_key IN ({AgentsOfPeople} = @person)");
            command.Parameters.AddWithValue("person", person);
        }
        if (query.UnitId is { } unit)
        {
            sql.Append($" AND t.agent_key IN ({AgentsOfPeople} IN ({UnitMembers}))");
            command.Parameters.AddWithValue("unit", unit);
        }
        if (query.OrganisationId is { } organisation)
        {
            sql.Append($" AND t.agent_key IN ({AgentsOfPeople} IN (SELECT id FROM people WHERE tenant_id = @t AND organisation_id = @org))");
            command.Parameters.AddWithValue("org", organisation);
        }
        if (query.AgentKey is { } agent)
        {
            sql.Append(" AND t.agent_key = @agent");
            command.Parameters.AddWithValue("agent", agent);
        }
        if (query.TemplateId is { } template)
        {
            sql.Append(" AND t.template_id = @template");
            command.Parameters.AddWithValue("template", template);
        }
        if (query.Status is { } status)
        {
            sql.Append(" AND t.status = @status");
            command.Parameters.AddWithValue("status", ReflectionTaskStatuses.Name(status));
        }
        if (query.OverdueAt is { } overdue)
        {
            sql.Append(" AND t.status = 'open' AND t.due_at < @overdue");
            command.Parameters.AddWithValue("overdue", overdue.UtcDateTime);
        }
        if (query.ChangedSince is { } since)
        {
            sql.Append(" AND t.updated > @since");
            command.Parameters.AddWithValue("since", since.UtcDateTime);
        }
        if (query.After is { } after)
        {
            sql.Append(" AND (t.updated, t.id) > (@au, @aid)");
            command.Parameters.AddWithValue("au", after.Updated.UtcDateTime);
            command.Parameters.AddWithValue("aid", after.Id);
        }
        sql.Append(" ORDER BY t.updated, t.id LIMIT @limit");
        command.Parameters.AddWithValue("limit", query.Limit);
        command.CommandText = sql.ToString();
        return await ReadTasksAsync(command, tenantId, ct);
    }

    private static async Task<List<ReflectionTask>> ReadTasksAsync(NpgsqlCommand command, long tenantId, CancellationToken ct)
    {
        var tasks = new List<ReflectionTask>();
        await using (var r = await command.ExecuteReaderAsync(ct))
            while (await r.ReadAsync(ct))
                tasks.Add(new ReflectionTask(r.GetGuid(0), r.GetString(1), r.GetString(2), r.IsDBNull(3) ? null : r.GetString(3),
                    ReflectionRows.Agent(r.GetString(4)), ReflectionRows.ParseRegistration(r.GetString(5)), r.GetGuid(6),
                    ReflectionRows.Training(r.IsDBNull(7) ? null : r.GetString(7)), Utc(r, 8), Utc(r, 9), Utc(r, 10), Utc(r, 11),
                    ReflectionTaskStatuses.Parse(r.GetString(12)) ?? ReflectionTaskStatus.Cancelled, r.IsDBNull(13) ? null : Utc(r, 13), r.GetBoolean(14),
                    r.IsDBNull(15) ? null : r.GetGuid(15), []));
        if (tasks.Count == 0) return tasks;

        command.Parameters.Clear();
        command.CommandText = """
            SELECT task_id, prompt_id, statement_id, response, answered_at FROM reflection_answers
            WHERE tenant_id = @t AND task_id = ANY(@ids) ORDER BY answered_at, prompt_id COLLATE "C"
            """;
        command.Parameters.AddWithValue("t", tenantId);
        command.Parameters.AddWithValue("ids", tasks.Select(x => x.Id).ToArray());
        var answers = new List<(Guid, StoredAnswer)>();
        await using (var r = await command.ExecuteReaderAsync(ct))
            while (await r.ReadAsync(ct))
                answers.Add((r.GetGuid(0), new StoredAnswer(r.GetString(1), r.GetGuid(2), r.GetString(3), Utc(r, 4))));
        return ReflectionRows.WithAnswers(tasks, answers);
    }

    /// <inheritdoc />
    public async Task<bool> RecordGroupReflectionAsync(long tenantId, GroupReflection reflection, CancellationToken ct)
    {
        await using var connection = await database.DataSource.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        await using var command = new NpgsqlCommand("""
            INSERT INTO group_reflections (tenant_id, id, unit_id, held_at, facilitator, templates, attendees, notes, recorded)
            VALUES (@t, @id, @unit, @held, @facilitator, @templates, @attendees, @notes, @recorded)
            ON CONFLICT DO NOTHING
            """, connection, transaction);
        command.Parameters.AddWithValue("t", tenantId);
        command.Parameters.AddWithValue("id", reflection.Id);
        command.Parameters.AddWithValue("unit", reflection.UnitId);
        command.Parameters.AddWithValue("held", reflection.HeldAt.UtcDateTime);
        command.Parameters.AddWithValue("facilitator", reflection.Facilitator.ToJsonString());
        command.Parameters.AddWithValue("templates", ReflectionRows.TemplatesJson(reflection.TemplateIds));
        command.Parameters.AddWithValue("attendees", ReflectionRows.AttendeesJson(reflection.Attendees));
        command.Parameters.Add(new NpgsqlParameter("notes", NpgsqlDbType.Text) { Value = (object?)reflection.Notes ?? DBNull.Value });
        command.Parameters.AddWithValue("recorded", reflection.Recorded.UtcDateTime);
        if (await command.ExecuteNonQueryAsync(ct) == 0) return false;

        // The attendees' open tasks of the templates discussed, triggered before the meeting, count as answered at it.
        command.Parameters.Clear();
        command.CommandText = $"""
            UPDATE reflection_tasks SET status = 'answered', answered_at = @held, meeting_id = @id, updated = @recorded
            WHERE tenant_id = @t AND status = 'open' AND triggered_at <= @held AND template_id = ANY(@templates)
              AND (agent_key = ANY(@keys) OR agent_key IN ({AgentsOfPeople} = ANY(@people)))
            """;
        command.Parameters.AddWithValue("t", tenantId);
        command.Parameters.AddWithValue("id", reflection.Id);
        command.Parameters.AddWithValue("held", reflection.HeldAt.UtcDateTime);
        command.Parameters.AddWithValue("recorded", reflection.Recorded.UtcDateTime);
        command.Parameters.AddWithValue("templates", reflection.TemplateIds.ToArray());
        command.Parameters.AddWithValue("keys", reflection.Attendees.Select(a => AgentKey.Of(a.Agent)).OfType<string>().ToArray());
        command.Parameters.AddWithValue("people", reflection.Attendees.Select(a => a.PersonId).OfType<string>().ToArray());
        await command.ExecuteNonQueryAsync(ct);
        await transaction.CommitAsync(ct);
        return true;
    }

    private const string GroupColumns = "SELECT id, unit_id, held_at, facilitator, templates, attendees, notes, recorded FROM group_reflections";

    /// <inheritdoc />
    public async Task<GroupReflection?> GetGroupReflectionAsync(long tenantId, Guid id, CancellationToken ct)
    {
        await using var connection = await database.DataSource.OpenConnectionAsync(ct);
        await using var command = new NpgsqlCommand(GroupColumns + " WHERE tenant_id = @t AND id = @id", connection);
        command.Parameters.AddWithValue("t", tenantId);
        command.Parameters.AddWithValue("id", id);
        var found = await ReadGroupReflectionsAsync(command, ct);
        return found.Count == 0 ? null : found[0];
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<GroupReflection>> GroupReflectionsAsync(long tenantId, string unitId, DateTimeOffset from, DateTimeOffset to, CancellationToken ct)
    {
        await using var connection = await database.DataSource.OpenConnectionAsync(ct);
        await using var command = new NpgsqlCommand(
            GroupColumns + " WHERE tenant_id = @t AND unit_id = @unit AND held_at >= @from AND held_at < @to ORDER BY held_at DESC, id", connection);
        command.Parameters.AddWithValue("t", tenantId);
        command.Parameters.AddWithValue("unit", unitId);
        command.Parameters.AddWithValue("from", from.UtcDateTime);
        command.Parameters.AddWithValue("to", to.UtcDateTime);
        return await ReadGroupReflectionsAsync(command, ct);
    }

    private static async Task<List<GroupReflection>> ReadGroupReflectionsAsync(NpgsqlCommand command, CancellationToken ct)
    {
        var found = new List<GroupReflection>();
        await using var r = await command.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
            found.Add(new GroupReflection(r.GetGuid(0), r.GetString(1), Utc(r, 2), ReflectionRows.Agent(r.GetString(3)),
                ReflectionRows.ParseTemplates(r.GetString(4)), ReflectionRows.ParseAttendees(r.GetString(5)), r.IsDBNull(6) ? null : r.GetString(6), Utc(r, 7)));
        return found;
    }

    /// <inheritdoc />
    public async Task<UnitReflectionActivity> UnitActivityAsync(long tenantId, string unitId, DateTimeOffset from, DateTimeOffset to, CancellationToken ct)
    {
        await using var connection = await database.DataSource.OpenConnectionAsync(ct);
        const string members = $"{AgentsOfPeople} IN ({UnitMembers})";
        await using var command = new NpgsqlCommand($"""
            SELECT min(achieved_at) FROM evidence WHERE tenant_id = @t AND retracted IS NULL AND achieved_at >= @from AND achieved_at < @to
              AND agent_key IN ({members}) GROUP BY statement_id
            """, connection);
        command.Parameters.AddWithValue("t", tenantId);
        command.Parameters.AddWithValue("unit", unitId);
        command.Parameters.AddWithValue("from", from.UtcDateTime);
        command.Parameters.AddWithValue("to", to.UtcDateTime);
        var trainings = await TimesAsync(command, ct);
        command.CommandText = $"""
            SELECT answered_at FROM reflection_tasks WHERE tenant_id = @t AND status = 'answered' AND answered_at >= @from AND answered_at < @to
              AND agent_key IN ({members})
            """;
        var answered = await TimesAsync(command, ct);
        command.CommandText = "SELECT held_at, attendees FROM group_reflections WHERE tenant_id = @t AND unit_id = @unit AND held_at >= @from AND held_at < @to";
        var meetings = new List<(DateTimeOffset, int)>();
        await using (var r = await command.ExecuteReaderAsync(ct))
            while (await r.ReadAsync(ct)) meetings.Add((Utc(r, 0), ReflectionRows.AttendeeCount(r.GetString(1))));
        return new UnitReflectionActivity(trainings, answered, meetings);
    }

    private static async Task<List<DateTimeOffset>> TimesAsync(NpgsqlCommand command, CancellationToken ct)
    {
        var times = new List<DateTimeOffset>();
        await using var r = await command.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct)) times.Add(Utc(r, 0));
        return times;
    }

    private static DateTimeOffset Utc(DbDataReader r, int i) => new(DateTime.SpecifyKind(r.GetDateTime(i), DateTimeKind.Utc), TimeSpan.Zero);

    private static NpgsqlCommand Command(DbConnection c, DbTransaction t, string sql) => new(sql, (NpgsqlConnection)c, (NpgsqlTransaction)t);
}
