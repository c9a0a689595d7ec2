using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Lrs.Api.Demo;
using Lrs.Core.Competence;
using Lrs.Core.Xapi;
using Xunit.Abstractions;

namespace Lrs.Api.Tests;

// Pure tests of the demo tenant generator: no store, so no fixture and no subclasses per store.
public class DemoTenantTests(ITestOutputHelper output)
{
    internal static readonly DateTimeOffset Now = new(2026, 11, 23, 9, 30, 0, TimeSpan.Zero);
    private static readonly TimeSpan ExpiringWindow = TimeSpan.FromDays(60);
    private const string Verified = "https://w3id.org/xapi/tla/verbs/verified";

    // The default demo (seed 42, 300 people, 30 statements each) and its statements, made once for the tests that
    // only read them.
    private static readonly Lazy<(DemoTenant Tenant, List<JsonObject> Statements)> Default = new(() =>
    {
        var tenant = DemoTenant.Generate(seed: 42, people: 300, now: Now);
        return (tenant, tenant.Statements().ToList());
    });

    private static readonly Lazy<Framework> CareFramework = new(() =>
    {
        var file = Path.Combine(AppContext.BaseDirectory, "Demo", "care-framework.json");
        var (framework, errors) = FrameworkDocument.Parse(JsonNode.Parse(File.ReadAllText(file)));
        errors.Should().BeEmpty();
        return framework!;
    });

    [Fact]
    public void The_tenant_has_Solna_stad_with_four_units_and_Trygga_Omsorgen_with_two_and_about_fifty_people_in_each()
    {
        var tenant = Default.Value.Tenant;

        tenant.Organisations.Select(o => (o.Id, o.Name, o.HrHomePage)).Should().Equal(
            ("solna-stad", "Solna stad", "https://hr.solna.example"),
            ("trygga-omsorgen", "Trygga Omsorgen AB", "https://hr.tryggaomsorgen.example"));
        tenant.Organisations[0].Units.Select(u => (u.Id, u.Name)).Should().Equal(
            ("vardboende-ekbacken", "Vårdboende Ekbacken"), ("vardboende-linnegarden", "Vårdboende Linnégården"),
            ("hemtjanst-centrum", "Hemtjänst Centrum"), ("hemtjanst-natt-larm", "Hemtjänst Natt & larm"));
        tenant.Organisations[1].Units.Select(u => (u.Id, u.Name)).Should().Equal(
            ("tryggagarden", "Tryggagården"), ("hemtjanst-trygga-norr", "Hemtjänst Trygga Norr"));
        tenant.People.Should().HaveCount(300);
        tenant.People.GroupBy(p => p.UnitId).Should().HaveCount(6).And.OnlyContain(g => g.Count() == 50);
        foreach (var person in tenant.People)
        {
            var organisation = tenant.Organisations.Single(o => o.Id == person.OrganisationId);
            organisation.Units.Should().Contain(u => u.Id == person.UnitId);
            person.Agents[0]["account"]!["homePage"]!.GetValue<string>().Should().Be(organisation.HrHomePage);
            person.Agents[0]["account"]!["name"]!.GetValue<string>().Should().Be(person.EmployeeId);
        }
    }

    [Fact]
    public void With_people_per_unit_a_large_tenant_gets_numbered_units_of_that_size_in_both_employers()
    {
        var tenant = DemoTenant.Generate(seed: 42, people: 1000, now: Now, peoplePerUnit: 50);

        var units = tenant.Organisations.SelectMany(o => o.Units).ToList();
        units.Should().HaveCount(20);
        units.Select(u => u.Id).Should().OnlyHaveUniqueItems();
        tenant.Organisations[0].Units.Select(u => u.Id).Should().StartWith(
            ["vardboende-ekbacken", "vardboende-linnegarden", "hemtjanst-centrum", "hemtjanst-natt-larm", "vardboende-ekbacken-2"]);
        tenant.Organisations[0].Units.Should().HaveCount(14);
        tenant.Organisations[1].Units.Select(u => u.Name).Should().Equal(
            "Tryggagården", "Hemtjänst Trygga Norr", "Tryggagården 2", "Hemtjänst Trygga Norr 2", "Tryggagården 3", "Hemtjänst Trygga Norr 3");
        tenant.People.GroupBy(p => p.UnitId).Should().HaveCount(20).And.OnlyContain(g => g.Count() == 50);
        foreach (var unit in tenant.People.GroupBy(p => p.UnitId))
        {
            unit.Count(p => p.Roles.Contains("enhetschef")).Should().Be(1, unit.Key);
            unit.Count(p => p.Roles.Contains("sjukskoterska")).Should().BeInRange(2, 3, unit.Key);
            unit.Should().OnlyContain(p => tenant.Organisations.Single(o => o.Id == p.OrganisationId).Units.Any(u => u.Id == unit.Key));
        }
        foreach (var organisation in tenant.Organisations)
            tenant.People.Count(p => p.OrganisationId == organisation.Id && p.Roles.Contains("verksamhetschef")).Should().Be(1);
        tenant.People.Select(p => p.EmployeeId).Should().OnlyHaveUniqueItems();

        // Teams are the units' own; the default tenant is unchanged by the option's existence.
        var team = tenant.Statements(30).Select(s => s["context"]!["team"]).First(t => t != null)!;
        units.Select(u => "team-" + u.Id).Should().Contain(team["account"]!["name"]!.GetValue<string>());
        DemoTenant.Generate(seed: 42, people: 300, now: Now, peoplePerUnit: 100).Organisations.SelectMany(o => o.Units).Should().HaveCount(6);
    }

    [Fact]
    public void Each_unit_has_a_manager_two_or_three_nurses_and_mostly_assistant_nurses_one_or_two_of_them_supervisors()
    {
        var tenant = Default.Value.Tenant;
        foreach (var unit in tenant.People.GroupBy(p => p.UnitId))
        {
            int Count(string role) => unit.Count(p => p.Roles.Contains(role));
            Count("enhetschef").Should().Be(1, unit.Key);
            Count("sjukskoterska").Should().BeInRange(2, 3, unit.Key);
            Count("handledare").Should().BeInRange(1, 2, unit.Key);
            unit.Where(p => p.Roles.Contains("handledare")).Should().OnlyContain(p => p.Roles.SequenceEqual(new[] { "underskoterska", "handledare" }));
            Count("underskoterska").Should().BeGreaterThan(unit.Count() / 2 - 5, unit.Key);
            (Count("vardbitrade") + Count("omsorgsassistent")).Should().BeGreaterThan(5, unit.Key);
        }
        foreach (var organisation in tenant.Organisations)
            tenant.People.Count(p => p.OrganisationId == organisation.Id && p.Roles.Contains("verksamhetschef")).Should().Be(1);

        // The duty string is the one the framework's conditional requirements name.
        var duties = CareFramework.Value.Roles.SelectMany(r => r.Requirements).Select(q => q.Duty).OfType<string>().Distinct().ToArray();
        duties.Should().Equal("delegated-tasks");
        var withDuty = tenant.People.Where(p => p.Duties.Contains("delegated-tasks")).ToList();
        withDuty.Count.Should().BeInRange(40, 110);
        withDuty.Should().OnlyContain(p => p.Roles.Contains("underskoterska") || p.Roles.Contains("vardbitrade"));
        tenant.People.SelectMany(p => p.Roles).Should().OnlyContain(r => CareFramework.Value.FindRole(r) != null);
    }

    [Fact]
    public void Employee_ids_names_and_addresses_identify_people_without_anything_like_a_personnummer()
    {
        var tenant = Default.Value.Tenant;
        var personnummer = new Regex(@"(?<!\d)(?:\d{2})?\d{6}[-+]?\d{4}(?!\d)");
        foreach (var person in tenant.People)
        {
            person.EmployeeId.Should().MatchRegex(person.OrganisationId == "solna-stad" ? "^S-1[0-9]{4}$" : "^T-2[0-9]{4}$");
            person.Email.Should().MatchRegex(person.OrganisationId == "solna-stad"
                ? @"^[a-z]+\.[a-z]+[0-9]*@solna\.example$" : @"^[a-z]+\.[a-z]+[0-9]*@tryggaomsorgen\.example$");
            person.Name.Should().MatchRegex(@"^\p{Lu}\p{Ll}+ \p{Lu}\p{Ll}+$");
            foreach (var agent in person.Agents) personnummer.IsMatch(agent.ToJsonString()).Should().BeFalse(agent.ToJsonString());
        }
        tenant.People.Select(p => p.EmployeeId).Should().OnlyHaveUniqueItems();
        tenant.People.Select(p => p.Email).Should().OnlyHaveUniqueItems();
        foreach (var statement in Default.Value.Statements)
        {
            // Staff by their HR account, some staff and the learning centre's trainers by e-mail address.
            var actor = statement["actor"]!;
            if (actor["account"] is { } account) ((string?)account["name"]).Should().MatchRegex("^[ST]-[12][0-9]{4}$");
            else ((string?)actor["mbox"]).Should().MatchRegex(@"^mailto:[a-z]+\.[a-z]+[0-9]*@[a-z.]+\.example$", actor.ToJsonString());
            personnummer.IsMatch(statement["actor"]!.ToJsonString()).Should().BeFalse();
        }
    }

    [Fact]
    public void Every_statement_is_valid_xAPI_1_0_3_with_Swedish_and_English_names_and_a_timestamp_in_the_window()
    {
        var (tenant, statements) = Default.Value;
        statements.Count.Should().BeInRange(300 * 27, 300 * 34);
        var invalid = new List<string>();
        foreach (var statement in statements)
        {
            var errors = StatementValidator.Validate(statement, XapiVersion.V103);
            if (errors.Count > 0) invalid.Add($"{statement.ToJsonString()}: {string.Join("; ", errors.Select(e => e.Path + " " + e.Message))}");
            statement["verb"]!["display"]!.AsObject().Select(p => p.Key).Should().Equal("sv-SE", "en-US");
            if (statement["object"]!["objectType"]!.GetValue<string>() == "Activity")
            {
                statement["object"]!["definition"]!["name"]!.AsObject().Select(p => p.Key).Should().Equal("sv-SE", "en-US");
                statement["object"]!["definition"]!["type"]!.GetValue<string>().Should().StartWith("http");
            }
            var timestamp = DateTimeOffset.Parse(statement["timestamp"]!.GetValue<string>());
            timestamp.Should().BeOnOrAfter(tenant.Start).And.BeOnOrBefore(tenant.Now);
            statement["context"]!.AsObject().ContainsKey("contextAgents").Should().BeFalse();
        }
        invalid.Should().BeEmpty();
        statements.Select(s => s["id"]!.GetValue<string>()).Should().OnlyHaveUniqueItems();
    }

    [Fact]
    public void Statements_come_in_timestamp_order_and_every_sign_off_after_the_statement_it_confirms()
    {
        var statements = Default.Value.Statements;
        var seen = new Dictionary<string, DateTimeOffset>();
        var previous = DateTimeOffset.MinValue;
        int signOffs = 0;
        foreach (var statement in statements)
        {
            var timestamp = DateTimeOffset.Parse(statement["timestamp"]!.GetValue<string>());
            timestamp.Should().BeOnOrAfter(previous);
            previous = timestamp;
            if (statement["verb"]!["id"]!.GetValue<string>() == Verified)
            {
                signOffs++;
                statement["object"]!["objectType"]!.GetValue<string>().Should().Be("StatementRef");
                var target = statement["object"]!["id"]!.GetValue<string>();
                seen.Should().ContainKey(target, "a sign-off comes after the statement it confirms");
                timestamp.Should().BeAfter(seen[target]);
                var signer = AgentKey.Of(statement["actor"]);
                var learner = statements.First(s => s["id"]!.GetValue<string>() == target)["actor"];
                signer.Should().NotBe(AgentKey.Of(learner));
            }
            seen[statement["id"]!.GetValue<string>()] = timestamp;
        }
        signOffs.Should().BeGreaterThan(300);
    }

    [Fact]
    public void The_competence_model_gives_each_person_the_planned_status_and_every_status_occurs()
    {
        var (tenant, statements) = Default.Value;
        var profiles = Profiles(tenant, statements, CareFramework.Value);

        var mismatches = new List<string>();
        var required = new Dictionary<CompetenceStatus, int>();
        var all = new Dictionary<CompetenceStatus, int>();
        for (int i = 0; i < tenant.People.Count; i++)
        {
            var planned = tenant.PlannedStatuses(i);
            var entries = profiles[i].Entries.ToDictionary(e => e.CompetenceId);
            for (int c = 0; c < planned.Count; c++)
            {
                var competence = CareFramework.Value.Competences[c].Id;
                var status = entries.TryGetValue(competence, out var entry) ? entry.Status : (CompetenceStatus?)null;
                if (status != planned[c]) mismatches.Add($"{tenant.People[i].EmployeeId} {competence}: planned {planned[c]}, got {status}");
            }
            entries.Count.Should().Be(planned.Count(p => p is not null), "the profile lists exactly the competences planned");
            foreach (var entry in profiles[i].Entries)
            {
                all[entry.Status] = all.GetValueOrDefault(entry.Status) + 1;
                if (entry.Requirement == RequirementLevel.Required) required[entry.Status] = required.GetValueOrDefault(entry.Status) + 1;
            }
        }
        output.WriteLine("required: " + string.Join(", ", required.OrderBy(p => p.Key).Select(p => $"{ProfileCalculator.StatusName(p.Key)}={p.Value}")));
        output.WriteLine("all:      " + string.Join(", ", all.OrderBy(p => p.Key).Select(p => $"{ProfileCalculator.StatusName(p.Key)}={p.Value}")));

        mismatches.Should().BeEmpty();
        foreach (var status in Enum.GetValues<CompetenceStatus>()) required.GetValueOrDefault(status).Should().BeGreaterThan(10, status.ToString());
        int total = required.Values.Sum();
        required[CompetenceStatus.Valid].Should().BeGreaterThan(total * 6 / 10, "most required competences are valid");
        profiles.Values.Count(p => p.Entries.Any(e => e.CompetenceId == "deleg-insulin" && e.IsMet)).Should().BeGreaterThan(5);
    }

    [Fact]
    public void More_statements_per_person_add_everyday_activity_and_keep_every_planned_status()
    {
        var tenant = DemoTenant.Generate(seed: 11, people: 120, now: Now);
        var framework = CareFramework.Value;
        var few = tenant.Statements(30).ToList();
        var many = tenant.Statements(100).ToList();

        many.Count.Should().BeInRange(120 * 95, 120 * 106);
        foreach (var statement in many) StatementValidator.Validate(statement, XapiVersion.V103).Should().BeEmpty();
        var evidence = many.Count(s => EvidenceExtractor.Extract(framework, s).Count > 0);
        output.WriteLine($"evidence: {few.Count(s => EvidenceExtractor.Extract(framework, s).Count > 0)} of {few.Count} at 30 a person, {evidence} of {many.Count} at 100");
        evidence.Should().BeLessThan(many.Count / 4, "most learning records are not evidence");
        few.Count(s => EvidenceExtractor.Extract(framework, s).Count > 0).Should().BeLessThan(few.Count / 2);

        var fewProfiles = Profiles(tenant, few, framework);
        var manyProfiles = Profiles(tenant, many, framework);
        for (int i = 0; i < tenant.People.Count; i++)
        {
            var planned = tenant.PlannedStatuses(i);
            manyProfiles[i].Entries.Select(e => (e.CompetenceId, e.Status)).Should().Equal(
                fewProfiles[i].Entries.Select(e => (e.CompetenceId, e.Status)));
            manyProfiles[i].Entries.Select(e => e.Status).Should().Equal(planned.OfType<CompetenceStatus>());
        }
        // Repeat rounds of recurring training show up as older evidence next to the current.
        manyProfiles.Values.Sum(p => p.Entries.Sum(e => e.EvidenceStatementIds.Count))
            .Should().BeGreaterThan(fewProfiles.Values.Sum(p => p.Entries.Sum(e => e.EvidenceStatementIds.Count)));
    }

    [Fact]
    public void The_same_seed_and_now_give_the_same_people_and_statements_and_another_seed_other_ones()
    {
        var a = DemoTenant.Generate(seed: 5, people: 60, now: Now);
        var b = DemoTenant.Generate(seed: 5, people: 60, now: Now);
        var c = DemoTenant.Generate(seed: 6, people: 60, now: Now);

        string People(DemoTenant t) => string.Join("\n", t.People.Select(p =>
            $"{p.EmployeeId} {p.Name} {p.Email} {p.UnitId} {string.Join(",", p.Roles)} {string.Join(",", p.Duties)} {string.Join(",", p.Agents.Select(x => x.ToJsonString()))}"));
        People(a).Should().Be(People(b));
        People(a).Should().NotBe(People(c));

        var first = a.Statements().Select(s => s.ToJsonString()).ToList();
        var second = b.Statements().Select(s => s.ToJsonString()).ToList();
        second.Should().Equal(first);
        c.Statements().Select(s => s["id"]!.GetValue<string>()).Should().NotIntersectWith(first.Select(s => JsonNode.Parse(s)!["id"]!.GetValue<string>()));
        DemoTenant.Generate(seed: 5, people: 60, now: Now.AddDays(1)).Statements().First()["timestamp"]!.GetValue<string>()
            .Should().NotBe(JsonNode.Parse(first[0])!["timestamp"]!.GetValue<string>());
    }

    [Fact]
    public void Delegations_are_checked_by_a_nurse_and_carry_an_expiry_at_most_a_year_later()
    {
        var (tenant, statements) = Default.Value;
        var nurses = tenant.People.Where(p => p.Roles.Contains("sjukskoterska")).Select(p => AgentKey.Of(p.Agents[0])).ToHashSet();
        var checks = statements.Where(s => s["object"]!["id"]?.GetValue<string>().StartsWith("https://demo.lrsapi.se/xapi/activities/performances/deleg-") == true).ToList();
        checks.Should().HaveCountGreaterThan(50);
        foreach (var check in checks)
        {
            var timestamp = DateTimeOffset.Parse(check["timestamp"]!.GetValue<string>());
            var expires = DateTimeOffset.Parse(check["context"]!["extensions"]![EvidenceExtractor.ExpiresExtension]!.GetValue<string>());
            expires.Should().BeAfter(timestamp).And.BeOnOrBefore(timestamp.AddYears(1));
            nurses.Should().Contain(AgentKey.Of(check["context"]!["instructor"]));
            check["object"]!["definition"]!["type"]!.GetValue<string>().Should().Be("http://adlnet.gov/expapi/activities/performance");
        }
        var withDuty = tenant.People.Where(p => p.Duties.Contains("delegated-tasks")).SelectMany(p => p.Agents).Select(AgentKey.Of).ToHashSet();
        checks.Should().OnlyContain(s => withDuty.Contains(AgentKey.Of(s["actor"])));
    }

    [Fact]
    public void Training_takes_the_shapes_of_real_learning_records()
    {
        var statements = Default.Value.Statements;
        IEnumerable<JsonObject> With(string verb, string type) => statements.Where(s =>
            s["verb"]!["id"]!.GetValue<string>() == verb && s["object"]!["definition"]?["type"]?.GetValue<string>() == type);

        var sessions = With("http://adlnet.gov/expapi/verbs/attended", "http://adlnet.gov/expapi/activities/meeting")
            .Where(s => s["object"]!["id"]!.GetValue<string>().Contains("/sessions/forflyttning") || s["object"]!["id"]!.GetValue<string>().Contains("/sessions/hlr")).ToList();
        sessions.Should().NotBeEmpty().And.OnlyContain(s => s["context"]!["instructor"] != null
            && s["context"]!["contextActivities"]!["grouping"]![0]!["id"]!.GetValue<string>() == "https://demo.lrsapi.se/xapi/activities/learning-centres/metodikum"
            && s["context"]!["registration"] != null);

        var webinars = With("http://adlnet.gov/expapi/verbs/attended", "http://id.tincanapi.com/activitytype/webinar").ToList();
        webinars.Should().NotBeEmpty().And.OnlyContain(s => s["result"]!["duration"] != null);
        var recordings = With("https://w3id.org/xapi/video/verbs/completed", "https://w3id.org/xapi/video/activity-type/video").ToList();
        recordings.Should().NotBeEmpty().And.OnlyContain(s =>
            s["context"]!["contextActivities"]!["parent"]![0]!["definition"]!["type"]!.GetValue<string>() == "http://id.tincanapi.com/activitytype/webinar");

        var tests = statements.Where(s => s["object"]!["definition"]?["type"]?.GetValue<string>() == "http://adlnet.gov/expapi/activities/assessment").ToList();
        tests.Should().Contain(s => s["result"]!["success"]!.GetValue<bool>() == false);
        tests.Should().OnlyContain(s => s["result"]!["score"]!["scaled"] != null && s["context"]!["registration"] != null);
        tests.Where(s => s["result"]!["success"]!.GetValue<bool>() == false)
            .Should().OnlyContain(s => s["verb"]!["id"]!.GetValue<string>() == "http://adlnet.gov/expapi/verbs/failed");

        var verbs = statements.GroupBy(s => s["verb"]!["id"]!.GetValue<string>()).ToDictionary(g => g.Key, g => g.Count());
        verbs.Keys.Should().Contain(["http://adlnet.gov/expapi/verbs/launched", "http://adlnet.gov/expapi/verbs/initialized",
            "http://adlnet.gov/expapi/verbs/experienced", "http://adlnet.gov/expapi/verbs/answered", Verified]);
        var answers = statements.Where(s => s["verb"]!["id"]!.GetValue<string>() == "http://adlnet.gov/expapi/verbs/answered").ToList();
        answers.Should().OnlyContain(s => s["result"]!["response"]!.GetValue<string>().Length > 20 && s["context"]!["statement"]!["objectType"]!.GetValue<string>() == "StatementRef");

        // Some people use their e-mail agent as well as their HR account.
        var tenant = Default.Value.Tenant;
        tenant.People.Count(p => p.Agents.Count == 2).Should().BeInRange(15, 50);
        tenant.People.Where(p => p.Agents.Count == 2).Should().OnlyContain(p => p.Agents[1]["mbox"]!.GetValue<string>() == "mailto:" + p.Email);
        statements.Should().Contain(s => s["actor"]!["mbox"] != null && s["actor"]!["mbox"]!.GetValue<string>().EndsWith(".example")
            && !s["actor"]!["mbox"]!.GetValue<string>().Contains("metodikum"));

        tenant.Instructors.Should().Contain(a => a["mbox"] != null && a["mbox"]!.GetValue<string>().EndsWith("@metodikum.solna.example"));
        tenant.Instructors.Should().Contain(a => a["account"] != null);
    }

    [Fact]
    public void With_the_2_0_flag_statements_are_valid_xAPI_2_0_and_name_assessors_and_teams_in_the_2_0_context()
    {
        var tenant = DemoTenant.Generate(seed: 3, people: 40, now: Now);
        var statements = tenant.Statements(30, xapi20: true).ToList();
        foreach (var statement in statements) StatementValidator.Validate(statement, XapiVersion.V200).Should().BeEmpty();
        statements.Should().Contain(s => s["context"]!["contextAgents"] != null);
        statements.Should().Contain(s => s["context"]!["contextGroups"] != null);
        statements.Select(s => s["id"]!.GetValue<string>()).Should().Equal(tenant.Statements(30).Select(s => s["id"]!.GetValue<string>()));
    }

    // Runs the competence model as the store would: evidence from every statement, sign-offs by someone other than the
    // learner, then a profile per person at the tenant's now.
    private static Dictionary<int, PersonProfile> Profiles(DemoTenant tenant, IEnumerable<JsonObject> statements, Framework framework)
    {
        var personOf = new Dictionary<string, int>();
        for (int i = 0; i < tenant.People.Count; i++)
            foreach (var agent in tenant.People[i].Agents) personOf[AgentKey.Of(agent)!] = i;

        var found = new List<(int Person, Guid Statement, EvidenceFound Evidence)>();
        var signoffs = new List<(Signoff Signoff, Guid Statement)>();
        foreach (var statement in statements)
        {
            var id = Guid.Parse(statement["id"]!.GetValue<string>());
            foreach (var evidence in EvidenceExtractor.Extract(framework, statement))
                if (personOf.TryGetValue(evidence.AgentKey, out var person)) found.Add((person, id, evidence));
            if (Signoffs.Recognise(framework, statement) is { } signoff) signoffs.Add((signoff, id));
        }
        var byTarget = signoffs.ToLookup(s => s.Signoff.TargetStatementId);

        var profiles = new Dictionary<int, PersonProfile>();
        var records = found.ToLookup(f => f.Person, f =>
        {
            var signoff = byTarget[f.Statement]
                .Where(s => !personOf.TryGetValue(s.Signoff.SignerKey, out var signer) || signer != f.Person)
                .OrderBy(s => s.Signoff.SignedAt).Select(s => ((DateTimeOffset, Guid)?)(s.Signoff.SignedAt, s.Statement)).FirstOrDefault();
            var e = f.Evidence;
            return new EvidenceRecord(e.CompetenceId, f.Statement, e.AgentKey, e.AchievedAt, e.ExpiresAt, e.NeedsSignoff,
                signoff?.Item1, signoff?.Item2, e.AssessorJson);
        });
        for (int i = 0; i < tenant.People.Count; i++)
        {
            var person = tenant.People[i];
            profiles[i] = ProfileCalculator.Compute(new PersonFacts(person.EmployeeId, person.Roles, person.Duties),
                records[i].ToList(), framework, tenant.Now, ExpiringWindow);
        }
        return profiles;
    }
}

/// <summary>
/// The demo generator's memory while it streams. <see cref="GC.GetTotalMemory"/> counts the whole process, so the test runs
/// alone in it: beside tests that read large pages it measured their memory too (117 MB once, under a bound of 64).
/// </summary>
[Collection(nameof(AloneInTheProcess))]
public class DemoTenantMemoryTests(ITestOutputHelper output)
{
    [Fact]
    public void Two_thousand_people_with_a_hundred_statements_each_stream_without_holding_the_statements()
    {
        var tenant = DemoTenant.Generate(seed: 9, people: 2000, now: DemoTenantTests.Now);
        GC.Collect();
        long baseline = GC.GetTotalMemory(forceFullCollection: true), peak = 0;
        int count = 0;
        var last = DateTimeOffset.MinValue;
        foreach (var statement in tenant.Statements(100))
        {
            if (++count % 25_000 == 0)
            {
                peak = Math.Max(peak, GC.GetTotalMemory(forceFullCollection: true) - baseline);
                var timestamp = DateTimeOffset.Parse(statement["timestamp"]!.GetValue<string>());
                timestamp.Should().BeOnOrAfter(last);
                last = timestamp;
            }
        }
        output.WriteLine($"{count} statements, peak live memory above the start {peak / 1024 / 1024} MB");
        count.Should().BeInRange(2000 * 95, 2000 * 106);
        // 25,000 statements held as JSON would take well over 64 MB.
        peak.Should().BeLessThan(64L * 1024 * 1024);
    }
}

/// <summary>Tests that measure the whole process: xunit runs them after the others, one at a time.</summary>
[CollectionDefinition(nameof(AloneInTheProcess), DisableParallelization = true)]
public sealed class AloneInTheProcess;
