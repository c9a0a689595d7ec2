using System.Text.Json.Nodes;
using Lrs.Core.Storage;

namespace Lrs.Storage.Sqlite;

/// <summary>Canonical activity definitions and agent names in SQLite.</summary>
public sealed class SqliteKnowledgeStore(SqliteDatabase database) : IKnowledgeStore
{
    /// <inheritdoc />
    public async Task<IReadOnlyDictionary<string, JsonObject>> ActivityDefinitionsAsync(long tenantId, IReadOnlyCollection<string> iris, CancellationToken ct)
    {
        var result = new Dictionary<string, JsonObject>(StringComparer.Ordinal);
        if (iris.Count == 0) return result;
        await using var connection = await database.OpenAsync(ct);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT definition FROM activities WHERE tenant_id = $t AND iri = $iri";
        command.Parameters.AddWithValue("$t", tenantId);
        var pIri = command.Parameters.Add("$iri", Microsoft.Data.Sqlite.SqliteType.Text);
        foreach (var iri in iris)
        {
            pIri.Value = iri;
            if (await command.ExecuteScalarAsync(ct) is string json && JsonNode.Parse(json) is JsonObject definition)
                result[iri] = definition;
        }
        return result;
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<string>> AgentNamesAsync(long tenantId, string agentKey, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT name FROM agent_names WHERE tenant_id = $t AND agent_key = $key ORDER BY name";
        command.Parameters.AddWithValue("$t", tenantId);
        command.Parameters.AddWithValue("$key", agentKey);
        var names = new List<string>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct)) names.Add(reader.GetString(0));
        return names;
    }
}
