using System.Globalization;
using Lrs.Core.Competence;
using Lrs.Core.People;

namespace Lrs.Core.FollowUp;

/// <summary>A calendar month in the tenant's time zone.</summary>
/// <param name="Year">The year.</param>
/// <param name="Number">1 to 12.</param>
public readonly record struct Month(int Year, int Number) : IComparable<Month>
{
    /// <summary>Reads <c>yyyy-MM</c>.</summary>
    public static bool TryParse(string? text, out Month month)
    {
        month = default;
        if (text is not { Length: 7 } || text[4] != '-' || !int.TryParse(text.AsSpan(0, 4), NumberStyles.None, CultureInfo.InvariantCulture, out var y)
            || !int.TryParse(text.AsSpan(5, 2), NumberStyles.None, CultureInfo.InvariantCulture, out var m) || y < 1900 || m is < 1 or > 12) return false;
        month = new Month(y, m);
        return true;
    }

    /// <summary>The month a moment falls in, in <paramref name="zone"/>.</summary>
    public static Month Of(DateTimeOffset at, TimeZoneInfo zone)
    {
        var local = TimeZoneInfo.ConvertTime(at, zone);
        return new Month(local.Year, local.Month);
    }

    /// <summary>The month after this one.</summary>
    public Month Next => Number == 12 ? new Month(Year + 1, 1) : new Month(Year, Number + 1);

    /// <summary>This month moved by <paramref name="months"/>.</summary>
    public Month Add(int months)
    {
        var index = Year * 12 + Number - 1 + months;
        return new Month(index / 12, index % 12 + 1);
    }

    /// <summary>Months from this one to <paramref name="other"/>.</summary>
    public int Until(Month other) => other.Year * 12 + other.Number - (Year * 12 + Number);

    /// <summary>Midnight at the start of the month in <paramref name="zone"/>.</summary>
    public DateTimeOffset Start(TimeZoneInfo zone)
    {
        var local = new DateTime(Year, Number, 1, 0, 0, 0, DateTimeKind.Unspecified);
        return new DateTimeOffset(local, zone.GetUtcOffset(local));
    }

    /// <inheritdoc />
    public int CompareTo(Month other) => (Year * 12 + Number).CompareTo(other.Year * 12 + other.Number);

    /// <summary><c>yyyy-MM</c>.</summary>
    public override string ToString() => $"{Year:D4}-{Number:D2}";
}

/// <summary>What a follow-up is computed for.</summary>
/// <param name="From">The first month.</param>
/// <param name="To">The last month (inclusive).</param>
/// <param name="Centre">Only the trainings of this learning centre.</param>
/// <param name="EmployerKind">Only people of employers of this kind.</param>
/// <param name="OrganisationId">Only people of this employer (always the caller's own for a restricted caller).</param>
/// <param name="UnitId">Only people of this unit.</param>
/// <param name="RoleId">Only people in this role.</param>
/// <param name="CompetenceId">Only trainings aligned with this competence, and only this competence in coverage.</param>
public sealed record FollowUpFilter(Month From, Month To, LearningCentre? Centre, string? EmployerKind, string? OrganisationId,
    string? UnitId, string? RoleId, string? CompetenceId)
{
    /// <summary>The months from <see cref="From"/> to <see cref="To"/>.</summary>
    public IEnumerable<Month> Months()
    {
        for (var m = From; m.CompareTo(To) <= 0; m = m.Next) yield return m;
    }
}

/// <summary>Everything the figures are computed from, read from the stores for one request.</summary>
/// <param name="Directory">People, organisations, units.</param>
/// <param name="Statements">The non-voided statements of the verbs follow-up reads.</param>
/// <param name="Evidence">The history of the evidence of the people in scope, voidings and sign-offs included (long term).</param>
/// <param name="Tasks">Reflection tasks (medium term).</param>
/// <param name="GroupReflections">Group reflections (medium term).</param>
/// <param name="Sessions">On-site sessions (reach).</param>
/// <param name="Framework">The tenant's framework.</param>
/// <param name="Zone">The time zone of months.</param>
/// <param name="Now">The current time: expiry after it has not happened yet.</param>
public sealed record FollowUpData(FollowUpDirectory Directory, IReadOnlyList<StatementFact> Statements, IReadOnlyList<EvidenceHistory> Evidence,
    IReadOnlyList<TaskFact> Tasks, IReadOnlyList<GroupReflectionFact> GroupReflections, IReadOnlyList<SessionFact> Sessions,
    Framework Framework, TimeZoneInfo Zone, DateTimeOffset Now);

/// <summary>
/// One figure of a follow-up: a month (null for before/after), what it is, the breakdown it belongs to and its value. A
/// value resting on fewer than <see cref="FollowUpFigures.MinimumPeople"/> people is left out (<see cref="Value"/> null,
/// <see cref="Suppressed"/> true) so that no individual is singled out.
/// </summary>
/// <param name="Month"><c>yyyy-MM</c>, or null.</param>
/// <param name="Figure">E.g. <c>peopleTrained</c> (see <see cref="FollowUpFigures.All"/>).</param>
/// <param name="By">The breakdown: <c>all</c>, <c>employerKind</c>, <c>activity</c>, <c>unit</c>, <c>score</c>, <c>category</c>, <c>period</c>.</param>
/// <param name="Group">The group within the breakdown (an employer kind, an activity IRI, a unit id, a score band, <c>before</c>/<c>after</c>); <c>all</c> for the whole.</param>
/// <param name="Value">The value (a count, hours, or a share from 0 to 1); null when suppressed.</param>
/// <param name="Suppressed">Whether the value is left out because it rests on fewer than five people.</param>
public sealed record FigureRow(string? Month, string Figure, string By, string Group, double? Value, bool Suppressed);

/// <summary>
/// The measures of a learning centre's follow-up, each by month: reach, short term, medium term (into practice), long term,
/// and before/after a training wave. Computed at read time from statements, evidence and tasks as they stand, so voiding
/// a statement changes every figure that counted it.
/// </summary>
public static class FollowUpFigures
{
    /// <summary>Counts of people below this are suppressed.</summary>
    public const int MinimumPeople = 5;
    /// <summary>The employer kind of an organisation that did not say.</summary>
    public const string UnknownKind = "unknown";
    /// <summary>The group of a whole breakdown.</summary>
    public const string AllGroup = "all";

    /// <summary>Context extension of a deviation report: the unit id.</summary>
    public const string UnitExtension = Reflection.ReflectionStatements.Namespace + "extensions/unit";
    /// <summary>Context extension of a deviation report: its category.</summary>
    public const string DeviationCategoryExtension = Reflection.ReflectionStatements.Namespace + "extensions/deviation-category";
    /// <summary>The verb of a deviation report.</summary>
    public const string ReportedVerb = Reflection.ReflectionStatements.Namespace + "verbs/reported";
    /// <summary>The activity type of a deviation report.</summary>
    public const string DeviationReportType = Reflection.ReflectionStatements.Namespace + "activity-types/deviation-report";

    /// <summary>The verbs of a training: attended, completed, passed, failed, cmi5 satisfied.</summary>
    public static readonly IReadOnlyList<string> TrainingVerbs =
    [
        Learning.SessionStatements.AttendedVerb, "http://adlnet.gov/expapi/verbs/completed", Learning.SessionStatements.PassedVerb,
        Learning.SessionStatements.FailedVerb, "https://w3id.org/xapi/adl/verbs/satisfied",
    ];

    /// <summary>The measures and their figures, <c>measure.figure</c>.</summary>
    public static readonly IReadOnlyDictionary<string, IReadOnlyList<string>> Measures = new Dictionary<string, IReadOnlyList<string>>
    {
        ["reach"] = ["peopleTrained", "unitsTrained", "hours", "sessionsHeld", "placesOffered", "attendance"],
        ["shortTerm"] = ["peopleAssessed", "passRate", "scoreBand", "signoffRate"],
        ["mediumTerm"] = ["reflectionTasks", "reflectionResponseRate", "groupReflectionsHeld", "followUpQuestions", "followUpResponseRate", "followUpScore"],
        ["longTerm"] = ["coverage", "renewedBeforeExpiry", "lapsed", "deviations"],
    };

    /// <summary>Every figure, <c>measure.figure</c>, e.g. <c>longTerm.coverage</c>.</summary>
    public static readonly IReadOnlyList<string> All = [.. Measures.SelectMany(m => m.Value.Select(f => m.Key + "." + f))];

    private static readonly string[] ScoreBands = ["0.0-0.2", "0.2-0.4", "0.4-0.6", "0.6-0.8", "0.8-1.0"];

    /// <summary>Reach: people and units trained by employer kind, hours, sessions held, places offered and attendance.</summary>
    public static IReadOnlyList<FigureRow> Reach(FollowUpData data, FollowUpFilter filter)
    {
        var rows = new List<FigureRow>();
        var calendar = new Calendar(filter, data.Zone);
        var months = calendar.Months.Select(_ => new ReachTally()).ToArray();
        foreach (var t in Trainings(data, filter, calendar, TrainingVerbs))
            months[t.Month].Add(t, data.Directory.KindOf(t.Person), Units(t.Person, t.Fact.Timestamp, filter));
        var places = data.Sessions.ToDictionary(s => s.Id, s => s.Places, StringComparer.Ordinal);
        for (var i = 0; i < months.Length; i++)
        {
            var (key, month) = (calendar.Months[i].ToString(), months[i]);
            var byKind = month.ByKind.OrderBy(k => KindOrder(k.Key)).ToList();
            rows.AddRange(Breakdown(key, "peopleTrained", "employerKind", [.. byKind.Select(k => (k.Key, (double)k.Value.People.Count, k.Value.People.Count))],
                month.All.People.Count));
            foreach (var (kind, tally) in byKind) rows.Add(new FigureRow(key, "unitsTrained", "employerKind", kind, tally.Units.Count, false));
            rows.Add(new FigureRow(key, "unitsTrained", "all", AllGroup, month.All.Units.Count, false));
            rows.AddRange(Breakdown(key, "hours", "employerKind",
                [.. byKind.Where(k => k.Value.Attendees.Count > 0).Select(k => (k.Key, Math.Round(k.Value.Hours, 2), k.Value.Attendees.Count))],
                month.All.Attendees.Count, Math.Round(month.All.Hours, 2)));
            rows.Add(new FigureRow(key, "sessionsHeld", "all", AllGroup, month.Sessions.Count, false));
            var offered = month.Sessions.Where(s => places.GetValueOrDefault(s.Key) is not null).ToList();
            var placesOffered = offered.Sum(s => places[s.Key]!.Value);
            rows.Add(new FigureRow(key, "placesOffered", "all", AllGroup, placesOffered, false));
            if (placesOffered > 0)
                rows.Add(Rate(key, "attendance", "all", AllGroup, offered.Sum(s => s.Value.Count), placesOffered,
                    offered.SelectMany(s => s.Value).Distinct(ReferenceEqualityComparer.Instance).Count()));
        }
        return rows;
    }

    // A month of reach: people, units, attendees and hours over all and per employer kind, and the people at each session.
    // A person is the one FollowUpPerson of the directory, so sets of them are kept by reference.
    private sealed class ReachTally
    {
        public sealed class Part
        {
            public HashSet<FollowUpPerson> People { get; } = new(ReferenceEqualityComparer.Instance);
            public HashSet<string> Units { get; } = new(StringComparer.Ordinal);
            public HashSet<FollowUpPerson> Attendees { get; } = new(ReferenceEqualityComparer.Instance);
            // Summed in the order of the statements, one training after another.
            public double Hours;

            public void Add(Training t, IReadOnlyList<string> units, bool attended)
            {
                People.Add(t.Person);
                foreach (var unit in units) Units.Add(unit);
                if (!attended) return;
                Attendees.Add(t.Person);
                Hours += t.Fact.Duration?.TotalHours ?? 0;
            }
        }

        public Part All { get; } = new();
        public Dictionary<string, Part> ByKind { get; } = new(StringComparer.Ordinal);
        public Dictionary<string, HashSet<FollowUpPerson>> Sessions { get; } = new(StringComparer.Ordinal);

        public void Add(Training t, string kind, IReadOnlyList<string> units)
        {
            var attended = t.Fact.Verb == Learning.SessionStatements.AttendedVerb;
            All.Add(t, units, attended);
            if (!ByKind.TryGetValue(kind, out var part)) ByKind[kind] = part = new Part();
            part.Add(t, units, attended);
            if (!attended || t.Fact.SessionId is not { } session) return;
            if (!Sessions.TryGetValue(session, out var people)) Sessions[session] = people = new HashSet<FollowUpPerson>(ReferenceEqualityComparer.Instance);
            people.Add(t.Person);
        }
    }

    /// <summary>Short term: people assessed, pass rates and score bands per activity; sign-off rates of practicals.</summary>
    public static IReadOnlyList<FigureRow> ShortTerm(FollowUpData data, FollowUpFilter filter)
    {
        var rows = new List<FigureRow>();
        var calendar = new Calendar(filter, data.Zone);
        var outcomes = calendar.ByMonth(Trainings(data, filter, calendar, [Learning.SessionStatements.PassedVerb, Learning.SessionStatements.FailedVerb]), t => t.Month);
        var signoffVerbs = data.Framework.SignoffVerbs.ToHashSet(StringComparer.Ordinal);
        var signedOff = data.Statements.Where(s => signoffVerbs.Contains(s.Verb) && s.RefTarget is not null)
            .ToLookup(s => s.RefTarget!.Value, s => s.ActorKey);
        var practicalRules = data.Framework.Rules.Where(r => r.SignoffRequired).ToList();
        for (var i = 0; i < outcomes.Length; i++)
        {
            var key = calendar.Months[i].ToString();
            foreach (var activity in outcomes[i].GroupBy(t => t.Fact.ActivityId!).OrderBy(g => g.Key, StringComparer.Ordinal))
            {
                var assessed = activity.Select(t => t.Person.Id).Distinct().Count();
                var passed = activity.Where(t => t.Fact.Verb == Learning.SessionStatements.PassedVerb).Select(t => t.Person.Id).Distinct().Count();
                var scored = activity.Where(t => t.Fact.Scaled is not null).ToList();
                var bands = scored.Count == 0 ? [] : Enumerable.Range(0, ScoreBands.Length)
                    .Select(band => Count(key, "scoreBand", "activity", $"{activity.Key} {ScoreBands[band]}",
                        scored.Where(t => Band(t.Fact.Scaled!.Value) == band).Select(t => t.Person.Id).Distinct().Count(), assessed)).ToList();
                // People per band add up to the people assessed: with a band suppressed, so is that whole.
                rows.Add(bands.Any(b => b.Suppressed) ? new FigureRow(key, "peopleAssessed", "activity", activity.Key, null, true)
                    : Count(key, "peopleAssessed", "activity", activity.Key, assessed));
                rows.Add(Rate(key, "passRate", "activity", activity.Key, passed, assessed, assessed));
                rows.AddRange(bands);
                var practicals = activity.Where(t => t.Fact.Verb == Learning.SessionStatements.PassedVerb
                    && practicalRules.Any(r => r.Verbs.Contains(t.Fact.Verb) && r.Selects(t.Fact.ActivityId!, t.Fact.ActivityType))).ToList();
                if (practicals.Count == 0) continue;
                var practicalPeople = practicals.Select(t => t.Person.Id).Distinct().Count();
                var signedPeople = practicals.Where(t => signedOff[t.Fact.Id].Any(signer => signer != t.Fact.ActorKey))
                    .Select(t => t.Person.Id).Distinct().Count();
                rows.Add(Rate(key, "signoffRate", "activity", activity.Key, signedPeople, practicalPeople, practicalPeople));
            }
        }
        return rows;
    }

    /// <summary>
    /// Medium term: reflection tasks of the trainings and their answers, group reflections held after them, and the follow-up
    /// questions put to people after the trainings (by the month they were asked), the share answered and the people per score.
    /// </summary>
    public static IReadOnlyList<FigureRow> MediumTerm(FollowUpData data, FollowUpFilter filter)
    {
        var rows = new List<FigureRow>();
        var calendar = new Calendar(filter, data.Zone);
        var followUp = data.Tasks.ToLookup(t => IsFollowUp(data, t));
        // With a centre or a competence, a reflection task counts when its training does: the trainings of the tasks are marked.
        var ofTraining = filter.Centre is null && filter.CompetenceId is null ? null : followUp[false].Select(t => t.StatementId).ToHashSet();
        var trainingIds = new HashSet<Guid>();
        // A unit counts its group reflections from its first training in scope on.
        var firstTraining = new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal);
        foreach (var t in Trainings(data, filter, calendar, TrainingVerbs))
        {
            if (ofTraining?.Contains(t.Fact.Id) == true) trainingIds.Add(t.Fact.Id);
            foreach (var unit in Units(t.Person, t.Fact.Timestamp, filter))
                if (!firstTraining.TryGetValue(unit, out var first) || t.Fact.Timestamp < first) firstTraining[unit] = t.Fact.Timestamp;
        }
        var tasks = TasksInScope(data, filter, calendar, followUp[false].Where(t => ofTraining is null || trainingIds.Contains(t.StatementId)), t => t.TriggeredAt);
        List<TaskInScope>[]? followUps = null;
        if (data.Framework.ReflectionTemplates.Any(t => t.IsFollowUp))
        {
            // A follow-up question is asked weeks after its training, often in a later month, so its training is looked up by id.
            var asked = followUp[true].Select(t => t.StatementId).ToHashSet();
            var statements = filter.Centre is null && filter.CompetenceId is null ? null
                : data.Statements.Where(s => asked.Contains(s.Id) && TrainingVerbs.Contains(s.Verb)).ToDictionary(s => s.Id);
            followUps = TasksInScope(data, filter, calendar, followUp[true].Where(t => t.AvailableFrom <= data.Now
                && (statements is null || statements.TryGetValue(t.StatementId, out var s) && OfCentreAndCompetence(data, filter, s))), t => t.AvailableFrom);
        }
        var held = calendar.ByMonth(data.GroupReflections.Where(g => UnitInScope(data.Directory, g.UnitId, filter)
            && firstTraining.TryGetValue(g.UnitId, out var first) && first <= g.HeldAt), g => calendar.IndexOf(g.HeldAt));
        for (var i = 0; i < tasks.Length; i++)
        {
            var (key, inMonth) = (calendar.Months[i].ToString(), tasks[i]);
            var people = inMonth.Select(t => t.Person).Distinct(ReferenceEqualityComparer.Instance).Count();
            rows.Add(Count(key, "reflectionTasks", "all", AllGroup, inMonth.Count, people));
            // Answered tasks are published as a share only: a count beside it would give away a suppressed one.
            if (inMonth.Count > 0) rows.Add(Rate(key, "reflectionResponseRate", "all", AllGroup, inMonth.Count(t => t.Task.Answered), inMonth.Count, people));
            rows.Add(new FigureRow(key, "groupReflectionsHeld", "all", AllGroup, held[i].Count, false));
            if (followUps is not null) rows.AddRange(FollowUpQuestions(key, followUps[i]));
        }
        return rows;
    }

    private sealed record TaskInScope(TaskFact Task, FollowUpPerson Person);

    // The tasks of people in scope at the time they were asked, by the month they were asked.
    private static List<TaskInScope>[] TasksInScope(FollowUpData data, FollowUpFilter filter, Calendar calendar, IEnumerable<TaskFact> tasks,
        Func<TaskFact, DateTimeOffset> at) =>
        calendar.ByMonth(tasks.Select(t => (Task: t, Person: data.Directory.Of(t.AgentKey)))
            .Where(t => t.Person is not null && InScope(data.Directory, t.Person, at(t.Task), filter))
            .Select(t => new TaskInScope(t.Task, t.Person!)), t => calendar.IndexOf(at(t.Task)));

    private static bool IsFollowUp(FollowUpData data, TaskFact task) => data.Framework.FindReflectionTemplate(task.TemplateId)?.IsFollowUp == true;

    // Follow-up questions asked in a month, the share answered, and the people per score: a part of the scores suppressed
    // suppresses their whole, the people who answered.
    private static IEnumerable<FigureRow> FollowUpQuestions(string month, List<TaskInScope> asked)
    {
        var people = asked.Select(t => t.Person).Distinct(ReferenceEqualityComparer.Instance).Count();
        yield return Count(month, "followUpQuestions", "all", AllGroup, asked.Count, people);
        if (asked.Count == 0) yield break;
        yield return Rate(month, "followUpResponseRate", "all", AllGroup, asked.Count(t => t.Task.Answered), asked.Count, people);
        var scored = asked.Where(t => t.Task.Answered && t.Task.Score is not null).ToList();
        var scores = Enumerable.Range(Reflection.ReflectionTemplate.MinScore, Reflection.ReflectionTemplate.MaxScore - Reflection.ReflectionTemplate.MinScore + 1)
            .Select(score => (Group: score.ToString(CultureInfo.InvariantCulture), People: scored.Where(t => t.Task.Score == score).Select(t => t.Person.Id).Distinct().Count()))
            .Select(p => (p.Group, (double)p.People, p.People)).ToList();
        foreach (var row in Breakdown(month, "followUpScore", "score", scores, scored.Select(t => t.Person.Id).Distinct().Count())) yield return row;
    }

    /// <summary>Long term: coverage of required competences per unit at each month end, renewals before expiry, lapses, deviation reports.</summary>
    public static IReadOnlyList<FigureRow> LongTerm(FollowUpData data, FollowUpFilter filter)
    {
        var rows = new List<FigureRow>();
        var evidence = EvidenceByPerson(data);
        var renewals = Renewals(data, filter, evidence);
        var calendar = new Calendar(filter, data.Zone);
        var coverage = CoverageAt(data, filter, evidence, [.. calendar.Months.Select(m => m.Next.Start(data.Zone).AddTicks(-10))]);
        var renewed = calendar.ByMonth(renewals.Renewed, r => calendar.IndexOf(r.At));
        var lapsed = calendar.ByMonth(renewals.Lapsed, r => calendar.IndexOf(r.At));
        var deviations = calendar.ByMonth(Deviations(data, filter), d => calendar.IndexOf(d.Timestamp));
        for (var i = 0; i < calendar.Months.Count; i++)
        {
            var key = calendar.Months[i].ToString();
            rows.AddRange(coverage[i].Rows(key));
            rows.Add(Count(key, "renewedBeforeExpiry", "all", AllGroup, renewed[i].Select(r => r.Person).Distinct().Count()));
            rows.Add(Count(key, "lapsed", "all", AllGroup, lapsed[i].Select(r => r.Person).Distinct().Count()));
            rows.AddRange(Breakdown(key, "deviations", "category", deviations[i].GroupBy(d => d.Category ?? UnknownKind).OrderBy(g => g.Key, StringComparer.Ordinal)
                .Select(g => (g.Key, (double)g.Count(), g.Count())).ToList(), deviations[i].Count));
        }
        return rows;
    }

    /// <summary>
    /// Before and after a training wave at <paramref name="at"/> for one unit and one competence: coverage as of the wave
    /// and as of <paramref name="months"/> months after it; renewals before expiry and deviation reports in the
    /// <paramref name="months"/> months before against the months after.
    /// </summary>
    public static IReadOnlyList<FigureRow> BeforeAfter(FollowUpData data, FollowUpFilter filter, DateTimeOffset at, int months)
    {
        var rows = new List<FigureRow>();
        var evidence = EvidenceByPerson(data);
        var renewals = Renewals(data, filter, evidence);
        var deviations = Deviations(data, filter).ToList();
        var before = at.AddMonths(-months);
        var after = at.AddMonths(months);
        var periods = new[] { ("before", before, at), ("after", at, after) };
        var coverage = CoverageAt(data, filter, evidence, [.. periods.Select(p => p.Item3.AddTicks(-10))]);
        for (var i = 0; i < periods.Length; i++)
        {
            var (period, from, to) = periods[i];
            if (coverage[i].Rows(null).FirstOrDefault(r => r.By == "all") is { } whole) rows.Add(whole with { Month = null, By = "period", Group = period });
            rows.Add(Count(null, "renewedBeforeExpiry", "period", period, renewals.Renewed.Where(r => r.At >= from && r.At < to).Select(r => r.Person).Distinct().Count()));
            rows.Add(Count(null, "deviations", "period", period, deviations.Count(d => d.Timestamp >= from && d.Timestamp < to)));
        }
        return rows;
    }

    // A training in scope, with the index of its month in the filter's.
    private sealed record Training(StatementFact Fact, FollowUpPerson Person, int Month);

    // Statements of the verbs, in the period, by people in scope at the time, of the centre and the competence.
    private static IEnumerable<Training> Trainings(FollowUpData data, FollowUpFilter filter, Calendar calendar, IReadOnlyList<string> verbs)
    {
        foreach (var s in data.Statements)
        {
            if (!verbs.Contains(s.Verb) || s.ActivityId is null || calendar.IndexOf(s.Timestamp) is var month && month < 0) continue;
            if (data.Directory.Of(s.ActorKey) is not { } person || !InScope(data.Directory, person, s.Timestamp, filter)) continue;
            if (!OfCentreAndCompetence(data, filter, s)) continue;
            yield return new Training(s, person, month);
        }
    }

    // The months of a filter and the moments they begin: the month a moment falls in is found by a binary search of those.
    private sealed class Calendar
    {
        private readonly DateTimeOffset[] _starts;

        public Calendar(FollowUpFilter filter, TimeZoneInfo zone)
        {
            Months = [.. filter.Months()];
            _starts = [.. Months.Select(m => m.Start(zone)), filter.To.Next.Start(zone)];
        }

        public IReadOnlyList<Month> Months { get; }

        // The index of the month of at, or -1 outside the period.
        public int IndexOf(DateTimeOffset at)
        {
            if (at < _starts[0] || at >= _starts[^1]) return -1;
            var i = Array.BinarySearch(_starts, at);
            return i >= 0 ? i : ~i - 1;
        }

        // The items by month.
        public List<T>[] ByMonth<T>(IEnumerable<T> items, Func<T, int> month)
        {
            var lists = Months.Select(_ => new List<T>()).ToArray();
            foreach (var item in items)
                if (month(item) is var i and >= 0) lists[i].Add(item);
            return lists;
        }
    }

    // A training of the filter's centre, aligned with its competence (each when given).
    private static bool OfCentreAndCompetence(FollowUpData data, FollowUpFilter filter, StatementFact s) =>
        s.ActivityId is not null
        && (filter.Centre is not { } centre || s.OfCentre || centre.Covers(s.ActivityId, s.ContextActivities))
        && (filter.CompetenceId is not { } c || data.Framework.Rules.Any(r => r.CompetenceId == c && r.Selects(s.ActivityId, s.ActivityType)));

    private static bool InScope(FollowUpDirectory directory, FollowUpPerson person, DateTimeOffset at, FollowUpFilter filter) =>
        (filter.OrganisationId is null || person.OrganisationId == filter.OrganisationId)
        && (filter.EmployerKind is null || directory.KindOf(person) == filter.EmployerKind)
        && (filter.UnitId is null || person.At(AssignmentKind.Unit, at).Contains(filter.UnitId))
        && (filter.RoleId is null || person.At(AssignmentKind.Role, at).Contains(filter.RoleId));

    private static bool UnitInScope(FollowUpDirectory directory, string unitId, FollowUpFilter filter) =>
        directory.UnitOrganisations.TryGetValue(unitId, out var organisation)
        && (filter.UnitId is null || filter.UnitId == unitId)
        && (filter.OrganisationId is null || filter.OrganisationId == organisation)
        && (filter.EmployerKind is null || (directory.OrganisationKinds.GetValueOrDefault(organisation) ?? UnknownKind) == filter.EmployerKind);

    private static IReadOnlyList<string> Units(FollowUpPerson person, DateTimeOffset at, FollowUpFilter filter) =>
        person.At(AssignmentKind.Unit, at) is var units && filter.UnitId is null ? units : [.. units.Where(u => u == filter.UnitId)];

    private static Dictionary<string, List<EvidenceHistory>> EvidenceByPerson(FollowUpData data)
    {
        var byPerson = new Dictionary<string, List<EvidenceHistory>>(StringComparer.Ordinal);
        foreach (var e in data.Evidence)
            if (data.Directory.Of(e.Evidence.AgentKey) is { } person)
            {
                if (!byPerson.TryGetValue(person.Id, out var list)) byPerson[person.Id] = list = [];
                list.Add(e);
            }
        return byPerson;
    }

    // Coverage of required competences among the members in scope at a moment: over all of them and per unit.
    private sealed class Tally
    {
        public int Members, Required, Met;
        public Dictionary<string, (int Members, int Required, int Met)> ByUnit { get; } = new(StringComparer.Ordinal);

        public void Add(Tally other)
        {
            (Members, Required, Met) = (Members + other.Members, Required + other.Required, Met + other.Met);
            foreach (var (unit, (m, r, k)) in other.ByUnit)
            {
                var (m0, r0, k0) = ByUnit.GetValueOrDefault(unit);
                ByUnit[unit] = (m0 + m, r0 + r, k0 + k);
            }
        }

        public IEnumerable<FigureRow> Rows(string? month)
        {
            if (Required > 0) yield return Rate(month, "coverage", "all", AllGroup, Met, Required, Members);
            foreach (var (unit, (m, r, k)) in ByUnit.OrderBy(u => u.Key, StringComparer.Ordinal))
                if (r > 0) yield return Rate(month, "coverage", "unit", unit, k, r, m);
        }
    }

    // Coverage at each of the moments (in ascending order). Person by person, since a person's profile at one moment says
    // what it is at the next when nothing changed in between; the people are shared out over the cores, each part tallied
    // on its own and the tallies added up.
    private static Tally[] CoverageAt(FollowUpData data, FollowUpFilter filter, Dictionary<string, List<EvidenceHistory>> evidence, DateTimeOffset[] moments)
    {
        var people = data.Directory.People.Values.ToArray();
        var total = Tallies(moments.Length);
        if (people.Length == 0) return total;
        var gate = new object();
        var chunk = Math.Max(64, people.Length / (4 * Environment.ProcessorCount) + 1);
        Parallel.ForEach(System.Collections.Concurrent.Partitioner.Create(0, people.Length, chunk), () => Tallies(moments.Length), (range, _, tallies) =>
        {
            for (var i = range.Item1; i < range.Item2; i++)
            {
                var person = people[i];
                RequirementsMet? requirements = null;
                for (var m = 0; m < moments.Length; m++)
                {
                    var asOf = moments[m];
                    if (!InScope(data.Directory, person, asOf, filter)) continue;
                    // A member counts once over all, at the first of their units in scope, and once in each such unit.
                    var tally = tallies[m];
                    (int Required, int Met)? counts = null;
                    foreach (var unit in person.At(AssignmentKind.Unit, asOf))
                    {
                        if (!UnitInScope(data.Directory, unit, filter)) continue;
                        if (counts is null)
                        {
                            requirements ??= new RequirementsMet(data, filter, person, evidence.GetValueOrDefault(person.Id) ?? []);
                            counts = requirements.At(asOf);
                            (tally.Members, tally.Required, tally.Met) = (tally.Members + 1, tally.Required + counts.Value.Required, tally.Met + counts.Value.Met);
                        }
                        var (um, ur, uk) = tally.ByUnit.GetValueOrDefault(unit);
                        tally.ByUnit[unit] = (um + 1, ur + counts.Value.Required, uk + counts.Value.Met);
                    }
                }
            }
            return tallies;
        }, tallies =>
        {
            lock (gate)
                for (var m = 0; m < moments.Length; m++) total[m].Add(tallies[m]);
        });
        return total;
    }

    private static Tally[] Tallies(int count) => [.. Enumerable.Range(0, count).Select(_ => new Tally())];

    // A person's required competences and how many of them were met at a moment, by the profile as it stood then: evidence
    // achieved and not voided by then, sign-offs given and not voided by then, expiry by then, the roles of then. That profile
    // changes only at those moments, so between two moments asked for with none of them in between, the counts of the
    // first stand for the second.
    private sealed class RequirementsMet
    {
        private readonly FollowUpData _data;
        private readonly FollowUpFilter _filter;
        private readonly FollowUpPerson _person;
        private readonly DateTimeOffset[] _moments;
        private readonly Dictionary<string, EvidenceHistory[]> _byCompetence;
        private (int Period, IReadOnlyList<Competence.Competence> Competences) _required = (-1, []);
        private (int Roles, int Moments, int Required, int Met) _last = (-1, -1, 0, 0);

        // The moments the person's profile can change at, and the evidence by competence.
        public RequirementsMet(FollowUpData data, FollowUpFilter filter, FollowUpPerson person, List<EvidenceHistory> history)
        {
            (_data, _filter, _person) = (data, filter, person);
            var moments = new List<DateTimeOffset>(history.Count * 3);
            var byCompetence = new Dictionary<string, List<EvidenceHistory>>(StringComparer.Ordinal);
            foreach (var h in history)
            {
                moments.Add(h.Evidence.AchievedAt);
                if (h.VoidedAt is { } voided) moments.Add(voided);
                if (h.Evidence.ExpiresAt is { } expires) moments.Add(expires);
                foreach (var o in h.Signoffs)
                {
                    moments.Add(o.SignedAt);
                    if (o.VoidedAt is { } signoffVoided) moments.Add(signoffVoided);
                }
                if (!byCompetence.TryGetValue(h.Evidence.CompetenceId, out var list)) byCompetence[h.Evidence.CompetenceId] = list = [];
                list.Add(h);
            }
            moments.Sort();
            _moments = [.. moments];
            _byCompetence = byCompetence.ToDictionary(c => c.Key, c => c.Value.ToArray(), StringComparer.Ordinal);
        }

        public (int Required, int Met) At(DateTimeOffset asOf)
        {
            var (roles, until) = (_person.ChangesUntil(AssignmentKind.Role, asOf), UpperBound(_moments, asOf));
            if (_last.Roles == roles && _last.Moments == until) return (_last.Required, _last.Met);
            if (_required.Period != roles)
                _required = (roles, [.. ProfileCalculator.RequiredCompetences(new PersonFacts(_person.Id, _person.At(AssignmentKind.Role, asOf), _person.Duties), _data.Framework)
                    .Where(c => _filter.CompetenceId is null || c.Id == _filter.CompetenceId)]);
            int met = 0;
            foreach (var competence in _required.Competences)
            {
                var holds = Holds(competence.Id, asOf);
                foreach (var prerequisite in competence.Prerequisites) holds &= Holds(prerequisite, asOf);
                if (holds) met++;
            }
            _last = (roles, until, _required.Competences.Count, met);
            return (_required.Competences.Count, met);
        }

        private bool Holds(string competenceId, DateTimeOffset asOf) =>
            _byCompetence.TryGetValue(competenceId, out var of) && Competence.ProfileAsOf.Holds(of, asOf);

        // How many of the sorted moments are at or before at.
        private static int UpperBound(DateTimeOffset[] moments, DateTimeOffset at)
        {
            int lo = 0, hi = moments.Length;
            while (lo < hi)
            {
                var mid = (lo + hi) / 2;
                if (moments[mid] <= at) lo = mid + 1;
                else hi = mid;
            }
            return lo;
        }
    }

    private sealed record PersonEvent(string Person, DateTimeOffset At);

    // Renewed before expiry: new evidence of a competence while earlier usable evidence of it was still valid.
    // Lapsed: evidence expired (by now) with no new evidence achieved between it and its expiry.
    // Both as the evidence stands now: a renewal voided since was no renewal.
    private static (List<PersonEvent> Renewed, List<PersonEvent> Lapsed) Renewals(FollowUpData data, FollowUpFilter filter,
        Dictionary<string, List<EvidenceHistory>> evidence)
    {
        var renewed = new List<PersonEvent>();
        var lapsed = new List<PersonEvent>();
        var now = data.Now;
        foreach (var (personId, history) in evidence)
        {
            var person = data.Directory.People[personId];
            // The evidence that counts now (ProfileAsOf.Counts), by competence and then
            // in the order achieved.
            var usable = history.Where(h => (filter.CompetenceId is null || h.Evidence.CompetenceId == filter.CompetenceId) && Competence.ProfileAsOf.Counts(h, now))
                .Select(h => h.Evidence).ToArray();
            Array.Sort(usable, static (a, b) => string.CompareOrdinal(a.CompetenceId, b.CompetenceId) is var c and not 0 ? c : a.AchievedAt.CompareTo(b.AchievedAt));
            for (var start = 0; start < usable.Length;)
            {
                var end = start + 1;
                while (end < usable.Length && usable[end].CompetenceId == usable[start].CompetenceId) end++;
                for (var i = start; i < end; i++)
                {
                    var e = usable[i];
                    var renewal = false;
                    for (var p = start; p < i && !renewal; p++)
                        renewal = usable[p].AchievedAt < e.AchievedAt && usable[p].ExpiresAt is { } valid && valid > e.AchievedAt;
                    if (renewal && InScope(data.Directory, person, e.AchievedAt, filter)) renewed.Add(new PersonEvent(personId, e.AchievedAt));
                    if (e.ExpiresAt is not { } expiry || expiry > now) continue;
                    var followed = false;
                    for (var n = start; n < end && !followed; n++)
                        followed = n != i && usable[n].AchievedAt <= expiry && (usable[n].ExpiresAt is not { } until || until > expiry);
                    if (!followed && InScope(data.Directory, person, expiry, filter)) lapsed.Add(new PersonEvent(personId, expiry));
                }
                start = end;
            }
        }
        return (renewed, lapsed);
    }

    private static IEnumerable<StatementFact> Deviations(FollowUpData data, FollowUpFilter filter) =>
        data.Statements.Where(s => s.Verb == ReportedVerb && s.ActivityType == DeviationReportType && s.Unit is not null
            && UnitInScope(data.Directory, s.Unit, filter)
            && (filter.CompetenceId is null || s.ContextActivities.Any(a => a == filter.CompetenceId || a.EndsWith("/" + filter.CompetenceId, StringComparison.Ordinal))));

    private static int Band(double scaled) => Math.Clamp((int)Math.Floor(scaled * ScoreBands.Length), 0, ScoreBands.Length - 1);

    private static int KindOrder(string kind)
    {
        for (var i = 0; i < EmployerKinds.All.Count; i++)
            if (EmployerKinds.All[i] == kind) return i;
        return EmployerKinds.All.Count;
    }

    // A breakdown and its whole. The whole is suppressed too when one of its parts is, so that it cannot be subtracted back
    // to the part.
    private static IEnumerable<FigureRow> Breakdown(string month, string figure, string by, IReadOnlyList<(string Group, double Value, int People)> parts,
        int people, double? whole = null)
    {
        var rows = parts.Select(p => Suppress(p.People) ? new FigureRow(month, figure, by, p.Group, null, true)
            : new FigureRow(month, figure, by, p.Group, p.Value, false)).ToList();
        var hide = rows.Any(r => r.Suppressed) || Suppress(people);
        rows.Add(new FigureRow(month, figure, "all", AllGroup, hide ? null : whole ?? people, hide));
        return rows;
    }

    private static bool Suppress(int people) => people is > 0 and < MinimumPeople;

    // A count, suppressed when the people it rests on (the count itself unless given) are 1 to 4.
    private static FigureRow Count(string? month, string figure, string by, string group, int count, int? people = null) =>
        Suppress(count) || people is { } p && Suppress(p)
            ? new FigureRow(month, figure, by, group, null, true)
            : new FigureRow(month, figure, by, group, count, false);

    // A share, suppressed when it rests on fewer than five people.
    private static FigureRow Rate(string? month, string figure, string by, string group, int part, int whole, int people) =>
        people < MinimumPeople || whole == 0
            ? new FigureRow(month, figure, by, group, null, true)
            : new FigureRow(month, figure, by, group, Math.Round((double)part / whole, 4), false);
}
