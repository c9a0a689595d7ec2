using System.Text.Json;
using System.Text.Json.Nodes;

namespace Lrs.Core.Xapi;

/// <summary>
/// The names statements gave to identified agents, kept so that the Agents resource can answer a Person
/// with every name and identifier the LRS knows (Communication 2.4).
/// </summary>
public static class AgentNames
{
    /// <summary>
    /// The distinct (agent key, name) pairs of the agents and identified groups a valid statement names, prepared or as sent,
    /// in the order met. The authority is not the statement's to name, and extensions and activity definitions hold no agents
    /// of the statement.
    /// </summary>
    public static IReadOnlyList<(string Key, string Name)> Of(JsonElement statement)
    {
        List<(string, string)>? result = null;
        Walk(statement, ref result);
        return result ?? [];
    }

    private static void Walk(JsonElement node, ref List<(string, string)>? result)
    {
        switch (node.ValueKind)
        {
            case JsonValueKind.Object:
                if (node.TryGetProperty("name"u8, out var name) && name.ValueKind == JsonValueKind.String
                    && (!node.TryGetProperty("objectType"u8, out var type) || type.ValueKind == JsonValueKind.Null || type.ValueEquals("Agent"u8) || type.ValueEquals("Group"u8))
                    && AgentKey.Of(node) is { } key)
                {
                    var pair = (key, JsonText.Shared(name));
                    if (!(result ??= []).Contains(pair)) result.Add(pair);
                }
                foreach (var member in node.EnumerateObject())
                    if (!member.NameEquals("extensions"u8) && !member.NameEquals("definition"u8) && !member.NameEquals("authority"u8))
                        Walk(member.Value, ref result);
                break;
            case JsonValueKind.Array:
                foreach (var item in node.EnumerateArray()) Walk(item, ref result);
                break;
        }
    }

    /// <summary>A Person object (Communication 2.4.1) for one agent key and the names known for it.</summary>
    public static JsonObject Person(string agentKey, IEnumerable<string> names)
    {
        var person = new JsonObject { ["objectType"] = "Person" };
        var nameArray = new JsonArray();
        foreach (var n in names.Distinct(StringComparer.Ordinal)) nameArray.Add(n);
        if (nameArray.Count > 0) person["name"] = nameArray;

        var colon = agentKey.IndexOf(':');
        var (kind, value) = (agentKey[..colon], agentKey[(colon + 1)..]);
        switch (kind)
        {
            case "mbox": person["mbox"] = new JsonArray(value); break;
            case "sha1": person["mbox_sha1sum"] = new JsonArray(value); break;
            case "openid": person["openid"] = new JsonArray(value); break;
            case "account":
                var space = value.IndexOf(' ');
                person["account"] = new JsonArray(new JsonObject { ["homePage"] = value[..space], ["name"] = value[(space + 1)..] });
                break;
        }
        return person;
    }
}
