using System.Data.Common;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Lrs.Api.Tests.Infrastructure;

/// <summary>One row of a table of the store, every column as text (binary columns decoded so that text in them shows).</summary>
public sealed record StoreRow(string Table, IReadOnlyDictionary<string, string> Columns)
{
    public override string ToString() => Table + " " + string.Join(" | ", Columns.Select(c => $"{c.Key}={c.Value}"));

    /// <summary>Whether any column holds <paramref name="text"/>.</summary>
    public bool Mentions(string text) => Columns.Values.Any(v => v.Contains(text, StringComparison.Ordinal));
}

/// <summary>
/// Every row of every table of a fixture's store, found through the database's own catalogue (SQLite's <c>sqlite_master</c> and
/// <c>pragma_table_info</c>, PostgreSQL's <c>information_schema</c>), so that a table or column added later is read too.
/// </summary>
public static class StoreRows
{
    public static async Task<List<StoreRow>> AllAsync(LrsFixture lrs)
    {
        var postgres = lrs.StoreName == "Postgres";
        await using DbConnection connection = postgres ? new NpgsqlConnection(lrs.StoreConnectionString) : new SqliteConnection(lrs.StoreConnectionString);
        await connection.OpenAsync();
        var columns = await ReadAsync(connection, postgres
            ? "SELECT table_name, column_name, data_type FROM information_schema.columns WHERE table_schema = current_schema() ORDER BY table_name, ordinal_position"
            : "SELECT m.name, c.name, c.type FROM sqlite_master m JOIN pragma_table_info(m.name) c WHERE m.type = 'table' ORDER BY m.name, c.cid");
        var rows = new List<StoreRow>();
        foreach (var table in columns.GroupBy(c => c[0]))
        {
            var names = table.Select(c => c[1]).ToList();
            var select = string.Join(", ", table.Select(c => postgres
                ? (c[2] == "bytea" ? $"encode(\"{c[1]}\", 'escape')" : $"\"{c[1]}\"::text")
                : $"CAST(\"{c[1]}\" AS TEXT)"));
            foreach (var values in await ReadAsync(connection, $"SELECT {select} FROM \"{table.Key}\""))
                rows.Add(new StoreRow(table.Key, names.Zip(values).ToDictionary(p => p.First, p => p.Second)));
        }
        return rows;
    }

    private static async Task<List<string[]>> ReadAsync(DbConnection connection, string sql)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await using var reader = await command.ExecuteReaderAsync();
        var result = new List<string[]>();
        while (await reader.ReadAsync())
            result.Add([.. Enumerable.Range(0, reader.FieldCount).Select(i => reader.IsDBNull(i) ? "∅" : reader.GetString(i))]);
        return result;
    }
}
