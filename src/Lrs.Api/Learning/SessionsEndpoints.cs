using System.Globalization;
using System.Security.Claims;
using System.Text.Json.Nodes;
using Lrs.Api.Auth;
using Lrs.Api.People;
using Lrs.Api.Xapi;
using Lrs.Core.Learning;
using Lrs.Core.Storage;
using Lrs.Core.Xapi;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace Lrs.Api.Learning;

/// <summary>
/// On-site sessions at a learning centre: a client sends the session with its participants and outcomes, the LRS writes
/// the xAPI statements (attended, passed or failed, a supervisor's sign-off) and keeps which statements belong to whom.
/// </summary>
public static class SessionsEndpoints
{
    public const int DefaultLimit = 100;
    public const int MaxLimit = 1000;

    public static IEndpointRouteBuilder MapSessions(this IEndpointRouteBuilder routes)
    {
        var sessions = routes.MapGroup("/api/sessions")
            .WithTags("Sessions and webinars")
            .RequireAuthorization()
            .ProducesProblem(StatusCodes.Status403Forbidden);

        sessions.MapPut("/{id}", PutSession)
            .WithName("PutSession")
            .WithSummary("Records an on-site session and its participants' outcomes as statements")
            .WithDescription("The session (the client's id: letters, digits and `-_.:`) with its activity (a course, a learning box or a meeting), " +
                "start and end, the learning centre (`place`), trainers and participants, each named by `personId` (the person's HR account is " +
                "the actor) or as an xAPI `agent`. Each participant gets `attended` (with the session's duration); `passed` or `failed` adds " +
                "that statement (a practical demonstration, `result.success`); a `signoff` adds the supervisor's " +
                "`https://w3id.org/xapi/tla/verbs/verified` of the outcome statement (a StatementRef). The trainers are `context.instructor` " +
                "(and `contextAgents` under xAPI 2.0, the default `xapiVersion`), the place is in `contextActivities.grouping`, all statements " +
                "share one registration derived from the id, and their ids and timestamps come from the session: sending the same session " +
                "again changes nothing (200, all counts 0 but `unchanged`). A corrected outcome or sign-off voids and replaces only that " +
                "participant's statements; a participant left out has theirs voided. 201 when the session is new. All or nothing: an unknown " +
                "`personId` is a 400 naming it. An organisation-restricted credential names only its own people. Scope `statements/write`.")
            .Accepts<JsonObject>("application/json")
            .Produces<SessionWriteView>(StatusCodes.Status200OK)
            .Produces<SessionWriteView>(StatusCodes.Status201Created)
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status409Conflict)
            .RequireScope(Scopes.StatementsWrite);
        sessions.MapGet("/{id}", GetSession)
            .WithName("GetSession")
            .WithSummary("One session with its participants and their statement ids")
            .WithDescription("The session as sent (activity, times, place, trainers), its registration, and each participant with outcome, " +
                "sign-off, the ids of their current statements (outcome first, then the sign-off) and of those voided by corrections; a " +
                "participant removed by a correction has outcome `removed`. An organisation-restricted credential sees only its own " +
                "organisation's participants (and 404 when there are none). Scope `statements/read` or `profiles:read`.")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .RequireScope(Scopes.StatementsRead, Scopes.ProfilesRead);
        sessions.MapGet("", ListSessions)
            .WithName("ListSessions")
            .WithSummary("Sessions, filtered and paged")
            .WithDescription("Sessions ordered by start, without participants. Filters: `from` and `to` (RFC 3339; start at or after `from`, " +
                "before `to`), `activity` (IRI). `limit` is 1 to 1000 (default 100); follow `more` for the next page. Scope `statements/read` " +
                "or `profiles:read`.")
            .RequireScope(Scopes.StatementsRead, Scopes.ProfilesRead);
        return routes;
    }

    /// <summary>A session or webinar as the API shows it.</summary>
    /// <param name="Id">The client's id.</param>
    /// <param name="Registration">The registration of all its statements.</param>
    /// <param name="Start">When it began.</param>
    /// <param name="End">When it ended.</param>
    /// <param name="Definition">The definition as sent (activity, place, trainers or presenters, xapiVersion, minimumShare).</param>
    /// <param name="Updated">When it last changed.</param>
    /// <param name="Participants">The participants (not in lists).</param>
    public sealed record SessionView(string Id, Guid Registration, DateTimeOffset Start, DateTimeOffset End, JsonObject Definition, DateTimeOffset Updated,
        IReadOnlyList<ParticipantView>? Participants);

    /// <summary>A participant and their statements.</summary>
    /// <param name="PersonId">The person, when the participant is one.</param>
    /// <param name="Agent">The actor of their statements.</param>
    /// <param name="Outcome"><c>attended</c>, <c>passed</c>, <c>failed</c>, <c>joined</c> or <c>removed</c>.</param>
    /// <param name="Detail">The sign-off (<c>by</c>, <c>at</c>) of a session; the summed <c>seconds</c>, first <c>joined</c> time and report <c>rows</c> of a webinar.</param>
    /// <param name="StatementIds">Their current statements.</param>
    /// <param name="VoidedStatementIds">Their statements voided by corrections.</param>
    public sealed record ParticipantView(string? PersonId, JsonObject Agent, string Outcome, JsonObject Detail, IReadOnlyList<Guid> StatementIds, IReadOnlyList<Guid> VoidedStatementIds);

    /// <summary>What a write did and the session as it is now.</summary>
    /// <param name="Changes">Participants added, changed, removed and unchanged; statements written and voided.</param>
    /// <param name="Session">The session.</param>
    public sealed record SessionWriteView(SessionChanges Changes, SessionView Session);

    /// <summary>A page of sessions or webinars; <c>more</c> fetches the next page.</summary>
    public sealed record SessionList(IReadOnlyList<SessionView> Sessions, string? More);

    /// <summary>Query parameters of the session and webinar lists.</summary>
    public sealed record SessionListQuery(
        [FromQuery(Name = "from")] string? From, [FromQuery(Name = "to")] string? To, [FromQuery(Name = "activity")] string? Activity,
        [FromQuery(Name = "limit")] int? Limit, [FromQuery(Name = "cursor")] string? Cursor);

    public static async Task<Results<Created<SessionWriteView>, Ok<SessionWriteView>, ValidationProblem, ProblemHttpResult>> PutSession(
        string id, HttpRequest request, ClaimsPrincipal user, StatementWriter statements, IPeopleStore people, ISessionStore sessions, CancellationToken ct)
    {
        if (Refused(id, user) is { } refused) return refused;
        var (body, unreadable) = await PeopleEndpoints.ReadJsonAsync(request, ct);
        if (unreadable is not null) return unreadable;
        var (input, errors) = SessionInputReader.ReadSession(body);
        if (input is null) return PeopleEndpoints.Invalid("Invalid session", errors);
        var write = await SessionWriter.WriteSessionAsync(new SessionStores(statements, people, sessions), Caller(user), id, input, ct);
        return Answer(write, "session", $"/api/sessions/{Uri.EscapeDataString(id)}");
    }

    public static async Task<Results<Ok<SessionView>, ProblemHttpResult>> GetSession(string id, ClaimsPrincipal user, ISessionStore sessions, CancellationToken ct) =>
        await GetAsync(SessionKind.OnSite, id, user, sessions, ct);

    public static async Task<Results<Ok<SessionList>, ProblemHttpResult>> ListSessions([AsParameters] SessionListQuery query, ClaimsPrincipal user, ISessionStore sessions, CancellationToken ct) =>
        await ListAsync(SessionKind.OnSite, "/api/sessions", query, user, sessions, ct);

    internal static SessionCaller Caller(ClaimsPrincipal user) =>
        new(user.TenantId(), (JsonObject)JsonNode.Parse(user.AuthorityJson())!, user.RestrictedOrganisation(), user.Has(Scopes.Define));

    // An invalid id, or a credential bound to one actor or registration: sessions write statements about other people.
    internal static ProblemHttpResult? Refused(string id, ClaimsPrincipal user)
    {
        if (!SessionInputReader.IsValidId(id))
            return TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Invalid id",
                detail: "An id is 1 to 200 letters, digits and the characters - _ . :");
        if (!BoundAccess.Of(user).IsNone)
            return TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Bound credential",
                detail: "This credential is bound to an actor or registration and writes only that one's statements.");
        return null;
    }

    internal static Results<Created<SessionWriteView>, Ok<SessionWriteView>, ValidationProblem, ProblemHttpResult> Answer(SessionWrite write, string what, string location)
    {
        switch (write.Refusal)
        {
            case SessionRefusal.Invalid: return PeopleEndpoints.Invalid($"Invalid {what}", write.Errors!);
            case SessionRefusal.Forbidden:
                return TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Another organisation", detail: $"Nothing was stored: {write.Errors![0].Message}.");
            case SessionRefusal.NotFound:
                return PeopleEndpoints.NotFound($"No such {what}", write.Errors![0].Message);
            case SessionRefusal.Conflict:
                return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Conflict", detail: $"Nothing was stored: {write.Errors![0].Message}.");
        }
        var view = new SessionWriteView(write.Changes!, View(write.Session!, null, withParticipants: true));
        return write.Created ? TypedResults.Created(location, view) : TypedResults.Ok(view);
    }

    internal static async Task<Results<Ok<SessionView>, ProblemHttpResult>> GetAsync(SessionKind kind, string id, ClaimsPrincipal user, ISessionStore sessions, CancellationToken ct)
    {
        var what = kind == SessionKind.Webinar ? "webinar" : "session";
        var restricted = user.RestrictedOrganisation();
        if (await sessions.GetAsync(user.TenantId(), kind, id, ct) is not { } session
            || (restricted is not null && !session.Participants.Any(p => p.OrganisationId == restricted)))
            return PeopleEndpoints.NotFound($"No such {what}", $"There is no {what} '{id}' that this credential may see.");
        return TypedResults.Ok(View(session, restricted, withParticipants: true));
    }

    internal static async Task<Results<Ok<SessionList>, ProblemHttpResult>> ListAsync(SessionKind kind, string path, SessionListQuery query, ClaimsPrincipal user,
        ISessionStore sessions, CancellationToken ct)
    {
        var limit = query.Limit ?? DefaultLimit;
        if (limit is < 1 or > MaxLimit) return BadQuery("Invalid limit", $"limit is between 1 and {MaxLimit}.");
        DateTimeOffset? from = null, to = null;
        if (query.From is { } fromText)
        {
            if (!XapiTimestamp.TryParse(fromText, XapiVersion.V200, out var f)) return BadQuery("Invalid from", $"from '{fromText}' is not an RFC 3339 date and time with an offset.");
            from = f;
        }
        if (query.To is { } toText)
        {
            if (!XapiTimestamp.TryParse(toText, XapiVersion.V200, out var t)) return BadQuery("Invalid to", $"to '{toText}' is not an RFC 3339 date and time with an offset.");
            to = t;
        }
        (DateTimeOffset, string)? after = null;
        if (query.Cursor is { } afterText)
        {
            var dot = afterText.IndexOf('.', StringComparison.Ordinal);
            if (dot < 1 || !long.TryParse(afterText.AsSpan(0, dot), NumberStyles.None, CultureInfo.InvariantCulture, out var micros) || micros > 253_402_300_799_000_000)
                return BadQuery("Invalid cursor", "cursor is the cursor of a previous page (its more link).");
            after = (DateTimeOffset.UnixEpoch.AddTicks(micros * 10), afterText[(dot + 1)..]);
        }
        var page = await sessions.ListAsync(user.TenantId(), new SessionQuery(kind, from, to, query.Activity, user.RestrictedOrganisation(), after, limit), ct);
        string? more = null;
        if (page.HasMore)
        {
            var last = page.Sessions[^1];
            var cursor = ((last.Start.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / 10).ToString(CultureInfo.InvariantCulture) + "." + last.Id;
            var parameters = new[] { ("from", query.From), ("to", query.To), ("activity", query.Activity), ("limit", limit.ToString(CultureInfo.InvariantCulture)), ("cursor", cursor) };
            more = path + "?" + string.Join('&', parameters.Where(p => p.Item2 is not null).Select(p => $"{p.Item1}={Uri.EscapeDataString(p.Item2!)}"));
        }
        return TypedResults.Ok(new SessionList([.. page.Sessions.Select(s => View(s, null, withParticipants: false))], more));
    }

    private static ProblemHttpResult BadQuery(string title, string detail) =>
        TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: title, detail: detail);

    internal static SessionView View(SessionRecord s, string? organisation, bool withParticipants) => new(
        s.Id, s.Registration, s.Start, s.End, s.Definition, s.Updated,
        withParticipants
            ? [.. s.Participants.Where(p => organisation is null || p.OrganisationId == organisation)
                .Select(p => new ParticipantView(p.PersonId, p.Agent, p.Outcome, p.Detail, p.StatementIds, p.VoidedIds))]
            : null);
}
