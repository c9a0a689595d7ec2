using System.Globalization;
using System.Text.RegularExpressions;
using Lrs.Core.Competence;
using Lrs.Core.Xapi;

namespace Lrs.Core.Planning;

/// <summary>
/// A unit's development plan (Komlitt's model: vision → goal → analysis → activity plan → follow-up): the text of its vision
/// and goal, one or two measurable goals computed from the data, the analysis, and the activity rows. As sent and as stored;
/// <see cref="UnitPlans.Validate"/> says what a valid one is.
/// </summary>
/// <param name="Vision">Where the unit wants to be.</param>
/// <param name="Goal">The goal in words.</param>
/// <param name="StartsOn">The day the plan began (<c>yyyy-MM-dd</c>): progress is followed month by month from it.</param>
/// <param name="EndsOn">The day it ends, or null.</param>
/// <param name="MeasurableGoals">One or two goals computed from the data.</param>
/// <param name="Analysis">Problems, their causes and the actions against them.</param>
/// <param name="Activities">The activity plan.</param>
public sealed record UnitPlan(string? Vision, string? Goal, string? StartsOn, string? EndsOn, IReadOnlyList<MeasurableGoal?>? MeasurableGoals,
    IReadOnlyList<AnalysisItem?>? Analysis, IReadOnlyList<ActivityRow?>? Activities);

/// <summary>
/// A goal computed from the data. <c>share-valid</c>: the share of the unit's people in <see cref="Role"/> who hold
/// <see cref="Competence"/> (valid or expiring, prerequisites met) reaches <see cref="Target"/> by <see cref="By"/>.
/// <c>group-reflection</c>: every member (or <see cref="Target"/> of them) has attended a group reflection on the competence since
/// the plan began. <c>no-lapse</c>: no member's competence lapses (expires unrenewed) after the plan began.
/// </summary>
/// <param name="Id">Its id within the plan.</param>
/// <param name="Kind"><c>share-valid</c>, <c>group-reflection</c> or <c>no-lapse</c>.</param>
/// <param name="Competence">The competence.</param>
/// <param name="Role">For <c>share-valid</c>: the role whose holders count (required); for the others, optionally only them.</param>
/// <param name="Target">The share to reach, above 0 and at most 1 (<c>share-valid</c>: required; <c>group-reflection</c>: default 1).</param>
/// <param name="By">The day the target is due (<c>yyyy-MM-dd</c>), or null for the plan's end.</param>
public sealed record MeasurableGoal(string? Id, string? Kind, string? Competence, string? Role, double? Target, string? By);

/// <summary>One problem of the analysis, its causes and the actions the plan takes.</summary>
/// <param name="Problem">The problem.</param>
/// <param name="Causes">Its causes.</param>
/// <param name="Actions">What is done about it (activity row ids or words).</param>
public sealed record AnalysisItem(string? Problem, IReadOnlyList<string?>? Causes, IReadOnlyList<string?>? Actions);

/// <summary>One row of the activity plan.</summary>
/// <param name="Id">Its id within the plan; deviations are logged against it.</param>
/// <param name="Aspect"><c>competence</c>, <c>organisation</c>, <c>process</c>, <c>technology</c> or <c>governance</c>.</param>
/// <param name="Responsible">Who is responsible.</param>
/// <param name="Activity">What is done.</param>
/// <param name="Deadline">By when (<c>yyyy-MM-dd</c>).</param>
/// <param name="CostSek">The cost in kronor, or null.</param>
/// <param name="Hours">The cost in hours, or null.</param>
/// <param name="Status"><c>planned</c>, <c>ongoing</c>, <c>done</c> or <c>cancelled</c>.</param>
public sealed record ActivityRow(string? Id, string? Aspect, string? Responsible, string? Activity, string? Deadline, decimal? CostSek, decimal? Hours, string? Status);

/// <summary>The rules of a unit plan.</summary>
public static partial class UnitPlans
{
    /// <summary>The goal kinds.</summary>
    public const string ShareValid = "share-valid", GroupReflection = "group-reflection", NoLapse = "no-lapse";

    /// <summary>The aspects of an activity row.</summary>
    public static readonly IReadOnlyList<string> Aspects = ["competence", "organisation", "process", "technology", "governance"];

    /// <summary>The statuses of an activity row.</summary>
    public static readonly IReadOnlyList<string> Statuses = ["planned", "ongoing", "done", "cancelled"];

    /// <summary>The longest text of a field.</summary>
    public const int MaxText = 4000;

    /// <summary>Most activity rows, analysis items, causes and actions.</summary>
    public const int MaxItems = 200;

    /// <summary>Whether <paramref name="id"/> is an id of a plan, goal or row: letters, digits and <c>. _ -</c>, 1–64.</summary>
    public static bool IsId(string? id) => id is not null && Id().IsMatch(id);

    /// <summary>A day as plans write it.</summary>
    public static bool TryDay(string? text, out DateOnly day) =>
        DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out day);

    /// <summary>Every error of <paramref name="plan"/> against <paramref name="framework"/>, each at its JSON path; empty when valid.</summary>
    public static IReadOnlyList<ValidationError> Validate(UnitPlan plan, Framework framework)
    {
        var errors = new List<ValidationError>();
        Text(plan.Vision, "$.vision", errors, required: true);
        Text(plan.Goal, "$.goal", errors, required: true);
        DateOnly starts = default;
        if (!TryDay(plan.StartsOn, out starts)) errors.Add(new("$.startsOn", "startsOn is the day the plan began, like 2026-07-01."));
        if (plan.EndsOn is not null && (!TryDay(plan.EndsOn, out var ends) || ends < starts))
            errors.Add(new("$.endsOn", "endsOn is a day like 2027-06-30, not before startsOn."));

        if (plan.MeasurableGoals is not { Count: 1 or 2 } goals)
            errors.Add(new("$.measurableGoals", "A plan has one or two measurable goals."));
        else
        {
            var ids = new HashSet<string>(StringComparer.Ordinal);
            for (var i = 0; i < goals.Count; i++) Goal(goals[i], $"$.measurableGoals[{i}]", framework, ids, errors);
        }

        if (plan.Analysis is { } analysis)
        {
            if (analysis.Count > MaxItems) errors.Add(new("$.analysis", $"At most {MaxItems} analysis items."));
            else
                for (var i = 0; i < analysis.Count; i++)
                {
                    var path = $"$.analysis[{i}]";
                    if (analysis[i] is not { } item) { errors.Add(new(path, "An analysis item is an object { problem, causes, actions }.")); continue; }
                    Text(item.Problem, path + ".problem", errors, required: true);
                    Texts(item.Causes, path + ".causes", errors);
                    Texts(item.Actions, path + ".actions", errors);
                }
        }

        if (plan.Activities is { } rows)
        {
            if (rows.Count > MaxItems) errors.Add(new("$.activities", $"At most {MaxItems} activity rows."));
            else
            {
                var ids = new HashSet<string>(StringComparer.Ordinal);
                for (var i = 0; i < rows.Count; i++) Row(rows[i], $"$.activities[{i}]", ids, errors);
            }
        }
        return errors;
    }

    /// <summary>The goal's due day: its own, else the plan's end, else null.</summary>
    public static DateOnly? DueOn(MeasurableGoal goal, UnitPlan plan) =>
        TryDay(goal.By, out var by) ? by : TryDay(plan.EndsOn, out var ends) ? ends : null;

    /// <summary>The target a goal is measured against: its own, 1 for group reflection, 0 lapses for no-lapse.</summary>
    public static double TargetOf(MeasurableGoal goal) => goal.Kind == NoLapse ? 0 : goal.Target ?? 1;

    private static void Goal(MeasurableGoal? goal, string path, Framework framework, HashSet<string> ids, List<ValidationError> errors)
    {
        if (goal is null) { errors.Add(new(path, "A goal is an object { id, kind, competence, role?, target?, by? }.")); return; }
        if (!IsId(goal.Id)) errors.Add(new(path + ".id", "id is letters, digits and . _ - (at most 64)."));
        else if (!ids.Add(goal.Id!)) errors.Add(new(path + ".id", $"Another goal has id '{goal.Id}'."));
        if (goal.Kind is not (ShareValid or GroupReflection or NoLapse))
            errors.Add(new(path + ".kind", $"kind is {ShareValid}, {GroupReflection} or {NoLapse}."));
        if (goal.Competence is null || framework.FindCompetence(goal.Competence) is null)
            errors.Add(new(path + ".competence", $"'{goal.Competence}' is not a competence of the framework."));
        if (goal.Role is not null && framework.FindRole(goal.Role) is null)
            errors.Add(new(path + ".role", $"'{goal.Role}' is not a role of the framework."));
        else if (goal.Role is null && goal.Kind == ShareValid)
            errors.Add(new(path + ".role", "A share-valid goal names the role whose holders count."));
        if (goal.Kind == NoLapse && goal.Target is not null)
            errors.Add(new(path + ".target", "A no-lapse goal has no target: it is met while no one's competence lapses."));
        else if (goal.Target is { } t && !(t > 0 && t <= 1))
            errors.Add(new(path + ".target", "target is a share above 0 and at most 1, like 0.95."));
        else if (goal.Target is null && goal.Kind == ShareValid)
            errors.Add(new(path + ".target", "A share-valid goal has a target share, like 0.95."));
        if (goal.By is not null && !TryDay(goal.By, out _)) errors.Add(new(path + ".by", "by is a day like 2027-06-30."));
    }

    private static void Row(ActivityRow? row, string path, HashSet<string> ids, List<ValidationError> errors)
    {
        if (row is null) { errors.Add(new(path, "An activity row is an object { id, aspect, responsible, activity, deadline, costSek?, hours?, status }.")); return; }
        if (!IsId(row.Id)) errors.Add(new(path + ".id", "id is letters, digits and . _ - (at most 64)."));
        else if (!ids.Add(row.Id!)) errors.Add(new(path + ".id", $"Another row has id '{row.Id}'."));
        if (row.Aspect is null || !Aspects.Contains(row.Aspect)) errors.Add(new(path + ".aspect", $"aspect is one of {string.Join(", ", Aspects)}."));
        Text(row.Responsible, path + ".responsible", errors, required: true, max: 200);
        Text(row.Activity, path + ".activity", errors, required: true);
        if (!TryDay(row.Deadline, out _)) errors.Add(new(path + ".deadline", "deadline is a day like 2027-03-31."));
        if (row.CostSek is null && row.Hours is null) errors.Add(new(path, "A row has a cost: costSek, hours or both."));
        if (row.CostSek is < 0) errors.Add(new(path + ".costSek", "costSek is not negative."));
        if (row.Hours is < 0) errors.Add(new(path + ".hours", "hours is not negative."));
        if (row.Status is null || !Statuses.Contains(row.Status)) errors.Add(new(path + ".status", $"status is one of {string.Join(", ", Statuses)}."));
    }

    private static void Text(string? text, string path, List<ValidationError> errors, bool required, int max = MaxText)
    {
        if (text is null) { if (required) errors.Add(new(path, "is required.")); return; }
        if (text.Trim().Length == 0) errors.Add(new(path, "is not blank."));
        else if (text.Length > max) errors.Add(new(path, $"is at most {max} characters; this has {text.Length}."));
    }

    private static void Texts(IReadOnlyList<string?>? texts, string path, List<ValidationError> errors)
    {
        if (texts is null) return;
        if (texts.Count > MaxItems) { errors.Add(new(path, $"At most {MaxItems} entries.")); return; }
        for (var i = 0; i < texts.Count; i++) Text(texts[i], $"{path}[{i}]", errors, required: true);
    }

    [GeneratedRegex("^[A-Za-z0-9._-]{1,64}$")]
    private static partial Regex Id();
}
