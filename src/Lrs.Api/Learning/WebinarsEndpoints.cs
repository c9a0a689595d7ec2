using System.Security.Claims;
using Lrs.Api.Auth;
using Lrs.Api.People;
using Lrs.Api.Xapi;
using Lrs.Core.Learning;
using Lrs.Core.Storage;
using Lrs.Core.Xapi;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using static Lrs.Api.Learning.SessionsEndpoints;

namespace Lrs.Api.Learning;

/// <summary>
/// Webinars: the client defines the webinar, then sends the platform's attendance report as CSV; the LRS writes
/// <c>attended</c> for those who were there long enough and <c>joined</c> (with the time they were there) for the rest.
/// </summary>
public static class WebinarsEndpoints
{
    /// <summary>The media types an attendance report may be sent as.</summary>
    private static readonly string[] ReportTypes = ["text/csv", "application/csv", "text/plain", "text/tab-separated-values"];

    public static IEndpointRouteBuilder MapWebinars(this IEndpointRouteBuilder routes)
    {
        var webinars = routes.MapGroup("/api/webinars")
            .WithTags("Sessions and webinars")
            .RequireAuthorization()
            .ProducesProblem(StatusCodes.Status403Forbidden);

        webinars.MapPut("/{id}", PutWebinar)
            .WithName("PutWebinar")
            .WithSummary("Defines a webinar")
            .WithDescription("The webinar (the client's id) with its activity (type `http://id.tincanapi.com/activitytype/webinar`), start, end, " +
                "presenters (`personId` or `agent`; `context.instructor`, and `contextAgents` under xAPI 2.0) and `minimumShare`, the share of " +
                "its length a participant must be present to count as attended (default `Lrs:Webinars:MinimumAttendedShare`, 0.75). Changing " +
                "a webinar whose attendance was imported judges that attendance again and replaces only the statements that change. 201 when " +
                "new. Scope `statements/write`.")
            .Accepts<WebinarBody>("application/json")
            .Produces<SessionWriteView>(StatusCodes.Status200OK)
            .Produces<SessionWriteView>(StatusCodes.Status201Created)
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status409Conflict)
            .RequireScope(Scopes.StatementsWrite);
        webinars.MapPut("/{id}/attendance", PutAttendance)
            .WithName("PutWebinarAttendance")
            .WithSummary("Imports a webinar's attendance report (CSV)")
            .WithDescription("The platform's attendance report as `text/csv` (comma, semicolon or tab separated; UTF-8, or UTF-16 with a byte " +
                "order mark). Recognised headers: Zoom (`Name (Original Name)`, `User Email`, `Join Time`, `Leave Time`, `Duration (Minutes)`), " +
                "Teams (`Full Name`, `Email` or `Participant ID (UPN)`, `Join Time`, `Leave Time`, `Duration`) and " +
                "`name,email,employeeId,joinTime,leaveTime,durationMinutes`; lines before the header (a summary) are skipped and the table ends " +
                "at the first empty line. Times without an offset are taken at the webinar's offset. Rows are matched to people by employee id " +
                "or by an e-mail address that is one of their `mbox` agents; the rows of one person are summed (rejoins). Summed time of at " +
                "least `minimumShare` of the webinar's length is `http://adlnet.gov/expapi/verbs/attended`, less is `http://activitystrea.ms/join`, " +
                "both with `result.duration`. Rows that match no person get no statement and are listed in `unknown` with their lines: import " +
                "the file again once they are known. All or nothing: a bad row is a 400 listing every bad row; so is a report in another encoding " +
                "(Latin-1, say: 400 with the line of the first bad byte), a field over 1,000 characters, and a header without rows (taken for a failed " +
                "export rather than a webinar no one attended, so it does not remove everyone's attendance). The report replaces the " +
                "previous one: the same file again changes nothing, a corrected file voids and replaces only the changed people's statements. " +
                "Scope `statements/write`.")
            .Accepts<string>("text/csv")
            .Produces<AttendanceView>(StatusCodes.Status200OK)
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .RequireScope(Scopes.StatementsWrite);
        webinars.MapGet("/{id}", GetWebinar)
            .WithName("GetWebinar")
            .WithSummary("One webinar with its participants and their statement ids")
            .WithDescription("The webinar as defined, its registration, and each matched participant with outcome (`attended`, `joined`, or " +
                "`removed` when a later report left them out), their summed `seconds`, first `joined` time and report `rows`, and the ids " +
                "of their current and voided statements. An organisation-restricted credential sees only its own organisation's participants " +
                "(and 404 when there are none). Scope `statements/read` or `profiles:read`.")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .RequireScope(Scopes.StatementsRead, Scopes.ProfilesRead);
        webinars.MapGet("", ListWebinars)
            .WithName("ListWebinars")
            .WithSummary("Webinars, filtered and paged")
            .WithDescription("Webinars ordered by start, without participants; filters and paging as for sessions (`from`, `to`, `activity`, " +
                "`limit`, `more`). Scope `statements/read` or `profiles:read`.")
            .RequireScope(Scopes.StatementsRead, Scopes.ProfilesRead);
        return routes;
    }

    /// <summary>The body of PUT /api/webinars/{id} (documentation only; read as JSON).</summary>
    /// <param name="Activity">id (IRI), name (by language, e.g. sv and en).</param>
    /// <param name="Start">When it began (RFC 3339).</param>
    /// <param name="End">When it ended (RFC 3339).</param>
    /// <param name="Presenters">Each <c>{personId}</c> or <c>{agent}</c>.</param>
    /// <param name="MinimumShare">Share of the length that counts as attended, above 0 and at most 1.</param>
    /// <param name="XapiVersion">1.0.3 or 2.0.0 (default).</param>
    public sealed record WebinarBody(System.Text.Json.Nodes.JsonObject Activity, DateTimeOffset Start, DateTimeOffset End,
        IReadOnlyList<System.Text.Json.Nodes.JsonObject>? Presenters, double? MinimumShare, string? XapiVersion);

    /// <summary>What an attendance import did.</summary>
    /// <param name="Changes">Participants added, changed, removed and unchanged; statements written and voided.</param>
    /// <param name="Attended">Participants counted as attended.</param>
    /// <param name="Joined">Participants counted as joined (present for less than the minimum share).</param>
    /// <param name="Unknown">Rows that match no person: no statement was written for them.</param>
    /// <param name="Webinar">The webinar with its participants.</param>
    public sealed record AttendanceView(SessionChanges Changes, int Attended, int Joined, IReadOnlyList<UnknownParticipant> Unknown, SessionView Webinar);

    public static async Task<Results<Created<SessionWriteView>, Ok<SessionWriteView>, ValidationProblem, ProblemHttpResult>> PutWebinar(
        string id, HttpRequest request, ClaimsPrincipal user, StatementWriter statements, IPeopleStore people, ISessionStore sessions,
        IOptions<LrsOptions> options, CancellationToken ct)
    {
        if (Refused(id, user) is { } refused) return refused;
        var (body, unreadable) = await PeopleEndpoints.ReadJsonAsync(request, ct);
        if (unreadable is not null) return unreadable;
        var (input, errors) = SessionInputReader.ReadWebinar(body);
        if (input is null) return PeopleEndpoints.Invalid("Invalid webinar", errors);
        var write = await SessionWriter.WriteWebinarAsync(new SessionStores(statements, people, sessions), Caller(user), id, input,
            options.Value.Webinars.MinimumAttendedShare, ct);
        return Answer(write, "webinar", $"/api/webinars/{Uri.EscapeDataString(id)}");
    }

    public static async Task<Results<Ok<AttendanceView>, ValidationProblem, ProblemHttpResult>> PutAttendance(
        string id, HttpRequest request, ClaimsPrincipal user, StatementWriter statements, IPeopleStore people, ISessionStore sessions,
        IOptions<LrsOptions> options, CancellationToken ct)
    {
        if (Refused(id, user) is { } refused) return refused;
        var mediaType = request.ContentType?.Split(';')[0].Trim();
        if (mediaType is null || !ReportTypes.Contains(mediaType, StringComparer.OrdinalIgnoreCase))
            return TypedResults.Problem(statusCode: StatusCodes.Status415UnsupportedMediaType, title: "Not CSV",
                detail: "Send the attendance report as text/csv.");
        // The reader needs the whole report before anything is stored anyway (all or nothing), and the body limit bounds it.
        var report = new MemoryStream();
        await request.Body.CopyToAsync(report, ct);
        report.Position = 0;
        var write = await SessionWriter.ImportAttendanceAsync(new SessionStores(statements, people, sessions), Caller(user), id, report,
            options.Value.Webinars.MinimumAttendedShare, ct);
        if (write.Refusal is not null)
            return Answer(write, "webinar", "").Result switch
            {
                ValidationProblem invalid => invalid,
                ProblemHttpResult problem => problem,
                _ => throw new InvalidOperationException("A refusal is a problem."),
            };
        var participants = write.Session!.Participants;
        return TypedResults.Ok(new AttendanceView(write.Changes!, participants.Count(p => p.Outcome == "attended"), participants.Count(p => p.Outcome == "joined"),
            write.Unknown ?? [], View(write.Session, null, withParticipants: true)));
    }

    public static async Task<Results<Ok<SessionView>, ProblemHttpResult>> GetWebinar(string id, ClaimsPrincipal user, ISessionStore sessions, CancellationToken ct) =>
        await GetAsync(SessionKind.Webinar, id, user, sessions, ct);

    /// <summary>A page of webinars.</summary>
    public sealed record WebinarList(IReadOnlyList<SessionView> Webinars, string? More);

    public static async Task<Results<Ok<WebinarList>, ProblemHttpResult>> ListWebinars([AsParameters] SessionListQuery query, ClaimsPrincipal user, ISessionStore sessions, CancellationToken ct) =>
        (await ListAsync(SessionKind.Webinar, "/api/webinars", query, user, sessions, ct)).Result switch
        {
            Ok<SessionList> { Value: { } page } => TypedResults.Ok(new WebinarList(page.Sessions, page.More)),
            var other => (ProblemHttpResult)other,
        };
}
