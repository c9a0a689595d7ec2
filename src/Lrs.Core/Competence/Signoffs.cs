using System.Text.Json.Nodes;
using Lrs.Core.Xapi;

namespace Lrs.Core.Competence;

/// <summary>A supervisor's confirmation of another statement (e.g. a practical demonstration or a delegation).</summary>
/// <param name="TargetStatementId">The statement signed off (the object StatementRef's id).</param>
/// <param name="SignerKey">The agent key of the signer (the sign-off statement's actor).</param>
/// <param name="SignedAt">The sign-off statement's timestamp.</param>
public sealed record Signoff(Guid TargetStatementId, string SignerKey, DateTimeOffset SignedAt);

/// <summary>Recognises sign-off statements.</summary>
public static class Signoffs
{
    /// <summary>
    /// The sign-off <paramref name="statement"/> (valid and prepared) makes, or null when it makes none. A sign-off is
    /// a statement whose verb is one of <see cref="Framework.SignoffVerbs"/>, whose object is a StatementRef and whose
    /// actor has an identifier (an Agent or identified Group). A statement that says <c>result.success: false</c>
    /// records a refused confirmation and is no sign-off. Whether the signer may sign (not the learner) is for the
    /// caller, which knows whose evidence the target is.
    /// </summary>
    public static Signoff? Recognise(Framework framework, JsonObject statement)
    {
        if (!JsonRead.TryString(statement["verb"]?["id"], out var verb) || !framework.IsSignoffVerb(verb)) return null;
        if (statement["object"] is not JsonObject obj
            || !JsonRead.TryString(obj["objectType"], out var type) || type != "StatementRef"
            || !JsonRead.TryString(obj["id"], out var id) || !Guid.TryParse(id, out var target)) return null;
        if (statement["result"]?["success"] is JsonValue success && JsonRead.IsBoolean(success) && !success.GetValue<bool>()) return null;
        if (AgentKey.Of(statement["actor"]) is not { } signer) return null;
        if (!EvidenceExtractor.Time(statement["timestamp"], out var at) && !EvidenceExtractor.Time(statement["stored"], out at)) return null;
        return new Signoff(target, signer, at);
    }
}
