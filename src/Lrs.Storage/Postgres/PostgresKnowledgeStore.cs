using System.Text.Json.Nodes;
using Lrs.Core.Storage;

namespace Lrs.Storage.Postgres;

/// <summary>Canonical activity definitions and agent names in PostgreSQL.</summary>
public sealed class PostgresKnowledgeStore(PostgresDatabase database) : IKnowledgeStore
{
    /// <inheritdoc />
    public async Task<IReadOnlyDictionary<string, JsonObject>> ActivityDefinitionsAsync(long tenantId, IReadOnlyCollection<string> iris, CancellationToken ct)
    {
        var result = new Dictionary<string, JsonObject>(StringComparer.Ordinal);
        if (iris.Count == 0) return result;
        await using var command = database.DataSource.CreateCommand("SELECT iri, definition::text FROM activities WHERE tenant_id = @t AND iri = ANY(@iris)");
        command.Parameters.AddWithValue("t", tenantId);
        command.Parameters.AddWithValue("iris", iris.ToArray());
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
            if (JsonNode.Parse(reader.GetString(1)) is JsonObject definition && definition.Count > 0)
                result[reader.GetString(0)] = definition;
        return result;
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<string>> AgentNamesAsync(long tenantId, string agentKey, CancellationToken ct)
    {
        await using var command = database.DataSource.CreateCommand("SELECT name FROM agent_names WHERE tenant_id = @t AND agent_key = @key ORDER BY name");
        command.Parameters.AddWithValue("t", tenantId);
        command.Parameters.AddWithValue("key", agentKey);
        var names = new List<string>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct)) names.Add(reader.GetString(0));
        return names;
    }
}
