using System.Globalization;
using System.Security.Claims;
using System.Text;
using System.Text.Json.Nodes;
using Lrs.Api.Auth;
using Lrs.Api.People;
using Lrs.Api.Xapi;
using Lrs.Core.Competence;
using Lrs.Core.Reflection;
using Lrs.Core.Storage;
using Lrs.Core.Xapi;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace Lrs.Api.Reflection;

/// <summary>
/// Reflection tasks: listed per person, unit, organisation, template and status; answered by the person, which stores
/// the answers as xAPI statements. Answer text is evaluative personal data: only a caller holding
/// <c>reflections:write</c> (the app the person reflects in) sees it; <c>reflections:read</c> (managers, HR) sees
/// statuses, counts and dates.
/// </summary>
public static class ReflectionTaskEndpoints
{
    /// <summary>The longest answer accepted, in characters.</summary>
    public const int MaxResponseLength = 10_000;

    public static IEndpointRouteBuilder MapReflectionTasks(this IEndpointRouteBuilder routes)
    {
        var api = routes.MapGroup("/api/reflection-tasks").WithTags("Reflection").RequireAuthorization().ProducesProblem(StatusCodes.Status403Forbidden);

        api.MapGet("/", ListTasks)
            .RequireScope(Scopes.ReflectionsRead, Scopes.ReflectionsWrite)
            .WithName("ListReflectionTasks")
            .WithSummary("Reflection tasks, per person, unit or status")
            .WithDescription("Tasks are created when a statement triggers a reflection template (evidence of its competence, or its verb × activity), " +
                "once per person, template and registration. Filters: `person`, `unit` (current members), `organisation`, `template`, " +
                "`status` (`open`, `answered`, `cancelled`, or `overdue`: open and past due), `changedSince` (created, answered or cancelled after it). " +
                "Ordered by last change, paged with `limit` (default 100, at most 1000) and the `more` link. A follow-up question (template kind " +
                "`follow-up`) is listed from its `availableFrom`, its template's `delay` after the training. " +
                "Answer text is included only for `reflections:write`; with `reflections:read` a task shows its status, dates and answer count. " +
                "A credential bound to an actor sees only that person's tasks; an organisation-restricted one only its employer's people's.");
        api.MapGet("/{id:guid}", GetTask)
            .RequireScope(Scopes.ReflectionsRead, Scopes.ReflectionsWrite)
            .WithName("GetReflectionTask")
            .WithSummary("One reflection task")
            .WithDescription("The task with its template's prompts and, for `reflections:write`, the answers.");
        api.MapPost("/{id:guid}/answers", AnswerTask)
            .RequireScope(Scopes.ReflectionsWrite)
            .WithName("AnswerReflectionTask")
            .WithSummary("Answers a reflection task")
            .WithDescription("Stores one xAPI statement per answer: the person's agent `answered` the prompt (a question activity " +
                "`https://lrsapi.se/xapi/reflection/templates/{template}/prompts/{prompt}`), `result.response` the text, `context.statement` the triggering " +
                "statement, the training as `contextActivities.parent`, the template as `grouping`, and the task id and the sharing choice as context extensions. " +
                "The task becomes `answered` in the same transaction. `sharedWithGroup` (default false) lets the unit's group reflection show the answers. " +
                "A task that is answered or cancelled already is a 409. At least one prompt, each at most once, each text 1 to 10,000 characters. " +
                "A follow-up question (template kind `follow-up`) is answered with a `score`, a whole number from 1 (not at all) to 5 (fully), and " +
                "optionally a `response`; its statement carries `result.score` (raw, min 1, max 5, scaled (raw − 1) / 4). Before its `availableFrom` " +
                "it is a 409; a missing or out-of-range score is a 400, and a score on a reflection is a 400 too.");
        return routes;
    }

    /// <summary>A prompt of a task's template.</summary>
    public sealed record PromptView(string Id, LocalizedText Text);

    /// <summary>An answer; its text and score only for callers that may read it.</summary>
    public sealed record AnswerView(string PromptId, string? Response, Guid StatementId, DateTimeOffset AnsweredAt, double? Score);

    /// <summary>A training activity: its IRI and name.</summary>
    public sealed record TrainingView(string Id, JsonObject? Name);

    /// <summary>
    /// A reflection task. <c>answers</c> is null when the caller may not read answer text; <c>answerCount</c> is always given.
    /// </summary>
    public sealed record TaskView(Guid Id, string TemplateId, LocalizedText? Title, string? Mode, string? PersonId, JsonObject Agent, Guid? Registration,
        Guid TriggeringStatementId, TrainingView? Training, DateTimeOffset TriggeredAt, DateTimeOffset DueAt, string Status, bool Overdue,
        DateTimeOffset? AnsweredAt, bool SharedWithGroup, Guid? GroupReflectionId, IReadOnlyList<PromptView> Prompts, int AnswerCount,
        IReadOnlyList<AnswerView>? Answers, DateTimeOffset Updated, string? Kind, DateTimeOffset AvailableFrom);

    /// <summary>A page of tasks.</summary>
    public sealed record TaskPage(IReadOnlyList<TaskView> Tasks, string? More);

    /// <summary>Query parameters of the task list.</summary>
    public sealed record TaskListQuery(
        [FromQuery(Name = "person")] string? Person, [FromQuery(Name = "unit")] string? Unit, [FromQuery(Name = "organisation")] string? Organisation,
        [FromQuery(Name = "template")] string? Template, [FromQuery(Name = "status")] string? Status, [FromQuery(Name = "changedSince")] DateTimeOffset? ChangedSince,
        [FromQuery(Name = "limit")] int? Limit, [FromQuery(Name = "cursor")] string? Cursor);

    /// <summary>One answer in a request.</summary>
    public sealed record AnswerInput(string? PromptId, string? Response, int? Score);

    /// <summary>The answers to a task.</summary>
    public sealed record AnswersInput(IReadOnlyList<AnswerInput>? Answers, bool? SharedWithGroup);

    public static async Task<Results<Ok<TaskPage>, ProblemHttpResult>> ListTasks([AsParameters] TaskListQuery query, ClaimsPrincipal user,
        IReflectionStore store, IPeopleStore people, ICompetenceStore competence, TimeProvider time, CancellationToken ct)
    {
        var limit = query.Limit ?? 100;
        if (limit is < 1 or > PeopleEndpoints.MaxLimit) return BadQuery("Invalid limit", $"limit is between 1 and {PeopleEndpoints.MaxLimit}.");
        var now = time.GetUtcNow();
        ReflectionTaskStatus? status = null;
        DateTimeOffset? overdueAt = null;
        if (query.Status == "overdue") overdueAt = now;
        else if (query.Status is not null && (status = ReflectionTaskStatuses.Parse(query.Status)) is null)
            return BadQuery("Invalid status", $"status '{query.Status}' is not one of open, answered, cancelled, overdue.");
        (DateTimeOffset, Guid)? after = null;
        if (query.Cursor is { } cursor)
        {
            if (ParseCursor(cursor) is not { } position) return BadQuery("Invalid cursor", "cursor is not one this API gave; follow the `more` link as given.");
            after = position;
        }
        var tenant = user.TenantId();
        var restricted = user.RestrictedOrganisation();
        if (restricted is not null && query.Organisation is { } asked && asked != restricted) return TypedResults.Ok(new TaskPage([], null));
        var (ownPerson, ownAgent) = await OwnAsync(user, people, ct);

        var tasks = await store.ListAsync(tenant, new ReflectionTaskQuery(
            PersonId: ownPerson ?? query.Person, UnitId: query.Unit, OrganisationId: query.Organisation ?? restricted,
            AgentKey: ownPerson is null ? ownAgent : null, TemplateId: query.Template, Status: status, OverdueAt: overdueAt,
            ChangedSince: query.ChangedSince, After: after, Limit: limit + 1, AvailableAt: now), ct);
        // A bound person asking for someone else's tasks gets none.
        if (ownPerson is not null && query.Person is { } other && other != ownPerson) tasks = [];

        var page = tasks.Count > limit ? tasks.Take(limit).ToList() : tasks;
        var framework = (await competence.GetFrameworkAsync(tenant, ct)).Framework;
        var text = MaySeeText(user);
        string? more = null;
        if (tasks.Count > limit)
        {
            var last = page[^1];
            more = "/api/reflection-tasks" + QueryString.Create(new Dictionary<string, string?>
            {
                ["person"] = query.Person, ["unit"] = query.Unit, ["organisation"] = query.Organisation, ["template"] = query.Template,
                ["status"] = query.Status, ["changedSince"] = query.ChangedSince?.ToString("O"),
                ["limit"] = limit.ToString(CultureInfo.InvariantCulture), ["cursor"] = Cursor(last.Updated, last.Id),
            }.Where(kv => kv.Value is not null));
        }
        return TypedResults.Ok(new TaskPage([.. page.Select(t => View(t, framework, now, text))], more));
    }

    public static async Task<Results<Ok<TaskView>, ProblemHttpResult>> GetTask(Guid id, ClaimsPrincipal user, IReflectionStore store, IPeopleStore people,
        ICompetenceStore competence, TimeProvider time, CancellationToken ct)
    {
        var tenant = user.TenantId();
        if (await EmployerScope.VisibleTaskAsync(id, user, store, people, ct) is not { } task) return NoSuchTask(id);
        var framework = (await competence.GetFrameworkAsync(tenant, ct)).Framework;
        return TypedResults.Ok(View(task, framework, time.GetUtcNow(), MaySeeText(user)));
    }

    public static async Task<Results<Ok<TaskView>, ValidationProblem, ProblemHttpResult>> AnswerTask(Guid id, HttpRequest request, ClaimsPrincipal user,
        IReflectionStore store, IPeopleStore people, ICompetenceStore competence, StatementWriter statements, TimeProvider time, CancellationToken ct)
    {
        var tenant = user.TenantId();
        if (await EmployerScope.VisibleTaskAsync(id, user, store, people, ct) is not { } task) return NoSuchTask(id);
        var (body, problem) = await PeopleEndpoints.ReadJsonAsync(request, ct);
        if (problem is not null) return problem;
        var framework = (await competence.GetFrameworkAsync(tenant, ct)).Framework;
        if (framework.FindReflectionTemplate(task.TemplateId) is not { } template)
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Template removed",
                detail: $"The task's template '{task.TemplateId}' is no longer in the framework; its prompts cannot be answered.");
        var errors = new List<ValidationError>();
        var (answers, shared) = ReadAnswers(body, template, errors);
        if (errors.Count > 0) return PeopleEndpoints.Invalid("Invalid answers", errors);
        if (task.Status != ReflectionTaskStatus.Open)
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Not open",
                detail: $"The task is {ReflectionTaskStatuses.Name(task.Status)}; only an open task can be answered.");
        var now = time.GetUtcNow();
        if (!task.IsAvailable(now))
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Not asked yet",
                detail: $"This follow-up question is put to the person from {task.AvailableFrom:O}; it cannot be answered before.");

        var built = ReflectionStatements.Answer(new AnsweredTask(task.Id, template, task.StatementId, task.Training, task.Registration),
            task.Agent, answers, shared, now);
        if (await StoreAsync(statements, user, built, Hosting.StatementSources.Answer, ct) is { } refused) return refused;
        var stored = await store.GetAsync(tenant, id, ct);
        return TypedResults.Ok(View(stored!, framework, now, MaySeeText(user)));
    }

    /// <summary>
    /// Stores statements the API builds (1.0.3), as the caller (its authority), in one batch: through the same writer as
    /// <c>POST /xapi/statements</c>, so evidence, tasks and answers are recorded in their transaction.
    /// A problem when the store refused them (a statement with one of their ids exists and differs).
    /// </summary>
    internal static async Task<ProblemHttpResult?> StoreAsync(StatementWriter statements, ClaimsPrincipal user, IReadOnlyList<JsonObject> built, string source, CancellationToken ct)
    {
        var conflict = await statements.WriteBuiltAsync(user.TenantId(), (JsonObject)JsonNode.Parse(user.AuthorityJson())!, built, source, ct);
        return conflict is { } id
            ? TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Statement conflict",
                detail: $"A different statement with id {id} is stored already; nothing was stored.")
            : null;
    }

    private static (List<PromptAnswer> Answers, bool Shared) ReadAnswers(JsonNode? body, ReflectionTemplate template, List<ValidationError> errors)
    {
        var answers = new List<PromptAnswer>();
        var shared = false;
        if (body is not JsonObject o)
        {
            errors.Add(new ValidationError("$", "The body is an object with `answers` and optionally `sharedWithGroup`."));
            return (answers, shared);
        }
        foreach (var (name, _) in o)
            if (name is not ("answers" or "sharedWithGroup")) errors.Add(new ValidationError($"$.{name}", "Unknown property."));
        if (o["sharedWithGroup"] is { } s)
        {
            if (s is JsonValue v && v.TryGetValue<bool>(out var b)) shared = b;
            else errors.Add(new ValidationError("$.sharedWithGroup", "sharedWithGroup is true or false."));
        }
        if (o["answers"] is not JsonArray list || list.Count == 0)
        {
            errors.Add(new ValidationError("$.answers", "answers is a non-empty array of { promptId, response }."));
            return (answers, shared);
        }
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < list.Count; i++)
        {
            var path = $"$.answers[{i}]";
            if (list[i] is not JsonObject a) { errors.Add(new ValidationError(path, "An answer is an object { promptId, response }.")); continue; }
            foreach (var (name, _) in a)
                if (name is not ("promptId" or "response" or "score")) errors.Add(new ValidationError($"{path}.{name}", "Unknown property."));
            var promptOk = Str(a["promptId"], out var promptId);
            if (!promptOk) errors.Add(new ValidationError($"{path}.promptId", "promptId is a string."));
            else if (template.FindPrompt(promptId) is null)
                errors.Add(new ValidationError($"{path}.promptId", $"The template '{template.Id}' has no prompt '{promptId}'; it has {string.Join(", ", template.Prompts.Select(p => p.Id))}."));
            else if (!seen.Add(promptId)) errors.Add(new ValidationError($"{path}.promptId", $"The prompt '{promptId}' is answered twice."));
            int? score = null;
            if (template.IsFollowUp)
            {
                if (a["score"] is JsonValue v && v.GetValueKind() == System.Text.Json.JsonValueKind.Number && v.TryGetValue<double>(out var given)
                    && ReflectionTemplate.IsScore(given)) score = (int)given;
                else errors.Add(new ValidationError($"{path}.score",
                    $"A follow-up question is answered with score, a whole number from {ReflectionTemplate.MinScore} to {ReflectionTemplate.MaxScore}."));
            }
            else if (a["score"] is not null)
                errors.Add(new ValidationError($"{path}.score", $"score answers a follow-up question; '{template.Id}' is a reflection, answered in words."));
            string? response = null;
            // The words are optional on a follow-up question only.
            if (a["response"] is not null || !template.IsFollowUp)
            {
                if (!Str(a["response"], out var text) || text.Trim().Length == 0)
                    errors.Add(new ValidationError($"{path}.response", "response is a non-empty string."));
                else if (text.Length > MaxResponseLength)
                    errors.Add(new ValidationError($"{path}.response", $"response is at most {MaxResponseLength} characters; this one has {text.Length}."));
                else response = text;
            }
            if (promptOk && (response is not null || score is not null) && errors.Count == 0) answers.Add(new PromptAnswer(promptId, response, score));
        }
        return (answers, shared);
    }

    /// <summary>Whether the caller may read answer text: only the app people reflect in holds <c>reflections:write</c>.</summary>
    internal static bool MaySeeText(ClaimsPrincipal user) => user.Has(Scopes.ReflectionsWrite);

    /// <summary>
    /// A credential bound to an actor acts as that person: the person (when the agent belongs to one) and the agent key.
    /// Both null for any other credential.
    /// </summary>
    internal static async Task<(string? Person, string? Agent)> OwnAsync(ClaimsPrincipal user, IPeopleStore people, CancellationToken ct)
    {
        if (BoundAccess.Of(user).ActorKey is not { } key) return (null, null);
        return (await people.PersonOfAgentAsync(user.TenantId(), key, ct), key);
    }

    internal static TaskView View(ReflectionTask task, Framework framework, DateTimeOffset now, bool withText)
    {
        var template = framework.FindReflectionTemplate(task.TemplateId);
        var order = template?.Prompts.Select((p, i) => (p.Id, i)).ToDictionary(x => x.Id, x => x.i) ?? [];
        var answers = withText
            ? task.Answers.OrderBy(a => order.GetValueOrDefault(a.PromptId, int.MaxValue))
                .Select(a => new AnswerView(a.PromptId, a.Response.Length == 0 ? null : a.Response, a.StatementId, a.AnsweredAt, a.Score)).ToList()
            : null;
        var training = task.Training is { } t && Str(t["id"], out var trainingId)
            ? new TrainingView(trainingId, t["definition"]?["name"]?.DeepClone() as JsonObject)
            : null;
        return new TaskView(task.Id, task.TemplateId, template?.Title, template is null ? null : FrameworkDocument.ModeName(template.Mode), task.PersonId, task.Agent,
            task.Registration, task.StatementId, training, task.TriggeredAt, task.DueAt, ReflectionTaskStatuses.Name(task.Status), task.IsOverdue(now),
            task.AnsweredAt, task.SharedWithGroup, task.MeetingId, [.. (template?.Prompts ?? []).Select(p => new PromptView(p.Id, p.Text))],
            task.Answers.Count, answers, task.Updated, template is null ? null : FrameworkDocument.KindName(template.Kind), task.AvailableFrom);
    }

    private static string Cursor(DateTimeOffset updated, Guid id) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes($"{updated.UtcTicks}:{id:N}")).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static (DateTimeOffset, Guid)? ParseCursor(string cursor)
    {
        try
        {
            var padded = cursor.Replace('-', '+').Replace('_', '/');
            padded += new string('=', (4 - padded.Length % 4) % 4);
            var parts = Encoding.UTF8.GetString(Convert.FromBase64String(padded)).Split(':');
            if (parts.Length == 2 && long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var ticks)
                && ticks >= DateTimeOffset.MinValue.UtcTicks && ticks <= DateTimeOffset.MaxValue.UtcTicks && Guid.TryParseExact(parts[1], "N", out var id))
                return (new DateTimeOffset(ticks, TimeSpan.Zero), id);
        }
        catch (FormatException) { }
        return null;
    }

    internal static bool Str(JsonNode? node, out string value)
    {
        value = "";
        if (node is not JsonValue v || !v.TryGetValue<string>(out var s)) return false;
        value = s;
        return true;
    }

    private static ProblemHttpResult NoSuchTask(Guid id) =>
        PeopleEndpoints.NotFound("No such task", $"There is no reflection task with id {id} that this credential may see.");

    private static ProblemHttpResult BadQuery(string title, string detail) =>
        TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: title, detail: detail);
}
