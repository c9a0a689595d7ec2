using System.Security.Claims;
using System.Text.Json.Nodes;
using Lrs.Api.Auth;
using Lrs.Api.People;
using Lrs.Core.Competence;
using Lrs.Core.Storage;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Lrs.Api.Competence;

/// <summary>
/// The tenant's competence framework: competences, alignment rules, roles. Imported and exported as one document,
/// or changed one item at a time; every change is applied to the statements stored before it (rebuild).
/// </summary>
public static class FrameworkEndpoints
{
    /// <summary>Audit action of a framework change.</summary>
    public const string FrameworkChange = "framework.change";
    /// <summary>Audit action of an evidence rebuild.</summary>
    public const string EvidenceRebuild = "evidence.rebuild";

    private static readonly string[] Sections = ["competences", "rules", "roles", "reflectionTemplates"];

    public static IEndpointRouteBuilder MapFramework(this IEndpointRouteBuilder routes)
    {
        var framework = routes.MapGroup("/api/framework").WithTags("Competence framework").RequireAuthorization().ProducesProblem(StatusCodes.Status403Forbidden);

        framework.MapGet("/", GetFramework)
            .RequireScope(Scopes.FrameworkWrite, Scopes.ProfilesRead)
            .WithName("ExportFramework")
            .WithSummary("Exports the competence framework")
            .WithDescription("The whole framework as one document (competences, alignment rules, roles, sign-off verbs, reflection templates), in the shape `PUT /api/framework` takes. " +
                "The `ETag` is the framework's version; send it back in `If-Match` to change the framework only if nobody else did meanwhile.");
        framework.MapPut("/", PutFramework)
            .RequireScope(Scopes.FrameworkWrite)
            .RequireUnrestricted()
            .WithName("ImportFramework")
            .WithSummary("Imports (replaces) the competence framework")
            .WithDescription("Validates the whole document and reports every error with its JSON path; nothing is stored when any is found. " +
                "Then replaces the framework and rebuilds the evidence of every stored statement under the new rules, in short transactions " +
                "(ingest goes on meanwhile); the response says what the rebuild changed. Sending the same framework again changes nothing. " +
                "`If-Match` with a version from `ETag` makes the change conditional (412 when the framework changed since). Audited as `framework.change`. " +
                "The framework is the tenant's, not one employer's: 403 for a credential restricted to an organisation, an actor or a registration, as for every framework change.");
        framework.MapGet("/{section}/{id}", GetItem)
            .RequireScope(Scopes.FrameworkWrite, Scopes.ProfilesRead)
            .WithName("GetFrameworkItem")
            .WithSummary("One competence, rule, role or reflection template")
            .WithDescription("`section` is `competences`, `rules`, `roles` or `reflectionTemplates`.");
        framework.MapPut("/{section}/{id}", PutItem)
            .RequireScope(Scopes.FrameworkWrite)
            .RequireUnrestricted()
            .WithName("PutFrameworkItem")
            .WithSummary("Creates or replaces one competence, rule, role or reflection template")
            .WithDescription("The item's `id` in the body, when given, must equal the one in the path. The framework as a whole must stay valid " +
                "(e.g. a rule's competence must exist); errors are reported with paths inside the item. Evidence is rebuilt as for an import.");
        framework.MapDelete("/{section}/{id}", DeleteItem)
            .RequireScope(Scopes.FrameworkWrite)
            .RequireUnrestricted()
            .WithName("DeleteFrameworkItem")
            .WithSummary("Removes one competence, rule, role or reflection template")
            .WithDescription("A competence still named by a rule, a role or another competence's prerequisites is not removed (409, naming them). " +
                "Evidence the removal no longer supports is retracted.");

        routes.MapPost("/api/admin/evidence/rebuild", Rebuild)
            .WithTags("Admin")
            .RequireAuthorization()
            .RequireScope(Scopes.Admin)
            .RequireUnrestricted()
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .WithName("RebuildEvidence")
            .WithSummary("Rebuilds competence evidence from stored statements")
            .WithDescription("Matches every stored, non-voided statement against the current framework again and corrects the evidence and sign-offs " +
                "recorded for it. Idempotent: a second run changes nothing. Also available as the CLI verb `evidence rebuild --tenant NAME`. Audited as `evidence.rebuild`.");
        return routes;
    }

    /// <summary>The result of a framework change.</summary>
    /// <param name="Version">The framework's new version (also its ETag).</param>
    /// <param name="Updated">When it changed.</param>
    /// <param name="Rebuild">What applying it to stored statements changed.</param>
    public sealed record FrameworkChanged(long Version, DateTimeOffset? Updated, RebuildOutcome Rebuild);

    public static async Task<Ok<JsonObject>> GetFramework(HttpContext http, ICompetenceStore store, CancellationToken ct)
    {
        var stored = await store.GetFrameworkAsync(http.User.TenantId(), ct);
        http.Response.Headers.ETag = ETag(stored.Version);
        return TypedResults.Ok(FrameworkDocument.Write(stored.Framework));
    }

    public static async Task<Results<Ok<FrameworkChanged>, ValidationProblem, ProblemHttpResult>> PutFramework(
        HttpContext http, ICompetenceStore store, IAuditLog audit, TimeProvider time, CancellationToken ct)
    {
        var (body, unreadable) = await PeopleEndpoints.ReadJsonAsync(http.Request, ct, maxDepth: 64);
        if (unreadable is not null) return unreadable;
        var (framework, errors) = FrameworkDocument.Parse(body);
        if (framework is null) return Invalid(errors);
        long? expected = null;
        if (http.Request.Headers.IfMatch.Count > 0)
        {
            if (ParseETag(http.Request.Headers.IfMatch.ToString()) is not { } version) return PreconditionFailed();
            expected = version;
        }
        return await StoreAsync(http, store, audit, time, framework, expected, "import", ct);
    }

    public static async Task<Results<Ok<JsonObject>, ProblemHttpResult>> GetItem(string section, string id, HttpContext http, ICompetenceStore store, CancellationToken ct)
    {
        if (!Sections.Contains(section)) return NoSuchSection(section);
        var stored = await store.GetFrameworkAsync(http.User.TenantId(), ct);
        http.Response.Headers.ETag = ETag(stored.Version);
        return Item(FrameworkDocument.Write(stored.Framework), section, id) is { } item
            ? TypedResults.Ok((JsonObject)item.DeepClone())
            : NoSuchItem(section, id);
    }

    public static async Task<Results<Ok<FrameworkChanged>, ValidationProblem, ProblemHttpResult>> PutItem(
        string section, string id, HttpContext http, ICompetenceStore store, IAuditLog audit, TimeProvider time, CancellationToken ct)
    {
        if (!Sections.Contains(section)) return NoSuchSection(section);
        var (body, unreadable) = await PeopleEndpoints.ReadJsonAsync(http.Request, ct, maxDepth: 64);
        if (unreadable is not null) return unreadable;
        if (body is not JsonObject item) return BadJson("The body must be one JSON object.");
        if (item["id"] is { } given && (given.GetValueKind() != System.Text.Json.JsonValueKind.String || given.GetValue<string>() != id))
            return Invalid([new Lrs.Core.Xapi.ValidationError("$.id", $"must equal the id in the path ('{id}').")]);
        item["id"] = id;
        return await ChangeAsync(http, store, audit, time, section, id, document =>
        {
            var list = document[section] as JsonArray ?? [];
            document[section] = list;
            var index = IndexOf(list, id);
            if (index < 0) list.Add(item);
            else list[index] = item;
            return IndexOf(list, id);
        }, ct);
    }

    public static async Task<Results<Ok<FrameworkChanged>, ValidationProblem, ProblemHttpResult>> DeleteItem(
        string section, string id, HttpContext http, ICompetenceStore store, IAuditLog audit, TimeProvider time, CancellationToken ct)
    {
        if (!Sections.Contains(section)) return NoSuchSection(section);
        return await ChangeAsync(http, store, audit, time, section, id, document =>
        {
            if (document[section] is not JsonArray list || IndexOf(list, id) is var index && index < 0) return -1;
            list.RemoveAt(index);
            return int.MaxValue;
        }, ct);
    }

    public static async Task<Ok<RebuildOutcome>> Rebuild(HttpContext http, ICompetenceStore store, IAuditLog audit, TimeProvider time, CancellationToken ct)
    {
        var tenant = http.User.TenantId();
        var outcome = await store.RebuildAsync(tenant, ct);
        await audit.AppendAsync(tenant, time.GetUtcNow(), Actor(http.User), EvidenceRebuild, "evidence", Describe(outcome), ct);
        return TypedResults.Ok(outcome);
    }

    // Read, change and store with the version read as precondition; a concurrent change makes it start over.
    private static async Task<Results<Ok<FrameworkChanged>, ValidationProblem, ProblemHttpResult>> ChangeAsync(
        HttpContext http, ICompetenceStore store, IAuditLog audit, TimeProvider time, string section, string id, Func<JsonObject, int> change, CancellationToken ct)
    {
        var tenant = http.User.TenantId();
        for (var attempt = 0; attempt < 5; attempt++)
        {
            var current = await store.GetFrameworkAsync(tenant, ct);
            var document = FrameworkDocument.Write(current.Framework);
            var index = change(document);
            if (index < 0) return NoSuchItem(section, id);
            var (framework, errors) = FrameworkDocument.Parse(document);
            if (framework is null)
            {
                // Errors inside the item are reported relative to it; others (references to it) say what blocks the change.
                var prefix = $"$.{section}[{index}]";
                var own = errors.Where(e => e.Path == prefix || e.Path.StartsWith(prefix + ".", StringComparison.Ordinal) || e.Path.StartsWith(prefix + "[", StringComparison.Ordinal)).ToList();
                if (own.Count > 0) return Invalid([.. own.Select(e => e with { Path = "$" + e.Path[prefix.Length..] })]);
                return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "The framework would not be valid",
                    detail: string.Join(" ", errors.Select(e => e.ToString())));
            }
            var result = await StoreAsync(http, store, audit, time, framework, current.Version, $"{section}/{id}", ct);
            if (result.Result is not ProblemHttpResult { StatusCode: StatusCodes.Status412PreconditionFailed }) return result;
        }
        return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Concurrent changes", detail: "The framework kept changing; try again.");
    }

    private static async Task<Results<Ok<FrameworkChanged>, ValidationProblem, ProblemHttpResult>> StoreAsync(
        HttpContext http, ICompetenceStore store, IAuditLog audit, TimeProvider time, Framework framework, long? expected, string what, CancellationToken ct)
    {
        var tenant = http.User.TenantId();
        var current = await store.GetFrameworkAsync(tenant, ct);
        if (expected is { } e && e != current.Version) return PreconditionFailed();
        if (current.Version > 0 && JsonNode.DeepEquals(FrameworkDocument.Write(current.Framework), FrameworkDocument.Write(framework)))
        {
            // The same framework again: nothing to store, nothing to rebuild.
            http.Response.Headers.ETag = ETag(current.Version);
            return TypedResults.Ok(new FrameworkChanged(current.Version, current.Updated, new RebuildOutcome(0, 0, 0, 0)));
        }
        if (await store.PutFrameworkAsync(tenant, framework, expected, ct) is not { } stored) return PreconditionFailed();
        var outcome = await store.RebuildAsync(tenant, ct);
        await audit.AppendAsync(tenant, time.GetUtcNow(), Actor(http.User), FrameworkChange, what,
            $"version={stored.Version} competences={framework.Competences.Count} rules={framework.Rules.Count} roles={framework.Roles.Count}; {Describe(outcome)}", ct);
        http.Response.Headers.ETag = ETag(stored.Version);
        return TypedResults.Ok(new FrameworkChanged(stored.Version, stored.Updated, outcome));
    }

    private static string Describe(RebuildOutcome o) => $"scanned={o.StatementsScanned} added={o.Added} changed={o.Changed} retracted={o.Retracted}";

    private static JsonObject? Item(JsonObject document, string section, string id) =>
        document[section] is JsonArray list && IndexOf(list, id) is var i and >= 0 ? (JsonObject)list[i]! : null;

    private static int IndexOf(JsonArray list, string id)
    {
        for (var i = 0; i < list.Count; i++)
            if (list[i] is JsonObject o && o["id"] is JsonValue v && v.TryGetValue(out string? s) && s == id) return i;
        return -1;
    }

    private static string ETag(long version) => $"\"{version}\"";

    private static long? ParseETag(string header) =>
        header.Trim() is var h && h.Length > 2 && h[0] == '"' && h[^1] == '"' && long.TryParse(h[1..^1], out var v) ? v : null;

    private static ValidationProblem Invalid(IEnumerable<Lrs.Core.Xapi.ValidationError> errors) =>
        PeopleEndpoints.Invalid("The framework is not valid", [.. errors]);

    private static ProblemHttpResult BadJson(string detail) =>
        TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Invalid JSON", detail: detail);

    private static ProblemHttpResult PreconditionFailed() =>
        TypedResults.Problem(statusCode: StatusCodes.Status412PreconditionFailed, title: "The framework changed",
            detail: "If-Match does not name the framework's current version (its ETag); fetch it again and reapply the change.");

    private static ProblemHttpResult NoSuchSection(string section) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "No such section", detail: $"'{section}' is not one of {string.Join(", ", Sections)}.");

    private static ProblemHttpResult NoSuchItem(string section, string id) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not found", detail: $"The framework has no {section.TrimEnd('s')} '{id}'.");

    internal static string Actor(ClaimsPrincipal user) => user.FindFirstValue(LrsClaims.Credential) ?? user.FindFirstValue("sub") ?? "unknown";
}
