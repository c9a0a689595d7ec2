using System.Data.Common;
using System.Text;
using Lrs.Core.Reflection;
using Lrs.Core.Storage;
using Lrs.Core.Xapi;

namespace Lrs.Storage;

/// <summary>Reflection tasks, their answers and group reflections.</summary>
public sealed class ReflectionStore(Dialect db) : IReflectionStore
{
    private const string TaskColumns = """
        SELECT t.id, t.template_id, t.agent_key, g.person_id, t.agent, t.registration, t.statement_id, t.training, t.triggered_at, t.due_at,
            t.created, t.updated, t.status, t.answered_at, t.shared, t.meeting_id, coalesce(t.available_from, t.triggered_at)
        FROM reflection_tasks t LEFT JOIN person_agents g ON g.tenant_id = t.tenant_id AND g.agent_key = t.agent_key
        """;

    // The agents of the people a filter names; tasks are found through the agent index.
    private const string AgentsOfPeople = "SELECT a.agent_key FROM person_agents a WHERE a.tenant_id = @t AND a.person_id";

    private readonly EventTables _events = new(db);

    private const string UnitMembers = "SELECT person_id FROM person_assignments WHERE tenant_id = @t AND kind = 'unit' AND value = @unit AND valid_to IS NULL";

    // ---- written in the statement's transaction (see RelationalStatementStore) ----

    /// <summary>Creates the tasks that do not exist yet; returns how many it created.</summary>
    internal async Task<int> InsertTasksAsync(DbConnection c, DbTransaction t, long tenantId, IReadOnlyList<(Guid Id, DateTimeOffset Recorded, TaskTrigger Trigger, string Agent, string? Training)> rows, CancellationToken ct)
    {
        // The subject is the person when the agent belongs to one, so that one person's several agents share one task;
        // a second row for the same task in this batch is skipped like a stored one.
        await using var command = Dialect.Command(c, t, "", ("t", tenantId));
        var created = await db.ForEachRowAsync(command, """
            INSERT INTO reflection_tasks (tenant_id, id, template_id, agent_key, subject, registration, statement_id, agent, training,
                triggered_at, due_at, created, updated, status, answered_at, shared, meeting_id, available_from)
            SELECT @t, r.id, r.template, r.key, coalesce('p:' || g.person_id, 'a:' || r.key), r.registration, r.statement, r.agent, r.training,
                r.triggered, r.due, r.recorded, r.recorded, 'open', NULL, false, NULL, r.available
            FROM {rows} LEFT JOIN person_agents g ON g.tenant_id = @t AND g.agent_key = r.key
            WHERE true ORDER BY r.n
            ON CONFLICT DO NOTHING
            """, rows, ct,
            new("id", ColumnType.Uuid, r => r.Id), new("template", ColumnType.Text, r => r.Trigger.TemplateId), new("key", ColumnType.Text, r => r.Trigger.AgentKey),
            new("registration", ColumnType.Text, r => ReflectionRows.Registration(r.Trigger.Registration)), new("statement", ColumnType.Uuid, r => r.Trigger.StatementId),
            new("agent", ColumnType.Text, r => r.Agent), new("training", ColumnType.Text, r => r.Training), new("triggered", ColumnType.Time, r => r.Trigger.TriggeredAt),
            new("due", ColumnType.Time, r => r.Trigger.DueAt), new("recorded", ColumnType.Time, r => r.Recorded),
            // Null for a task asked at once; a follow-up question's time after its delay.
            new("available", ColumnType.Time, r => r.Trigger.AvailableFrom == r.Trigger.TriggeredAt ? null : r.Trigger.AvailableFrom));
        // The ids are new, so the tasks found with them are exactly those created now (not those that existed already).
        await _events.AppendTaskEventsAsync(c, t, tenantId, EventTypes.ReflectionTaskCreated, rows.Max(r => r.Recorded), $"t.id{db.In("ids")}", ct,
            ("ids", db.List(rows.Select(r => r.Id))));
        return created;
    }

    internal async Task RecordAnswersAsync(DbConnection c, DbTransaction t, long tenantId, IReadOnlyList<AnswerFound> answers, DateTimeOffset at, CancellationToken ct)
    {
        // Answers are few per batch (one per prompt of a task); "only the task's own person" and "not before the task was
        // put to them" are plain conditions of the UPDATE whose row count decides the INSERT.
        foreach (var a in answers)
        {
            await using var command = Dialect.Command(c, t, """
                UPDATE reflection_tasks SET status = 'answered', answered_at = coalesce(answered_at, @answered), shared = @shared, updated = @at
                WHERE tenant_id = @t AND id = @task AND template_id = @template AND status <> 'cancelled'
                  AND coalesce(available_from, triggered_at) <= @answered
                  AND (agent_key = @actor OR subject = (SELECT 'p:' || person_id FROM person_agents WHERE tenant_id = @t AND agent_key = @actor))
                """, ("t", tenantId), ("at", db.Time(at)), ("task", db.Uuid(a.TaskId)), ("template", a.TemplateId), ("actor", a.ActorKey),
                ("answered", db.Time(a.AnsweredAt)), ("shared", a.Shared), ("prompt", a.PromptId), ("statement", db.Uuid(a.StatementId)), ("response", a.Response),
                ("score", a.Score));
            if (await command.ExecuteNonQueryAsync(ct) != 1) continue;
            await _events.AppendTaskEventsAsync(c, t, tenantId, EventTypes.ReflectionTaskAnswered, at, "t.id = @task", ct, ("task", db.Uuid(a.TaskId)));
            command.CommandText = """
                INSERT INTO reflection_answers (tenant_id, task_id, prompt_id, statement_id, response, answered_at, score)
                VALUES (@t, @task, @prompt, @statement, @response, @answered, @score)
                ON CONFLICT (tenant_id, task_id, prompt_id) DO UPDATE SET
                    statement_id = excluded.statement_id, response = excluded.response, answered_at = excluded.answered_at, score = excluded.score
                """;
            await command.ExecuteNonQueryAsync(ct);
        }
    }

    internal async Task VoidReflectionAsync(DbConnection c, DbTransaction t, long tenantId, Guid[] statementIds, DateTimeOffset at, CancellationToken ct)
    {
        // The tasks whose answers go are marked by updated = @at first, so the last step finds them once the answers are gone.
        await using var command = Dialect.Command(c, t, $"""
            UPDATE reflection_tasks SET status = 'cancelled', updated = @at WHERE tenant_id = @t AND statement_id{db.In("ids")} AND status = 'open';
            UPDATE reflection_tasks SET updated = @at
            WHERE tenant_id = @t AND id IN (SELECT task_id FROM reflection_answers WHERE tenant_id = @t AND statement_id{db.In("ids")});
            DELETE FROM reflection_answers WHERE tenant_id = @t AND statement_id{db.In("ids")};
            UPDATE reflection_tasks SET status = 'open', answered_at = NULL
            WHERE tenant_id = @t AND updated = @at AND status = 'answered' AND meeting_id IS NULL
              AND NOT EXISTS (SELECT 1 FROM reflection_answers a WHERE a.tenant_id = @t AND a.task_id = reflection_tasks.id);
            """, ("t", tenantId), ("at", db.Time(at)), ("ids", db.List(statementIds)));
        await command.ExecuteNonQueryAsync(ct);
        await _events.AppendTaskEventsAsync(c, t, tenantId, EventTypes.ReflectionTaskCancelled, at,
            $"t.status = 'cancelled' AND t.updated = @at AND t.statement_id{db.In("ids")}", ct, ("at", db.Time(at)), ("ids", db.List(statementIds)));
    }

    // ---- reads and group reflections ----

    /// <inheritdoc />
    public async Task<ReflectionTask?> GetAsync(long tenantId, Guid taskId, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        await using var command = Dialect.Command(connection, null, TaskColumns + " WHERE t.tenant_id = @t AND t.id = @id", ("t", tenantId), ("id", db.Uuid(taskId)));
        var tasks = await ReadTasksAsync(command, tenantId, ct);
        return tasks.Count == 0 ? null : tasks[0];
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<ReflectionTask>> ListAsync(long tenantId, ReflectionTaskQuery query, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        await using var command = Dialect.Command(connection, null, "", ("t", tenantId));
        var sql = new StringBuilder(TaskColumns).Append(" WHERE t.tenant_id = @t");
        void Filter(string condition, string name, object value)
        {
            sql.Append(" AND ").Append(condition);
            command.With(name, value);
        }
        if (query.PersonId is { } person) Filter($"t.agent_key IN ({AgentsOfPeople} = @person)", "person", person);
        if (query.UnitId is { } unit) Filter($"t.agent_key IN ({AgentsOfPeople} IN ({UnitMembers}))", "unit", unit);
        if (query.OrganisationId is { } organisation)
            Filter($"t.agent_key IN ({AgentsOfPeople} IN (SELECT id FROM people WHERE tenant_id = @t AND organisation_id = @org))", "org", organisation);
        if (query.AgentKey is { } agent) Filter("t.agent_key = @agent", "agent", agent);
        if (query.TemplateId is { } template) Filter("t.template_id = @template", "template", template);
        if (query.Status is { } status) Filter("t.status = @status", "status", ReflectionTaskStatuses.Name(status));
        if (query.OverdueAt is { } overdue) Filter("t.status = 'open' AND t.due_at < @overdue", "overdue", db.Time(overdue));
        if (query.AvailableAt is { } available) Filter("(t.available_from IS NULL OR t.available_from <= @available)", "available", db.Time(available));
        if (query.ChangedSince is { } since) Filter("t.updated > @since", "since", db.Time(since));
        if (query.After is { } after)
        {
            Filter("(t.updated, t.id) > (@au, @aid)", "au", db.Time(after.Updated));
            command.With("aid", db.Uuid(after.Id));
        }
        command.CommandText = sql.Append(" ORDER BY t.updated, t.id LIMIT @limit").ToString();
        command.With("limit", query.Limit);
        return await ReadTasksAsync(command, tenantId, ct);
    }

    private async Task<List<ReflectionTask>> ReadTasksAsync(DbCommand command, long tenantId, CancellationToken ct)
    {
        var tasks = await command.ListAsync(r => new ReflectionTask(db.Uuid(r, 0), r.GetString(1), r.GetString(2), r.StringOrNull(3),
            ReflectionRows.Agent(r.GetString(4)), ReflectionRows.ParseRegistration(r.GetString(5)), db.Uuid(r, 6),
            ReflectionRows.Training(r.StringOrNull(7)), db.Time(r, 8), db.Time(r, 9), db.Time(r, 10), db.Time(r, 11),
            ReflectionTaskStatuses.Parse(r.GetString(12)) ?? ReflectionTaskStatus.Cancelled, db.TimeOrNull(r, 13), r.GetBoolean(14),
            db.UuidOrNull(r, 15), [], db.Time(r, 16)), ct);
        if (tasks.Count == 0) return tasks;

        command.Parameters.Clear();
        command.CommandText = $"""
            SELECT task_id, prompt_id, statement_id, response, answered_at, score FROM reflection_answers
            WHERE tenant_id = @t AND task_id{db.In("ids")} ORDER BY answered_at, prompt_id{db.Binary}
            """;
        command.With("t", tenantId).With("ids", db.List(tasks.Select(x => x.Id)));
        var answers = await command.ListAsync(r => (db.Uuid(r, 0), new StoredAnswer(r.GetString(1), db.Uuid(r, 2), r.GetString(3), db.Time(r, 4), r.IsDBNull(5) ? null : r.GetDouble(5))), ct);
        return ReflectionRows.WithAnswers(tasks, answers);
    }

    /// <inheritdoc />
    public async Task<bool> RecordGroupReflectionAsync(long tenantId, GroupReflection reflection, CancellationToken ct)
    {
        await using var write = await db.BeginWriteAsync(null, ct);
        await using var command = write.Command("""
            INSERT INTO group_reflections (tenant_id, id, unit_id, held_at, facilitator, templates, attendees, notes, recorded)
            VALUES (@t, @id, @unit, @held, @facilitator, @templates, @attendees, @notes, @recorded)
            ON CONFLICT DO NOTHING
            """, ("t", tenantId), ("id", db.Uuid(reflection.Id)), ("unit", reflection.UnitId), ("held", db.Time(reflection.HeldAt)),
            ("facilitator", reflection.Facilitator.ToJsonString()), ("templates", ReflectionRows.TemplatesJson(reflection.TemplateIds)),
            ("attendees", ReflectionRows.AttendeesJson(reflection.Attendees)), ("notes", reflection.Notes), ("recorded", db.Time(reflection.Recorded)));
        if (await command.ExecuteNonQueryAsync(ct) == 0) return false;

        // The attendees' open tasks of the templates discussed, triggered before the meeting, count as answered at it.
        command.Parameters.Clear();
        command.CommandText = $"""
            UPDATE reflection_tasks SET status = 'answered', answered_at = @held, meeting_id = @id, updated = @recorded
            WHERE tenant_id = @t AND status = 'open' AND triggered_at <= @held AND template_id{db.In("templates")}
              AND (agent_key{db.In("keys")} OR agent_key IN ({AgentsOfPeople}{db.In("people")}))
            """;
        command.With("t", tenantId).With("id", db.Uuid(reflection.Id)).With("held", db.Time(reflection.HeldAt)).With("recorded", db.Time(reflection.Recorded))
            .With("templates", db.List(reflection.TemplateIds))
            .With("keys", db.List(reflection.Attendees.Select(a => AgentKey.Of(a.Agent)).OfType<string>()))
            .With("people", db.List(reflection.Attendees.Select(a => a.PersonId).OfType<string>()));
        await command.ExecuteNonQueryAsync(ct);
        await _events.AppendTaskEventsAsync(write.Connection, write.Transaction, tenantId, EventTypes.ReflectionTaskAnswered, reflection.Recorded,
            "t.meeting_id = @id AND t.updated = @recorded", ct, ("id", db.Uuid(reflection.Id)), ("recorded", db.Time(reflection.Recorded)));
        await write.CommitAsync(ct);
        return true;
    }

    private const string GroupColumns = "SELECT id, unit_id, held_at, facilitator, templates, attendees, notes, recorded FROM group_reflections";

    /// <inheritdoc />
    public async Task<GroupReflection?> GetGroupReflectionAsync(long tenantId, Guid id, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        await using var command = Dialect.Command(connection, null, GroupColumns + " WHERE tenant_id = @t AND id = @id", ("t", tenantId), ("id", db.Uuid(id)));
        return (await ReadGroupReflectionsAsync(command, ct)).FirstOrDefault();
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<GroupReflection>> GroupReflectionsAsync(long tenantId, string unitId, DateTimeOffset from, DateTimeOffset to, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        await using var command = Dialect.Command(connection, null,
            GroupColumns + " WHERE tenant_id = @t AND unit_id = @unit AND held_at >= @from AND held_at < @to ORDER BY held_at DESC, id",
            ("t", tenantId), ("unit", unitId), ("from", db.Time(from)), ("to", db.Time(to)));
        return await ReadGroupReflectionsAsync(command, ct);
    }

    private Task<List<GroupReflection>> ReadGroupReflectionsAsync(DbCommand command, CancellationToken ct) =>
        command.ListAsync(r => new GroupReflection(db.Uuid(r, 0), r.GetString(1), db.Time(r, 2), ReflectionRows.Agent(r.GetString(3)),
            ReflectionRows.ParseTemplates(r.GetString(4)), ReflectionRows.ParseAttendees(r.GetString(5)), r.StringOrNull(6), db.Time(r, 7)), ct);

    /// <inheritdoc />
    public async Task<UnitReflectionActivity> UnitActivityAsync(long tenantId, string unitId, DateTimeOffset from, DateTimeOffset to, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        const string members = $"{AgentsOfPeople} IN ({UnitMembers})";
        await using var command = Dialect.Command(connection, null, $"""
            SELECT min(achieved_at) FROM evidence WHERE tenant_id = @t AND retracted IS NULL AND achieved_at >= @from AND achieved_at < @to
              AND agent_key IN ({members}) GROUP BY statement_id
            """, ("t", tenantId), ("unit", unitId), ("from", db.Time(from)), ("to", db.Time(to)));
        var trainings = await command.ListAsync(r => db.Time(r, 0), ct);
        command.CommandText = $"""
            SELECT answered_at FROM reflection_tasks WHERE tenant_id = @t AND status = 'answered' AND answered_at >= @from AND answered_at < @to
              AND agent_key IN ({members})
            """;
        var answered = await command.ListAsync(r => db.Time(r, 0), ct);
        command.CommandText = "SELECT held_at, attendees FROM group_reflections WHERE tenant_id = @t AND unit_id = @unit AND held_at >= @from AND held_at < @to";
        var meetings = await command.ListAsync(r => (db.Time(r, 0), ReflectionRows.AttendeeCount(r.GetString(1))), ct);
        return new UnitReflectionActivity(trainings, answered, meetings);
    }
}
