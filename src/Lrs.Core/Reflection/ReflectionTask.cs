using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Lrs.Core.Xapi;

namespace Lrs.Core.Reflection;

/// <summary>Where a reflection task stands. JSON names: <c>open</c>, <c>answered</c>, <c>cancelled</c>.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<ReflectionTaskStatus>))]
public enum ReflectionTaskStatus
{
    /// <summary>Waiting for the person's answers (overdue once its due date passed).</summary>
    [JsonStringEnumMemberName("open")] Open,
    /// <summary>Answered by the person, or discussed at a group reflection the person attended.</summary>
    [JsonStringEnumMemberName("answered")] Answered,
    /// <summary>The triggering statement was voided before the task was answered.</summary>
    [JsonStringEnumMemberName("cancelled")] Cancelled,
}

/// <summary>The JSON (and stored) names of <see cref="ReflectionTaskStatus"/>.</summary>
public static class ReflectionTaskStatuses
{
    /// <summary><c>open</c>, <c>answered</c> or <c>cancelled</c>.</summary>
    public static string Name(ReflectionTaskStatus status) => status switch
    {
        ReflectionTaskStatus.Open => "open",
        ReflectionTaskStatus.Answered => "answered",
        _ => "cancelled",
    };

    /// <summary>The status of that name; null for any other text.</summary>
    public static ReflectionTaskStatus? Parse(string? name) => name switch
    {
        "open" => ReflectionTaskStatus.Open,
        "answered" => ReflectionTaskStatus.Answered,
        "cancelled" => ReflectionTaskStatus.Cancelled,
        _ => null,
    };
}

/// <summary>One answer of a task as stored: the prompt, the statement that carries it, the text.</summary>
/// <param name="PromptId">The prompt answered.</param>
/// <param name="StatementId">The <c>answered</c> statement.</param>
/// <param name="Response">The text (<c>result.response</c>), empty when a follow-up answer gave none. Evaluative personal
/// data: shown only to callers allowed to.</param>
/// <param name="AnsweredAt">The statement's timestamp.</param>
/// <param name="Score">The score of a follow-up question; null for a reflection.</param>
public sealed record StoredAnswer(string PromptId, Guid StatementId, string Response, DateTimeOffset AnsweredAt, double? Score = null);

/// <summary>
/// A reflection task: a template's prompts put to one person (through one of their agents) after a training.
/// Created by the statement store in the triggering statement's transaction (<see cref="ReflectionTriggers"/>), at most
/// once per person, template and registration.
/// </summary>
/// <param name="Id">The task's id.</param>
/// <param name="TemplateId">The template.</param>
/// <param name="AgentKey">The agent the task was triggered for.</param>
/// <param name="PersonId">The person that agent belongs to now; null when it belongs to nobody known.</param>
/// <param name="Agent">The agent as it appeared in the triggering statement (the actor of the answers).</param>
/// <param name="Registration">The triggering statement's registration, if any.</param>
/// <param name="StatementId">The triggering statement.</param>
/// <param name="Training">The training activity (the triggering statement's object), if it was an Activity.</param>
/// <param name="TriggeredAt">The triggering statement's timestamp.</param>
/// <param name="DueAt">When the answers are due.</param>
/// <param name="Created">When the task was stored.</param>
/// <param name="Updated">When the task last changed (creation, answer, cancellation, group reflection).</param>
/// <param name="Status">Open, answered or cancelled.</param>
/// <param name="AnsweredAt">When it was first answered (or discussed at a group reflection).</param>
/// <param name="SharedWithGroup">Whether the person shares the answers with their unit's group reflection.</param>
/// <param name="MeetingId">The group reflection it was discussed at, if any.</param>
/// <param name="Answers">The answers, in prompt order of storage.</param>
/// <param name="AvailableFrom">When the task is put to the person: <paramref name="TriggeredAt"/>, or for a follow-up question
/// after its delay (<see cref="ReflectionTriggers.AvailableFrom"/>).</param>
public sealed record ReflectionTask(Guid Id, string TemplateId, string AgentKey, string? PersonId, JsonObject Agent, Guid? Registration,
    Guid StatementId, JsonObject? Training, DateTimeOffset TriggeredAt, DateTimeOffset DueAt, DateTimeOffset Created, DateTimeOffset Updated,
    ReflectionTaskStatus Status, DateTimeOffset? AnsweredAt, bool SharedWithGroup, Guid? MeetingId, IReadOnlyList<StoredAnswer> Answers,
    DateTimeOffset AvailableFrom)
{
    /// <summary>Whether the task has been put to the person at <paramref name="now"/>.</summary>
    public bool IsAvailable(DateTimeOffset now) => AvailableFrom <= now;

    /// <summary>Open and past its due date at <paramref name="now"/>.</summary>
    public bool IsOverdue(DateTimeOffset now) => Status == ReflectionTaskStatus.Open && DueAt < now;
}

/// <summary>An answer found in a stored statement: the task it names, its prompt, who gave it.</summary>
/// <param name="TaskId">The task (the <see cref="ReflectionStatements.ReflectionTaskExtension"/> extension).</param>
/// <param name="TemplateId">The template the question activity belongs to.</param>
/// <param name="PromptId">The prompt.</param>
/// <param name="StatementId">The answering statement.</param>
/// <param name="ActorKey">The answering actor's key; only the task's person may answer it.</param>
/// <param name="Response">The text; empty when the statement has none.</param>
/// <param name="Shared">Whether the answer is shared with the group.</param>
/// <param name="AnsweredAt">The statement's timestamp.</param>
/// <param name="Score"><c>result.score.raw</c>, if any: the score of a follow-up question.</param>
public sealed record AnswerFound(Guid TaskId, string TemplateId, string PromptId, Guid StatementId, string ActorKey, string Response, bool Shared,
    DateTimeOffset AnsweredAt, double? Score = null)
{
    private static readonly string TemplatesPrefix = ReflectionStatements.TemplateActivityId("");

    /// <summary>
    /// The answer in <paramref name="statement"/> (a prepared statement), or null when it is not one: verb
    /// <c>answered</c>, object a prompt's question activity (<see cref="ReflectionStatements.PromptActivityId"/>), the task
    /// id in the <see cref="ReflectionStatements.ReflectionTaskExtension"/> context extension, an identified actor and a
    /// string <c>result.response</c> or a numeric <c>result.score.raw</c> (whether the template accepts it is
    /// <see cref="ReflectionTemplate.Accepts"/>'s to say).
    /// </summary>
    public static AnswerFound? Recognise(JsonObject statement, string? verb = null)
    {
        if (verb is null && !JsonRead.TryString(statement["verb"]?["id"], out verb)) return null;
        if (verb != ReflectionStatements.AnsweredVerb) return null;
        if (!JsonRead.TryString(statement["object"]?["id"], out var objectId) || !objectId.StartsWith(TemplatesPrefix, StringComparison.Ordinal)) return null;
        var rest = objectId.AsSpan(TemplatesPrefix.Length);
        var cut = rest.IndexOf("/prompts/", StringComparison.Ordinal);
        if (cut <= 0) return null;
        var templateId = rest[..cut].ToString();
        var promptId = rest[(cut + "/prompts/".Length)..].ToString();
        if (promptId.Length == 0 || promptId.Contains('/')) return null;
        var extensions = statement["context"]?["extensions"];
        if (!JsonRead.TryString(extensions?[ReflectionStatements.ReflectionTaskExtension], out var taskText) || !Guid.TryParse(taskText, out var taskId)) return null;
        var hasResponse = JsonRead.TryString(statement["result"]?["response"], out var response);
        double? score = JsonRead.TryNumber(statement["result"]?["score"]?["raw"], out var raw) ? raw : null;
        if (!hasResponse && score is null) return null;
        if (AgentKey.Of(statement["actor"]) is not { } actorKey) return null;
        if (!JsonRead.TryString(statement["id"], out var idText) || !Guid.TryParse(idText, out var id)) return null;
        var shared = extensions?[ReflectionStatements.SharedWithGroupExtension] is JsonValue v && v.TryGetValue<bool>(out var b) && b;
        if (!(Competence.EvidenceExtractor.Time(statement["timestamp"], out var at) || Competence.EvidenceExtractor.Time(statement["stored"], out at))) return null;
        return new AnswerFound(taskId, templateId, promptId, id, actorKey, hasResponse ? response : "", shared, at, score);
    }
}

/// <summary>What to list: filters are combined with AND.</summary>
/// <param name="PersonId">Only tasks of this person's agents.</param>
/// <param name="UnitId">Only tasks of the unit's current members.</param>
/// <param name="OrganisationId">Only tasks of this employer's people (a filter or the caller's restriction).</param>
/// <param name="AgentKey">Only tasks of this agent (a credential bound to an actor).</param>
/// <param name="TemplateId">Only tasks of this template.</param>
/// <param name="Status">Only tasks in this status.</param>
/// <param name="OverdueAt">Only open tasks due before this time.</param>
/// <param name="ChangedSince">Only tasks changed (created, answered, cancelled) after this time.</param>
/// <param name="AvailableAt">Only tasks put to the person by this time (a follow-up question is not, before its delay).</param>
/// <param name="After">Keyset position: the (updated, id) of the last task of the previous page.</param>
/// <param name="Limit">At most this many tasks.</param>
public sealed record ReflectionTaskQuery(string? PersonId = null, string? UnitId = null, string? OrganisationId = null, string? AgentKey = null,
    string? TemplateId = null, ReflectionTaskStatus? Status = null, DateTimeOffset? OverdueAt = null, DateTimeOffset? ChangedSince = null,
    (DateTimeOffset Updated, Guid Id)? After = null, int Limit = 100, DateTimeOffset? AvailableAt = null);
