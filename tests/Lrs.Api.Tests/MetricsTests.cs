using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using Lrs.Api.Tests.Infrastructure;
using static Lrs.Api.Tests.Infrastructure.Xapi;

namespace Lrs.Api.Tests;

/// <summary>
/// <c>/metrics</c> in Prometheus format, unauthenticated, with the LRS's own meter, scraped from the real executable in its
/// own process. (In one test process, every in-process host would register a meter named LrsApi; OpenTelemetry treats
/// same-named meters as one, so disposing one host's meter ends the export of every other's.) Counts are compared before
/// and after, never as totals: the tests of a class share the process.
/// </summary>
public abstract class MetricsTests(LrsProcessFixture lrs)
{
    private const string Source = "lrs_statement_source";

    [Fact]
    public async Task Metrics_are_scraped_without_credentials_and_count_the_statements_stored_through_xAPI_and_their_batch_sizes()
    {
        var before = await ScrapeAsync();
        using var client = lrs.Client();
        var actor = NewAgent();
        (await client.PostAsync("/xapi/statements", Json(new JsonArray(Statement(actor), Statement(actor), Statement(actor))))).StatusCode.Should().Be(HttpStatusCode.OK);

        // The host records a request's duration only after its response has been sent, so the client can be ahead of it.
        var after = await ScrapeUntilAsync(s => Value(s, "lrs_statements_stored_total", (Source, "xapi")) >= Value(before, "lrs_statements_stored_total", (Source, "xapi")) + 3
            && s.Contains("http_server_request_duration_seconds_count{", StringComparison.Ordinal));
        Value(after, "lrs_statement_batch_size_count", (Source, "xapi")).Should().BeGreaterThanOrEqualTo(Value(before, "lrs_statement_batch_size_count", (Source, "xapi")) + 1);
        after.Should().Contain("# TYPE lrs_statements_stored_total counter");
    }

    [Fact]
    public async Task The_runtime_s_instruments_are_collected_and_those_recorded_on_every_request_or_command_that_the_durations_already_tell_are_not()
    {
        using var client = lrs.Client();
        (await client.PostAsync("/xapi/statements", Json(Statement(NewAgent())))).StatusCode.Should().Be(HttpStatusCode.OK);
        (await client.GetAsync("/xapi/statements?limit=1")).StatusCode.Should().Be(HttpStatusCode.OK);

        var scrape = await ScrapeUntilAsync(s => s.Contains("http_server_request_duration_seconds_count{", StringComparison.Ordinal)
            && (lrs is not PostgresProcess || s.Contains("db_client_operation_duration_seconds_count{", StringComparison.Ordinal)));
        scrape.Should().Contain("http_server_request_duration_seconds_count{").And.Contain("http_server_active_requests");
        if (lrs is PostgresProcess) scrape.Should().Contain("db_client_operation_duration_seconds_count{");
        // The runtime's: what the process costs, and how long its garbage collections stopped it.
        foreach (var runtime in new[] { "dotnet_process_cpu_time_seconds_total{", "dotnet_gc_heap_total_allocated_bytes_total{", "dotnet_gc_pause_time_seconds_total{",
                     "dotnet_thread_pool_queue_length_total{" })
            scrape.Should().Contain(runtime);
        foreach (var dropped in new[] { "db_client_operation_npgsql_executing", "aspnetcore_routing_match_attempts", "aspnetcore_authentication_authenticate_duration",
                     "aspnetcore_authorization_attempts" })
            scrape.Should().NotContain(dropped);
    }

    [Fact]
    public async Task Concurrent_requests_are_counted_in_group_commit_sizes_and_each_request_s_wait_is_measured()
    {
        const int requests = 24;
        var before = await ScrapeAsync();
        using var client = lrs.Client();
        var responses = await Task.WhenAll(Enumerable.Range(0, requests).Select(_ => client.PostAsync("/xapi/statements", Json(Statement(NewAgent())))));
        responses.Should().OnlyContain(r => r.StatusCode == HttpStatusCode.OK);

        var after = await ScrapeUntilAsync(s => Value(s, "lrs_group_commit_wait_duration_seconds_count") >= Value(before, "lrs_group_commit_wait_duration_seconds_count") + requests);
        var requestsInGroups = Value(after, "lrs_group_commit_size_sum") - Value(before, "lrs_group_commit_size_sum");
        var groups = Value(after, "lrs_group_commit_size_count") - Value(before, "lrs_group_commit_size_count");
        requestsInGroups.Should().BeGreaterThanOrEqualTo(requests, "every request is written in some group");
        groups.Should().BeInRange(1, requestsInGroups);
        after.Should().Contain("# TYPE lrs_group_commit_wait_duration_seconds histogram");
    }

    [Fact]
    public async Task Invalid_batches_are_counted_by_the_statement_property_whose_rule_failed_and_never_by_their_message()
    {
        var before = await ScrapeAsync();
        using var client = lrs.Client();
        var badVerb = Statement(NewAgent());
        badVerb["verb"] = new JsonObject { ["id"] = "not an IRI" };
        var badActor = Statement(NewAgent());
        badActor["actor"] = new JsonObject { ["mbox"] = "anna@example" };
        var id = Guid.NewGuid().ToString();
        foreach (var body in new JsonNode[] { badVerb, new JsonArray(Statement(NewAgent()), badActor), new JsonArray(Statement(NewAgent(), id: id), Statement(NewAgent(), id: id)) })
            (await client.PostAsync("/xapi/statements", Json(body))).StatusCode.Should().Be(HttpStatusCode.BadRequest);

        var after = await ScrapeUntilAsync(s => Value(s, "lrs_statement_validation_failures_total", ("error_type", "id")) >= Value(before, "lrs_statement_validation_failures_total", ("error_type", "id")) + 1);
        foreach (var reason in new[] { "verb", "actor", "id" })
            Value(after, "lrs_statement_validation_failures_total", ("error_type", reason))
                .Should().BeGreaterThanOrEqualTo(Value(before, "lrs_statement_validation_failures_total", ("error_type", reason)) + 1, reason);
        after.Should().NotContain("not an IRI").And.NotContain("anna@example");
        foreach (var line in after.Split('\n').Where(l => l.StartsWith("lrs_statement_validation_failures_total{", StringComparison.Ordinal)))
            Label(line, "error_type").Should().BeOneOf("id", "actor", "verb", "object", "result", "context", "timestamp", "stored", "authority", "version", "attachments", "statement");
    }

    [Fact]
    public async Task Failed_logins_are_counted_by_kind_and_an_address_refused_for_guessing_is_counted_as_throttled()
    {
        // From an address of its own on the loopback network: its failed logins lock out no other test's client.
        using var guesser = ClientFrom(IPAddress.Parse("127.0.0.2"));
        var before = await ScrapeAsync();

        (await Send(guesser, "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("no-colon")))).Should().Be(HttpStatusCode.Unauthorized);
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < MetricsSettings.FailedLoginsPerMinute + 1; i++)
            statuses.Add(await Send(guesser, "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{LrsProcessFixture.Key}:guess-{i}"))));
        statuses.Should().Contain(HttpStatusCode.Unauthorized).And.EndWith(HttpStatusCode.TooManyRequests);

        const string Failures = "lrs_authentication_failures_total";
        var after = await ScrapeUntilAsync(s => Value(s, "lrs_requests_throttled_total", ("lrs_throttle_reason", "failed_logins")) >= Value(before, "lrs_requests_throttled_total", ("lrs_throttle_reason", "failed_logins")) + 1);
        Value(after, Failures, ("lrs_authentication_scheme", "basic"), ("error_type", "malformed"))
            .Should().BeGreaterThanOrEqualTo(Value(before, Failures, ("lrs_authentication_scheme", "basic"), ("error_type", "malformed")) + 1);
        Value(after, Failures, ("lrs_authentication_scheme", "basic"), ("error_type", "unknown_credential"))
            .Should().BeGreaterThanOrEqualTo(Value(before, Failures, ("lrs_authentication_scheme", "basic"), ("error_type", "unknown_credential")) + statuses.Count(s => s == HttpStatusCode.Unauthorized));
        after.Should().NotContain(LrsProcessFixture.Key).And.NotContain("127.0.0.2");

        static async Task<HttpStatusCode> Send(HttpClient client, string authorization)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/xapi/statements?limit=1");
            request.Headers.TryAddWithoutValidation("Authorization", authorization);
            request.Headers.Add("X-Experience-API-Version", "1.0.3");
            return (await client.SendAsync(request)).StatusCode;
        }
    }

    [Fact]
    public async Task Requests_beyond_a_credential_s_rate_are_counted_as_throttled()
    {
        using var admin = lrs.Client();
        var issued = await admin.PostAsJsonAsync("/api/admin/credentials", new { name = "rate", scopes = new[] { "statements/read" } });
        issued.StatusCode.Should().Be(HttpStatusCode.Created, await issued.Content.ReadAsStringAsync());
        var credential = (await issued.Content.ReadFromJsonAsync<JsonObject>())!;
        using var client = FirstStartTests.Authenticated(lrs.Lrs, credential["key"]!.GetValue<string>(), credential["secret"]!.GetValue<string>(), "1.0.3");
        // Verified once (the slow hash), so that the burst below is answered faster than the bucket refills.
        (await client.GetAsync("/xapi/statements?limit=1")).StatusCode.Should().Be(HttpStatusCode.OK);
        var before = await ScrapeAsync();

        var statuses = await Task.WhenAll(Enumerable.Range(0, 2 * MetricsSettings.Burst).Select(async _ => (await client.GetAsync("/xapi/statements?limit=1")).StatusCode));
        var refused = statuses.Count(s => s == HttpStatusCode.TooManyRequests);
        refused.Should().BePositive();

        var after = await ScrapeUntilAsync(s => Value(s, "lrs_requests_throttled_total", ("lrs_throttle_reason", "rate_limit")) >= Value(before, "lrs_requests_throttled_total", ("lrs_throttle_reason", "rate_limit")) + refused);
        Value(after, "lrs_requests_throttled_total", ("lrs_throttle_reason", "rate_limit")).Should().BeGreaterThanOrEqualTo(Value(before, "lrs_requests_throttled_total", ("lrs_throttle_reason", "rate_limit")) + refused);
    }

    [Fact]
    public async Task Statements_of_sessions_webinars_and_answers_are_counted_by_source_with_the_evidence_and_tasks_they_created()
    {
        using var admin = lrs.Client("2.0.0");
        var created = await admin.PostAsJsonAsync("/api/admin/tenants", new { name = "m-" + Guid.NewGuid().ToString("N")[..10], credential = new { name = "hr" } });
        created.StatusCode.Should().Be(HttpStatusCode.Created, await created.Content.ReadAsStringAsync());
        var credential = (await created.Content.ReadFromJsonAsync<JsonObject>())!["credential"]!;
        using var client = FirstStartTests.Authenticated(lrs.Lrs, credential["key"]!.GetValue<string>(), credential["secret"]!.GetValue<string>());
        await SessionTests.SetUpTenantAsync(client);
        var before = await ScrapeAsync();

        // S-1 passes with a sign-off (evidence, and the transfer reflection task), S-2 attends: three statements.
        (await client.PutAsync("/api/sessions/forfl-m", Json(SessionTests.Session(SessionTests.Participant("S-1", "passed", "N-1"), SessionTests.Participant("S-2", "attended")))))
            .StatusCode.Should().Be(HttpStatusCode.Created);
        (await client.PutAsync("/api/webinars/pall-m", Json(SessionTests.WebinarBody()))).StatusCode.Should().Be(HttpStatusCode.Created);
        (await client.PutAsync("/api/webinars/pall-m/attendance", new StringContent(SessionTests.WithIds(SessionTests.Zoom), Encoding.UTF8, "text/csv")))
            .StatusCode.Should().Be(HttpStatusCode.OK);
        var task = (await client.GetFromJsonAsync<JsonNode>("/api/reflection-tasks?person=S-1&template=webbinarium-reflektion"))!["tasks"]!.AsArray().Single()!;
        var answer = new JsonObject { ["answers"] = new JsonArray(new JsonObject { ["promptId"] = "ta-med", ["response"] = "Lugnet vid sängkanten." }) };
        (await client.PostAsync($"/api/reflection-tasks/{task["id"]}/answers", Json(answer))).StatusCode.Should().Be(HttpStatusCode.OK);

        double Grew(string scrape, string metric, params (string, string)[] labels) => Value(scrape, metric, labels) - Value(before, metric, labels);
        var after = await ScrapeUntilAsync(s => Grew(s, "lrs_statements_stored_total", (Source, "answer")) >= 1);
        Grew(after, "lrs_statements_stored_total", (Source, "session")).Should().BeGreaterThanOrEqualTo(3);
        Grew(after, "lrs_statements_stored_total", (Source, "webinar")).Should().BeGreaterThanOrEqualTo(3);
        Grew(after, "lrs_statement_batch_size_count", (Source, "webinar")).Should().BeGreaterThanOrEqualTo(1);
        // Evidence: S-1's transfer (pending its sign-off), the palliative care of S-1 and S-3; tasks: S-1's transfer
        // reflection and the webinar reflections of S-1 and S-3.
        Grew(after, "lrs_competence_evidence_created_total").Should().BeGreaterThanOrEqualTo(3);
        Grew(after, "lrs_reflection_tasks_created_total").Should().BeGreaterThanOrEqualTo(3);
        after.Should().NotContain("S-1").And.NotContain("Lugnet");
    }

    private HttpClient Scraper() => new() { BaseAddress = lrs.Lrs.BaseAddress };

    private async Task<string> ScrapeAsync()
    {
        using var scraper = Scraper();
        var response = await scraper.GetAsync("/metrics");
        response.StatusCode.Should().Be(HttpStatusCode.OK);
        return await response.Content.ReadAsStringAsync();
    }

    // The exporter may answer from a scrape cached for a moment: scrape again until the expected counts show (or 10 s).
    private async Task<string> ScrapeUntilAsync(Func<string, bool> complete)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        string scrape;
        while (!complete(scrape = await ScrapeAsync()) && DateTime.UtcNow < deadline) await Task.Delay(100);
        return scrape;
    }

    private HttpClient ClientFrom(IPAddress local) => new(new SocketsHttpHandler
    {
        ConnectCallback = async (context, ct) =>
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            socket.Bind(new IPEndPoint(local, 0));
            await socket.ConnectAsync(context.DnsEndPoint, ct);
            return new NetworkStream(socket, ownsSocket: true);
        },
    }) { BaseAddress = lrs.Lrs.BaseAddress };

    /// <summary>The sum of the samples of <paramref name="metric"/> whose labels include <paramref name="labels"/> (0 when none).</summary>
    internal static double Value(string scrape, string metric, params (string Name, string Value)[] labels) => scrape.Split('\n')
        .Where(l => (l.StartsWith(metric + "{", StringComparison.Ordinal) || l.StartsWith(metric + " ", StringComparison.Ordinal))
            && labels.All(x => l.Contains($"{x.Name}=\"{x.Value}\"", StringComparison.Ordinal)))
        .Sum(l => double.Parse(l[(l.LastIndexOf('}') is var close and > 0 ? close + 2 : metric.Length + 1)..].Split(' ')[0], CultureInfo.InvariantCulture));

    private static string Label(string line, string name)
    {
        var start = line.IndexOf(name + "=\"", StringComparison.Ordinal) + name.Length + 2;
        return line[start..line.IndexOf('"', start)];
    }
}

/// <summary>Limits low enough for the metrics tests to reach: the bootstrap credential stays well below them.</summary>
public static class MetricsSettings
{
    public const int FailedLoginsPerMinute = 5;
    public const int Burst = 60;

    public static IReadOnlyDictionary<string, string> Environment { get; } = new Dictionary<string, string>
    {
        ["Lrs__Limits__FailedLoginsPerMinute"] = FailedLoginsPerMinute.ToString(CultureInfo.InvariantCulture),
        ["Lrs__Limits__RequestsPerSecond"] = "20",
        ["Lrs__Limits__Burst"] = Burst.ToString(CultureInfo.InvariantCulture),
    };
}

public sealed class MetricsSqliteProcess : SqliteProcess
{
    protected override IReadOnlyDictionary<string, string> Settings => MetricsSettings.Environment;
}

public sealed class MetricsPostgresProcess : PostgresProcess
{
    protected override IReadOnlyDictionary<string, string> Settings => MetricsSettings.Environment;
}

public sealed class MetricsTestsOnSqlite(MetricsSqliteProcess lrs) : MetricsTests(lrs), IClassFixture<MetricsSqliteProcess>;
public sealed class MetricsTestsOnPostgres(MetricsPostgresProcess lrs) : MetricsTests(lrs), IClassFixture<MetricsPostgresProcess>;

/// <summary>The switch that turns metrics off: nothing is served at <c>/metrics</c>, and the LRS works as before.</summary>
public sealed class MetricsSwitchTests
{
    [Fact]
    public async Task With_metrics_disabled_metrics_are_not_served_and_statements_are_still_stored()
    {
        var directory = Directory.CreateTempSubdirectory("lrs-nometrics-").FullName;
        try
        {
            await using var lrs = await LrsProcess.StartAsync(directory, new Dictionary<string, string>
            {
                ["Lrs__Metrics__Enabled"] = "false",
                ["Lrs__Bootstrap__Key"] = LrsProcessFixture.Key,
                ["Lrs__Bootstrap__Secret"] = LrsProcessFixture.Secret,
            });
            using var client = FirstStartTests.Authenticated(lrs, LrsProcessFixture.Key, LrsProcessFixture.Secret, "1.0.3");
            (await client.PostAsync("/xapi/statements", Json(Statement(NewAgent())))).StatusCode.Should().Be(HttpStatusCode.OK);
            using var scraper = new HttpClient { BaseAddress = lrs.BaseAddress };
            (await scraper.GetAsync("/metrics")).StatusCode.Should().Be(HttpStatusCode.NotFound);
        }
        finally
        {
            try { Directory.Delete(directory, recursive: true); } catch (IOException) { }
        }
    }
}
