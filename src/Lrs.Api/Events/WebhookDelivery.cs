using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Lrs.Core.Storage;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Options;
using Polly;

namespace Lrs.Api.Events;

/// <summary>
/// Delivers the outbox to webhook subscribers: at least once, in order per subscription, one event at a time. A node claims
/// a subscription (a lease in the database) before delivering to it, so however many nodes run, each subscription is
/// delivered by one. The position advances after each 2xx answer, so a crash repeats at most the event in flight (with the
/// same <c>webhook-id</c>). A failure waits (doubling from <see cref="EventOptions.RetryBaseSeconds"/>) and then tries the
/// same event again; after <see cref="EventOptions.PauseAfterHours"/> of failures the subscription is paused.
/// </summary>
public sealed partial class WebhookDelivery(IEventStore store, IHttpClientFactory clients, TimeProvider time, IOptions<LrsOptions> options,
    WebhookMetrics metrics, Hosting.StoreOutage outage, ILogger<WebhookDelivery> log) : BackgroundService
{
    public const string ClientName = "webhooks";

    // Quick retries of one send (see AddClient): a send takes at most (1 + Retries) timeouts and the waits between them.
    private const int Retries = 2;
    private const int Page = 100;
    private const int MaxClaims = 16;

    // Which node holds a lease: unique per process, readable by an operator.
    private readonly string _owner = $"{Environment.MachineName}/{Environment.ProcessId}/{Guid.NewGuid().ToString("N")[..8]}";

    /// <summary>The HTTP client deliveries use: a timeout per attempt, and two quick retries (exponential, with jitter) of transient failures.</summary>
    public static void AddClient(IServiceCollection services) =>
        services.AddHttpClient(ClientName, (sp, client) => client.Timeout = Timeout.InfiniteTimeSpan)
            .AddResilienceHandler("webhook", (pipeline, context) =>
            {
                var seconds = context.ServiceProvider.GetRequiredService<IOptions<LrsOptions>>().Value.Events.TimeoutSeconds;
                pipeline.AddRetry(new HttpRetryStrategyOptions { MaxRetryAttempts = Retries, BackoffType = DelayBackoffType.Exponential, UseJitter = true, Delay = TimeSpan.FromMilliseconds(200) });
                pipeline.AddTimeout(TimeSpan.FromSeconds(seconds));
            });

    /// <summary>
    /// How long a claim holds without renewal. It is renewed after every event, so it need only outlast one send (all its
    /// attempts) and the writes around it; a longer one only delays the node that takes over from a crashed one.
    /// </summary>
    private TimeSpan Lease => TimeSpan.FromSeconds((1 + Retries) * options.Value.Events.TimeoutSeconds + 5);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var poll = TimeSpan.FromMilliseconds(Math.Max(50, options.Value.Events.PollMilliseconds));
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await DeliverDueAsync(stoppingToken);
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                // The database away (StoreOutage logs that once per outage) or a fault: the next round tries again;
                // leases that were held run out.
                if (outage.Explains(e)) outage.Report(e);
                else LogRoundFailed(log, e);
            }
            try
            {
                await Task.Delay(poll, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private async Task DeliverDueAsync(CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var oldest = await store.OldestUndeliveredAsync(ct);
        metrics.OldestUndelivered(oldest is { } o ? now - o : TimeSpan.Zero);
        if (oldest is null) return;
        var claimed = await store.ClaimWebhooksAsync(_owner, now, Lease, MaxClaims, ct);
        await Task.WhenAll(claimed.Select(w => DeliverAsync(w, ct)));
    }

    private async Task DeliverAsync(ClaimedWebhook webhook, CancellationToken ct)
    {
        var settings = options.Value.Events;
        var (attempts, failingSince) = (webhook.Attempts, webhook.FailingSince);
        var through = webhook.After;
        var recorded = through;
        while (true)
        {
            var events = await store.PendingAsync(webhook, through, Page, ct);
            foreach (var e in events)
            {
                if (!Wants(webhook, e))
                {
                    through = e.Position;
                    continue;
                }
                var error = await SendAsync(webhook, e, ct);
                var now = time.GetUtcNow();
                if (error is not null)
                {
                    metrics.Failed();
                    // Events passed over before the failing one need not be looked at again.
                    if (through != recorded && attempts == 0 && !await store.RecordDeliveredAsync(webhook, _owner, through, false, now, Lease, ct)) return;
                    var wait = TimeSpan.FromSeconds(Math.Min(settings.RetryMaxSeconds, settings.RetryBaseSeconds * Math.Pow(2, Math.Min(attempts, 30))));
                    var pause = failingSince is { } since && now - since >= TimeSpan.FromHours(settings.PauseAfterHours);
                    await store.RecordFailureAsync(webhook, _owner, error, now, now + wait, pause, ct);
                    LogDeliveryFailed(log, webhook.Id, e.Id, error, pause);
                    return;
                }
                metrics.Delivered();
                through = recorded = e.Position;
                (attempts, failingSince) = (0, null);
                if (!await store.RecordDeliveredAsync(webhook, _owner, through, true, now, Lease, ct)) return;
            }
            if (events.Count < Page) break;
        }
        if (through != recorded) await store.RecordDeliveredAsync(webhook, _owner, through, false, time.GetUtcNow(), Lease, ct);
        await store.ReleaseAsync(webhook, _owner, ct);
    }

    private static bool Wants(ClaimedWebhook webhook, LrsEvent e) =>
        (webhook.Types.Count == 0 || webhook.Types.Contains(e.Type, StringComparer.Ordinal))
        && (webhook.OrganisationId is null || webhook.OrganisationId == e.OrganisationId);

    /// <summary>The body of an event as delivered and as the pull API shows it.</summary>
    public static JsonObject Body(LrsEvent e) => new()
    {
        ["id"] = e.Id, ["type"] = e.Type, ["timestamp"] = e.Occurred, ["data"] = JsonNode.Parse(e.DataJson),
    };

    // Null when delivered (2xx), else why not.
    private async Task<string?> SendAsync(ClaimedWebhook webhook, LrsEvent e, CancellationToken ct)
    {
        var body = Body(e).ToJsonString();
        var id = e.Id.ToString();
        var timestamp = time.GetUtcNow().ToUnixTimeSeconds();
        using var request = new HttpRequestMessage(HttpMethod.Post, webhook.Url) { Content = new StringContent(body, Encoding.UTF8, new MediaTypeHeaderValue("application/json")) };
        request.Headers.Add("webhook-id", id);
        request.Headers.Add("webhook-timestamp", timestamp.ToString(CultureInfo.InvariantCulture));
        request.Headers.Add("webhook-signature", WebhookSignature.Sign(webhook.Secret, id, timestamp, body));
        try
        {
            using var response = await clients.CreateClient(ClientName).SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
            return response.IsSuccessStatusCode ? null : $"HTTP {(int)response.StatusCode} {response.ReasonPhrase}".TrimEnd();
        }
        catch (Exception x) when (x is HttpRequestException or TimeoutException or TaskCanceledException or Polly.Timeout.TimeoutRejectedException && !ct.IsCancellationRequested)
        {
            return x is HttpRequestException { HttpRequestError: var kind } && kind != HttpRequestError.Unknown ? $"{kind}: {x.Message}" : x.Message;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "A webhook delivery round failed; the next round tries again")]
    private static partial void LogRoundFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "Webhook {Subscription}: event {Event} not delivered ({Error}); paused: {Paused}")]
    private static partial void LogDeliveryFailed(ILogger logger, Guid subscription, Guid @event, string error, bool paused);
}
