using System.Runtime.InteropServices;
using System.Text.Json;
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

    /// <summary>The distinct keys of a valid statement, prepared or as sent.</summary>
    public static IReadOnlyList<string> Extract(JsonObject statement)
    {
        return Extract(JsonText.Element(statement), statement["authority"] is JsonObject authority ? new PreparedAuthority(authority) : null);
    }

    /// <summary>
    /// The distinct keys of a valid statement, prepared or as sent (single context activities count where preparation puts
    /// them, after the lists), with <paramref name="authority"/>'s keys in place of any authority it carries.
    /// </summary>
    public static IReadOnlyList<string> Extract(JsonElement statement, PreparedAuthority? authority)
    {
        var keys = new Keys();
        if (statement.TryGetProperty("verb"u8, out var verb) && verb.TryGetProperty("id"u8, out var verbId)) keys.Add(JsonText.Shared("v|"u8, verbId));
        statement.TryGetProperty("context"u8, out var context);
        if (context.ValueKind == JsonValueKind.Object && context.TryGetProperty("registration"u8, out var reg))
            keys.Add(JsonText.Shared("g|"u8, reg).ToLowerInvariant());

        // The narrow keys first (actor or object, authority, object activity), so that a related key they imply is never made.
        if (statement.TryGetProperty("actor"u8, out var actor)) keys.ActorOrObject(actor);
        statement.TryGetProperty("object"u8, out var obj);
        var objectType = ObjectType(obj);
        if (objectType is "Agent" or "Group") keys.ActorOrObject(obj);
        else if (objectType is "Activity" && obj.TryGetProperty("id"u8, out var activityId)) keys.ObjectActivity(activityId);
        if (authority is not null) keys.Authority(authority);
        keys.Context(context);
        if (objectType == "SubStatement")
        {
            // Everything inside a SubStatement is "related", never actor or object of the outer statement.
            if (obj.TryGetProperty("actor"u8, out var innerActor)) keys.Related(innerActor);
            obj.TryGetProperty("object"u8, out var inner);
            var innerType = ObjectType(inner);
            if (innerType is "Agent" or "Group") keys.Related(inner);
            else if (innerType is "Activity" && inner.TryGetProperty("id"u8, out var innerId)) keys.RelatedActivity(innerId);
            if (obj.TryGetProperty("context"u8, out var innerContext)) keys.Context(innerContext);
        }
        return keys.List;
    }

    // The objectType of a statement's object, Activity when it has none, null when there is no object.
    private static string? ObjectType(JsonElement obj) =>
        obj.ValueKind != JsonValueKind.Object ? null
        : !obj.TryGetProperty("objectType"u8, out var type) ? "Activity"
        : type.ValueEquals("Activity"u8) ? "Activity" : type.ValueEquals("Agent"u8) ? "Agent" : type.ValueEquals("Group"u8) ? "Group"
        : type.ValueEquals("SubStatement"u8) ? "SubStatement" : type.GetString();

    // The keys of one statement as they are found, each written once. Each index row costs a write: a related key that a
    // narrower key of the same agent (actor, object, authority) or activity (the object) implies is left out. What was met is
    // kept in lists: a statement names a few agents and activities, which a list finds sooner than a set hashes one.
    private sealed class Keys
    {
        public readonly List<string> List = new(12);
        private readonly List<string> _narrowAgents = new(2);
        private List<string>? _relatedAgents;
        private JsonElement _objectActivity;
        private List<string>? _relatedActivities;

        // Adds key to met unless it is there already; whether it was added.
        private static bool Add(List<string> met, string key)
        {
            foreach (var k in met)
                if (string.Equals(k, key, StringComparison.Ordinal)) return false;
            met.Add(key);
            return true;
        }

        public void Add(string key) => List.Add(key);

        // An agent matches itself; a group matches by its own IFI and by each member's.
        public void ActorOrObject(JsonElement agent)
        {
            if (agent.ValueKind != JsonValueKind.Object) return;
            Narrow(AgentKey.Of(agent));
            if (agent.TryGetProperty("member"u8, out var members) && members.ValueKind == JsonValueKind.Array)
                foreach (var member in members.EnumerateArray()) Narrow(AgentKey.Of(member));
        }

        private void Narrow(string? key)
        {
            if (key is not null && Add(_narrowAgents, key)) List.Add(Agent + key);
        }

        // The authority's own key is narrow; the members of an authority group are related agents.
        public void Authority(PreparedAuthority authority)
        {
            if (authority.Key is { } key)
            {
                List.Add(authority.IndexKey!);
                Add(_narrowAgents, key);
            }
            foreach (var member in authority.MemberKeys) Related(member);
        }

        public void ObjectActivity(JsonElement id)
        {
            _objectActivity = id;
            List.Add(JsonText.Shared("o|"u8, id));
        }

        public void Related(JsonElement agent)
        {
            if (agent.ValueKind != JsonValueKind.Object) return;
            Related(AgentKey.Of(agent));
            if (agent.TryGetProperty("member"u8, out var members) && members.ValueKind == JsonValueKind.Array)
                foreach (var member in members.EnumerateArray()) Related(AgentKey.Of(member));
        }

        private void Related(string? key)
        {
            if (key is not null && !_narrowAgents.Contains(key) && Add(_relatedAgents ??= new(4), key)) List.Add(RelatedAgent + key);
        }

        public void RelatedActivity(JsonElement id)
        {
            if (_objectActivity.ValueKind == JsonValueKind.String && SameText(id, _objectActivity)) return;
            var key = JsonText.Shared("or|"u8, id);
            if (Add(_relatedActivities ??= new(4), key)) List.Add(key);
        }

        // Whether strings a and b hold the same text, however either was escaped.
        private static bool SameText(JsonElement a, JsonElement b)
        {
            var raw = JsonMarshal.GetRawUtf8Value(b);
            return raw.IndexOf((byte)'\\') < 0 ? a.ValueEquals(raw[1..^1]) : a.ValueEquals(b.GetString());
        }

        public void Context(JsonElement context)
        {
            if (context.ValueKind != JsonValueKind.Object) return;
            foreach (var agent in ContextAgents.Of(context)) Related(agent);
            foreach (var activity in ContextActivities.Of(context))
                if (activity.ValueKind == JsonValueKind.Object && activity.TryGetProperty("id"u8, out var id)) RelatedActivity(id);
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
