using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Lrs.Api.Tests.Infrastructure;
using static Lrs.Api.Tests.Infrastructure.Xapi;

namespace Lrs.Api.Tests;

/// <summary>At least once across a crash: kill -9 of the LRS while it delivers, restart, every event arrives, in order.</summary>
public sealed class WebhookCrashTests
{
    [Theory]
    [InlineData("Sqlite")]
    [InlineData("Postgres")]
    public async Task Kill_9_during_delivery_then_restart_delivers_every_event_in_order_repeating_only_with_the_same_id(string provider)
    {
        var directory = Directory.CreateTempSubdirectory("lrs-webhook-crash-").FullName;
        var environment = LrsProcess.FreshStore(provider, directory, "crash", "crash-secret");
        environment["Lrs__Events__PollMilliseconds"] = "100";
        environment["Lrs__Events__RetryBaseSeconds"] = "0.2";
        environment["Lrs__Events__RetryMaxSeconds"] = "0.5";
        await using var receiver = new WebhookReceiver { Delay = TimeSpan.FromMilliseconds(150) };
        await receiver.StartAsync();
        try
        {
            List<string> expected;
            await using (var lrs = await LrsProcess.StartAsync(directory, environment))
            {
                using var admin = FirstStartTests.Authenticated(lrs, "crash", "crash-secret");
                var issued = await admin.PostAsync("/api/admin/credentials", Json(new JsonObject { ["name"] = "hr", ["scopes"] = new JsonArray("people:write", "profiles:read") }));
                var credential = (await issued.Content.ReadFromJsonAsync<JsonNode>())!;
                using var hr = FirstStartTests.Authenticated(lrs, credential["key"]!.GetValue<string>(), credential["secret"]!.GetValue<string>());
                var subscribed = await admin.PostAsync("/api/admin/webhooks", Json(new JsonObject { ["url"] = receiver.Url, ["types"] = new JsonArray("person.changed") }));
                subscribed.StatusCode.Should().Be(HttpStatusCode.Created);
                receiver.Secret = (await subscribed.Content.ReadFromJsonAsync<JsonNode>())!["secret"]!.GetValue<string>();

                (await hr.PutAsync("/api/organisations", Json(new JsonArray(new JsonObject { ["id"] = "solna-stad", ["name"] = "Solna stad" })))).EnsureSuccessStatusCode();
                (await hr.PutAsync("/api/people", Json(new JsonArray([.. Enumerable.Range(1, 40).Select(i => (JsonNode)new JsonObject
                {
                    ["id"] = $"S-{i}", ["organisationId"] = "solna-stad", ["agents"] = new JsonArray(NewAgent()),
                })])))).EnsureSuccessStatusCode();
                // Settled: on PostgreSQL, events wait for older transactions (of other tests) to end.
                var (events, _) = await EventsTests.PullFromAsync(hr);
                expected = [.. events.Select(e => e["id"]!.GetValue<string>())];
                expected.Should().HaveCount(40);

                await receiver.WaitForAsync(d => d.Count >= 5, TimeSpan.FromSeconds(30), "the first deliveries");
                await lrs.KillAsync();
            }
            var beforeRestart = receiver.Deliveries.Select(d => d.Id).Distinct().Count();
            beforeRestart.Should().BeLessThan(40, "the kill came during delivery");

            await using (var restarted = await LrsProcess.StartAsync(directory, environment))
                await receiver.WaitForAsync(d => expected.All(e => d.Any(x => x.Id == e)), TimeSpan.FromSeconds(60), "every event after the restart");

            var deliveries = receiver.Deliveries.ToList();
            deliveries.Should().OnlyContain(d => d.SignatureValid);
            deliveries.Select(d => d.Id).Distinct().Should().Equal(expected, "in order, each event at least once");
            foreach (var group in deliveries.GroupBy(d => d.Id)) group.Select(d => d.Body).Distinct().Should().HaveCount(1);
        }
        finally
        {
            try { Directory.Delete(directory, recursive: true); } catch (IOException) { }
        }
    }
}
