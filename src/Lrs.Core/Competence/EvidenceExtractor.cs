using System.Text.Json.Nodes;
using Lrs.Core.Xapi;

namespace Lrs.Core.Competence;

/// <summary>Evidence found in one statement for one person-agent and one competence.</summary>
/// <param name="CompetenceId">The competence.</param>
/// <param name="RuleId">The rule that matched (the first in framework order).</param>
/// <param name="AgentKey">The agent's key (<see cref="Xapi.AgentKey.Of(System.Text.Json.Nodes.JsonNode)"/>): the actor, or a member of a Group actor.</param>
/// <param name="AchievedAt">The statement's timestamp.</param>
/// <param name="ExpiresAt">When it stops counting: the statement's context extension
/// <see cref="EvidenceExtractor.ExpiresExtension"/> when present and a valid timestamp, else <paramref name="AchievedAt"/>
/// plus the competence's validity, else null (never).</param>
/// <param name="NeedsSignoff">Whether the rule asks for a supervisor's sign-off before the evidence counts.</param>
/// <param name="AssessorJson">Who assessed, as agent JSON: the first <c>context.contextAgents[].agent</c> (xAPI 2.0), else
/// <c>context.instructor</c>, else the <c>authority</c>; null when there is none.</param>
public sealed record EvidenceFound(string CompetenceId, string RuleId, string AgentKey,
    DateTimeOffset AchievedAt, DateTimeOffset? ExpiresAt, bool NeedsSignoff, string? AssessorJson);

/// <summary>
/// Matches one statement against a framework's alignment rules. It runs for every statement stored, so it allocates
/// nothing for a statement whose verb no rule names.
/// </summary>
public static class EvidenceExtractor
{
    /// <summary>The context extension that carries an explicit expiry time (an ISO 8601 timestamp string).</summary>
    public const string ExpiresExtension = "https://w3id.org/xapi/comp/contextextensions/expires";

    /// <summary>
    /// The evidence in <paramref name="statement"/>, a valid, prepared statement (it has id, timestamp, stored,
    /// authority). An Agent actor gives evidence for its key; a Group actor (identified or anonymous) gives evidence for
    /// every member that has an identifier, since a group diploma counts for each member, and none for the group itself.
    /// A statement whose object is not an Activity gives none. At most one result per (competence, agent): the first
    /// matching rule in framework order wins. Results come agent by agent, in rule order.
    /// </summary>
    public static IReadOnlyList<EvidenceFound> Extract(Framework framework, JsonObject statement)
    {
        if (!JsonRead.TryString(statement["verb"]?["id"], out var verb)) return [];
        var rules = framework.RulesForVerb(verb);
        if (rules.Count == 0) return [];

        if (!ActivitySelection.TryReadActivity(statement, out var activityId, out var activityType)) return [];

        var result = statement["result"] as JsonObject;
        bool? success = result?["success"] is JsonValue s && JsonRead.IsBoolean(s) ? s.GetValue<bool>() : null;
        double? scaled = JsonRead.TryNumber(result?["score"]?["scaled"], out var sc) ? sc : null;

        // Rules of one verb are few; a small array of winners beats a dictionary here.
        AlignmentRule?[]? winners = null;
        int winnerCount = 0;
        for (var i = 0; i < rules.Count; i++)
        {
            var rule = rules[i];
            if (!rule.Selects(activityId, activityType) || !ResultHolds(rule, success, scaled)) continue;
            winners ??= new AlignmentRule?[rules.Count];
            bool taken = false;
            for (var j = 0; j < winnerCount; j++)
                if (winners[j]!.CompetenceId == rule.CompetenceId) { taken = true; break; }
            if (!taken) winners[winnerCount++] = rule;
        }
        if (winners is null) return [];

        if (!Time(statement["timestamp"], out var achievedAt) && !Time(statement["stored"], out achievedAt)) return [];
        DateTimeOffset? explicitExpiry = Time(statement["context"]?["extensions"]?[ExpiresExtension], out var e) ? e : null;
        var assessor = Assessor(statement);

        var agentKeys = AgentKey.OfActor(statement["actor"]);
        if (agentKeys.Count == 0) return [];
        var found = new List<EvidenceFound>(winnerCount * agentKeys.Count);
        foreach (var key in agentKeys) AddFor(key);
        return found;

        void AddFor(string agentKey)
        {
            for (var w = 0; w < winnerCount; w++)
            {
                var rule = winners[w]!;
                var expiresAt = explicitExpiry
                    ?? (framework.ValidityOf(rule.CompetenceId) is { } validity ? IsoDuration.AddTo(achievedAt, validity) : null);
                found.Add(new EvidenceFound(rule.CompetenceId, rule.Id, agentKey, achievedAt, expiresAt, rule.SignoffRequired, assessor));
            }
        }
    }

    private static bool ResultHolds(AlignmentRule rule, bool? success, double? scaled) =>
        (!rule.SuccessRequired || success == true)
        && (rule.MinScaledScore is not { } min || (scaled is { } s && s >= min));

    // Prepared statements carry RFC 3339 UTC timestamps; an extension value may be any ISO 8601 form either version takes.
    internal static bool Time(JsonNode? node, out DateTimeOffset value)
    {
        value = default;
        return JsonRead.TryString(node, out var text)
            && (XapiTimestamp.TryParse(text, XapiVersion.V103, out value) || XapiTimestamp.TryParse(text, XapiVersion.V200, out value));
    }

    private static string? Assessor(JsonObject statement)
    {
        var context = statement["context"] as JsonObject;
        if (context?["contextAgents"] is JsonArray contextAgents)
            foreach (var ca in contextAgents)
                if (ca?["agent"] is JsonObject agent) return agent.ToJsonString();
        if (context?["instructor"] is JsonObject instructor) return instructor.ToJsonString();
        return statement["authority"] is JsonObject authority ? authority.ToJsonString() : null;
    }
}
