using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Lrs.Api.Auth;
using Lrs.Core.Storage;
using Lrs.Core.Xapi;
using Microsoft.Net.Http.Headers;

namespace Lrs.Api.Xapi;

/// <summary>
/// The three document resources (Communication 2.2–2.7; 2.0 §4.1.6.2, §4.1.6.5, §4.1.6.6): State, Activity Profile and
/// Agent Profile. They differ only in the parameters that address a document, so one implementation serves all three.
/// </summary>
public static class DocumentsEndpoints
{
    /// <summary>How one resource addresses its documents, and how it is described.</summary>
    private sealed record Resource(DocumentKind Kind, string Name, string Route, string IdParameter, bool ByActivity, bool ByAgent, string Noun, string Owner)
    {
        public bool ByRegistration => Kind == DocumentKind.State;

        // Parameter names are case-sensitive; since is accepted with an id too and then has no effect.
        public HashSet<string> WriteParameters { get; } = Names(ByActivity, ByAgent, Kind == DocumentKind.State, IdParameter);
        public HashSet<string> GetParameters { get; } = [.. Names(ByActivity, ByAgent, Kind == DocumentKind.State, IdParameter), "since"];

        private static HashSet<string> Names(bool activity, bool agent, bool registration, string id)
        {
            var names = new HashSet<string>(StringComparer.Ordinal) { id };
            if (activity) names.Add("activityId");
            if (agent) names.Add("agent");
            if (registration) names.Add("registration");
            return names;
        }
    }

    private static readonly Resource State = new(DocumentKind.State, "State", "/activities/state", "stateId", ByActivity: true, ByAgent: true,
        "State document", "of an activity for an agent (and optionally a registration)");
    private static readonly Resource ActivityProfile = new(DocumentKind.ActivityProfile, "ActivityProfile", "/activities/profile", "profileId", ByActivity: true, ByAgent: false,
        "Activity Profile document", "of an activity");
    private static readonly Resource AgentProfile = new(DocumentKind.AgentProfile, "AgentProfile", "/agents/profile", "profileId", ByActivity: false, ByAgent: true,
        "Agent Profile document", "of an agent");

    public static IEndpointRouteBuilder MapDocuments(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/xapi")
            .WithTags("xAPI")
            .RequireAuthorization()
            .RequireXapiVersion();
        foreach (var resource in (Resource[])[State, ActivityProfile, AgentProfile])
            Map(group, resource);
        return routes;
    }

    private static void Map(RouteGroupBuilder group, Resource r)
    {
        // State needs the state scope; both profile resources the profile scope (all/read suffices for reads).
        group = group.MapGroup("").RequireScope(r.Kind == DocumentKind.State ? Scopes.State : Scopes.Profile);
        var putRule = r.Kind == DocumentKind.State
            ? "Under 2.0.0, a PUT without `If-Match` or `If-None-Match` onto an existing document is 409; under 1.0.3 it overwrites."
            : "Without `If-Match` or `If-None-Match`: 409 when a document exists; under 1.0.3 also 400 when none exists (send `If-None-Match: *` to create).";

        group.MapPut(r.Route, (HttpContext http, IDocumentStore store, CancellationToken ct) => PutDocument(r, http, store, ct))
            .WithName("Put" + r.Name)
            .WithSummary($"Store a {r.Noun}")
            .WithDescription($"Stores the body, any content type, byte for byte as the {r.Noun} `{r.IdParameter}` {r.Owner}. "
                + $"`If-Match` (an ETag or `*`) and `If-None-Match: *` make it conditional: 412 and no change when they do not hold. {putRule}")
            .Produces(StatusCodes.Status204NoContent)
            .Produces<XapiError>(StatusCodes.Status400BadRequest)
            .Produces<XapiError>(StatusCodes.Status409Conflict)
            .Produces<XapiError>(StatusCodes.Status412PreconditionFailed);
        group.MapPost(r.Route, (HttpContext http, IDocumentStore store, CancellationToken ct) => PostDocument(r, http, store, ct))
            .WithName("Post" + r.Name)
            .WithSummary($"Store or merge into a {r.Noun}")
            .WithDescription($"Stores the body as the {r.Noun} `{r.IdParameter}` {r.Owner} when there is none. When there is one, both must be "
                + "JSON objects sent as `application/json`: the top-level properties of the body replace those of the stored document (a shallow merge); "
                + "otherwise 400 and no change. `If-Match` / `If-None-Match` are honoured as for PUT.")
            .Produces(StatusCodes.Status204NoContent)
            .Produces<XapiError>(StatusCodes.Status400BadRequest)
            .Produces<XapiError>(StatusCodes.Status412PreconditionFailed);
        group.MapMethods(r.Route, ["GET", "HEAD"], (HttpContext http, IDocumentStore store, CancellationToken ct) => GetDocuments(r, http, store, ct))
            .WithName("Get" + r.Name)
            .WithSummary($"Fetch a {r.Noun}, or list their ids")
            .WithDescription($"With `{r.IdParameter}`: the document exactly as stored, with its Content-Type, a quoted `ETag` and `Last-Modified`; 404 when there is none. "
                + $"Without it: a JSON array of the ids of the {r.Noun}s {r.Owner}"
                + (r.ByRegistration ? " (in that registration when given, else in any)" : "")
                + ", only those written after `since` when given; `Last-Modified` is the newest among them.")
            .Produces<string[]>(StatusCodes.Status200OK)
            .Produces<XapiError>(StatusCodes.Status400BadRequest)
            .Produces<XapiError>(StatusCodes.Status404NotFound);
        group.MapDelete(r.Route, (HttpContext http, IDocumentStore store, CancellationToken ct) => DeleteDocuments(r, http, store, ct))
            .WithName("Delete" + r.Name)
            .WithSummary(r.Kind == DocumentKind.State ? "Delete a State document, or all of an activity and agent" : $"Delete a {r.Noun}")
            .WithDescription($"Deletes the {r.Noun} `{r.IdParameter}` {r.Owner}; 204 also when there was none. `If-Match` / `If-None-Match` are honoured (412 and no change)."
                + (r.ByRegistration ? " Without `stateId`: deletes every State document of the activity and agent (in the registration when given)." : ""))
            .Produces(StatusCodes.Status204NoContent)
            .Produces<XapiError>(StatusCodes.Status400BadRequest)
            .Produces<XapiError>(StatusCodes.Status412PreconditionFailed);
    }

    /// <summary>PUT: replace (or create) one document.</summary>
    private static async Task<IResult> PutDocument(Resource r, HttpContext http, IDocumentStore store, CancellationToken ct)
    {
        var version = http.XapiVersion();
        var target = ReadTarget(r, http.Request.Query, r.WriteParameters, version, idRequired: true);
        if (target.Error is { } error) return BadRequest(error);
        if (await RefusedAsync(http, target.Set!, ct) is { } refused) return refused;
        var (content, contentType) = await ReadBodyAsync(http.Request, ct);
        var preconditions = PreconditionsOf(http.Request);
        var change = await store.ChangeAsync(http.User.TenantId(), Address(target.Set!, target.Id!),
            current => DocumentRules.Put(r.Kind, version, current, preconditions, content, contentType), ct);
        return Answer(http, change);
    }

    /// <summary>POST: create one document, or merge a JSON object into it.</summary>
    private static async Task<IResult> PostDocument(Resource r, HttpContext http, IDocumentStore store, CancellationToken ct)
    {
        var target = ReadTarget(r, http.Request.Query, r.WriteParameters, http.XapiVersion(), idRequired: true);
        if (target.Error is { } error) return BadRequest(error);
        if (await RefusedAsync(http, target.Set!, ct) is { } refused) return refused;
        var (content, contentType) = await ReadBodyAsync(http.Request, ct);
        var preconditions = PreconditionsOf(http.Request);
        var change = await store.ChangeAsync(http.User.TenantId(), Address(target.Set!, target.Id!),
            current => DocumentRules.Post(current, preconditions, content, contentType), ct);
        return Answer(http, change);
    }

    /// <summary>GET/HEAD: one document with its ETag, or the ids of a set.</summary>
    private static async Task<IResult> GetDocuments(Resource r, HttpContext http, IDocumentStore store, CancellationToken ct)
    {
        var version = http.XapiVersion();
        var target = ReadTarget(r, http.Request.Query, r.GetParameters, version, idRequired: false);
        if (target.Error is { } error) return BadRequest(error);
        if (BoundAccess.Of(http.User).RefuseDocuments(target.Set!) is { } refused) return XapiProtocol.Error(StatusCodes.Status403Forbidden, refused);
        // Another employer's person's documents are not there for this caller.
        var hidden = !await WithinEmployerAsync(http, target.Set!, ct);

        if (target.Id is { } id)
        {
            var document = hidden ? null : await store.GetAsync(http.User.TenantId(), Address(target.Set!, id), ct);
            if (document is null)
                return XapiProtocol.Error(StatusCodes.Status404NotFound, $"No {r.Noun} with {r.IdParameter} '{id}' here.");
            http.Response.Headers.ETag = Quote(document.ETag);
            http.Response.Headers.LastModified = document.Updated.ToString("R", CultureInfo.InvariantCulture);
            return TypedResults.Bytes(document.Content, document.ContentType);
        }

        if (!XapiProtocol.TrySingle(http.Request.Query, "since", out var sinceText, out var repeated)) return BadRequest(repeated!);
        DateTimeOffset? since = null;
        if (sinceText is not null)
        {
            if (!XapiTimestamp.TryParse(sinceText, version, out var parsed)) return BadRequest("since is not a timestamp.");
            since = parsed;
        }
        var stamps = hidden ? [] : await store.ListAsync(http.User.TenantId(), target.Set!, since, ct);
        if (stamps.Count > 0)
            http.Response.Headers.LastModified = stamps.Max(s => s.Updated).ToString("R", CultureInfo.InvariantCulture);
        return TypedResults.Json(stamps.Select(s => s.Id).ToArray(), StatementJson.Default.StringArray);
    }

    /// <summary>DELETE: one document, or (State without stateId) every document of the activity and agent.</summary>
    private static async Task<IResult> DeleteDocuments(Resource r, HttpContext http, IDocumentStore store, CancellationToken ct)
    {
        var target = ReadTarget(r, http.Request.Query, r.WriteParameters, http.XapiVersion(), idRequired: !r.ByRegistration);
        if (target.Error is { } error) return BadRequest(error);
        if (await RefusedAsync(http, target.Set!, ct) is { } refused) return refused;
        if (target.Id is null)
        {
            await store.DeleteAllAsync(http.User.TenantId(), target.Set!, ct);
            return TypedResults.NoContent();
        }
        var preconditions = PreconditionsOf(http.Request);
        var change = await store.ChangeAsync(http.User.TenantId(), Address(target.Set!, target.Id),
            current => DocumentRules.Delete(current, preconditions), ct);
        return Answer(http, change);
    }

    // A write out of the caller's reach: another actor's or registration's under bindings, another employer's person's.
    private static async Task<IResult?> RefusedAsync(HttpContext http, DocumentSet set, CancellationToken ct)
    {
        if (BoundAccess.Of(http.User).RefuseDocuments(set) is { } refused) return XapiProtocol.Error(StatusCodes.Status403Forbidden, refused);
        if (!await WithinEmployerAsync(http, set, ct))
            return XapiProtocol.Error(StatusCodes.Status403Forbidden, "This credential is restricted to one organisation and reaches only the documents of its people and of agents that are no person's.");
        return null;
    }

    // Activity Profiles belong to no agent; State and Agent Profile documents to the agent's person, if any.
    private static async Task<bool> WithinEmployerAsync(HttpContext http, DocumentSet set, CancellationToken ct) =>
        set.Kind == DocumentKind.ActivityProfile
        || await EmployerScope.IsWithinEmployerAsync(http.User, http.RequestServices.GetRequiredService<IPeopleStore>(), set.AgentKey, ct);

    private sealed record Target(DocumentSet? Set, string? Id, string? Error);

    /// <summary>Reads and checks the parameters that address documents; an error names the first problem.</summary>
    private static Target ReadTarget(Resource r, IQueryCollection query, IReadOnlySet<string> allowed, XapiVersion version, bool idRequired)
    {
        static Target Fail(string message) => new(null, null, message);
        if (XapiProtocol.UnknownParameter(query, allowed) is { } unknown) return Fail(unknown);

        var activityId = "";
        if (r.ByActivity)
        {
            if (!XapiProtocol.TrySingle(query, "activityId", out var value, out var repeated)) return Fail(repeated!);
            if (value is null) return Fail("The activityId parameter is required.");
            if (!Iri.IsAbsolute(value)) return Fail("activityId is not an IRI.");
            activityId = value;
        }

        var agentKey = "";
        if (r.ByAgent)
        {
            if (!XapiProtocol.TrySingle(query, "agent", out var value, out var repeated)) return Fail(repeated!);
            if (value is null) return Fail("The agent parameter is required.");
            JsonNode? agent;
            try { agent = JsonNode.Parse(value, documentOptions: XapiProtocol.DocumentOptions); }
            catch (JsonException) { return Fail("agent is not JSON."); }
            var problems = StatementValidator.ValidateAgentParameter(agent, version);
            if (problems.Count > 0 || AgentKey.Of(agent) is not { } key)
                return Fail("agent is not an Agent (or Identified Group) with exactly one identifier"
                    + (problems.Count > 0 ? $": {problems[0]}" : "."));
            agentKey = key;
        }

        string? registration = r.ByRegistration ? null : "";
        if (r.ByRegistration)
        {
            if (!XapiProtocol.TrySingle(query, "registration", out var value, out var repeated)) return Fail(repeated!);
            if (value is not null)
            {
                if (!Guid.TryParse(value, out var parsed)) return Fail("registration is not a UUID.");
                registration = parsed.ToString("D");
            }
        }

        if (!XapiProtocol.TrySingle(query, r.IdParameter, out var id, out var idRepeated)) return Fail(idRepeated!);
        if (id is { Length: 0 }) return Fail($"{r.IdParameter} is empty.");
        if (id is null && idRequired) return Fail($"The {r.IdParameter} parameter is required.");

        return new(new DocumentSet(r.Kind, activityId, agentKey, registration), id, null);
    }

    // A single document lives in exactly one registration, the empty one when the request names none.
    private static DocumentAddress Address(DocumentSet set, string id) =>
        new(set.Kind, set.ActivityId, set.AgentKey, set.Registration ?? "", id);

    private static async Task<(byte[] Content, string ContentType)> ReadBodyAsync(HttpRequest request, CancellationToken ct)
    {
        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer, ct);
        var contentType = string.IsNullOrWhiteSpace(request.ContentType) ? DocumentRules.DefaultContentType : request.ContentType;
        return (buffer.ToArray(), contentType);
    }

    private static DocumentPreconditions PreconditionsOf(HttpRequest request) =>
        DocumentPreconditions.Parse(
            request.Headers.ContainsKey(HeaderNames.IfMatch) ? request.Headers.IfMatch.ToString() : null,
            request.Headers.ContainsKey(HeaderNames.IfNoneMatch) ? request.Headers.IfNoneMatch.ToString() : null);

    private static IResult Answer(HttpContext http, DocumentChange change)
    {
        if (change.Refusal is { } refusal)
            return XapiProtocol.Error(refusal switch
            {
                DocumentRefusal.PreconditionFailed => StatusCodes.Status412PreconditionFailed,
                DocumentRefusal.Conflict => StatusCodes.Status409Conflict,
                _ => StatusCodes.Status400BadRequest,
            }, change.Message!);
        if (change.ETag is { } etag) http.Response.Headers.ETag = Quote(etag);
        return TypedResults.NoContent();
    }

    private static string Quote(string etag) => $"\"{etag}\"";

    private static IResult BadRequest(string message) => XapiProtocol.Error(StatusCodes.Status400BadRequest, message);
}
