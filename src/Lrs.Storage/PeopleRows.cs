using System.Text.Json;
using System.Text.Json.Nodes;
using Lrs.Core.People;

namespace Lrs.Storage;

/// <summary>What both adapters share in reading and writing people: the text forms of lists and kinds.</summary>
internal static class PeopleRows
{
    public static string KindText(AssignmentKind kind) => kind == AssignmentKind.Unit ? "unit" : "role";

    public static AssignmentKind Kind(string text) => text == "unit" ? AssignmentKind.Unit : AssignmentKind.Role;

    /// <summary>A list of strings as a JSON array (the duties column).</summary>
    public static string Json(IReadOnlyList<string> values) => JsonSerializer.Serialize(values);

    public static IReadOnlyList<string> Strings(string json) => JsonSerializer.Deserialize<List<string>>(json) ?? [];

    public static IReadOnlyList<JsonObject> Agents(IEnumerable<string> texts) => [.. texts.Select(t => (JsonObject)JsonNode.Parse(t)!)];

    /// <summary>The page of a list query fetched with one row more than its limit: the rows, and the cursor of the next page.</summary>
    public static PeoplePage Page(List<Person> rows, int limit)
    {
        if (rows.Count <= limit) return new PeoplePage(rows, null);
        rows.RemoveRange(limit, rows.Count - limit);
        return new PeoplePage(rows, rows[^1].Id);
    }
}
