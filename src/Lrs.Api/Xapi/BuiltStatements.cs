using System.Text.Json.Nodes;
using Lrs.Core.Storage;
using Lrs.Core.Xapi;

namespace Lrs.Api.Xapi;

/// <summary>
/// Statements the LRS builds itself (reflection answers, group-reflection attendance) stored as a client's would be:
/// validated, prepared with the caller's authority, and written in one batch through the statement store, so evidence
/// and reflection tasks are recorded in their transaction.
/// </summary>
internal static class BuiltStatements
{
    /// <summary>Stores <paramref name="built"/> (1.0.3 statements) as one batch; the conflicting id when a different statement with one of their ids is stored.</summary>
    /// <exception cref="InvalidOperationException">A built statement is not valid xAPI: a bug, never the caller's fault.</exception>
    public static async Task<Guid?> StoreAsync(IStatementStore statements, long tenant, JsonObject authority, IReadOnlyList<JsonObject> built,
        DateTimeOffset now, CancellationToken ct)
    {
        if (built.Count == 0) return null;
        var stored = new DateTimeOffset(now.UtcTicks - now.UtcTicks % 10, TimeSpan.Zero);
        var prepared = new List<PreparedStatement>(built.Count);
        foreach (var statement in built)
        {
            var problems = StatementValidator.Validate(statement, XapiVersion.V103);
            if (problems.Count > 0) throw new InvalidOperationException($"A statement built by the LRS is invalid: {problems[0]}");
            prepared.Add(StatementPreparer.Prepare(statement, XapiVersion.V103, stored, (JsonObject)authority.DeepClone()));
        }
        var outcome = await statements.StoreAsync(tenant, prepared, [], ct);
        return outcome.ConflictingId;
    }
}
