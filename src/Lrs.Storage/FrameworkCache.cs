using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Lrs.Core.Competence;

namespace Lrs.Storage;

/// <summary>
/// The parsed competence framework of each tenant, by version, so that the ingest path matches statements against
/// rules in memory and reads only the framework's version from the database.
/// </summary>
public sealed class FrameworkCache
{
    private readonly ConcurrentDictionary<long, (long Version, Framework Framework)> _byTenant = new();

    /// <summary>The cached framework of <paramref name="tenantId"/> if it is at <paramref name="version"/>; else null.</summary>
    public Framework? Get(long tenantId, long version) =>
        _byTenant.TryGetValue(tenantId, out var cached) && cached.Version == version ? cached.Framework : null;

    /// <summary>Parses and caches a stored framework document (stored documents were validated when written).</summary>
    public Framework Remember(long tenantId, long version, string? document)
    {
        var framework = document is null ? Framework.Empty
            : FrameworkDocument.Parse(JsonNode.Parse(document)).Framework
              ?? throw new InvalidOperationException($"The stored competence framework of tenant {tenantId} does not parse.");
        _byTenant[tenantId] = (version, framework);
        return framework;
    }
}
