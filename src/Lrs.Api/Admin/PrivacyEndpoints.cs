using System.Security.Claims;
using Lrs.Api.Auth;
using Lrs.Api.People;
using Lrs.Core.Competence;
using Lrs.Core.Storage;
using Lrs.Core.Xapi;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace Lrs.Api.Admin;

/// <summary>
/// The tenant's privacy policy (whether people may be erased, or only pseudonymised, or neither) and retention (how long
/// statements, reflection answers and audit entries are kept), for credentials with the <c>admin</c> scope.
/// </summary>
public static class PrivacyEndpoints
{
    public const string PolicyChange = "privacy.policy";

    public static IEndpointRouteBuilder MapPrivacy(this IEndpointRouteBuilder routes)
    {
        var privacy = routes.MapGroup("/api/admin/privacy")
            .WithTags("Admin")
            .RequireAuthorization()
            .RequireScope(Scopes.Admin)
            .ProducesProblem(StatusCodes.Status403Forbidden);

        privacy.MapGet("", GetPrivacyPolicy)
            .WithName("GetPrivacyPolicy")
            .WithSummary("The tenant's privacy policy")
            .WithDescription("`erasure`: `erase` (POST /api/people/{id}/erasure may erase or pseudonymise), `pseudonymise` (archiving rules keep the records: only " +
                "pseudonymisation), `refuse` (neither). `retention`: ISO 8601 durations after which `statements` (by `stored`), `reflectionAnswers` (by answer time) and " +
                "`audit` entries are removed by the daily retention run; a kind left out is kept for ever. A tenant that has set no policy has `erase` and no retention. Scope `admin`.");
        privacy.MapPut("", PutPrivacyPolicy)
            .WithName("PutPrivacyPolicy")
            .WithSummary("Sets the tenant's privacy policy")
            .WithDescription("The whole policy, as GET answers it. Each retention period is an ISO 8601 duration (`P10Y`, `P18M`, `P2Y6M`) of at least one day; anything else " +
                "is 400 and nothing changes. Audited as `privacy.policy`. Tenant-wide, so 403 for a credential restricted to an organisation, an actor or a registration. Scope `admin`.")
            .Accepts<PrivacyPolicyView>("application/json")
            .ProducesValidationProblem()
            .RequireUnrestricted();
        privacy.MapPost("/retention", ApplyRetention)
            .WithName("ApplyRetention")
            .WithSummary("Applies the tenant's retention now")
            .WithDescription("What the daily retention run does, at once: removes statements older than the statement period with every row derived from them " +
                "(index keys, evidence, sign-offs, the reflection tasks they triggered and their answers, attachments no statement refers to any more), reflection answers " +
                "older than their period with their statements, and audit entries older than theirs. With `dryRun=true` the same work is done and rolled back: the counts are " +
                "what a real run would remove, and nothing is. Every run is audited as `retention.apply` with its counts. No body. Tenant-wide, so 403 for a restricted credential. Scope `admin`.")
            .RequireUnrestricted();
        return routes;
    }

    /// <summary>How long each kind of data is kept, as ISO 8601 durations; a kind left out (or null) is kept for ever.</summary>
    public sealed record RetentionView(string? Statements = null, string? ReflectionAnswers = null, string? Audit = null);

    /// <summary>A tenant's privacy policy: what erasure may do, and how long data is kept.</summary>
    public sealed record PrivacyPolicyView(string? Erasure, RetentionView? Retention);

    /// <summary>The query of a retention run: <c>dryRun=true</c> removes nothing.</summary>
    public sealed record RetentionQuery([FromQuery(Name = "dryRun")] bool? DryRun);

    /// <summary>The cut-off times of a retention run: what is older went (or would go); null for a kind kept for ever.</summary>
    public sealed record RetentionCutoffsView(DateTimeOffset? Statements, DateTimeOffset? ReflectionAnswers, DateTimeOffset? Audit);

    /// <summary>A retention run: whether it was dry, its cut-offs, and what it removed (or would remove).</summary>
    public sealed record RetentionRun(bool DryRun, RetentionCutoffsView Cutoffs, RetentionCounts Counts);

    public static async Task<Ok<PrivacyPolicyView>> GetPrivacyPolicy(ClaimsPrincipal user, IPrivacyStore store, CancellationToken ct) =>
        TypedResults.Ok(View(await store.GetPolicyAsync(user.TenantId(), ct) ?? PrivacyPolicy.Default));

    public static async Task<Results<Ok<PrivacyPolicyView>, ValidationProblem, ProblemHttpResult>> PutPrivacyPolicy(
        HttpRequest request, ClaimsPrincipal user, IPrivacyStore store, IAuditLog audit, TimeProvider time, CancellationToken ct)
    {
        var (body, unreadable) = await PeopleEndpoints.ReadJsonAsync<PrivacyPolicyView>(request, ct);
        if (body is null) return unreadable!;
        var errors = new List<ValidationError>();
        if (body.Erasure is not ("erase" or "pseudonymise" or "refuse"))
            errors.Add(new("$.erasure", "is 'erase', 'pseudonymise' or 'refuse'"));
        var retention = body.Retention ?? new RetentionView();
        foreach (var (name, value) in new[] { ("statements", retention.Statements), ("reflectionAnswers", retention.ReflectionAnswers), ("audit", retention.Audit) })
            if (value is not null && !IsPeriod(value))
                errors.Add(new($"$.retention.{name}", $"'{value}' is not an ISO 8601 duration of at least one day (e.g. P10Y, P18M, P2Y6M)"));
        if (errors.Count > 0) return PeopleEndpoints.Invalid("Invalid privacy policy", errors);

        var policy = new PrivacyPolicy(body.Erasure!, new RetentionPeriods(retention.Statements, retention.ReflectionAnswers, retention.Audit));
        var now = time.GetUtcNow();
        await store.PutPolicyAsync(user.TenantId(), policy, now, ct);
        await audit.AppendAsync(user.TenantId(), now, Actor(user), PolicyChange, "privacy",
            $"erasure={policy.Erasure}; statements={policy.Retention.Statements ?? "-"}; reflectionAnswers={policy.Retention.ReflectionAnswers ?? "-"}; audit={policy.Retention.Audit ?? "-"}", ct);
        return TypedResults.Ok(View(policy));
    }

    public static async Task<Ok<RetentionRun>> ApplyRetention([AsParameters] RetentionQuery query, ClaimsPrincipal user, Retention retention, CancellationToken ct)
    {
        var dryRun = query.DryRun ?? false;
        var (cutoffs, counts) = await retention.ApplyAsync(user.TenantId(), dryRun, Actor(user), ct);
        return TypedResults.Ok(new RetentionRun(dryRun, new RetentionCutoffsView(cutoffs.Statements, cutoffs.ReflectionAnswers, cutoffs.Audit), counts));
    }

    // A retention period shorter than a day is a typing mistake (PT10M), not a policy.
    private static bool IsPeriod(string text) =>
        IsoDuration.TryParse(text, out var value) && IsoDuration.AddTo(DateTimeOffset.UnixEpoch, value) >= DateTimeOffset.UnixEpoch.AddDays(1);

    internal static PrivacyPolicyView View(PrivacyPolicy policy) =>
        new(policy.Erasure, new RetentionView(policy.Retention.Statements, policy.Retention.ReflectionAnswers, policy.Retention.Audit));

    internal static string Actor(ClaimsPrincipal user) => user.FindFirstValue(LrsClaims.Credential) ?? user.FindFirstValue("sub") ?? "unknown";
}
