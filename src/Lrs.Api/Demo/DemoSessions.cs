using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Lrs.Api.Learning;
using Lrs.Core.Learning;
using Lrs.Core.Xapi;
using static Lrs.Api.Demo.DemoCatalogue;

namespace Lrs.Api.Demo;

/// <summary>
/// The demo's recent on-site sessions and a webinar, written as a client of <c>/api/sessions</c> and <c>/api/webinars</c>
/// would (through <see cref="SessionWriter"/>): a patient-transfer course at Metodikum for care staff of each employer's
/// first unit, with practicals passed (one failed, one only attended) and signed off by a handledare or nurse of the unit,
/// and a palliative-care webinar whose Zoom report has rejoins, short stays and a guest who is no one's employee.
/// </summary>
internal static class DemoSessions
{
    private const int ParticipantsPerSession = 6;
    private static readonly TimeSpan Swedish = TimeSpan.FromHours(1);

    /// <summary>Writes the sessions and the webinar; the number of statements written.</summary>
    public static async Task<int> WriteAsync(SessionStores stores, SessionCaller caller, DemoTenant tenant, CancellationToken ct)
    {
        int written = 0;
        var day = new DateTimeOffset(tenant.Now.UtcDateTime.Date, TimeSpan.Zero).AddDays(-20);
        var firstUnits = tenant.Organisations.Select(o => Array.FindIndex(tenant.Units, u => u.Id == o.Units[0].Id)).ToList();
        foreach (var unit in firstUnits)
        {
            var staff = CareStaff(tenant, unit).Take(ParticipantsPerSession).ToList();
            if (staff.Count == 0) continue;
            var signer = tenant.SupervisorsOf[unit].Concat(tenant.NursesOf[unit]).Where(s => !staff.Contains(s)).Select(s => (int?)s).FirstOrDefault();
            var start = new DateTimeOffset(day.Year, day.Month, day.Day, 8, 30, 0, Swedish);
            var participants = new JsonArray();
            for (int i = 0; i < staff.Count; i++)
            {
                var outcome = i == staff.Count - 1 && staff.Count > 2 ? "failed" : i == staff.Count - 2 && staff.Count > 3 ? "attended" : "passed";
                var p = new JsonObject { ["personId"] = tenant.People[staff[i]].EmployeeId, ["outcome"] = outcome };
                if (outcome == "passed")
                    p["signoff"] = new JsonObject
                    {
                        ["by"] = signer is { } s ? new JsonObject { ["personId"] = tenant.People[s].EmployeeId } : new JsonObject { ["agent"] = tenant.Trainers[1].DeepClone() },
                    };
                participants.Add(p);
            }
            var body = new JsonObject
            {
                ["activity"] = new JsonObject
                {
                    ["id"] = ActivityBase + "sessions/forflyttning", ["type"] = "course",
                    ["name"] = new JsonObject { ["sv"] = "Förflyttningsteknik – praktisk utbildning", ["en"] = "Patient transfer technique – practical training" },
                },
                ["start"] = XapiTimestamp.ToUtcString(start), ["end"] = XapiTimestamp.ToUtcString(start.AddDays(1).AddHours(7)),
                ["place"] = new JsonObject { ["id"] = ActivityBase + MetodikumPath, ["name"] = "Metodikum, Solna" },
                ["trainers"] = new JsonArray(new JsonObject { ["agent"] = tenant.Trainers[0].DeepClone() }),
                ["participants"] = participants,
            };
            var (input, errors) = SessionInputReader.ReadSession(body);
            if (input is null) throw new InvalidOperationException($"A demo session is not valid: {string.Join("; ", errors)}");
            var write = await SessionWriter.WriteSessionAsync(stores, caller, $"forflyttning-{tenant.Units[unit].Id}-{start:yyyy-MM-dd}", input, ct);
            if (write.Refusal is not null) throw new InvalidOperationException($"A demo session was refused: {string.Join("; ", write.Errors!)}");
            written += write.Changes!.StatementsWritten;
        }
        return written + await WebinarAsync(stores, caller, tenant, day.AddDays(10), ct);
    }

    private static async Task<int> WebinarAsync(SessionStores stores, SessionCaller caller, DemoTenant tenant, DateTimeOffset day, CancellationToken ct)
    {
        var start = new DateTimeOffset(day.Year, day.Month, day.Day, 13, 0, 0, Swedish);
        var body = new JsonObject
        {
            ["activity"] = new JsonObject
            {
                ["id"] = ActivityBase + "webinars/palliativ-vard",
                ["name"] = new JsonObject { ["sv"] = "Palliativ vård – webbinarium", ["en"] = "Palliative care – webinar" },
            },
            ["start"] = XapiTimestamp.ToUtcString(start), ["end"] = XapiTimestamp.ToUtcString(start.AddHours(1)),
            ["presenters"] = new JsonArray(new JsonObject { ["agent"] = tenant.Trainers[2].DeepClone() }),
        };
        var (input, errors) = SessionInputReader.ReadWebinar(body);
        if (input is null) throw new InvalidOperationException($"The demo webinar is not valid: {string.Join("; ", errors)}");
        var id = $"palliativ-vard-{start:yyyy-MM-dd}";
        var defined = await SessionWriter.WriteWebinarAsync(stores, caller, id, input, 0.75, ct);
        if (defined.Refusal is not null) throw new InvalidOperationException($"The demo webinar was refused: {string.Join("; ", defined.Errors!)}");

        // Zoom's export: times in the webinar's local time, US format; a person with an e-mail agent is matched by it.
        var report = new StringBuilder("Name (Original Name),Employee ID,User Email,Join Time,Leave Time,Duration (Minutes)\n");
        void Row(string name, string employeeId, string email, int from, int to) => report.Append(CultureInfo.InvariantCulture,
            $"{name},{employeeId},{email},{Zoom(start.AddMinutes(from))},{Zoom(start.AddMinutes(to))},{to - from}\n");
        var people = Enumerable.Range(0, tenant.People.Count).Where(p => tenant.UnitOf[p] < 2).Take(12).ToList();
        for (int i = 0; i < people.Count; i++)
        {
            var person = tenant.People[people[i]];
            var (employeeId, email) = person.Agents.Count > 1 ? ("", person.Email) : (person.EmployeeId, "");
            if (i % 4 == 3) Row(person.Name, employeeId, email, 5, 25); // left early: joined
            else if (i % 4 == 1)
            {
                Row(person.Name, employeeId, email, 0, 30); // a dropped connection and a rejoin
                Row(person.Name, employeeId, email, 33, 60);
            }
            else Row(person.Name, employeeId, email, 0, 58);
        }
        Row("Gunilla Gäst", "", "gunilla.gast@annan-kommun.example", 0, 60);

        var imported = await SessionWriter.ImportAttendanceAsync(stores, caller, id, new MemoryStream(Encoding.UTF8.GetBytes(report.ToString())), 0.75, ct);
        if (imported.Refusal is not null) throw new InvalidOperationException($"The demo webinar report was refused: {string.Join("; ", imported.Errors!)}");
        return imported.Changes!.StatementsWritten;
    }

    private static string Zoom(DateTimeOffset t) => t.ToString("MM/dd/yyyy hh:mm:ss tt", CultureInfo.InvariantCulture);

    private static IEnumerable<int> CareStaff(DemoTenant tenant, int unit) =>
        Enumerable.Range(0, tenant.People.Count).Where(p => tenant.UnitOf[p] == unit
            && tenant.People[p].Roles.Any(r => r is "underskoterska" or "vardbitrade" or "omsorgsassistent") && !tenant.People[p].Roles.Contains("handledare"));
}
