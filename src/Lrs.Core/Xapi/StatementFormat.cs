using System.Text.Json;
using System.Text.Json.Nodes;

namespace Lrs.Core.Xapi;

/// <summary>The <c>format</c> parameter of a statement GET.</summary>
public enum StatementFormat
{
    /// <summary>As stored.</summary>
    Exact,
    /// <summary>Only what identifies agents, groups, activities and verbs.</summary>
    Ids,
    /// <summary>One language per language map, chosen by <c>Accept-Language</c>.</summary>
    Canonical,
}

/// <summary>Turns stored statements into the requested format.</summary>
public static class StatementFormatter
{
    /// <summary>
    /// Reformats a stored statement; <paramref name="languages"/> are the preferred tags, best first. For the
    /// canonical format, activities take the LRS's canonical definitions where <paramref name="canonical"/> has them.
    /// </summary>
    public static JsonNode Format(string json, StatementFormat format, IReadOnlyList<string> languages, IReadOnlyDictionary<string, JsonObject>? canonical = null)
    {
        var statement = JsonNode.Parse(json)!;
        if (format == StatementFormat.Ids) ToIds(statement.AsObject());
        else if (format == StatementFormat.Canonical)
        {
            if (canonical is { Count: > 0 }) ReplaceDefinitions(statement, canonical);
            ToCanonical(statement, languages);
        }
        return statement;
    }

    /// <summary>The IRIs of the activities a stored statement mentions (object, context activities, SubStatement).</summary>
    public static IReadOnlyList<string> ActivityIds(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.ValueKind == JsonValueKind.Object ? ActivityDefinitions.Ids(document.RootElement) : [];
    }

    private static void ReplaceDefinitions(JsonNode node, IReadOnlyDictionary<string, JsonObject> canonical)
    {
        switch (node)
        {
            case JsonObject o:
                if (o["id"] is JsonValue id && id.TryGetValue(out string? iri) && o["objectType"]?.GetValue<string>() is null or "Activity"
                    && canonical.TryGetValue(iri, out var definition) && (o["definition"] is not null || o.Parent is not null))
                    o["definition"] = definition.DeepClone();
                foreach (var (name, child) in o.ToList())
                    if (child is not null && name is not ("definition" or "extensions" or "actor" or "authority" or "verb")) ReplaceDefinitions(child, canonical);
                break;
            case JsonArray a:
                foreach (var child in a) if (child is not null) ReplaceDefinitions(child, canonical);
                break;
        }
    }

    private static void ToIds(JsonObject s)
    {
        IdsOfAgent(s["actor"]);
        if (s["verb"] is JsonObject verb) verb.Remove("display");
        IdsOfObject(s["object"]);
        IdsOfAgent(s["authority"]);
        IdsOfContext(s["context"]);
    }

    private static void IdsOfObject(JsonNode? o)
    {
        if (o is not JsonObject obj) return;
        switch (obj["objectType"]?.GetValue<string>())
        {
            case "Agent" or "Group": IdsOfAgent(obj); break;
            case "SubStatement": ToIds(obj); break;
            case "StatementRef": break;
            default: IdsOfActivity(obj); break;
        }
    }

    // An activity is identified by its id alone.
    private static void IdsOfActivity(JsonObject activity)
    {
        foreach (var name in activity.Select(p => p.Key).Where(n => n != "id").ToList()) activity.Remove(name);
    }

    private static void IdsOfContext(JsonNode? c)
    {
        if (c is not JsonObject context) return;
        IdsOfAgent(context["instructor"]);
        IdsOfAgent(context["team"]);
        if (context["contextAgents"] is JsonArray agents) foreach (var a in agents) IdsOfAgent(a?["agent"]);
        if (context["contextGroups"] is JsonArray groups) foreach (var g in groups) IdsOfAgent(g?["group"]);
        if (context["contextActivities"] is JsonObject activities)
            foreach (var (_, list) in activities)
                if (list is JsonArray array)
                    foreach (var activity in array)
                        if (activity is JsonObject a) IdsOfActivity(a);
    }

    // An identified agent or group keeps its IFI; an anonymous group keeps what identifies its members.
    private static void IdsOfAgent(JsonNode? a)
    {
        if (a is not JsonObject agent) return;
        var identified = AgentKey.Of(agent) is not null;
        foreach (var name in agent.Select(p => p.Key).ToList())
        {
            if (name is "objectType" or "mbox" or "mbox_sha1sum" or "openid" or "account") continue;
            if (name == "member" && !identified && agent["member"] is JsonArray members)
            {
                foreach (var m in members) IdsOfAgent(m);
                continue;
            }
            agent.Remove(name);
        }
    }

    private static readonly string[] LanguageMapNames = ["display", "name", "description"];

    // Walks the whole statement: every language map (verb display, definition name and description,
    // interaction components, attachment display and description) is reduced to one entry.
    private static void ToCanonical(JsonNode node, IReadOnlyList<string> languages)
    {
        switch (node)
        {
            case JsonObject o:
                foreach (var (name, child) in o.ToList())
                {
                    if (child is null || name == "extensions") continue;
                    if (child is JsonObject map && LanguageMapNames.Contains(name) && IsLanguageMap(map))
                        ReduceLanguageMap(map, languages);
                    else ToCanonical(child, languages);
                }
                break;
            case JsonArray a:
                foreach (var child in a) if (child is not null) ToCanonical(child, languages);
                break;
        }
    }

    private static bool IsLanguageMap(JsonObject map) => map.All(p => p.Value is JsonValue);

    private static void ReduceLanguageMap(JsonObject map, IReadOnlyList<string> languages)
    {
        if (map.Count <= 1) return;
        var keep = Choose(map.Select(p => p.Key).ToList(), languages);
        foreach (var key in map.Select(p => p.Key).Where(k => k != keep).ToList()) map.Remove(key);
    }

    /// <summary>The best tag of <paramref name="available"/> for the preferences, else the first available.</summary>
    public static string Choose(IReadOnlyList<string> available, IReadOnlyList<string> languages)
    {
        foreach (var wanted in languages)
        {
            if (wanted == "*") return available[0];
            foreach (var tag in available)
                if (string.Equals(tag, wanted, StringComparison.OrdinalIgnoreCase)) return tag;
            // "sv" is satisfied by "sv-SE", and "sv-SE" by "sv".
            foreach (var tag in available)
                if (tag.StartsWith(wanted + "-", StringComparison.OrdinalIgnoreCase) || wanted.StartsWith(tag + "-", StringComparison.OrdinalIgnoreCase))
                    return tag;
        }
        return available.FirstOrDefault(t => t.StartsWith("en", StringComparison.OrdinalIgnoreCase)) ?? available[0];
    }
}
