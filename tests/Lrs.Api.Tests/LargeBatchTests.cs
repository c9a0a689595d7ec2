using System.Net;
using System.Text.Json.Nodes;
using Lrs.Api.Tests.Infrastructure;
using static Lrs.Api.Tests.Infrastructure.Xapi;

namespace Lrs.Api.Tests;

/// <summary>Every batch size the LRS accepts is stored, on every store: no statement of SQL outgrows a database's limits.</summary>
public abstract class LargeBatchTests(LrsFixture lrs)
{
    // SQLite takes at most 32,766 variables in one SQL statement; a batch this large once needed one more.
    private const int BatchSize = 32_766;

    [Fact]
    public async Task A_batch_of_32766_statements_is_stored_and_the_same_batch_again_is_accepted_as_duplicates()
    {
        var client = lrs.Client();
        var actor = NewAgent();
        var activity = NewActivityId();
        var batch = new JsonArray();
        for (var i = 0; i < BatchSize; i++)
            batch.Add(new JsonObject
            {
                ["id"] = Guid.NewGuid().ToString(),
                ["actor"] = actor.DeepClone(),
                ["verb"] = new JsonObject { ["id"] = Completed },
                ["object"] = new JsonObject { ["id"] = activity },
            });

        var first = await client.PostAsync("/xapi/statements", Json(batch));
        first.StatusCode.Should().Be(HttpStatusCode.OK, await first.Content.ReadAsStringAsync());
        JsonNode.Parse(await first.Content.ReadAsStringAsync())!.AsArray().Should().HaveCount(BatchSize);

        // Every statement is stored already: the duplicate check looks all of them up, and same content is no conflict.
        var again = await client.PostAsync("/xapi/statements", Json(batch));
        again.StatusCode.Should().Be(HttpStatusCode.OK, await again.Content.ReadAsStringAsync());

        var last = batch[^1]!["id"]!.GetValue<string>();
        (await client.GetAsync($"/xapi/statements?statementId={last}")).StatusCode.Should().Be(HttpStatusCode.OK);
        var (_, page) = await client.GetJsonAsync($"/xapi/statements?agent={Q(actor)}&limit=1");
        page!["more"]!.GetValue<string>().Should().NotBeEmpty();
    }
}

public sealed class SqliteLrsWithLargeBatches : SqliteLrs
{
    protected override IReadOnlyDictionary<string, string?> Settings { get; } = new Dictionary<string, string?> { ["Lrs:Limits:MaxStatementsPerRequest"] = "40000", ["Lrs:Limits:MaxRequestBytes"] = "30000000" };
}

public sealed class PostgresLrsWithLargeBatches : PostgresLrs
{
    protected override IReadOnlyDictionary<string, string?> Settings { get; } = new Dictionary<string, string?> { ["Lrs:Limits:MaxStatementsPerRequest"] = "40000", ["Lrs:Limits:MaxRequestBytes"] = "30000000" };
}

public sealed class LargeBatchTestsOnSqlite(SqliteLrsWithLargeBatches lrs) : LargeBatchTests(lrs), IClassFixture<SqliteLrsWithLargeBatches>;
public sealed class LargeBatchTestsOnPostgres(PostgresLrsWithLargeBatches lrs) : LargeBatchTests(lrs), IClassFixture<PostgresLrsWithLargeBatches>;
