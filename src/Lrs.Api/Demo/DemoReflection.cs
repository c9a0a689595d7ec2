using System.Text.Json.Nodes;
using Lrs.Api.Hosting;
using Lrs.Api.Xapi;
using Lrs.Core.Competence;
using Lrs.Core.Reflection;
using Lrs.Core.Storage;
using Lrs.Core.Xapi;

namespace Lrs.Api.Demo;

/// <summary>
/// The reflection part of the demo: after the training statements have created their tasks, some staff answer their
/// tasks (a few sharing the answers with their group), and every unit holds a group reflection at a workplace meeting two
/// weeks ago. Everything goes through the statement writer, as the API's answers and group reflections do.
/// </summary>
internal static class DemoReflection
{
    // The namespace of the demo's name-based meeting ids.
    private static readonly Guid MeetingIds = new("9b2f4c61-0d7e-4a38-b5c9-1e6f2a8d3c47");

    private static readonly Dictionary<string, string[]> Responses = new(StringComparer.Ordinal)
    {
        ["handtvatt"] = ["Händerna är den vanligaste smittvägen mellan brukare, så handdesinfektion före och efter varje vårdmoment skyddar både brukaren och mig.",
            "Om jag slarvar kan smitta spridas till flera brukare under ett pass."],
        ["samma-handskar"] = ["Smitta följer med handskarna från en brukare till nästa. Jag byter handskar och spritar händerna mellan varje brukare.",
            "Det kan sprida till exempel vinterkräksjuka eller MRSA i hela boendet."],
        ["delaktighet-forflyttning"] = ["Brukaren känner sig tryggare och kan använda sina egna resurser, och risken för skador minskar för oss båda.",
            "Den som görs delaktig behåller sin förmåga längre."],
        ["forflyttning-tidspress"] = ["Under tidspress hoppar man över hjälpmedel och förklaringar; då ökar risken för fall och belastningsskador.",
            "Man lyfter själv i stället för att hämta lyften."],
        ["demens-oro"] = ["En brukare blev orolig när kvällsrutinen ändrades och ny personal kom. Vi kan hålla fast vid samma ordning och presentera oss lugnt.",
            "Oron kom när det var stökigt i dagrummet. Vi kan erbjuda en lugnare plats i tid."],
        ["sjalvbestammande"] = ["Fråga hur brukaren vill ha det, även om det tar längre tid, och planera in tiden i stället för att välja åt hen.",
            "Låta brukaren välja kläder och mat själv, också när vi har bråttom."],
    };

    /// <summary>Answers some tasks and holds a group reflection in every unit of <paramref name="organisations"/>; returns how
    /// many of each. Follow-up questions are left to <see cref="DemoFollowUp"/>.</summary>
    public static async Task<(int Answered, int GroupReflections, int Statements)> SeedAsync(LrsStore store, StatementWriter writer, long tenantId, Framework framework,
        int seed, IReadOnlyList<DemoOrganisation> organisations, IReadOnlyList<DemoPerson> people, JsonObject authority, TimeProvider time, CancellationToken ct)
    {
        var random = new Random(seed);
        var now = time.GetUtcNow();
        int answered = 0, meetings = 0, statements = 0;
        foreach (var unit in organisations.SelectMany(o => o.Units))
        {
            var tasks = await store.Reflection.ListAllAsync(tenantId, new ReflectionTaskQuery(UnitId: unit.Id, Limit: 500), ct);
            var meetingAt = new DateTimeOffset(now.Date.AddDays(-14).AddHours(12), TimeSpan.Zero);

            // Individual answers: most older tasks are answered within ten days; a third of the answers are shared.
            var built = new List<JsonObject>();
            foreach (var task in tasks.Where(t => t.Status == ReflectionTaskStatus.Open && t.TriggeredAt < now.AddDays(-3)))
            {
                if (framework.FindReflectionTemplate(task.TemplateId) is not { } template || template.IsFollowUp || random.NextDouble() > 0.6) continue;
                var at = task.TriggeredAt.AddHours(random.Next(2, 240));
                if (at > now.AddHours(-1)) at = now.AddHours(-1);
                // Group tasks answered first are shared with the group more often: that is what the meeting takes up.
                var shared = random.NextDouble() < (template.Mode == ReflectionMode.Group ? 0.7 : 0.3);
                var answers = template.Prompts.Select(p => new PromptAnswer(p.Id, Responses.TryGetValue(p.Id, out var texts)
                    ? texts[random.Next(texts.Length)] : "Jag tar med mig att stanna upp och tänka efter.")).ToList();
                built.AddRange(ReflectionStatements.Answer(new AnsweredTask(task.Id, template, task.StatementId, task.Training, task.Registration),
                    task.Agent, answers, shared, at));
                answered++;
            }
            statements += await StoreAsync(writer, tenantId, built, authority, ct);

            // A group reflection two weeks ago on the unit's group templates with tasks, attended by most of its staff.
            var groupTemplates = tasks.Where(t => t.TriggeredAt < meetingAt).Select(t => framework.FindReflectionTemplate(t.TemplateId))
                .OfType<ReflectionTemplate>().Where(t => t.Mode == ReflectionMode.Group).Distinct().ToList();
            var staff = people.Where(p => p.UnitId == unit.Id).ToList();
            if (groupTemplates.Count == 0 || staff.Count == 0) continue;
            var attendees = staff.Where(_ => random.NextDouble() < 0.75).ToList();
            if (attendees.Count == 0) attendees.Add(staff[0]);
            var facilitator = staff.FirstOrDefault(p => p.Roles.Contains("enhetschef")) ?? attendees[0];
            var meetingId = NameBasedUuid.Create(MeetingIds, $"{seed} {unit.Id} meeting");
            var (attendance, attended) = Reflection.GroupReflectionEndpoints.Attendance(meetingId, unit.Id, unit.Name, Agent(facilitator),
                [.. attendees.Select(p => ((string?)p.EmployeeId, Agent(p)))], groupTemplates, meetingAt);
            statements += await StoreAsync(writer, tenantId, attendance, authority, ct);
            await store.Reflection.RecordGroupReflectionAsync(tenantId, new GroupReflection(meetingId, unit.Id, meetingAt, Agent(facilitator),
                [.. groupTemplates.Select(t => t.Id)], attended,
                "Vi gick igenom de delade svaren. Vi provar att hålla kvällsrutinerna lika varje dag och följer upp på nästa APT.", now), ct);
            meetings++;
        }
        return (answered, meetings, statements);
    }

    private static JsonObject Agent(DemoPerson person)
    {
        var agent = (JsonObject)person.Agents[0].DeepClone();
        agent["objectType"] = "Agent";
        return agent;
    }

    /// <summary>Stores built statements in batches; how many.</summary>
    internal static async Task<int> StoreAsync(StatementWriter writer, long tenantId, IReadOnlyList<JsonObject> built, JsonObject authority, CancellationToken ct)
    {
        var stored = 0;
        foreach (var chunk in built.Chunk(500)) stored += await DemoSeeder.StoreAsync(writer, tenantId, authority, chunk, ct);
        return stored;
    }
}
