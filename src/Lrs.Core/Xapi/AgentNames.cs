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
    /// in the order met: its actor, an Agent or Group object, the context's instructor, team, context agents and context groups,
    /// and the same inside a SubStatement, each group with its members. The authority is not the statement's to name.
    /// </summary>
    public static IReadOnlyList<(string Key, string Name)> Of(JsonElement statement)
    {
        List<(string, string)>? result = null;
        Statement(statement, ref result);
        return result ?? [];
    }

    // Only where a valid statement can hold an agent: a walk of every object would look for a name in each of them.
    private static void Statement(JsonElement statement, ref List<(string, string)>? result)
    {
        if (statement.TryGetProperty("actor"u8, out var actor)) Agent(actor, ref result);
        if (statement.TryGetProperty("object"u8, out var obj) && obj.ValueKind == JsonValueKind.Object
            && obj.TryGetProperty("objectType"u8, out var type) && type.ValueKind == JsonValueKind.String)
        {
            if (type.ValueEquals("Agent"u8) || type.ValueEquals("Group"u8)) Agent(obj, ref result);
            else if (type.ValueEquals("SubStatement"u8)) Statement(obj, ref result);
        }
        if (statement.TryGetProperty("context"u8, out var context))
            foreach (var agent in ContextAgents.Of(context)) Agent(agent, ref result);
    }

    // An Agent or Group and, for a group, its members.
    private static void Agent(JsonElement agent, ref List<(string, string)>? result)
    {
        if (agent.ValueKind != JsonValueKind.Object) return;
        if (agent.TryGetProperty("name"u8, out var name) && name.ValueKind == JsonValueKind.String
            && (!agent.TryGetProperty("objectType"u8, out var type) || type.ValueKind == JsonValueKind.Null || type.ValueEquals("Agent"u8) || type.ValueEquals("Group"u8))
            && AgentKey.Of(agent) is { } key)
        {
            var pair = (key, JsonText.Shared(name));
            if (!(result ??= []).Contains(pair)) result.Add(pair);
        }
        if (agent.TryGetProperty("member"u8, out var members) && members.ValueKind == JsonValueKind.Array)
            foreach (var member in members.EnumerateArray()) Agent(member, ref result);
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
