using System.Security.Claims;
using System.Text.Json.Nodes;
using Lrs.Api.Auth;
using Lrs.Api.People;
using Lrs.Core.Storage;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace Lrs.Api.Admin;

/// <summary>Tenants, credentials and the audit log over HTTP, for credentials with the <c>admin</c> scope.</summary>
public static class AdminEndpoints
{
    public static IEndpointRouteBuilder MapAdmin(this IEndpointRouteBuilder routes)
    {
        var admin = routes.MapGroup("/api/admin")
            .WithTags("Admin")
            .RequireAuthorization()
            .AddEndpointFilter(RequireAdminScope)
            .ProducesProblem(StatusCodes.Status403Forbidden);

        admin.MapGet("/tenants", ListTenants)
            .WithName("ListTenants")
            .WithSummary("The caller's tenant, or every tenant for an operator")
            .WithDescription("For a credential with `admin`: its own tenant only. Tenants isolate data completely, so no tenant's credential learns of another tenant, not even its name. " +
                "For a credential that also has `operator`: every tenant (the CLI's `tenants list` shows the same).");
        admin.MapPost("/tenants", CreateTenant)
            .Accepts<NewTenant>("application/json")
            .ProducesValidationProblem()
            .AddEndpointFilter(RequireOperatorScope)
            .RequireUnrestricted()
            .WithName("CreateTenant")
            .WithSummary("Creates a tenant (operator only)")
            .WithDescription("A new, empty tenant. Requires the scope `operator` besides `admin` (neither `admin` nor `all` includes it), so a tenant's admin neither creates tenants nor learns which names exist: " +
                "without `operator` the answer is 403 before the name is looked at. With `credential` ({\"name\": …, \"expires\": …}, both optional) the tenant's first credential is issued too, with every scope of a tenant " +
                "(`all`, `profiles:read`, `people:write`, `framework:write`, `reflections:read`, `reflections:write`, `admin`; not `operator`); its secret is in the answer, shown this once. " +
                "Without it, the first credential is made with the CLI (`credentials create --tenant NAME`). Audited as `tenant.create` in the caller's tenant (and `credential.create` in the new one).");
        admin.MapGet("/credentials", ListCredentials)
            .WithName("ListCredentials")
            .WithSummary("The credentials of the caller's tenant")
            .WithDescription("Keys, labels, scopes, restrictions (organisation, actor, registration), expiry and revocation of every credential of the caller's tenant. Secrets are never shown again after creation. " +
                "A restricted caller sees only credentials restricted as narrowly as itself (same organisation, actor and registration); the others are 404 to it, for reading and revoking.");
        admin.MapGet("/credentials/{key}", GetCredential)
            .WithName("GetCredential")
            .WithSummary("One credential of the caller's tenant")
            .WithDescription("A credential of another tenant is answered 404, as an unknown key.");
        admin.MapPost("/credentials", CreateCredential)
            .Accepts<NewCredential>("application/json")
            .ProducesValidationProblem()
            .WithName("CreateCredential")
            .WithSummary("Issues a credential in the caller's tenant")
            .WithDescription("Generates a key and a secret; the secret is in this response only and stored as a slow salted hash. " +
                "Scopes: `statements/write statements/read statements/read/mine state define profile all/read all` and " +
                "`profiles:read people:write framework:write reflections:read reflections:write admin operator`; `all` includes neither `admin` nor `operator`, " +
                "and only a caller with `operator` may issue `operator` (403 otherwise). `expires` (optional) must be in the future. " +
                "Optional restrictions: `organisation` (its reads of people and competence profiles see only that employer's people; claim `lrs:organisation`); `actor`, an Agent with exactly one identifier " +
                "(statements written must have it as actor, else 403 and nothing stored; statement reads see only statements with it as actor or object; State and Agent Profile only for that agent); " +
                "`registration`, a UUID (statements written must carry it as `context.registration`; statement reads and State documents only in that registration). " +
                "Actor and registration together make a cmi5-style launch credential. " +
                "A restricted caller issues nothing wider than itself (403 otherwise): its organisation, actor and registration are inherited when left out and must be the same when given, " +
                "and the scopes must be ones it holds. Audited as `credential.create`, restrictions included.");
        admin.MapDelete("/credentials/{key}", RevokeCredential)
            .WithName("RevokeCredential")
            .WithSummary("Revokes a credential of the caller's tenant")
            .WithDescription("The credential stops working at once on this node (other nodes within a minute). Revoking a revoked credential changes nothing. Audited as `credential.revoke`.");
        admin.MapGet("/audit", ListAudit)
            .WithName("ListAuditEntries")
            .WithSummary("The audit log of the caller's tenant, newest first")
            .WithDescription("Every administrative action (API and CLI): who (a credential key, or `cli:` and the operating-system user), what, on what and when. Paged with `limit` and the `more` link. " +
                "Tenant-wide, so 403 for a credential restricted to an organisation, an actor or a registration.");
        return routes;
    }

    private static async ValueTask<object?> RequireOperatorScope(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        if (!context.HttpContext.User.Has(Scopes.Operator))
            return TypedResults.Problem(
                statusCode: StatusCodes.Status403Forbidden,
                title: "Missing scope",
                detail: $"This credential lacks the scope '{Scopes.Operator}', which creating tenants requires (neither 'admin' nor 'all' includes it).");
        return await next(context);
    }

    internal static async ValueTask<object?> RequireAdminScope(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        if (!context.HttpContext.User.Has(Scopes.Admin))
            return TypedResults.Problem(
                statusCode: StatusCodes.Status403Forbidden,
                title: "Missing scope",
                detail: $"This credential lacks the scope '{Scopes.Admin}', which every /api/admin endpoint requires (the scope 'all' does not include it).");
        return await next(context);
    }

    /// <summary>A tenant as the API shows it.</summary>
    public sealed record TenantView(string Name, DateTimeOffset Created);

    /// <summary>The body of a tenant to create; with <c>credential</c>, its first credential is issued too.</summary>
    public sealed record NewTenant(string? Name, FirstCredential? Credential = null);

    /// <summary>The first credential of a new tenant: it can do everything in that tenant (not create tenants).</summary>
    public sealed record FirstCredential(string? Name, DateTimeOffset? Expires = null);

    /// <summary>A tenant just created, with its first credential (and that credential's secret, shown this once) when asked for.</summary>
    public sealed record CreatedTenant(string Name, DateTimeOffset Created,
        [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)] IssuedCredential? Credential);

    /// <summary>A credential as the API shows it: never its secret or hash. Null restrictions do not restrict.</summary>
    public sealed record CredentialView(
        string Key, string Name, IReadOnlyList<string> Scopes, string Status, DateTimeOffset Created, DateTimeOffset? Expires, DateTimeOffset? Revoked,
        string? Organisation, JsonObject? Actor, Guid? Registration);

    /// <summary>
    /// The body of a credential to issue. <c>organisation</c>, <c>actor</c> (an xAPI Agent) and <c>registration</c>
    /// (a UUID) restrict it; absent ones do not.
    /// </summary>
    public sealed record NewCredential(string? Name, IReadOnlyList<string?>? Scopes, DateTimeOffset? Expires, string? Organisation = null, JsonNode? Actor = null, string? Registration = null);

    /// <summary>A credential just issued, with its secret: shown this once.</summary>
    public sealed record IssuedCredential(
        string Key, string Secret, string Name, IReadOnlyList<string> Scopes, DateTimeOffset Created, DateTimeOffset? Expires,
        string? Organisation, JsonObject? Actor, Guid? Registration);

    /// <summary>An audit entry as the API shows it.</summary>
    public sealed record AuditView(long Seq, DateTimeOffset At, string Actor, string Action, string Target, string? Detail);

    /// <summary>A page of the audit log; <c>more</c> fetches the next (older) page.</summary>
    public sealed record AuditPage(IReadOnlyList<AuditView> Entries, string? More);

    /// <summary>Query parameters of the audit log.</summary>
    public sealed record AuditQuery([FromQuery(Name = "limit")] int? Limit, [FromQuery(Name = "cursor")] long? Cursor);

    public static async Task<Ok<List<TenantView>>> ListTenants(ClaimsPrincipal user, ICredentialStore credentials, CancellationToken ct)
    {
        var own = user.TenantId();
        var all = user.Has(Scopes.Operator);
        return TypedResults.Ok((await credentials.TenantsAsync(ct)).Where(t => all || t.Id == own).Select(t => new TenantView(t.Name, t.Created)).ToList());
    }

    public static async Task<Results<Created<CreatedTenant>, ProblemHttpResult>> CreateTenant(
        HttpRequest request, ClaimsPrincipal user, Administration administration, IOptions<LrsOptions> options, CancellationToken ct)
    {
        var (body, unreadable) = await PeopleEndpoints.ReadJsonAsync<NewTenant>(request, ct);
        if (body is null) return unreadable!;
        var name = body.Name?.Trim();
        if (string.IsNullOrEmpty(name) || name.Length > 200)
            return TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Invalid tenant", detail: "name is required (at most 200 characters).");
        DateTimeOffset? expires = null;
        if (body.Credential is { } first)
        {
            (expires, var expiryError) = administration.CheckExpiry(first.Expires);
            if (expiryError is not null) return TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Invalid expiry", detail: expiryError);
        }
        var tenant = await administration.CreateTenantAsync(name, Actor(user), user.TenantId(), ct);
        if (tenant is null)
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Tenant exists", detail: $"A tenant named '{name}' exists already.");
        IssuedCredential? issued = null;
        if (body.Credential is { } wanted)
        {
            var label = string.IsNullOrWhiteSpace(wanted.Name) ? "admin" : wanted.Name.Trim();
            var (credential, secret) = await administration.IssueCredentialAsync(tenant.Id, label, Scopes.WholeTenant, expires, options.Value.Bootstrap.AuthorityHomePage, Actor(user), ct);
            issued = new IssuedCredential(credential.Key, secret, credential.Name, Scopes.WholeTenant, credential.Created, credential.Expires, null, null, null);
        }
        return TypedResults.Created($"/api/admin/tenants", new CreatedTenant(tenant.Name, tenant.Created, issued));
    }

    public static async Task<Ok<List<CredentialView>>> ListCredentials(ClaimsPrincipal user, ICredentialStore credentials, Administration administration, CancellationToken ct) =>
        TypedResults.Ok((await credentials.ListAsync(user.TenantId(), ct)).Where(c => EmployerScope.Covers(user, c)).Select(c => View(c, administration)).ToList());

    public static async Task<Results<Ok<CredentialView>, ProblemHttpResult>> GetCredential(string key, ClaimsPrincipal user, ICredentialStore credentials, Administration administration, CancellationToken ct) =>
        await OwnCredentialAsync(key, user, credentials, ct) is { } credential ? TypedResults.Ok(View(credential, administration)) : NoSuchCredential(key);

    public static async Task<Results<Created<IssuedCredential>, ProblemHttpResult>> CreateCredential(
        HttpRequest request, ClaimsPrincipal user, Administration administration, IPeopleStore people, IOptions<LrsOptions> options, CancellationToken ct)
    {
        var (body, unreadable) = await PeopleEndpoints.ReadJsonAsync<NewCredential>(request, ct);
        if (body is null) return unreadable!;
        if (body.Name?.Trim().Length > 200)
            return TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Invalid name", detail: "name is at most 200 characters.");
        var (scopes, scopeError) = Scopes.Parse(body.Scopes ?? []);
        if (scopeError is not null) return TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Invalid scopes", detail: scopeError);
        // A tenant's admin may hand out what it holds, but never the power to create tenants.
        if (scopes.Contains(Scopes.Operator) && !user.Has(Scopes.Operator))
            return TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Missing scope",
                detail: $"Only a credential with the scope '{Scopes.Operator}' may issue one with it.");
        var (expires, expiryError) = administration.CheckExpiry(body.Expires);
        if (expiryError is not null) return TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Invalid expiry", detail: expiryError);
        var (restrictions, restrictionError) = Administration.CheckRestrictions(body.Organisation, body.Actor, body.Registration);
        if (restrictionError is not null) return TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Invalid restriction", detail: restrictionError);
        (restrictions, var wider) = await EmployerScope.IssuableAsync(user, people, scopes, restrictions, ct);
        if (wider is not null) return TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Wider than the issuer", detail: wider);
        var name = string.IsNullOrWhiteSpace(body.Name) ? "credential" : body.Name.Trim();

        var (credential, secret) = await administration.IssueCredentialAsync(user.TenantId(), name, scopes, expires, options.Value.Bootstrap.AuthorityHomePage, Actor(user), ct, restrictions);
        return TypedResults.Created($"/api/admin/credentials/{credential.Key}",
            new IssuedCredential(credential.Key, secret, credential.Name, scopes, credential.Created, credential.Expires,
                restrictions.Organisation, ActorOf(restrictions), restrictions.Registration));
    }

    public static async Task<Results<NoContent, ProblemHttpResult>> RevokeCredential(
        string key, ClaimsPrincipal user, ICredentialStore credentials, Administration administration, CredentialVerifier verifier, CancellationToken ct)
    {
        if (await OwnCredentialAsync(key, user, credentials, ct) is not { } credential) return NoSuchCredential(key);
        await administration.RevokeCredentialAsync(credential, Actor(user), ct);
        verifier.Forget(key);
        return TypedResults.NoContent();
    }

    public static async Task<Results<Ok<AuditPage>, ProblemHttpResult>> ListAudit([AsParameters] AuditQuery query, ClaimsPrincipal user, IAuditLog audit, CancellationToken ct)
    {
        if (user.IsRestricted())
            return TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Restricted credential",
                detail: "The audit log covers the whole tenant; a credential restricted to an organisation, an actor or a registration does not read it.");
        var limit = query.Limit ?? 50;
        if (limit is < 1 or > People.PeopleEndpoints.MaxLimit)
            return TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Invalid limit", detail: $"limit is between 1 and {People.PeopleEndpoints.MaxLimit}.");
        var entries = await audit.ListAsync(user.TenantId(), query.Cursor, limit, ct);
        var more = entries.Count == limit ? $"/api/admin/audit?cursor={entries[^1].Seq}&limit={limit}" : null;
        return TypedResults.Ok(new AuditPage([.. entries.Select(e => new AuditView(e.Seq, e.At, e.Actor, e.Action, e.Target, e.Detail))], more));
    }

    // Another tenant's credential is answered like an unknown one: its existence is not this caller's business. So is one
    // wider than a restricted caller (EmployerScope.Covers).
    private static async Task<Credential?> OwnCredentialAsync(string key, ClaimsPrincipal user, ICredentialStore credentials, CancellationToken ct) =>
        await credentials.FindAsync(key, ct) is { } c && c.TenantId == user.TenantId() && EmployerScope.Covers(user, c) ? c : null;

    private static ProblemHttpResult NoSuchCredential(string key) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "No such credential", detail: $"This tenant has no credential with key '{key}'.");

    private static CredentialView View(Credential c, Administration administration) =>
        new(c.Key, c.Name, c.Scopes.Split(' ', StringSplitOptions.RemoveEmptyEntries), administration.StatusOf(c), c.Created, c.Expires, c.Revoked,
            c.Restrictions.Organisation, ActorOf(c.Restrictions), c.Restrictions.Registration);

    private static JsonObject? ActorOf(CredentialRestrictions restrictions) =>
        restrictions.ActorJson is { } json ? JsonNode.Parse(json) as JsonObject : null;

    private static string Actor(ClaimsPrincipal user) => user.FindFirstValue(LrsClaims.Credential) ?? "unknown";
}
