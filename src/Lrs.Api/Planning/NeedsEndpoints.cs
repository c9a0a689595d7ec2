using System.Globalization;
using System.Security.Claims;
using Lrs.Api.Auth;
using Lrs.Api.Competence;
using Lrs.Api.People;
using Lrs.Api.Reflection;
using Lrs.Api.Xapi;
using Lrs.Core.Competence;
using Lrs.Core.People;
using Lrs.Core.Planning;
using Lrs.Core.Reflection;
using Lrs.Core.Storage;
using Lrs.Core.Xapi;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace Lrs.Api.Planning;

/// <summary>
/// A unit's needs analysis: what its members lack for their roles, what expires within a horizon, prerequisites not held,
/// reflections left unanswered, and the deviation reports the unit records here (each also an xAPI statement), ranked.
/// </summary>
public static class NeedsEndpoints
{
    private const string DefaultHorizon = "P6M";
    private const int MaxCompetencesPerDeviation = 20;

    public static IEndpointRouteBuilder MapNeeds(this IEndpointRouteBuilder routes)
    {
        var api = routes.MapGroup("/api").WithTags("Planning").RequireAuthorization().ProducesProblem(StatusCodes.Status403Forbidden);

        api.MapGet("/units/{id}/needs", GetNeeds)
            .RequireScope(Scopes.ProfilesRead)
            .WithName("GetUnitNeeds")
            .WithSummary("A unit's needs analysis, ranked")
            .WithDescription("What the unit's current members need, most pressing first, each item saying why it is there: `missing` (a required competence, " +
                "per role and duty, that members lack: missing, expired or awaiting sign-off), `prerequisite` (held without its prerequisites), `expiring` " +
                "(expires within `horizon`, an ISO 8601 duration, default P6M, at most P5Y), `unanswered-reflection` (reflection tasks past due) and " +
                "`deviation` (deviation reports dated within the last `horizon`). Score: 3 per person lacking, 2 per person with unmet prerequisites or " +
                "expiring, 1 per overdue task, 2 per deviation report; each deviation report adds 1 to every other item of its competence.");
        api.MapPost("/units/{id}/deviations", ReportDeviation)
            .RequireScope(Scopes.PeopleWrite)
            .WithName("ReportDeviation")
            .Accepts<DeviationInput>("application/json")
            .WithSummary("Records a deviation report of a unit")
            .WithDescription("A deviation (avvikelse) as a signal for competence planning: its `date` (not in the future), a `category` token, the `competences` " +
                "it points at and the `reference` of the case in the employer's deviation system. It carries no text: what happened to a resident stays " +
                "in that system, so any other property is refused. Stored as an xAPI statement of the project's profile (template " +
                "`https://lrsapi.se/xapi/templates/deviation-reported`): the unit, as the agent `account{homePage: https://lrsapi.se/xapi/units, name: unit id}`, " +
                "`reported` the activity `https://lrsapi.se/xapi/activities/deviation/{id}`. `plan` and `row` log it against an activity row of a unit plan. " +
                "`id` (optional) makes it safe to retry: the same id again is a 409. Voiding the statement withdraws the report. Not for credentials bound to an actor.");
        api.MapGet("/units/{id}/deviations", ListDeviations)
            .RequireScope(Scopes.ProfilesRead)
            .WithName("ListDeviations")
            .WithSummary("A unit's deviation reports")
            .WithDescription("The deviation reports dated from `from` to `to` (dates, default the last 365 days), oldest first; those whose statement is voided are left out.");
        return routes;
    }

    /// <summary>A deviation report as sent.</summary>
    public sealed record DeviationInput(Guid? Id, string? Date, string? Category, IReadOnlyList<string?>? Competences, string? Reference, string? Plan, string? Row);

    /// <summary>A deviation report.</summary>
    public sealed record DeviationView(Guid Id, string Unit, string Date, string Category, IReadOnlyList<string> Competences, string Reference,
        string? Plan, string? Row, Guid StatementId, DateTimeOffset Recorded);

    /// <summary>A unit's deviation reports.</summary>
    public sealed record DeviationList(string Unit, string From, string To, IReadOnlyList<DeviationView> Deviations);

    /// <summary>One ranked need.</summary>
    public sealed record NeedView(int Rank, string Kind, string? Competence, LocalizedText? CompetenceName, string? Role, string? Duty, int Score, int Count, int Of,
        IReadOnlyList<string> People, string Reason, IReadOnlyList<string> Prerequisites, string? Template, IReadOnlyList<Guid> Deviations);

    /// <summary>A unit's needs analysis.</summary>
    public sealed record NeedsView(string Unit, string Organisation, int Members, string Horizon, DateTimeOffset ComputedAt, DateTimeOffset ExpiringUntil,
        string DeviationsSince, IReadOnlyList<NeedView> Needs);

    public static async Task<Results<Ok<NeedsView>, ProblemHttpResult>> GetNeeds(string id, string? horizon, ClaimsPrincipal user, IPeopleStore people,
        ICompetenceStore competence, IReflectionStore reflection, IPlanningStore planning, IOptions<LrsOptions> options, TimeProvider time, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        horizon ??= DefaultHorizon;
        if (Horizon(horizon, now) is not { } until)
            return BadQuery("Invalid horizon", $"horizon '{horizon}' is not an ISO 8601 duration from P1D to P5Y, like P6M.");
        var tenant = user.TenantId();
        if (await people.UnitAsync(tenant, id, user.RestrictedOrganisation(), ct) is not { } unit) return NoSuchUnit(id);
        var zone = GroupReflectionEndpoints.Zone(options);
        var today = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(now, zone).DateTime);
        var since = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(now - (until - now), zone).DateTime);

        var members = await ProfileEndpoints.AllAsync(people, tenant, new PeopleQuery(unit.Unit.OrganisationId, id, null, null, null, 1000), ct);
        var framework = (await competence.GetFrameworkAsync(tenant, ct)).Framework;
        var analysed = (await ProfileEndpoints.ComputeAsync(tenant, members, competence, framework, now, until - now, ct))
            .Select(m => new NeedsMember(new PersonFacts(m.Person.Id, m.Person.Roles, m.Person.Duties), m.Profile)).ToList();
        var overdue = (await reflection.ListAllAsync(tenant, new ReflectionTaskQuery(UnitId: id, OrganisationId: unit.Unit.OrganisationId,
                Status: ReflectionTaskStatus.Open, OverdueAt: now, Limit: 500), ct))
            .Where(t => t.PersonId is not null).Select(t => new OverdueReflection(t.PersonId!, t.TemplateId)).ToList();
        var deviations = await planning.DeviationsAsync(tenant, id, since, today, ct);

        var ranked = NeedsAnalysis.Rank(analysed, framework, overdue, deviations, horizon);
        return TypedResults.Ok(new NeedsView(id, unit.Unit.OrganisationId, members.Count, horizon, now, until, Date(since),
            [.. ranked.Select((n, i) => new NeedView(i + 1, KindName(n.Kind), n.CompetenceId, n.CompetenceId is { } c ? framework.FindCompetence(c)?.Name : null,
                n.RoleId, n.Duty, n.Score, n.Count, n.Of, n.People, n.Reason, n.Prerequisites, n.TemplateId, n.Deviations))]));
    }

    public static async Task<Results<Created<DeviationView>, ValidationProblem, ProblemHttpResult>> ReportDeviation(string id, HttpRequest request,
        ClaimsPrincipal user, IPeopleStore people, ICompetenceStore competence, IPlanningStore planning, StatementWriter statements,
        IOptions<LrsOptions> options, TimeProvider time, CancellationToken ct)
    {
        if (BoundAccess.Of(user).ActorKey is not null)
            return TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Bound credential",
                detail: "A credential bound to one actor cannot report deviations for a unit.");
        var tenant = user.TenantId();
        if (await people.UnitAsync(tenant, id, user.RestrictedOrganisation(), ct) is null) return NoSuchUnit(id);
        var (input, problem) = await PeopleEndpoints.ReadJsonAsync<DeviationInput>(request, ct);
        if (problem is not null) return problem;
        var framework = (await competence.GetFrameworkAsync(tenant, ct)).Framework;
        var zone = GroupReflectionEndpoints.Zone(options);
        var now = time.GetUtcNow();
        var today = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(now, zone).DateTime);

        var errors = new List<ValidationError>();
        if (!DateOnly.TryParseExact(input!.Date, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
            errors.Add(new ValidationError("$.date", "date is the day the deviation occurred, like 2026-11-20."));
        else if (date > today) errors.Add(new ValidationError("$.date", $"date {input.Date} is in the future."));
        if (!Deviations.IsCategory(input.Category))
            errors.Add(new ValidationError("$.category", "category is a token of lower-case letters, digits and hyphens (at most 64), like fall-during-transfer; no text."));
        if (!Deviations.IsReference(input.Reference))
            errors.Add(new ValidationError("$.reference", "reference is the case's id in the deviation system: letters, digits and . _ : / - without spaces, at most 64, like AVV-2026-0113."));
        var competences = new List<string>();
        if (input.Competences is not { Count: > 0 and <= MaxCompetencesPerDeviation } list)
            errors.Add(new ValidationError("$.competences", $"competences is a list of 1 to {MaxCompetencesPerDeviation} competence ids of the framework."));
        else
            for (var i = 0; i < list.Count; i++)
            {
                if (list[i] is not { } c || framework.FindCompetence(c) is null)
                    errors.Add(new ValidationError($"$.competences[{i}]", $"'{list[i]}' is not a competence of the framework."));
                else if (!competences.Contains(c)) competences.Add(c);
            }
        if ((input.Plan is null) != (input.Row is null))
            errors.Add(new ValidationError(input.Plan is null ? "$.plan" : "$.row", "plan and row come together: the unit plan and its activity row."));
        else if (input.Plan is not null && !await UnitPlanEndpoints.HasRowAsync(planning, tenant, id, input.Plan, input.Row!, ct))
            errors.Add(new ValidationError("$.row", $"The unit has no plan '{input.Plan}' with an activity row '{input.Row}'."));
        if (errors.Count > 0) return PeopleEndpoints.Invalid("Invalid deviation report", errors);

        var reportId = input.Id ?? Guid.NewGuid();
        var report = new DeviationReport(reportId, id, date, input.Category!, input.Reference!, competences, input.Plan, input.Row, Deviations.StatementIdOf(reportId), now);
        if (await ReflectionTaskEndpoints.StoreAsync(statements, user, [Deviations.Statement(report, framework, zone)], Hosting.StatementSources.Deviation, ct) is { } refused)
            return refused;
        if (!await planning.RecordDeviationAsync(tenant, report, ct))
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Already recorded", detail: $"A deviation report with id {reportId} is recorded already.");
        return TypedResults.Created($"/api/units/{Uri.EscapeDataString(id)}/deviations?from={Date(date)}&to={Date(date)}", View(report));
    }

    public static async Task<Results<Ok<DeviationList>, ProblemHttpResult>> ListDeviations(string id, string? from, string? to, ClaimsPrincipal user,
        IPeopleStore people, IPlanningStore planning, IOptions<LrsOptions> options, TimeProvider time, CancellationToken ct)
    {
        var zone = GroupReflectionEndpoints.Zone(options);
        var today = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(time.GetUtcNow(), zone).DateTime);
        DateOnly first = today.AddDays(-365), last = today;
        if (from is not null && !TryDate(from, out first)) return BadQuery("Invalid from", $"from '{from}' is not a date like 2026-01-31.");
        if (to is not null && !TryDate(to, out last)) return BadQuery("Invalid to", $"to '{to}' is not a date like 2026-12-31.");
        if (first > last) return BadQuery("Invalid range", "from is after to.");
        var tenant = user.TenantId();
        if (await people.UnitAsync(tenant, id, user.RestrictedOrganisation(), ct) is null) return NoSuchUnit(id);
        var found = await planning.DeviationsAsync(tenant, id, first, last, ct);
        return TypedResults.Ok(new DeviationList(id, Date(first), Date(last), [.. found.Select(View)]));
    }

    /// <summary>The end of <paramref name="horizon"/> from <paramref name="now"/>, or null when it is not a duration from one day to five years.</summary>
    internal static DateTimeOffset? Horizon(string horizon, DateTimeOffset now)
    {
        if (!IsoDuration.TryParse(horizon, out var duration)) return null;
        try
        {
            var until = IsoDuration.AddTo(now, duration);
            return until >= now.AddDays(1) && until <= now.AddYears(5) ? until : null;
        }
        catch (ArgumentOutOfRangeException)
        {
            return null;
        }
    }

    internal static bool TryDate(string text, out DateOnly date) =>
        DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out date);

    internal static string Date(DateOnly date) => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    internal static ProblemHttpResult NoSuchUnit(string id) =>
        PeopleEndpoints.NotFound("No such unit", $"There is no unit with id '{id}' that this credential may see.");

    internal static ProblemHttpResult BadQuery(string title, string detail) =>
        TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: title, detail: detail);

    private static DeviationView View(DeviationReport r) =>
        new(r.Id, r.UnitId, Date(r.Date), r.Category, r.Competences, r.Reference, r.PlanId, r.PlanRow, r.StatementId, r.Recorded);

    private static string KindName(NeedKind kind) => kind switch
    {
        NeedKind.Missing => "missing",
        NeedKind.Prerequisite => "prerequisite",
        NeedKind.Expiring => "expiring",
        NeedKind.Deviation => "deviation",
        _ => "unanswered-reflection",
    };
}
