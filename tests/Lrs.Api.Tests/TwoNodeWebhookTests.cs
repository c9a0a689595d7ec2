using System.Diagnostics;
using System.Text.Json.Nodes;
using Lrs.Api.Tests.Infrastructure;
using Npgsql;
using Xunit.Abstractions;
using static Lrs.Api.Tests.Infrastructure.Xapi;

namespace Lrs.Api.Tests;

/// <summary>
/// Two nodes that both run webhook delivery, polling every 100 ms, with a send timeout of 1 s: a lease then holds for
/// (1 + 2 retries) × 1 s + 5 s = 8 s without renewal.
/// </summary>
public sealed class TwoDeliveringNodes : TwoNodes
{
    public static readonly TimeSpan Lease = TimeSpan.FromSeconds(8);

    protected override IReadOnlyDictionary<string, string> Settings { get; } = new Dictionary<string, string>
    {
        ["Lrs__Events__PollMilliseconds"] = "100",
        ["Lrs__Events__TimeoutSeconds"] = "1",
        ["Lrs__Events__RetryBaseSeconds"] = "0.2",
        ["Lrs__Events__RetryMaxSeconds"] = "0.5",
    };
}

/// <summary>
/// Webhook delivery with two LRS processes on one PostgreSQL database, each delivering, to real receivers: every event
/// once per subscription (by webhook-id) and in order, however the events were produced; and when the node delivering a
/// subscription is killed, the other takes over once its lease ran out, repeating at most what was in flight.
/// </summary>
public sealed class TwoNodeWebhookTests(TwoDeliveringNodes nodes, ITestOutputHelper output) : IClassFixture<TwoDeliveringNodes>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Events_written_through_both_nodes_reach_each_subscription_once_and_in_order_though_both_nodes_deliver()
    {
        var (onA, onB, tenant) = await nodes.TenantAsync();
        var w = await EventsTests.WorldAsync(onA, tenant);
        var receivers = new[] { new WebhookReceiver(), new WebhookReceiver(), new WebhookReceiver() };
        try
        {
            var (_, before) = await EventsTests.PullFromAsync(onB);
            var scraped = await Task.WhenAll(TwoNodeTests.ScrapeAsync(nodes.A), TwoNodeTests.ScrapeAsync(nodes.B));
            foreach (var receiver in receivers)
            {
                await receiver.StartAsync();
                (_, receiver.Secret) = await EventsTests.SubscribeAsync(receivers[0] == receiver ? onA : onB, Subscription(receiver));
            }

            // Four clients at once, each alternating between the nodes: 32 completions, each announcing one or two events.
            await Task.WhenAll(Enumerable.Range(0, 4).Select(async c =>
            {
                for (var i = 0; i < 8; i++)
                    await ((c + i) % 2 == 0 ? onA : onB).PostAsync(EventsTests.Completion(i % 2 == 0 ? w.AgentA : w.AgentB));
            }));
            var expected = Ids(await EventsTests.PullAsync(onA, from: before));
            expected.Should().HaveCountGreaterThanOrEqualTo(32);
            Ids(await EventsTests.PullAsync(onB, from: before)).Should().Equal(expected, "both nodes read one outbox in one order");

            var clock = Stopwatch.StartNew();
            foreach (var receiver in receivers)
                await receiver.WaitForAsync(d => expected.All(e => d.Any(x => x.Id == e)), Patience, $"{expected.Count} events");
            output.WriteLine($"{expected.Count} events to each of {receivers.Length} subscriptions, delivered within {clock.Elapsed.TotalSeconds:F1} s of the last write");
            // Time enough for a second node's duplicate to arrive, were there one.
            await Task.Delay(TimeSpan.FromSeconds(2));

            var after = await Task.WhenAll(TwoNodeTests.ScrapeAsync(nodes.A), TwoNodeTests.ScrapeAsync(nodes.B));
            double Delta(string metric) => Enumerable.Range(0, 2).Sum(n => MetricsTests.Value(after[n], metric) - MetricsTests.Value(scraped[n], metric));
            var resent = 0;
            foreach (var receiver in receivers)
            {
                var deliveries = receiver.Deliveries.ToList();
                deliveries.Should().OnlyContain(d => d.SignatureValid);
                deliveries.Select(d => d.Id).Distinct().Should().Equal(expected, "each event once per subscription by webhook-id, in the order of the outbox");
                resent += Repeats(deliveries);
            }
            output.WriteLine($"acknowledged deliveries {Delta(Deliveries)}, failed sends {Delta(Failures)}, events sent again {resent}");
            Delta(Deliveries).Should().Be(receivers.Length * expected.Count, "each event is acknowledged once per subscription, by one node or the other");
            resent.Should().BeLessThanOrEqualTo((int)Delta(Failures), "an event is sent again only after a send that failed");
        }
        finally
        {
            foreach (var receiver in receivers) await receiver.DisposeAsync();
        }
    }

    [Fact]
    public async Task When_the_node_delivering_a_subscription_is_killed_the_other_takes_over_after_the_lease_and_repeats_only_the_event_in_flight()
    {
        var (onA, onB, tenant) = await nodes.TenantAsync();
        var w = await EventsTests.WorldAsync(onA, tenant);
        await using var receiver = new WebhookReceiver { Delay = TimeSpan.FromMilliseconds(500) };
        await receiver.StartAsync();
        var (_, before) = await EventsTests.PullFromAsync(onA);
        var (id, secret) = await EventsTests.SubscribeAsync(onA, Subscription(receiver));
        receiver.Secret = secret;

        var scraped = await Task.WhenAll(TwoNodeTests.ScrapeAsync(nodes.A), TwoNodeTests.ScrapeAsync(nodes.B));
        for (var i = 0; i < 24; i++) await (i % 2 == 0 ? onA : onB).PostAsync(EventsTests.Completion(i % 2 == 0 ? w.AgentA : w.AgentB));
        var expected = Ids(await EventsTests.PullAsync(onA, from: before));
        expected.Should().HaveCountGreaterThanOrEqualTo(24);

        // Once the stream has begun (half a second per event), kill -9 the node that holds the subscription.
        await receiver.WaitForAsync(d => d.Count >= 1, Patience, "the first event");
        var holder = await HolderAsync(Guid.Parse(id));
        var survivor = holder == nodes.A ? nodes.B : nodes.A;
        var (holderBefore, survivorBefore) = holder == nodes.A ? (scraped[0], scraped[1]) : (scraped[1], scraped[0]);
        var holderFailures = MetricsTests.Value(await TwoNodeTests.ScrapeAsync(holder), Failures) - MetricsTests.Value(holderBefore, Failures);
        await holder.KillAsync();
        var killed = Stopwatch.StartNew();
        var atKill = receiver.Deliveries.Count;
        output.WriteLine($"killed the holder (pid {holder.ProcessId}) after {atKill} of {expected.Count} deliveries");
        atKill.Should().BeLessThan(expected.Count - 2, "the kill falls in the middle of the stream");
        try
        {
            // A delivery beyond the one the killed node may have had in flight (it sent one at a time) is the other node's.
            await receiver.WaitForAsync(d => d.Count > atKill + 1, Patience, "a delivery from the other node");
            var tookOver = killed.Elapsed;
            output.WriteLine($"the other node (pid {survivor.ProcessId}) delivered again {tookOver.TotalSeconds:F1} s after the kill (lease {TwoDeliveringNodes.Lease.TotalSeconds} s)");
            tookOver.Should().BeLessThan(TwoDeliveringNodes.Lease + TimeSpan.FromSeconds(3), "the other node claims the subscription once the lease ran out");
            await receiver.WaitForAsync(d => expected.All(e => d.Any(x => x.Id == e)), Patience, "every event");

            var deliveries = receiver.Deliveries.ToList();
            deliveries.Should().OnlyContain(d => d.SignatureValid);
            deliveries.Select(d => d.Id).Distinct().Should().Equal(expected, "every event, in the order of the outbox");
            // Sent anew: the event in flight at the kill, by the node that took over, and any sent again after a failed send.
            var survivorFailures = MetricsTests.Value(await TwoNodeTests.ScrapeAsync(survivor), Failures) - MetricsTests.Value(survivorBefore, Failures);
            Repeats(deliveries).Should().BeLessThanOrEqualTo(1 + (int)(holderFailures + survivorFailures));
            var owner = (await OwnerAsync(Guid.Parse(id))) ?? "";
            owner.Should().NotContain($"/{holder.ProcessId}/");
        }
        finally
        {
            await nodes.ReplaceAsync(holder);
        }
    }

    private const string Deliveries = "lrs_webhook_deliveries_total";
    private const string Failures = "lrs_webhook_failures_total";

    // How often events were sent again in a new send (a new webhook-timestamp), each repeat being the same event under the
    // same webhook-id. A send that timed out is tried again at once within the same send (same timestamp): not counted.
    private int Repeats(List<WebhookReceiver.Delivery> deliveries)
    {
        var again = 0;
        foreach (var repeated in deliveries.GroupBy(d => d.Id).Where(g => g.Count() > 1))
        {
            repeated.Select(d => d.Body).Distinct().Should().HaveCount(1, "a repeated delivery is the same event under the same webhook-id");
            again += repeated.Select(d => d.Timestamp).Distinct().Count() - 1;
            output.WriteLine($"repeated: {repeated.Key} ×{repeated.Count()} at {string.Join(", ", repeated.Select(d => d.Timestamp))}");
        }
        return again;
    }

    // What the completions announce; the people set up before (person.changed) stay out, whenever their transactions settled.
    private static readonly string[] Announced = ["competence.status-changed", "reflection-task.created"];

    private static JsonObject Subscription(WebhookReceiver receiver) => new() { ["url"] = receiver.Url, ["types"] = new JsonArray([.. Announced]) };

    private static List<string> Ids(List<JsonObject> events) =>
        [.. events.Where(e => Announced.Contains(e["type"]!.GetValue<string>())).Select(e => e["id"]!.GetValue<string>())];

    // The node whose process holds the subscription's lease (it renews it after every event while it delivers).
    private async Task<LrsProcess> HolderAsync(Guid subscription)
    {
        var until = DateTime.UtcNow + Patience;
        while (true)
        {
            if (await OwnerAsync(subscription) is { } owner)
                foreach (var node in new[] { nodes.A, nodes.B })
                    if (owner.Contains($"/{node.ProcessId}/", StringComparison.Ordinal)) return node;
            if (DateTime.UtcNow > until) throw new TimeoutException("No node holds the subscription.");
            await Task.Delay(20);
        }
    }

    private async Task<string?> OwnerAsync(Guid subscription)
    {
        await using var connection = new NpgsqlConnection(nodes.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT lease_owner FROM webhook_subscriptions WHERE id = @id AND lease_until > now()", connection);
        command.Parameters.AddWithValue("id", subscription);
        return await command.ExecuteScalarAsync() as string;
    }
}
