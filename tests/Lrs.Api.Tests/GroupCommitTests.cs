using System.Net;
using System.Text.Json.Nodes;
using Lrs.Api.Tests.Infrastructure;
using static Lrs.Api.Tests.Infrastructure.Xapi;

namespace Lrs.Api.Tests;

/// <summary>Concurrent requests share transactions; each must still get exactly its own outcome.</summary>
public abstract class GroupCommitTests(LrsFixture lrs)
{
    [Fact]
    public async Task Among_concurrent_requests_only_the_conflicting_one_fails_and_every_other_is_stored()
    {
        var actor = NewAgent();
        var takenId = Guid.NewGuid().ToString();
        await lrs.Client().PostAsync(Statement(actor, id: takenId));

        var requests = Enumerable.Range(0, 40).Select(i => i == 17
            ? Statement(actor, verb: Passed, id: takenId)
            : Statement(actor, id: Guid.NewGuid().ToString())).ToList();
        var responses = await Task.WhenAll(requests.Select(s => lrs.Client().PostAsync("/xapi/statements", Json(s))));

        responses[17].StatusCode.Should().Be(HttpStatusCode.Conflict);
        responses.Where((_, i) => i != 17).Should().OnlyContain(r => r.StatusCode == HttpStatusCode.OK);
        var stored = (await lrs.Client().GetAllAsync($"/xapi/statements?agent={Q(actor)}")).Select(s => s["id"]!.GetValue<string>()).ToHashSet();
        stored.Should().HaveCount(40).And.Contain(requests.Where((_, i) => i != 17).Select(s => s["id"]!.GetValue<string>()));
    }

    [Fact]
    public async Task Among_concurrent_batches_of_many_statements_only_the_conflicting_one_fails_and_every_other_is_stored()
    {
        // Batches this large are written on their own while a lane is free, and join the groups when none is.
        var actor = NewAgent();
        var takenId = Guid.NewGuid().ToString();
        await lrs.Client().PostAsync(Statement(actor, id: takenId));

        var batches = Enumerable.Range(0, 8).Select(b => new JsonArray([.. Enumerable.Range(0, 60).Select(i => (JsonNode)(b == 3 && i == 59
            ? Statement(actor, verb: Passed, id: takenId)
            : Statement(actor, id: Guid.NewGuid().ToString())))])).ToList();
        // Alone, it finds a lane free.
        (await lrs.Client().PostAsync("/xapi/statements", Json(batches[3]))).StatusCode.Should().Be(HttpStatusCode.Conflict);
        var responses = await Task.WhenAll(batches.Select(b => lrs.Client().PostAsync("/xapi/statements", Json(b))));

        responses[3].StatusCode.Should().Be(HttpStatusCode.Conflict);
        responses.Where((_, i) => i != 3).Should().OnlyContain(r => r.StatusCode == HttpStatusCode.OK);
        var stored = (await lrs.Client().GetAllAsync($"/xapi/statements?agent={Q(actor)}")).Select(s => s["id"]!.GetValue<string>()).ToHashSet();
        stored.Should().HaveCount(1 + 7 * 60).And.Contain(batches.Where((_, i) => i != 3).SelectMany(b => b.Select(s => s!["id"]!.GetValue<string>())));
        stored.Should().NotContain(batches[3].Take(59).Select(s => s!["id"]!.GetValue<string>()), "a batch with a conflict stores nothing");
    }

    [Fact]
    public async Task Concurrent_puts_of_the_same_statement_all_succeed_and_store_it_once()
    {
        var actor = NewAgent();
        var id = Guid.NewGuid().ToString();
        var statement = Statement(actor, id: id);
        var responses = await Task.WhenAll(Enumerable.Range(0, 12).Select(_ => lrs.Client().PutAsync($"/xapi/statements?statementId={id}", Json(statement))));

        responses.Should().OnlyContain(r => r.StatusCode == HttpStatusCode.NoContent);
        (await lrs.Client().GetAllAsync($"/xapi/statements?agent={Q(actor)}")).Should().ContainSingle();
    }

    [Fact]
    public async Task Concurrent_puts_of_one_id_with_different_statements_store_one_and_refuse_every_other()
    {
        // Each request may read the id as not stored and then meet the other's row when inserting: it must not count as stored.
        for (var round = 0; round < 3; round++)
        {
            var actor = NewAgent();
            var id = Guid.NewGuid().ToString();
            var statements = Enumerable.Range(0, 8).Select(i => Statement(actor, id: id, verb: $"http://example.com/verbs/v{i}")).ToList();
            var responses = await Task.WhenAll(statements.Select(s => lrs.Client().PutAsync($"/xapi/statements?statementId={id}", Json(s))));

            responses.Count(r => r.StatusCode == HttpStatusCode.NoContent).Should().Be(1);
            responses.Count(r => r.StatusCode == HttpStatusCode.Conflict).Should().Be(7);
            var winner = responses.ToList().FindIndex(r => r.StatusCode == HttpStatusCode.NoContent);
            var stored = (await lrs.Client().GetAllAsync($"/xapi/statements?agent={Q(actor)}")).Should().ContainSingle().Subject;
            stored["verb"]!["id"]!.GetValue<string>().Should().Be($"http://example.com/verbs/v{winner}");
        }
    }

    [Fact]
    public async Task Concurrent_batches_carrying_one_id_with_different_statements_store_one_and_refuse_every_other()
    {
        // Batches this large are written each in a transaction of its own while lanes are free: on PostgreSQL a batch that found
        // the id not stored meets the other's row in its insert and must be tried again, the whole batch with it.
        for (var round = 0; round < 2; round++)
        {
            var actor = NewAgent();
            var id = Guid.NewGuid().ToString();
            var batches = Enumerable.Range(0, 6).Select(b => new JsonArray([.. Enumerable.Range(0, 60).Select(i => (JsonNode)(i == 30
                ? Statement(actor, id: id, verb: $"http://example.com/verbs/v{b}")
                : Statement(actor, id: Guid.NewGuid().ToString())))])).ToList();
            var responses = await Task.WhenAll(batches.Select(b => lrs.Client().PostAsync("/xapi/statements", Json(b))));

            responses.Count(r => r.StatusCode == HttpStatusCode.OK).Should().Be(1);
            responses.Count(r => r.StatusCode == HttpStatusCode.Conflict).Should().Be(5);
            var winner = responses.ToList().FindIndex(r => r.StatusCode == HttpStatusCode.OK);
            var stored = await lrs.Client().GetAllAsync($"/xapi/statements?agent={Q(actor)}");
            stored.Select(s => s["id"]!.GetValue<string>()).Should().BeEquivalentTo(batches[winner].Select(s => s!["id"]!.GetValue<string>()));
            stored.Single(s => s["id"]!.GetValue<string>() == id)["verb"]!["id"]!.GetValue<string>().Should().Be($"http://example.com/verbs/v{winner}");
        }
    }

    [Fact]
    public async Task An_invalid_request_among_concurrent_ones_changes_nothing_for_the_others()
    {
        var actor = NewAgent();
        var bad = Statement(actor);
        bad["result"] = new JsonObject { ["score"] = new JsonObject { ["scaled"] = 7 } };
        var requests = Enumerable.Range(0, 20).Select(i => i == 5 ? bad : Statement(actor)).ToList();
        var responses = await Task.WhenAll(requests.Select(s => lrs.Client().PostAsync("/xapi/statements", Json(s))));

        responses[5].StatusCode.Should().Be(HttpStatusCode.BadRequest);
        responses.Where((_, i) => i != 5).Should().OnlyContain(r => r.StatusCode == HttpStatusCode.OK);
        (await lrs.Client().GetAllAsync($"/xapi/statements?agent={Q(actor)}")).Should().HaveCount(19);
    }
}

public sealed class GroupCommitTestsOnSqlite(SqliteLrs lrs) : GroupCommitTests(lrs), IClassFixture<SqliteLrs>;
public sealed class GroupCommitTestsOnPostgres(PostgresLrs lrs) : GroupCommitTests(lrs), IClassFixture<PostgresLrs>;
