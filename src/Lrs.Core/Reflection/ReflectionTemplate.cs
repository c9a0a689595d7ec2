using System.Text.Json.Serialization;
using Lrs.Core.Competence;

namespace Lrs.Core.Reflection;

/// <summary>Who reflects on a template's prompts. JSON names: <c>individual</c>, <c>group</c>.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<ReflectionMode>))]
public enum ReflectionMode
{
    /// <summary>Each person answers alone, in their own time.</summary>
    [JsonStringEnumMemberName("individual")] Individual,
    /// <summary>The unit discusses the prompts together at its workplace meeting (APT); members may still answer first
    /// and share their answers with the group.</summary>
    [JsonStringEnumMemberName("group")] Group,
}

/// <summary>What a template asks. JSON names: <c>reflection</c>, <c>follow-up</c>.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<ReflectionTemplateKind>))]
public enum ReflectionTemplateKind
{
    /// <summary>Reflection right after the training, answered in words.</summary>
    [JsonStringEnumMemberName("reflection")] Reflection,
    /// <summary>A follow-up question some time after the training (its <see cref="ReflectionTemplate.Delay"/>), such as
    /// "Have you used the transfer technique in your work since the training?", answered with a score from
    /// <see cref="ReflectionTemplate.MinScore"/> to <see cref="ReflectionTemplate.MaxScore"/> and optional words. Follow-up
    /// of effects counts its answers as knowledge put into practice.</summary>
    [JsonStringEnumMemberName("follow-up")] FollowUp,
}

/// <summary>One question of a reflection template.</summary>
/// <param name="Id">Lower-case letters, digits and '-', 1 to 64 characters; unique within its template. Part of the
/// question's activity IRI (see <see cref="ReflectionStatements.PromptActivityId"/>), so it must not change once answered.</param>
/// <param name="Text">The question.</param>
public sealed record ReflectionPrompt(string Id, LocalizedText Text);

/// <summary>
/// What creates a reflection task from a template. Exactly one kind:
/// <list type="bullet">
/// <item>a <b>competence</b> trigger (<see cref="CompetenceId"/> set, every list empty): a statement that gives a person
/// evidence of that competence, pending sign-off or not, creates a task for that person;</item>
/// <item>a <b>verb × activity</b> trigger (<see cref="CompetenceId"/> null): a statement whose verb is one of
/// <see cref="Verbs"/> and whose object Activity is selected by <see cref="Activities"/>, <see cref="ActivityTypes"/> or
/// <see cref="ActivityPrefixes"/> (at least one given), matched as an <see cref="AlignmentRule"/> matches
/// (<see cref="ActivitySelection.Selects"/>), creates a task for the actor, or for each member of a Group actor.</item>
/// </list>
/// </summary>
/// <param name="CompetenceId">The competence whose evidence triggers it; null for a verb × activity trigger.</param>
/// <param name="Verbs">Verb IRIs; empty for a competence trigger.</param>
/// <param name="Activities">Object activity IRIs matched exactly.</param>
/// <param name="ActivityTypes">Object <c>definition.type</c> IRIs, as sent in the statement.</param>
/// <param name="ActivityPrefixes">Matches an object activity IRI that starts with one of these.</param>
public sealed record ReflectionTrigger(string? CompetenceId,
    IReadOnlyList<string> Verbs,
    IReadOnlyList<string> Activities,
    IReadOnlyList<string> ActivityTypes,
    IReadOnlyList<string> ActivityPrefixes) : IActivitySelector
{
    /// <summary>A trigger on evidence of <paramref name="competenceId"/>.</summary>
    public static ReflectionTrigger ForCompetence(string competenceId) => new(competenceId, [], [], [], []);

    /// <summary>A trigger on statements with one of <paramref name="verbs"/> about a selected activity.</summary>
    public static ReflectionTrigger ForStatements(IReadOnlyList<string> verbs, IReadOnlyList<string>? activities = null,
        IReadOnlyList<string>? activityTypes = null, IReadOnlyList<string>? activityPrefixes = null) =>
        new(null, verbs, activities ?? [], activityTypes ?? [], activityPrefixes ?? []);

    /// <summary>Equal when every member is, lists compared item by item.</summary>
    public bool Equals(ReflectionTrigger? other) =>
        other is not null && CompetenceId == other.CompetenceId
        && Verbs.SequenceEqual(other.Verbs) && Activities.SequenceEqual(other.Activities)
        && ActivityTypes.SequenceEqual(other.ActivityTypes) && ActivityPrefixes.SequenceEqual(other.ActivityPrefixes);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(CompetenceId, Verbs.Count, Activities.Count, ActivityTypes.Count, ActivityPrefixes.Count);
}

/// <summary>
/// A reflection task's template: the questions staff are asked after a training, what triggers them, whether they are
/// answered alone or discussed by the unit, and how long there is to answer. Part of the <see cref="Framework"/>
/// (<see cref="Framework.ReflectionTemplates"/>), read and written by <see cref="FrameworkDocument"/> under
/// <c>reflectionTemplates</c>.
/// </summary>
/// <param name="Id">Lower-case letters, digits and '-', 1 to 64 characters; unique among the templates. Part of the
/// prompts' activity IRIs, so it must not change once answered.</param>
/// <param name="Title">The title.</param>
/// <param name="Prompts">The questions, at least one, in the order they are asked; ids unique within the template.</param>
/// <param name="Trigger">What creates a task (see <see cref="ReflectionTrigger"/>).</param>
/// <param name="Mode">Individual or group.</param>
/// <param name="DueIn">How long after the task becomes available (the triggering statement's timestamp, plus
/// <paramref name="Delay"/> for a follow-up question) it is due, an ISO 8601 duration such as <c>P14D</c> or <c>P1M</c>
/// (see <see cref="IsoDuration"/>), longer than zero.</param>
/// <param name="Kind">A reflection, or a follow-up question answered with a score.</param>
/// <param name="Delay">For a follow-up question, how long after the training it is asked, an ISO 8601 duration such as
/// <c>P8W</c>, longer than zero; null for a reflection.</param>
public sealed record ReflectionTemplate(string Id, LocalizedText Title, IReadOnlyList<ReflectionPrompt> Prompts,
    ReflectionTrigger Trigger, ReflectionMode Mode, string DueIn, ReflectionTemplateKind Kind = ReflectionTemplateKind.Reflection, string? Delay = null)
{
    /// <summary>The lowest score of an answer to a follow-up question.</summary>
    public const int MinScore = 1;
    /// <summary>The highest score of an answer to a follow-up question.</summary>
    public const int MaxScore = 5;

    /// <summary>Whether this is a follow-up question.</summary>
    public bool IsFollowUp => Kind == ReflectionTemplateKind.FollowUp;

    /// <summary>Whether <paramref name="score"/> is a score of a follow-up question: a whole number from <see cref="MinScore"/>
    /// to <see cref="MaxScore"/>.</summary>
    public static bool IsScore(double? score) => score is { } s && s == Math.Floor(s) && s >= MinScore && s <= MaxScore;

    /// <summary>Whether an answer counts for this template: a follow-up question needs a score (<see cref="IsScore"/>), the
    /// words are optional; a reflection needs words.</summary>
    public bool Accepts(string response, double? score) => IsFollowUp ? IsScore(score) : response.Length > 0;

    /// <summary>The prompt with this id, or null.</summary>
    public ReflectionPrompt? FindPrompt(string promptId)
    {
        for (var i = 0; i < Prompts.Count; i++)
            if (Prompts[i].Id == promptId) return Prompts[i];
        return null;
    }

    /// <summary>Equal when every member is, prompts compared item by item.</summary>
    public bool Equals(ReflectionTemplate? other) =>
        other is not null && Id == other.Id && Title == other.Title && Prompts.SequenceEqual(other.Prompts)
        && Trigger == other.Trigger && Mode == other.Mode && DueIn == other.DueIn && Kind == other.Kind && Delay == other.Delay;

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Id, Title, Prompts.Count, Trigger, Mode, DueIn, Kind, Delay);
}
