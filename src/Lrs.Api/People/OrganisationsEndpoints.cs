using System.Security.Claims;
using System.Text.Json.Nodes;
using Lrs.Api.Auth;
using Lrs.Core.People;
using Lrs.Core.Storage;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Lrs.Api.People;

/// <summary>
/// Organisations (employers) of the tenant and their units, upserted by HR systems. A principal restricted to one
/// organisation sees and changes only that one.
/// </summary>
public static class OrganisationsEndpoints
{
    public static IEndpointRouteBuilder MapOrganisations(this IEndpointRouteBuilder routes)
    {
        var api = routes.MapGroup("/api")
            .WithTags("Organisations")
            .RequireAuthorization()
            .ProducesProblem(StatusCodes.Status403Forbidden);

        api.MapPut("/organisations", UpsertOrganisations)
            .WithName("UpsertOrganisations")
            .WithSummary("Creates or updates organisations and their units in bulk")
            .WithDescription("A JSON array of at most 1000 organisations `{id, name, hrHomePage?, kind?, units: [{id, name}]}`; `kind` is the kind of employer, " +
                "`municipal`, `private` or `regional`, by which follow-up figures are broken down. Units listed are created or " +
                "renamed; units not listed stay. Unit ids are unique in the tenant and a unit never moves to another organisation (409). " +
                "`hrHomePage` is the IRL of the employer's HR system: its people are linked to `account{homePage: hrHomePage, name: employee id}` " +
                "at their next upsert. Sending the same data again changes nothing. All or nothing; every problem in one 400 with JSON paths. " +
                "Scope `people:write`.")
            .Accepts<List<OrganisationInput>>("application/json")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .RequireScope(Scopes.PeopleWrite);
        api.MapGet("/organisations", ListOrganisations)
            .WithName("ListOrganisations")
            .WithSummary("The organisations of the tenant")
            .WithDescription("Ordered by id; a caller restricted to one organisation sees only that one. Scope `profiles:read` or `people:write`.")
            .RequireScope(Scopes.ProfilesRead, Scopes.PeopleWrite);
        api.MapGet("/organisations/{id}/units", ListOrganisationUnits)
            .WithName("ListOrganisationUnits")
            .WithSummary("The units of one organisation")
            .WithDescription("Ordered by id. An unknown organisation, or another than the caller's, is 404. Scope `profiles:read` or `people:write`.")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .RequireScope(Scopes.ProfilesRead, Scopes.PeopleWrite);
        api.MapGet("/units/{id}", GetUnit)
            .WithName("GetUnit")
            .WithSummary("One unit with its current members")
            .WithDescription("The ids of the people currently in the unit, ordered. A unit of another organisation than the caller's is 404, " +
                "as an unknown one. Scope `profiles:read` or `people:write`.")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .RequireScope(Scopes.ProfilesRead, Scopes.PeopleWrite);
        return routes;
    }

    /// <summary>One organisation of a bulk upsert.</summary>
    /// <param name="Id">The organisation's id, unique in the tenant.</param>
    /// <param name="Name">Its name.</param>
    /// <param name="HrHomePage">The IRL of its HR system: the <c>account.homePage</c> of its employees' agents.</param>
    /// <param name="Units">Units to create or rename; units not listed stay.</param>
    /// <param name="Kind">The kind of employer: <c>municipal</c>, <c>private</c> or <c>regional</c>.</param>
    public sealed record OrganisationInput(string Id, string Name, string? HrHomePage = null, IReadOnlyList<UnitInput>? Units = null, string? Kind = null);

    /// <summary>One unit of an organisation in a bulk upsert.</summary>
    /// <param name="Id">The unit's id, unique in the tenant.</param>
    /// <param name="Name">Its name.</param>
    public sealed record UnitInput(string Id, string Name);

    /// <summary>An organisation as the API shows it.</summary>
    public sealed record OrganisationView(string Id, string Name, string? HrHomePage, DateTimeOffset Changed, string? Kind);

    /// <summary>A unit as the API shows it.</summary>
    public sealed record UnitView(string Id, string OrganisationId, string Name, DateTimeOffset Changed);

    /// <summary>A unit with the ids of its current members.</summary>
    public sealed record UnitMembersView(string Id, string OrganisationId, string Name, DateTimeOffset Changed, IReadOnlyList<string> Members);

    /// <summary>What an organisation upsert did, to organisations and to units.</summary>
    public sealed record OrganisationsUpserted(UpsertCounts Organisations, UpsertCounts Units);

    public static async Task<Results<Ok<OrganisationsUpserted>, ValidationProblem, ProblemHttpResult>> UpsertOrganisations(
        HttpRequest request, ClaimsPrincipal user, IPeopleStore store, TimeProvider time, CancellationToken ct)
    {
        var (body, unreadable) = await PeopleEndpoints.ReadJsonAsync(request, ct);
        if (unreadable is not null) return unreadable;
        if (body is JsonArray { Count: > PeopleInput.MaxOrganisations } tooMany)
            return TypedResults.Problem(statusCode: StatusCodes.Status413PayloadTooLarge, title: "Too many organisations",
                detail: $"This request has {tooMany.Count} organisations; send at most {PeopleInput.MaxOrganisations} per request.");
        var (batch, errors) = PeopleInput.ReadOrganisations(body);
        if (errors.Count > 0) return PeopleEndpoints.Invalid("Invalid organisations", errors);

        var outcome = await store.UpsertOrganisationsAsync(user.TenantId(), batch, user.RestrictedOrganisation(), time.GetUtcNow(), ct);
        return outcome.Refusal is { } refusal
            ? PeopleEndpoints.Refused<OrganisationsUpserted>(refusal, "organisations")
            : TypedResults.Ok(new OrganisationsUpserted(outcome.Counts, outcome.Units!));
    }

    public static async Task<Ok<List<OrganisationView>>> ListOrganisations(ClaimsPrincipal user, IPeopleStore store, CancellationToken ct) =>
        TypedResults.Ok((await store.OrganisationsAsync(user.TenantId(), user.RestrictedOrganisation(), ct))
            .Select(o => new OrganisationView(o.Id, o.Name, o.HrHomePage, o.Changed, o.Kind)).ToList());

    public static async Task<Results<Ok<List<UnitView>>, ProblemHttpResult>> ListOrganisationUnits(string id, ClaimsPrincipal user, IPeopleStore store, CancellationToken ct)
    {
        var units = user.RestrictedOrganisation() is { } restricted && restricted != id ? null : await store.UnitsAsync(user.TenantId(), id, ct);
        return units is null
            ? PeopleEndpoints.NotFound("No such organisation", $"There is no organisation with id '{id}' that this credential may see.")
            : TypedResults.Ok(units.Select(u => new UnitView(u.Id, u.OrganisationId, u.Name, u.Changed)).ToList());
    }

    public static async Task<Results<Ok<UnitMembersView>, ProblemHttpResult>> GetUnit(string id, ClaimsPrincipal user, IPeopleStore store, CancellationToken ct) =>
        await store.UnitAsync(user.TenantId(), id, user.RestrictedOrganisation(), ct) is { } unit
            ? TypedResults.Ok(new UnitMembersView(unit.Unit.Id, unit.Unit.OrganisationId, unit.Unit.Name, unit.Unit.Changed, unit.Members))
            : PeopleEndpoints.NotFound("No such unit", $"There is no unit with id '{id}' that this credential may see.");
}
