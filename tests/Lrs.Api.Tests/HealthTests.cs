using System.Data.Common;
using System.Net;
using Lrs.Api.Tests.Infrastructure;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Lrs.Api.Tests;

/// <summary>
/// <c>/health/live</c> and <c>/health/ready</c> answer without credentials; ready needs the store and the schema version
/// this code expects. (Ready during a database outage: <see cref="OutageTests"/>.)
/// </summary>
public abstract class HealthTests(LrsFixture lrs)
{
    [Fact]
    public async Task Live_and_ready_answer_200_without_credentials_while_the_store_answers()
    {
        using var anonymous = lrs.CreateClient();
        foreach (var path in new[] { "/health/live", "/health/ready" })
        {
            var response = await anonymous.GetAsync(path);
            response.StatusCode.Should().Be(HttpStatusCode.OK, path);
            (await response.Content.ReadAsStringAsync()).Should().StartWith("Healthy", path);
            response.Headers.CacheControl!.NoStore.Should().BeTrue(path);
            (await anonymous.SendAsync(new HttpRequestMessage(HttpMethod.Head, path))).StatusCode.Should().Be(HttpStatusCode.OK, path);
        }
    }

    [Fact]
    public async Task Ready_is_503_with_Retry_After_while_the_schema_is_not_the_version_the_code_expects_and_200_again_once_it_is()
    {
        using var anonymous = lrs.CreateClient();
        // The newest recorded migration renumbered: the database now looks migrated by another version of the LRS.
        await ExecuteAsync("UPDATE schema_migrations SET version = version + 1000 WHERE version = (SELECT MAX(version) FROM schema_migrations)");
        try
        {
            var ready = await anonymous.GetAsync("/health/ready");
            ready.StatusCode.Should().Be(HttpStatusCode.ServiceUnavailable);
            ready.Headers.RetryAfter!.Delta.Should().BePositive();
            (await ready.Content.ReadAsStringAsync()).Should().StartWith("Unhealthy").And.Contain("schema is at version");
            (await anonymous.GetAsync("/health/live")).StatusCode.Should().Be(HttpStatusCode.OK, "the process itself is fine");
        }
        finally
        {
            await ExecuteAsync("UPDATE schema_migrations SET version = version - 1000 WHERE version > 1000");
        }
        (await anonymous.GetAsync("/health/ready")).StatusCode.Should().Be(HttpStatusCode.OK);
    }

    private async Task ExecuteAsync(string sql)
    {
        await using DbConnection connection = lrs.StoreName == "Postgres" ? new NpgsqlConnection(lrs.StoreConnectionString) : new SqliteConnection(lrs.StoreConnectionString);
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        (await command.ExecuteNonQueryAsync()).Should().Be(1);
    }
}

public sealed class HealthTestsOnSqlite(SqliteLrs lrs) : HealthTests(lrs), IClassFixture<SqliteLrs>;
public sealed class HealthTestsOnPostgres(PostgresLrs lrs) : HealthTests(lrs), IClassFixture<PostgresLrs>;
