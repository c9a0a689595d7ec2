using System.Text.Json.Nodes;
using Lrs.Core.Competence;

namespace Lrs.Api.Demo;

/// <summary>An employer of the demo tenant: a municipality or a private provider, each its own data controller.</summary>
/// <param name="Id">Lower-case slug, e.g. <c>solna-stad</c>.</param>
/// <param name="Name">The name, e.g. <c>Solna stad</c>.</param>
/// <param name="HrHomePage">The employer's HR system: the <c>account.homePage</c> of its staff's agents.</param>
/// <param name="Units">Its units (enheter).</param>
/// <param name="Kind">The kind of employer (<see cref="Lrs.Core.People.EmployerKinds"/>).</param>
public sealed record DemoOrganisation(string Id, string Name, string HrHomePage, IReadOnlyList<DemoUnit> Units, string Kind);

/// <summary>A unit (enhet): a nursing home or a home-care group, led by an enhetschef.</summary>
/// <param name="Id">Lower-case slug, unique in the tenant, e.g. <c>vardboende-ekbacken</c>.</param>
/// <param name="Name">The name, e.g. <c>Vårdboende Ekbacken</c>.</param>
public sealed record DemoUnit(string Id, string Name);

/// <summary>A member of staff.</summary>
/// <param name="EmployeeId">The employee number in the employer's HR system, e.g. <c>S-10234</c>; never a personnummer.</param>
/// <param name="OrganisationId">The employer.</param>
/// <param name="Name">Full name.</param>
/// <param name="Email">Work e-mail address.</param>
/// <param name="UnitId">The unit the person works in.</param>
/// <param name="Roles">Role ids of the demo framework (e.g. <c>underskoterska</c>, then <c>handledare</c>).</param>
/// <param name="Duties">Duties such as <c>delegated-tasks</c>, which make the framework's conditional requirements apply.</param>
/// <param name="Agents">The person's xAPI agents: first the HR account (<c>account{homePage: HrHomePage, name: EmployeeId}</c>),
/// for some also the e-mail address (<c>mbox</c>). Shared objects: clone one before putting it into other JSON.</param>
public sealed record DemoPerson(string EmployeeId, string OrganisationId, string Name, string Email, string UnitId,
    IReadOnlyList<string> Roles, IReadOnlyList<string> Duties, IReadOnlyList<JsonObject> Agents);

/// <summary>
/// A synthetic Swedish elderly-care tenant for demos and benchmarks: the municipality Solna stad and the private provider
/// Trygga Omsorgen AB, their units and staff, and the xAPI statements of 15 months of training, shaped by the rules of
/// <c>Demo/care-framework.json</c> so that competence profiles come out realistic (mostly valid, some expiring, expired,
/// awaiting sign-off or missing). Deterministic: the same seed and <c>now</c> give the same people and statements.
/// </summary>
public sealed class DemoTenant
{
    // Statements are sorted a time slice at a time; a slice holds about this many, whatever the tenant's size.
    private const int SliceStatements = 50_000;
    private const int MaxStatementsPerPerson = 10_000;

    private DemoTenant(int seed, DateTimeOffset now, int months)
    {
        Seed = seed;
        Now = now;
        Start = now.AddMonths(-months);
    }

    /// <summary>The seed everything is drawn from.</summary>
    public int Seed { get; }

    /// <summary>The moment the data ends at; no statement is later.</summary>
    public DateTimeOffset Now { get; }

    /// <summary>The moment the data starts at: <see cref="Now"/> minus the months asked for; no statement is earlier.</summary>
    public DateTimeOffset Start { get; }

    /// <summary>Solna stad and Trygga Omsorgen AB.</summary>
    public IReadOnlyList<DemoOrganisation> Organisations { get; private set; } = [];

    /// <summary>The staff, unit by unit.</summary>
    public IReadOnlyList<DemoPerson> People { get; private set; } = [];

    /// <summary>
    /// Agents that train and sign off: the trainers of the learning centre Metodikum (mbox agents), then the nurses
    /// (sjuksköterskor), who sign off delegations, as their HR accounts. Shared objects: clone before reuse.
    /// </summary>
    public IReadOnlyList<JsonObject> Instructors { get; private set; } = [];

    // What the planner needs to know about each person and unit.
    internal DemoUnit[] Units { get; private set; } = [];
    internal DemoOrganisation[] OrganisationOfUnit { get; private set; } = [];
    internal int[] UnitOf { get; private set; } = [];
    internal int[][] ChefsOf { get; private set; } = [];
    internal int[][] NursesOf { get; private set; } = [];
    internal int[][] SupervisorsOf { get; private set; } = [];
    internal JsonObject[] Trainers { get; private set; } = [];

    /// <summary>
    /// Generates the organisations and people. <paramref name="people"/> are spread evenly over the units: six (four in
    /// Solna, two at Trygga Omsorgen) unless <paramref name="peoplePerUnit"/> asks for more; the statements cover the <paramref name="months"/> months before
    /// <paramref name="now"/>, which defaults to the start of the current UTC day (so that runs on one day agree).
    /// </summary>
    /// <param name="seed">The seed everything is drawn from.</param>
    /// <param name="people">How many people (staff) there are.</param>
    /// <param name="now">The moment the data ends at.</param>
    /// <param name="months">How many months the statements cover.</param>
    /// <param name="peoplePerUnit">About how many people a unit holds. Without it there are the six units whatever the
    /// number of people; with it a large tenant gets as many units as that takes (never fewer than six): the six again with
    /// a number, e.g. <c>Vårdboende Ekbacken 2</c> (<c>vardboende-ekbacken-2</c>), in turn, so each employer keeps its share.</param>
    public static DemoTenant Generate(int seed = 42, int people = 300, DateTimeOffset? now = null, int months = 15, int? peoplePerUnit = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(people);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(people, 1_000_000);
        ArgumentOutOfRangeException.ThrowIfLessThan(months, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(months, 120);
        if (peoplePerUnit is { } perUnit) ArgumentOutOfRangeException.ThrowIfLessThan(perUnit, 1);
        var end = (now ?? new DateTimeOffset(DateTime.UtcNow.Date, TimeSpan.Zero)).ToUniversalTime();
        var tenant = new DemoTenant(seed, end, months);
        tenant.Populate(people, peoplePerUnit);
        return tenant;
    }

    /// <summary>
    /// The statements, in timestamp order, made as they are read: only a time slice of about 50,000 is held at a time
    /// (as compact plans; the JSON is built statement by statement), so 10,000 people × 100 statements stream in
    /// bounded memory. Each has an <c>id</c> derived from the seed, a <c>timestamp</c> between <see cref="Start"/> and
    /// <see cref="Now"/>, verb display and activity names in sv-SE and en-US, and is a valid xAPI 1.0.3 statement; with
    /// <paramref name="xapi20"/> assessors and teams also appear as 2.0 <c>contextAgents</c>/<c>contextGroups</c>.
    /// A sign-off (<c>https://w3id.org/xapi/tla/verbs/verified</c>, StatementRef) always comes after what it confirms.
    /// </summary>
    /// <param name="statementsPerPerson">About how many statements each person gets on average. Everyone gets at least
    /// the statements their training record needs (about 5–25); the rest is repeat and everyday activity that is not
    /// evidence (course launches, modules, reflections, webinars, learning boxes, refreshers).</param>
    /// <param name="xapi20">Whether to use the xAPI 2.0 context properties too (the statements are then 2.0 only).</param>
    public IEnumerable<JsonObject> Statements(int statementsPerPerson = 30, bool xapi20 = false)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(statementsPerPerson);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(statementsPerPerson, MaxStatementsPerPerson);
        return Stream(statementsPerPerson, xapi20);
    }

    private IEnumerable<JsonObject> Stream(int statementsPerPerson, bool xapi20)
    {
        // Plans are cheap to redo and deterministic, so each slice plans every person again and keeps only its own part,
        // instead of holding every plan.
        long estimate = (long)People.Count * Math.Max(statementsPerPerson, 25);
        int slices = (int)Math.Clamp((estimate + SliceStatements - 1) / SliceStatements, 1, 2048);
        long from = Start.UtcTicks, span = Now.UtcTicks - from;
        var buffer = new List<(DemoStep Step, int Person)>();
        for (int slice = 0; slice < slices; slice++)
        {
            long low = slice == 0 ? long.MinValue : from + span * slice / slices;
            long high = slice == slices - 1 ? long.MaxValue : from + span * (slice + 1) / slices;
            buffer.Clear();
            for (int person = 0; person < People.Count; person++)
                foreach (var step in DemoPlan.For(this, person, statementsPerPerson).Steps)
                    if (step.Ticks >= low && step.Ticks < high) buffer.Add((step, person));
            buffer.Sort(static (a, b) =>
                a.Step.Ticks != b.Step.Ticks ? a.Step.Ticks.CompareTo(b.Step.Ticks)
                : a.Person != b.Person ? a.Person.CompareTo(b.Person)
                : a.Step.Seq.CompareTo(b.Step.Seq));
            foreach (var (step, person) in buffer) yield return DemoStatement.Build(this, person, step, xapi20);
        }
    }

    /// <summary>The status the plan of one person means each competence to have at <see cref="Now"/> (null: not planned).</summary>
    internal IReadOnlyList<CompetenceStatus?> PlannedStatuses(int person) => DemoPlan.For(this, person, 0).Planned;

    internal Guid StatementId(int person, int seq) => DemoRandom.Uuid(DemoRandom.Key(Seed, person, seq, 1));

    internal Guid Registration(int person, int attempt) => DemoRandom.Uuid(DemoRandom.Key(Seed, person, attempt, 2));

    internal ulong PlanSeed(int person) => DemoRandom.Key(Seed, person, 0, 3);

    /// <summary>An employer as the generator makes it: its HR system, mail domain, employee-number prefix and units.</summary>
    internal sealed record Employer(string Id, string Name, string HrHomePage, string MailDomain, string Prefix, string[] UnitNames, string Kind);

    private static readonly Employer[] Employers =
    [
        new("solna-stad", "Solna stad", "https://hr.solna.example", "solna.example", "S-1",
            ["Vårdboende Ekbacken", "Vårdboende Linnégården", "Hemtjänst Centrum", "Hemtjänst Natt & larm"], Lrs.Core.People.EmployerKinds.Municipal),
        new("trygga-omsorgen", "Trygga Omsorgen AB", "https://hr.tryggaomsorgen.example", "tryggaomsorgen.example", "T-2",
            ["Tryggagården", "Hemtjänst Trygga Norr"], Lrs.Core.People.EmployerKinds.Private),
    ];

    // The names of the units of each employer: the six named ones and, for larger tenants, the same again with a number,
    // taken in turn across all six until there are enough.
    private static string[][] UnitNames(int people, int? peoplePerUnit)
    {
        int named = Employers.Sum(e => e.UnitNames.Length);
        int wanted = peoplePerUnit is { } perUnit ? Math.Max(named, (int)Math.Round(people / (double)perUnit)) : named;
        var names = Employers.Select(_ => new List<string>()).ToArray();
        for (int round = 1, made = 0; made < wanted; round++)
            for (int e = 0; e < Employers.Length; e++)
                foreach (var name in Employers[e].UnitNames)
                {
                    if (made == wanted) break;
                    names[e].Add(round == 1 ? name : name + " " + round.ToString(System.Globalization.CultureInfo.InvariantCulture));
                    made++;
                }
        return [.. names.Select(n => n.ToArray())];
    }

    private void Populate(int count, int? peoplePerUnit)
    {
        var random = new DemoRandom(DemoRandom.Key(Seed, 0, 0, 4));
        var unitNames = UnitNames(count, peoplePerUnit);
        int unitCount = unitNames.Sum(n => n.Length);
        var organisations = new List<DemoOrganisation>();
        var units = new List<DemoUnit>();
        var organisationOfUnit = new List<DemoOrganisation>();
        var people = new List<DemoPerson>(count);
        var unitOf = new List<int>(count);
        var chefs = new List<int[]>();
        var nurses = new List<int[]>();
        var supervisors = new List<int[]>();

        int unitIndex = 0;
        foreach (var (employer, names) in Employers.Zip(unitNames))
        {
            var ownUnits = names.Select(n => new DemoUnit(DemoCatalogue.Slug(n), n)).ToArray();
            var organisation = new DemoOrganisation(employer.Id, employer.Name, employer.HrHomePage, ownUnits, employer.Kind);
            organisations.Add(organisation);

            var sizes = ownUnits.Select((_, i) => count / unitCount + (unitIndex + i < count % unitCount ? 1 : 0)).ToArray();
            var numbers = new EmployeeNumbers(employer.Prefix, sizes.Sum(), random);
            var mailboxes = new HashSet<string>(StringComparer.Ordinal);
            for (int u = 0; u < ownUnits.Length; u++, unitIndex++)
            {
                units.Add(ownUnits[u]);
                organisationOfUnit.Add(organisation);
                var staff = StaffRoles(sizes[u], firstOfEmployer: u == 0, random);
                List<int> unitChefs = [], unitNurses = [], unitSupervisors = [];
                foreach (var (roles, duties) in staff)
                {
                    int index = people.Count;
                    if (roles.Contains("enhetschef")) unitChefs.Add(index);
                    if (roles.Contains("sjukskoterska")) unitNurses.Add(index);
                    if (roles.Contains("handledare")) unitSupervisors.Add(index);
                    people.Add(NewPerson(employer, ownUnits[u], numbers.Next(), roles, duties, mailboxes, random));
                    unitOf.Add(unitIndex);
                }
                chefs.Add([.. unitChefs]);
                nurses.Add([.. unitNurses]);
                supervisors.Add([.. unitSupervisors]);
            }
        }

        Organisations = organisations;
        People = people;
        Units = [.. units];
        OrganisationOfUnit = [.. organisationOfUnit];
        UnitOf = [.. unitOf];
        ChefsOf = [.. chefs];
        NursesOf = [.. nurses];
        SupervisorsOf = [.. supervisors];
        Trainers = DemoCatalogue.Trainers
            .Select(t => new JsonObject { ["objectType"] = "Agent", ["name"] = t.Name, ["mbox"] = "mailto:" + t.Email })
            .ToArray();
        Instructors = [.. Trainers, .. nurses.SelectMany(n => n).Select(n => People[n].Agents[0])];
    }

    // Roles of one unit's staff: the manager(s) first, then nurses, then care staff. About one enhetschef per 50 and a
    // nurse per 20; care staff mostly undersköterskor, some vårdbiträden and omsorgsassistenter; one or two handledare
    // per 40 care staff, always undersköterskor as well; the verksamhetschef sits in the employer's first unit.
    internal static List<(string[] Roles, string[] Duties)> StaffRoles(int size, bool firstOfEmployer, DemoRandom random)
    {
        var staff = new List<(string[] Roles, string[] Duties)>(size);
        void Add(string role) { if (staff.Count < size) staff.Add(([role], [])); }
        if (firstOfEmployer) Add("verksamhetschef");
        int chefs = Math.Max(1, (int)Math.Round(size / 50.0));
        for (int i = 0; i < chefs; i++) Add("enhetschef");
        int nurses = Math.Max(1, size / 20 + random.Next(2));
        for (int i = 0; i < nurses; i++) Add("sjukskoterska");

        int care = size - staff.Count;
        int supervisors = care <= 0 ? 0 : Math.Max(1, care / 40 + random.Next(2));
        for (int i = 0; i < care; i++)
        {
            double u = random.NextDouble();
            string role = u < 0.62 ? "underskoterska" : u < 0.84 ? "vardbitrade" : "omsorgsassistent";
            string[] roles = role == "underskoterska" && supervisors > 0 ? [role, "handledare"] : [role];
            if (roles.Length == 2) supervisors--;
            double delegated = role switch { "underskoterska" => 0.35, "vardbitrade" => 0.2, _ => 0 };
            staff.Add((roles, random.Chance(delegated) ? [DemoCatalogue.DelegatedTasks] : []));
        }
        return staff;
    }

    internal static DemoPerson NewPerson(Employer employer, DemoUnit unit, string employeeId, string[] roles, string[] duties,
        HashSet<string> mailboxes, DemoRandom random)
    {
        string first = random.Pick(DemoCatalogue.FirstNames), last = random.Pick(DemoCatalogue.LastNames);
        string plain = DemoCatalogue.Slug(first) + "." + DemoCatalogue.Slug(last), local = plain;
        for (int n = 2; !mailboxes.Add(local); n++) local = plain + n.ToString(System.Globalization.CultureInfo.InvariantCulture);
        string name = first + " " + last, email = local + "@" + employer.MailDomain;
        var agents = new List<JsonObject>
        {
            new() { ["objectType"] = "Agent", ["name"] = name,
                    ["account"] = new JsonObject { ["homePage"] = employer.HrHomePage, ["name"] = employeeId } },
        };
        if (random.Chance(0.1)) agents.Add(new JsonObject { ["objectType"] = "Agent", ["name"] = name, ["mbox"] = "mailto:" + email });
        return new DemoPerson(employeeId, employer.Id, name, email, unit.Id, roles, duties, agents);
    }

    // Employee numbers such as S-10234: the employer's prefix, then at least four digits that walk the number space with
    // a stride coprime to it, so they are unique and do not look sequential.
    internal sealed class EmployeeNumbers(string prefix, int count, DemoRandom random)
    {
        private readonly int _width = Math.Max(4, count.ToString(System.Globalization.CultureInfo.InvariantCulture).Length);
        private readonly long _offset = random.Next(int.MaxValue);
        private long _next;

        public string Next()
        {
            long space = (long)Math.Pow(10, _width);
            long number = (_offset + _next++ * 3659) % space; // 3659 is prime and not 2 or 5, so coprime to 10^width
            return prefix + number.ToString("D" + _width, System.Globalization.CultureInfo.InvariantCulture);
        }
    }
}
