using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using Lrs.Api.Tests.Infrastructure;
using static Lrs.Api.Tests.Infrastructure.Xapi;

namespace Lrs.Api.Tests;

/// <summary><c>/metrics</c> in Prometheus format, unauthenticated, with the LRS's own meter.</summary>
public abstract class MetricsTests(LrsFixture lrs)
{
    private const string StoredXapi = "lrs_statements_stored_total{";

    [Fact]
    public async Task Metrics_are_scraped_without_credentials_and_count_the_statements_stored_through_xAPI_and_their_batch_sizes()
    {
        using var scraper = lrs.CreateClient();
        var before = await ScrapeAsync(scraper);
        var storedBefore = Sum(before, StoredXapi);
        var batchesBefore = Sum(before, "lrs_statement_batch_size_count{");

        var client = lrs.Client();
        var actor = NewAgent();
        (await client.PostAsync("/xapi/statements", Json(new JsonArray(Statement(actor), Statement(actor), Statement(actor))))).StatusCode.Should().Be(HttpStatusCode.OK);

        // The exporter may answer from a scrape cached for a moment, and the host records a request's duration only
        // after its response has been sent, so the client can be ahead of it.
        var deadline = DateTime.UtcNow.AddSeconds(10);
        string after;
        while (!Complete(after = await ScrapeAsync(scraper)) && DateTime.UtcNow < deadline) await Task.Delay(100);
        Sum(after, StoredXapi).Should().BeGreaterThanOrEqualTo(storedBefore + 3, after);
        Sum(after, "lrs_statement_batch_size_count{").Should().BeGreaterThanOrEqualTo(batchesBefore + 1, after);
        after.Should().Contain("# TYPE lrs_statements_stored_total counter").And.Contain("http_server_request_duration_seconds");

        bool Complete(string scrape) => Sum(scrape, StoredXapi) >= storedBefore + 3
            && scrape.Contains("http_server_request_duration_seconds", StringComparison.Ordinal);
    }

    private static async Task<string> ScrapeAsync(HttpClient scraper)
    {
        var response = await scraper.GetAsync("/metrics");
        response.StatusCode.Should().Be(HttpStatusCode.OK);
        return await response.Content.ReadAsStringAsync();
    }

    // The samples of one metric for statements from xAPI: "name{labels} value [timestamp]".
    private static double Sum(string scrape, string metric) => scrape.Split('\n')
        .Where(l => l.StartsWith(metric, StringComparison.Ordinal) && l.Contains("lrs_statement_source=\"xapi\"", StringComparison.Ordinal))
        .Sum(l => double.Parse(l[(l.IndexOf('}') + 2)..].Split(' ')[0], CultureInfo.InvariantCulture));
}

public sealed class MetricsTestsOnSqlite(SqliteLrs lrs) : MetricsTests(lrs), IClassFixture<SqliteLrs>;
public sealed class MetricsTestsOnPostgres(PostgresLrs lrs) : MetricsTests(lrs), IClassFixture<PostgresLrs>;
