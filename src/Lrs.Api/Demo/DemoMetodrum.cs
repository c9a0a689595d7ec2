using System.Text.Json.Nodes;
using Lrs.Api.Learning;
using Lrs.Core.FollowUp;
using Lrs.Core.Learning;
using Lrs.Core.People;
using Lrs.Core.Xapi;
using static Lrs.Api.Demo.DemoCatalogue;

namespace Lrs.Api.Demo;

/// <summary>
/// The learning centre Metodrum in Upplands Väsby and the staff it trains, next to the demo's Metodikum: three employers of
/// different kinds (Upplands Väsby kommun, the private provider Omsorgshuset Väsby AB and Region Stockholm), their units and
/// staff, and fifteen months of Metodrum's on-site sessions in patient transfer and Demens ABC, written as a client of
/// <c>/api/sessions</c> would (through <see cref="SessionWriter"/>). The sessions grow month by month, each booked for one
/// employer's staff (at least five of them, so that no month's figure of an employer kind rests on fewer than five people).
/// Deterministic: the same seed and <c>now</c> give the same people and sessions.
/// </summary>
public sealed class DemoMetodrum
{
    /// <summary>Metodrum's staff at the default size of the demo (300 people at Metodikum's employers).</summary>
    public const int DefaultStaff = 130;

    /// <summary>The most participants in a session: its places.</summary>
    private const int Places = 12;
    /// <summary>The fewest participants a session is held for: the fewest people a figure is shown for.</summary>
    private const int MinParticipants = FollowUpFigures.MinimumPeople;

    internal const string MetodrumPath = "learning-centres/metodrum";
    private const string MetodrumName = "Metodrum, Upplands Väsby";

    private static readonly DemoTenant.Employer[] Employers =
    [
        new("upplands-vasby-kommun", "Upplands Väsby kommun", "https://hr.upplandsvasby.example", "upplandsvasby.example", "V-3",
            ["Vård- och omsorgsboende Vilunda", "Hemtjänst Väsby centrum", "Hemtjänst Runby"], EmployerKinds.Municipal),
        new("omsorgshuset-vasby", "Omsorgshuset Väsby AB", "https://hr.omsorgshuset.example", "omsorgshuset.example", "O-4",
            ["Omsorgshuset Bredden", "Omsorgshuset hemtjänst"], EmployerKinds.Private),
        new("region-stockholm", "Region Stockholm", "https://hr.regionstockholm.example", "regionstockholm.example", "R-5",
            ["ASIH Väsby", "Geriatrisk öppenvård Väsby"], EmployerKinds.Regional),
    ];

    // Each unit's share of the staff, in the order of the employers' units.
    private static readonly double[] UnitShares = [0.26, 0.20, 0.14, 0.15, 0.11, 0.07, 0.07];

    private static readonly (string Name, string Email)[] Trainers =
    [
        ("Maja Lindqvist", "maja.lindqvist@metodrum.upplandsvasby.example"),
        ("Reza Karimi", "reza.karimi@metodrum.upplandsvasby.example"),
    ];

    // The courses Metodrum holds: the activity, its names, the day's hours (local time) and who teaches it.
    private sealed record Course(string Topic, string Sv, string En, int FromHour, int ToHour, int Trainer, bool Nurses);

    private static readonly Course[] Courses =
    [
        new("forflyttning", "Förflyttningsteknik – praktisk utbildning", "Patient transfer technique – practical training", 8, 15, 0, Nurses: false),
        new("demens-abc", "Demens ABC – studiedag", "Dementia ABC – study day", 9, 15, 1, Nurses: true),
    ];

    private DemoMetodrum(DemoTenant demo) => Demo = demo;

    /// <summary>The demo it belongs to: its seed, <see cref="DemoTenant.Start"/> and <see cref="DemoTenant.Now"/>.</summary>
    public DemoTenant Demo { get; }

    /// <summary>Upplands Väsby kommun (municipal), Omsorgshuset Väsby AB (private) and Region Stockholm (regional).</summary>
    public IReadOnlyList<DemoOrganisation> Organisations { get; private set; } = [];

    /// <summary>Their staff, unit by unit.</summary>
    public IReadOnlyList<DemoPerson> People { get; private set; } = [];

    /// <summary>
    /// Metodrum's staff for a demo: <see cref="DefaultStaff"/> people, or half as many as Metodikum's employers have when they
    /// have fewer than twice that, spread over the seven units by their size.
    /// </summary>
    public static DemoMetodrum For(DemoTenant demo)
    {
        var metodrum = new DemoMetodrum(demo);
        metodrum.Populate(Math.Min(DefaultStaff, demo.People.Count / 2));
        return metodrum;
    }

    /// <summary>Metodrum as data: the place of its sessions and the program logic its follow-up rests on.</summary>
    public static LearningCentre Centre(DateTimeOffset now) => new("metodrum", ActivityBase + MetodrumPath, MetodrumName,
        ["Förflyttningar som skadar personal och brukare", "Bemötande av personer med demenssjukdom som skapar oro",
         "Kommunens, privata utförares och regionens personal utbildas var för sig"],
        ["Övningslägenhet med taklyft och hjälpmedel", "En undersköterska och en arbetsterapeut som utbildare", "Demens ABC-handledare"],
        [], [],
        [
            new("fler-utbildade", "short", "Fler medarbetare hos kommunen, privata utförare och regionen utbildas", "reach.peopleTrained", null),
            new("kunskap", "short", "Deltagarna klarar förflyttningsövningen och får den bekräftad", "shortTerm.signoffRate", "forflyttning"),
            new("forflyttning-i-praktiken", "medium", "Förflyttningstekniken används i arbetet åtta veckor efter utbildningen",
                "mediumTerm.followUpScore", "forflyttning"),
            new("demens-i-praktiken", "medium", "Det som lärts i Demens ABC används i bemötandet åtta veckor efter utbildningen",
                "mediumTerm.followUpScore", "demens-abc"),
            new("tackning", "long", "Varje enhet har förflyttningskompetens", "longTerm.coverage", "forflyttning"),
        ], now);

    // What the sessions need to know of each person.
    private int[] _unitOf = [];
    private int[][] _signersOf = [];

    private void Populate(int count)
    {
        var random = new DemoRandom(DemoRandom.Key(Demo.Seed, 0, 0, 5));
        var sizes = Sizes(count);
        var organisations = new List<DemoOrganisation>();
        var people = new List<DemoPerson>(count);
        var unitOf = new List<int>(count);
        var signers = new List<int[]>();
        int unitIndex = 0;
        foreach (var employer in Employers)
        {
            var units = employer.UnitNames.Select(n => new DemoUnit(Slug(n), n)).ToArray();
            organisations.Add(new DemoOrganisation(employer.Id, employer.Name, employer.HrHomePage, units, employer.Kind));
            var own = sizes.AsSpan(unitIndex, units.Length).ToArray();
            var numbers = new DemoTenant.EmployeeNumbers(employer.Prefix, own.Sum(), random);
            var mailboxes = new HashSet<string>(StringComparer.Ordinal);
            for (int u = 0; u < units.Length; u++, unitIndex++)
            {
                var unitSigners = new List<int>();
                foreach (var (roles, duties) in DemoTenant.StaffRoles(own[u], firstOfEmployer: u == 0, random))
                {
                    if (roles.Contains("handledare") || roles.Contains("sjukskoterska")) unitSigners.Add(people.Count);
                    people.Add(DemoTenant.NewPerson(employer, units[u], numbers.Next(), roles, duties, mailboxes, random));
                    unitOf.Add(unitIndex);
                }
                signers.Add([.. unitSigners]);
            }
        }
        Organisations = organisations;
        People = people;
        _unitOf = [.. unitOf];
        _signersOf = [.. signers];
    }

    // The staff of each unit by its share, rounded so that they add up to the count (largest remainders first).
    private static int[] Sizes(int count)
    {
        var exact = UnitShares.Select(s => s * count).ToArray();
        var sizes = exact.Select(e => (int)Math.Floor(e)).ToArray();
        foreach (var u in Enumerable.Range(0, sizes.Length).OrderByDescending(u => exact[u] - sizes[u]).ThenBy(u => u).Take(count - sizes.Sum()))
            sizes[u]++;
        return sizes;
    }

    /// <summary>
    /// Writes fifteen months of Metodrum's sessions: for each employer and course, its staff in a fixed random order, more of
    /// them month by month (the month's share grows with the months), in sessions of five to twelve of one employer's staff,
    /// the employer's two courses in turns.
    /// Most pass; a patient-transfer practical passed is signed off by a handledare or nurse of the person's unit who was not
    /// in the session (the trainer when there is none), a few fail it or only attend. Returns the statements written.
    /// </summary>
    public async Task<int> WriteSessionsAsync(SessionStores stores, SessionCaller caller, CancellationToken ct)
    {
        var random = new DemoRandom(DemoRandom.Key(Demo.Seed, 0, 0, 6));
        var zone = TimeZoneInfo.FindSystemTimeZoneById("Europe/Stockholm");
        var firstMonth = Month.Of(Demo.Start, zone);
        int months = firstMonth.Until(Month.Of(Demo.Now, zone));
        double totalWeight = Enumerable.Range(0, months).Sum(Weight);
        int written = 0, firstPerson = 0;
        for (int e = 0; e < Employers.Length; e++)
        {
            var staff = Enumerable.Range(firstPerson, People.Count(p => p.OrganisationId == Employers[e].Id)).ToList();
            firstPerson += staff.Count;
            for (int c = 0; c < Courses.Length; c++)
            {
                var course = Courses[c];
                var queue = staff.Where(p => Attends(People[p], course)).OrderBy(_ => random.NextUInt64()).ToList();
                int taken = 0;
                double weight = 0;
                for (int m = 0; m < months && taken < queue.Count; m++)
                {
                    weight += Weight(m);
                    // An employer's courses take turns, a month each, so that its staff come every month and in groups.
                    if ((m + e + c) % 2 == 1 && m < months - 1) continue;
                    var day = SessionDay(firstMonth.Add(m), e * 5 + c * 3 + m);
                    if (At(day, course.FromHour, zone) <= Demo.Start || At(day, course.ToHour, zone) >= Demo.Now.AddDays(-1)) continue;
                    int due = (int)Math.Round(queue.Count * weight / totalWeight) - taken;
                    // The municipality runs the centre: a group of its staff comes every month from the first on.
                    if (e == 0) due = Math.Max(due, MinParticipants);
                    if (due < MinParticipants && m < months - 1) continue;
                    if (queue.Count - taken - due < MinParticipants) due = queue.Count - taken;
                    int sessions = (due + Places - 1) / Places;
                    for (int s = 0; s < sessions; s++)
                    {
                        int size = due / sessions + (s < due % sessions ? 1 : 0);
                        var participants = queue.GetRange(taken, size);
                        taken += size;
                        var id = $"metodrum-{course.Topic}-{Employers[e].Id}-{day:yyyy-MM-dd}-{s + 1}";
                        written += await WriteSessionAsync(stores, caller, id, course, Weekday(day.AddDays(2 * s)), participants, random, zone, ct);
                    }
                }
            }
        }
        return written;
    }

    // Later months weigh more: reach grows as the centre becomes known.
    private static double Weight(int month) => month + 3;

    private static bool Attends(DemoPerson person, Course course) =>
        person.Roles.Any(r => r is "underskoterska" or "vardbitrade" or "omsorgsassistent" || course.Nurses && r == "sjukskoterska");

    // A weekday between the 6th and the 23rd of the month.
    private static DateOnly SessionDay(Month month, int spread) => Weekday(new DateOnly(month.Year, month.Number, 6 + spread % 18));

    private static DateOnly Weekday(DateOnly day) => day.DayOfWeek switch
    {
        DayOfWeek.Saturday => day.AddDays(2),
        DayOfWeek.Sunday => day.AddDays(1),
        _ => day,
    };

    private static DateTimeOffset At(DateOnly day, int hour, TimeZoneInfo zone)
    {
        var local = day.ToDateTime(new TimeOnly(hour, 30));
        return new DateTimeOffset(local, zone.GetUtcOffset(local));
    }

    private async Task<int> WriteSessionAsync(SessionStores stores, SessionCaller caller, string id, Course course, DateOnly day,
        List<int> staff, DemoRandom random, TimeZoneInfo zone, CancellationToken ct)
    {
        var trainer = new JsonObject { ["objectType"] = "Agent", ["name"] = Trainers[course.Trainer].Name, ["mbox"] = "mailto:" + Trainers[course.Trainer].Email };
        var participants = new JsonArray();
        foreach (var person in staff)
        {
            double u = random.NextDouble();
            var outcome = course.Topic == "forflyttning" ? u < 0.05 ? "failed" : u < 0.10 ? "attended" : "passed" : u < 0.07 ? "attended" : "passed";
            var p = new JsonObject { ["personId"] = People[person].EmployeeId, ["outcome"] = outcome };
            if (outcome == "passed" && course.Topic == "forflyttning")
            {
                var signer = _signersOf[_unitOf[person]].Where(s => !staff.Contains(s)).Select(s => (int?)s).FirstOrDefault();
                p["signoff"] = new JsonObject
                {
                    ["by"] = signer is { } s ? new JsonObject { ["personId"] = People[s].EmployeeId } : new JsonObject { ["agent"] = trainer.DeepClone() },
                };
            }
            participants.Add(p);
        }
        var body = new JsonObject
        {
            ["activity"] = new JsonObject
            {
                ["id"] = ActivityBase + "sessions/" + course.Topic, ["type"] = "course",
                ["name"] = new JsonObject { ["sv"] = course.Sv, ["en"] = course.En },
            },
            ["start"] = XapiTimestamp.ToUtcString(At(day, course.FromHour, zone)), ["end"] = XapiTimestamp.ToUtcString(At(day, course.ToHour, zone)),
            ["place"] = new JsonObject { ["id"] = ActivityBase + MetodrumPath, ["name"] = MetodrumName },
            ["places"] = Places,
            ["trainers"] = new JsonArray(new JsonObject { ["agent"] = trainer }),
            ["participants"] = participants,
        };
        var (input, errors) = SessionInputReader.ReadSession(body);
        if (input is null) throw new InvalidOperationException($"A demo session is not valid: {string.Join("; ", errors)}");
        var write = await SessionWriter.WriteSessionAsync(stores, caller, id, input, ct);
        if (write.Refusal is not null) throw new InvalidOperationException($"A demo session was refused: {string.Join("; ", write.Errors!)}");
        return write.Changes!.StatementsWritten;
    }
}
