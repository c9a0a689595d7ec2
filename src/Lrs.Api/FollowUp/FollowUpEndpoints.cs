using System.Globalization;
using System.Security.Claims;
using System.Text;
using Lrs.Api.Auth;
using Lrs.Api.People;
using Lrs.Core.Competence;
using Lrs.Core.FollowUp;
using Lrs.Core.People;
using Lrs.Core.Storage;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace Lrs.Api.FollowUp;

/// <summary>
/// The follow-up of a learning centre's effects, by month: reach, short term, medium term (into practice), long term, and
/// before/after a training wave. As JSON, or as CSV for Excel and Power BI (<c>Accept: text/csv</c>). Counts of fewer than
/// five people are suppressed; an organisation-restricted caller gets its own employer's figures only.
/// </summary>
public static class FollowUpEndpoints
{
    /// <summary>The longest period one request may cover, in months.</summary>
    public const int MaxMonths = 36;

    /// <summary>The monthly measures by the name of their route, and how each is computed.</summary>
    public static readonly IReadOnlyDictionary<string, (string Measure, Func<FollowUpData, FollowUpFilter, IReadOnlyList<FigureRow>> Compute)> Monthly =
        new Dictionary<string, (string, Func<FollowUpData, FollowUpFilter, IReadOnlyList<FigureRow>>)>
        {
            ["reach"] = ("reach", FollowUpFigures.Reach),
            ["short-term"] = ("shortTerm", FollowUpFigures.ShortTerm),
            ["medium-term"] = ("mediumTerm", FollowUpFigures.MediumTerm),
            ["long-term"] = ("longTerm", FollowUpFigures.LongTerm),
        };

    public static IEndpointRouteBuilder MapFollowUp(this IEndpointRouteBuilder routes)
    {
        var api = routes.MapGroup("/api/follow-up")
            .WithTags("Follow-up")
            .RequireAuthorization()
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .RequireScope(Scopes.ProfilesRead);

        Measure(api.MapGet("/reach", GetReach), "GetFollowUpReach", "Reach of the trainings by month",
            "People trained (`peopleTrained`, by `employerKind` and `all`: distinct people with attended, completed, passed, failed or satisfied), " +
            "units they were in (`unitsTrained`), hours (`hours`: the durations of their attendances), on-site sessions held (`sessionsHeld`), places " +
            "those sessions offered (`placesOffered`, when a session states `places`) and attendance against them (`attendance`, a share).");
        Measure(api.MapGet("/short-term", GetShortTerm), "GetFollowUpShortTerm", "Short-term effects by month: results of the trainings",
            "Per activity: people assessed (`peopleAssessed`: passed or failed), the share of them who passed (`passRate`), people per band of " +
            "`result.score.scaled` (`scoreBand`, group `{activity} 0.8-1.0`), and of passed practicals (rules that need a sign-off) the share signed off (`signoffRate`).");
        Measure(api.MapGet("/medium-term", GetMediumTerm), "GetFollowUpMediumTerm", "Medium-term effects by month: reflection after the trainings",
            "Reflection tasks the trainings triggered (`reflectionTasks`, by the month they were triggered), those answered (`reflectionTasksAnswered`) " +
            "and the share answered (`reflectionResponseRate`); group reflections held in units after their first training in scope (`groupReflectionsHeld`). " +
            "When the framework has follow-up questions (reflection templates of kind `follow-up`): the questions put to people in the month, their " +
            "`delay` after the training (`followUpQuestions`), the share answered (`followUpResponseRate`) and the people per score (`followUpScore`, by " +
            "`score`, groups `1` to `5`, and `all`: the people who answered). Under the `centre` and `competence` filters a question counts when its training does.");
        Measure(api.MapGet("/long-term", GetLongTerm), "GetFollowUpLongTerm", "Long-term effects by month: coverage, renewals, deviations",
            "Coverage of required competences at each month end (`coverage`: met requirements over required ones, by `unit` and `all`, profiles as " +
            "they stood that day), people who renewed a competence before it expired (`renewedBeforeExpiry`) or let it expire (`lapsed`), and " +
            "deviation reports of the units (`deviations`, by `all` and `category`). The centre filter does not narrow this measure: it is about units.");
        api.MapGet("/before-after", GetBeforeAfter)
            .WithName("GetFollowUpBeforeAfter")
            .WithSummary("One unit and one competence before and after a training wave")
            .WithDescription("For `unit` and `competence` (both required) around `date` (yyyy-MM-dd, the wave's start, in `Lrs:Reflection:TimeZone`): " +
                "coverage as of the date and as of `months` months after it (1 to 24, default 3), people who renewed before expiry, and deviation " +
                "reports, in the `months` months before the date against the months after (`by`: `period`, `group`: `before` or `after`). " +
                SuppressionNote)
            .Produces<MeasureView>(StatusCodes.Status200OK, "application/json", "text/csv");
        return routes;
    }

    private const string SuppressionNote =
        "A value resting on fewer than five people (a count of 1 to 4 people, a share or hours of fewer than five) is suppressed: `value` null and " +
        "`suppressed` true in JSON, `<5` in CSV; a whole whose part is suppressed is suppressed too. A credential restricted to an organisation gets " +
        "that employer's figures only (another `organisation`, or a unit of another, is 404). `Accept: text/csv` answers CSV in UTF-8 with a byte " +
        "order mark (columns month, figure, by, group, value); `locale=sv-SE` separates with `;` and writes a decimal comma. Scope `profiles:read`.";

    private static void Measure(RouteHandlerBuilder route, string name, string summary, string description) =>
        route.WithName(name).WithSummary(summary)
            .WithDescription(description + " Filters: `from` and `to` (yyyy-MM, default the last twelve months; at most 36), `centre` (a learning " +
                "centre id), `employerKind` (municipal, private, regional), `organisation`, `unit`, `role`, `competence` (trainings aligned with it; " +
                "in coverage, that competence only). People count in a unit or role they had at the time. " + SuppressionNote)
            .Produces<MeasureView>(StatusCodes.Status200OK, "application/json", "text/csv");

    /// <summary>The filters of a monthly measure.</summary>
    public sealed record FollowUpQuery(
        [FromQuery(Name = "from")] string? From, [FromQuery(Name = "to")] string? To, [FromQuery(Name = "centre")] string? Centre,
        [FromQuery(Name = "employerKind")] string? EmployerKind, [FromQuery(Name = "organisation")] string? Organisation,
        [FromQuery(Name = "unit")] string? Unit, [FromQuery(Name = "role")] string? Role, [FromQuery(Name = "competence")] string? Competence,
        [FromQuery(Name = "locale")] string? Locale);

    /// <summary>The parameters of a before/after comparison.</summary>
    public sealed record BeforeAfterQuery(
        [FromQuery(Name = "unit")] string? Unit, [FromQuery(Name = "competence")] string? Competence, [FromQuery(Name = "date")] string? Date,
        [FromQuery(Name = "months")] int? Months, [FromQuery(Name = "locale")] string? Locale);

    /// <summary>The filters a follow-up was computed with.</summary>
    /// <param name="Centre">The learning centre id.</param>
    /// <param name="EmployerKind">The employer kind.</param>
    /// <param name="Organisation">The organisation (always the caller's own when restricted).</param>
    /// <param name="Unit">The unit.</param>
    /// <param name="Role">The role.</param>
    /// <param name="Competence">The competence.</param>
    public sealed record FollowUpFilters(string? Centre, string? EmployerKind, string? Organisation, string? Unit, string? Role, string? Competence);

    /// <summary>A follow-up measure: its figures as rows (one per month, figure and group), ready for a pivot table.</summary>
    /// <param name="Measure"><c>reach</c>, <c>shortTerm</c>, <c>mediumTerm</c>, <c>longTerm</c> or <c>beforeAfter</c>.</param>
    /// <param name="From">The first month (before/after: the first day of the period before).</param>
    /// <param name="To">The last month (before/after: the last day of the period after).</param>
    /// <param name="TimeZone">The time zone of months and dates.</param>
    /// <param name="Filters">The filters applied.</param>
    /// <param name="Rows">The figures.</param>
    public sealed record MeasureView(string Measure, string From, string To, string TimeZone, FollowUpFilters Filters, IReadOnlyList<FigureRow> Rows);

    public static Task<IResult> GetReach([AsParameters] FollowUpQuery query, HttpRequest request, ClaimsPrincipal user, FollowUpReader reader, CancellationToken ct) =>
        MonthlyAsync("reach", query, request, user, reader, FollowUpFigures.Reach, ct);

    public static Task<IResult> GetShortTerm([AsParameters] FollowUpQuery query, HttpRequest request, ClaimsPrincipal user, FollowUpReader reader, CancellationToken ct) =>
        MonthlyAsync("shortTerm", query, request, user, reader, FollowUpFigures.ShortTerm, ct);

    public static Task<IResult> GetMediumTerm([AsParameters] FollowUpQuery query, HttpRequest request, ClaimsPrincipal user, FollowUpReader reader, CancellationToken ct) =>
        MonthlyAsync("mediumTerm", query, request, user, reader, FollowUpFigures.MediumTerm, ct);

    public static Task<IResult> GetLongTerm([AsParameters] FollowUpQuery query, HttpRequest request, ClaimsPrincipal user, FollowUpReader reader, CancellationToken ct) =>
        MonthlyAsync("longTerm", query, request, user, reader, FollowUpFigures.LongTerm, ct);

    public static async Task<IResult> GetBeforeAfter([AsParameters] BeforeAfterQuery query, HttpRequest request, ClaimsPrincipal user, FollowUpReader reader, CancellationToken ct)
    {
        if (Refused(user) is { } refused) return refused;
        if (Locale(query.Locale) is not { } locale) return BadLocale();
        if (query.Unit is null || query.Competence is null)
            return Bad("Missing filter", "unit and competence are required.");
        if (!DateOnly.TryParseExact(query.Date, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day))
            return Bad("Invalid date", "date is required: the day the training wave began, yyyy-MM-dd.");
        var months = query.Months ?? 3;
        if (months is < 1 or > 24) return Bad("Invalid months", "months is between 1 and 24.");
        var zone = reader.Zone;
        var month = new Month(day.Year, day.Month);
        var local = day.ToDateTime(TimeOnly.MinValue);
        var at = new DateTimeOffset(local, zone.GetUtcOffset(local));
        var (found, refusal) = await reader.FilterAsync(user.TenantId(), user.RestrictedOrganisation(),
            new FollowUpQuery(month.ToString(), month.ToString(), null, null, null, query.Unit, null, query.Competence, null), ct);
        if (found is null) return refusal!.ToProblem();
        var data = await reader.ReadAsync(user.TenantId(), "beforeAfter", found, ct);
        var view = new MeasureView("beforeAfter", day.AddMonths(-months).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            day.AddMonths(months).AddDays(-1).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), zone.Id, Filters(found.Filter),
            FollowUpFigures.BeforeAfter(data, found.Filter, at, months));
        return Answer(request, view, locale);
    }

    private static async Task<IResult> MonthlyAsync(string measure, FollowUpQuery query, HttpRequest request, ClaimsPrincipal user, FollowUpReader reader,
        Func<FollowUpData, FollowUpFilter, IReadOnlyList<FigureRow>> compute, CancellationToken ct)
    {
        if (Refused(user) is { } refused) return refused;
        if (Locale(query.Locale) is not { } locale) return BadLocale();
        var (found, refusal) = await reader.FilterAsync(user.TenantId(), user.RestrictedOrganisation(), query, ct);
        if (found is null) return refusal!.ToProblem();
        var filter = found.Filter;
        var data = await reader.ReadAsync(user.TenantId(), measure, found, ct);
        var view = new MeasureView(measure, filter.From.ToString(), filter.To.ToString(), reader.Zone.Id, Filters(filter), compute(data, filter));
        return Answer(request, view, locale);
    }

    private static FollowUpFilters Filters(FollowUpFilter f) => new(f.Centre?.Id, f.EmployerKind, f.OrganisationId, f.UnitId, f.RoleId, f.CompetenceId);

    // A credential bound to one actor or registration reads that one's records, never figures about a population.
    private static IResult? Refused(ClaimsPrincipal user) => BoundAccess.Of(user).IsNone ? null
        : TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Bound credential",
            detail: "This credential is bound to an actor or registration; follow-up figures are about whole groups of people.");

    /// <summary>The CSV form a <c>locale</c> asks for; null for one not offered.</summary>
    public static FollowUpCsv.Locale? Locale(string? locale) => locale switch
    {
        null or "en" or "en-US" or "en-GB" => FollowUpCsv.Locale.English,
        "sv" or "sv-SE" => FollowUpCsv.Locale.Swedish,
        _ => null,
    };

    private static IResult BadLocale() => Bad("Invalid locale", "locale is sv-SE (semicolons, decimal comma) or en-US (commas, decimal point).");

    internal static ProblemHttpResult Bad(string title, string detail) =>
        TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: title, detail: detail);

    private static IResult Answer(HttpRequest request, MeasureView view, FollowUpCsv.Locale locale) =>
        request.Headers.Accept.Any(a => a is not null && a.Contains("text/csv", StringComparison.OrdinalIgnoreCase))
            ? TypedResults.File(FollowUpCsv.Write(view.Rows, locale), "text/csv; charset=utf-8", $"follow-up-{view.Measure}-{view.From}-{view.To}.csv")
            : TypedResults.Ok(view);
}

/// <summary>
/// Figures as CSV for Excel and Power BI: UTF-8 with a byte order mark (so Excel reads å, ä, ö), one row per figure, a
/// suppressed value as <c>&lt;5</c>. Under <c>sv-SE</c> fields are separated by <c>;</c> and decimals written with a comma,
/// as Swedish Excel expects; otherwise <c>,</c> and a point.
/// </summary>
public static class FollowUpCsv
{
    /// <summary>How numbers and fields are written.</summary>
    public enum Locale
    {
        /// <summary>Fields separated by <c>,</c>, a decimal point.</summary>
        English,
        /// <summary>Fields separated by <c>;</c>, a decimal comma (Swedish Excel).</summary>
        Swedish,
    }

    // Written by hand rather than from the sv-SE culture: the server may run without culture data (invariant globalization).
    private static readonly NumberFormatInfo DecimalComma = new() { NumberDecimalSeparator = ",", NegativeSign = "-" };

    /// <summary>The CSV bytes, byte order mark first.</summary>
    public static byte[] Write(IEnumerable<FigureRow> rows, Locale locale)
    {
        var swedish = locale == Locale.Swedish;
        var separator = swedish ? ';' : ',';
        var text = new StringBuilder();
        text.Append(string.Join(separator, "month", "figure", "by", "group", "value")).Append("\r\n");
        foreach (var row in rows)
        {
            var value = row.Suppressed ? "<5" : row.Value?.ToString(swedish ? DecimalComma : CultureInfo.InvariantCulture) ?? "";
            text.Append(string.Join(separator, Field(row.Month ?? "", separator), Field(row.Figure, separator), Field(row.By, separator),
                Field(row.Group, separator), Field(value, separator))).Append("\r\n");
        }
        return [.. Encoding.UTF8.GetPreamble(), .. Encoding.UTF8.GetBytes(text.ToString())];
    }

    private static string Field(string value, char separator) =>
        value.IndexOfAny([separator, '"', '\r', '\n']) >= 0 ? "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : value;
}

/// <summary>Why a follow-up cannot be computed: a status (400 or 404), a title and a detail.</summary>
/// <param name="Status">400 for a bad filter, 404 for an id the caller may not see.</param>
/// <param name="Title">A short title.</param>
/// <param name="Detail">What is wrong.</param>
public sealed record FollowUpRefusal(int Status, string Title, string Detail)
{
    /// <summary>A bad filter.</summary>
    public static FollowUpRefusal Bad(string title, string detail) => new(StatusCodes.Status400BadRequest, title, detail);

    /// <summary>An id the caller may not see.</summary>
    public static FollowUpRefusal NotFound(string title, string detail) => new(StatusCodes.Status404NotFound, title, detail);

    /// <summary>As ProblemDetails.</summary>
    public IResult ToProblem() => TypedResults.Problem(statusCode: Status, title: Title, detail: Detail);
}

/// <summary>A request's filter, with the directory and framework read to check it.</summary>
/// <param name="Filter">The filter.</param>
/// <param name="Directory">The tenant's people, organisations and units.</param>
/// <param name="Framework">The tenant's framework.</param>
public sealed record FollowUpRequest(FollowUpFilter Filter, FollowUpDirectory Directory, Framework Framework);

/// <summary>Turns a request's filters into a <see cref="FollowUpFilter"/> and reads what a measure needs from the stores.</summary>
public sealed class FollowUpReader(IFollowUpStore store, ICompetenceStore competence, IOptions<LrsOptions> options, TimeProvider time)
{
    /// <summary>The time zone of months.</summary>
    public TimeZoneInfo Zone { get; } = TimeZoneInfo.FindSystemTimeZoneById(options.Value.Reflection.TimeZone);

    /// <summary>
    /// The filter of a request, or why there is none (400 for a bad value, 404 for what the caller may not see). A caller
    /// restricted to <paramref name="restricted"/> gets that organisation's figures only.
    /// </summary>
    public async Task<(FollowUpRequest? Request, FollowUpRefusal? Refusal)> FilterAsync(long tenant, string? restricted, FollowUpEndpoints.FollowUpQuery query, CancellationToken ct)
    {
        var now = Month.Of(time.GetUtcNow(), Zone);
        Month from = now.Add(-11), to = now;
        if (query.To is not null && !Month.TryParse(query.To, out to)) return (null, FollowUpRefusal.Bad("Invalid to", $"to '{query.To}' is not a month, yyyy-MM."));
        if (query.From is not null && !Month.TryParse(query.From, out from)) return (null, FollowUpRefusal.Bad("Invalid from", $"from '{query.From}' is not a month, yyyy-MM."));
        if (query.From is null) from = to.Add(-11);
        if (from.CompareTo(to) > 0) return (null, FollowUpRefusal.Bad("Invalid period", "from is after to."));
        if (from.Until(to) >= FollowUpEndpoints.MaxMonths) return (null, FollowUpRefusal.Bad("Invalid period", $"A follow-up covers at most {FollowUpEndpoints.MaxMonths} months."));
        if (query.EmployerKind is { } kind && !EmployerKinds.All.Contains(kind))
            return (null, FollowUpRefusal.Bad("Invalid employerKind", $"employerKind is one of {string.Join(", ", EmployerKinds.All)}."));
        var framework = (await competence.GetFrameworkAsync(tenant, ct)).Framework;
        if (query.Role is { } role && framework.FindRole(role) is null)
            return (null, FollowUpRefusal.Bad("Invalid role", $"The framework has no role '{role}'."));
        if (query.Competence is { } c && framework.FindCompetence(c) is null)
            return (null, FollowUpRefusal.Bad("Invalid competence", $"The framework has no competence '{c}'."));
        LearningCentre? centre = null;
        if (query.Centre is { } centreId && (centre = await store.GetCentreAsync(tenant, centreId, ct)) is null)
            return (null, FollowUpRefusal.NotFound("No such learning centre", $"There is no learning centre with id '{centreId}'."));
        var directory = await store.DirectoryAsync(tenant, ct);
        var organisation = query.Organisation;
        if (organisation is not null && (!directory.OrganisationKinds.ContainsKey(organisation) || restricted is not null && organisation != restricted))
            return (null, FollowUpRefusal.NotFound("No such organisation", $"There is no organisation with id '{organisation}' that this credential may see."));
        if (query.Unit is { } unit && (!directory.UnitOrganisations.TryGetValue(unit, out var owner) || restricted is not null && owner != restricted))
            return (null, FollowUpRefusal.NotFound("No such unit", $"There is no unit with id '{unit}' that this credential may see."));
        var filter = new FollowUpFilter(from, to, centre, query.EmployerKind, organisation ?? restricted, query.Unit, query.Role, query.Competence);
        return (new FollowUpRequest(filter, directory, framework), null);
    }

    private static readonly string[] Outcomes = [Lrs.Core.Learning.SessionStatements.PassedVerb, Lrs.Core.Learning.SessionStatements.FailedVerb];

    /// <summary>What <paramref name="measure"/> needs, read after <see cref="FilterAsync"/>.</summary>
    public async Task<FollowUpData> ReadAsync(long tenant, string measure, FollowUpRequest request, CancellationToken ct)
    {
        var (filter, directory, framework) = request;
        // The statements of the period; what is read of them outside it, by whatever else it is found.
        var (from, to) = (filter.From.Start(Zone), filter.To.Next.Start(Zone));
        // The agents of the people who can be in scope: of the organisation (and its kind), and ever in the unit. A training counts
        // for the person of its actor, so only these actors' trainings are read; without any of these filters, everyone's.
        var keys = directory.PersonOfAgent.Where(a => directory.People.TryGetValue(a.Value, out var p)
            && (filter.OrganisationId is null || p.OrganisationId == filter.OrganisationId)
            && (filter.EmployerKind is null || directory.KindOf(p) == filter.EmployerKind)
            && (filter.UnitId is null || p.Assignments.Any(x => x.Kind == Lrs.Core.People.AssignmentKind.Unit && x.Value == filter.UnitId)))
            .Select(a => a.Key).ToHashSet(StringComparer.Ordinal);
        var narrowed = filter.OrganisationId is not null || filter.EmployerKind is not null || filter.UnitId is not null;
        var actors = narrowed ? keys : null;
        // What the measure reads, at once on as many connections (none depends on another), then what depends on the statements and tasks.
        var statementsRead = StatementsAsync();
        // Only the evidence of people who can be in scope. Without a filter that is everyone: the tenant's evidence is read whole
        // rather than agent by agent.
        var evidenceRead = measure is "longTerm" or "beforeAfter" && keys.Count > 0
            ? competence.EvidenceHistoryAsync(tenant, narrowed ? keys : null, ct) : Task.FromResult<IReadOnlyList<EvidenceHistory>>([]);
        // A task counts for the person of its agent, in the month it was triggered (a follow-up question: asked): only the tasks
        // of people who can be in scope, and that can fall in the period, are read.
        // Only a follow-up question's score is counted.
        var tasksRead = measure == "mediumTerm"
            ? store.TasksAsync(tenant, ct, actors, from, to, [.. framework.ReflectionTemplates.Where(t => t.IsFollowUp).Select(t => t.Id)])
            : Task.FromResult<IReadOnlyList<TaskFact>>([]);
        var reflectionsRead = measure == "mediumTerm" ? store.GroupReflectionsAsync(tenant, ct) : Task.FromResult<IReadOnlyList<GroupReflectionFact>>([]);
        var sessionsRead = measure == "reach" ? store.SessionsAsync(tenant, ct) : Task.FromResult<IReadOnlyList<SessionFact>>([]);
        await Task.WhenAll(statementsRead, evidenceRead, tasksRead, reflectionsRead, sessionsRead);
        var (statements, evidence, tasks, reflections, sessions) = (statementsRead.Result, evidenceRead.Result, tasksRead.Result, reflectionsRead.Result, sessionsRead.Result);
        if (tasks.Count > 0 && (filter.Centre is not null || filter.CompetenceId is not null))
        {
            // A follow-up question is asked weeks after its training, often in a later period: its training is read by id (only for
            // the tasks of people who can be in scope; the training's actor may be a group the person was a member of).
            var trainings = tasks.Where(t => framework.FindReflectionTemplate(t.TemplateId)?.IsFollowUp == true && (!narrowed || keys.Contains(t.AgentKey)))
                .Select(t => t.StatementId).ToHashSet();
            foreach (var s in statements) trainings.Remove(s.Id);
            if (trainings.Count > 0) statements = [.. statements, .. await store.StatementsByIdAsync(tenant, trainings, ct)];
        }
        return new FollowUpData(directory, statements, evidence, tasks, reflections, sessions, framework, Zone, time.GetUtcNow());

        async Task<IReadOnlyList<StatementFact>> StatementsAsync() => measure switch
        {
            // A sign-off may come after the period of the training it signs: sign-offs are read whenever they were given, by whoever gave them.
            "shortTerm" when framework.SignoffVerbs.Intersect(Outcomes).Any() => await store.StatementsAsync(tenant, [.. Outcomes.Union(framework.SignoffVerbs)], null, null, null, ct),
            "shortTerm" => [.. await store.StatementsAsync(tenant, Outcomes, from, to, filter.Centre, ct, actors),
                .. await store.StatementsAsync(tenant, [.. framework.SignoffVerbs], null, null, null, ct)],
            // Deviation reports belong to the unit they name, not to their actor.
            "longTerm" => await store.StatementsAsync(tenant, [FollowUpFigures.ReportedVerb], from, to, null, ct),
            "beforeAfter" => await store.StatementsAsync(tenant, [FollowUpFigures.ReportedVerb], null, null, null, ct),
            // Reach and medium term read no more of a training than they count, and its definition only to match it with a competence.
            _ => await store.StatementsAsync(tenant, FollowUpFigures.TrainingVerbs, from, to, filter.Centre, ct, actors,
                (measure == "reach" ? FactParts.Result | FactParts.Session : FactParts.None) | (filter.CompetenceId is null ? FactParts.None : FactParts.Definition)),
        };
    }
}
