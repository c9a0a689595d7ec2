using System.Security.Claims;
using Lrs.Api.Auth;
using Lrs.Api.People;
using Lrs.Core.FollowUp;
using Lrs.Core.Storage;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace Lrs.Api.FollowUp;

/// <summary>
/// Learning centres as data: the place sessions name, with the program logic its follow-up rests on (needs, resources,
/// activities, intended effects each bound to one follow-up figure). Centres serve every employer of the tenant, so only
/// an unrestricted credential changes them.
/// </summary>
public static class LearningCentresEndpoints
{
    public static IEndpointRouteBuilder MapLearningCentres(this IEndpointRouteBuilder routes)
    {
        var centres = routes.MapGroup("/api/learning-centres")
            .WithTags("Follow-up")
            .RequireAuthorization()
            .ProducesProblem(StatusCodes.Status403Forbidden);

        centres.MapPut("/{id}", PutCentre)
            .WithName("PutLearningCentre")
            .WithSummary("Creates or replaces a learning centre and its program logic")
            .WithDescription("The centre (id: lower-case letters, digits and `-`) with `iri`, the activity IRI its sessions name as `place` " +
                "(`contextActivities.grouping`, type `https://lrsapi.se/xapi/activity-types/learning-centre`), `name`, `needs` and `resources` " +
                "(texts), `activities` and `activityPrefixes` (IRIs of its trainings besides its sessions: e-learning, webinars) and `effects`: " +
                "`{id, term: short|medium|long, description, measure, competence?}`, each bound to one follow-up figure (`reach.peopleTrained`, " +
                "`longTerm.coverage`, …). 201 when new, 200 when replaced or sent as it is. An IRI of another centre is 409. Scope `framework:write`; " +
                "a credential restricted to an organisation may not change a centre (403).")
            .Accepts<LearningCentreBody>("application/json")
            .Produces<LearningCentreView>(StatusCodes.Status200OK)
            .Produces<LearningCentreView>(StatusCodes.Status201Created)
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status409Conflict)
            .RequireScope(Scopes.FrameworkWrite)
            .RequireUnrestricted();
        centres.MapGet("/{id}", GetCentre)
            .WithName("GetLearningCentre")
            .WithSummary("One learning centre and its program logic")
            .WithDescription("404 when the tenant has no such centre. Scope `profiles:read` or `framework:write`.")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .RequireScope(Scopes.ProfilesRead, Scopes.FrameworkWrite);
        centres.MapGet("", ListCentres)
            .WithName("ListLearningCentres")
            .WithSummary("The learning centres of the tenant")
            .WithDescription("Ordered by id; `limit` is 1 to 1000 (default 100); follow `more` for the next page. Scope `profiles:read` or `framework:write`.")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .RequireScope(Scopes.ProfilesRead, Scopes.FrameworkWrite);
        return routes;
    }

    /// <summary>A learning centre as sent (the schema of the PUT body).</summary>
    /// <param name="Iri">The activity IRI its sessions name as their place.</param>
    /// <param name="Name">Its name.</param>
    /// <param name="Needs">The needs it addresses.</param>
    /// <param name="Resources">Its resources.</param>
    /// <param name="Activities">Activity IRIs of its trainings.</param>
    /// <param name="ActivityPrefixes">IRI prefixes of its trainings.</param>
    /// <param name="Effects">Its intended effects.</param>
    public sealed record LearningCentreBody(string Iri, string Name, IReadOnlyList<string>? Needs, IReadOnlyList<string>? Resources,
        IReadOnlyList<string>? Activities, IReadOnlyList<string>? ActivityPrefixes, IReadOnlyList<IntendedEffect>? Effects);

    /// <summary>A learning centre as the API shows it.</summary>
    /// <param name="Id">Its id.</param>
    /// <param name="Iri">The activity IRI its sessions name as their place.</param>
    /// <param name="Name">Its name.</param>
    /// <param name="Needs">The needs it addresses.</param>
    /// <param name="Resources">Its resources.</param>
    /// <param name="Activities">Activity IRIs of its trainings.</param>
    /// <param name="ActivityPrefixes">IRI prefixes of its trainings.</param>
    /// <param name="Effects">Its intended effects.</param>
    /// <param name="Updated">When it last changed.</param>
    public sealed record LearningCentreView(string Id, string Iri, string Name, IReadOnlyList<string> Needs, IReadOnlyList<string> Resources,
        IReadOnlyList<string> Activities, IReadOnlyList<string> ActivityPrefixes, IReadOnlyList<IntendedEffect> Effects, DateTimeOffset Updated);

    /// <summary>A page of learning centres; <c>more</c> fetches the next page.</summary>
    public sealed record LearningCentreList(IReadOnlyList<LearningCentreView> LearningCentres, string? More);

    public static async Task<Results<Created<LearningCentreView>, Ok<LearningCentreView>, ValidationProblem, ProblemHttpResult>> PutCentre(
        string id, HttpRequest request, ClaimsPrincipal user, IFollowUpStore store, ICompetenceStore competence, TimeProvider time, CancellationToken ct)
    {
        if (!LearningCentreInput.IsValidId(id))
            return TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Invalid id", detail: "An id is 1 to 100 lower-case letters, digits and -.");
        var (body, unreadable) = await PeopleEndpoints.ReadJsonAsync(request, ct);
        if (unreadable is not null) return unreadable;
        var tenant = user.TenantId();
        var framework = (await competence.GetFrameworkAsync(tenant, ct)).Framework;
        var (centre, errors) = LearningCentreInput.Read(id, body, framework, time.GetUtcNow());
        if (centre is null) return PeopleEndpoints.Invalid("Invalid learning centre", errors);
        var outcome = await store.PutCentreAsync(tenant, centre, ct);
        if (outcome == CentreWrite.IriTaken)
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "IRI taken",
                detail: $"Another learning centre of this tenant has the IRI '{centre.Iri}'; each centre has its own.");
        var stored = (await store.GetCentreAsync(tenant, id, ct))!;
        return outcome == CentreWrite.Created
            ? TypedResults.Created($"/api/learning-centres/{id}", View(stored))
            : TypedResults.Ok(View(stored));
    }

    public static async Task<Results<Ok<LearningCentreView>, ProblemHttpResult>> GetCentre(string id, ClaimsPrincipal user, IFollowUpStore store, CancellationToken ct) =>
        await store.GetCentreAsync(user.TenantId(), id, ct) is { } centre
            ? TypedResults.Ok(View(centre))
            : PeopleEndpoints.NotFound("No such learning centre", $"There is no learning centre with id '{id}'.");

    public static async Task<Results<Ok<LearningCentreList>, ProblemHttpResult>> ListCentres(
        [FromQuery(Name = "limit")] int? limit, [FromQuery(Name = "cursor")] string? cursor, ClaimsPrincipal user, IFollowUpStore store, CancellationToken ct)
    {
        var size = limit ?? 100;
        if (size is < 1 or > 1000)
            return TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Invalid limit", detail: "limit is between 1 and 1000.");
        var centres = await store.CentresAsync(user.TenantId(), cursor, size + 1, ct);
        var more = centres.Count > size
            ? $"/api/learning-centres?limit={size}&cursor={Uri.EscapeDataString(centres[size - 1].Id)}"
            : null;
        return TypedResults.Ok(new LearningCentreList([.. centres.Take(size).Select(View)], more));
    }

    private static LearningCentreView View(LearningCentre c) =>
        new(c.Id, c.Iri, c.Name, c.Needs, c.Resources, c.Activities, c.ActivityPrefixes, c.Effects, c.Updated);
}
