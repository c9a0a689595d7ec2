using System.Security.Claims;
using Lrs.Api.Auth;
using Lrs.Api.Competence;
using Lrs.Api.People;
using Lrs.Api.Reflection;
using Lrs.Core.Competence;
using Lrs.Core.People;
using Lrs.Core.Planning;
using Lrs.Core.Storage;
using Lrs.Core.Xapi;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using static Lrs.Api.Planning.NeedsEndpoints;

namespace Lrs.Api.Planning;

/// <summary>
/// Individual training plans: per person, what to gain or renew and the way chosen, with progress computed live from the
/// statements; a draft from the person's profile and the unit's plan; a unit's summary.
/// </summary>
public static class TrainingPlanEndpoints
{
    public static IEndpointRouteBuilder MapTrainingPlans(this IEndpointRouteBuilder routes)
    {
        var api = routes.MapGroup("/api").WithTags("Planning").RequireAuthorization().ProducesProblem(StatusCodes.Status403Forbidden);

        api.MapPut("/people/{id}/training-plan", PutTrainingPlan)
            .RequireScope(Scopes.PeopleWrite)
            .WithName("PutTrainingPlan")
            .Accepts<TrainingPlan>("application/json")
            .WithSummary("Creates or replaces a person's training plan")
            .WithDescription("The whole plan: `items`, each a `competence` to `gain` or `renew`, the `way` chosen for this person (`kind` e-learning, on-site, " +
                "webinar-live, webinar-recorded, reading or practical, and the planned `activities` as IRIs), `dueOn`, `agreedBy` and `agreedOn`. " +
                "Every error is reported at once and nothing is stored. Personal data of the person's employer. Not for credentials bound to an actor.");
        api.MapGet("/people/{id}/training-plan", GetTrainingPlan)
            .RequireScope(Scopes.ProfilesRead)
            .WithName("GetTrainingPlan")
            .WithSummary("A person's training plan with its progress")
            .WithDescription("Each item's status, computed now from the statements: `done` when the person holds the competence (to gain) or has evidence of it " +
                "achieved since `agreedOn` (to renew), or completed one of the planned activities since then (completed, passed, satisfied, attended, a recording " +
                "completed, experienced or read); a voided statement undoes it. Otherwise `overdue` after `dueOn`, else `open`. A credential bound to an actor reads only that person's plan.");
        api.MapPost("/people/{id}/training-plan/draft", DraftTrainingPlan)
            .RequireScope(Scopes.ProfilesRead)
            .WithName("DraftTrainingPlan")
            .WithSummary("Proposes a training plan from the person's profile and the unit's plan")
            .WithDescription("Stores nothing. One item per required competence the person lacks (`gain`) or holds but loses within `horizon` (`renew`, default P6M), " +
                "most pressing first; with `plan`, the competences of that plan of the person's unit come first and take its goal's date as due day. The way is " +
                "taken from the framework's rules for the competence (their activities as e-learning, a sign-off as practical, IRI prefixes as on-site). " +
                "`agreedBy` is left empty for the manager to fill in before the plan is stored.");
        api.MapGet("/units/{id}/training-plans", ListUnitTrainingPlans)
            .RequireScope(Scopes.ProfilesRead)
            .WithName("ListUnitTrainingPlans")
            .WithSummary("A unit's training plans, summarised")
            .WithDescription("For each current member: whether they have a plan, its items done, open and overdue, and whether they are on track (nothing overdue); " +
                "and every overdue item of the unit.");
        return routes;
    }

    /// <summary>An item with where it stands.</summary>
    public sealed record TrainingItemView(string Id, string Competence, LocalizedText? CompetenceName, string Purpose, TrainingWay Way, string DueOn, string? AgreedBy,
        string AgreedOn, string Status, DateTimeOffset? DoneAt, string? DoneBy, Guid? StatementId);

    /// <summary>Counts of a plan's items.</summary>
    public sealed record TrainingSummary(int Items, int Done, int Open, int Overdue, bool OnTrack);

    /// <summary>A person's training plan with progress.</summary>
    public sealed record TrainingPlanView(string PersonId, long Version, DateTimeOffset Updated, DateTimeOffset ComputedAt, TrainingSummary Summary, IReadOnlyList<TrainingItemView> Items);

    /// <summary>A proposed plan: not stored.</summary>
    public sealed record TrainingPlanDraft(string PersonId, string? Plan, IReadOnlyList<TrainingItem> Items);

    /// <summary>One member in a unit's summary.</summary>
    public sealed record MemberTrainingView(string PersonId, string? Name, bool HasPlan, TrainingSummary? Summary);

    /// <summary>An overdue item of a unit.</summary>
    public sealed record OverdueItemView(string PersonId, string ItemId, string Competence, string DueOn);

    /// <summary>A unit's training plans.</summary>
    public sealed record UnitTrainingPlansView(string Unit, int Members, int WithPlan, int OnTrack, DateTimeOffset ComputedAt, IReadOnlyList<MemberTrainingView> People,
        IReadOnlyList<OverdueItemView> Overdue);

    public static async Task<Results<Ok<TrainingPlanView>, ValidationProblem, ProblemHttpResult>> PutTrainingPlan(string id, HttpRequest request, ClaimsPrincipal user,
        IPeopleStore people, ICompetenceStore competence, IStatementStore statements, IPlanningStore planning, IOptions<LrsOptions> options, TimeProvider time,
        CancellationToken ct)
    {
        if (BoundAccess.Of(user).ActorKey is not null)
            return TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Bound credential",
                detail: "A credential bound to one actor cannot change a training plan.");
        var tenant = user.TenantId();
        if (await people.GetAsync(tenant, id, user.RestrictedOrganisation(), ct) is not { } person) return NoSuchPerson(id);
        var (plan, problem) = await PeopleEndpoints.ReadJsonAsync<TrainingPlan>(request, ct);
        if (problem is not null) return problem;
        var framework = (await competence.GetFrameworkAsync(tenant, ct)).Framework;
        var errors = TrainingPlans.Validate(plan!, framework);
        if (errors.Count > 0) return PeopleEndpoints.Invalid("Invalid training plan", errors);
        var stored = await planning.PutTrainingPlanAsync(tenant, id, plan!, time.GetUtcNow(), ct);
        return TypedResults.Ok(await ViewAsync(tenant, person, stored, framework, competence, statements, options, time, ct));
    }

    public static async Task<Results<Ok<TrainingPlanView>, ProblemHttpResult>> GetTrainingPlan(string id, ClaimsPrincipal user, IPeopleStore people,
        ICompetenceStore competence, IStatementStore statements, IPlanningStore planning, IOptions<LrsOptions> options, TimeProvider time, CancellationToken ct)
    {
        var tenant = user.TenantId();
        if (await VisiblePersonAsync(user, people, id, ct) is not { } person) return NoSuchPerson(id);
        if (await planning.GetTrainingPlanAsync(tenant, id, ct) is not { } stored)
            return PeopleEndpoints.NotFound("No training plan", $"The person '{id}' has no training plan.");
        var framework = (await competence.GetFrameworkAsync(tenant, ct)).Framework;
        return TypedResults.Ok(await ViewAsync(tenant, person, stored, framework, competence, statements, options, time, ct));
    }

    public static async Task<Results<Ok<TrainingPlanDraft>, ProblemHttpResult>> DraftTrainingPlan(string id, string? plan, string? horizon, ClaimsPrincipal user,
        IPeopleStore people, ICompetenceStore competence, IPlanningStore planning, IOptions<LrsOptions> options, TimeProvider time, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        horizon ??= "P6M";
        if (Horizon(horizon, now) is not { } until)
            return BadQuery("Invalid horizon", $"horizon '{horizon}' is not an ISO 8601 duration from P1D to P5Y, like P6M.");
        var tenant = user.TenantId();
        if (await VisiblePersonAsync(user, people, id, ct) is not { } person) return NoSuchPerson(id);
        UnitPlan? unitPlan = null;
        if (plan is not null)
        {
            foreach (var unit in person.Units)
                if (await planning.GetPlanAsync(tenant, unit, plan, ct) is { } found) { unitPlan = found.Plan; break; }
            if (unitPlan is null) return PeopleEndpoints.NotFound("No such plan", $"No unit of '{id}' has a plan '{plan}'.");
        }
        var framework = (await competence.GetFrameworkAsync(tenant, ct)).Framework;
        var evidence = await competence.EvidenceAsync(tenant, person.AgentKeys, ct);
        var profile = ProfileCalculator.Compute(new PersonFacts(person.Id, person.Roles, person.Duties), evidence, framework, now, until - now);
        var zone = GroupReflectionEndpoints.Zone(options);
        var today = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(now, zone).DateTime);
        var planned = (unitPlan?.MeasurableGoals ?? []).OfType<MeasurableGoal>().Where(g => g.Competence is not null)
            .GroupBy(g => g.Competence!).ToDictionary(g => g.Key, g => UnitPlans.DueOn(g.First(), unitPlan!));

        var items = new List<TrainingItem>();
        foreach (var entry in profile.Entries.Where(e => e.Requirement == RequirementLevel.Required && !(e.IsMet && e.Status == CompetenceStatus.Valid))
                     .OrderBy(e => planned.ContainsKey(e.CompetenceId) ? 0 : 1).ThenBy(e => e.IsMet ? 1 : 0))
        {
            var renew = entry.IsMet;
            var due = planned.GetValueOrDefault(entry.CompetenceId)
                ?? (renew && entry.ExpiresAt is { } x ? DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(x, zone).DateTime).AddDays(-1) : today.AddMonths(3));
            items.Add(new TrainingItem($"{(renew ? "renew" : "gain")}-{entry.CompetenceId}", entry.CompetenceId, renew ? "renew" : "gain",
                WayFor(entry.CompetenceId, framework), Date(due < today ? today : due), null, Date(today)));
        }
        return TypedResults.Ok(new TrainingPlanDraft(id, plan, items));
    }

    public static async Task<Results<Ok<UnitTrainingPlansView>, ProblemHttpResult>> ListUnitTrainingPlans(string id, ClaimsPrincipal user, IPeopleStore people,
        ICompetenceStore competence, IStatementStore statements, IPlanningStore planning, IOptions<LrsOptions> options, TimeProvider time, CancellationToken ct)
    {
        var tenant = user.TenantId();
        if (await people.UnitAsync(tenant, id, user.RestrictedOrganisation(), ct) is not { } unit) return NoSuchUnit(id);
        var members = await ProfileEndpoints.AllAsync(people, tenant, new PeopleQuery(unit.Unit.OrganisationId, id, null, null, null, 1000), ct);
        var plans = (await planning.TrainingPlansAsync(tenant, [.. members.Select(m => m.Id)], ct)).ToDictionary(p => p.PersonId, StringComparer.Ordinal);
        var framework = (await competence.GetFrameworkAsync(tenant, ct)).Framework;
        var now = time.GetUtcNow();
        var withPlans = members.Where(m => plans.ContainsKey(m.Id)).ToList();
        var profiles = (await ProfileEndpoints.ComputeAsync(tenant, withPlans, competence, framework, now, Window(options), ct)).ToDictionary(p => p.Person.Id, p => p.Profile);
        var evidence = withPlans.Count == 0 ? [] : await competence.EvidenceAsync(tenant, [.. withPlans.SelectMany(m => m.AgentKeys)], ct);
        var byAgent = evidence.ToLookup(e => e.AgentKey, StringComparer.Ordinal);
        var completions = await CompletionsAsync(tenant, [.. withPlans.Select(m => (m, plans[m.Id].Plan))], statements, ct);

        var views = new List<MemberTrainingView>();
        var overdue = new List<OverdueItemView>();
        foreach (var member in members)
        {
            if (!plans.TryGetValue(member.Id, out var stored)) { views.Add(new MemberTrainingView(member.Id, member.Name, false, null)); continue; }
            var progress = Progress(stored.Plan, profiles[member.Id], [.. member.AgentKeys.SelectMany(k => byAgent[k])], [.. completions[member.Id]], options, now);
            views.Add(new MemberTrainingView(member.Id, member.Name, true, Summary(progress)));
            var items = stored.Plan.Items!.OfType<TrainingItem>().ToDictionary(i => i.Id!, StringComparer.Ordinal);
            overdue.AddRange(progress.Where(p => p.Status == "overdue").Select(p => new OverdueItemView(member.Id, p.ItemId, items[p.ItemId].Competence!, items[p.ItemId].DueOn!)));
        }
        return TypedResults.Ok(new UnitTrainingPlansView(id, members.Count, plans.Count, views.Count(v => v.Summary?.OnTrack == true), now, views,
            [.. overdue.OrderBy(o => o.DueOn, StringComparer.Ordinal).ThenBy(o => o.PersonId, StringComparer.Ordinal)]));
    }

    /// <summary>The person's plan with each item's progress now, as <c>GET /api/people/{id}/training-plan</c> and the person's export show it.</summary>
    public static async Task<TrainingPlanView> ViewAsync(long tenant, Person person, StoredTrainingPlan stored, Framework framework, ICompetenceStore competence,
        IStatementStore statements, IOptions<LrsOptions> options, TimeProvider time, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var evidence = await competence.EvidenceAsync(tenant, person.AgentKeys, ct);
        var profile = ProfileCalculator.Compute(new PersonFacts(person.Id, person.Roles, person.Duties), evidence, framework, now, Window(options));
        var completions = await CompletionsAsync(tenant, [(person, stored.Plan)], statements, ct);
        var progress = Progress(stored.Plan, profile, evidence, [.. completions[person.Id]], options, now);
        var byItem = progress.ToDictionary(p => p.ItemId, StringComparer.Ordinal);
        return new TrainingPlanView(person.Id, stored.Version, stored.Updated, now, Summary(progress),
            [.. stored.Plan.Items!.OfType<TrainingItem>().Select(i => new TrainingItemView(i.Id!, i.Competence!, framework.FindCompetence(i.Competence!)?.Name, i.Purpose!,
                i.Way!, i.DueOn!, i.AgreedBy, i.AgreedOn!, byItem[i.Id!].Status, byItem[i.Id!].DoneAt, byItem[i.Id!].DoneBy, byItem[i.Id!].StatementId))]);
    }

    // The completions of the planned activities by each person, from one query over the agents of them all and the activities of
    // all their plans (a person's items look only at their own activities). As many statements as one query of 100 per agent and
    // activity could give.
    private static async Task<ILookup<string, ActivityCompletion>> CompletionsAsync(long tenant, IReadOnlyList<(Person Person, TrainingPlan Plan)> planned,
        IStatementStore statements, CancellationToken ct)
    {
        var activities = planned.SelectMany(p => p.Plan.Items ?? []).OfType<TrainingItem>().SelectMany(i => i.Way?.Activities ?? []).OfType<string>()
            .Distinct(StringComparer.Ordinal).ToList();
        var ownerOf = planned.SelectMany(p => p.Person.AgentKeys.Select(k => (Key: k, p.Person.Id))).GroupBy(x => x.Key, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.First().Id, StringComparer.Ordinal);
        var found = await statements.OfAgentsOnActivitiesAsync(tenant, ownerOf.Keys, activities, (int)Math.Min(int.MaxValue, 100L * ownerOf.Count * activities.Count), ct);
        return found.Select(f => (Person: ownerOf[f.AgentKey], Completion: TrainingPlans.CompletionOf(f.Statement.Json)))
            .Where(f => f.Completion is not null).ToLookup(f => f.Person, f => f.Completion!, StringComparer.Ordinal);
    }

    private static IReadOnlyList<TrainingItemProgress> Progress(TrainingPlan plan, PersonProfile profile, IReadOnlyList<EvidenceRecord> evidence,
        IReadOnlyList<ActivityCompletion> completions, IOptions<LrsOptions> options, DateTimeOffset now)
    {
        var zone = GroupReflectionEndpoints.Zone(options);
        return TrainingPlans.Progress(plan, profile, evidence, completions, now, day => GroupReflectionEndpoints.StartOf(day, zone));
    }

    private static TrainingSummary Summary(IReadOnlyList<TrainingItemProgress> progress)
    {
        var overdue = progress.Count(p => p.Status == "overdue");
        return new TrainingSummary(progress.Count, progress.Count(p => p.Status == "done"), progress.Count(p => p.Status == "open"), overdue, overdue == 0);
    }

    // The way the framework's rules suggest: a sign-off means a practical, named activities e-learning, IRI prefixes an on-site session.
    private static TrainingWay WayFor(string competenceId, Framework framework)
    {
        var rules = framework.Rules.Where(r => r.CompetenceId == competenceId).ToList();
        if (rules.Any(r => r.SignoffRequired)) return new TrainingWay("practical", [.. rules.SelectMany(r => r.Activities).Distinct(StringComparer.Ordinal)]);
        if (rules.SelectMany(r => r.Activities).Distinct(StringComparer.Ordinal).ToList() is { Count: > 0 } activities) return new TrainingWay("e-learning", [.. activities]);
        return new TrainingWay("on-site", []);
    }

    // The person, when the caller may see their plan: within the caller's employer, and the bound person only when bound to an actor.
    private static async Task<Person?> VisiblePersonAsync(ClaimsPrincipal user, IPeopleStore people, string id, CancellationToken ct) =>
        await people.GetAsync(user.TenantId(), id, user.RestrictedOrganisation(), ct) is { } person
            && (BoundAccess.Of(user).ActorKey is not { } own || person.AgentKeys.Contains(own)) ? person : null;

    private static TimeSpan Window(IOptions<LrsOptions> options) => TimeSpan.FromDays(options.Value.Competence.ExpiringWindowDays);

    private static ProblemHttpResult NoSuchPerson(string id) =>
        PeopleEndpoints.NotFound("No such person", $"There is no person with id '{id}' that this credential may see.");
}
