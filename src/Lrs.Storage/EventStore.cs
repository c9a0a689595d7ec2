using System.Data.Common;
using Lrs.Core.Storage;

namespace Lrs.Storage;

/// <summary>
/// The outbox read in order, what time alone changes, and webhook subscriptions with their delivery position and lease.
/// </summary>
/// <remarks>
/// PostgreSQL: an event is read only once every transaction older than it has ended (its <c>txid</c> is below the xmin of
/// the reader's snapshot), and events are ordered by (txid, seq); so an event committed late never appears behind a
/// position already read. SQLite's single writer commits in seq order. A subscription is delivered by the node holding its
/// lease, claimed with <c>FOR UPDATE SKIP LOCKED</c> on PostgreSQL, so several nodes deliver each event once per subscription.
/// </remarks>
public sealed class EventStore(Dialect db, FrameworkCache frameworks, TimeSpan expiringWindow) : IEventStore
{
    /// <summary>People whose statuses one transaction of the scheduled pass computes again.</summary>
    private const int PassChunk = 200;

    private readonly EventTables _events = new(db);
    private readonly EvidenceTables _evidence = new(db);

    // PostgreSQL: the oldest transaction still running when the reader's snapshot was taken (see the remarks).
    private const string Horizon = "pg_snapshot_xmin(pg_current_snapshot())::text::bigint";

    // Only events of transactions that have all ended.
    private string Settled => db.Sql("", $" AND txid < {Horizon}");

    // Whether an event (committed, or it would not be seen) still waits for an older transaction to end.
    private string Unsettled => db.Sql("0", $"txid >= {Horizon}");

    private const string WebhookColumns = "SELECT id, url, types, organisation_id, state, created, last_delivery, last_error, last_error_at, failing_since, next_attempt FROM webhook_subscriptions";

    /// <inheritdoc />
    public async Task<EventListing> ListAsync(long tenantId, EventQuery query, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        return await ReadEventsAsync(connection, tenantId, query.After, query.Types, query.OrganisationId, query.Limit, ct);
    }

    // One statement, so one snapshot: the settled events come first in (txid, seq) order, and any unsettled one read after
    // them says that more are committed and will follow once the older transactions have ended.
    private async Task<EventListing> ReadEventsAsync(DbConnection connection, long tenantId, EventPosition after, IReadOnlyCollection<string> types,
        string? organisationId, int limit, CancellationToken ct)
    {
        await using var command = Dialect.Command(connection, null, $"""
            SELECT id, type, occurred, organisation_id, person_id, data{db.AsText}, txid, seq, {Unsettled} FROM events
            WHERE tenant_id = @t AND (txid, seq) > (@txid, @seq)
            {(types.Count > 0 ? $" AND type{db.In("types")}" : "")}{(organisationId is not null ? " AND organisation_id = @org" : "")}
            ORDER BY txid, seq LIMIT @limit
            """, ("t", tenantId), ("txid", after.Transaction), ("seq", after.Sequence), ("types", db.List(types)), ("org", organisationId), ("limit", limit));
        var rows = await command.ListAsync(r => (Event: new LrsEvent(db.Uuid(r, 0), r.GetString(1), db.Time(r, 2), r.StringOrNull(3), r.StringOrNull(4), r.GetString(5),
            new EventPosition(r.GetInt64(6), r.GetInt64(7))), Unsettled: r.GetBoolean(8)), ct);
        var settled = rows.TakeWhile(r => !r.Unsettled).Select(r => r.Event).ToList();
        return new EventListing(settled, settled.Count < rows.Count);
    }

    /// <inheritdoc />
    public async Task<TimePassOutcome> AnnounceTimeChangesAsync(DateTimeOffset now, CancellationToken ct)
    {
        var tenants = await db.QueryAsync("""
            SELECT DISTINCT tenant_id FROM competence_statuses WHERE changes_at <= @now
            UNION SELECT DISTINCT tenant_id FROM reflection_tasks WHERE status = 'open' AND NOT overdue_announced AND due_at <= @now
            """, r => r.GetInt64(0), ct, ("now", db.Time(now)));
        int changes = 0, overdue = 0;
        foreach (var tenantId in tenants)
        {
            while (true)
            {
                // Exclusive: no statement batch of the tenant computes the same statuses meanwhile.
                await using var lease = await _evidence.BeginExclusiveAsync(tenantId, ct);
                var (c, t) = (lease.Connection, lease.Transaction);
                await using var command = Dialect.Command(c, t,
                    "SELECT DISTINCT person_id FROM competence_statuses WHERE tenant_id = @t AND changes_at <= @now ORDER BY person_id LIMIT @limit",
                    ("t", tenantId), ("now", db.Time(now)), ("limit", PassChunk));
                var people = await command.ListAsync(r => r.GetString(0), ct);
                if (people.Count == 0) break;
                var version = await _evidence.VersionAsync(c, t, tenantId, shareLock: false, ct);
                var framework = frameworks.Get(tenantId, version) ?? frameworks.Remember(tenantId, version, await _evidence.DocumentAsync(c, t, tenantId, ct));
                changes += await _events.AnnounceCompetenceAsync(c, t, tenantId, framework, now, expiringWindow, [], [], people, ct);
                await lease.CommitAsync(ct);
                if (people.Count < PassChunk) break;
            }

            await using (var lease = await db.BeginWriteAsync(null, ct))
            {
                const string due = "t.status = 'open' AND NOT t.overdue_announced AND t.due_at <= @now";
                await using var count = lease.Command($"SELECT count(*) FROM reflection_tasks t WHERE t.tenant_id = @t AND {due}", ("t", tenantId), ("now", db.Time(now)));
                var found = Convert.ToInt32(await count.ExecuteScalarAsync(ct), System.Globalization.CultureInfo.InvariantCulture);
                if (found == 0) continue;
                await _events.AppendTaskEventsAsync(lease.Connection, lease.Transaction, tenantId, EventTypes.ReflectionTaskOverdue, now, due, ct, ("now", db.Time(now)));
                await using var mark = lease.Command($"UPDATE reflection_tasks AS t SET overdue_announced = true WHERE t.tenant_id = @t AND {due}", ("t", tenantId), ("now", db.Time(now)));
                overdue += await mark.ExecuteNonQueryAsync(ct);
                await lease.CommitAsync(ct);
            }
        }
        return new TimePassOutcome(changes, overdue);
    }

    /// <inheritdoc />
    public async Task<WebhookSubscription> AddWebhookAsync(long tenantId, NewWebhook webhook, CancellationToken ct)
    {
        await using var lease = await db.BeginWriteAsync(null, ct);
        await using var command = lease.Command($"""
            INSERT INTO webhook_subscriptions (tenant_id, id, url, types, organisation_id, secret, state, created, after_txid, after_seq)
            SELECT @t, @id, @url, @types, @org, @secret, @state, @created, coalesce(max(h.txid), 0), coalesce(max(h.seq), 0)
            FROM (SELECT txid, seq FROM events WHERE tenant_id = @t{Settled} ORDER BY txid DESC, seq DESC LIMIT 1) h
            """, ("t", tenantId), ("id", db.Uuid(webhook.Id)), ("url", webhook.Url), ("types", string.Join(' ', webhook.Types)), ("org", webhook.OrganisationId),
            ("secret", webhook.Secret), ("state", webhook.State), ("created", db.Time(webhook.Created)));
        await command.ExecuteNonQueryAsync(ct);
        await lease.CommitAsync(ct);
        return new WebhookSubscription(webhook.Id, webhook.Url, webhook.Types, webhook.OrganisationId, webhook.State, webhook.Created, null, null, null, null, null);
    }

    /// <inheritdoc />
    public async Task<WebhookSubscription?> GetWebhookAsync(long tenantId, Guid id, CancellationToken ct) =>
        (await db.QueryAsync(WebhookColumns + " WHERE tenant_id = @t AND id = @id", ReadWebhook, ct, ("t", tenantId), ("id", db.Uuid(id)))).FirstOrDefault();

    /// <inheritdoc />
    public async Task<IReadOnlyList<WebhookSubscription>> ListWebhooksAsync(long tenantId, string? organisationId, Guid? after, int limit, CancellationToken ct) =>
        await db.QueryAsync(WebhookColumns + " WHERE tenant_id = @t"
            + (organisationId is null ? "" : " AND organisation_id = @org") + (after is null ? "" : " AND id > @after") + " ORDER BY id LIMIT @limit",
            ReadWebhook, ct, ("t", tenantId), ("org", organisationId), ("after", after is { } a ? db.Uuid(a) : null), ("limit", limit));

    /// <inheritdoc />
    public async Task<bool> DeleteWebhookAsync(long tenantId, Guid id, CancellationToken ct) =>
        await db.ExecuteAsync("DELETE FROM webhook_subscriptions WHERE tenant_id = @t AND id = @id", ct, ("t", tenantId), ("id", db.Uuid(id))) == 1;

    /// <inheritdoc />
    public async Task<bool> SetWebhookStateAsync(long tenantId, Guid id, string state, CancellationToken ct) =>
        await db.ExecuteAsync(state == WebhookStates.Active
            ? "UPDATE webhook_subscriptions SET state = @state, attempts = 0, failing_since = NULL, next_attempt = NULL WHERE tenant_id = @t AND id = @id"
            : "UPDATE webhook_subscriptions SET state = @state WHERE tenant_id = @t AND id = @id",
            ct, ("t", tenantId), ("id", db.Uuid(id)), ("state", state)) == 1;

    /// <inheritdoc />
    public async Task<IReadOnlyList<ClaimedWebhook>> ClaimWebhooksAsync(string owner, DateTimeOffset now, TimeSpan lease, int max, CancellationToken ct)
    {
        await using var write = await db.BeginWriteAsync(null, ct);
        // Only subscriptions with an event after their position: an idle LRS claims nothing. The outer condition is checked
        // again on the locked row, so a subscription another node claimed meanwhile is not taken from it.
        await using var command = write.Command($"""
            UPDATE webhook_subscriptions SET lease_owner = @owner, lease_until = @until
            WHERE (lease_until IS NULL OR lease_until < @now) AND (tenant_id, id) IN (
                SELECT w.tenant_id, w.id FROM webhook_subscriptions w
                WHERE w.state = 'active' AND (w.next_attempt IS NULL OR w.next_attempt <= @now) AND (w.lease_until IS NULL OR w.lease_until < @now)
                  AND EXISTS (SELECT 1 FROM events e WHERE e.tenant_id = w.tenant_id AND (e.txid, e.seq) > (w.after_txid, w.after_seq))
                LIMIT @max{db.Sql("", " FOR UPDATE SKIP LOCKED")})
            RETURNING tenant_id, id, url, types, organisation_id, secret, after_txid, after_seq, attempts, failing_since
            """, ("owner", owner), ("until", db.Time(now + lease)), ("now", db.Time(now)), ("max", max));
        var claimed = await command.ListAsync(r => new ClaimedWebhook(r.GetInt64(0), db.Uuid(r, 1), r.GetString(2), Types(r.GetString(3)), r.StringOrNull(4),
            r.GetString(5), new EventPosition(r.GetInt64(6), r.GetInt64(7)), r.GetInt32(8), db.TimeOrNull(r, 9)), ct);
        await write.CommitAsync(ct);
        return claimed;
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<LrsEvent>> PendingAsync(ClaimedWebhook webhook, EventPosition after, int limit, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        return (await ReadEventsAsync(connection, webhook.TenantId, after, [], null, limit, ct)).Events;
    }

    /// <inheritdoc />
    public async Task<bool> RecordDeliveredAsync(ClaimedWebhook webhook, string owner, EventPosition through, bool delivered, DateTimeOffset now, TimeSpan lease, CancellationToken ct) =>
        await db.ExecuteAsync("""
            UPDATE webhook_subscriptions SET after_txid = @txid, after_seq = @seq, lease_until = @until,
                attempts = 0, failing_since = NULL, next_attempt = NULL, last_delivery = CASE WHEN @delivered THEN @now ELSE last_delivery END
            WHERE tenant_id = @t AND id = @id AND lease_owner = @owner
            """, ct, ("t", webhook.TenantId), ("id", db.Uuid(webhook.Id)), ("owner", owner), ("txid", through.Transaction), ("seq", through.Sequence),
            ("until", db.Time(now + lease)), ("delivered", delivered), ("now", db.Time(now))) == 1;

    /// <inheritdoc />
    public async Task RecordFailureAsync(ClaimedWebhook webhook, string owner, string error, DateTimeOffset now, DateTimeOffset nextAttempt, bool pause, CancellationToken ct) =>
        await db.ExecuteAsync($"""
            UPDATE webhook_subscriptions SET attempts = attempts + 1, failing_since = coalesce(failing_since, @now), next_attempt = @next,
                last_error = @error, last_error_at = @now, state = CASE WHEN @pause THEN '{WebhookStates.Paused}' ELSE state END, lease_owner = NULL, lease_until = NULL
            WHERE tenant_id = @t AND id = @id AND lease_owner = @owner
            """, ct, ("t", webhook.TenantId), ("id", db.Uuid(webhook.Id)), ("owner", owner), ("now", db.Time(now)), ("next", db.Time(nextAttempt)),
            ("error", error), ("pause", pause));

    /// <inheritdoc />
    public async Task ReleaseAsync(ClaimedWebhook webhook, string owner, CancellationToken ct) =>
        await db.ExecuteAsync("UPDATE webhook_subscriptions SET lease_owner = NULL, lease_until = NULL WHERE tenant_id = @t AND id = @id AND lease_owner = @owner",
            ct, ("t", webhook.TenantId), ("id", db.Uuid(webhook.Id)), ("owner", owner));

    /// <inheritdoc />
    public async Task<DateTimeOffset?> OldestUndeliveredAsync(CancellationToken ct) =>
        (await db.QueryAsync("""
            SELECT min((SELECT e.occurred FROM events e WHERE e.tenant_id = w.tenant_id AND (e.txid, e.seq) > (w.after_txid, w.after_seq) ORDER BY e.txid, e.seq LIMIT 1))
            FROM webhook_subscriptions w
            """, r => db.TimeOrNull(r, 0), ct)).FirstOrDefault();

    /// <inheritdoc />
    public async Task<int> DeleteDeliveredAsync(DateTimeOffset before, CancellationToken ct) =>
        await db.ExecuteAsync("""
            DELETE FROM events WHERE occurred < @before AND NOT EXISTS (
                SELECT 1 FROM webhook_subscriptions w WHERE w.tenant_id = events.tenant_id AND (events.txid, events.seq) > (w.after_txid, w.after_seq))
            """, ct, ("before", db.Time(before)));

    private WebhookSubscription ReadWebhook(DbDataReader r) => new(db.Uuid(r, 0), r.GetString(1), Types(r.GetString(2)), r.StringOrNull(3), r.GetString(4),
        db.Time(r, 5), db.TimeOrNull(r, 6), r.StringOrNull(7), db.TimeOrNull(r, 8), db.TimeOrNull(r, 9), db.TimeOrNull(r, 10));

    private static string[] Types(string types) => types.Split(' ', StringSplitOptions.RemoveEmptyEntries);
}
