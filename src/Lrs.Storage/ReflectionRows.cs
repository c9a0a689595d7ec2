using System.Text.Json;
using System.Text.Json.Nodes;
using Lrs.Core.Reflection;
using Lrs.Core.Storage;

namespace Lrs.Storage;

/// <summary>What both adapters share about reflection rows: the registration column, agent and training JSON, group reflections' JSON.</summary>
internal static class ReflectionRows
{
    /// <summary>The registration column: '' for none, so that the uniqueness of (template, subject, registration) holds for it too.</summary>
    public static string Registration(Guid? registration) => registration?.ToString("D") ?? "";

    public static Guid? ParseRegistration(string text) => text.Length == 0 ? null : Guid.Parse(text);

    public static JsonObject Agent(string json) => JsonNode.Parse(json) as JsonObject ?? [];

    public static JsonObject? Training(string? json) => json is null ? null : JsonNode.Parse(json) as JsonObject;

    /// <summary>Attaches answers (read in a second query) to the tasks they belong to.</summary>
    public static List<ReflectionTask> WithAnswers(List<ReflectionTask> tasks, IEnumerable<(Guid TaskId, StoredAnswer Answer)> answers)
    {
        var byTask = answers.GroupBy(a => a.TaskId).ToDictionary(g => g.Key, g => (IReadOnlyList<StoredAnswer>)[.. g.Select(a => a.Answer)]);
        for (var i = 0; i < tasks.Count; i++)
            if (byTask.TryGetValue(tasks[i].Id, out var list)) tasks[i] = tasks[i] with { Answers = list };
        return tasks;
    }

    public static string AttendeesJson(IReadOnlyList<GroupAttendee> attendees) =>
        new JsonArray([.. attendees.Select(a => (JsonNode)new JsonObject
        {
            ["personId"] = a.PersonId,
            ["agent"] = a.Agent.DeepClone(),
            ["statementId"] = a.StatementId.ToString("D"),
        })]).ToJsonString();

    public static IReadOnlyList<GroupAttendee> ParseAttendees(string json) =>
        [.. JsonNode.Parse(json)!.AsArray().Select(n => new GroupAttendee(
            n!["personId"]?.GetValue<string>(), (JsonObject)n["agent"]!.DeepClone(), Guid.Parse(n["statementId"]!.GetValue<string>())))];

    public static string TemplatesJson(IReadOnlyList<string> templateIds) => JsonSerializer.Serialize(templateIds);

    public static IReadOnlyList<string> ParseTemplates(string json) => JsonSerializer.Deserialize<List<string>>(json) ?? [];

    public static int AttendeeCount(string json) => JsonNode.Parse(json) is JsonArray a ? a.Count : 0;
}
