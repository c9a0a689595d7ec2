using System.Text.Json;
using System.Text.Json.Nodes;

namespace Lrs.Core.Xapi;

/// <summary>Type probes over <see cref="JsonNode"/> that never throw, whatever backs the node.</summary>
internal static class JsonRead
{
    public static JsonValueKind Kind(JsonNode? node) => node is null ? JsonValueKind.Null : node.GetValueKind();

    public static bool TryString(JsonNode? node, out string value)
    {
        value = "";
        if (node is not JsonValue v || v.GetValueKind() != JsonValueKind.String) return false;
        if (v.TryGetValue(out string? s) && s is not null) { value = s; return true; }
        if (v.TryGetValue(out JsonElement e) && e.ValueKind == JsonValueKind.String) { value = e.GetString() ?? ""; return true; }
        // A node built from a CLR value such as Guid or DateTime: read it back through its JSON text.
        value = JsonSerializer.Deserialize<string>(v.ToJsonString()) ?? "";
        return true;
    }

    public static bool TryNumber(JsonNode? node, out double value)
    {
        value = 0;
        if (node is not JsonValue v || v.GetValueKind() != JsonValueKind.Number) return false;
        if (v.TryGetValue(out JsonElement e)) return e.TryGetDouble(out value) && double.IsFinite(value);
        if (v.TryGetValue(out double d)) { value = d; return double.IsFinite(d); }
        return double.TryParse(v.ToJsonString(), System.Globalization.NumberStyles.Float,
            System.Globalization.CultureInfo.InvariantCulture, out value) && double.IsFinite(value);
    }

    public static bool IsBoolean(JsonNode? node) => Kind(node) is JsonValueKind.True or JsonValueKind.False;
}
