using System.Text.Json.Nodes;

namespace Lrs.Core.Storage;

/// <summary>
/// What the LRS knows about activities and agents beyond single statements. Written by the statement
/// store in the statements' transaction; read here.
/// </summary>
public interface IKnowledgeStore
{
    /// <summary>Canonical definitions of the given activity IRIs that are known (others are absent).</summary>
    Task<IReadOnlyDictionary<string, JsonObject>> ActivityDefinitionsAsync(long tenantId, IReadOnlyCollection<string> iris, CancellationToken ct);

    /// <summary>The names statements gave to the agent with this key.</summary>
    Task<IReadOnlyList<string>> AgentNamesAsync(long tenantId, string agentKey, CancellationToken ct);
}
