using System.Security.Claims;
using Lrs.Api.Admin;
using Lrs.Api.Auth;
using Lrs.Core.Storage;
using Lrs.Core.Xapi;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Lrs.Api.People;

/// <summary>
/// A person's right to erasure (GDPR art. 17): erase the person, or pseudonymise them where the tenant's policy (a
/// municipality's archiving rules) allows no more.
/// </summary>
public static class Erasure
{
    public static IEndpointRouteBuilder MapErasure(this IEndpointRouteBuilder routes)
    {
        routes.MapPost("/api/people/{id}/erasure", ErasePerson)
            .WithTags("People")
            .RequireAuthorization()
            .WithName("ErasePerson")
            .WithSummary("Erases or pseudonymises a person")
            .WithDescription("Body `{\"mode\": \"erase\" | \"pseudonymise\"}`. " +
                "`erase` removes the person's own statements (every actor or object agent is theirs) and the statements that refer to them, their State and Agent Profile documents, " +
                "attachments no other statement refers to, evidence, sign-offs, reflection tasks and answers, session and webinar participations, workplace-meeting attendances, " +
                "outbox events about the person, their competence statuses and training plan, the recorded names of their agents, the person with agents and unit and role history, and every index key of theirs. Where the person appears in other people's " +
                "statements (instructor, team member, context agent, a member of a group, the signer of someone's sign-off), the agent is replaced by a pseudonym and the statement kept, " +
                "so other people's records and evidence stay as they were. `pseudonymise` removes nothing: every identifier of the person (name, mbox, mbox_sha1sum, openid, account, " +
                "employee id) in statements, documents and derived rows becomes one pseudonymous agent (an account on a homePage of the tenant's own named by a keyed hash), and the " +
                "person stays, without name, address or HSA-id, under the id `pseudonym-{hash}`, so counts and follow-up figures stay right. " +
                "Statements kept are rewritten, not voided, and get a new `stored`. Credentials bound to the person are revoked. " +
                "One transaction: all of it or nothing; statement writes of the tenant wait for it. The audit log keeps a tombstone (`person.erase` or `person.pseudonymise`): who, " +
                "when, the counts and the keyed hash, no personal data. The tenant's policy (GET /api/admin/privacy) decides: `refuse` answers 409 to both modes, `pseudonymise` " +
                "answers 409 to `erase`. A person of another organisation than the caller's is 404, as an unknown one. Scope `people:write`.")
            .Accepts<ErasureRequest>("application/json")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .RequireScope(Scopes.PeopleWrite);
        return routes;
    }

    /// <summary>What to do with the person: <c>erase</c> or <c>pseudonymise</c>.</summary>
    public sealed record ErasureRequest(string? Mode);

    /// <summary>
    /// What an erasure did: the mode, the keyed hash of the person id that the audit tombstone carries (also the pseudonym's
    /// account name), and the rows removed or rewritten per kind.
    /// </summary>
    public sealed record ErasureView(string Mode, string Tombstone, ErasureCounts Counts);

    public static async Task<Results<Ok<ErasureView>, ProblemHttpResult>> ErasePerson(
        string id, HttpRequest request, ClaimsPrincipal user, IPeopleStore people, IPrivacyStore privacy, StoredClock clock, TimeProvider time, CancellationToken ct)
    {
        var (body, unreadable) = await PeopleEndpoints.ReadJsonAsync<ErasureRequest>(request, ct);
        if (body is null) return unreadable!;
        if (body.Mode is not ("erase" or "pseudonymise"))
            return TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Invalid erasure",
                detail: $"mode is 'erase' or 'pseudonymise', not {(body.Mode is null ? "absent" : $"'{body.Mode}'")}; nothing was changed.");
        var tenant = user.TenantId();
        var organisation = user.RestrictedOrganisation();
        if (await people.GetAsync(tenant, id, organisation, ct) is null) return NoSuchPerson(id);

        var policy = await privacy.GetPolicyAsync(tenant, ct) ?? PrivacyPolicy.Default;
        if (policy.Erasure == "refuse" || (policy.Erasure == "pseudonymise" && body.Mode == "erase"))
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Refused by the privacy policy",
                detail: policy.Erasure == "refuse"
                    ? "This tenant's privacy policy is \"erasure\": \"refuse\" (archiving rules keep its records); nothing was changed."
                    : "This tenant's privacy policy is \"erasure\": \"pseudonymise\": its records are kept, so a person is pseudonymised, not erased; nothing was changed.",
                extensions: new Dictionary<string, object?> { ["policy"] = PrivacyEndpoints.View(policy) });

        var mode = body.Mode == "erase" ? ErasureMode.Erase : ErasureMode.Pseudonymise;
        // Rewritten statements get a stored time of this clock, held until the commit: Consistent-Through stays behind it.
        using var pending = clock.Begin();
        var outcome = await privacy.EraseAsync(tenant, id, organisation, mode, time.GetUtcNow(), pending.Stored, PrivacyEndpoints.Actor(user), ct);
        return outcome is null ? NoSuchPerson(id) : TypedResults.Ok(new ErasureView(body.Mode, outcome.PersonHash, outcome.Counts));
    }

    private static ProblemHttpResult NoSuchPerson(string id) =>
        PeopleEndpoints.NotFound("No such person", $"There is no person with id '{id}' that this credential may see; nothing was changed.");
}
