using Lrs.Api.Tests.Infrastructure;
using Npgsql;
using static Lrs.Api.Tests.Infrastructure.Xapi;

namespace Lrs.Api.Tests;

/// <summary>The PostgreSQL test classes really run on PostgreSQL: checked in the database itself, not over HTTP.</summary>
public sealed class StoreSelectionTests(PostgresLrs lrs) : IClassFixture<PostgresLrs>
{
    [Fact]
    public async Task Statements_posted_to_the_Postgres_fixture_are_rows_in_its_PostgreSQL_database()
    {
        var ids = await lrs.Client().PostAsync(Statement(), Statement());

        await using var connection = new NpgsqlConnection(lrs.StoreConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT count(*) FROM statements WHERE id = ANY(@ids)", connection);
        command.Parameters.AddWithValue("ids", ids.Select(Guid.Parse).ToArray());
        ((long)(await command.ExecuteScalarAsync())!).Should().Be(2);
    }
}
