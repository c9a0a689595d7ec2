using System.Globalization;
using System.Text.Json.Serialization;
using Lrs.Core.Competence;

namespace Lrs.Core.Planning;

/// <summary>Why an item is among a unit's needs. JSON names: <c>missing</c>, <c>expiring</c>, <c>prerequisite</c>, <c>unanswered-reflection</c>, <c>deviation</c>.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<NeedKind>))]
public enum NeedKind
{
    /// <summary>Members lack a competence their role requires: missing, expired or awaiting sign-off.</summary>
    [JsonStringEnumMemberName("missing")] Missing,
    /// <summary>Members hold a required competence whose prerequisites they do not hold.</summary>
    [JsonStringEnumMemberName("prerequisite")] Prerequisite,
    /// <summary>Members' required competence expires within the horizon and is not renewed.</summary>
    [JsonStringEnumMemberName("expiring")] Expiring,
    /// <summary>Deviation reports of the unit point at the competence.</summary>
    [JsonStringEnumMemberName("deviation")] Deviation,
    /// <summary>Members' reflection tasks on the competence are past their due date, unanswered.</summary>
    [JsonStringEnumMemberName("unanswered-reflection")] UnansweredReflection,
}

/// <summary>One ranked need of a unit, with the reason it is there.</summary>
/// <param name="Kind">What kind of signal it is.</param>
/// <param name="CompetenceId">The competence concerned (null only for a reflection template without a competence).</param>
/// <param name="RoleId">For missing, prerequisite and expiring: the role that requires it.</param>
/// <param name="Duty">When the requirement is the role's only through a duty (e.g. <c>delegated-tasks</c>): that duty.</param>
/// <param name="Score">The rank's weight; higher first (see <see cref="NeedsAnalysis.Rank"/>).</param>
/// <param name="People">Person ids concerned, ordered.</param>
/// <param name="Of">How many members the requirement applies to (role and duty); for other kinds, the unit's members.</param>
/// <param name="Count">People for requirement kinds, overdue tasks, or deviation reports.</param>
/// <param name="Reason">Why it is there, in a sentence.</param>
public sealed record NeedItem(NeedKind Kind, string? CompetenceId, string? RoleId, string? Duty, int Score, IReadOnlyList<string> People, int Of, int Count, string Reason)
{
    /// <summary>For prerequisite items: the prerequisites not held.</summary>
    public IReadOnlyList<string> Prerequisites { get; init; } = [];

    /// <summary>For unanswered reflections: the template.</summary>
    public string? TemplateId { get; init; }

    /// <summary>For deviation items: the reports' ids.</summary>
    public IReadOnlyList<Guid> Deviations { get; init; } = [];
}

/// <summary>A member of the unit as the analysis sees them.</summary>
/// <param name="Facts">Roles and duties.</param>
/// <param name="Profile">The profile computed with the analysis' horizon as expiring window.</param>
public sealed record NeedsMember(PersonFacts Facts, PersonProfile Profile);

/// <summary>An overdue, unanswered reflection task of a member.</summary>
/// <param name="PersonId">The member.</param>
/// <param name="TemplateId">The task's template.</param>
public sealed record OverdueReflection(string PersonId, string TemplateId);

/// <summary>What a unit lacks and what signals say it should learn, ranked.</summary>
public static class NeedsAnalysis
{
    /// <summary>Weight of each person lacking a required competence.</summary>
    public const int MissingWeight = 3;
    /// <summary>Weight of each person holding a competence without its prerequisites, and of each whose competence expires.</summary>
    public const int AtRiskWeight = 2;
    /// <summary>Weight of each deviation report; every other item of the competence gains <see cref="DeviationBoost"/> per report too.</summary>
    public const int DeviationWeight = 2;
    /// <summary>What each deviation report adds to every other item of its competence.</summary>
    public const int DeviationBoost = 1;
    /// <summary>Weight of each overdue reflection task.</summary>
    public const int ReflectionWeight = 1;

    /// <summary>
    /// The ranked needs of a unit. Requirement items are grouped per competence, role and duty: a member in two roles that
    /// require a competence counts in both. Score: <see cref="MissingWeight"/> per person lacking, <see cref="AtRiskWeight"/>
    /// per person with unmet prerequisites or expiring within the horizon, <see cref="ReflectionWeight"/> per overdue task,
    /// <see cref="DeviationWeight"/> per deviation report; each report also adds <see cref="DeviationBoost"/> to every other item
    /// of its competence. Highest score first; ties in the order of the kinds, then framework order, then role id.
    /// </summary>
    public static IReadOnlyList<NeedItem> Rank(IReadOnlyList<NeedsMember> members, Framework framework, IReadOnlyList<OverdueReflection> overdue,
        IReadOnlyList<DeviationReport> deviations, string horizon)
    {
        var items = new List<NeedItem>();
        var groups = new Dictionary<(NeedKind Kind, string Competence, string Role, string? Duty), Group>();
        var applicable = new Dictionary<(string Competence, string Role, string? Duty), int>();
        foreach (var member in members)
        {
            var entries = member.Profile.Entries.ToDictionary(e => e.CompetenceId, StringComparer.Ordinal);
            foreach (var roleId in member.Facts.Roles.Distinct(StringComparer.Ordinal))
            {
                if (framework.FindRole(roleId) is not { } role) continue;
                foreach (var q in role.Requirements)
                {
                    string? duty = null;
                    if (q.Level == RequirementLevel.Conditional)
                    {
                        if (q.Duty is null || !member.Facts.Duties.Contains(q.Duty, StringComparer.Ordinal)) continue;
                        duty = q.Duty;
                    }
                    else if (q.Level != RequirementLevel.Required) continue;
                    var key = (q.CompetenceId, roleId, duty);
                    applicable[key] = applicable.GetValueOrDefault(key) + 1;
                    if (!entries.TryGetValue(q.CompetenceId, out var entry)) continue;
                    NeedKind? kind = entry.Status switch
                    {
                        CompetenceStatus.Missing or CompetenceStatus.Expired or CompetenceStatus.PendingSignoff => NeedKind.Missing,
                        _ when entry.UnmetPrerequisites.Count > 0 => NeedKind.Prerequisite,
                        CompetenceStatus.Expiring => NeedKind.Expiring,
                        _ => null,
                    };
                    if (kind is not { } k) continue;
                    var gk = (k, q.CompetenceId, roleId, duty);
                    if (!groups.TryGetValue(gk, out var group)) groups[gk] = group = new Group();
                    group.Add(member.Facts.PersonId, entry);
                }
            }
        }

        foreach (var ((kind, competence, role, duty), group) in groups)
        {
            var of = applicable[(competence, role, duty)];
            var weight = kind == NeedKind.Missing ? MissingWeight : AtRiskWeight;
            items.Add(new NeedItem(kind, competence, role, duty, weight * group.People.Count, [.. group.People.Order(StringComparer.Ordinal)], of, group.People.Count,
                Reason(kind, competence, role, duty, group, of, horizon))
            {
                Prerequisites = [.. group.Prerequisites.Order(StringComparer.Ordinal)],
            });
        }

        foreach (var byTemplate in overdue.GroupBy(o => o.TemplateId, StringComparer.Ordinal))
        {
            var template = framework.FindReflectionTemplate(byTemplate.Key);
            var people = byTemplate.Select(o => o.PersonId).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
            var count = byTemplate.Count();
            var about = template?.Trigger.CompetenceId is { } c ? $"on {c} " : "";
            items.Add(new NeedItem(NeedKind.UnansweredReflection, template?.Trigger.CompetenceId, null, null, ReflectionWeight * count, people, members.Count, count,
                $"{Count(count, "reflection task")} {about}(template {byTemplate.Key}) of {Count(people.Count, "member")} {(count == 1 ? "is" : "are")} past due and unanswered.")
            {
                TemplateId = byTemplate.Key,
            });
        }

        var reportsByCompetence = deviations.SelectMany(d => d.Competences.Distinct(StringComparer.Ordinal).Select(c => (Competence: c, Report: d)))
            .GroupBy(x => x.Competence, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Select(x => x.Report).ToList(), StringComparer.Ordinal);
        foreach (var (competence, reports) in reportsByCompetence)
        {
            var categories = reports.Select(r => r.Category).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal);
            items.Add(new NeedItem(NeedKind.Deviation, competence, null, null, DeviationWeight * reports.Count, [], members.Count, reports.Count,
                $"{Count(reports.Count, "deviation report")} of the last {horizon} point{(reports.Count == 1 ? "s" : "")} at {competence} (categories: {string.Join(", ", categories)}).")
            {
                Deviations = [.. reports.OrderBy(r => r.Date).ThenBy(r => r.Id).Select(r => r.Id)],
            });
        }

        var boosted = items.Select(i => i.Kind != NeedKind.Deviation && i.CompetenceId is { } c && reportsByCompetence.TryGetValue(c, out var r)
            ? i with { Score = i.Score + DeviationBoost * r.Count, Reason = $"{i.Reason} {Count(r.Count, "deviation report")} point{(r.Count == 1 ? "s" : "")} at it too." }
            : i);
        return [.. boosted.OrderByDescending(i => i.Score).ThenBy(i => i.Kind)
            .ThenBy(i => i.CompetenceId is { } c && framework.OrderOf(c) is var o and >= 0 ? o : int.MaxValue)
            .ThenBy(i => i.RoleId, StringComparer.Ordinal).ThenBy(i => i.TemplateId, StringComparer.Ordinal)];
    }

    private sealed class Group
    {
        public HashSet<string> People { get; } = new(StringComparer.Ordinal);
        public Dictionary<CompetenceStatus, int> Statuses { get; } = [];
        public HashSet<string> Prerequisites { get; } = new(StringComparer.Ordinal);
        public DateTimeOffset? FirstExpiry { get; private set; }

        public void Add(string personId, ProfileEntry entry)
        {
            if (!People.Add(personId)) return;
            Statuses[entry.Status] = Statuses.GetValueOrDefault(entry.Status) + 1;
            Prerequisites.UnionWith(entry.UnmetPrerequisites);
            if (entry.Status == CompetenceStatus.Expiring && entry.ExpiresAt is { } x && (FirstExpiry is null || x < FirstExpiry)) FirstExpiry = x;
        }
    }

    private static string Reason(NeedKind kind, string competence, string role, string? duty, Group group, int of, string horizon)
    {
        var who = $"{group.People.Count} of {of} {role}{(duty is null ? "" : $" with duty {duty}")}";
        return kind switch
        {
            NeedKind.Missing => $"{who} lack {competence}, which the role requires ({string.Join(", ", group.Statuses.OrderBy(s => s.Key).Select(s => $"{s.Value} {ProfileCalculator.StatusName(s.Key)}"))}).",
            NeedKind.Prerequisite => $"{who} hold {competence} without its prerequisite{(group.Prerequisites.Count == 1 ? "" : "s")} {string.Join(", ", group.Prerequisites.Order(StringComparer.Ordinal))}.",
            _ => $"{who} hold {competence}, but it expires within {horizon} (first on {group.FirstExpiry?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)}).",
        };
    }

    private static string Count(int n, string noun) => $"{n} {noun}{(n == 1 ? "" : "s")}";
}
