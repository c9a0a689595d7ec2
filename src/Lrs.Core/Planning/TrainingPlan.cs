using System.Text.Json.Nodes;
using Lrs.Core.Competence;
using Lrs.Core.Xapi;

namespace Lrs.Core.Planning;

/// <summary>A person's individual training plan: what to gain or renew, the way chosen for this person, by when, agreed with whom.</summary>
/// <param name="Items">The items, at most <see cref="TrainingPlans.MaxItems"/>.</param>
public sealed record TrainingPlan(IReadOnlyList<TrainingItem?>? Items);

/// <summary>One item of a training plan.</summary>
/// <param name="Id">Its id within the plan.</param>
/// <param name="Competence">The competence to gain or renew.</param>
/// <param name="Purpose"><c>gain</c> or <c>renew</c>.</param>
/// <param name="Way">How this person will learn it.</param>
/// <param name="DueOn">By when (<c>yyyy-MM-dd</c>).</param>
/// <param name="AgreedBy">Who agreed it with the person (e.g. the unit's manager).</param>
/// <param name="AgreedOn">The day it was agreed (<c>yyyy-MM-dd</c>): only learning from that day on completes a renewal or a planned activity.</param>
public sealed record TrainingItem(string? Id, string? Competence, string? Purpose, TrainingWay? Way, string? DueOn, string? AgreedBy, string? AgreedOn);

/// <summary>
/// The way chosen: <c>e-learning</c>, <c>on-site</c> (a session at a learning centre), <c>webinar-live</c>, <c>webinar-recorded</c>,
/// <c>reading</c> (an article or reference text, done when the person <c>experienced</c> or <c>read</c> it), or <c>practical</c>
/// (a demonstration signed off by a supervisor).
/// </summary>
/// <param name="Kind">The kind of way.</param>
/// <param name="Activities">The activity IRIs planned (courses, sessions, webinars, recordings, texts); a completion of any of them completes the item.</param>
public sealed record TrainingWay(string? Kind, IReadOnlyList<string?>? Activities);

/// <summary>Where an item stands. JSON names: <c>done</c>, <c>open</c>, <c>overdue</c>.</summary>
/// <param name="ItemId">The item.</param>
/// <param name="Status"><c>done</c>, <c>open</c> or <c>overdue</c> (not done and past its due day).</param>
/// <param name="DoneAt">When it was done; null unless done.</param>
/// <param name="DoneBy"><c>evidence</c> (the competence is held, or renewed since the item was agreed) or <c>activity</c> (a planned activity was completed); null unless done.</param>
/// <param name="StatementId">The statement that did it; null unless done.</param>
public sealed record TrainingItemProgress(string ItemId, string Status, DateTimeOffset? DoneAt, string? DoneBy, Guid? StatementId);

/// <summary>A completion of a planned activity by the person, from a stored, non-voided statement.</summary>
/// <param name="ActivityId">The activity.</param>
/// <param name="At">The statement's timestamp.</param>
/// <param name="StatementId">The statement.</param>
public sealed record ActivityCompletion(string ActivityId, DateTimeOffset At, Guid StatementId);

/// <summary>The rules of training plans and their progress.</summary>
public static class TrainingPlans
{
    /// <summary>Most items of a plan, and activities of an item.</summary>
    public const int MaxItems = 100, MaxActivities = 20;

    /// <summary>The ways.</summary>
    public static readonly IReadOnlyList<string> Ways = ["e-learning", "on-site", "webinar-live", "webinar-recorded", "reading", "practical"];

    /// <summary>Verb of reading: a person read a text.</summary>
    public const string ReadVerb = "http://activitystrea.ms/schema/1.0/read";

    /// <summary>Verb of reading or watching without a result: the person experienced it.</summary>
    public const string ExperiencedVerb = "http://adlnet.gov/expapi/verbs/experienced";

    /// <summary>The verbs that complete a planned activity: finishing e-learning, attending a session or webinar, a recording played to its end, reading a text.</summary>
    public static readonly IReadOnlySet<string> CompletionVerbs = new HashSet<string>(StringComparer.Ordinal)
    {
        "http://adlnet.gov/expapi/verbs/completed", "http://adlnet.gov/expapi/verbs/passed", "https://w3id.org/xapi/adl/verbs/satisfied",
        "http://adlnet.gov/expapi/verbs/attended", "https://w3id.org/xapi/video/verbs/completed", ExperiencedVerb, ReadVerb,
    };

    /// <summary>Every error of <paramref name="plan"/>, each at its JSON path; empty when valid.</summary>
    public static IReadOnlyList<ValidationError> Validate(TrainingPlan plan, Framework framework)
    {
        var errors = new List<ValidationError>();
        if (plan.Items is not { Count: <= MaxItems } items)
        {
            errors.Add(new("$.items", $"items is a list of at most {MaxItems} items."));
            return errors;
        }
        var ids = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < items.Count; i++)
        {
            var path = $"$.items[{i}]";
            if (items[i] is not { } item) { errors.Add(new(path, "An item is an object { id, competence, purpose, way, dueOn, agreedBy, agreedOn }.")); continue; }
            if (!UnitPlans.IsId(item.Id)) errors.Add(new(path + ".id", "id is letters, digits and . _ - (at most 64)."));
            else if (!ids.Add(item.Id!)) errors.Add(new(path + ".id", $"Another item has id '{item.Id}'."));
            if (item.Competence is null || framework.FindCompetence(item.Competence) is null)
                errors.Add(new(path + ".competence", $"'{item.Competence}' is not a competence of the framework."));
            if (item.Purpose is not ("gain" or "renew")) errors.Add(new(path + ".purpose", "purpose is gain or renew."));
            if (item.Way is not { } way) errors.Add(new(path + ".way", "way is an object { kind, activities }."));
            else
            {
                if (way.Kind is null || !Ways.Contains(way.Kind)) errors.Add(new(path + ".way.kind", $"kind is one of {string.Join(", ", Ways)}."));
                if (way.Activities is { Count: > MaxActivities }) errors.Add(new(path + ".way.activities", $"At most {MaxActivities} activities."));
                else
                    for (var j = 0; j < (way.Activities?.Count ?? 0); j++)
                        if (!Uri.TryCreate(way.Activities![j], UriKind.Absolute, out var iri) || iri.Scheme is not ("http" or "https"))
                            errors.Add(new($"{path}.way.activities[{j}]", "An activity is an absolute http(s) IRI."));
                if (way.Kind is "e-learning" or "webinar-live" or "webinar-recorded" or "reading" && way.Activities is not { Count: > 0 })
                    errors.Add(new(path + ".way.activities", $"A {way.Kind} way names the activities planned."));
            }
            if (!UnitPlans.TryDay(item.DueOn, out _)) errors.Add(new(path + ".dueOn", "dueOn is a day like 2027-03-31."));
            if (!UnitPlans.TryDay(item.AgreedOn, out _)) errors.Add(new(path + ".agreedOn", "agreedOn is the day it was agreed, like 2026-11-20."));
            if (item.AgreedBy is not { } by || by.Trim().Length == 0 || by.Length > 200) errors.Add(new(path + ".agreedBy", "agreedBy names who agreed it (at most 200 characters)."));
        }
        return errors;
    }

    /// <summary>
    /// Where each item stands, live: done when the person holds the competence (to gain) or has evidence of it achieved since the item
    /// was agreed (to renew), or completed one of the planned activities since then; else overdue after its due day, else open.
    /// <paramref name="evidence"/> is the person's current evidence (voided statements gone), <paramref name="completions"/> the person's
    /// completions of the planned activities (voided ones gone); <paramref name="startOf"/> turns a day into its first moment.
    /// </summary>
    public static IReadOnlyList<TrainingItemProgress> Progress(TrainingPlan plan, PersonProfile profile, IReadOnlyList<EvidenceRecord> evidence,
        IReadOnlyList<ActivityCompletion> completions, DateTimeOffset now, Func<DateOnly, DateTimeOffset> startOf)
    {
        var result = new List<TrainingItemProgress>();
        foreach (var item in (plan.Items ?? []).OfType<TrainingItem>())
        {
            UnitPlans.TryDay(item.AgreedOn, out var agreedOn);
            UnitPlans.TryDay(item.DueOn, out var dueOn);
            var since = startOf(agreedOn);
            (DateTimeOffset At, string By, Guid Statement)? done = null;
            var entry = profile.Entries.FirstOrDefault(e => e.CompetenceId == item.Competence);
            if (item.Purpose == "gain" && entry is { IsMet: true, AchievedAt: { } achieved })
                done = (achieved, "evidence", entry.EvidenceStatementIds.FirstOrDefault());
            else if (evidence.Where(e => e.CompetenceId == item.Competence && e.AchievedAt >= since && (!e.NeedsSignoff || e.SignedOffAt is not null)
                         && (e.ExpiresAt is not { } x || x > now)).MinBy(e => e.AchievedAt) is { } renewed)
                done = (renewed.AchievedAt, "evidence", renewed.StatementId);
            if (done is null && completions.Where(c => c.At >= since && (item.Way?.Activities ?? []).Contains(c.ActivityId)).MinBy(c => c.At) is { } completion)
                done = (completion.At, "activity", completion.StatementId);
            var status = done is not null ? "done" : now >= startOf(dueOn.AddDays(1)) ? "overdue" : "open";
            result.Add(new TrainingItemProgress(item.Id!, status, done?.At, done?.By, done?.Statement));
        }
        return result;
    }

    /// <summary>A completion from a stored statement of the person, or null when its verb completes nothing.</summary>
    public static ActivityCompletion? CompletionOf(string statementJson)
    {
        var statement = JsonNode.Parse(statementJson);
        if (statement?["verb"]?["id"]?.GetValue<string>() is not { } verb || !CompletionVerbs.Contains(verb)) return null;
        if (statement["object"]?["id"]?.GetValue<string>() is not { } activity || statement["id"]?.GetValue<string>() is not { } id) return null;
        var at = statement["timestamp"]?.GetValue<string>() is { } t && DateTimeOffset.TryParse(t, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.None, out var ts) ? ts : DateTimeOffset.MinValue;
        return new ActivityCompletion(activity, at, Guid.Parse(id));
    }
}
