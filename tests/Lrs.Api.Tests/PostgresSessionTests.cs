using Lrs.Api.Tests.Infrastructure;
using Lrs.Storage.Postgres;
using Npgsql;

namespace Lrs.Api.Tests;

/// <summary>
/// The session settings of the LRS's PostgreSQL connections: no JIT compilation of queries (it cost the tenant-wide reads
/// more than their work), unless the connection string's Options set jit themselves; and it holds on every connection
/// the pool hands out, not only the first. And a write buffer that sends a batch's parameters in a few calls.
/// </summary>
public sealed class PostgresSessionTests
{
    [Fact]
    public async Task The_LRS_connections_run_without_jit_unless_the_connection_string_sets_it()
    {
        var connectionString = PostgresServer.CreateDatabase();
        await using (var database = new PostgresDatabase(connectionString))
        {
            var first = await JitAsync(database);
            var again = await JitAsync(database);
            first.Should().Be("off");
            again.Should().Be("off", "a pooled connection keeps the setting");
        }

        await using (var chosen = new PostgresDatabase(new NpgsqlConnectionStringBuilder(connectionString) { Options = "-c jit=on" }.ConnectionString))
            (await JitAsync(chosen)).Should().Be("on", "the operator's own choice stands");
    }

    [Fact]
    public async Task The_LRS_connections_write_through_a_64_kB_buffer_unless_the_connection_string_sets_one()
    {
        var connectionString = PostgresServer.CreateDatabase();
        await using (var database = new PostgresDatabase(connectionString))
        {
            new NpgsqlConnectionStringBuilder(database.DataSource.ConnectionString).WriteBufferSize.Should().Be(64 * 1024);
            // The connections work with it: a batch-sized parameter (200 kB) goes through and comes back whole.
            var text = new string('x', 200_000);
            await using var connection = await database.DataSource.OpenConnectionAsync();
            await using var command = new NpgsqlCommand("SELECT length(@p)", connection) { Parameters = { new("p", text) } };
            (await command.ExecuteScalarAsync()).Should().Be(text.Length);
        }

        await using (var chosen = new PostgresDatabase(new NpgsqlConnectionStringBuilder(connectionString) { WriteBufferSize = 16 * 1024 }.ConnectionString))
            new NpgsqlConnectionStringBuilder(chosen.DataSource.ConnectionString).WriteBufferSize.Should().Be(16 * 1024, "the operator's own choice stands");
    }

    [Fact]
    public async Task The_readers_pool_holds_as_many_connections_as_readers_whatever_the_shared_pools_size()
    {
        // As many as may query at once, so that none waits for a connection (a pool's wait has a time limit; the bound's has none).
        var connectionString = new NpgsqlConnectionStringBuilder(PostgresServer.CreateDatabase()) { MaxPoolSize = 2 }.ConnectionString;
        await using var database = new PostgresDatabase(connectionString, readers: 4);
        new NpgsqlConnectionStringBuilder(database.Reads.ConnectionString).MaxPoolSize.Should().Be(4);
        new NpgsqlConnectionStringBuilder(database.DataSource.ConnectionString).MaxPoolSize.Should().Be(2, "the operator's own choice stands for the rest");
        await using var connection = await database.Reads.OpenConnectionAsync();
        await using var command = new NpgsqlCommand("SELECT current_setting('application_name')", connection);
        (await command.ExecuteScalarAsync()).Should().Be(PostgresDatabase.ReadsName);
    }

    private static async Task<string> JitAsync(PostgresDatabase database)
    {
        await using var connection = await database.DataSource.OpenConnectionAsync();
        await using var command = new NpgsqlCommand("SHOW jit", connection);
        return (string)(await command.ExecuteScalarAsync())!;
    }
}
