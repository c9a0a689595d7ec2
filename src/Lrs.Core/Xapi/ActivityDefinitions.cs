using System.Text.Json.Nodes;

namespace Lrs.Core.Xapi;

/// <summary>
/// The LRS's canonical activity definitions: what statements said about each activity, merged, so that the
/// Activities resource and the <c>canonical</c> format can answer with everything known (Communication 2.5).
/// </summary>
public static class ActivityDefinitions
{
    private static readonly HashSet<string> MergedMaps = ["name", "description", "extensions"];

    /// <summary>
    /// The definitions in a batch of prepared statements, merged per activity IRI in batch order. A definition given once may be
    /// the statement's own node: read it, do not change it or attach it elsewhere.
    /// </summary>
    public static Dictionary<string, JsonObject> Collect(IEnumerable<JsonObject> statements)
    {
        var result = new Dictionary<string, JsonObject>(StringComparer.Ordinal);
        foreach (var statement in statements)
        {
            Add(result, statement["object"]);
            AddContext(result, statement["context"]);
            if (statement["object"] is JsonObject sub && sub["objectType"]?.GetValue<string>() == "SubStatement")
            {
                Add(result, sub["object"]);
                AddContext(result, sub["context"]);
            }
        }
        return result;
    }

    /// <summary>
    /// Merges an incoming definition into the canonical one: language maps and extensions gain or replace
    /// entries, every other property takes the incoming value. Returns a new object.
    /// </summary>
    public static JsonObject Merge(JsonObject? canonical, JsonObject incoming)
    {
        var merged = (JsonObject?)canonical?.DeepClone() ?? [];
        foreach (var (name, value) in incoming.MembersOf())
        {
            if (value is JsonObject map && MergedMaps.Contains(name) && merged[name] is JsonObject existing)
                foreach (var (key, entry) in map.MembersOf()) existing[key] = entry?.DeepClone();
            else merged[name] = value?.DeepClone();
        }
        return merged;
    }

    /// <summary>
    /// Whether merging <paramref name="incoming"/> into <paramref name="canonical"/> would leave it as it is (every incoming
    /// property, and every entry of an incoming language map or extensions, is there already with the same value): the
    /// answer of comparing <see cref="Merge"/>'s result with <paramref name="canonical"/>, without building it.
    /// </summary>
    public static bool Covers(JsonObject canonical, JsonObject incoming)
    {
        foreach (var (name, value) in incoming.MembersOf())
        {
            if (value is JsonObject map && MergedMaps.Contains(name) && canonical[name] is JsonObject existing)
            {
                foreach (var (key, entry) in map.MembersOf())
                    if (!existing.TryGetPropertyValue(key, out var known) || !JsonNode.DeepEquals(known, entry)) return false;
            }
            else if (!canonical.TryGetPropertyValue(name, out var known) || !JsonNode.DeepEquals(known, value)) return false;
        }
        return true;
    }

    /// <summary>An Activity object for the Activities resource: the canonical definition, or only the id when none is known.</summary>
    public static JsonObject ActivityObject(string id, JsonObject? definition)
    {
        var activity = new JsonObject { ["objectType"] = "Activity", ["id"] = id };
        if (definition is { Count: > 0 }) activity["definition"] = definition.DeepClone();
        return activity;
    }

    private static void AddContext(Dictionary<string, JsonObject> result, JsonNode? context)
    {
        if (context?["contextActivities"] is not JsonObject activities) return;
        foreach (var (_, list) in activities.MembersOf())
            if (list is JsonArray array)
                foreach (var activity in array.ItemsOf()) Add(result, activity);
    }

    private static void Add(Dictionary<string, JsonObject> result, JsonNode? activity)
    {
        if (activity is not JsonObject a || a["objectType"]?.GetValue<string>() is not (null or "Activity")) return;
        if (a["id"] is not JsonValue id || a["definition"] is not JsonObject definition) return;
        var iri = id.GetValue<string>();
        // The first definition of an activity is taken as it is (and only read); one that adds to it is merged into a copy, and
        // the same definition sent with every statement of a course adds nothing.
        if (!result.TryGetValue(iri, out var known)) result[iri] = definition;
        else if (!Covers(known, definition)) result[iri] = Merge(known, definition);
    }
}
