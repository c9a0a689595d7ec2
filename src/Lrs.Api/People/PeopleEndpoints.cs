using System.Security.Claims;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Lrs.Api.Auth;
using Lrs.Api.Xapi;
using Lrs.Core.People;
using Lrs.Core.Storage;
using Lrs.Core.Xapi;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace Lrs.Api.People;

/// <summary>
/// People of the tenant's organisations, upserted in bulk by HR systems and read by HR and competence tools. A
/// principal restricted to one organisation (claim <c>lrs:organisation</c>) sees and changes only that organisation's people.
/// </summary>
public static class PeopleEndpoints
{
    public const int DefaultLimit = 100;
    public const int MaxLimit = 1000;

    public static IEndpointRouteBuilder MapPeople(this IEndpointRouteBuilder routes)
    {
        var people = routes.MapGroup("/api/people")
            .WithTags("People")
            .RequireAuthorization()
            .ProducesProblem(StatusCodes.Status403Forbidden);

        people.MapPut("", UpsertPeople)
            .WithName("UpsertPeople")
            .WithSummary("Creates or updates people in bulk")
            .WithDescription("A JSON array of at most 1000 people, each the person's whole current state, identified by the employer's employee id " +
                "(unique in the tenant). The organisation and units must exist (PUT /api/organisations). Each person is linked to the agents listed " +
                "and, when the organisation has an `hrHomePage`, to `account{homePage: hrHomePage, name: id}`; statements about any of them count " +
                "for the person. A unit or role no longer listed ends now and stays in the history. Sending the same data again changes nothing " +
                "(`unchanged`, and `changed` stays). All or nothing: every problem is reported in one 400 with JSON paths; an agent linked to " +
                "another person is 409; so is, for a credential restricted to one organisation, an agent that stored statements about another " +
                "organisation's people carry as actor or object (claiming it would show this credential those statements); a person of another organisation than the caller's is 403. A personnummer is refused, as a property " +
                "and as an id. Scope `people:write`.")
            .Accepts<List<PersonInput>>("application/json")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .RequireScope(Scopes.PeopleWrite);
        people.MapGet("", ListPeople)
            .WithName("ListPeople")
            .WithSummary("People, filtered and paged")
            .WithDescription("People ordered by id with their current units, roles, duties and agents. Filters: `organisation`, `unit`, `role` " +
                "(current assignments), `changedSince` (RFC 3339; people whose data changed at or after it: an upsert that changed nothing " +
                "does not count). `limit` is 1 to 1000 (default 100); follow `more` for the next page. Scope `profiles:read` or `people:write`.")
            .RequireScope(Scopes.ProfilesRead, Scopes.PeopleWrite);
        people.MapGet("/{id}", GetPersonDetails)
            .WithName("GetPersonDetails")
            .WithSummary("One person with history and agents")
            .WithDescription("The person's current state, agents, and every unit and role assignment with `from` and `to` (null while current). " +
                "A person of another organisation than the caller's is 404, as an unknown one. Scope `profiles:read` or `people:write`.")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .RequireScope(Scopes.ProfilesRead, Scopes.PeopleWrite);
        return routes;
    }

    /// <summary>A person as the API shows it; <c>history</c> only when one person is asked for.</summary>
    public sealed record PersonView(
        string Id, string OrganisationId, string? Name, string? Email, string? HsaId,
        IReadOnlyList<string> Units, IReadOnlyList<string> Roles, IReadOnlyList<string> Duties, IReadOnlyList<JsonObject> Agents,
        DateTimeOffset Changed, [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<AssignmentView>? History);

    /// <summary>One period in a unit (<c>kind</c> unit) or a role (<c>kind</c> role); <c>to</c> is null while it lasts.</summary>
    public sealed record AssignmentView(string Kind, string Value, DateTimeOffset From, DateTimeOffset? To);

    /// <summary>A page of people; <c>more</c> fetches the next page.</summary>
    public sealed record PeopleList(IReadOnlyList<PersonView> People, string? More);

    /// <summary>Query parameters of the people list.</summary>
    public sealed record PeopleListQuery(
        [FromQuery(Name = "organisation")] string? Organisation, [FromQuery(Name = "unit")] string? Unit, [FromQuery(Name = "role")] string? Role,
        [FromQuery(Name = "changedSince")] string? ChangedSince, [FromQuery(Name = "limit")] int? Limit, [FromQuery(Name = "cursor")] string? Cursor);

    /// <summary>One person of a bulk upsert: the person's whole current state (what is left out is empty).</summary>
    /// <param name="Id">The employer's employee id, unique in the tenant; never a personnummer.</param>
    /// <param name="OrganisationId">The employer (an organisation of PUT /api/organisations).</param>
    /// <param name="Name">Display name.</param>
    /// <param name="Email">E-mail address (an attribute; list an mbox agent to have statements with it count).</param>
    /// <param name="HsaId">HSA-id: an attribute, never an identifier.</param>
    /// <param name="Units">Ids of the units of the organisation the person works in now.</param>
    /// <param name="Roles">Ids of the roles (of the competence framework) the person has now.</param>
    /// <param name="Duties">Duties that change requirements, e.g. <c>delegated-tasks</c>.</param>
    /// <param name="Agents">xAPI Agents with exactly one identifier (mbox, mbox_sha1sum, openid or account) besides the HR account.</param>
    public sealed record PersonInput(
        string Id, string OrganisationId, string? Name = null, string? Email = null, string? HsaId = null,
        IReadOnlyList<string>? Units = null, IReadOnlyList<string>? Roles = null, IReadOnlyList<string>? Duties = null, IReadOnlyList<JsonObject>? Agents = null);

    public static async Task<Results<Ok<UpsertCounts>, ValidationProblem, ProblemHttpResult>> UpsertPeople(
        HttpRequest request, ClaimsPrincipal user, IPeopleStore store, IStatementStore statements, TimeProvider time, CancellationToken ct)
    {
        var (body, unreadable) = await ReadJsonAsync(request, ct);
        if (unreadable is not null) return unreadable;
        if (body is JsonArray { Count: > PeopleInput.MaxPeople } tooMany)
            return TypedResults.Problem(statusCode: StatusCodes.Status413PayloadTooLarge, title: "Too many people",
                detail: $"This request has {tooMany.Count} people; send at most {PeopleInput.MaxPeople} per request (several requests in a row are fine).");
        var (batch, errors) = PeopleInput.ReadPeople(body);
        if (errors.Count > 0) return Invalid("Invalid people", errors);
        if (await EmployerScope.ClaimConflictsAsync(user, store, statements, batch, ct) is { Count: > 0 } claimed)
            return Refused<UpsertCounts>(new UpsertRefusal(UpsertRefusalKind.Conflict, claimed), "people");

        var outcome = await store.UpsertPeopleAsync(user.TenantId(), batch, user.RestrictedOrganisation(), time.GetUtcNow(), ct);
        return outcome.Refusal is { } refusal ? Refused<UpsertCounts>(refusal, "people") : TypedResults.Ok(outcome.Counts);
    }

    public static async Task<Results<Ok<PeopleList>, ProblemHttpResult>> ListPeople([AsParameters] PeopleListQuery query, ClaimsPrincipal user, IPeopleStore store, CancellationToken ct)
    {
        var limit = query.Limit ?? DefaultLimit;
        if (limit is < 1 or > MaxLimit)
            return BadQuery("Invalid limit", $"limit is between 1 and {MaxLimit}.");
        DateTimeOffset? since = null;
        if (query.ChangedSince is { } text)
        {
            if (!XapiTimestamp.TryParse(text, XapiVersion.V200, out var parsed))
                return BadQuery("Invalid changedSince", $"changedSince '{text}' is not an RFC 3339 date and time with an offset, e.g. 2026-03-01T00:00:00Z (escape '+' as %2B).");
            since = parsed;
        }
        var organisation = query.Organisation;
        if (user.RestrictedOrganisation() is { } restricted)
        {
            // Another organisation's people are simply not there for this caller.
            if (organisation is not null && organisation != restricted) return TypedResults.Ok(new PeopleList([], null));
            organisation = restricted;
        }

        var page = await store.ListAsync(user.TenantId(), new PeopleQuery(organisation, query.Unit, query.Role, since, query.Cursor, limit), ct);
        string? more = null;
        if (page.More is not null)
        {
            var parameters = new[]
            {
                ("organisation", query.Organisation), ("unit", query.Unit), ("role", query.Role), ("changedSince", query.ChangedSince),
                ("limit", limit.ToString(System.Globalization.CultureInfo.InvariantCulture)), ("cursor", page.More),
            };
            more = "/api/people?" + string.Join('&', parameters.Where(p => p.Item2 is not null).Select(p => $"{p.Item1}={Uri.EscapeDataString(p.Item2!)}"));
        }
        return TypedResults.Ok(new PeopleList([.. page.People.Select(p => View(p, withHistory: false))], more));
    }

    public static async Task<Results<Ok<PersonView>, ProblemHttpResult>> GetPersonDetails(string id, ClaimsPrincipal user, IPeopleStore store, CancellationToken ct) =>
        await store.GetAsync(user.TenantId(), id, user.RestrictedOrganisation(), ct) is { } person
            ? TypedResults.Ok(View(person, withHistory: true))
            : NotFound("No such person", $"There is no person with id '{id}' that this credential may see.");


    /// <summary>No string of the API's own resources needs more; xAPI documents and statements are bounded by the body size only.</summary>
    internal const int MaxStringBytes = 100_000;

    /// <summary>
    /// The JSON body of an /api request, or the problem that answers it: 415 unless it is sent as JSON, 400 when it is
    /// not JSON text (bad UTF-8 or a lone surrogate included), nests deeper than <paramref name="maxDepth"/>, or has a
    /// string over <see cref="MaxStringBytes"/>. A null body without a problem is the JSON literal null.
    /// </summary>
    internal static async Task<(JsonNode? Body, ProblemHttpResult? Problem)> ReadJsonAsync(HttpRequest request, CancellationToken ct, int maxDepth = 16)
    {
        if (!Microsoft.Net.Http.Headers.MediaTypeHeaderValue.TryParse(request.ContentType, out var type)
            || !(type.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase) || type.Suffix.Equals("json", StringComparison.OrdinalIgnoreCase)))
            return (null, TypedResults.Problem(statusCode: StatusCodes.Status415UnsupportedMediaType, title: "Unsupported media type",
                detail: $"This endpoint takes a JSON body sent as application/json, not '{request.ContentType}'."));
        var (body, error) = await XapiProtocol.ReadJsonAsync(request.Body, new JsonDocumentOptions { MaxDepth = maxDepth }, MaxStringBytes, ct, request.ContentLength);
        return error is null ? (body, null)
            : (null, TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Invalid JSON", detail: $"The body is not JSON: {error}"));
    }

    /// <summary>The JSON body of an /api request as <typeparamref name="T"/> (web defaults: camelCase, any case), or the problem that answers it.</summary>
    internal static async Task<(T? Body, ProblemHttpResult? Problem)> ReadJsonAsync<T>(HttpRequest request, CancellationToken ct) where T : class
    {
        var (node, problem) = await ReadJsonAsync(request, ct);
        if (problem is not null) return (null, problem);
        // A property the body's type does not have is an error, not ignored: a misspelt name would silently do nothing.
        var unknown = new List<ValidationError>();
        UnknownProperties(node, JsonSerializerOptions.Web.GetTypeInfo(typeof(T)), "$", unknown);
        if (unknown.Count > 0)
            return (null, TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Unknown property",
                detail: $"{unknown.Count} problem{(unknown.Count == 1 ? "" : "s")}; nothing was stored. {unknown[0]}",
                extensions: new Dictionary<string, object?> { ["errors"] = Errors(unknown) }));
        try
        {
            if (node?.Deserialize<T>(JsonSerializerOptions.Web) is { } body) return (body, null);
            return (null, TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Invalid JSON", detail: "The body is JSON null; it must be an object."));
        }
        catch (JsonException e)
        {
            return (null, TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Invalid JSON", detail: $"The body does not have the expected shape: {e.Message}"));
        }
    }

    /// <summary>Adds an error for each property of <paramref name="node"/>, at any depth, that <paramref name="type"/> does not have.</summary>
    private static void UnknownProperties(JsonNode? node, System.Text.Json.Serialization.Metadata.JsonTypeInfo type, string path, List<ValidationError> errors)
    {
        switch (type.Kind, node)
        {
            case (System.Text.Json.Serialization.Metadata.JsonTypeInfoKind.Object, JsonObject o):
                foreach (var (name, value) in o)
                {
                    // Web defaults read names case-insensitively, so the check does too.
                    if (type.Properties.FirstOrDefault(p => string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase)) is { } property)
                        UnknownProperties(value, type.Options.GetTypeInfo(property.PropertyType), $"{path}.{name}", errors);
                    else
                        errors.Add(new($"{path}.{name}", $"is not a property of this body (properties: {string.Join(", ", type.Properties.Select(p => p.Name))})"));
                }
                break;
            case (System.Text.Json.Serialization.Metadata.JsonTypeInfoKind.Enumerable, JsonArray a) when type.ElementType is { } element:
                for (var i = 0; i < a.Count; i++) UnknownProperties(a[i], type.Options.GetTypeInfo(element), $"{path}[{i}]", errors);
                break;
        }
    }

    internal static ValidationProblem Invalid(string title, IReadOnlyList<ValidationError> errors) =>
        TypedResults.ValidationProblem(Errors(errors), title: title,
            detail: $"{errors.Count} problem{(errors.Count == 1 ? "" : "s")}; nothing was stored. {errors[0]}");

    internal static Results<Ok<T>, ValidationProblem, ProblemHttpResult> Refused<T>(UpsertRefusal refusal, string what) => refusal.Kind switch
    {
        UpsertRefusalKind.Invalid => Invalid($"Invalid {what}", refusal.Errors),
        UpsertRefusalKind.Forbidden => TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Another organisation",
            detail: $"This credential may change only its own organisation; nothing was stored. {refusal.Errors[0]}",
            extensions: new Dictionary<string, object?> { ["errors"] = Errors(refusal.Errors) }),
        _ => TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Conflict",
            detail: $"Nothing was stored. {string.Join(" ", refusal.Errors.Take(3))}",
            extensions: new Dictionary<string, object?> { ["errors"] = Errors(refusal.Errors) }),
    };

    internal static ProblemHttpResult NotFound(string title, string detail) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: title, detail: detail);

    private static ProblemHttpResult BadQuery(string title, string detail) =>
        TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: title, detail: detail);

    private static Dictionary<string, string[]> Errors(IReadOnlyList<ValidationError> errors) =>
        errors.GroupBy(e => e.Path).ToDictionary(g => g.Key, g => g.Select(e => e.Message).ToArray());

    internal static PersonView View(Person p, bool withHistory) => new(
        p.Id, p.OrganisationId, p.Name, p.Email, p.HsaId, p.Units, p.Roles, p.Duties, p.Agents, p.Changed,
        withHistory ? [.. p.History.Select(a => new AssignmentView(a.Kind == AssignmentKind.Unit ? "unit" : "role", a.Value, a.From, a.To))] : null);
}
