using System.Globalization;
using System.Security.Claims;
using Lrs.Api.Admin;
using Lrs.Api.Auth;
using Lrs.Api.People;
using Lrs.Core.Storage;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace Lrs.Api.Events;

/// <summary>
/// Webhook subscriptions of the caller's tenant (scope <c>admin</c>): where events are POSTed, which types, and optionally
/// only those about one employer's people. A credential restricted to an organisation manages only subscriptions
/// restricted to it.
/// </summary>
public static class WebhooksEndpoints
{
    private const int MaxUrlLength = 2000;

    public static IEndpointRouteBuilder MapWebhooks(this IEndpointRouteBuilder routes)
    {
        var webhooks = routes.MapGroup("/api/admin/webhooks")
            .WithTags("Admin")
            .RequireAuthorization()
            .AddEndpointFilter(AdminEndpoints.RequireAdminScope)
            .ProducesProblem(StatusCodes.Status403Forbidden);

        webhooks.MapPost("", CreateWebhook)
            .Accepts<NewWebhookInput>("application/json")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .WithName("CreateWebhook")
            .WithSummary("Subscribes a URL to events")
            .WithDescription("Events written from now on are POSTed to `url` (http or https) following Standard Webhooks: headers `webhook-id` (the event id), " +
                "`webhook-timestamp` (Unix seconds) and `webhook-signature` (`v1,` + base64 HMAC-SHA256 over `{webhook-id}.{webhook-timestamp}.{body}`, keyed with the secret's bytes). " +
                "`types` limits the event types (left out: every type). `organisation` limits the events to those about that employer's people. " +
                "`secret` is `whsec_` + base64 of 24 to 64 random bytes; left out, one is generated. The secret is in this answer only, never shown again. " +
                "`state` `paused` creates it paused (for a receiver not yet up): events from now on wait until it is resumed. " +
                "Delivery is at least once and in order per subscription: a 2xx answer delivers an event; anything else is tried again after a wait that doubles " +
                "(from `Lrs:Events:RetryBaseSeconds`, at most `Lrs:Events:RetryMaxSeconds`), and after a day of failures (`Lrs:Events:PauseAfterHours`) the subscription is paused. " +
                "A credential restricted to an organisation creates only subscriptions restricted to it (inherited when left out; another is 403); one bound to an actor or a registration is 403.");
        webhooks.MapGet("", ListWebhooks)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .WithName("ListWebhooks")
            .WithSummary("The webhook subscriptions of the caller's tenant")
            .WithDescription("Ordered by id, with state (`active` or `paused`), last delivery, last error and when the next attempt is due; never the secret. " +
                "`limit` is 1 to 1000 (default 100); follow `more`. A credential restricted to an organisation sees only subscriptions restricted to it.");
        webhooks.MapGet("/{id:guid}", GetWebhook)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .WithName("GetWebhook")
            .WithSummary("One webhook subscription")
            .WithDescription("Its state, last delivery and last error; never the secret. Another tenant's, or for a restricted credential one not restricted to its organisation, is 404.");
        webhooks.MapDelete("/{id:guid}", DeleteWebhook)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .WithName("DeleteWebhook")
            .WithSummary("Deletes a webhook subscription")
            .WithDescription("No event is delivered to it afterwards (one in flight may still arrive).");
        webhooks.MapPost("/{id:guid}/resume", ResumeWebhook)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .WithName("ResumeWebhook")
            .WithSummary("Resumes a paused webhook subscription")
            .WithDescription("Forgets its failures and delivers at once, starting with the event it stopped at: nothing is lost while paused.");
        webhooks.MapPost("/{id:guid}/pause", PauseWebhook)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .WithName("PauseWebhook")
            .WithSummary("Pauses a webhook subscription")
            .WithDescription("Nothing is delivered to it until it is resumed; events wait.");
        return routes;
    }

    /// <summary>A subscription to create.</summary>
    /// <param name="Url">Where events are POSTed (http or https).</param>
    /// <param name="Types">Event types to deliver; left out or empty: every type.</param>
    /// <param name="Organisation">Only events about this employer's people.</param>
    /// <param name="Secret">The signing secret, <c>whsec_</c> + base64; left out: generated.</param>
    /// <param name="State"><c>active</c> (left out) or <c>paused</c>: created paused, nothing is delivered until it is resumed.</param>
    public sealed record NewWebhookInput(string? Url, IReadOnlyList<string?>? Types = null, string? Organisation = null, string? Secret = null, string? State = null);

    /// <summary>A subscription as an admin sees it: never its secret.</summary>
    public sealed record WebhookView(Guid Id, string Url, IReadOnlyList<string> Types, string? Organisation, string State, DateTimeOffset Created,
        DateTimeOffset? LastDelivery, string? LastError, DateTimeOffset? LastErrorAt, DateTimeOffset? FailingSince, DateTimeOffset? NextAttempt);

    /// <summary>A subscription just created, with its secret: shown this once.</summary>
    public sealed record CreatedWebhook(Guid Id, string Url, IReadOnlyList<string> Types, string? Organisation, string State, DateTimeOffset Created, string Secret);

    /// <summary>A page of subscriptions; <c>more</c> fetches the next.</summary>
    public sealed record WebhookList(IReadOnlyList<WebhookView> Webhooks, string? More);

    /// <summary>Query parameters of the subscription list.</summary>
    public sealed record WebhookListQuery([FromQuery(Name = "cursor")] Guid? Cursor, [FromQuery(Name = "limit")] int? Limit);

    public static async Task<Results<Created<CreatedWebhook>, ProblemHttpResult>> CreateWebhook(
        HttpRequest request, ClaimsPrincipal user, IEventStore store, IPeopleStore people, TimeProvider time, CancellationToken ct)
    {
        if (!BoundAccess.Of(user).IsNone)
            return Problem(StatusCodes.Status403Forbidden, "Bound credential", "A credential bound to an actor or a registration does not subscribe to events.");
        var (body, unreadable) = await PeopleEndpoints.ReadJsonAsync<NewWebhookInput>(request, ct);
        if (body is null) return unreadable!;
        if (string.IsNullOrWhiteSpace(body.Url) || body.Url.Length > MaxUrlLength || !Uri.TryCreate(body.Url, UriKind.Absolute, out var url)
            || url.Scheme is not ("http" or "https") || !string.IsNullOrEmpty(url.UserInfo))
            return Problem(StatusCodes.Status400BadRequest, "Invalid url", $"url is an absolute http or https URL without user information, at most {MaxUrlLength} characters.");
        var types = new List<string>();
        foreach (var type in body.Types ?? [])
        {
            if (type is null || !EventTypes.All.Contains(type))
                return Problem(StatusCodes.Status400BadRequest, "Invalid type", $"'{type}' is not an event type; known: {string.Join(", ", EventTypes.All)}.");
            if (!types.Contains(type)) types.Add(type);
        }
        var organisation = string.IsNullOrEmpty(body.Organisation) ? null : body.Organisation;
        if (user.RestrictedOrganisation() is { } restricted)
        {
            if (organisation is not null && organisation != restricted)
                return Problem(StatusCodes.Status403Forbidden, "Wider than the caller", $"This credential is restricted to organisation '{restricted}'; its subscriptions are restricted to it too.");
            organisation = restricted;
        }
        else if (organisation is not null && (await people.OrganisationsAsync(user.TenantId(), organisation, ct)).Count == 0)
            return Problem(StatusCodes.Status400BadRequest, "Unknown organisation", $"This tenant has no organisation '{organisation}'.");
        var secret = body.Secret ?? WebhookSignature.NewSecret();
        if (WebhookSignature.Check(secret) is { } invalid) return Problem(StatusCodes.Status400BadRequest, "Invalid secret", invalid);
        var state = body.State ?? WebhookStates.Active;
        if (state is not (WebhookStates.Active or WebhookStates.Paused))
            return Problem(StatusCodes.Status400BadRequest, "Invalid state", $"state is '{WebhookStates.Active}' or '{WebhookStates.Paused}'.");

        var created = await store.AddWebhookAsync(user.TenantId(), new NewWebhook(Guid.NewGuid(), url.AbsoluteUri, types, organisation, secret, time.GetUtcNow(), state), ct);
        return TypedResults.Created($"/api/admin/webhooks/{created.Id}",
            new CreatedWebhook(created.Id, created.Url, created.Types, created.OrganisationId, created.State, created.Created, secret));
    }

    public static async Task<Results<Ok<WebhookList>, ProblemHttpResult>> ListWebhooks([AsParameters] WebhookListQuery query, ClaimsPrincipal user, IEventStore store, CancellationToken ct)
    {
        var limit = query.Limit ?? PeopleEndpoints.DefaultLimit;
        if (limit is < 1 or > PeopleEndpoints.MaxLimit) return Problem(StatusCodes.Status400BadRequest, "Invalid limit", $"limit is between 1 and {PeopleEndpoints.MaxLimit}.");
        if (!BoundAccess.Of(user).IsNone) return TypedResults.Ok(new WebhookList([], null));
        var page = await store.ListWebhooksAsync(user.TenantId(), user.RestrictedOrganisation(), query.Cursor, limit, ct);
        var more = page.Count == limit ? $"/api/admin/webhooks?cursor={page[^1].Id}&limit={limit.ToString(CultureInfo.InvariantCulture)}" : null;
        return TypedResults.Ok(new WebhookList([.. page.Select(View)], more));
    }

    public static async Task<Results<Ok<WebhookView>, ProblemHttpResult>> GetWebhook(Guid id, ClaimsPrincipal user, IEventStore store, CancellationToken ct) =>
        await VisibleAsync(id, user, store, ct) is { } webhook ? TypedResults.Ok(View(webhook)) : NoSuchWebhook(id);

    public static async Task<Results<NoContent, ProblemHttpResult>> DeleteWebhook(Guid id, ClaimsPrincipal user, IEventStore store, CancellationToken ct) =>
        await VisibleAsync(id, user, store, ct) is not null && await store.DeleteWebhookAsync(user.TenantId(), id, ct) ? TypedResults.NoContent() : NoSuchWebhook(id);

    public static Task<Results<Ok<WebhookView>, ProblemHttpResult>> ResumeWebhook(Guid id, ClaimsPrincipal user, IEventStore store, CancellationToken ct) =>
        SetStateAsync(id, WebhookStates.Active, user, store, ct);

    public static Task<Results<Ok<WebhookView>, ProblemHttpResult>> PauseWebhook(Guid id, ClaimsPrincipal user, IEventStore store, CancellationToken ct) =>
        SetStateAsync(id, WebhookStates.Paused, user, store, ct);

    private static async Task<Results<Ok<WebhookView>, ProblemHttpResult>> SetStateAsync(Guid id, string state, ClaimsPrincipal user, IEventStore store, CancellationToken ct)
    {
        if (await VisibleAsync(id, user, store, ct) is null || !await store.SetWebhookStateAsync(user.TenantId(), id, state, ct)) return NoSuchWebhook(id);
        return await store.GetWebhookAsync(user.TenantId(), id, ct) is { } webhook ? TypedResults.Ok(View(webhook)) : NoSuchWebhook(id);
    }

    // Another tenant's subscription, and for a restricted caller one not restricted to its organisation, is not there.
    private static async Task<WebhookSubscription?> VisibleAsync(Guid id, ClaimsPrincipal user, IEventStore store, CancellationToken ct)
    {
        if (!BoundAccess.Of(user).IsNone) return null;
        var webhook = await store.GetWebhookAsync(user.TenantId(), id, ct);
        return webhook is not null && (user.RestrictedOrganisation() is not { } restricted || webhook.OrganisationId == restricted) ? webhook : null;
    }

    private static WebhookView View(WebhookSubscription w) =>
        new(w.Id, w.Url, w.Types, w.OrganisationId, w.State, w.Created, w.LastDelivery, w.LastError, w.LastErrorAt, w.FailingSince, w.NextAttempt);

    private static ProblemHttpResult NoSuchWebhook(Guid id) =>
        Problem(StatusCodes.Status404NotFound, "No such webhook", $"This tenant has no webhook subscription {id} that this credential may see.");

    private static ProblemHttpResult Problem(int status, string title, string detail) => TypedResults.Problem(statusCode: status, title: title, detail: detail);
}
