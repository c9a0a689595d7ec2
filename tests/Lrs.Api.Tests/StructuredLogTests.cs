using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Lrs.Api.Demo;
using Lrs.Api.Tests.Infrastructure;
using static Lrs.Api.Tests.Infrastructure.Xapi;

namespace Lrs.Api.Tests;

/// <summary>
/// With <c>Logging__Console__FormatterName=json</c> the server's log is one JSON object a line, and neither successes
/// nor failures put the demo people's names, addresses, employee ids or answer text into it. Once, on SQLite: the
/// log calls are the same for either store.
/// </summary>
public sealed class StructuredLogTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("lrs-logs-").FullName;

    [Fact]
    public async Task With_the_json_formatter_every_log_line_is_JSON_and_none_names_a_demo_person_or_answer_text()
    {
        var environment = new Dictionary<string, string> { ["Logging__Console__FormatterName"] = "json" };
        var seeded = await AdminCommandTests.RunAsync(_directory, environment, "demo", "seed", "--tenant", "demo", "--people", "24", "--statements-per-person", "5");
        seeded.ExitCode.Should().Be(0, seeded.Error);
        var demo = DemoTenant.Generate(seed: 42, people: 24, now: DateTimeOffset.UtcNow);
        const string answer = "Jag glömde att kontrollera identiteten innan jag gav läkemedlet";

        await using var lrs = await LrsProcess.StartAsync(_directory, environment);
        using var client = FirstStartTests.Authenticated(lrs, AdminCommandTests.KeyLine().Match(seeded.Output).Groups[1].Value, AdminCommandTests.SecretLine().Match(seeded.Output).Groups[1].Value);
        var person = demo.People.First(p => p.Agents.Any(a => a["mbox"] is not null));
        var agent = (JsonObject)person.Agents.First(a => a["mbox"] is not null).DeepClone();
        var stored = JsonNode.Parse(await client.GetStringAsync($"/api/people/{Uri.EscapeDataString(person.EmployeeId)}"))!;
        stored.ToJsonString().Should().Contain(person.Email, "the demo generated here is the one seeded, so its names are the ones to look for");
        (await client.GetAsync($"/xapi/statements?agent={Q(agent)}")).StatusCode.Should().Be(HttpStatusCode.OK);

        var answered = Statement(agent);
        answered["result"] = new JsonObject { ["response"] = answer };
        (await client.PostAsync("/xapi/statements", Json(answered))).StatusCode.Should().Be(HttpStatusCode.OK);

        // Failures: an invalid statement about the person, a bad query naming them, a bad login with their address,
        // and things that are not there.
        var invalid = Statement(agent);
        invalid["result"] = new JsonObject { ["response"] = answer, ["score"] = new JsonObject { ["scaled"] = 7 } };
        invalid["verb"] = new JsonObject { ["id"] = "not a verb" };
        (await client.PostAsync("/xapi/statements", Json(invalid))).StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await client.GetAsync($"/xapi/statements?agent={Uri.EscapeDataString($"{{\"name\":\"{person.Name}\",\"mbox\":\"{person.Email}\"}}")}"))
            .StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await client.GetAsync($"/api/people/{Uri.EscapeDataString(person.EmployeeId)}-gone")).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await client.GetAsync($"/xapi/statements?statementId={Guid.NewGuid()}")).StatusCode.Should().Be(HttpStatusCode.NotFound);
        using var stranger = new HttpClient { BaseAddress = lrs.BaseAddress };
        stranger.DefaultRequestHeaders.Add("X-Experience-API-Version", "1.0.3");
        stranger.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{person.Email}:wrong")));
        (await stranger.GetAsync("/xapi/statements")).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        await Task.Delay(500);

        var lines = lrs.Output.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        lines.Should().NotBeEmpty("the host logs its start");
        foreach (var line in lines)
        {
            var parse = () => JsonDocument.Parse(line).Dispose();
            parse.Should().NotThrow("every log line is JSON: {0}", line);
        }
        var personal = demo.People.SelectMany(p => new[] { p.Name, p.Email, p.EmployeeId })
            .Concat(demo.People.SelectMany(p => p.Name.Split(' ')).Where(n => n.Length > 3))
            .Append(answer).Distinct().ToList();
        foreach (var value in personal)
            lrs.Output.Should().NotContainEquivalentOf(value, "the log carries no personal data or answer text");
    }

    public void Dispose()
    {
        try { Directory.Delete(_directory, recursive: true); } catch (IOException) { }
    }
}
