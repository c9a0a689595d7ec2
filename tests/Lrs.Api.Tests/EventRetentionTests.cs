using System.Net;
using System.Text.Json.Nodes;
using Lrs.Api.Admin;
using Lrs.Api.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using static Lrs.Api.Tests.Infrastructure.Xapi;

namespace Lrs.Api.Tests;

/// <summary>
/// Events are kept for <c>Lrs:Events:Retention</c> (30 days by default): the daily retention run deletes older ones, but never
/// one that a webhook subscription of its tenant still has to deliver. With a clock set back, so that events happen 40 days
/// ago; one test per store, since the stored clock never goes back once it has handed out a time.
/// </summary>
public abstract class EventRetentionTests(LrsFixture lrs)
{
    [Fact]
    public async Task The_daily_run_deletes_events_older_than_the_retention_and_keeps_those_a_subscription_still_has_to_deliver()
    {
        var clock = (ShiftedClock)lrs.Services.GetRequiredService<TimeProvider>();
        clock.Offset = -TimeSpan.FromDays(40);
        var delivered = await EventsTests.WorldAsync(lrs);
        var waiting = await EventsTests.WorldAsync(lrs);
        // A receiver that is down: its subscription has every event after this one still to deliver.
        (await waiting.Admin.PostAsync("/api/admin/webhooks", Json(new JsonObject { ["url"] = "http://127.0.0.1:9/down" }))).StatusCode.Should().Be(HttpStatusCode.Created);
        await delivered.Admin.PostAsync(EventsTests.Completion(delivered.AgentA));
        await waiting.Admin.PostAsync(EventsTests.Completion(waiting.AgentA));
        var old = Ids(await EventsTests.PullAsync(delivered.Admin));
        var (oldWaitingEvents, waitingCursor) = await EventsTests.PullFromAsync(waiting.Admin);
        var undelivered = Ids(oldWaitingEvents.Where(e => e["type"]!.GetValue<string>() != "person.changed"));
        undelivered.Should().NotBeEmpty();

        clock.Offset = TimeSpan.Zero;
        await delivered.Admin.PostAsync(EventsTests.Completion(delivered.AgentB));
        var (all, cursor) = await EventsTests.PullFromAsync(delivered.Admin);
        var recent = Ids(all).Except(old).ToList();
        recent.Should().NotBeEmpty();

        await lrs.Services.GetServices<IHostedService>().OfType<DailyRetention>().Single().RunAsync(CancellationToken.None);

        var kept = Ids(await EventsTests.PullAsync(delivered.Admin));
        kept.Should().Contain(recent, "events younger than 30 days stay").And.NotContain(old, "events older than 30 days go when no subscription waits for them");
        Ids(await EventsTests.PullAsync(waiting.Admin)).Should().Contain(undelivered, "the subscription has not had them yet, however old they are");
        (await EventsTests.PullAsync(delivered.Admin, from: cursor)).Select(e => e["id"]!.GetValue<string>()).Should().NotContain(recent, "a cursor stays valid");
        (await EventsTests.PullAsync(waiting.Admin, from: waitingCursor)).Select(e => e["id"]!.GetValue<string>()).Should().NotContain(undelivered);
    }

    private static List<string> Ids(IEnumerable<JsonObject> events) => [.. events.Select(e => e["id"]!.GetValue<string>())];
}

public sealed class EventRetentionTestsOnSqlite(SqliteLrs<ShiftedTime> lrs) : EventRetentionTests(lrs), IClassFixture<SqliteLrs<ShiftedTime>>;

public sealed class EventRetentionTestsOnPostgres(PostgresLrs<ShiftedTime> lrs) : EventRetentionTests(lrs), IClassFixture<PostgresLrs<ShiftedTime>>;
