using System.Text.Json.Nodes;
using Lrs.Core.Learning;

namespace Lrs.Storage;

/// <summary>The columns of session participants that both dialects store as JSON text.</summary>
internal static class SessionRows
{
    /// <summary>The participant's agent, outcome, detail and statement ids as one JSON object.</summary>
    public static string Body(SessionParticipant p) => new JsonObject
    {
        ["agent"] = p.Agent.DeepClone(),
        ["outcome"] = p.Outcome,
        ["detail"] = p.Detail.DeepClone(),
        ["statements"] = new JsonArray([.. p.StatementIds.Select(id => (JsonNode)id.ToString("D"))]),
        ["voided"] = new JsonArray([.. p.VoidedIds.Select(id => (JsonNode)id.ToString("D"))]),
    }.ToJsonString();

    public static SessionParticipant Participant(string key, string? personId, string? organisationId, string body)
    {
        var o = JsonNode.Parse(body)!.AsObject();
        return new SessionParticipant(key, personId, organisationId, o["agent"]!.AsObject(), o["outcome"]!.GetValue<string>(), o["detail"]!.AsObject(),
            [.. o["statements"]!.AsArray().Select(n => Guid.Parse(n!.GetValue<string>()))],
            [.. o["voided"]!.AsArray().Select(n => Guid.Parse(n!.GetValue<string>()))]);
    }

    public static int Kind(SessionKind kind) => kind == SessionKind.Webinar ? 2 : 1;
}
