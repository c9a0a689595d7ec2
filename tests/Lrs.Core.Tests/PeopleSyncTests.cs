using System.Text.Json.Nodes;
using Lrs.Core.People;
using Lrs.Core.Xapi;

namespace Lrs.Core.Tests;

public sealed class PeopleInputTests
{
    [Theory]
    [InlineData("19811218-9876", true)]
    [InlineData("811218-9876", true)]
    [InlineData("811218+9876", true)]
    [InlineData("198112189876", true)]
    [InlineData("8112189876", true)]
    [InlineData("811278-9876", true)] // samordningsnummer: day + 60
    [InlineData("E10234", false)]
    [InlineData("1234567890", false)] // month 34
    [InlineData("20261301-1234", false)] // month 13
    [InlineData("218112189876", false)] // no such century
    [InlineData("81121898", false)]
    [InlineData("811218-98765", false)]
    public void A_personnummer_is_recognised_in_its_written_forms_and_employee_numbers_are_not(string text, bool looksLike) =>
        PeopleInput.LooksLikePersonnummer(text).Should().Be(looksLike);

    [Theory]
    [InlineData("personnummer")]
    [InlineData("Personnummer")]
    [InlineData("personalIdentityNumber")]
    [InlineData("personal_identity_number")]
    [InlineData("pnr")]
    public void Property_names_meaning_the_personnummer_are_recognised(string name) => PeopleInput.IsPersonnummerName(name).Should().BeTrue();

    [Fact]
    public void Lists_are_sorted_and_distinct_and_agents_take_one_property_order()
    {
        var (people, errors) = PeopleInput.ReadPeople(JsonNode.Parse("""
            [{ "id": "E1", "organisationId": "solna", "units": ["b", "a", "b"], "roles": ["underskoterska"],
               "agents": [{ "account": { "name": "anna", "homePage": "https://lms.example" }, "name": "Anna", "objectType": "Agent" }] }]
            """));

        errors.Should().BeEmpty();
        people[0].Units.Should().Equal("a", "b");
        people[0].Agents[0].ToJsonString().Should().Be("""{"objectType":"Agent","name":"Anna","account":{"homePage":"https://lms.example","name":"anna"}}""");
    }

    [Fact]
    public void A_body_that_is_not_an_array_or_has_repeated_people_is_reported()
    {
        PeopleInput.ReadPeople(JsonNode.Parse("""{ "id": "E1" }""")).Errors.Should().ContainSingle(e => e.Path == "$");
        var (people, errors) = PeopleInput.ReadPeople(JsonNode.Parse("""[{ "id": "E1", "organisationId": "o" }, { "id": "E1", "organisationId": "o" }]"""));
        people.Should().BeEmpty();
        errors.Should().ContainSingle(e => e.Path == "$[1].id" && e.Message.Contains("$[0]"));
    }
}

public sealed class PeopleSyncTests
{
    private static readonly DateTimeOffset Then = new(2026, 3, 1, 8, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Now = new(2026, 3, 2, 8, 0, 0, TimeSpan.Zero);
    private static readonly Organisation Solna = new("solna", "Solna stad", "https://hr.solna.se", Then);
    private static readonly Organisation Provider = new("omsorg-ab", "Omsorg AB", null, Then);

    private static PersonUpsert Upsert(string id, string organisation = "solna", string[]? units = null, string[]? roles = null, params JsonObject[] agents) =>
        new(id, organisation, "Anna", null, null, units ?? [], roles ?? [], [], agents);

    private static JsonObject Mbox(string address) => new() { ["objectType"] = "Agent", ["mbox"] = "mailto:" + address };

    private static PeopleSnapshot Snapshot(IEnumerable<Person>? people = null, Dictionary<string, AgentOwner>? owners = null) => new(
        (people ?? []).ToDictionary(p => p.Id),
        new Dictionary<string, Organisation> { ["solna"] = Solna, ["omsorg-ab"] = Provider },
        new Dictionary<string, string> { ["u1"] = "solna", ["u2"] = "solna", ["x1"] = "omsorg-ab" },
        owners ?? []);

    // What the store would read back after applying a plan.
    private static Person Stored(PeoplePlan plan, string id) => plan.Write.Single(p => p.Id == id);

    [Fact]
    public void The_same_person_sent_again_is_unchanged_and_writes_nothing()
    {
        var first = PeopleSync.PlanPeople([Upsert("E1", units: ["u1", "u2"], roles: ["underskoterska"], agents: Mbox("anna@solna.se"))], Snapshot(), null, Then);
        var stored = Stored(first, "E1");

        var again = PeopleSync.PlanPeople([Upsert("E1", units: ["u1", "u2"], roles: ["underskoterska"], agents: Mbox("anna@solna.se"))], Snapshot([stored]), null, Now);

        again.Outcome.Counts.Should().Be(new UpsertCounts(0, 0, 1));
        again.Write.Should().BeEmpty();
        again.Open.Should().BeEmpty();
        again.Close.Should().BeEmpty();
        again.Link.Should().BeEmpty();
        again.Unlink.Should().BeEmpty();
    }

    [Fact]
    public void The_HR_account_comes_from_the_organisations_home_page()
    {
        var plan = PeopleSync.PlanPeople([Upsert("E1"), Upsert("P1", "omsorg-ab")], Snapshot(), null, Now);

        plan.Link.Where(l => l.PersonId == "E1").Select(l => l.Key).Should().Equal("account:https://hr.solna.se E1");
        plan.Link.Should().NotContain(l => l.PersonId == "P1", "Omsorg AB has no HR home page");
    }

    [Fact]
    public void A_move_closes_and_opens_only_what_changed()
    {
        var stored = Stored(PeopleSync.PlanPeople([Upsert("E1", units: ["u1"], roles: ["vardbitrade", "handledare"])], Snapshot(), null, Then), "E1");

        var plan = PeopleSync.PlanPeople([Upsert("E1", units: ["u2"], roles: ["handledare", "underskoterska"])], Snapshot([stored]), null, Now);

        plan.Outcome.Counts.Should().Be(new UpsertCounts(0, 1, 0));
        plan.Close.Should().BeEquivalentTo([new AssignmentChange("E1", AssignmentKind.Unit, "u1"), new AssignmentChange("E1", AssignmentKind.Role, "vardbitrade")]);
        plan.Open.Should().BeEquivalentTo([new AssignmentChange("E1", AssignmentKind.Unit, "u2"), new AssignmentChange("E1", AssignmentKind.Role, "underskoterska")]);
        Stored(plan, "E1").Changed.Should().Be(Now);
    }

    [Fact]
    public void An_agent_of_a_person_outside_the_batch_is_a_conflict_but_may_move_inside_it()
    {
        var key = AgentKey.Of(Mbox("anna@solna.se"))!;
        var owners = new Dictionary<string, AgentOwner> { [key] = new("E1", "solna") };

        PeopleSync.PlanPeople([Upsert("E2", agents: Mbox("anna@solna.se"))], Snapshot(owners: owners), null, Now)
            .Outcome.Refusal!.Kind.Should().Be(UpsertRefusalKind.Conflict);
        PeopleSync.PlanPeople([Upsert("E1"), Upsert("E2", agents: Mbox("anna@solna.se"))], Snapshot(owners: owners), null, Now)
            .Outcome.Refusal.Should().BeNull();
        PeopleSync.PlanPeople([Upsert("E1", agents: Mbox("anna@solna.se")), Upsert("E2", agents: Mbox("anna@solna.se"))], Snapshot(), null, Now)
            .Outcome.Refusal!.Kind.Should().Be(UpsertRefusalKind.Invalid, "one agent cannot be two people");
    }

    [Fact]
    public void A_restricted_caller_may_not_touch_another_organisation_nor_learn_who_holds_an_agent_there()
    {
        var otherPerson = Stored(PeopleSync.PlanPeople([Upsert("P1", "omsorg-ab")], Snapshot(), null, Then), "P1");
        var key = AgentKey.Of(Mbox("p1@omsorg.se"))!;

        PeopleSync.PlanPeople([Upsert("P2", "omsorg-ab")], Snapshot(), "solna", Now).Outcome.Refusal!.Kind.Should().Be(UpsertRefusalKind.Forbidden);
        PeopleSync.PlanPeople([Upsert("P1", "solna")], Snapshot([otherPerson]), "solna", Now).Outcome.Refusal!.Kind.Should().Be(UpsertRefusalKind.Forbidden);
        var conflict = PeopleSync.PlanPeople([Upsert("E9", agents: Mbox("p1@omsorg.se"))], Snapshot(owners: new() { [key] = new("P1", "omsorg-ab") }), "solna", Now).Outcome.Refusal!;
        conflict.Kind.Should().Be(UpsertRefusalKind.Conflict);
        conflict.Errors[0].Message.Should().NotContain("P1");
    }

    [Fact]
    public void Unknown_organisations_and_units_of_another_organisation_are_invalid()
    {
        var refusal = PeopleSync.PlanPeople([Upsert("E1", "nacka"), Upsert("E2", units: ["x1", "nope"])], Snapshot(), null, Now).Outcome.Refusal!;

        refusal.Kind.Should().Be(UpsertRefusalKind.Invalid);
        refusal.Errors.Select(e => e.Path).Should().Equal("$[0].organisationId", "$[1].units", "$[1].units");
    }
}
