namespace Lrs.Core.Storage;

/// <summary>The types of the events the LRS announces to other systems.</summary>
public static class EventTypes
{
    /// <summary>A person's status on a competence changed: by evidence gained, signed off or voided, or by time alone.</summary>
    public const string CompetenceStatusChanged = "competence.status-changed";
    /// <summary>A statement triggered a reflection task.</summary>
    public const string ReflectionTaskCreated = "reflection-task.created";
    /// <summary>A task got an answer, or was discussed at a group reflection.</summary>
    public const string ReflectionTaskAnswered = "reflection-task.answered";
    /// <summary>An open task passed its due time.</summary>
    public const string ReflectionTaskOverdue = "reflection-task.overdue";
    /// <summary>An open task was cancelled: the statement that triggered it was voided.</summary>
    public const string ReflectionTaskCancelled = "reflection-task.cancelled";
    /// <summary>A person was created or changed by an upsert (organisation, details, units, roles or agents).</summary>
    public const string PersonChanged = "person.changed";

    /// <summary>Every type, in the order the documentation lists them.</summary>
    public static readonly IReadOnlyList<string> All =
    [
        CompetenceStatusChanged, ReflectionTaskCreated, ReflectionTaskAnswered, ReflectionTaskOverdue, ReflectionTaskCancelled, PersonChanged,
    ];
}

/// <summary>
/// Where an event stands in its tenant's order: the writing transaction (0 on SQLite, whose single writer commits in
/// sequence order), then the sequence. Events are read in this order, and never before every event that precedes them.
/// </summary>
public readonly record struct EventPosition(long Transaction, long Sequence) : IComparable<EventPosition>
{
    /// <summary>Before every event.</summary>
    public static EventPosition Start => default;

    /// <inheritdoc />
    public int CompareTo(EventPosition other) =>
        Transaction != other.Transaction ? Transaction.CompareTo(other.Transaction) : Sequence.CompareTo(other.Sequence);
}

/// <summary>An event as stored: ids and what changed, never names or answer text.</summary>
/// <param name="Id">Its id: the same in every delivery and in the pull API (the <c>webhook-id</c> header).</param>
/// <param name="Type">One of <see cref="EventTypes"/>.</param>
/// <param name="Occurred">When the change happened (the stored time of the statements that caused it).</param>
/// <param name="OrganisationId">The employer of the person it is about; null when it is about no known person.</param>
/// <param name="PersonId">The person it is about, if any.</param>
/// <param name="DataJson">What changed, as a JSON object.</param>
/// <param name="Position">Its place in the tenant's order.</param>
public sealed record LrsEvent(Guid Id, string Type, DateTimeOffset Occurred, string? OrganisationId, string? PersonId, string DataJson, EventPosition Position);

/// <summary>A page of events after a position.</summary>
/// <param name="After">Events after this position.</param>
/// <param name="Types">Only these types (empty: every type).</param>
/// <param name="OrganisationId">Only events about this employer's people.</param>
/// <param name="Limit">At most this many.</param>
public sealed record EventQuery(EventPosition After, IReadOnlyCollection<string> Types, string? OrganisationId, int Limit);

/// <summary>Events in order, and whether more are committed that wait for an older transaction to end before they can be read.</summary>
/// <param name="Events">The events, in order.</param>
/// <param name="Pending">Newer events are committed but not yet readable (PostgreSQL: an older transaction on the server has not ended).</param>
public sealed record EventListing(IReadOnlyList<LrsEvent> Events, bool Pending);

/// <summary>The states of a webhook subscription.</summary>
public static class WebhookStates
{
    /// <summary>Delivered to.</summary>
    public const string Active = "active";
    /// <summary>Not delivered to (after a day of failures, or by an admin); events wait, and are delivered once resumed.</summary>
    public const string Paused = "paused";
}

/// <summary>A webhook subscription as an admin sees it: never its secret.</summary>
/// <param name="Id">Its id.</param>
/// <param name="Url">Where events are POSTed.</param>
/// <param name="Types">The event types delivered (empty: every type).</param>
/// <param name="OrganisationId">Only events about this employer's people; null for every event of the tenant.</param>
/// <param name="State">One of <see cref="WebhookStates"/>.</param>
/// <param name="Created">When it was created.</param>
/// <param name="LastDelivery">When an event was last delivered.</param>
/// <param name="LastError">Why the last delivery failed; null since a delivery succeeded.</param>
/// <param name="LastErrorAt">When it failed.</param>
/// <param name="FailingSince">The first failure since the last success; null when deliveries succeed.</param>
/// <param name="NextAttempt">When delivery is tried again after a failure.</param>
public sealed record WebhookSubscription(Guid Id, string Url, IReadOnlyList<string> Types, string? OrganisationId, string State, DateTimeOffset Created,
    DateTimeOffset? LastDelivery, string? LastError, DateTimeOffset? LastErrorAt, DateTimeOffset? FailingSince, DateTimeOffset? NextAttempt);

/// <summary>A subscription to create; it receives the events written after its creation.</summary>
public sealed record NewWebhook(Guid Id, string Url, IReadOnlyList<string> Types, string? OrganisationId, string Secret, DateTimeOffset Created, string State = WebhookStates.Active);

/// <summary>A subscription a node has claimed for delivery (its lease), with what delivering needs.</summary>
public sealed record ClaimedWebhook(long TenantId, Guid Id, string Url, IReadOnlyList<string> Types, string? OrganisationId, string Secret,
    EventPosition After, int Attempts, DateTimeOffset? FailingSince);

/// <summary>What the scheduled pass found that only time changed.</summary>
/// <param name="StatusChanges">Competence statuses that changed (valid → expiring → expired, pending sign-off lapsing).</param>
/// <param name="Overdue">Open tasks that passed their due time.</param>
public sealed record TimePassOutcome(int StatusChanges, int Overdue);

/// <summary>
/// The outbox and webhook subscriptions. Events are written by the other stores, in the transactions of the changes they
/// announce; this store reads them, announces what time alone changes, and keeps the subscriptions and their delivery.
/// </summary>
public interface IEventStore
{
    /// <summary>Events of the tenant after <see cref="EventQuery.After"/> in order, at most <see cref="EventQuery.Limit"/>.</summary>
    Task<EventListing> ListAsync(long tenantId, EventQuery query, CancellationToken ct);

    /// <summary>
    /// Announces what time alone changed up to <paramref name="now"/> in every tenant: competence statuses (each person
    /// and competence at the time the last announced status said it might change) and tasks that became overdue.
    /// </summary>
    Task<TimePassOutcome> AnnounceTimeChangesAsync(DateTimeOffset now, CancellationToken ct);

    /// <summary>Creates a subscription that starts after the newest event committed now.</summary>
    Task<WebhookSubscription> AddWebhookAsync(long tenantId, NewWebhook webhook, CancellationToken ct);

    /// <summary>One subscription, or null.</summary>
    Task<WebhookSubscription?> GetWebhookAsync(long tenantId, Guid id, CancellationToken ct);

    /// <summary>Subscriptions ordered by id after <paramref name="after"/>; with <paramref name="organisationId"/> only those restricted to it.</summary>
    Task<IReadOnlyList<WebhookSubscription>> ListWebhooksAsync(long tenantId, string? organisationId, Guid? after, int limit, CancellationToken ct);

    /// <summary>Deletes a subscription; false when there is none.</summary>
    Task<bool> DeleteWebhookAsync(long tenantId, Guid id, CancellationToken ct);

    /// <summary>Pauses or resumes a subscription (resuming forgets its failures and tries at once); false when there is none.</summary>
    Task<bool> SetWebhookStateAsync(long tenantId, Guid id, string state, CancellationToken ct);

    /// <summary>
    /// Claims up to <paramref name="max"/> active subscriptions due for delivery that no node holds, for
    /// <paramref name="lease"/>: a subscription is delivered by one node at a time, whatever the number of nodes.
    /// </summary>
    Task<IReadOnlyList<ClaimedWebhook>> ClaimWebhooksAsync(string owner, DateTimeOffset now, TimeSpan lease, int max, CancellationToken ct);

    /// <summary>
    /// Records that the subscription's events up to <paramref name="through"/> are delivered (or not for it) and extends
    /// the lease; false when the lease was lost (another node delivers it now).
    /// </summary>
    Task<bool> RecordDeliveredAsync(ClaimedWebhook webhook, string owner, EventPosition through, bool delivered, DateTimeOffset now, TimeSpan lease, CancellationToken ct);

    /// <summary>Records a failed delivery, the next attempt, and whether the subscription is now paused; releases the lease.</summary>
    Task RecordFailureAsync(ClaimedWebhook webhook, string owner, string error, DateTimeOffset now, DateTimeOffset nextAttempt, bool pause, CancellationToken ct);

    /// <summary>The events of a claimed subscription's tenant after <paramref name="after"/>, of every type, in order.</summary>
    Task<IReadOnlyList<LrsEvent>> PendingAsync(ClaimedWebhook webhook, EventPosition after, int limit, CancellationToken ct);

    /// <summary>When the oldest event not yet delivered to (or passed over by) some subscription occurred; null when none waits.</summary>
    Task<DateTimeOffset?> OldestUndeliveredAsync(CancellationToken ct);

    /// <summary>
    /// Deletes, in every tenant, the events that occurred before <paramref name="before"/> and that every webhook subscription
    /// of their tenant (active or paused) has delivered or passed over; returns how many.
    /// </summary>
    Task<int> DeleteDeliveredAsync(DateTimeOffset before, CancellationToken ct);

    /// <summary>Gives the lease up (nothing more to deliver for now).</summary>
    Task ReleaseAsync(ClaimedWebhook webhook, string owner, CancellationToken ct);
}
