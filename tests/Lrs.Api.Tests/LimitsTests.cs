using System.Net;
using System.Text.Json.Nodes;
using Lrs.Api.Tests.Infrastructure;
using static Lrs.Api.Tests.Infrastructure.Xapi;

namespace Lrs.Api.Tests;

/// <summary>Every request is bounded: per-credential rate (429 with Retry-After) and body size (413), both configurable.</summary>
public abstract class LimitsTests(LrsFixture lrs)
{
    [Fact]
    public async Task A_credential_beyond_its_burst_gets_429_with_Retry_After_and_others_are_not_affected()
    {
        var busy = await lrs.ClientWithScopesAsync("all");
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 8; i++) statuses.Add((await busy.GetAsync("/xapi/statements?limit=1")).StatusCode);
        statuses.Should().Contain(HttpStatusCode.TooManyRequests);
        statuses.Take(3).Should().OnlyContain(s => s == HttpStatusCode.OK, "the burst is 3");

        var limited = await busy.GetAsync("/xapi/statements?limit=1");
        limited.StatusCode.Should().Be(HttpStatusCode.TooManyRequests);
        limited.Headers.RetryAfter.Should().NotBeNull();
        limited.Header("X-Experience-API-Version").Should().NotBeNull();
        (await limited.Content.ReadAsStringAsync()).Should().Contain("Too many requests");

        var calm = await lrs.ClientWithScopesAsync("all");
        (await calm.GetAsync("/xapi/statements?limit=1")).StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task A_body_over_the_configured_size_is_413_and_stores_nothing()
    {
        var client = await lrs.ClientWithScopesAsync("all");
        var actor = NewAgent();
        var big = Statement(actor);
        big["result"]!["response"] = new string('x', 40_000);
        var response = await client.PostAsync("/xapi/statements", Json(big));
        response.StatusCode.Should().Be(HttpStatusCode.RequestEntityTooLarge);

        var reader = await lrs.ClientWithScopesAsync("all");
        (await reader.GetAllAsync($"/xapi/statements?agent={Q(actor)}")).Should().BeEmpty();
    }

    [Fact]
    public async Task A_batch_over_the_configured_statement_count_is_413_naming_the_limit_and_stores_nothing()
    {
        var client = await lrs.ClientWithScopesAsync("all");
        var actor = NewAgent();
        JsonArray Batch(int n) => [.. Enumerable.Range(0, n).Select(_ => new JsonObject
        {
            ["actor"] = actor.DeepClone(), ["verb"] = new JsonObject { ["id"] = Completed }, ["object"] = new JsonObject { ["id"] = "https://lrs.example/a" },
        })];

        var tooMany = await client.PostAsync("/xapi/statements", Json(Batch(6)));
        tooMany.StatusCode.Should().Be(HttpStatusCode.RequestEntityTooLarge);
        (await tooMany.Content.ReadAsStringAsync()).Should().Contain("6 statements").And.Contain("at most 5");
        (await client.GetAllAsync($"/xapi/statements?agent={Q(actor)}")).Should().BeEmpty();

        (await client.PostAsync("/xapi/statements", Json(Batch(5)))).StatusCode.Should().Be(HttpStatusCode.OK);
    }
}

public sealed class TightLimits : ILrsVariant
{
    public static IReadOnlyDictionary<string, string?> Settings { get; } = new Dictionary<string, string?>
    {
        ["Lrs:Limits:RequestsPerSecond"] = "1", ["Lrs:Limits:Burst"] = "3", ["Lrs:Limits:MaxRequestBytes"] = "20000",
        ["Lrs:Limits:MaxStatementsPerRequest"] = "5",
    };
}

public sealed class LimitsTestsOnSqlite(SqliteLrs<TightLimits> lrs) : LimitsTests(lrs), IClassFixture<SqliteLrs<TightLimits>>;
public sealed class LimitsTestsOnPostgres(PostgresLrs<TightLimits> lrs) : LimitsTests(lrs), IClassFixture<PostgresLrs<TightLimits>>;
