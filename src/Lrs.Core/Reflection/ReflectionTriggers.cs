using System.Text.Json.Nodes;
using Lrs.Core.Competence;
using Lrs.Core.Xapi;

namespace Lrs.Core.Reflection;

/// <summary>
/// A reflection task that one statement calls for: template × person-agent. Storage turns it into a task unless one
/// exists already (see <see cref="ReflectionTriggers.Match"/> for the rule).
/// </summary>
/// <param name="TemplateId">The template (<see cref="ReflectionTemplate.Id"/>).</param>
/// <param name="AgentKey">The agent's key (<see cref="Xapi.AgentKey.Of(System.Text.Json.Nodes.JsonNode)"/>): the actor, a member of a Group actor, or the
/// agent of the evidence that triggered it.</param>
/// <param name="Registration">The statement's <c>context.registration</c>, if any: the attempt or course run the task
/// belongs to.</param>
/// <param name="StatementId">The triggering statement; voiding it cancels the task while it is unanswered, and answers
/// point at it (<c>context.statement</c>).</param>
/// <param name="TriggeredAt">The statement's timestamp (its <c>stored</c> when it has none).</param>
/// <param name="DueAt"><paramref name="AvailableFrom"/> plus the template's <see cref="ReflectionTemplate.DueIn"/>, on the
/// calendar (<see cref="IsoDuration.AddTo(DateTimeOffset, IsoDuration.Value)"/>).</param>
/// <param name="AvailableFrom">When the person is asked: <paramref name="TriggeredAt"/>, or for a follow-up question
/// <paramref name="TriggeredAt"/> plus the template's <see cref="ReflectionTemplate.Delay"/> (see <see cref="ReflectionTriggers.AvailableFrom"/>).</param>
public sealed record TaskTrigger(string TemplateId, string AgentKey, Guid? Registration, Guid StatementId,
    DateTimeOffset TriggeredAt, DateTimeOffset DueAt, DateTimeOffset AvailableFrom)
{
    /// <summary>A trigger from <paramref name="template"/> at <paramref name="triggeredAt"/>, available and due as the template says.</summary>
    public static TaskTrigger Of(ReflectionTemplate template, string agentKey, Guid? registration, Guid statementId, DateTimeOffset triggeredAt) =>
        new(template.Id, agentKey, registration, statementId, triggeredAt, ReflectionTriggers.DueAt(template, triggeredAt),
            ReflectionTriggers.AvailableFrom(template, triggeredAt));
}

/// <summary>
/// Finds the reflection tasks a statement calls for. It runs for every statement stored, in the statement's transaction,
/// right after <see cref="EvidenceExtractor.Extract"/>; so it looks templates up by verb and by competence in O(1), and
/// allocates nothing for a statement whose verb no trigger names and whose evidence no trigger asks for.
/// </summary>
public static class ReflectionTriggers
{
    /// <summary>
    /// The tasks <paramref name="statement"/> (a valid, prepared statement: it has id, timestamp, stored) calls for
    /// under <paramref name="framework"/>, given the <paramref name="evidence"/> that
    /// <see cref="EvidenceExtractor.Extract"/> found in that same statement.
    /// <list type="bullet">
    /// <item>A template with a competence trigger fires once for each <see cref="EvidenceFound"/> of that competence,
    /// for its agent, whether the evidence still waits for a sign-off or not: the reflection belongs right after the
    /// training, not after the supervisor's signature.</item>
    /// <item>A template with a verb × activity trigger fires when the statement's verb is one of the trigger's and its
    /// object is an Activity the trigger selects, once for the actor, or once for each identified member of a Group
    /// actor (<see cref="AgentKey.OfActor"/>).</item>
    /// </list>
    /// Results come competence triggers first (in evidence order, then template order), then verb × activity triggers
    /// (agent by agent, in template order). A template gives at most one result per agent key: evidence has at most one
    /// entry per competence and agent, and the actor's keys are distinct.
    /// <para>
    /// <b>Dedupe is storage's</b>: a task is created at most once per person, template and registration (statements
    /// without a registration share one). Several agent keys of one person, a second statement of the same attempt, or
    /// a statement sent again all give triggers here that storage must fold into the existing task, in the same
    /// transaction as the statement. The first trigger stored wins; later ones change nothing (not even the due date).
    /// </para>
    /// </summary>
    /// <param name="framework">The tenant's framework.</param>
    /// <param name="statement">The prepared statement.</param>
    /// <param name="evidence">What <see cref="EvidenceExtractor.Extract"/> found in it.</param>
    /// <param name="verb">The statement's verb IRI when the caller has it already (<see cref="PreparedStatement.Verb"/>);
    /// read from <paramref name="statement"/> when null. Reading it from a parsed statement allocates a string.</param>
    public static IReadOnlyList<TaskTrigger> Match(Framework framework, JsonObject statement, IReadOnlyList<EvidenceFound> evidence,
        string? verb = null)
    {
        if (framework.ReflectionTemplates.Count == 0) return [];

        List<TaskTrigger>? found = null;
        Guid statementId = default;
        Guid? registration = null;
        bool read = false;

        if (evidence.Count > 0 && framework.HasCompetenceTriggers)
        {
            for (var i = 0; i < evidence.Count; i++)
            {
                var e = evidence[i];
                var templates = framework.ReflectionTemplatesForCompetence(e.CompetenceId);
                for (var j = 0; j < templates.Count; j++)
                {
                    if (!read && !ReadStatement(statement, out statementId, out registration)) return [];
                    read = true;
                    var template = templates[j];
                    (found ??= []).Add(TaskTrigger.Of(template, e.AgentKey, registration, statementId, e.AchievedAt));
                }
            }
        }

        if (framework.HasStatementTriggers
            && (verb is not null || JsonRead.TryString(statement["verb"]?["id"], out verb))
            && framework.ReflectionTemplatesForVerb(verb) is { Count: > 0 } byVerb
            && ActivitySelection.TryReadActivity(statement, out var activityId, out var activityType))
        {
            // Templates of one verb are few; a small array of the ones that select the activity.
            ReflectionTemplate[]? selected = null;
            var selectedCount = 0;
            for (var i = 0; i < byVerb.Count; i++)
            {
                if (!byVerb[i].Trigger.Selects(activityId, activityType)) continue;
                (selected ??= new ReflectionTemplate[byVerb.Count])[selectedCount++] = byVerb[i];
            }
            if (selected is not null
                && (read || ReadStatement(statement, out statementId, out registration))
                && TriggeredAt(statement, out var at))
            {
                foreach (var key in AgentKey.OfActor(statement["actor"]))
                    for (var i = 0; i < selectedCount; i++)
                    {
                        (found ??= []).Add(TaskTrigger.Of(selected[i], key, registration, statementId, at));
                    }
            }
        }
        // Not `found ?? []` nor a conditional: either types the empty collection as a List and allocates one.
        if (found is null) return [];
        return found;
    }

    /// <summary>
    /// When a task triggered at <paramref name="triggeredAt"/> from <paramref name="template"/> is due:
    /// <see cref="AvailableFrom"/> plus <see cref="ReflectionTemplate.DueIn"/>, on the calendar of its own offset
    /// (<see cref="IsoDuration.AddTo(DateTimeOffset, IsoDuration.Value)"/>). A duration that does not parse (which
    /// <see cref="FrameworkDocument.Parse"/> never lets through) makes the task due at once rather than fail the write.
    /// </summary>
    public static DateTimeOffset DueAt(ReflectionTemplate template, DateTimeOffset triggeredAt)
    {
        var from = AvailableFrom(template, triggeredAt);
        return IsoDuration.TryParse(template.DueIn, out var dueIn) ? IsoDuration.AddTo(from, dueIn) : from;
    }

    /// <summary>
    /// When a task triggered at <paramref name="triggeredAt"/> is put to the person: at once for a reflection; for a
    /// follow-up question, <see cref="ReflectionTemplate.Delay"/> later, when the training has had time to be put into
    /// practice.
    /// </summary>
    public static DateTimeOffset AvailableFrom(ReflectionTemplate template, DateTimeOffset triggeredAt) =>
        template.IsFollowUp && IsoDuration.TryParse(template.Delay ?? "", out var delay) ? IsoDuration.AddTo(triggeredAt, delay) : triggeredAt;

    private static bool ReadStatement(JsonObject statement, out Guid id, out Guid? registration)
    {
        registration = JsonRead.TryString(statement["context"]?["registration"], out var r) && Guid.TryParse(r, out var g) ? g : null;
        id = JsonRead.TryString(statement["id"], out var text) && Guid.TryParse(text, out var parsed) ? parsed : Guid.Empty;
        return id != Guid.Empty;
    }

    private static bool TriggeredAt(JsonObject statement, out DateTimeOffset at) =>
        EvidenceExtractor.Time(statement["timestamp"], out at) || EvidenceExtractor.Time(statement["stored"], out at);
}
