using System.Security.Claims;
using System.Text.Json.Nodes;
using Lrs.Core.Storage;
using Lrs.Core.Xapi;

namespace Lrs.Api.Auth;

/// <summary>
/// The actor and registration a credential is bound to (claims <c>lrs:actor</c> and <c>lrs:registration</c>),
/// and what they allow: a cmi5 launch credential, for one learner in one registration, writes and reads only
/// that learner's statements of that registration and that learner's State of that registration. Scopes still
/// apply on top; a principal with neither binding is not narrowed at all.
/// </summary>
/// <param name="ActorKey">The bound actor's <see cref="AgentKey"/>, or null.</param>
/// <param name="Registration">The bound registration, lower-case UUID text, or null.</param>
public sealed record BoundAccess(string? ActorKey, string? Registration)
{
    /// <summary>The bindings of a principal.</summary>
    public static BoundAccess Of(ClaimsPrincipal user) =>
        new(user.FindFirstValue(LrsClaims.Actor), user.FindFirstValue(LrsClaims.Registration));

    /// <summary>Whether the principal is bound to nothing.</summary>
    public bool IsNone => ActorKey is null && Registration is null;

    /// <summary>
    /// Index keys (<see cref="StatementIndex"/>) a statement must carry itself to be visible: the bound actor as
    /// actor or object, the bound registration.
    /// </summary>
    public IReadOnlyList<string> StatementKeys { get; } =
        [.. new[] { ActorKey is null ? null : StatementIndex.Agent + ActorKey, Registration is null ? null : StatementIndex.Registration + Registration }.OfType<string>()];

    /// <summary>Whether a stored statement is visible under the bindings.</summary>
    public bool MaySee(string statementJson) =>
        StatementKeys.Count == 0 || StatementKeys.All(StatementIndex.Extract((JsonObject)JsonNode.Parse(statementJson)!).Contains);

    /// <summary>Why a valid statement may not be written under the bindings; null when it may.</summary>
    public string? RefuseWrite(JsonNode? statement)
    {
        if (ActorKey is not null && AgentKey.Of(statement?["actor"]) != ActorKey)
            return "This credential is bound to one actor and stores only statements whose actor is that agent.";
        if (Registration is not null
            && (statement?["context"]?["registration"] is not JsonValue value || !value.TryGetValue(out string? text)
                || !Guid.TryParse(text, out var registration) || registration.ToString("D") != Registration))
            return $"This credential is bound to registration {Registration} and stores only statements with that context.registration.";
        return null;
    }

    /// <summary>Why a set of documents is out of reach under the bindings; null when it is within reach.</summary>
    public string? RefuseDocuments(DocumentSet set)
    {
        if (set.Kind == DocumentKind.ActivityProfile) return null;
        if (ActorKey is not null && set.AgentKey != ActorKey)
            return "This credential is bound to one actor and reaches only that agent's documents.";
        if (Registration is not null && set.Kind == DocumentKind.State && set.Registration != Registration)
            return $"This credential is bound to registration {Registration} and reaches only State documents of that registration.";
        return null;
    }
}
