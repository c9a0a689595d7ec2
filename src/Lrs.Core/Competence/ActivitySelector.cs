using System.Text.Json;
using System.Text.Json.Nodes;
using Lrs.Core.Xapi;

namespace Lrs.Core.Competence;

/// <summary>
/// Selects the Activity a statement is about: by its IRI, by its <c>definition.type</c>, or by an IRI prefix. Alignment
/// rules and reflection triggers select statements the same way, through <see cref="ActivitySelection"/>.
/// </summary>
public interface IActivitySelector
{
    /// <summary>Object activity IRIs matched exactly.</summary>
    IReadOnlyList<string> Activities { get; }

    /// <summary>Object <c>definition.type</c> IRIs, as sent in the statement.</summary>
    IReadOnlyList<string> ActivityTypes { get; }

    /// <summary>Matches an object activity IRI that starts with one of these.</summary>
    IReadOnlyList<string> ActivityPrefixes { get; }
}

/// <summary>How an <see cref="IActivitySelector"/> is matched against a statement's object.</summary>
public static class ActivitySelection
{
    /// <summary>
    /// Whether the activity is one <paramref name="selector"/> selects: listed, of a listed type, or under a listed
    /// prefix. IRIs are compared ordinally, as sent.
    /// </summary>
    public static bool Selects(this IActivitySelector selector, string activityId, string? activityType)
    {
        var activities = selector.Activities;
        for (var i = 0; i < activities.Count; i++)
            if (string.Equals(activities[i], activityId, StringComparison.Ordinal)) return true;
        if (!string.IsNullOrEmpty(activityType))
        {
            var types = selector.ActivityTypes;
            for (var i = 0; i < types.Count; i++)
                if (string.Equals(types[i], activityType, StringComparison.Ordinal)) return true;
        }
        var prefixes = selector.ActivityPrefixes;
        for (var i = 0; i < prefixes.Count; i++)
            if (activityId.StartsWith(prefixes[i], StringComparison.Ordinal)) return true;
        return false;
    }

    /// <summary>
    /// The id and <c>definition.type</c> of the statement's object when it is an Activity (<c>objectType</c> left out or
    /// <c>"Activity"</c>); false for an Agent, Group, StatementRef or SubStatement object, which nothing selects.
    /// </summary>
    public static bool TryReadActivity(JsonObject statement, out string activityId, out string? activityType)
    {
        activityId = "";
        activityType = null;
        if (statement["object"] is not JsonObject obj) return false;
        if (obj["objectType"] is { } objectType && (!JsonRead.TryString(objectType, out var type) || type != "Activity")) return false;
        if (!JsonRead.TryString(obj["id"], out activityId)) return false;
        if (JsonRead.TryString(obj["definition"]?["type"], out var t)) activityType = t;
        return true;
    }

    /// <summary>
    /// <see cref="TryReadActivity(JsonObject, out string, out string?)"/> on a statement's <paramref name="object"/> as a document
    /// holds it (of a valid statement, as preparation reads it); the texts are shared when they recur (<see cref="JsonText.Shared(JsonElement)"/>).
    /// </summary>
    public static bool TryReadActivity(JsonElement @object, out string activityId, out string? activityType)
    {
        activityId = "";
        activityType = null;
        if (@object.ValueKind != JsonValueKind.Object) return false;
        if (@object.TryGetProperty("objectType"u8, out var objectType) && objectType.ValueKind != JsonValueKind.Null
            && (objectType.ValueKind != JsonValueKind.String || !objectType.ValueEquals("Activity"u8))) return false;
        if (!@object.TryGetProperty("id"u8, out var id) || id.ValueKind != JsonValueKind.String) return false;
        activityId = JsonText.Shared(id);
        if (@object.TryGetProperty("definition"u8, out var definition) && definition.ValueKind == JsonValueKind.Object
            && definition.TryGetProperty("type"u8, out var type) && type.ValueKind == JsonValueKind.String)
            activityType = JsonText.Shared(type);
        return true;
    }
}
