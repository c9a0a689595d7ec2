using System.Text.Json.Nodes;

namespace Lrs.Core.Xapi;

/// <summary>
/// The names statements gave to identified agents, kept so that the Agents resource can answer a Person
/// with every name and identifier the LRS knows (Communication 2.4).
/// </summary>
public static class AgentNames
{
    /// <summary>Distinct (agent key, name) pairs of the agents and identified groups in a batch.</summary>
    public static HashSet<(string Key, string Name)> Collect(IEnumerable<JsonObject> statements)
    {
        var result = new HashSet<(string, string)>();
        foreach (var statement in statements) Walk(statement, result);
        return result;
    }

    private static void Walk(JsonNode? node, HashSet<(string, string)> result)
    {
        switch (node)
        {
            case JsonObject o:
                if (o["name"] is JsonValue name && name.TryGetValue(out string? text) && AgentKey.Of(o) is { } key
                    && o["objectType"]?.GetValue<string>() is null or "Agent" or "Group")
                    result.Add((key, text));
                foreach (var (property, child) in o.MembersOf())
                    if (property is not ("extensions" or "definition" or "authority")) Walk(child, result);
                break;
            case JsonArray a:
                foreach (var child in a.ItemsOf()) Walk(child, result);
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
