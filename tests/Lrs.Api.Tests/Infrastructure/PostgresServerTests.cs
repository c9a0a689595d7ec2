using Npgsql;

namespace Lrs.Api.Tests.Infrastructure;

public class PostgresServerTests
{
    [Fact]
    public async Task Throwaway_server_accepts_connections_and_creates_isolated_databases()
    {
        var first = PostgresServer.CreateDatabase();
        var second = PostgresServer.CreateDatabase();

        var firstName = new NpgsqlConnectionStringBuilder(first).Database;
        var secondName = new NpgsqlConnectionStringBuilder(second).Database;
        firstName.Should().StartWith("lrs_test_");
        secondName.Should().NotBe(firstName);

        await using (var connection = new NpgsqlConnection(first))
        {
            await connection.OpenAsync();
            (await ScalarAsync(connection, "SELECT current_database()")).Should().Be(firstName);
            await ExecuteAsync(connection, "CREATE TABLE probe (id int PRIMARY KEY, note text NOT NULL)");
            await ExecuteAsync(connection, "INSERT INTO probe VALUES (1, 'written')");
            (await ScalarAsync(connection, "SELECT note FROM probe WHERE id = 1")).Should().Be("written");
        }

        await using (var connection = new NpgsqlConnection(second))
        {
            await connection.OpenAsync();
            (await ScalarAsync(connection, "SELECT current_database()")).Should().Be(secondName);
            // to_regclass yields NULL for a table that does not exist in this database.
            (await ScalarAsync(connection, "SELECT to_regclass('probe')::text")).Should().BeNull();
            await ExecuteAsync(connection, "CREATE TABLE probe (id int PRIMARY KEY)");
            await ExecuteAsync(connection, "INSERT INTO probe VALUES (2)");
            (await ScalarAsync(connection, "SELECT count(*) FROM probe")).Should().Be(1L);
        }
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    private static async Task<object?> ScalarAsync(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        var value = await command.ExecuteScalarAsync();
        return value is DBNull ? null : value;
    }
}
