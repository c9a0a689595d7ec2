using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Lrs.Api.Tests.Infrastructure;
using Npgsql;
using static Lrs.Api.Tests.Infrastructure.Xapi;

namespace Lrs.Api.Tests;

/// <summary>
/// PostgreSQL chooses a page of statements by 64-bit hashes of their keys (<c>key_hashes</c>, and <c>object_hash</c> for the
/// object activity) and checks the keys on the page's rows. A hash of one key equal to another's is never seen in practice, so
/// it is made here by writing a hash into rows that do not carry its key. PostgreSQL only: SQLite keeps every key as a row. Run
/// with the page chosen first and with a rare key's statements read in one pass.
/// </summary>
public abstract class KeyHashTests(PostgresLrs lrs)
{
    private readonly HttpClient _client = lrs.Client();

    [Fact]
    public async Task A_statement_whose_object_hash_matches_an_activity_it_is_not_about_is_not_served_and_the_pages_stay_full()
    {
        var (wanted, other) = (NewActivityId(), NewActivityId());
        var (a1, a2, b1, a3, b2) = await PostAsync(activity => Statement(activity: activity), wanted, other);
        // A statement has one object hash: b1 and b2 lose their own, so they are not asked for by `other` here.
        await CollideAsync("UPDATE statements SET object_hash = hashtextextended(@key, tenant_id) WHERE id = ANY(@ids)", "o|" + wanted, b1, b2);
        await ExpectPagesAsync("activity", wanted, null, a1, a2, a3, b1, b2);
    }

    [Fact]
    public async Task A_statement_whose_key_hashes_match_a_verb_it_does_not_carry_is_not_served_and_the_pages_stay_full()
    {
        var (wanted, other) = (NewVerbId(), NewVerbId());
        var (a1, a2, b1, a3, b2) = await PostAsync(verb => Statement(verb: verb), wanted, other);
        await CollideAsync("UPDATE statements SET key_hashes = key_hashes || hashtextextended(@key, tenant_id) WHERE id = ANY(@ids)", "v|" + wanted, b1, b2);
        await ExpectPagesAsync("verb", wanted, other, a1, a2, a3, b1, b2);
    }

    [Fact]
    public async Task A_database_from_before_the_object_hash_gets_each_statements_own_or_inherited_object_activity()
    {
        var (activity, other) = (NewActivityId(), NewActivityId());
        var about = (await _client.PostAsync(Statement(activity: activity)))[0];
        var referrer = (await _client.PostAsync(new JsonObject
        {
            ["actor"] = NewAgent(),
            ["verb"] = new JsonObject { ["id"] = "https://w3id.org/xapi/tla/verbs/verified" },
            ["object"] = new JsonObject { ["objectType"] = "StatementRef", ["id"] = about },
        }))[0];
        var elsewhere = (await _client.PostAsync(Statement(activity: other)))[0];

        await using (var connection = new NpgsqlConnection(lrs.StoreConnectionString))
        {
            await connection.OpenAsync();
            await using var undo = new NpgsqlCommand("ALTER TABLE tenants DROP COLUMN erasures; " + PostgresServer.UndoObjectHash + " DELETE FROM schema_migrations WHERE version >= 11", connection);
            await undo.ExecuteNonQueryAsync();
        }
        await new Lrs.Storage.Postgres.PostgresDatabase(lrs.StoreConnectionString).EnsureSchemaAsync(CancellationToken.None);

        await using (var connection = new NpgsqlConnection(lrs.StoreConnectionString))
        {
            await connection.OpenAsync();
            await using var read = new NpgsqlCommand(
                "SELECT id, object_hash = hashtextextended('o|' || @a, tenant_id), object_hash = hashtextextended('o|' || @b, tenant_id) FROM statements WHERE id = ANY(@ids)",
                connection);
            read.Parameters.AddWithValue("a", activity);
            read.Parameters.AddWithValue("b", other);
            read.Parameters.AddWithValue("ids", new[] { Guid.Parse(about), Guid.Parse(referrer), Guid.Parse(elsewhere) });
            var rows = new Dictionary<string, (bool, bool)>();
            await using var reader = await read.ExecuteReaderAsync();
            while (await reader.ReadAsync()) rows[reader.GetGuid(0).ToString()] = (reader.GetBoolean(1), reader.GetBoolean(2));
            rows.Should().BeEquivalentTo(new Dictionary<string, (bool, bool)>
            {
                [about] = (true, false),
                [referrer] = (true, false), // inherited from the statement it references
                [elsewhere] = (false, true),
            });
        }
        (await _client.GetAllAsync($"/xapi/statements?activity={Uri.EscapeDataString(activity)}")).Select(s => s["id"]!.GetValue<string>())
            .Should().Equal(referrer, about);
    }

    [Fact]
    public async Task The_hash_the_LRS_gives_a_key_to_look_it_up_in_the_statistics_is_the_one_PostgreSQL_computes()
    {
        // Texts of every length up to a few words and beyond, in and outside ASCII, and seeds of both signs (a tenant id is the seed).
        var characters = string.Concat(Enumerable.Repeat("aé€𝄞|:/ ", 8)).EnumerateRunes().Select(r => r.ToString()).ToArray();
        var texts = Enumerable.Range(0, 60).Select(i => string.Concat(characters.Take(i)))
            .Concat(["v|http://adlnet.gov/expapi/verbs/completed", "a|mbox:mailto:anna@example.se", "au|account:https://idp.example Anna Åberg",
                "or|https://lärcentrum.example/kurser/förflyttning", new string('x', 700)]).ToArray();
        long[] seeds = [0, 1, 7, -1, long.MaxValue, long.MinValue, 1234567890123];
        await using var connection = new NpgsqlConnection(lrs.StoreConnectionString);
        await connection.OpenAsync();
        await using var hash = new NpgsqlCommand("SELECT hashtextextended(t, s) FROM unnest(@texts) WITH ORDINALITY AS u(t, n), unnest(@seeds) WITH ORDINALITY AS v(s, m) ORDER BY n, m", connection);
        hash.Parameters.AddWithValue("texts", texts);
        hash.Parameters.AddWithValue("seeds", seeds);
        var expected = new List<long>();
        await using (var reader = await hash.ExecuteReaderAsync())
            while (await reader.ReadAsync()) expected.Add(reader.GetInt64(0));
        texts.SelectMany(t => seeds.Select(seed => Lrs.Storage.Postgres.TextHash.Extended(t, seed))).Should().Equal(expected);
    }

    private static string NewVerbId() => "https://lrs.example/verbs/" + Guid.NewGuid().ToString("N");

    // Three statements with `wanted` and two with `other`, interleaved: a1, a2, b1, a3, b2.
    private async Task<(string, string, string, string, string)> PostAsync(Func<string, JsonObject> statement, string wanted, string other)
    {
        async Task<string> Post(string value) => (await _client.PostAsync(statement(value)))[0];
        return (await Post(wanted), await Post(wanted), await Post(other), await Post(wanted), await Post(other));
    }

    // Writes the hash of `key` into the rows of `ids` by `sql`, as a collision would.
    private async Task CollideAsync(string sql, string key, params string[] ids)
    {
        await using var connection = new NpgsqlConnection(lrs.StoreConnectionString);
        await connection.OpenAsync();
        await using var collide = new NpgsqlCommand(sql, connection);
        collide.Parameters.AddWithValue("key", key);
        collide.Parameters.AddWithValue("ids", ids.Select(Guid.Parse).ToArray());
        (await collide.ExecuteNonQueryAsync()).Should().Be(ids.Length);
    }

    private async Task ExpectPagesAsync(string filter, string wanted, string? other, string a1, string a2, string a3, string b1, string b2)
    {
        // Without the keys checked before the page is cut, b2 and b1 would take two of its three places (one beyond the
        // limit, to know whether there is more): a page of one, and no link to a1.
        var first = (await _client.GetFromJsonAsync<JsonObject>($"/xapi/statements?{filter}={Uri.EscapeDataString(wanted)}&limit=2"))!;
        first["statements"]!.AsArray().Select(s => s!["id"]!.GetValue<string>()).Should().Equal(a3, a2);
        var more = first["more"]!.GetValue<string>();
        more.Should().NotBeEmpty();
        var second = (await _client.GetFromJsonAsync<JsonObject>(more))!;
        second["statements"]!.AsArray().Select(s => s!["id"]!.GetValue<string>()).Should().Equal(a1);

        if (other is null) return;
        (await _client.GetAllAsync($"/xapi/statements?{filter}={Uri.EscapeDataString(other)}")).Select(s => s["id"]!.GetValue<string>())
            .Should().Equal(b2, b1);
    }
}

public sealed class KeyHashTestsPageFirst(PostgresLrs<PageFirstReads> lrs) : KeyHashTests(lrs), IClassFixture<PostgresLrs<PageFirstReads>>;

public sealed class KeyHashTestsInOnePass : KeyHashTests, IClassFixture<PostgresLrs<OnePassReads>>
{
    public KeyHashTestsInOnePass(PostgresLrs<OnePassReads> lrs) : base(lrs) => PostgresServer.AnalyseStatements(lrs.StoreConnectionString);
}
