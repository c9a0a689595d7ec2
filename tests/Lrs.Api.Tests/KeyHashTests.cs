using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Lrs.Api.Tests.Infrastructure;
using Npgsql;
using static Lrs.Api.Tests.Infrastructure.Xapi;

namespace Lrs.Api.Tests;

/// <summary>
/// PostgreSQL chooses a page of statements by the 64-bit hashes of their keys and checks the keys on the page's rows. A hash
/// of one key equal to another's is never seen in practice, so it is made here by writing a hash into rows that do not carry
/// its key. PostgreSQL only: SQLite keeps every key as a row.
/// </summary>
public sealed class KeyHashTests(PostgresLrs lrs) : IClassFixture<PostgresLrs>
{
    private readonly HttpClient _client = lrs.Client();

    [Fact]
    public async Task A_statement_whose_key_hashes_match_a_key_it_does_not_carry_is_not_served_and_the_pages_stay_full()
    {
        var (wanted, other) = (NewActivityId(), NewActivityId());
        var a1 = (await _client.PostAsync(Statement(activity: wanted)))[0];
        var a2 = (await _client.PostAsync(Statement(activity: wanted)))[0];
        var b1 = (await _client.PostAsync(Statement(activity: other)))[0];
        var a3 = (await _client.PostAsync(Statement(activity: wanted)))[0];
        var b2 = (await _client.PostAsync(Statement(activity: other)))[0];

        await using (var connection = new NpgsqlConnection(lrs.StoreConnectionString))
        {
            await connection.OpenAsync();
            await using var collide = new NpgsqlCommand(
                "UPDATE statements SET key_hashes = key_hashes || hashtextextended(@key, tenant_id) WHERE id = ANY(@ids)", connection);
            collide.Parameters.AddWithValue("key", "o|" + wanted);
            collide.Parameters.AddWithValue("ids", new[] { Guid.Parse(b1), Guid.Parse(b2) });
            (await collide.ExecuteNonQueryAsync()).Should().Be(2);
        }

        // Without the keys checked before the page is cut, b2 and b1 would take two of its three places (one beyond the
        // limit, to know whether there is more): a page of one, and no link to a1.
        var first = (await _client.GetFromJsonAsync<JsonObject>($"/xapi/statements?activity={Uri.EscapeDataString(wanted)}&limit=2"))!;
        first["statements"]!.AsArray().Select(s => s!["id"]!.GetValue<string>()).Should().Equal(a3, a2);
        var more = first["more"]!.GetValue<string>();
        more.Should().NotBeEmpty();
        var second = (await _client.GetFromJsonAsync<JsonObject>(more))!;
        second["statements"]!.AsArray().Select(s => s!["id"]!.GetValue<string>()).Should().Equal(a1);

        (await _client.GetAllAsync($"/xapi/statements?activity={Uri.EscapeDataString(other)}")).Select(s => s["id"]!.GetValue<string>())
            .Should().Equal(b2, b1);
    }
}
