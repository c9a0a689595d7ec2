using System.Text.Json;
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
    /// The activity definitions of a valid statement, prepared or as sent, each with its activity's IRI and in UTF-8 as the
    /// statement stores it, in the order they are met: the object, the context activities (<see cref="ContextActivities"/>), a
    /// SubStatement's object and context activities. A definition met again is often the same array (<see cref="JsonText.Written"/>):
    /// read it, never change it.
    /// </summary>
    public static IReadOnlyList<(string Iri, byte[] Utf8Json)> Of(JsonElement statement)
    {
        List<(string, byte[])>? result = null;
        foreach (var activity in Activities(statement))
            if (activity.TryGetProperty("definition"u8, out var definition) && definition.ValueKind == JsonValueKind.Object)
                (result ??= []).Add((JsonText.Shared(activity.GetProperty("id"u8)), JsonText.Written(definition)));
        return result ?? [];
    }

    /// <summary>The IRIs of the activities a statement mentions (object, context activities, SubStatement), each once, in order.</summary>
    public static IReadOnlyList<string> Ids(JsonElement statement) =>
        [.. Activities(statement).Select(a => a.GetProperty("id"u8).GetString()!).Distinct(StringComparer.Ordinal)];

    // The activities of a statement (objects with an id and no objectType but Activity), where Of says.
    private static List<JsonElement> Activities(JsonElement statement)
    {
        var activities = new List<JsonElement>(4);
        void Add(JsonElement activity)
        {
            if (activity.ValueKind == JsonValueKind.Object
                && (!activity.TryGetProperty("objectType"u8, out var type) || type.ValueKind == JsonValueKind.Null || type.ValueEquals("Activity"u8))
                && activity.TryGetProperty("id"u8, out var id) && id.ValueKind == JsonValueKind.String)
                activities.Add(activity);
        }
        void AddContext(JsonElement owner)
        {
            if (owner.TryGetProperty("context"u8, out var context))
                foreach (var activity in ContextActivities.Of(context)) Add(activity);
        }
        if (statement.TryGetProperty("object"u8, out var obj)) Add(obj);
        AddContext(statement);
        if (obj.ValueKind == JsonValueKind.Object && obj.TryGetProperty("objectType"u8, out var objectType) && objectType.ValueEquals("SubStatement"u8))
        {
            if (obj.TryGetProperty("object"u8, out var inner)) Add(inner);
            AddContext(obj);
        }
        return activities;
    }

    /// <summary>
    /// A batch's definition of an activity so far, with the next one the batch gives: the first is taken as it is (and must then
    /// only be read); one that adds to what is known is merged into a copy; the same definition sent with every statement of a
    /// course adds nothing.
    /// </summary>
    public static JsonObject Fold(JsonObject? known, JsonObject incoming) =>
        known is null ? incoming : Covers(known, incoming) ? known : Merge(known, incoming);

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
}
