using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Lrs.Api.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using static Lrs.Api.Tests.Infrastructure.Xapi;

namespace Lrs.Api.Tests;

/// <summary>
/// Events for other systems over HTTP, with a real webhook receiver: delivery after the receiver was down, in order, signed,
/// duplicates only with the same webhook-id; the organisation filter; the employer boundary of the pull API and of
/// subscriptions; and the changes only time causes, with a clock the tests move.
/// </summary>
public abstract class EventsTests(LrsFixture lrs)
{
    internal static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    /// <summary>A tenant with the small framework (a P1Y competence and a P14D reflection task on the hygiene course), two employers and one person of each.</summary>
    internal sealed record World(HttpClient Admin, string OrganisationA, string OrganisationB, string PersonA, string PersonB, JsonObject AgentA, JsonObject AgentB, string Tenant);

    private Task<World> WorldAsync() => WorldAsync(lrs);

    internal static async Task<World> WorldAsync(LrsFixture lrs)
    {
        var tenant = "ev-" + Guid.NewGuid().ToString("N")[..10];
        var admin = await lrs.ClientWithScopesAsync("all admin profiles:read people:write framework:write reflections:read reflections:write", tenantName: tenant);
        return await WorldAsync(admin, tenant);
    }

    /// <summary>The world of <see cref="World"/> set up through <paramref name="admin"/>, a credential of a fresh tenant with every scope.</summary>
    internal static async Task<World> WorldAsync(HttpClient admin, string tenant)
    {
        (await admin.PutAsync("/api/framework", Json(FrameworkTests.SmallFrameworkWithReflection()))).EnsureSuccessStatusCode();
        var (a, b) = ("org-a-" + tenant, "org-b-" + tenant);
        (await admin.PutAsync("/api/organisations", Json(new JsonArray(new JsonObject { ["id"] = a, ["name"] = "Solna stad" }, new JsonObject { ["id"] = b, ["name"] = "Omsorg AB" })))).EnsureSuccessStatusCode();
        var (agentA, agentB) = (NewAgent(), NewAgent());
        (await admin.PutAsync("/api/people", Json(new JsonArray(
            new JsonObject { ["id"] = "A-1", ["organisationId"] = a, ["roles"] = new JsonArray("underskoterska"), ["agents"] = new JsonArray(agentA.DeepClone()) },
            new JsonObject { ["id"] = "B-1", ["organisationId"] = b, ["roles"] = new JsonArray("underskoterska"), ["agents"] = new JsonArray(agentB.DeepClone()) })))).EnsureSuccessStatusCode();
        return new World(admin, a, b, "A-1", "B-1", agentA, agentB, tenant);
    }

    internal static async Task<(string Id, string Secret)> SubscribeAsync(HttpClient client, JsonObject body)
    {
        var response = await client.PostAsync("/api/admin/webhooks", Json(body));
        response.StatusCode.Should().Be(HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        var created = (await response.Content.ReadFromJsonAsync<JsonNode>())!;
        return (created["id"]!.GetValue<string>(), created["secret"]!.GetValue<string>());
    }

    internal static async Task<List<JsonObject>> PullAsync(HttpClient client, string query = "", string from = "") => (await PullFromAsync(client, query, from)).Events;

    // On PostgreSQL an event is pulled once every transaction older than it has ended, on the whole server (EventStore), and
    // other tests' transactions share the server: pull until the events looked for are there, or patience runs out.
    internal static async Task<List<JsonObject>> PullUntilAsync(HttpClient client, string query, string from, Func<List<JsonObject>, bool> done)
    {
        var until = DateTime.UtcNow + Patience;
        while (true)
        {
            var events = await PullAsync(client, query, from);
            if (done(events) || DateTime.UtcNow > until) return events;
            await Task.Delay(100);
        }
    }

    // Every event after the cursor from that is committed, and the cursor to ask again with. On PostgreSQL, events committed
    // behind a transaction of another test that has not ended yet are `pending`: ask again until they follow.
    internal static async Task<(List<JsonObject> Events, string Cursor)> PullFromAsync(HttpClient client, string query = "", string from = "")
    {
        var events = new List<JsonObject>();
        var cursor = from;
        var until = DateTime.UtcNow + Patience;
        while (true)
        {
            var page = (await client.GetFromJsonAsync<JsonNode>($"/api/events?limit=1000&cursor={cursor}{query}"))!;
            var batch = page["events"]!.AsArray().Select(e => e!.AsObject()).ToList();
            events.AddRange(batch);
            cursor = page["cursor"]!.GetValue<string>();
            if (page["more"] is not null) continue;
            if (!page["pending"]!.GetValue<bool>()) return (events, cursor);
            if (DateTime.UtcNow > until) throw new TimeoutException("Events still pending after " + Patience);
            await Task.Delay(50);
        }
    }

    internal static JsonObject Completion(JsonObject agent) => Statement(agent, activity: FrameworkTests.Course, registration: Guid.NewGuid());

    [Fact]
    public async Task A_receiver_down_for_a_while_then_up_gets_every_event_in_order_signed_and_repeated_only_with_the_same_id()
    {
        var w = await WorldAsync();
        await using var receiver = new WebhookReceiver();
        var (_, before) = await PullFromAsync(w.Admin);
        var (id, secret) = await SubscribeAsync(w.Admin, new JsonObject { ["url"] = receiver.Url });
        receiver.Secret = secret;

        for (var i = 0; i < 4; i++) await w.Admin.PostAsync(Completion(i % 2 == 0 ? w.AgentA : w.AgentB));
        // Down: deliveries fail, and the subscription says so.
        var failing = await WaitForAsync(async () => (await w.Admin.GetFromJsonAsync<JsonNode>($"/api/admin/webhooks/{id}"))!, s => s["lastError"] is not null);
        failing["state"]!.GetValue<string>().Should().Be("active");
        failing["failingSince"].Should().NotBeNull();
        failing.ToJsonString().Should().NotContain(secret, "the secret is shown once, at creation");

        await receiver.StartAsync();
        var pulled = await PullAsync(w.Admin, from: before);
        pulled.Select(e => e["type"]!.GetValue<string>()).Should().Contain(["competence.status-changed", "reflection-task.created"]);
        var expected = pulled.Select(e => e["id"]!.GetValue<string>()).ToList();
        await receiver.WaitForAsync(d => expected.All(e => d.Any(x => x.Id == e)), Patience, "every event");

        var deliveries = receiver.Deliveries.ToList();
        deliveries.Should().OnlyContain(d => d.SignatureValid, "every delivery is signed with the subscription's secret");
        deliveries.Select(d => d.Id).Distinct().Should().Equal(expected, "each event arrives, in the order of the outbox");
        foreach (var group in deliveries.GroupBy(d => d.Id))
            group.Select(d => d.Body).Distinct().Should().HaveCount(1, "a repeated delivery is the same event with the same webhook-id");
        deliveries.Should().OnlyContain(d => d.Event["id"]!.GetValue<string>() == d.Id);
        var healthy = await WaitForAsync(async () => (await w.Admin.GetFromJsonAsync<JsonNode>($"/api/admin/webhooks/{id}"))!, s => s["failingSince"] is null);
        healthy["lastDelivery"].Should().NotBeNull();
    }

    [Fact]
    public async Task An_organisation_restricted_subscription_receives_only_events_about_its_employers_people()
    {
        var w = await WorldAsync();
        await using var receiver = new WebhookReceiver();
        await receiver.StartAsync();
        var (_, before) = await PullFromAsync(w.Admin);
        (_, receiver.Secret) = await SubscribeAsync(w.Admin, new JsonObject { ["url"] = receiver.Url, ["organisation"] = w.OrganisationA });

        await w.Admin.PostAsync(Completion(w.AgentB));
        await w.Admin.PostAsync(Completion(w.AgentA));
        await w.Admin.PostAsync(Completion(w.AgentB));
        var ofA = (await PullUntilAsync(w.Admin, $"&organisation={w.OrganisationA}", before, e => e.Count > 0)).Select(e => e["id"]!.GetValue<string>()).ToList();
        ofA.Should().NotBeEmpty();
        var ofB = (await PullUntilAsync(w.Admin, $"&organisation={w.OrganisationB}", before, e => e.Count > 0)).Select(e => e["id"]!.GetValue<string>()).ToList();
        ofB.Should().NotBeEmpty();
        await receiver.WaitForAsync(d => ofA.All(e => d.Any(x => x.Id == e)), Patience, "employer A's events");
        await Task.Delay(1000);
        receiver.Deliveries.Select(d => d.Id).Should().NotContain(ofB);
        receiver.Deliveries.Should().OnlyContain(d => d.Event["data"]!["personId"]!.GetValue<string>() == w.PersonA);
    }

    [Fact]
    public async Task A_credential_restricted_to_an_employer_pulls_only_its_events_and_subscribes_only_for_its_employer()
    {
        var w = await WorldAsync();
        await w.Admin.PostAsync(Completion(w.AgentA));
        await w.Admin.PostAsync(Completion(w.AgentB));
        var restricted = await lrs.ClientWithScopesAsync("admin profiles:read reflections:read", tenantName: w.Tenant,
            restrictions: new Lrs.Core.Storage.CredentialRestrictions(w.OrganisationB, null, null));

        var seen = await PullAsync(restricted);
        seen.Should().NotBeEmpty();
        seen.Should().OnlyContain(e => e["data"]!["personId"]!.GetValue<string>() == w.PersonB);
        (await PullAsync(restricted, $"&organisation={w.OrganisationA}")).Should().BeEmpty();

        (await restricted.PostAsync("/api/admin/webhooks", Json(new JsonObject { ["url"] = "http://127.0.0.1:9/x", ["organisation"] = w.OrganisationA })))
            .StatusCode.Should().Be(HttpStatusCode.Forbidden);
        var own = await restricted.PostAsync("/api/admin/webhooks", Json(new JsonObject { ["url"] = "http://127.0.0.1:9/x" }));
        own.StatusCode.Should().Be(HttpStatusCode.Created);
        (await own.Content.ReadFromJsonAsync<JsonNode>())!["organisation"]!.GetValue<string>().Should().Be(w.OrganisationB);
        var (unrestrictedId, _) = await SubscribeAsync(w.Admin, new JsonObject { ["url"] = "http://127.0.0.1:9/y" });
        (await restricted.GetAsync($"/api/admin/webhooks/{unrestrictedId}")).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await restricted.DeleteAsync($"/api/admin/webhooks/{unrestrictedId}")).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await w.Admin.GetAsync($"/api/admin/webhooks/{unrestrictedId}")).StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Events_carry_ids_and_statuses_never_names_and_follow_the_changes_that_cause_them()
    {
        var w = await WorldAsync();
        var statement = Completion(w.AgentA);
        var ids = await w.Admin.PostAsync(statement);
        var reflections = await lrs.ClientWithScopesAsync("reflections:read", tenantName: w.Tenant);
        var ofReflections = await PullAsync(reflections);
        ofReflections.Should().OnlyContain(e => e["type"]!.GetValue<string>().StartsWith("reflection-task.", StringComparison.Ordinal), "reflections:read sees task events only");
        (await reflections.GetAsync("/api/events?type=person.changed")).StatusCode.Should().Be(HttpStatusCode.Forbidden);

        (await w.Admin.PostAsync("/xapi/statements", Json(Voiding(ids[0])))).EnsureSuccessStatusCode();
        var events = await PullAsync(w.Admin);
        var types = events.Select(e => e["type"]!.GetValue<string>()).ToList();
        types.Should().Equal("person.changed", "person.changed", "reflection-task.created", "competence.status-changed", "reflection-task.cancelled", "competence.status-changed");
        var changes = events.Where(e => e["type"]!.GetValue<string>() == "competence.status-changed").Select(e => e["data"]!).ToList();
        changes.Select(c => (c["oldStatus"]!.GetValue<string>(), c["newStatus"]!.GetValue<string>())).Should().Equal(("missing", "valid"), ("valid", "missing"));
        changes.Should().OnlyContain(c => c["personId"]!.GetValue<string>() == w.PersonA && c["competenceId"]!.GetValue<string>() == "basal-hygien");
        var all = string.Join('\n', events.Select(e => e.ToJsonString()));
        all.Should().NotContain("Solna stad").And.NotContain("Test Person").And.NotContain(w.AgentA["account"]!["name"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_subscription_created_paused_gets_nothing_until_resumed_and_then_every_event_since_its_creation()
    {
        var w = await WorldAsync();
        await using var receiver = new WebhookReceiver();
        await receiver.StartAsync();
        var (_, before) = await PullFromAsync(w.Admin);
        var response = await w.Admin.PostAsync("/api/admin/webhooks", Json(new JsonObject { ["url"] = receiver.Url, ["state"] = "paused" }));
        response.StatusCode.Should().Be(HttpStatusCode.Created);
        var created = (await response.Content.ReadFromJsonAsync<JsonNode>())!;
        created["state"]!.GetValue<string>().Should().Be("paused");
        var id = created["id"]!.GetValue<string>();
        receiver.Secret = created["secret"]!.GetValue<string>();

        await w.Admin.PostAsync(Completion(w.AgentA));
        var expected = (await PullUntilAsync(w.Admin, "", before, e => e.Count > 0)).Select(e => e["id"]!.GetValue<string>()).ToList();
        expected.Should().NotBeEmpty();
        await Task.Delay(1500);
        receiver.Deliveries.Should().BeEmpty("a subscription created paused gets nothing");
        (await w.Admin.GetFromJsonAsync<JsonNode>($"/api/admin/webhooks/{id}"))!["state"]!.GetValue<string>().Should().Be("paused");

        (await w.Admin.PostAsync($"/api/admin/webhooks/{id}/resume", null)).StatusCode.Should().Be(HttpStatusCode.OK);
        await receiver.WaitForAsync(d => expected.All(e => d.Any(x => x.Id == e)), Patience, "every event after resuming");
        receiver.Deliveries.Should().OnlyContain(d => d.SignatureValid);
    }

    [Fact]
    public async Task Bad_subscriptions_and_queries_are_400_and_store_nothing()
    {
        var w = await WorldAsync();
        foreach (var body in new[]
        {
            new JsonObject { ["url"] = "ftp://example.org/x" }, new JsonObject { ["url"] = "not a url" }, new JsonObject(),
            new JsonObject { ["url"] = "https://example.org/x", ["types"] = new JsonArray("statement.nonsense") },
            new JsonObject { ["url"] = "https://example.org/x", ["secret"] = "short" },
            new JsonObject { ["url"] = "https://example.org/x", ["organisation"] = "no-such-org" },
            new JsonObject { ["url"] = "https://example.org/x", ["colour"] = "blue" },
            new JsonObject { ["url"] = "https://example.org/x", ["state"] = "failing" },
        })
        {
            var response = await w.Admin.PostAsync("/api/admin/webhooks", Json(body));
            response.StatusCode.Should().Be(HttpStatusCode.BadRequest, body.ToJsonString());
            response.Content.Headers.ContentType!.MediaType.Should().Be("application/problem+json");
        }
        (await w.Admin.GetFromJsonAsync<JsonNode>("/api/admin/webhooks"))!["webhooks"]!.AsArray().Should().BeEmpty();
        foreach (var query in new[] { "cursor=x", "cursor=1-2-3", "limit=0", "limit=1001", "type=nonsense" })
            (await w.Admin.GetAsync("/api/events?" + query)).StatusCode.Should().Be(HttpStatusCode.BadRequest, query);
    }

    internal static async Task<JsonNode> WaitForAsync(Func<Task<JsonNode>> read, Func<JsonNode, bool> done)
    {
        var until = DateTime.UtcNow + Patience;
        while (true)
        {
            var value = await read();
            if (done(value)) return value;
            if (DateTime.UtcNow > until) throw new TimeoutException("Still: " + value.ToJsonString());
            await Task.Delay(100);
        }
    }
}

/// <summary>
/// What time alone changes, with a clock the tests move forward (each fixture has its own): competence statuses valid →
/// expiring → expired and overdue tasks become events; a subscription failing for a day is paused, and resumed by an admin
/// without losing an event.
/// </summary>
public abstract class EventsOverTimeTests(LrsFixture lrs)
{
    private MovableClock Clock => (MovableClock)lrs.Services.GetRequiredService<TimeProvider>();

    private static async Task<List<JsonObject>> WaitForEventAsync(HttpClient client, string from, Func<JsonObject, bool> wanted)
    {
        var events = await EventsTests.PullUntilAsync(client, "", from, events => events.Any(wanted));
        return events.Any(wanted) ? events : throw new TimeoutException("No such event among: " + string.Join('\n', events.Select(e => e.ToJsonString())));
    }

    private static bool StatusChange(JsonObject e, string from, string to) =>
        e["type"]!.GetValue<string>() == "competence.status-changed" && e["data"]!["oldStatus"]!.GetValue<string>() == from && e["data"]!["newStatus"]!.GetValue<string>() == to;

    [Fact]
    public async Task Time_alone_makes_a_task_overdue_and_a_competence_expiring_then_expired_and_each_change_is_announced_once()
    {
        var w = await EventsTests.WorldAsync(lrs);
        await w.Admin.PostAsync(EventsTests.Completion(w.AgentA));
        var (done, before) = await EventsTests.PullFromAsync(w.Admin);
        done.Should().Contain(e => StatusChange(e, "missing", "valid"));

        Clock.Offset += TimeSpan.FromDays(15);
        var overdue = await WaitForEventAsync(w.Admin, before, e => e["type"]!.GetValue<string>() == "reflection-task.overdue");
        overdue.Should().ContainSingle(e => e["type"]!.GetValue<string>() == "reflection-task.overdue").Which["data"]!["personId"]!.GetValue<string>().Should().Be(w.PersonA);

        // P1Y validity, 60-day window: expiring from day 305, expired from day 365.
        Clock.Offset += TimeSpan.FromDays(300);
        await WaitForEventAsync(w.Admin, before, e => StatusChange(e, "valid", "expiring"));
        Clock.Offset += TimeSpan.FromDays(51);
        var all = await WaitForEventAsync(w.Admin, before, e => StatusChange(e, "expiring", "expired"));
        await Task.Delay(1000);
        all = await EventsTests.PullAsync(w.Admin, from: before);
        all.Select(e => e["type"]!.GetValue<string>()).Should().Equal(["reflection-task.overdue", "competence.status-changed", "competence.status-changed"],
            "each change once, though the pass ran many times");
        (await w.Admin.GetFromJsonAsync<JsonNode>($"/api/people/{w.PersonA}/profile"))!.ToJsonString().Should().Contain("expired");
    }

    [Fact]
    public async Task A_subscription_failing_for_a_day_is_paused_and_resumed_by_an_admin_without_losing_an_event()
    {
        var w = await EventsTests.WorldAsync(lrs);
        await using var receiver = new WebhookReceiver();
        var (_, before) = await EventsTests.PullFromAsync(w.Admin);
        var (id, secret) = await EventsTests.SubscribeAsync(w.Admin, new JsonObject { ["url"] = receiver.Url });
        receiver.Secret = secret;
        await w.Admin.PostAsync(EventsTests.Completion(w.AgentB));
        await EventsTests.WaitForAsync(async () => (await w.Admin.GetFromJsonAsync<JsonNode>($"/api/admin/webhooks/{id}"))!, s => s["lastError"] is not null);

        Clock.Offset += TimeSpan.FromHours(25);
        var paused = await EventsTests.WaitForAsync(async () => (await w.Admin.GetFromJsonAsync<JsonNode>($"/api/admin/webhooks/{id}"))!, s => s["state"]!.GetValue<string>() == "paused");
        paused["lastError"]!.GetValue<string>().Should().NotBeEmpty();

        await receiver.StartAsync();
        await Task.Delay(1000);
        receiver.Deliveries.Should().BeEmpty("a paused subscription gets nothing");
        var resumed = await w.Admin.PostAsync($"/api/admin/webhooks/{id}/resume", null);
        resumed.StatusCode.Should().Be(HttpStatusCode.OK);
        (await resumed.Content.ReadFromJsonAsync<JsonNode>())!["state"]!.GetValue<string>().Should().Be("active");
        var expected = (await EventsTests.PullAsync(w.Admin, from: before)).Select(e => e["id"]!.GetValue<string>()).ToList();
        expected.Should().NotBeEmpty();
        await receiver.WaitForAsync(d => expected.All(e => d.Any(x => x.Id == e)), EventsTests.Patience, "every event after resuming");
        receiver.Deliveries.Select(d => d.Id).Distinct().Should().Equal(expected);
    }
}

/// <summary>A clock that runs with real time plus an offset the test moves forward.</summary>
public sealed class MovableClock : TimeProvider
{
    public TimeSpan Offset { get; set; }

    public override DateTimeOffset GetUtcNow() => DateTimeOffset.UtcNow + Offset;
}

/// <summary><see cref="FastEvents"/> with a clock of the fixture's own.</summary>
public sealed class ClockedEvents : ILrsVariant
{
    public static IReadOnlyDictionary<string, string?> Settings => FastEvents.Settings;

    public static void ConfigureWebHost(IWebHostBuilder builder) => builder.ConfigureServices(services => services.AddSingleton<TimeProvider>(new MovableClock()));
}

public sealed class EventsOverTimeTestsOnSqlite(SqliteLrs<ClockedEvents> lrs) : EventsOverTimeTests(lrs), IClassFixture<SqliteLrs<ClockedEvents>>;

public sealed class EventsOverTimeTestsOnPostgres(PostgresLrs<ClockedEvents> lrs) : EventsOverTimeTests(lrs), IClassFixture<PostgresLrs<ClockedEvents>>;

/// <summary>Deliveries and retries in tenths of seconds instead of seconds.</summary>
public sealed class FastEvents : ILrsVariant
{
    public static IReadOnlyDictionary<string, string?> Settings { get; } = new Dictionary<string, string?>
    {
        ["Lrs:Events:PollMilliseconds"] = "100",
        ["Lrs:Events:RetryBaseSeconds"] = "0.2",
        ["Lrs:Events:RetryMaxSeconds"] = "0.5",
        ["Lrs:Events:TimePassSeconds"] = "0.2",
    };
}

public sealed class EventsTestsOnSqlite(SqliteLrs<FastEvents> lrs) : EventsTests(lrs), IClassFixture<SqliteLrs<FastEvents>>;

public sealed class EventsTestsOnPostgres(PostgresLrs<FastEvents> lrs) : EventsTests(lrs), IClassFixture<PostgresLrs<FastEvents>>
{
    [Fact]
    public async Task An_event_committed_behind_an_older_open_transaction_is_pending_and_follows_once_that_has_ended()
    {
        var w = await WorldAsync(lrs);
        var (_, before) = await PullFromAsync(w.Admin);
        await using var older = new NpgsqlConnection(lrs.StoreConnectionString);
        await older.OpenAsync();
        await using var transaction = await older.BeginTransactionAsync();
        await using (var xid = new NpgsqlCommand("SELECT pg_current_xact_id()", older, transaction)) await xid.ExecuteScalarAsync();

        await w.Admin.PostAsync(Completion(w.AgentA));
        var page = (await w.Admin.GetFromJsonAsync<JsonNode>($"/api/events?cursor={before}"))!;
        page["events"]!.AsArray().Should().BeEmpty("the completion's events wait for the older transaction, so none is read out of order");
        page["pending"]!.GetValue<bool>().Should().BeTrue("they are committed and will follow");
        page["cursor"]!.GetValue<string>().Should().Be(before);

        await transaction.RollbackAsync();
        var (events, _) = await PullFromAsync(w.Admin, "", before);
        events.Select(e => e["type"]!.GetValue<string>()).Should().Contain(["competence.status-changed", "reflection-task.created"]);
    }
}
