using System.Globalization;
using System.Security.Claims;
using System.Text.Json.Nodes;
using Lrs.Api.Auth;
using Lrs.Api.People;
using Lrs.Core.Storage;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace Lrs.Api.Events;

/// <summary>
/// The events other systems follow, pulled: the same events webhooks deliver, in the same order, for those who cannot
/// receive HTTP calls. A caller sees the event types its scopes cover, and under an organisation only its employer's.
/// </summary>
public static class EventsEndpoints
{
    public static IEndpointRouteBuilder MapEvents(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/api/events", ListEvents)
            .WithTags("Events")
            .RequireAuthorization()
            .RequireScope(Scopes.Admin, Scopes.ProfilesRead, Scopes.ReflectionsRead)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .WithName("ListEvents")
            .WithSummary("Events in the order they happened, paged")
            .WithDescription("The outbox of the tenant: `competence.status-changed` (also the changes time alone causes: valid → expiring → expired), " +
                "`reflection-task.created`, `.answered`, `.overdue`, `.cancelled`, and `person.changed`. Events carry ids and what changed, never names or answer text. " +
                "Start without `cursor` (every event kept) and keep the `cursor` of each answer: it is the position after the last event returned, so asking again with it " +
                "returns only newer events, in order, none skipped. `more` links the next page while a page is full. `pending` is true when newer events are committed " +
                "but still wait for an older transaction on the database server to end (PostgreSQL orders the outbox by transaction): ask again with `cursor` shortly. Filters: `type` (comma-separated event types), " +
                "`organisation` (events about that employer's people). `limit` is 1 to 1000 (default 100). " +
                "Scopes: `admin` sees every type; `profiles:read` the competence and person events; `reflections:read` the reflection-task events. " +
                "A credential restricted to an organisation sees only events about its employer's people; one bound to an actor or registration is 403. " +
                "Events are kept for 30 days (the LRS's `Lrs:Events:Retention`, an ISO 8601 duration), and longer while a webhook subscription of the tenant still has them to deliver.");
        return routes;
    }

    /// <summary>An event as delivered to webhooks and listed here.</summary>
    /// <param name="Id">The event's id, the same in every delivery (<c>webhook-id</c>).</param>
    /// <param name="Type">The event type.</param>
    /// <param name="Timestamp">When the change happened.</param>
    /// <param name="Data">What changed: ids and statuses, never names or answer text.</param>
    public sealed record EventView(Guid Id, string Type, DateTimeOffset Timestamp, JsonObject Data);

    /// <summary>A page of events: <c>cursor</c> to ask again later for newer ones, <c>more</c> for the next page while pages are full.</summary>
    /// <param name="Events">The events after the cursor asked with, in order.</param>
    /// <param name="Cursor">The position after the last event returned: ask again with it for newer events.</param>
    /// <param name="More">The next page, while this one is full.</param>
    /// <param name="Pending">True when newer events are already committed but wait for an older transaction on the database server to end (PostgreSQL); ask again with <c>cursor</c> shortly. They are never skipped: they follow this page in order.</param>
    public sealed record EventPage(IReadOnlyList<EventView> Events, string Cursor, string? More, bool Pending);

    /// <summary>Query parameters of the event list.</summary>
    public sealed record EventListQuery(
        [FromQuery(Name = "cursor")] string? Cursor, [FromQuery(Name = "type")] string? Type, [FromQuery(Name = "organisation")] string? Organisation,
        [FromQuery(Name = "limit")] int? Limit);

    public static async Task<Results<Ok<EventPage>, ProblemHttpResult>> ListEvents([AsParameters] EventListQuery query, ClaimsPrincipal user, IEventStore store, CancellationToken ct)
    {
        if (!BoundAccess.Of(user).IsNone)
            return Problem(StatusCodes.Status403Forbidden, "Bound credential", "Events are about many people; a credential bound to an actor or a registration does not read them.");
        var limit = query.Limit ?? PeopleEndpoints.DefaultLimit;
        if (limit is < 1 or > PeopleEndpoints.MaxLimit) return Problem(StatusCodes.Status400BadRequest, "Invalid limit", $"limit is between 1 and {PeopleEndpoints.MaxLimit}.");
        if (ParseCursor(query.Cursor) is not { } after)
            return Problem(StatusCodes.Status400BadRequest, "Invalid cursor", "cursor is the `cursor` of an earlier answer of GET /api/events.");
        var visible = VisibleTypes(user);
        var types = visible;
        if (!string.IsNullOrEmpty(query.Type))
        {
            var asked = query.Type.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Distinct(StringComparer.Ordinal).ToList();
            if (asked.FirstOrDefault(t => !EventTypes.All.Contains(t)) is { } unknown)
                return Problem(StatusCodes.Status400BadRequest, "Invalid type", $"'{unknown}' is not an event type; known: {string.Join(", ", EventTypes.All)}.");
            if (asked.FirstOrDefault(t => !visible.Contains(t)) is { } hidden)
                return Problem(StatusCodes.Status403Forbidden, "Missing scope", $"This credential's scopes do not cover events of type '{hidden}'.");
            types = asked;
        }
        var organisation = query.Organisation;
        if (user.RestrictedOrganisation() is { } restricted)
        {
            // Another employer's events are simply not there for this caller.
            if (organisation is not null && organisation != restricted) return TypedResults.Ok(new EventPage([], Cursor(after), null, false));
            organisation = restricted;
        }

        var (events, pending) = await store.ListAsync(user.TenantId(), new EventQuery(after, types, organisation, limit), ct);
        var next = events.Count > 0 ? events[^1].Position : after;
        string? more = null;
        if (events.Count == limit)
        {
            var parameters = new[] { ("cursor", Cursor(next)), ("type", query.Type), ("organisation", query.Organisation), ("limit", limit.ToString(CultureInfo.InvariantCulture)) };
            more = "/api/events?" + string.Join('&', parameters.Where(p => p.Item2 is not null).Select(p => $"{p.Item1}={Uri.EscapeDataString(p.Item2!)}"));
        }
        return TypedResults.Ok(new EventPage([.. events.Select(View)], Cursor(next), more, pending));
    }

    /// <summary>An event as the API shows it.</summary>
    public static EventView View(LrsEvent e) => new(e.Id, e.Type, e.Occurred, JsonNode.Parse(e.DataJson)!.AsObject());

    // The event types the caller's scopes cover.
    private static List<string> VisibleTypes(ClaimsPrincipal user)
    {
        if (user.Has(Scopes.Admin)) return [.. EventTypes.All];
        var types = new List<string>();
        if (user.Has(Scopes.ProfilesRead)) types.AddRange([EventTypes.CompetenceStatusChanged, EventTypes.PersonChanged]);
        if (user.Has(Scopes.ReflectionsRead))
            types.AddRange([EventTypes.ReflectionTaskCreated, EventTypes.ReflectionTaskAnswered, EventTypes.ReflectionTaskOverdue, EventTypes.ReflectionTaskCancelled]);
        return types;
    }

    // A position as a cursor: "{transaction}-{sequence}".
    private static string Cursor(EventPosition position) =>
        string.Create(CultureInfo.InvariantCulture, $"{position.Transaction}-{position.Sequence}");

    private static EventPosition? ParseCursor(string? cursor)
    {
        if (string.IsNullOrEmpty(cursor)) return EventPosition.Start;
        var parts = cursor.Split('-');
        return parts.Length == 2 && long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var transaction)
            && long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var sequence)
            ? new EventPosition(transaction, sequence) : null;
    }

    private static ProblemHttpResult Problem(int status, string title, string detail) => TypedResults.Problem(statusCode: status, title: title, detail: detail);
}
