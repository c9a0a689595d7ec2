using System.Text.Json.Nodes;
using Lrs.Core.Storage;

namespace Lrs.Storage;

/// <summary>Canonical activity definitions and agent names.</summary>
public sealed class KnowledgeStore(Dialect db) : IKnowledgeStore
{
    /// <inheritdoc />
    public async Task<IReadOnlyDictionary<string, JsonObject>> ActivityDefinitionsAsync(long tenantId, IReadOnlyCollection<string> iris, CancellationToken ct)
    {
        var result = new Dictionary<string, JsonObject>(StringComparer.Ordinal);
        if (iris.Count == 0) return result;
        // An empty definition is a row PostgreSQL's writer created to lock an IRI: nothing is known of it.
        foreach (var (iri, json) in await db.QueryAsync($"SELECT iri, definition{db.Sql("", "::text")} FROM activities WHERE tenant_id = @t AND iri{db.In("iris")}",
            r => (r.GetString(0), r.GetString(1)), ct, ("t", tenantId), ("iris", db.List(iris))))
            if (JsonNode.Parse(json) is JsonObject { Count: > 0 } definition) result[iri] = definition;
        return result;
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<string>> AgentNamesAsync(long tenantId, string agentKey, CancellationToken ct) =>
        await db.QueryAsync("SELECT name FROM agent_names WHERE tenant_id = @t AND agent_key = @key ORDER BY name", r => r.GetString(0), ct, ("t", tenantId), ("key", agentKey));
}
