using System.Globalization;
using System.Security.Claims;
using Lrs.Api.Auth;
using Lrs.Api.People;
using Lrs.Api.Reflection;
using Lrs.Core.Competence;
using Lrs.Core.People;
using Lrs.Core.Planning;
using Lrs.Core.Storage;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using static Lrs.Api.Planning.NeedsEndpoints;

namespace Lrs.Api.Planning;

/// <summary>
/// A unit's development plan: vision, goal, one or two measurable goals, the analysis, the activity plan with the deviations
/// logged against its rows, and the goals' progress month by month from the profiles as of each month's end.
/// </summary>
public static class UnitPlanEndpoints
{
    // Progress answers at most this many monthly points: the most recent ones.
    private const int MaxMonths = 60;

    public static IEndpointRouteBuilder MapUnitPlans(this IEndpointRouteBuilder routes)
    {
        var api = routes.MapGroup("/api").WithTags("Planning").RequireAuthorization().ProducesProblem(StatusCodes.Status403Forbidden);

        api.MapPut("/units/{id}/plans/{planId}", PutPlan)
            .RequireScope(Scopes.PeopleWrite)
            .WithName("PutUnitPlan")
            .Accepts<UnitPlan>("application/json")
            .WithSummary("Creates or replaces a unit's development plan")
            .WithDescription("The whole plan: `vision` and `goal` (text), `startsOn` (the day it began; progress is followed from its month) and `endsOn`, " +
                "one or two `measurableGoals` computed from the data (`share-valid`: the share of the unit's people in `role` who hold `competence` reaches " +
                "`target` by `by`; `group-reflection`: every member (or `target` of them) attended a group reflection on `competence` since the plan began; " +
                "`no-lapse`: no member's `competence` expires unrenewed after the plan began), the `analysis` (problems, causes, actions) and the " +
                "`activities` (rows: `id`, `aspect` competence/organisation/process/technology/governance, `responsible`, `activity`, `deadline`, `costSek` " +
                "and/or `hours`, `status` planned/ongoing/done/cancelled). Every error is reported at once and nothing is stored. The plan names who is " +
                "responsible, so it is personal data of the unit's employer. Not for credentials bound to an actor.");
        api.MapGet("/units/{id}/plans/{planId}", GetPlan)
            .RequireScope(Scopes.ProfilesRead)
            .WithName("GetUnitPlan")
            .WithSummary("A unit's development plan")
            .WithDescription("The plan as stored, with its version, and on each activity row the deviation reports logged against it (those whose statement is voided left out).");
        api.MapGet("/units/{id}/plans/{planId}/progress", GetProgress)
            .RequireScope(Scopes.ProfilesRead)
            .WithName("GetUnitPlanProgress")
            .WithSummary("A unit plan's measurable goals, today and month by month")
            .WithDescription("Each goal's value now and at the end of every month since the plan began (the current month's point is now; at most the last 60), " +
                "computed from the profiles as of that moment: evidence achieved by then with its validity window, statements voided after then still " +
                "counting, and the members and roles the people's history records for then. Months end in `Lrs:Reflection:TimeZone`. A share is null when " +
                "no one counts at that moment.");
        return routes;
    }

    /// <summary>A deviation report logged against an activity row.</summary>
    public sealed record RowDeviationView(Guid Id, string Date, string Category, string Reference);

    /// <summary>An activity row with its deviations.</summary>
    public sealed record ActivityRowView(string Id, string Aspect, string Responsible, string Activity, string Deadline, decimal? CostSek, decimal? Hours,
        string Status, IReadOnlyList<RowDeviationView> Deviations);

    /// <summary>A unit plan.</summary>
    public sealed record UnitPlanView(string Unit, string Id, long Version, DateTimeOffset Updated, string Vision, string Goal, string StartsOn, string? EndsOn,
        IReadOnlyList<MeasurableGoal> MeasurableGoals, IReadOnlyList<AnalysisItem> Analysis, IReadOnlyList<ActivityRowView> Activities);

    /// <summary>A goal's value at one moment.</summary>
    public sealed record GoalPointView(string? Month, DateTimeOffset AsOf, double? Value, int Count, int Of, bool Met);

    /// <summary>A goal's progress.</summary>
    public sealed record GoalProgressView(string Id, string Kind, string Competence, string? Role, double Target, string? DueOn, GoalPointView Today,
        IReadOnlyList<GoalPointView> Months);

    /// <summary>A plan's progress.</summary>
    public sealed record PlanProgressView(string Unit, string Plan, string StartsOn, string TimeZone, DateTimeOffset ComputedAt, IReadOnlyList<GoalProgressView> Goals);

    public static async Task<Results<Ok<UnitPlanView>, ValidationProblem, ProblemHttpResult>> PutPlan(string id, string planId, HttpRequest request,
        ClaimsPrincipal user, IPeopleStore people, ICompetenceStore competence, IPlanningStore planning, TimeProvider time, CancellationToken ct)
    {
        if (BoundAccess.Of(user).ActorKey is not null)
            return TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Bound credential",
                detail: "A credential bound to one actor cannot change a unit's plan.");
        var tenant = user.TenantId();
        if (await people.UnitAsync(tenant, id, user.RestrictedOrganisation(), ct) is null) return NoSuchUnit(id);
        if (!UnitPlans.IsId(planId)) return BadQuery("Invalid plan id", "A plan id is letters, digits and . _ - (at most 64).");
        var (plan, problem) = await PeopleEndpoints.ReadJsonAsync<UnitPlan>(request, ct);
        if (problem is not null) return problem;
        var framework = (await competence.GetFrameworkAsync(tenant, ct)).Framework;
        var errors = UnitPlans.Validate(plan!, framework);
        if (errors.Count > 0) return PeopleEndpoints.Invalid("Invalid unit plan", errors);
        var stored = await planning.PutPlanAsync(tenant, id, planId, plan!, time.GetUtcNow(), ct);
        return TypedResults.Ok(View(stored, await planning.DeviationsOfPlanAsync(tenant, id, planId, ct)));
    }

    public static async Task<Results<Ok<UnitPlanView>, ProblemHttpResult>> GetPlan(string id, string planId, ClaimsPrincipal user, IPeopleStore people,
        IPlanningStore planning, CancellationToken ct)
    {
        var tenant = user.TenantId();
        if (await people.UnitAsync(tenant, id, user.RestrictedOrganisation(), ct) is null) return NoSuchUnit(id);
        if (await planning.GetPlanAsync(tenant, id, planId, ct) is not { } stored) return NoSuchPlan(id, planId);
        return TypedResults.Ok(View(stored, await planning.DeviationsOfPlanAsync(tenant, id, planId, ct)));
    }

    public static async Task<Results<Ok<PlanProgressView>, ProblemHttpResult>> GetProgress(string id, string planId, ClaimsPrincipal user, IPeopleStore people,
        ICompetenceStore competence, IReflectionStore reflection, IPlanningStore planning, IOptions<LrsOptions> options, TimeProvider time, CancellationToken ct)
    {
        var tenant = user.TenantId();
        if (await people.UnitAsync(tenant, id, user.RestrictedOrganisation(), ct) is not { } unit) return NoSuchUnit(id);
        if (await planning.GetPlanAsync(tenant, id, planId, ct) is not { } stored) return NoSuchPlan(id, planId);
        var plan = stored.Plan;
        var zone = GroupReflectionEndpoints.Zone(options);
        var now = time.GetUtcNow();
        UnitPlans.TryDay(plan.StartsOn, out var startsOn);
        var start = GroupReflectionEndpoints.StartOf(startsOn, zone);

        var history = await HistoryAsync(tenant, unit.Unit, start, now, people, competence, reflection, planning, ct);
        var months = new List<(string Month, DateTimeOffset AsOf)>();
        for (var month = new DateOnly(startsOn.Year, startsOn.Month, 1); GroupReflectionEndpoints.StartOf(month, zone) <= now; month = month.AddMonths(1))
        {
            // The last moment of the month (the store keeps microseconds), or now for the month under way.
            var end = GroupReflectionEndpoints.StartOf(month.AddMonths(1), zone).AddTicks(-10);
            months.Add((month.ToString("yyyy-MM", CultureInfo.InvariantCulture), end < now ? end : now));
        }
        if (months.Count > MaxMonths) months.RemoveRange(0, months.Count - MaxMonths);

        var goals = plan.MeasurableGoals!.Select(g => g!).Select(goal =>
        {
            // Now first, then each month's point.
            var values = GoalProgress.Compute(goal, history, start, [now, .. months.Select(m => m.AsOf)]);
            return new GoalProgressView(goal.Id!, goal.Kind!, goal.Competence!, goal.Role, UnitPlans.TargetOf(goal),
                UnitPlans.DueOn(goal, plan) is { } due ? Date(due) : null, Point(null, values[0]),
                [.. months.Select((m, i) => Point(m.Month, values[i + 1]))]);
        }).ToList();
        return TypedResults.Ok(new PlanProgressView(id, planId, plan.StartsOn!, zone.Id, now, goals));
    }

    /// <summary>Whether the unit has a plan with that activity row.</summary>
    internal static async Task<bool> HasRowAsync(IPlanningStore planning, long tenant, string unitId, string planId, string rowId, CancellationToken ct) =>
        await planning.GetPlanAsync(tenant, unitId, planId, ct) is { } stored && (stored.Plan.Activities ?? []).Any(r => r?.Id == rowId);

    /// <summary>
    /// What a unit's goals are computed from: everyone the history places in the unit, the history of their evidence, the unit's group
    /// reflections from <paramref name="from"/> to <paramref name="to"/>.
    /// </summary>
    internal static async Task<UnitHistory> HistoryAsync(long tenant, OrgUnit unit, DateTimeOffset from, DateTimeOffset to, IPeopleStore people,
        ICompetenceStore competence, IReflectionStore reflection, IPlanningStore planning, CancellationToken ct)
    {
        var members = await people.GetManyAsync(tenant, await planning.PeopleEverInUnitAsync(tenant, unit.Id, ct), unit.OrganisationId, ct);
        var ownerOf = members.SelectMany(p => p.AgentKeys.Select(k => (Key: k, p.Id))).GroupBy(x => x.Key, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.First().Id, StringComparer.Ordinal);
        var evidence = ownerOf.Count == 0 ? [] : await competence.EvidenceHistoryAsync(tenant, ownerOf.Keys, ct);
        var byPerson = evidence.GroupBy(e => ownerOf[e.Evidence.AgentKey], StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => (IReadOnlyList<EvidenceHistory>)[.. g], StringComparer.Ordinal);
        var framework = (await competence.GetFrameworkAsync(tenant, ct)).Framework;
        var reflections = await reflection.GroupReflectionsAsync(tenant, unit.Id, from, to.AddTicks(10), ct);
        return new UnitHistory(unit.Id, members, byPerson, reflections, framework);
    }

    private static GoalPointView Point(string? month, GoalValue v) => new(month, v.AsOf, v.Value, v.Count, v.Of, v.Met);

    private static ProblemHttpResult NoSuchPlan(string unit, string plan) =>
        PeopleEndpoints.NotFound("No such plan", $"The unit '{unit}' has no plan '{plan}'.");

    private static UnitPlanView View(StoredUnitPlan stored, IReadOnlyList<DeviationReport> deviations)
    {
        var plan = stored.Plan;
        var byRow = deviations.Where(d => d.PlanRow is not null).ToLookup(d => d.PlanRow!, StringComparer.Ordinal);
        return new UnitPlanView(stored.UnitId, stored.Id, stored.Version, stored.Updated, plan.Vision!, plan.Goal!, plan.StartsOn!, plan.EndsOn,
            [.. plan.MeasurableGoals!.Select(g => g!)], [.. (plan.Analysis ?? []).Select(a => a!)],
            [.. (plan.Activities ?? []).Select(r => r!).Select(r => new ActivityRowView(r.Id!, r.Aspect!, r.Responsible!, r.Activity!, r.Deadline!, r.CostSek, r.Hours, r.Status!,
                [.. byRow[r.Id!].Select(d => new RowDeviationView(d.Id, Date(d.Date), d.Category, d.Reference))]))]);
    }
}
