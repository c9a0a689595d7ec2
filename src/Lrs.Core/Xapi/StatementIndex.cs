using System.Text.Json.Nodes;

namespace Lrs.Core.Xapi;

/// <summary>
/// Extracts the index keys of a statement at write time, so that every filter of the statement query
/// (agent, verb, activity, registration, related_agents, related_activities) is an index lookup instead of a
/// scan of statement JSON (how each store indexes them: <c>Lrs.Storage.StatementKeys</c>).
/// </summary>
/// <remarks>
/// Keys are prefixed by kind: <c>a|</c> agent as actor or object (and members of such groups),
/// <c>ar|</c> any related agent, <c>o|</c> the object activity, <c>or|</c> any related activity,
/// <c>v|</c> the verb, <c>g|</c> the registration, <c>au|</c> the authority. A key is written once: an agent that
/// is actor, object or authority is not written again as a related agent, nor the object activity as a related
/// activity, so a query for a related agent or activity looks for any of those keys (<see cref="Alternatives"/>).
/// A statement that targets another through a StatementRef also carries the target's keys, tagged with the
/// target as their source, which is how the StatementRef rule of the query (Communication 2.1.3) stays an
/// index lookup.
/// </remarks>
public static class StatementIndex
{
    /// <summary>Prefix of an agent key in the actor or object position.</summary>
    public const string Agent = "a|";
    /// <summary>Prefix of an agent key anywhere in the statement (related_agents=true).</summary>
    public const string RelatedAgent = "ar|";
    /// <summary>Prefix of the object activity IRI.</summary>
    public const string Activity = "o|";
    /// <summary>Prefix of any activity IRI in the statement (related_activities=true).</summary>
    public const string RelatedActivity = "or|";
    /// <summary>Prefix of the verb IRI.</summary>
    public const string Verb = "v|";
    /// <summary>Prefix of the registration UUID (lower case).</summary>
    public const string Registration = "g|";
    /// <summary>Prefix of the authority's key: what <c>statements/read/mine</c> selects on.</summary>
    public const string Authority = "au|";

    /// <summary>The prefixes under which an agent key is written: actor or object, related, authority.</summary>
    public static readonly IReadOnlyList<string> AgentPrefixes = [Agent, RelatedAgent, Authority];

    /// <summary>The distinct keys of a prepared (valid) statement.</summary>
    public static IReadOnlyList<string> Extract(JsonObject statement)
    {
        var keys = new Keys();
        if (statement["verb"]?["id"] is JsonValue verb) keys.Add(Verb + verb.GetValue<string>());
        if (statement["context"]?["registration"] is JsonValue reg) keys.Add(Registration + reg.GetValue<string>().ToLowerInvariant());

        // The narrow keys first (actor or object, authority, object activity), so that a related key they imply is never made.
        keys.ActorOrObject(statement["actor"]);
        var obj = statement["object"] as JsonObject;
        var objectType = obj?["objectType"]?.GetValue<string>();
        if (objectType is "Agent" or "Group") keys.ActorOrObject(obj);
        else if (objectType is null or "Activity" && obj?["id"] is JsonValue activityId) keys.ObjectActivity(activityId.GetValue<string>());
        keys.Authority(statement["authority"]);
        keys.Context(statement["context"] as JsonObject);
        if (objectType == "SubStatement" && obj is not null)
        {
            // Everything inside a SubStatement is "related", never actor or object of the outer statement.
            keys.Related(obj["actor"]);
            var inner = obj["object"] as JsonObject;
            var innerType = inner?["objectType"]?.GetValue<string>();
            if (innerType is "Agent" or "Group") keys.Related(inner);
            else if (innerType is null or "Activity" && inner?["id"] is JsonValue innerId) keys.RelatedActivity(innerId.GetValue<string>());
            keys.Context(obj["context"] as JsonObject);
        }
        return keys.List;
    }

    // The keys of one statement as they are found, each written once. Each index row costs a write: a related key that a
    // narrower key of the same agent (actor, object, authority) or activity (the object) implies is left out.
    private sealed class Keys
    {
        public readonly List<string> List = new(12);
        private readonly HashSet<string> _narrowAgents = new(4, StringComparer.Ordinal);
        private HashSet<string>? _relatedAgents;
        private string? _objectActivity;
        private HashSet<string>? _relatedActivities;

        public void Add(string key) => List.Add(key);

        // An agent matches itself; a group matches by its own IFI and by each member's.
        public void ActorOrObject(JsonNode? agent)
        {
            if (agent is not JsonObject o) return;
            Narrow(AgentKey.Of(o));
            if (o["member"] is JsonArray members)
                foreach (var member in members.ItemsOf()) Narrow(AgentKey.Of(member));
        }

        private void Narrow(string? key)
        {
            if (key is not null && _narrowAgents.Add(key)) List.Add(Agent + key);
        }

        // The authority's own key is narrow; the members of an authority group are related agents.
        public void Authority(JsonNode? authority)
        {
            if (authority is not JsonObject o) return;
            if (AgentKey.Of(o) is { } key)
            {
                List.Add(StatementIndex.Authority + key);
                _narrowAgents.Add(key);
            }
            if (o["member"] is JsonArray members)
                foreach (var member in members.ItemsOf()) Related(AgentKey.Of(member));
        }

        public void ObjectActivity(string id)
        {
            _objectActivity = id;
            List.Add(Activity + id);
        }

        public void Related(JsonNode? agent)
        {
            if (agent is not JsonObject o) return;
            Related(AgentKey.Of(o));
            if (o["member"] is JsonArray members)
                foreach (var member in members.ItemsOf()) Related(AgentKey.Of(member));
        }

        private void Related(string? key)
        {
            if (key is not null && !_narrowAgents.Contains(key) && (_relatedAgents ??= new(StringComparer.Ordinal)).Add(key)) List.Add(RelatedAgent + key);
        }

        public void RelatedActivity(string id)
        {
            if (id != _objectActivity && (_relatedActivities ??= new(StringComparer.Ordinal)).Add(id)) List.Add(StatementIndex.RelatedActivity + id);
        }

        public void Context(JsonObject? context)
        {
            if (context is null) return;
            Related(context["instructor"]);
            Related(context["team"]);
            if (context["contextAgents"] is JsonArray contextAgents)
                foreach (var ca in contextAgents.ItemsOf()) Related(ca?["agent"]);
            if (context["contextGroups"] is JsonArray contextGroups)
                foreach (var cg in contextGroups.ItemsOf()) Related(cg?["group"]);
            if (context["contextActivities"] is JsonObject contextActivities)
                foreach (var (_, list) in contextActivities.MembersOf())
                    if (list is JsonArray activities)
                        foreach (var activity in activities.ItemsOf())
                            if (activity?["id"] is JsonValue id) RelatedActivity(id.GetValue<string>());
        }
    }

    /// <summary>
    /// The keys any one of which a statement carries when it matches <paramref name="key"/>: a related agent is the actor, the
    /// object, the authority or a related agent; a related activity is the object or a related activity; any other key is itself.
    /// </summary>
    public static IReadOnlyList<string> Alternatives(string key) =>
        key.StartsWith(RelatedAgent, StringComparison.Ordinal) ? [.. AgentPrefixes.Select(p => p + key[RelatedAgent.Length..])]
        : key.StartsWith(RelatedActivity, StringComparison.Ordinal) ? [Activity + key[RelatedActivity.Length..], key]
        : [key];

    /// <summary>Every agent key a statement's keys name, in any place (actor, object, authority, context, sub-statement).</summary>
    public static IEnumerable<string> NamedAgents(IEnumerable<string> keys)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var key in keys)
            if (AgentPrefixes.FirstOrDefault(p => key.StartsWith(p, StringComparison.Ordinal)) is { } prefix && seen.Add(key[prefix.Length..]))
                yield return key[prefix.Length..];
    }
}
