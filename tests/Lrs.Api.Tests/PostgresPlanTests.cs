using System.Text.Json.Nodes;
using Lrs.Api.Tests.Infrastructure;
using Npgsql;
using static Lrs.Api.Tests.Infrastructure.Xapi;

namespace Lrs.Api.Tests;

/// <summary>
/// How PostgreSQL runs the insert's check of a batch's ids against the statements stored: through the unique index, also
/// while the table's statistics say it is empty. Planned from those statistics, the check once scanned all the tenant's
/// statements for every batch until autovacuum first analysed the table, and a plan made for the empty table could be kept
/// as it grew.
/// </summary>
public sealed class PostgresPlanTests(PostgresLrs lrs) : IClassFixture<PostgresLrs>
{
    private const int Singles = 20;
    private const int Batches = 30;

    [Fact]
    public async Task A_fresh_table_of_statements_is_not_scanned_by_the_check_of_each_batch_as_it_grows()
    {
        var client = lrs.Client();
        (await client.GetAsync("/xapi/about")).EnsureSuccessStatusCode();
        await using var connection = new NpgsqlConnection(lrs.StoreConnectionString);
        await connection.OpenAsync();
        // The statistics say the table is empty (as after a vacuum of an empty table), and stay so: no autovacuum comes to
        // analyse it during the test. What is planned is planned as in a fresh database's first minute.
        await ExecuteAsync(connection, "ALTER TABLE statements SET (autovacuum_enabled = off)");
        await ExecuteAsync(connection, "VACUUM statements");
        var before = await TableCountersAsync(connection);

        // Single statements first: PostgreSQL makes its generic plan at a prepared statement's sixth execution, here on a
        // table of a few rows. Then the table grows by batches.
        var (actor, activity) = (NewAgent(), NewActivityId());
        for (var i = 0; i < Singles; i++) await client.PostAsync(Statement(actor, activity: activity));
        for (var b = 0; b < Batches; b++)
            await client.PostAsync([.. Enumerable.Range(0, 100).Select(_ => (JsonNode)Statement(actor, activity: activity))]);
        const int stored = Singles + Batches * 100;

        // The LRS's connections report their counters when idle, within seconds.
        var after = await TableCountersAsync(connection);
        for (var wait = 0; after.Inserted - before.Inserted < stored && wait < 300; wait++)
        {
            await Task.Delay(100);
            after = await TableCountersAsync(connection);
        }
        (after.Inserted - before.Inserted).Should().Be(stored);
        (await ScalarAsync(connection, "SELECT reltuples FROM pg_class WHERE oid = 'statements'::regclass")).Should().Be(0f, "the statistics still say the table is empty");
        // A scan per batch would read every statement stored before it (44,290 rows over the requests), a scan per id a hundred
        // times that.
        (after.Read - before.Read).Should().BeLessThan(stored, "each batch's ids are looked up, not the stored statements scanned");
    }

    private static async Task<(long Inserted, long Read)> TableCountersAsync(NpgsqlConnection connection)
    {
        await using var command = new NpgsqlCommand("""
            SELECT pg_stat_clear_snapshot();
            SELECT n_tup_ins, seq_tup_read + coalesce(idx_tup_fetch, 0) FROM pg_stat_user_tables WHERE relname = 'statements'
            """, connection);
        await using var reader = await command.ExecuteReaderAsync();
        await reader.NextResultAsync();
        await reader.ReadAsync();
        return (reader.GetInt64(0), reader.GetInt64(1));
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    private static async Task<object?> ScalarAsync(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        return await command.ExecuteScalarAsync();
    }
}
