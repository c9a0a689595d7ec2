using System.Security.Claims;
using Lrs.Api.Auth;
using Lrs.Api.People;
using Lrs.Core.Competence;
using Lrs.Core.People;
using Lrs.Core.Storage;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace Lrs.Api.Competence;

/// <summary>
/// Competence profiles, computed at read time from the evidence of every agent of a person: one person, in bulk for
/// HR synchronisation, a unit's gaps, and what is about to expire. Organisation-restricted callers see only their
/// employer's people.
/// </summary>
public static class ProfileEndpoints
{
    private const int MaxWindowDays = 3650;

    public static IEndpointRouteBuilder MapProfiles(this IEndpointRouteBuilder routes)
    {
        var api = routes.MapGroup("/api").WithTags("Competence profiles").RequireAuthorization().ProducesProblem(StatusCodes.Status403Forbidden);

        api.MapGet("/people/{id}/profile", GetProfile)
            .RequireScope(Scopes.ProfilesRead)
            .WithName("GetProfile")
            .WithSummary("One person's competence profile")
            .WithDescription("Every competence the person's roles ask for, and every other one the person has evidence of, with its status: " +
                "`valid`, `expiring` (expires within `expiringWithinDays`, default from `Lrs:Competence:ExpiringWindowDays`, 60), `expired`, " +
                "`pending-signoff` (evidence awaits a supervisor's confirmation) or `missing`; the dates and the ids of the statements that are its evidence. " +
                "Statements about any of the person's agents count, also those stored before the agent was linked. " +
                "With `asOf` (a past date-time), the profile as it stood then: evidence achieved by then, each with its validity window, statements voided " +
                "after then still counting, sign-offs given by then, and the roles and units the person's history records for then (before the first HR sync, " +
                "the first ones synced). Duties and the framework are today's.");
        api.MapGet("/profiles", ListProfiles)
            .RequireScope(Scopes.ProfilesRead)
            .WithName("ListProfiles")
            .WithSummary("Profiles in bulk, for HR synchronisation")
            .WithDescription("Profiles of the people matching `organisation`, `unit` and `role`, ordered by person id and paged with `limit` (default 100, at most 1000) and the `more` link. " +
                "`status` keeps people with at least one competence in that status. `changedSince` keeps people whose profile may read differently than at that time " +
                "(person data, evidence, sign-offs, or a date at which a status turns); a sync that keeps the time of its previous run misses nothing. " +
                "A page may hold fewer than `limit` profiles when filters apply; follow `more` until it is absent.");
        api.MapGet("/units/{id}/gaps", GetUnitGaps)
            .RequireScope(Scopes.ProfilesRead)
            .WithName("GetUnitGaps")
            .WithSummary("What a unit's members lack for their roles")
            .WithDescription("The unit's current members against the requirements of their roles (conditional ones when the person has the duty): " +
                "who lacks what (missing, expired, pending sign-off, or prerequisites not met), who is about to lose what (`expiringWithinDays`), and, per competence, " +
                "how many members it is required of and how many hold it.");
        api.MapGet("/expiring", ListExpiring)
            .RequireScope(Scopes.ProfilesRead)
            .WithName("ListExpiring")
            .WithSummary("Competences that expire soon")
            .WithDescription("Every person (of `organisation` or `unit`, else the tenant) whose competence expires within `withinDays` (default 30) and is not renewed by later evidence, soonest first.");
        return routes;
    }

    /// <summary>One competence in a profile.</summary>
    public sealed record ProfileEntryView(string Competence, LocalizedText? Name, string Status, string? Requirement, string? Duty, DateTimeOffset? AchievedAt,
        DateTimeOffset? ExpiresAt, IReadOnlyList<Guid> Evidence, IReadOnlyList<string> UnmetPrerequisites);

    /// <summary>A person's profile.</summary>
    public sealed record ProfileView(string PersonId, string? Name, string Organisation, IReadOnlyList<string> Units, IReadOnlyList<string> Roles,
        DateTimeOffset ComputedAt, IReadOnlyList<ProfileEntryView> Competences);

    /// <summary>A page of profiles.</summary>
    public sealed record ProfilePage(IReadOnlyList<ProfileView> Profiles, string? More);

    /// <summary>Query parameters of the bulk profiles.</summary>
    public sealed record ProfileQuery(
        [FromQuery(Name = "organisation")] string? Organisation, [FromQuery(Name = "unit")] string? Unit, [FromQuery(Name = "role")] string? Role,
        [FromQuery(Name = "status")] string? Status, [FromQuery(Name = "changedSince")] DateTimeOffset? ChangedSince, [FromQuery(Name = "limit")] int? Limit,
        [FromQuery(Name = "cursor")] string? Cursor, [FromQuery(Name = "expiringWithinDays")] int? ExpiringWithinDays);

    /// <summary>One member's gaps.</summary>
    public sealed record PersonGapView(string PersonId, string? Name, IReadOnlyList<string> Roles, IReadOnlyList<ProfileEntryView> Lacking, IReadOnlyList<ProfileEntryView> Expiring);

    /// <summary>How well a unit covers one competence.</summary>
    public sealed record CoverageView(string Competence, LocalizedText? Name, int Required, int Valid, int Expiring, int Lacking);

    /// <summary>A unit's gaps.</summary>
    public sealed record UnitGapsView(string Unit, string Organisation, int Members, DateTimeOffset ComputedAt, IReadOnlyList<PersonGapView> People, IReadOnlyList<CoverageView> Coverage);

    /// <summary>A competence about to expire.</summary>
    public sealed record ExpiringView(string PersonId, string? Name, IReadOnlyList<string> Units, string Competence, LocalizedText? CompetenceName, DateTimeOffset ExpiresAt);

    /// <summary>Competences about to expire.</summary>
    public sealed record ExpiringList(DateTimeOffset Until, IReadOnlyList<ExpiringView> Expiring);

    public static async Task<Results<Ok<ProfileView>, ProblemHttpResult>> GetProfile(
        string id, int? expiringWithinDays, DateTimeOffset? asOf, ClaimsPrincipal user, IPeopleStore people, ICompetenceStore competence, IOptions<LrsOptions> options,
        TimeProvider time, CancellationToken ct)
    {
        if (Window(expiringWithinDays, options) is not { } window) return BadWindow();
        var now = time.GetUtcNow();
        if (asOf > now) return Problem("Invalid asOf", "asOf is a moment in the past (or now); a profile of the future is not known yet.");
        var tenant = user.TenantId();
        if (await people.GetAsync(tenant, id, user.RestrictedOrganisation(), ct) is not { } person)
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "No such person", detail: $"No person with id '{id}'.");
        var framework = (await competence.GetFrameworkAsync(tenant, ct)).Framework;
        if (asOf is { } at)
        {
            var history = await competence.EvidenceHistoryAsync(tenant, person.AgentKeys, ct);
            var then = person with { Units = ProfileAsOf.AssignedAt(person, AssignmentKind.Unit, at), Roles = ProfileAsOf.AssignedAt(person, AssignmentKind.Role, at) };
            return TypedResults.Ok(View(then, ProfileAsOf.Compute(person, history, framework, at, window), framework));
        }
        var evidence = await competence.EvidenceAsync(tenant, person.AgentKeys, ct);
        return TypedResults.Ok(View(person, ProfileCalculator.Compute(Facts(person), evidence, framework, now, window), framework));
    }

    public static async Task<Results<Ok<ProfilePage>, ProblemHttpResult>> ListProfiles(
        [AsParameters] ProfileQuery query, ClaimsPrincipal user, IPeopleStore people, ICompetenceStore competence, IOptions<LrsOptions> options, TimeProvider time, CancellationToken ct)
    {
        if (Window(query.ExpiringWithinDays, options) is not { } window) return BadWindow();
        var limit = query.Limit ?? 100;
        if (limit is < 1 or > 1000) return Problem("Invalid limit", "limit is between 1 and 1000.");
        CompetenceStatus? status = null;
        if (query.Status is { } s)
        {
            if (StatusOf(s) is not { } parsed) return Problem("Invalid status", "status is one of valid, expiring, expired, pending-signoff, missing.");
            status = parsed;
        }
        var tenant = user.TenantId();
        var organisation = user.RestrictedOrganisation();
        if (organisation is not null && query.Organisation is { } asked && asked != organisation) return TypedResults.Ok(new ProfilePage([], null));
        var now = time.GetUtcNow();
        var changedAgents = query.ChangedSince is { } since ? await competence.AgentsChangedSinceAsync(tenant, since, now, window, ct) : null;

        var page = await people.ListAsync(tenant, new PeopleQuery(query.Organisation ?? organisation, query.Unit, query.Role, null, query.Cursor, limit), ct);
        var selected = changedAgents is null ? page.People
            : [.. page.People.Where(p => p.Changed > query.ChangedSince || p.AgentKeys.Any(changedAgents.Contains))];
        var framework = (await competence.GetFrameworkAsync(tenant, ct)).Framework;
        var profiles = await ComputeAsync(tenant, selected, competence, framework, now, window, ct);
        var views = profiles
            .Where(x => status is null || x.Profile.Entries.Any(e => e.Status == status))
            .Select(x => View(x.Person, x.Profile, framework)).ToList();
        var more = page.More is null ? null : QueryString.Create(new Dictionary<string, string?>
        {
            ["organisation"] = query.Organisation, ["unit"] = query.Unit, ["role"] = query.Role, ["status"] = query.Status,
            ["changedSince"] = query.ChangedSince?.ToString("O"), ["limit"] = limit.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["expiringWithinDays"] = query.ExpiringWithinDays?.ToString(System.Globalization.CultureInfo.InvariantCulture), ["cursor"] = page.More,
        }.Where(kv => kv.Value is not null)).ToString();
        return TypedResults.Ok(new ProfilePage(views, more is null ? null : "/api/profiles" + more));
    }

    public static async Task<Results<Ok<UnitGapsView>, ProblemHttpResult>> GetUnitGaps(
        string id, int? expiringWithinDays, ClaimsPrincipal user, IPeopleStore people, ICompetenceStore competence, IOptions<LrsOptions> options, TimeProvider time, CancellationToken ct)
    {
        if (Window(expiringWithinDays, options) is not { } window) return BadWindow();
        var tenant = user.TenantId();
        if (await people.UnitAsync(tenant, id, user.RestrictedOrganisation(), ct) is not { } unit)
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "No such unit", detail: $"No unit with id '{id}'.");
        var members = await AllAsync(people, tenant, new PeopleQuery(unit.Unit.OrganisationId, id, null, null, null, 1000), ct);
        var framework = (await competence.GetFrameworkAsync(tenant, ct)).Framework;
        var now = time.GetUtcNow();
        var profiles = await ComputeAsync(tenant, members, competence, framework, now, window, ct);
        var report = GapCalculator.Compute([.. profiles.Select(p => p.Profile)], framework);
        var byId = members.ToDictionary(m => m.Id);
        return TypedResults.Ok(new UnitGapsView(id, unit.Unit.OrganisationId, members.Count, now,
            [.. report.People.Select(g => new PersonGapView(g.PersonId, byId[g.PersonId].Name, byId[g.PersonId].Roles,
                [.. g.Lacking.Select(e => Entry(e, framework))], [.. g.Expiring.Select(e => Entry(e, framework))]))],
            [.. report.Coverage.Select(c => new CoverageView(c.CompetenceId, framework.FindCompetence(c.CompetenceId)?.Name, c.Required, c.Valid, c.Expiring, c.Lacking))]));
    }

    public static async Task<Results<Ok<ExpiringList>, ProblemHttpResult>> ListExpiring(
        int? withinDays, string? organisation, string? unit, ClaimsPrincipal user, IPeopleStore people, ICompetenceStore competence, TimeProvider time, CancellationToken ct)
    {
        var days = withinDays ?? 30;
        if (days is < 1 or > MaxWindowDays) return Problem("Invalid withinDays", $"withinDays is between 1 and {MaxWindowDays}.");
        var tenant = user.TenantId();
        var restricted = user.RestrictedOrganisation();
        var now = time.GetUtcNow();
        var until = now.AddDays(days);
        if (restricted is not null && organisation is not null && organisation != restricted) return TypedResults.Ok(new ExpiringList(until, []));

        var agents = await competence.AgentsWithEvidenceExpiringAsync(tenant, now, until, ct);
        if (agents.Count == 0) return TypedResults.Ok(new ExpiringList(until, []));
        var candidates = (await AllAsync(people, tenant, new PeopleQuery(organisation ?? restricted, unit, null, null, null, 1000), ct))
            .Where(p => p.AgentKeys.Any(agents.Contains)).ToList();
        var framework = (await competence.GetFrameworkAsync(tenant, ct)).Framework;
        // The window is the asked one: what turns `expiring` within it is what expires by then, renewals considered.
        var profiles = await ComputeAsync(tenant, candidates, competence, framework, now, until - now, ct);
        var items = profiles
            .SelectMany(p => p.Profile.Entries.Where(e => e.Status == CompetenceStatus.Expiring && e.ExpiresAt is not null)
                .Select(e => new ExpiringView(p.Person.Id, p.Person.Name, p.Person.Units, e.CompetenceId, framework.FindCompetence(e.CompetenceId)?.Name, e.ExpiresAt!.Value)))
            .OrderBy(i => i.ExpiresAt).ThenBy(i => i.PersonId, StringComparer.Ordinal).ToList();
        return TypedResults.Ok(new ExpiringList(until, items));
    }

    /// <summary>The current profiles of <paramref name="persons"/>, from one evidence query.</summary>
    internal static async Task<List<(Person Person, PersonProfile Profile)>> ComputeAsync(
        long tenant, IReadOnlyList<Person> persons, ICompetenceStore competence, Framework framework, DateTimeOffset now, TimeSpan window, CancellationToken ct)
    {
        // One evidence query for the whole page, split by agent.
        var evidence = persons.Count == 0 ? [] : await competence.EvidenceAsync(tenant, [.. persons.SelectMany(p => p.AgentKeys).Distinct(StringComparer.Ordinal)], ct);
        var byAgent = evidence.ToLookup(e => e.AgentKey, StringComparer.Ordinal);
        return [.. persons.Select(p => (p, ProfileCalculator.Compute(Facts(p), [.. p.AgentKeys.SelectMany(k => byAgent[k])], framework, now, window)))];
    }

    /// <summary>Every person matching <paramref name="query"/>, page by page.</summary>
    internal static async Task<List<Person>> AllAsync(IPeopleStore people, long tenant, PeopleQuery query, CancellationToken ct)
    {
        var all = new List<Person>();
        for (string? cursor = null; ;)
        {
            var page = await people.ListAsync(tenant, query with { Cursor = cursor }, ct);
            all.AddRange(page.People);
            if ((cursor = page.More) is null) return all;
        }
    }

    internal static PersonFacts Facts(Person person) => new(person.Id, person.Roles, person.Duties);

    internal static ProfileView View(Person person, PersonProfile profile, Framework framework) =>
        new(person.Id, person.Name, person.OrganisationId, person.Units, person.Roles, profile.ComputedAt, [.. profile.Entries.Select(e => Entry(e, framework))]);

    private static ProfileEntryView Entry(ProfileEntry e, Framework framework) =>
        new(e.CompetenceId, framework.FindCompetence(e.CompetenceId)?.Name, ProfileCalculator.StatusName(e.Status), e.Requirement is { } r ? FrameworkDocument.LevelName(r) : null, e.Duty,
            e.AchievedAt, e.ExpiresAt, e.EvidenceStatementIds, e.UnmetPrerequisites);

    private static CompetenceStatus? StatusOf(string name) =>
        Enum.GetValues<CompetenceStatus>().Where(s => ProfileCalculator.StatusName(s) == name).Select(s => (CompetenceStatus?)s).FirstOrDefault();

    private static TimeSpan? Window(int? days, IOptions<LrsOptions> options) =>
        (days ?? options.Value.Competence.ExpiringWindowDays) is var d and >= 0 and <= MaxWindowDays ? TimeSpan.FromDays(d) : null;

    private static ProblemHttpResult BadWindow() => Problem("Invalid expiringWithinDays", $"expiringWithinDays is between 0 and {MaxWindowDays}.");

    private static ProblemHttpResult Problem(string title, string detail) =>
        TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: title, detail: detail);
}
