using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Text.Json.Nodes;
using Lrs.Api.Hosting;
using Lrs.Api.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using static Lrs.Api.Tests.Infrastructure.Xapi;

namespace Lrs.Api.Tests;

/// <summary>PostgreSQL's statistics of the statements' keys read again at every query, so that a test sees them as analysed.</summary>
public sealed class FreshKeyStatistics : ILrsVariant
{
    public static IReadOnlyDictionary<string, string?> Settings { get; } = new Dictionary<string, string?> { ["Lrs:Storage:KeyStatisticsSeconds"] = "0" };
}

/// <summary>
/// A statement query reads the statements of a key that few carry first, and chooses the page of a key that many carry in stored
/// order (<c>lrs.statement.queries</c> by <c>lrs.query.form</c>), with the same pages either way. SQLite counts the key's index
/// rows (below 1,000); PostgreSQL estimates them from its statistics of <c>key_hashes</c> as its planner does (below
/// <c>Lrs:Storage:RareKeyStatements</c>, 1,000).
/// </summary>
public abstract class QueryFormTests(LrsFixture lrs)
{
    [Fact]
    public async Task A_key_on_few_statements_is_read_first_and_a_key_on_many_in_stored_order_and_both_page_in_stored_order()
    {
        using var client = lrs.Client();
        var verb = "https://lrs.example/verbs/" + Guid.NewGuid().ToString("N");
        var (ebba, others) = (NewAgent("Ebba"), NewAgent("Others"));
        var (all, ebbas) = (new List<string>(), new List<string>());
        for (var batch = 0; batch < 11; batch++)
        {
            var ids = await client.PostAsync([.. Enumerable.Range(0, 100).Select(i => (JsonNode)Statement(i == 42 ? ebba : others, verb))]);
            all.AddRange(ids);
            ebbas.Add(ids[42]);
        }
        if (lrs.StoreName == "Postgres") PostgresServer.AnalyseStatements(lrs.StoreConnectionString);

        var meter = lrs.Services.GetRequiredService<IMeterFactory>().Create(LrsMetrics.MeterName);
        var forms = new ConcurrentQueue<string>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (ReferenceEquals(instrument.Meter, meter) && instrument.Name == "lrs.statement.queries") l.EnableMeasurementEvents(instrument);
        };
        listener.SetMeasurementEventCallback<long>((_, _, tags, _) =>
        {
            foreach (var tag in tags)
                if (tag.Key == "lrs.query.form") forms.Enqueue((string)tag.Value!);
        });
        listener.Start();

        // Each page of `uri` read in `form`; the ids of all its pages.
        async Task<List<string>> PagesAsync(string uri, string form)
        {
            var ids = new List<string>();
            for (var next = uri; !string.IsNullOrEmpty(next);)
            {
                forms.Clear();
                var (response, body) = await client.GetJsonAsync(next);
                response.IsSuccessStatusCode.Should().BeTrue(body?.ToJsonString());
                forms.Should().Equal([form], next);
                ids.AddRange(body!["statements"]!.AsArray().Select(s => s!["id"]!.GetValue<string>()));
                next = body["more"]?.GetValue<string>();
            }
            return ids;
        }

        var byVerb = Uri.EscapeDataString(verb);
        (await PagesAsync($"/xapi/statements?agent={Q(ebba)}&limit=4", "rare_key")).Should().Equal(Enumerable.Reverse(ebbas));
        (await PagesAsync($"/xapi/statements?agent={Q(ebba)}&verb={byVerb}&limit=3&ascending=true", "rare_key")).Should().Equal(ebbas);
        (await PagesAsync($"/xapi/statements?verb={byVerb}&limit=300", "stored_order")).Should().Equal(Enumerable.Reverse(all));
        (await PagesAsync($"/xapi/statements?agent={Q(others)}&limit=500&ascending=true", "stored_order")).Should().Equal(all.Except(ebbas));
    }
}

public sealed class QueryFormTestsOnSqlite(SqliteLrs lrs) : QueryFormTests(lrs), IClassFixture<SqliteLrs>;
public sealed class QueryFormTestsOnPostgres(PostgresLrs<FreshKeyStatistics> lrs) : QueryFormTests(lrs), IClassFixture<PostgresLrs<FreshKeyStatistics>>;
