using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Lrs.Api.Hosting;
using Lrs.Api.Tests.Infrastructure;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.DependencyInjection;
using static Lrs.Api.Tests.Infrastructure.Xapi;

namespace Lrs.Api.Tests;

/// <summary>The 64 kB blocks Kestrel's connections receive and send through: each block lent to one user at a time.</summary>
public sealed class ReceiveBlockPoolTests
{
    [Fact]
    public void A_block_is_64_kB_and_no_larger_one_is_lent()
    {
        using var pool = new ReceiveBlocks().Create();
        pool.MaxBufferSize.Should().Be(ReceiveBlocks.BlockSize);
        using var block = pool.Rent();
        block.Memory.Length.Should().Be(64 * 1024);
        pool.Invoking(p => p.Rent(ReceiveBlocks.BlockSize + 1)).Should().Throw<ArgumentOutOfRangeException>();
    }

    [Fact]
    public void A_returned_block_is_lent_again_once_however_often_it_was_returned()
    {
        using var pool = new ReceiveBlocks().Create();
        var block = pool.Rent();
        block.Dispose();
        block.Dispose();
        var first = pool.Rent();
        var second = pool.Rent();
        first.Should().BeSameAs(block);
        second.Should().NotBeSameAs(block, "a block returned twice is still one block");
    }

    [Fact]
    public void At_most_64_free_blocks_are_kept()
    {
        using var pool = new ReceiveBlocks().Create();
        var lent = Enumerable.Range(0, 100).Select(_ => pool.Rent()).ToList();
        lent.ForEach(b => b.Dispose());
        var again = Enumerable.Range(0, 100).Select(_ => pool.Rent()).ToList();
        again.Count(b => lent.Contains(b)).Should().Be(ReceiveBlocks.KeptBlocks);
    }

    [Fact]
    public void Past_256_blocks_of_64_kB_lent_at_once_a_connection_gets_4_kB_as_from_Kestrels_own_pool()
    {
        // Many connections each holding part of a request (slow or hostile clients) hold no more than Kestrel's own blocks.
        using var pool = new ReceiveBlocks().Create();
        var large = Enumerable.Range(0, ReceiveBlocks.LargeBlocksLent).Select(_ => pool.Rent()).ToList();
        large.Should().OnlyContain(b => b.Memory.Length == ReceiveBlocks.BlockSize);
        var small = pool.Rent(4096);
        small.Memory.Length.Should().Be(ReceiveBlocks.SmallBlockSize);
        using (var asked = pool.Rent(8192)) asked.Memory.Length.Should().Be(ReceiveBlocks.BlockSize, "a larger block asked for is lent whatever is out");

        // One returned, twice: one more of 64 kB may be lent, not two.
        large[0].Dispose();
        large[0].Dispose();
        pool.Rent().Memory.Length.Should().Be(ReceiveBlocks.BlockSize);
        pool.Rent().Memory.Length.Should().Be(ReceiveBlocks.SmallBlockSize);
        small.Dispose();
        pool.Rent().Should().BeSameAs(small);
    }
}

/// <summary>
/// Batches far larger than a block, sent at once over several connections of a real Kestrel listener, are stored as sent:
/// no block is lent to two connections, none is given back while its bytes are still read.
/// </summary>
public abstract class ReceiveBlocksTests(LrsFixture lrs)
{
    [Fact]
    public async Task The_listener_receives_through_the_blocks_and_concurrent_large_batches_are_stored_as_sent()
    {
        var address = lrs.KestrelAddress;   // the real listener first: the services are those of the server it starts
        lrs.Services.GetRequiredService<IMemoryPoolFactory<byte>>().Should().BeOfType<ReceiveBlocks>();
        var batches = Enumerable.Range(0, 6).Select(_ =>
        {
            var activity = NewActivityId();
            var statements = new JsonArray();
            // About 220 kB: each statement carries a name of its own, so that bytes out of place would change what is stored.
            for (var i = 0; i < 400; i++)
            {
                var statement = Statement(activity: activity, id: Guid.NewGuid().ToString());
                statement["result"] = new JsonObject { ["response"] = $"{i}:" + new string((char)('a' + i % 26), 400) };
                statements.Add(statement);
            }
            return (activity, statements);
        }).ToList();

        await Task.WhenAll(batches.Select(async b =>
        {
            using var client = Client(address);
            var response = await client.PostAsync("/xapi/statements", new StringContent(b.statements.ToJsonString(), Encoding.UTF8, "application/json"));
            response.StatusCode.Should().Be(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        }));

        using var reader = Client(address);
        foreach (var (activity, statements) in batches)
        {
            var stored = await reader.GetAllAsync($"/xapi/statements?activity={Uri.EscapeDataString(activity)}&limit=500");
            stored.Select(s => (s["id"]!.GetValue<string>(), s["result"]!["response"]!.GetValue<string>()))
                .Should().BeEquivalentTo(statements.Select(s => (s!["id"]!.GetValue<string>(), s["result"]!["response"]!.GetValue<string>())));
        }
    }

    private static HttpClient Client(string address) => FirstStartTests.Authenticated(new Uri(address), LrsFixture.Key, LrsFixture.Secret, "1.0.3");
}

public sealed class ReceiveBlocksTestsOnSqlite(SqliteLrs lrs) : ReceiveBlocksTests(lrs), IClassFixture<SqliteLrs>;
public sealed class ReceiveBlocksTestsOnPostgres(PostgresLrs lrs) : ReceiveBlocksTests(lrs), IClassFixture<PostgresLrs>;
