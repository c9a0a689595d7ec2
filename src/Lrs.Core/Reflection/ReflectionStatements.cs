using System.Globalization;
using System.Text.Json.Nodes;
using Lrs.Core.Competence;
using Lrs.Core.Xapi;

namespace Lrs.Core.Reflection;

/// <summary>A person's answer to one prompt of a reflection task.</summary>
/// <param name="PromptId">The prompt (<see cref="ReflectionPrompt.Id"/>) of the task's template.</param>
/// <param name="Response">The answer text, as written; may be null for a follow-up question.</param>
/// <param name="Score">The score of a follow-up question (<see cref="ReflectionTemplate.MinScore"/> to
/// <see cref="ReflectionTemplate.MaxScore"/>); null for a reflection.</param>
public sealed record PromptAnswer(string PromptId, string? Response, int? Score = null);

/// <summary>The reflection task that answers belong to, as their statements refer to it.</summary>
/// <param name="TaskId">The task's id (in the <see cref="ReflectionStatements.ReflectionTaskExtension"/> extension).</param>
/// <param name="Template">The task's template.</param>
/// <param name="TriggeringStatementId">The statement that created the task (<see cref="TaskTrigger.StatementId"/>).</param>
/// <param name="Training">The training activity: the triggering statement's object (see
/// <see cref="ReflectionStatements.TrainingActivity"/>); null when not known.</param>
/// <param name="Registration">The task's registration (<see cref="TaskTrigger.Registration"/>), if any.</param>
public sealed record AnsweredTask(Guid TaskId, ReflectionTemplate Template, Guid TriggeringStatementId, JsonObject? Training,
    Guid? Registration);

/// <summary>
/// The xAPI statements that reflection produces, so that any LRS consumer sees reflection as it sees training:
/// answers (<see cref="Answer"/>) and attendance at a workplace meeting's group reflection (<see cref="GroupAttendance"/>).
/// Every statement built is valid xAPI 1.0.3 (and 2.0); it has no id, <c>stored</c>, <c>authority</c> or
/// <c>version</c>, which the LRS sets when it stores it (<see cref="StatementPreparer"/>). The project's own IRIs live
/// under <see cref="Namespace"/>.
/// </summary>
public static class ReflectionStatements
{
    /// <summary>The project's IRI namespace for its own activities, extensions and identifiers.</summary>
    public const string Namespace = "https://lrsapi.se/xapi/";

    /// <summary>The verb of an answer: <c>http://adlnet.gov/expapi/verbs/answered</c>.</summary>
    public const string AnsweredVerb = "http://adlnet.gov/expapi/verbs/answered";

    /// <summary>The verb of attending a workplace meeting: <c>http://adlnet.gov/expapi/verbs/attended</c>.</summary>
    public const string AttendedVerb = "http://adlnet.gov/expapi/verbs/attended";

    /// <summary>The activity type of a prompt: <c>http://adlnet.gov/expapi/activities/question</c>.</summary>
    public const string QuestionType = "http://adlnet.gov/expapi/activities/question";

    /// <summary>The activity type of a workplace meeting: <c>http://adlnet.gov/expapi/activities/meeting</c>.</summary>
    public const string MeetingType = "http://adlnet.gov/expapi/activities/meeting";

    /// <summary>Context extension of an answer: the reflection task's id (a UUID string).</summary>
    public const string ReflectionTaskExtension = Namespace + "extensions/reflection-task";

    /// <summary>Context extension of an answer: whether the person shares the answer with their group (a boolean).</summary>
    public const string SharedWithGroupExtension = Namespace + "extensions/shared-with-group";

    /// <summary>The <c>account.homePage</c> of a unit as an identified Group (the team of a workplace meeting); the
    /// account name is the unit's id.</summary>
    public const string UnitsHomePage = Namespace + "units";

    /// <summary>The activity IRI of a reflection template: <c>https://lrsapi.se/xapi/reflection/templates/{templateId}</c>.</summary>
    public static string TemplateActivityId(string templateId) => Namespace + "reflection/templates/" + templateId;

    /// <summary>The activity IRI of a prompt:
    /// <c>https://lrsapi.se/xapi/reflection/templates/{templateId}/prompts/{promptId}</c>.</summary>
    public static string PromptActivityId(string templateId, string promptId) => TemplateActivityId(templateId) + "/prompts/" + promptId;

    /// <summary>The activity IRI of a workplace meeting: <c>https://lrsapi.se/xapi/reflection/meetings/{meetingId}</c>.</summary>
    public static string MeetingActivityId(Guid meetingId) => Namespace + "reflection/meetings/" + meetingId.ToString("D");

    /// <summary>
    /// The training a statement was about: its object when that is an Activity (id and definition, as sent), else null.
    /// </summary>
    public static JsonObject? TrainingActivity(JsonObject statement)
    {
        if (!ActivitySelection.TryReadActivity(statement, out var id, out _)) return null;
        var activity = new JsonObject { ["objectType"] = "Activity", ["id"] = id };
        if (statement["object"]?["definition"] is JsonObject definition) activity["definition"] = definition.DeepClone();
        return activity;
    }

    /// <summary>
    /// One statement per answer, in the order given: <paramref name="agent"/> <c>answered</c> the prompt, a question
    /// activity (<see cref="PromptActivityId"/>, type <see cref="QuestionType"/>, interaction type <c>long-fill-in</c>, or
    /// <c>other</c> for a follow-up question, the prompt's text as name and description in sv-SE and en-US), with
    /// <c>result.response</c> = the text, if any, <c>result.score</c> = the score of a follow-up question (raw 1 to 5, min 1,
    /// max 5, scaled (raw − 1) / 4), and a
    /// context that carries: <c>statement</c> = a StatementRef to the triggering statement; <c>contextActivities.parent</c>
    /// = the training, when known; <c>contextActivities.grouping</c> = the template (<see cref="TemplateActivityId"/>);
    /// <c>registration</c> = the task's, if any; extensions <see cref="ReflectionTaskExtension"/> = the task id and
    /// <see cref="SharedWithGroupExtension"/> = <paramref name="sharedWithGroup"/>.
    /// </summary>
    /// <param name="task">The task answered.</param>
    /// <param name="agent">The person's agent, the actor of every statement.</param>
    /// <param name="answers">The answers, at most one per prompt.</param>
    /// <param name="sharedWithGroup">Whether the person shares these answers with their group.</param>
    /// <param name="timestamp">When the answers were given (every statement's <c>timestamp</c>).</param>
    /// <exception cref="ArgumentException">An answer names a prompt the template does not have, or a prompt twice.</exception>
    public static IReadOnlyList<JsonObject> Answer(AnsweredTask task, JsonObject agent, IReadOnlyList<PromptAnswer> answers,
        bool sharedWithGroup, DateTimeOffset timestamp)
    {
        var template = task.Template;
        var statements = new List<JsonObject>(answers.Count);
        for (var i = 0; i < answers.Count; i++)
        {
            var answer = answers[i];
            var prompt = template.FindPrompt(answer.PromptId)
                ?? throw new ArgumentException($"The template '{template.Id}' has no prompt '{answer.PromptId}'.", nameof(answers));
            for (var j = 0; j < i; j++)
                if (answers[j].PromptId == answer.PromptId)
                    throw new ArgumentException($"The prompt '{answer.PromptId}' is answered twice.", nameof(answers));

            var contextActivities = new JsonObject();
            if (task.Training is { } training) contextActivities["parent"] = new JsonArray(training.DeepClone());
            contextActivities["grouping"] = new JsonArray(TemplateActivity(template));
            var context = new JsonObject();
            if (task.Registration is { } registration) context["registration"] = registration.ToString("D");
            context["contextActivities"] = contextActivities;
            context["statement"] = new JsonObject { ["objectType"] = "StatementRef", ["id"] = task.TriggeringStatementId.ToString("D") };
            context["extensions"] = new JsonObject
            {
                [ReflectionTaskExtension] = task.TaskId.ToString("D"),
                [SharedWithGroupExtension] = sharedWithGroup,
            };

            statements.Add(new JsonObject
            {
                ["actor"] = agent.DeepClone(),
                ["verb"] = Verb(AnsweredVerb, "svarade på", "answered"),
                ["object"] = new JsonObject
                {
                    ["objectType"] = "Activity",
                    ["id"] = PromptActivityId(template.Id, prompt.Id),
                    ["definition"] = new JsonObject
                    {
                        ["name"] = LanguageMap(prompt.Text),
                        ["description"] = LanguageMap(prompt.Text),
                        ["type"] = QuestionType,
                        // A follow-up answer is a score with optional words: no single interaction type of xAPI's fits it.
                        ["interactionType"] = template.IsFollowUp ? "other" : "long-fill-in",
                    },
                },
                ["result"] = Result(answer),
                ["context"] = context,
                ["timestamp"] = XapiTimestamp.ToUtcString(timestamp),
            });
        }
        return statements;
    }

    // The score of a follow-up answer is on the scale 1 to 5, scaled to 0..1 from its minimum, so that 3 is 0.5.
    private static JsonObject Result(PromptAnswer answer)
    {
        var result = new JsonObject();
        if (answer.Score is { } score)
            result["score"] = new JsonObject
            {
                ["scaled"] = (double)(score - ReflectionTemplate.MinScore) / (ReflectionTemplate.MaxScore - ReflectionTemplate.MinScore),
                ["raw"] = score, ["min"] = ReflectionTemplate.MinScore, ["max"] = ReflectionTemplate.MaxScore,
            };
        if (answer.Response is { } response) result["response"] = response;
        return result;
    }

    /// <summary>
    /// One statement per attendee of a unit's workplace meeting (APT) that held a group reflection, attendees with the
    /// same agent key counted once: the attendee <c>attended</c> the meeting (<see cref="MeetingActivityId"/>, type
    /// <see cref="MeetingType"/>), with the unit as <c>context.team</c> (an identified Group: account
    /// {<see cref="UnitsHomePage"/>, unit id}), the facilitator as <c>context.instructor</c>, the templates discussed as
    /// <c>contextActivities.grouping</c>, and the registration, if any.
    /// </summary>
    /// <param name="meetingId">The meeting's id.</param>
    /// <param name="unitId">The unit (<see cref="People.OrgUnit.Id"/>).</param>
    /// <param name="unitName">The unit's name, for the team and the meeting's name; null when not known.</param>
    /// <param name="facilitator">The agent who led the reflection.</param>
    /// <param name="attendees">The agents who attended; each must have an identifier.</param>
    /// <param name="templates">The group templates discussed; may be empty.</param>
    /// <param name="timestamp">When the meeting took place (every statement's <c>timestamp</c>; the meeting's name shows
    /// its date in its own offset).</param>
    /// <param name="registration">A registration to group the meeting's statements by, if any.</param>
    /// <exception cref="ArgumentException">An attendee has no identifier (mbox, mbox_sha1sum, openid or account).</exception>
    public static IReadOnlyList<JsonObject> GroupAttendance(Guid meetingId, string unitId, string? unitName, JsonObject facilitator,
        IReadOnlyList<JsonObject> attendees, IReadOnlyList<ReflectionTemplate> templates, DateTimeOffset timestamp,
        Guid? registration = null)
    {
        var date = timestamp.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        var unit = unitName ?? unitId;
        var meeting = new JsonObject
        {
            ["objectType"] = "Activity",
            ["id"] = MeetingActivityId(meetingId),
            ["definition"] = new JsonObject
            {
                ["name"] = new JsonObject
                {
                    ["sv-SE"] = $"Arbetsplatsträff {unit} {date}: gruppreflektion",
                    ["en-US"] = $"Workplace meeting {unit} {date}: group reflection",
                },
                ["type"] = MeetingType,
            },
        };
        var team = new JsonObject { ["objectType"] = "Group" };
        if (unitName is not null) team["name"] = unitName;
        team["account"] = new JsonObject { ["homePage"] = UnitsHomePage, ["name"] = unitId };

        var statements = new List<JsonObject>(attendees.Count);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var attendee in attendees)
        {
            var key = AgentKey.Of(attendee)
                ?? throw new ArgumentException("Every attendee must have an identifier (mbox, mbox_sha1sum, openid or account).", nameof(attendees));
            if (!seen.Add(key)) continue;
            var context = new JsonObject();
            if (registration is { } r) context["registration"] = r.ToString("D");
            context["instructor"] = facilitator.DeepClone();
            context["team"] = team.DeepClone();
            if (templates.Count > 0)
            {
                var grouping = new JsonArray();
                foreach (var template in templates) grouping.Add(TemplateActivity(template));
                context["contextActivities"] = new JsonObject { ["grouping"] = grouping };
            }
            statements.Add(new JsonObject
            {
                ["actor"] = attendee.DeepClone(),
                ["verb"] = Verb(AttendedVerb, "deltog i", "attended"),
                ["object"] = meeting.DeepClone(),
                ["context"] = context,
                ["timestamp"] = XapiTimestamp.ToUtcString(timestamp),
            });
        }
        return statements;
    }

    private static JsonObject TemplateActivity(ReflectionTemplate template) => new()
    {
        ["objectType"] = "Activity",
        ["id"] = TemplateActivityId(template.Id),
        ["definition"] = new JsonObject { ["name"] = LanguageMap(template.Title) },
    };

    private static JsonObject Verb(string id, string sv, string en) => new()
    {
        ["id"] = id,
        ["display"] = new JsonObject { ["sv-SE"] = sv, ["en-US"] = en },
    };

    // A valid framework has at least one of the two texts; a text made in code with neither gives an empty map, which
    // xAPI allows.
    private static JsonObject LanguageMap(LocalizedText text)
    {
        var map = new JsonObject();
        if (text.Sv is not null) map["sv-SE"] = text.Sv;
        if (text.En is not null) map["en-US"] = text.En;
        return map;
    }
}
