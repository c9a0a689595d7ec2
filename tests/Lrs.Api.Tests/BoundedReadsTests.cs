using System.Text.Json.Nodes;
using Lrs.Api.Tests.Infrastructure;
using Lrs.Storage.Postgres;
using Npgsql;
using static Lrs.Api.Tests.Infrastructure.Xapi;

namespace Lrs.Api.Tests;

/// <summary>At most two statement queries against the database at once (<c>Lrs:Storage:Readers</c>).</summary>
public sealed class TwoReaders : ILrsVariant
{
    public static IReadOnlyDictionary<string, string?> Settings { get; } = new Dictionary<string, string?> { ["Lrs:Storage:Readers"] = "2" };
}

/// <summary>
/// Statement queries beyond the readers' bound wait their turn: every one of many at once answers with its own statements,
/// and on PostgreSQL they run on the readers' own connections, never more of them than the bound.
/// </summary>
public abstract class BoundedReadsTests(LrsFixture lrs)
{
    [Fact]
    public async Task Many_queries_at_once_each_answer_their_own_page_through_at_most_the_bound_of_readers()
    {
        using var client = lrs.Client();
        // Twelve agents with 3 … 14 statements each: a page that answered for another agent would have another count.
        var agents = Enumerable.Range(3, 12).Select(n => (Agent: NewAgent(), Count: n)).ToList();
        foreach (var (agent, count) in agents)
            await client.PostAsync([.. Enumerable.Range(0, count).Select(_ => (JsonNode)Statement(actor: (JsonObject)agent.DeepClone()))]);

        var postgres = lrs.StoreName == "Postgres";
        using var sampling = new CancellationTokenSource();
        var sampler = postgres ? SampleReadersAsync(lrs.StoreConnectionString, sampling.Token) : Task.FromResult(new List<long>());

        var queries = Enumerable.Range(0, 4).SelectMany(_ => agents).Select(async a =>
        {
            using var reader = lrs.Client();
            var page = await reader.GetAllAsync($"/xapi/statements?agent={Q(a.Agent)}&limit=20");
            return (a.Count, Found: page.Count, Actors: page.Select(s => s["actor"]!.ToJsonString()).Distinct().ToList());
        }).ToList();
        var answers = await Task.WhenAll(queries);
        await sampling.CancelAsync();
        var seen = await sampler;

        answers.Should().HaveCount(48);
        answers.Should().OnlyContain(a => a.Found == a.Count && a.Actors.Count == 1);
        if (!postgres) return;
        seen.Should().NotBeEmpty().And.Contain(n => n > 0, "the queries run on the readers' own connections");
        seen.Should().OnlyContain(n => n <= 2, "no more readers' connections than the bound");
    }

    // How many connections of the readers' pool the server has, sampled until cancelled (and once more after).
    private static async Task<List<long>> SampleReadersAsync(string connectionString, CancellationToken ct)
    {
        var counts = new List<long>();
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(CancellationToken.None);
        await using var command = new NpgsqlCommand(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND application_name = @name", connection)
        { Parameters = { new("name", PostgresDatabase.ReadsName) } };
        do
        {
            counts.Add((long)(await command.ExecuteScalarAsync(CancellationToken.None))!);
            try { await Task.Delay(5, ct); } catch (OperationCanceledException) { }
        }
        while (!ct.IsCancellationRequested);
        counts.Add((long)(await command.ExecuteScalarAsync(CancellationToken.None))!);
        return counts;
    }
}

public sealed class BoundedReadsTestsOnSqlite(SqliteLrs<TwoReaders> lrs) : BoundedReadsTests(lrs), IClassFixture<SqliteLrs<TwoReaders>>;
public sealed class BoundedReadsTestsOnPostgres(PostgresLrs<TwoReaders> lrs) : BoundedReadsTests(lrs), IClassFixture<PostgresLrs<TwoReaders>>;
