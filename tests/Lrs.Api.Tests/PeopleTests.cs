using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Lrs.Api.Tests.Infrastructure;
using Lrs.Core.Storage;
using Lrs.Core.Xapi;
using Microsoft.Extensions.DependencyInjection;
using static Lrs.Api.Tests.Infrastructure.Xapi;

namespace Lrs.Api.Tests;

/// <summary>
/// HR systems upsert organisations, units and people in bulk; reads filter and page them; statements about any agent
/// of a person are the person's. Every test works in a tenant of its own.
/// </summary>
public abstract class PeopleTests(LrsFixture lrs)
{
    private static string Fresh(string prefix) => prefix + "-" + Guid.NewGuid().ToString("N")[..8];

    private async Task<(HttpClient Hr, string Tenant)> TenantAsync(string scopes = "people:write profiles:read")
    {
        var tenant = Fresh("kommun");
        return (await lrs.ClientWithScopesAsync(scopes, tenantName: tenant), tenant);
    }

    /// <summary>A client with a bearer token of the test issuer, restricted to <paramref name="organisation"/> when given.</summary>
    private HttpClient Bearer(string tenant, string? organisation, string scopes = "people:write profiles:read")
    {
        var claims = new Dictionary<string, object> { ["scp"] = scopes, ["lrs_tenant"] = tenant, ["sub"] = "hr-sync", ["azp"] = "hr-system" };
        if (organisation is not null) claims["lrs_org"] = organisation;
        var client = lrs.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", TestIssuer.IdpToken(claims));
        return client;
    }

    private static JsonObject Organisation(string id, string? hrHomePage = null, params string[] units) => new()
    {
        ["id"] = id,
        ["name"] = "Organisation " + id,
        ["hrHomePage"] = hrHomePage,
        ["units"] = new JsonArray([.. units.Select(u => (JsonNode)new JsonObject { ["id"] = u, ["name"] = "Enhet " + u })]),
    };

    private static JsonObject Person(string id, string organisation, string[]? units = null, string[]? roles = null, JsonNode[]? agents = null, string? name = "Anna Andersson") => new()
    {
        ["id"] = id,
        ["organisationId"] = organisation,
        ["name"] = name,
        ["units"] = new JsonArray([.. (units ?? []).Select(u => (JsonNode)JsonValue.Create(u))]),
        ["roles"] = new JsonArray([.. (roles ?? []).Select(r => (JsonNode)JsonValue.Create(r))]),
        ["agents"] = new JsonArray([.. (agents ?? []).Select(a => a.DeepClone())]),
    };

    private static JsonObject Mbox(string? address = null) => new() { ["mbox"] = "mailto:" + (address ?? Fresh("person") + "@solna.example") };

    private static async Task<(HttpStatusCode Status, JsonNode? Body)> PutAsync(HttpClient client, string path, JsonNode body)
    {
        var response = await client.PutAsync(path, Json(body));
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, text.Length == 0 ? null : JsonNode.Parse(text));
    }

    private static async Task<JsonNode> OkAsync(HttpClient client, string path, JsonNode body)
    {
        var (status, result) = await PutAsync(client, path, body);
        status.Should().Be(HttpStatusCode.OK, result?.ToJsonString());
        return result!;
    }

    /// <summary>An organisation with two units, made with a fresh id; returns (organisation, unit1, unit2).</summary>
    private static async Task<(string Organisation, string Unit1, string Unit2)> OrganisationAsync(HttpClient hr, string? hrHomePage = null)
    {
        var (organisation, unit1, unit2) = (Fresh("solna"), Fresh("hemtjanst"), Fresh("sabo"));
        await OkAsync(hr, "/api/organisations", new JsonArray(Organisation(organisation, hrHomePage, unit1, unit2)));
        return (organisation, unit1, unit2);
    }

    private static void Counts(JsonNode result, int created, int updated, int unchanged)
    {
        result["created"]!.GetValue<int>().Should().Be(created);
        result["updated"]!.GetValue<int>().Should().Be(updated);
        result["unchanged"]!.GetValue<int>().Should().Be(unchanged);
    }

    private static IEnumerable<string> Ids(JsonNode list) => list["people"]!.AsArray().Select(p => p!["id"]!.GetValue<string>());

    [Fact]
    public async Task Upserting_people_creates_them_and_sending_the_same_data_again_changes_nothing()
    {
        var (hr, _) = await TenantAsync();
        var (organisation, unit, _) = await OrganisationAsync(hr);
        var people = new JsonArray(
            Person("E1", organisation, [unit], ["underskoterska"], [Mbox()]),
            Person("E2", organisation, [unit], ["vardbitrade"]));

        Counts(await OkAsync(hr, "/api/people", people), created: 2, updated: 0, unchanged: 0);
        var before = (await hr.GetJsonAsync("/api/people/E1")).Body!;

        Counts(await OkAsync(hr, "/api/people", people), created: 0, updated: 0, unchanged: 2);
        var after = (await hr.GetJsonAsync("/api/people/E1")).Body!;
        after.ToJsonString().Should().Be(before.ToJsonString(), "an unchanged person keeps its changed time, history and agents");
        after["units"]!.AsArray().Select(u => u!.GetValue<string>()).Should().Equal(unit);
        after["roles"]!.AsArray().Select(r => r!.GetValue<string>()).Should().Equal("underskoterska");
    }

    [Fact]
    public async Task A_person_moving_unit_and_role_has_the_old_assignment_closed_and_a_new_one_opened()
    {
        var (hr, _) = await TenantAsync();
        var (organisation, unit1, unit2) = await OrganisationAsync(hr);
        await OkAsync(hr, "/api/people", new JsonArray(Person("E1", organisation, [unit1], ["vardbitrade"])));

        Counts(await OkAsync(hr, "/api/people", new JsonArray(Person("E1", organisation, [unit2], ["underskoterska"]))), created: 0, updated: 1, unchanged: 0);

        var person = (await hr.GetJsonAsync("/api/people/E1")).Body!;
        person["units"]!.AsArray().Select(u => u!.GetValue<string>()).Should().Equal(unit2);
        var history = person["history"]!.AsArray().Select(a => (Kind: a!["kind"]!.GetValue<string>(), Value: a["value"]!.GetValue<string>(), From: a["from"]!.GetValue<DateTimeOffset>(), To: a["to"]?.GetValue<DateTimeOffset>())).ToList();
        history.Should().HaveCount(4);
        var oldUnit = history.Single(a => a.Value == unit1);
        var newUnit = history.Single(a => a.Value == unit2);
        oldUnit.To.Should().Be(newUnit.From, "the move closes one assignment at the instant the other opens");
        newUnit.To.Should().BeNull();
        history.Single(a => a.Value == "vardbitrade").To.Should().Be(newUnit.From);
        history.Single(a => a.Value == "underskoterska").Should().Match<(string Kind, string Value, DateTimeOffset From, DateTimeOffset? To)>(a => a.Kind == "role" && a.To == null);
        person["changed"]!.GetValue<DateTimeOffset>().Should().Be(newUnit.From);
    }

    [Fact]
    public async Task The_HR_account_and_every_listed_agent_are_the_persons_and_lead_back_to_the_person()
    {
        var (hr, tenant) = await TenantAsync();
        var (organisation, _, _) = await OrganisationAsync(hr, hrHomePage: "https://hr.solna.example");
        var mbox = Mbox();
        var lms = new JsonObject { ["account"] = new JsonObject { ["homePage"] = "https://lms.solna.example", ["name"] = "anna.a" } };
        await OkAsync(hr, "/api/people", new JsonArray(Person("E10234", organisation, agents: [mbox, lms])));

        var person = (await hr.GetJsonAsync("/api/people/E10234")).Body!;
        var hrAccount = new JsonObject { ["objectType"] = "Agent", ["account"] = new JsonObject { ["homePage"] = "https://hr.solna.example", ["name"] = "E10234" } };
        var expectedKeys = new[] { AgentKey.Of(hrAccount)!, AgentKey.Of(mbox)!, AgentKey.Of(lms)! };
        person["agents"]!.AsArray().Select(a => AgentKey.Of(a)).Should().BeEquivalentTo(expectedKeys);

        // The same keys the statement index stores for an actor: what the competence read models join on.
        var store = lrs.Services.GetRequiredService<IPeopleStore>();
        var tenantId = (await lrs.Services.GetRequiredService<ICredentialStore>().FindTenantAsync(tenant, CancellationToken.None))!.Value;
        (await store.AgentKeysAsync(tenantId, "E10234", CancellationToken.None)).Should().BeEquivalentTo(expectedKeys);
        var statementKeys = StatementIndex.Extract(Statement(new JsonObject { ["account"] = hrAccount["account"]!.DeepClone() }));
        var actorKey = statementKeys.Single(k => k.StartsWith(StatementIndex.Agent, StringComparison.Ordinal))[StatementIndex.Agent.Length..];
        (await store.PersonOfAgentAsync(tenantId, actorKey, CancellationToken.None)).Should().Be("E10234");
        (await store.PersonOfAgentAsync(tenantId, AgentKey.Of(mbox)!, CancellationToken.None)).Should().Be("E10234");
        (await store.PersonOfAgentAsync(tenantId, AgentKey.Of(Mbox())!, CancellationToken.None)).Should().BeNull();
    }

    [Fact]
    public async Task An_agent_of_another_person_is_409_naming_agent_and_person_and_nothing_of_the_request_is_stored()
    {
        var (hr, _) = await TenantAsync();
        var (organisation, _, _) = await OrganisationAsync(hr);
        var shared = Mbox();
        await OkAsync(hr, "/api/people", new JsonArray(Person("E1", organisation, agents: [shared])));

        var (status, problem) = await PutAsync(hr, "/api/people", new JsonArray(
            Person("E3", organisation),
            Person("E2", organisation, agents: [shared])));

        status.Should().Be(HttpStatusCode.Conflict);
        var detail = problem!["detail"]!.GetValue<string>();
        detail.Should().Contain(shared["mbox"]!.GetValue<string>()).And.Contain("'E1'");
        problem["errors"]!["$[1].agents"].Should().NotBeNull();
        (await hr.GetAsync("/api/people/E3")).StatusCode.Should().Be(HttpStatusCode.NotFound, "all or nothing");
        (await hr.GetAsync("/api/people/E2")).StatusCode.Should().Be(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task An_agent_may_move_from_one_person_to_another_within_one_request()
    {
        var (hr, _) = await TenantAsync();
        var (organisation, _, _) = await OrganisationAsync(hr);
        var shared = Mbox();
        await OkAsync(hr, "/api/people", new JsonArray(Person("E1", organisation, agents: [shared]), Person("E2", organisation)));

        Counts(await OkAsync(hr, "/api/people", new JsonArray(Person("E1", organisation), Person("E2", organisation, agents: [shared]))), created: 0, updated: 2, unchanged: 0);

        (await hr.GetJsonAsync("/api/people/E1")).Body!["agents"]!.AsArray().Should().BeEmpty();
        (await hr.GetJsonAsync("/api/people/E2")).Body!["agents"]!.AsArray().Select(a => AgentKey.Of(a)).Should().Equal(AgentKey.Of(shared));
    }

    [Fact]
    public async Task Every_invalid_entry_is_reported_at_its_JSON_path_in_one_400_and_nothing_is_stored()
    {
        var (hr, _) = await TenantAsync();
        var (organisation, _, _) = await OrganisationAsync(hr);
        var body = new JsonArray(
            Person("E1", organisation),
            new JsonObject { ["organisationId"] = organisation, ["units"] = "not a list" },
            Person("E3", organisation, agents: [new JsonObject { ["mbox"] = "anna@solna.example" }]),
            Person("E4", organisation, agents: [new JsonObject { ["mbox"] = "mailto:a@solna.example", ["openid"] = "https://id.example/a" }]),
            Person("E5", organisation, agents: [new JsonObject { ["objectType"] = "Group", ["mbox"] = "mailto:team@solna.example" }]),
            Person("E1", organisation));

        var (status, problem) = await PutAsync(hr, "/api/people", body);

        status.Should().Be(HttpStatusCode.BadRequest);
        var errors = problem!["errors"]!.AsObject().Select(e => e.Key).ToList();
        errors.Should().Contain(["$[1].id", "$[1].units", "$[2].agents[0].mbox", "$[3].agents[0]", "$[4].agents[0].objectType", "$[5].id"]);
        errors.Should().NotContain(e => e.StartsWith("$[0]", StringComparison.Ordinal));
        (await hr.GetAsync("/api/people/E1")).StatusCode.Should().Be(HttpStatusCode.NotFound, "nothing of a rejected request is stored");
    }

    [Fact]
    public async Task An_unknown_organisation_or_unit_or_a_unit_of_another_organisation_is_400()
    {
        var (hr, _) = await TenantAsync();
        var (organisation, unit, _) = await OrganisationAsync(hr);
        var (other, otherUnit, _) = await OrganisationAsync(hr);

        var (status, problem) = await PutAsync(hr, "/api/people", new JsonArray(
            Person("E1", "no-such-organisation"),
            Person("E2", organisation, units: [unit, "no-such-unit"]),
            Person("E3", organisation, units: [otherUnit])));

        status.Should().Be(HttpStatusCode.BadRequest);
        problem!["errors"]!["$[0].organisationId"]![0]!.GetValue<string>().Should().Contain("no-such-organisation");
        problem["errors"]!["$[1].units"]![0]!.GetValue<string>().Should().Contain("no-such-unit");
        problem["errors"]!["$[2].units"]![0]!.GetValue<string>().Should().Contain(otherUnit).And.Contain(other);
        (await hr.GetAsync("/api/people/E2")).StatusCode.Should().Be(HttpStatusCode.NotFound);
    }

    [Theory]
    [InlineData("19811218-9876")]
    [InlineData("811218-9876")]
    [InlineData("198112189876")]
    [InlineData("8112189876")]
    [InlineData("811278-9876")]
    public async Task An_employee_id_that_looks_like_a_personnummer_is_rejected_with_the_reason(string id)
    {
        var (hr, _) = await TenantAsync();
        var (organisation, _, _) = await OrganisationAsync(hr);

        var (status, problem) = await PutAsync(hr, "/api/people", new JsonArray(Person(id, organisation)));

        status.Should().Be(HttpStatusCode.BadRequest);
        problem!["errors"]!["$[0].id"]![0]!.GetValue<string>().Should().Contain("personal identity number");
    }

    [Theory]
    [InlineData("personnummer")]
    [InlineData("personalIdentityNumber")]
    public async Task A_personnummer_property_is_rejected_with_the_reason(string property)
    {
        var (hr, _) = await TenantAsync();
        var (organisation, _, _) = await OrganisationAsync(hr);
        var person = Person("E1", organisation);
        person[property] = "19811218-9876";

        var (status, problem) = await PutAsync(hr, "/api/people", new JsonArray(person));

        status.Should().Be(HttpStatusCode.BadRequest);
        problem!["errors"]![$"$[0].{property}"]![0]!.GetValue<string>().Should().Contain("personnummer is never");
        (await hr.GetAsync("/api/people/E1")).StatusCode.Should().Be(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task More_than_1000_people_in_one_request_is_413_with_a_message()
    {
        var (hr, _) = await TenantAsync();
        var (organisation, _, _) = await OrganisationAsync(hr);
        var body = new JsonArray([.. Enumerable.Range(0, 1001).Select(i => (JsonNode)Person($"E{i}", organisation))]);

        var (status, problem) = await PutAsync(hr, "/api/people", body);

        status.Should().Be(HttpStatusCode.RequestEntityTooLarge);
        problem!["detail"]!.GetValue<string>().Should().Contain("at most 1000");
    }

    [Fact]
    public async Task A_thousand_people_upsert_in_one_request_again_unchanged_and_list_in_pages_by_id()
    {
        var (hr, _) = await TenantAsync();
        var (organisation, unit1, unit2) = await OrganisationAsync(hr, hrHomePage: "https://hr.solna.example");
        var body = new JsonArray([.. Enumerable.Range(0, 1000).Select(i =>
            (JsonNode)Person($"E{i:D5}", organisation, [i % 2 == 0 ? unit1 : unit2], [i % 10 == 0 ? "enhetschef" : "underskoterska"], [Mbox()]))]);

        Counts(await OkAsync(hr, "/api/people", body), created: 1000, updated: 0, unchanged: 0);
        Counts(await OkAsync(hr, "/api/people", body), created: 0, updated: 0, unchanged: 1000);

        var seen = new List<string>();
        var pages = 0;
        for (var next = "/api/people?limit=400"; next is not null; pages++)
        {
            var (response, page) = await hr.GetJsonAsync(next);
            response.StatusCode.Should().Be(HttpStatusCode.OK);
            foreach (var person in page!["people"]!.AsArray())
            {
                person!["agents"]!.AsArray().Should().HaveCount(2, "the HR account and the mbox");
                person["history"].Should().BeNull("lists carry current state only");
            }
            seen.AddRange(Ids(page));
            next = page["more"]?.GetValue<string>();
        }
        pages.Should().Be(3);
        seen.Should().HaveCount(1000).And.OnlyHaveUniqueItems().And.BeInAscendingOrder(StringComparer.Ordinal);
    }

    [Fact]
    public async Task ChangedSince_lists_people_whose_data_changed_and_not_those_upserted_again_unchanged()
    {
        var (hr, _) = await TenantAsync();
        var (organisation, unit1, unit2) = await OrganisationAsync(hr);
        await OkAsync(hr, "/api/people", new JsonArray(Person("E1", organisation, [unit1]), Person("E2", organisation, [unit1])));
        await Task.Delay(20);
        var since = DateTimeOffset.UtcNow;
        await Task.Delay(20);

        Counts(await OkAsync(hr, "/api/people", new JsonArray(Person("E1", organisation, [unit1]), Person("E2", organisation, [unit2]))), created: 0, updated: 1, unchanged: 1);

        var (response, list) = await hr.GetJsonAsync($"/api/people?changedSince={Uri.EscapeDataString(since.ToString("O"))}");
        response.StatusCode.Should().Be(HttpStatusCode.OK);
        Ids(list!).Should().Equal("E2");
        (await hr.GetAsync("/api/people?changedSince=yesterday")).StatusCode.Should().Be(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task People_are_filtered_by_organisation_unit_and_current_role()
    {
        var (hr, _) = await TenantAsync();
        var (organisation, unit1, unit2) = await OrganisationAsync(hr);
        var (other, otherUnit, _) = await OrganisationAsync(hr);
        await OkAsync(hr, "/api/people", new JsonArray(
            Person("E1", organisation, [unit1], ["underskoterska"]),
            Person("E2", organisation, [unit1, unit2], ["sjukskoterska"]),
            Person("E3", other, [otherUnit], ["underskoterska"])));
        await OkAsync(hr, "/api/people", new JsonArray(Person("E1", organisation, [unit2], ["enhetschef"])));

        Ids((await hr.GetJsonAsync($"/api/people?organisation={organisation}")).Body!).Should().Equal("E1", "E2");
        Ids((await hr.GetJsonAsync($"/api/people?unit={unit1}")).Body!).Should().Equal("E2");
        Ids((await hr.GetJsonAsync("/api/people?role=underskoterska")).Body!).Should().Equal("E3");
        Ids((await hr.GetJsonAsync($"/api/people?role=enhetschef&unit={unit2}")).Body!).Should().Equal("E1");
        (await hr.GetJsonAsync($"/api/units/{unit2}")).Body!["members"]!.AsArray().Select(m => m!.GetValue<string>()).Should().Equal("E1", "E2");
        (await hr.GetAsync("/api/people?limit=1001")).StatusCode.Should().Be(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Organisations_and_units_upsert_idempotently_and_a_unit_never_moves_to_another_organisation()
    {
        var (hr, _) = await TenantAsync();
        var (organisation, unit1, _) = (Fresh("solna"), Fresh("hemtjanst"), "");
        var body = new JsonArray(Organisation(organisation, "https://hr.solna.example", unit1));

        var first = await OkAsync(hr, "/api/organisations", body);
        Counts(first["organisations"]!, 1, 0, 0);
        Counts(first["units"]!, 1, 0, 0);
        var again = await OkAsync(hr, "/api/organisations", body);
        Counts(again["organisations"]!, 0, 0, 1);
        Counts(again["units"]!, 0, 0, 1);
        var renamed = Organisation(organisation, "https://hr.solna.example", unit1);
        renamed["units"]![0]!["name"] = "Hemtjänst Norr";
        Counts((await OkAsync(hr, "/api/organisations", new JsonArray(renamed)))["units"]!, 0, 1, 0);

        var (status, problem) = await PutAsync(hr, "/api/organisations", new JsonArray(Organisation(Fresh("sundbyberg"), null, unit1)));
        status.Should().Be(HttpStatusCode.Conflict);
        problem!["detail"]!.GetValue<string>().Should().Contain(organisation);

        var organisations = (await hr.GetJsonAsync("/api/organisations")).Body!.AsArray();
        organisations.Select(o => o!["id"]!.GetValue<string>()).Should().Equal(organisation);
        var units = (await hr.GetJsonAsync($"/api/organisations/{organisation}/units")).Body!.AsArray();
        units.Select(u => u!["name"]!.GetValue<string>()).Should().Equal("Hemtjänst Norr");
        (await hr.GetAsync("/api/organisations/no-such/units")).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await hr.GetAsync("/api/units/no-such")).StatusCode.Should().Be(HttpStatusCode.NotFound);

        var (invalid, invalidProblem) = await PutAsync(hr, "/api/organisations", new JsonArray(new JsonObject { ["id"] = "x", ["hrHomePage"] = "not an IRL" }));
        invalid.Should().Be(HttpStatusCode.BadRequest);
        invalidProblem!["errors"]!.AsObject().Select(e => e.Key).Should().Contain(["$[0].name", "$[0].hrHomePage"]);
    }

    [Fact]
    public async Task A_caller_restricted_to_one_organisation_sees_only_its_people_units_and_organisation()
    {
        var (hr, tenant) = await TenantAsync();
        var (own, ownUnit, _) = await OrganisationAsync(hr);
        var (other, otherUnit, _) = await OrganisationAsync(hr);
        await OkAsync(hr, "/api/people", new JsonArray(Person("E1", own, [ownUnit]), Person("P1", other, [otherUnit])));
        var restricted = Bearer(tenant, own, "profiles:read");

        Ids((await restricted.GetJsonAsync("/api/people")).Body!).Should().Equal("E1");
        Ids((await restricted.GetJsonAsync($"/api/people?organisation={other}")).Body!).Should().BeEmpty();
        Ids((await restricted.GetJsonAsync($"/api/people?unit={otherUnit}")).Body!).Should().BeEmpty();
        (await restricted.GetAsync("/api/people/E1")).StatusCode.Should().Be(HttpStatusCode.OK);
        (await restricted.GetAsync("/api/people/P1")).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await restricted.GetJsonAsync("/api/organisations")).Body!.AsArray().Select(o => o!["id"]!.GetValue<string>()).Should().Equal(own);
        (await restricted.GetAsync($"/api/organisations/{other}/units")).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await restricted.GetAsync($"/api/units/{otherUnit}")).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await restricted.GetAsync($"/api/units/{ownUnit}")).StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task A_restricted_upsert_touching_another_organisation_is_403_and_stores_nothing()
    {
        var (hr, tenant) = await TenantAsync();
        var (own, ownUnit, _) = await OrganisationAsync(hr);
        var (other, otherUnit, _) = await OrganisationAsync(hr);
        await OkAsync(hr, "/api/people", new JsonArray(Person("P1", other, [otherUnit])));
        var restricted = Bearer(tenant, own);

        var (intoOther, _) = await PutAsync(restricted, "/api/people", new JsonArray(Person("E1", own, [ownUnit]), Person("E2", other, [otherUnit])));
        var (takeOver, problem) = await PutAsync(restricted, "/api/people", new JsonArray(Person("P1", own, [ownUnit])));
        var (organisation, _) = await PutAsync(restricted, "/api/organisations", new JsonArray(Organisation(other, null, Fresh("enhet"))));

        intoOther.Should().Be(HttpStatusCode.Forbidden);
        takeOver.Should().Be(HttpStatusCode.Forbidden, "P1 is a person of the other organisation");
        problem!["detail"]!.GetValue<string>().Should().NotContain(other);
        organisation.Should().Be(HttpStatusCode.Forbidden);
        (await hr.GetAsync("/api/people/E1")).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await hr.GetJsonAsync("/api/people/P1")).Body!["organisationId"]!.GetValue<string>().Should().Be(other);
        Counts(await OkAsync(restricted, "/api/people", new JsonArray(Person("E1", own, [ownUnit]))), created: 1, updated: 0, unchanged: 0);
    }

    [Fact]
    public async Task A_Basic_credential_restricted_to_one_organisation_is_held_to_it_like_a_token()
    {
        var (hr, tenant) = await TenantAsync();
        var (own, ownUnit, _) = await OrganisationAsync(hr);
        var (other, otherUnit, _) = await OrganisationAsync(hr);
        await OkAsync(hr, "/api/people", new JsonArray(Person("E1", own, [ownUnit]), Person("P1", other, [otherUnit])));
        var restricted = await lrs.ClientWithScopesAsync("people:write profiles:read", tenantName: tenant, restrictions: new CredentialRestrictions(own, null, null));

        Ids((await restricted.GetJsonAsync("/api/people")).Body!).Should().Equal("E1");
        (await restricted.GetAsync("/api/people/P1")).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await restricted.GetAsync($"/api/units/{otherUnit}")).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await PutAsync(restricted, "/api/people", new JsonArray(Person("P2", other, [otherUnit])))).Status.Should().Be(HttpStatusCode.Forbidden);
        (await hr.GetAsync("/api/people/P2")).StatusCode.Should().Be(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Reads_need_profiles_read_or_people_write_and_upserts_need_people_write_as_problem_details()
    {
        var (reader, tenant) = await TenantAsync("profiles:read");
        var everything = await lrs.ClientWithScopesAsync("all", tenantName: tenant);

        var (status, problem) = await PutAsync(reader, "/api/people", new JsonArray());
        status.Should().Be(HttpStatusCode.Forbidden);
        problem!["detail"]!.GetValue<string>().Should().Contain("people:write");
        (await reader.GetAsync("/api/people")).StatusCode.Should().Be(HttpStatusCode.OK);
        var denied = await everything.GetAsync("/api/people");
        denied.StatusCode.Should().Be(HttpStatusCode.Forbidden, "the xAPI scope all does not reach people");
        denied.Content.Headers.ContentType!.MediaType.Should().Be("application/problem+json");
        (await everything.GetAsync("/api/organisations")).StatusCode.Should().Be(HttpStatusCode.Forbidden);
        (await lrs.CreateClient().GetAsync("/api/people")).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
    }
}

public sealed class PeopleTestsOnSqlite(SqliteLrs<Oidc> lrs) : PeopleTests(lrs), IClassFixture<SqliteLrs<Oidc>>;
public sealed class PeopleTestsOnPostgres(PostgresLrs<Oidc> lrs) : PeopleTests(lrs), IClassFixture<PostgresLrs<Oidc>>;
