using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Lrs.Api.Tests.Infrastructure;
using static Lrs.Api.Tests.Infrastructure.Xapi;

namespace Lrs.Api.Tests;

/// <summary>
/// Competence profiles over HTTP: evidence from statements in their own transaction, sign-off, expiry, voiding,
/// agents linked late, gaps of a unit, bulk profiles for HR sync.
/// </summary>
public abstract class ProfileTests(LrsFixture lrs)
{
    private const string Verified = "https://w3id.org/xapi/tla/verbs/verified";
    private const string HlrSession = "https://demo.lrsapi.se/xapi/activities/sessions/hlr/2026-11-02";

    private sealed record Tenant(HttpClient Client, string Name, string Unit);

    // A tenant with the small framework, one organisation and a unit.
    private async Task<Tenant> NewTenantAsync()
    {
        var name = "pr-" + Guid.NewGuid().ToString("N")[..10];
        var client = await lrs.ClientWithScopesAsync("all framework:write people:write profiles:read admin", "2.0.0", name);
        (await client.PutAsync("/api/framework", Json(FrameworkTests.SmallFramework()))).EnsureSuccessStatusCode();
        var organisations = new JsonArray
        {
            new JsonObject
            {
                ["id"] = "solna-stad", ["name"] = "Solna stad", ["hrHomePage"] = "https://hr.solna.example",
                ["units"] = new JsonArray { new JsonObject { ["id"] = "ekbacken", ["name"] = "Vårdboende Ekbacken" } },
            },
        };
        var put = await client.PutAsync("/api/organisations", Json(organisations));
        put.StatusCode.Should().Be(HttpStatusCode.OK, await put.Content.ReadAsStringAsync());
        return new Tenant(client, name, "ekbacken");
    }

    private static async Task AddPersonAsync(Tenant tenant, string id, params JsonObject[] agents) =>
        await AddPersonAsync(tenant, id, "underskoterska", agents);

    private static async Task AddPersonAsync(Tenant tenant, string id, string role, params JsonObject[] agents)
    {
        var people = new JsonArray
        {
            new JsonObject
            {
                ["id"] = id, ["organisationId"] = "solna-stad", ["name"] = "Person " + id, ["units"] = new JsonArray(tenant.Unit),
                ["roles"] = new JsonArray(role), ["agents"] = new JsonArray([.. agents.Select(a => a.DeepClone())]),
            },
        };
        var put = await tenant.Client.PutAsync("/api/people", Json(people));
        put.StatusCode.Should().Be(HttpStatusCode.OK, await put.Content.ReadAsStringAsync());
    }

    private static JsonObject At(JsonObject statement, DateTimeOffset timestamp)
    {
        statement["timestamp"] = timestamp.ToString("O");
        return statement;
    }

    private static JsonObject HlrPractical(JsonObject actor, DateTimeOffset at) =>
        At(Statement(actor, Passed, HlrSession), at);

    private static JsonObject Signoff(string target, JsonObject signer) => new()
    {
        ["actor"] = signer.DeepClone(),
        ["verb"] = new JsonObject { ["id"] = Verified, ["display"] = new JsonObject { ["en-US"] = "verified" } },
        ["object"] = new JsonObject { ["objectType"] = "StatementRef", ["id"] = target },
    };

    private static async Task<Dictionary<string, JsonNode>> ProfileAsync(Tenant tenant, string person)
    {
        var response = await tenant.Client.GetAsync($"/api/people/{person}/profile");
        response.StatusCode.Should().Be(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        var profile = await response.Content.ReadFromJsonAsync<JsonNode>();
        return profile!["competences"]!.AsArray().ToDictionary(c => c!["competence"]!.GetValue<string>(), c => c!);
    }

    private static string Status(Dictionary<string, JsonNode> profile, string competence) => profile[competence]["status"]!.GetValue<string>();

    [Fact]
    public async Task A_completion_makes_a_required_competence_valid_until_its_validity_ends()
    {
        var tenant = await NewTenantAsync();
        var agent = NewAgent();
        await AddPersonAsync(tenant, "S-1001", agent);
        (await ProfileAsync(tenant, "S-1001")).Values.Select(c => c["status"]!.GetValue<string>()).Should().Equal("missing", "missing");

        var done = DateTimeOffset.UtcNow.AddDays(-30);
        var id = (await tenant.Client.PostAsync(At(Statement(agent, Completed, FrameworkTests.Course), done)))[0];

        var profile = await ProfileAsync(tenant, "S-1001");
        Status(profile, "basal-hygien").Should().Be("valid");
        profile["basal-hygien"]["requirement"]!.GetValue<string>().Should().Be("required");
        profile["basal-hygien"]["expiresAt"]!.GetValue<DateTimeOffset>().Should().BeCloseTo(done.AddYears(1), TimeSpan.FromMilliseconds(1));
        profile["basal-hygien"]["evidence"]!.AsArray().Select(e => e!.GetValue<string>()).Should().Equal(id);
        Status(profile, "hlr").Should().Be("missing");
    }

    [Fact]
    public async Task Evidence_older_than_the_window_is_expiring_and_older_than_its_validity_expired()
    {
        var tenant = await NewTenantAsync();
        var (soon, gone) = (NewAgent(), NewAgent());
        await AddPersonAsync(tenant, "S-1002", soon);
        await AddPersonAsync(tenant, "S-1003", gone);
        await tenant.Client.PostAsync(
            At(Statement(soon, Completed, FrameworkTests.Course), DateTimeOffset.UtcNow.AddYears(-1).AddDays(20)),
            At(Statement(gone, Completed, FrameworkTests.Course), DateTimeOffset.UtcNow.AddYears(-1).AddDays(-5)));

        Status(await ProfileAsync(tenant, "S-1002"), "basal-hygien").Should().Be("expiring");
        Status(await ProfileAsync(tenant, "S-1003"), "basal-hygien").Should().Be("expired");
        var narrow = await tenant.Client.GetFromJsonAsync<JsonNode>("/api/people/S-1002/profile?expiringWithinDays=10");
        narrow!["competences"]![0]!["status"]!.GetValue<string>().Should().Be("valid");
    }

    [Fact]
    public async Task The_expires_extension_of_the_statement_overrides_the_competence_validity()
    {
        var tenant = await NewTenantAsync();
        var agent = NewAgent();
        await AddPersonAsync(tenant, "S-1004", agent);
        var statement = At(Statement(agent, Completed, FrameworkTests.Course), DateTimeOffset.UtcNow.AddDays(-3));
        var expires = DateTimeOffset.UtcNow.AddDays(-1);
        statement["context"] = new JsonObject { ["extensions"] = new JsonObject { ["https://w3id.org/xapi/comp/contextextensions/expires"] = expires.ToString("O") } };
        await tenant.Client.PostAsync(statement);

        var profile = await ProfileAsync(tenant, "S-1004");
        Status(profile, "basal-hygien").Should().Be("expired");
        profile["basal-hygien"]["expiresAt"]!.GetValue<DateTimeOffset>().Should().BeCloseTo(expires, TimeSpan.FromMilliseconds(1));
    }

    [Fact]
    public async Task A_practical_awaits_sign_off_which_the_learner_cannot_give_and_a_supervisor_can_even_before_it_arrives()
    {
        var tenant = await NewTenantAsync();
        var (learner, nurse) = (NewAgent(), NewAgent("Nurse"));
        await AddPersonAsync(tenant, "S-1005", learner);
        var practical = HlrPractical(learner, DateTimeOffset.UtcNow.AddDays(-2));
        var practicalId = Guid.NewGuid().ToString();
        practical["id"] = practicalId;
        await tenant.Client.PostAsync(practical);
        Status(await ProfileAsync(tenant, "S-1005"), "hlr").Should().Be("pending-signoff");

        await tenant.Client.PostAsync(Signoff(practicalId, learner));
        Status(await ProfileAsync(tenant, "S-1005"), "hlr").Should().Be("pending-signoff", "a learner cannot sign off their own practical");

        var signoffId = (await tenant.Client.PostAsync(Signoff(practicalId, nurse)))[0];
        Status(await ProfileAsync(tenant, "S-1005"), "hlr").Should().Be("valid");

        await tenant.Client.PostAsync(Voiding(signoffId, nurse));
        Status(await ProfileAsync(tenant, "S-1005"), "hlr").Should().Be("pending-signoff", "voiding the sign-off withdraws it");

        // A sign-off that arrives before the practical it confirms counts once the practical is stored.
        var other = NewAgent();
        await AddPersonAsync(tenant, "S-1006", other);
        var lateId = Guid.NewGuid().ToString();
        await tenant.Client.PostAsync(Signoff(lateId, nurse));
        var late = HlrPractical(other, DateTimeOffset.UtcNow.AddDays(-1));
        late["id"] = lateId;
        await tenant.Client.PostAsync(late);
        Status(await ProfileAsync(tenant, "S-1006"), "hlr").Should().Be("valid");
    }

    [Fact]
    public async Task Voiding_the_evidence_retracts_it_whichever_arrives_first()
    {
        var tenant = await NewTenantAsync();
        var agent = NewAgent();
        await AddPersonAsync(tenant, "S-1007", agent);
        var id = (await tenant.Client.PostAsync(At(Statement(agent, Completed, FrameworkTests.Course), DateTimeOffset.UtcNow.AddDays(-1))))[0];
        Status(await ProfileAsync(tenant, "S-1007"), "basal-hygien").Should().Be("valid");
        await tenant.Client.PostAsync(Voiding(id, agent));
        Status(await ProfileAsync(tenant, "S-1007"), "basal-hygien").Should().Be("missing");

        var earlyVoided = Guid.NewGuid().ToString();
        await tenant.Client.PostAsync(Voiding(earlyVoided, agent));
        var statement = At(Statement(agent, Completed, FrameworkTests.Course), DateTimeOffset.UtcNow.AddDays(-1));
        statement["id"] = earlyVoided;
        await tenant.Client.PostAsync(statement);
        Status(await ProfileAsync(tenant, "S-1007"), "basal-hygien").Should().Be("missing");
    }

    [Fact]
    public async Task Statements_about_an_agent_stored_before_it_was_linked_to_the_person_count()
    {
        var tenant = await NewTenantAsync();
        var (account, lmsAgent) = (NewAgent(), new JsonObject { ["mbox"] = $"mailto:{Guid.NewGuid():N}@solna.example" });
        await AddPersonAsync(tenant, "S-1008", account);
        await tenant.Client.PostAsync(At(Statement(lmsAgent, Completed, FrameworkTests.Course), DateTimeOffset.UtcNow.AddDays(-7)));
        Status(await ProfileAsync(tenant, "S-1008"), "basal-hygien").Should().Be("missing");

        await AddPersonAsync(tenant, "S-1008", account, lmsAgent);
        Status(await ProfileAsync(tenant, "S-1008"), "basal-hygien").Should().Be("valid");
    }

    [Fact]
    public async Task A_units_gaps_name_who_lacks_what_and_the_coverage_per_competence()
    {
        var tenant = await NewTenantAsync();
        var (a, b) = (NewAgent(), NewAgent());
        await AddPersonAsync(tenant, "S-1010", a);
        await AddPersonAsync(tenant, "S-1011", b);
        await tenant.Client.PostAsync(
            At(Statement(a, Completed, FrameworkTests.Course), DateTimeOffset.UtcNow.AddDays(-5)),
            At(Statement(b, Completed, FrameworkTests.Course), DateTimeOffset.UtcNow.AddYears(-1).AddDays(10)));

        var gaps = await tenant.Client.GetFromJsonAsync<JsonNode>($"/api/units/{tenant.Unit}/gaps");
        gaps!["members"]!.GetValue<int>().Should().Be(2);
        var coverage = gaps["coverage"]!.AsArray().ToDictionary(c => c!["competence"]!.GetValue<string>());
        coverage["basal-hygien"]!["required"]!.GetValue<int>().Should().Be(2);
        coverage["basal-hygien"]!["valid"]!.GetValue<int>().Should().Be(2);
        coverage["basal-hygien"]!["expiring"]!.GetValue<int>().Should().Be(1);
        coverage["hlr"]!["lacking"]!.GetValue<int>().Should().Be(2);
        var people = gaps["people"]!.AsArray().ToDictionary(p => p!["personId"]!.GetValue<string>());
        people["S-1011"]!["expiring"]!.AsArray().Select(e => e!["competence"]!.GetValue<string>()).Should().Equal("basal-hygien");
        people["S-1010"]!["lacking"]!.AsArray().Select(e => e!["competence"]!.GetValue<string>()).Should().Equal("hlr");

        (await tenant.Client.GetAsync("/api/units/no-such-unit/gaps")).StatusCode.Should().Be(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Bulk_profiles_since_a_sync_name_only_people_whose_profile_changed()
    {
        var tenant = await NewTenantAsync();
        var (a, b) = (NewAgent(), NewAgent());
        await AddPersonAsync(tenant, "S-1020", a);
        await AddPersonAsync(tenant, "S-1021", b);
        var all = await tenant.Client.GetFromJsonAsync<JsonNode>("/api/profiles?limit=1");
        all!["profiles"]!.AsArray().Should().ContainSingle();
        var second = await tenant.Client.GetFromJsonAsync<JsonNode>(all["more"]!.GetValue<string>());
        second!["profiles"]![0]!["personId"]!.GetValue<string>().Should().Be("S-1021");

        var sync = DateTimeOffset.UtcNow;
        await Task.Delay(20);
        await tenant.Client.PostAsync(At(Statement(b, Completed, FrameworkTests.Course), DateTimeOffset.UtcNow.AddDays(-1)));
        var changed = await tenant.Client.GetFromJsonAsync<JsonNode>($"/api/profiles?changedSince={Uri.EscapeDataString(sync.ToString("O"))}");
        changed!["profiles"]!.AsArray().Select(p => p!["personId"]!.GetValue<string>()).Should().Equal("S-1021");

        var valid = await tenant.Client.GetFromJsonAsync<JsonNode>("/api/profiles?status=valid");
        valid!["profiles"]!.AsArray().Select(p => p!["personId"]!.GetValue<string>()).Should().Equal("S-1021");
        (await tenant.Client.GetAsync("/api/profiles?status=great")).StatusCode.Should().Be(HttpStatusCode.BadRequest);
        var unparsable = await tenant.Client.GetAsync("/api/profiles?changedSince=yesterday");
        unparsable.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        unparsable.Content.Headers.ContentType!.MediaType.Should().Be("application/problem+json");
        (await unparsable.Content.ReadAsStringAsync()).Should().Contain("ChangedSince").And.Contain("yesterday");
    }

    [Fact]
    public async Task Expiring_lists_what_expires_within_the_days_asked_unless_renewed()
    {
        var tenant = await NewTenantAsync();
        var (a, b) = (NewAgent(), NewAgent());
        await AddPersonAsync(tenant, "S-1030", a);
        await AddPersonAsync(tenant, "S-1031", b);
        var old = DateTimeOffset.UtcNow.AddYears(-1).AddDays(12);
        await tenant.Client.PostAsync(
            At(Statement(a, Completed, FrameworkTests.Course), old),
            At(Statement(b, Completed, FrameworkTests.Course), old),
            At(Statement(b, Completed, FrameworkTests.Course), DateTimeOffset.UtcNow.AddDays(-1)));

        var expiring = await tenant.Client.GetFromJsonAsync<JsonNode>("/api/expiring?withinDays=30");
        var items = expiring!["expiring"]!.AsArray();
        items.Select(i => i!["personId"]!.GetValue<string>()).Should().Equal(["S-1030"], "S-1031 renewed the competence");
        items[0]!["competence"]!.GetValue<string>().Should().Be("basal-hygien");
        (await tenant.Client.GetFromJsonAsync<JsonNode>("/api/expiring?withinDays=5"))!["expiring"]!.AsArray().Should().BeEmpty();
    }

    [Fact]
    public async Task A_credential_restricted_to_one_employer_sees_only_its_peoples_statements_profiles_and_units()
    {
        var tenant = await NewTenantAsync();
        var privateProvider = new JsonArray
        {
            new JsonObject
            {
                ["id"] = "trygga-omsorgen", ["name"] = "Trygga Omsorgen AB", ["hrHomePage"] = "https://hr.tryggaomsorgen.example",
                ["units"] = new JsonArray { new JsonObject { ["id"] = "tryggagarden", ["name"] = "Tryggagården" } },
            },
        };
        (await tenant.Client.PutAsync("/api/organisations", Json(privateProvider))).EnsureSuccessStatusCode();
        var (municipal, provider) = (NewAgent(), NewAgent());
        await AddPersonAsync(tenant, "S-1050", municipal);
        var people = new JsonArray
        {
            new JsonObject
            {
                ["id"] = "T-2050", ["organisationId"] = "trygga-omsorgen", ["units"] = new JsonArray("tryggagarden"),
                ["roles"] = new JsonArray("underskoterska"), ["agents"] = new JsonArray(provider.DeepClone()),
            },
        };
        (await tenant.Client.PutAsync("/api/people", Json(people))).EnsureSuccessStatusCode();
        var mine = (await tenant.Client.PostAsync(At(Statement(municipal, Completed, FrameworkTests.Course), DateTimeOffset.UtcNow.AddDays(-1))))[0];
        var theirs = (await tenant.Client.PostAsync(At(Statement(provider, Completed, FrameworkTests.Course), DateTimeOffset.UtcNow.AddDays(-1))))[0];
        var nobodys = (await tenant.Client.PostAsync(Statement(NewAgent())))[0];

        var issued = await tenant.Client.PostAsJsonAsync("/api/admin/credentials",
            new { name = "HR Solna", scopes = new[] { "statements/read", "profiles:read" }, organisation = "solna-stad" });
        issued.StatusCode.Should().Be(HttpStatusCode.Created, await issued.Content.ReadAsStringAsync());
        var credential = await issued.Content.ReadFromJsonAsync<JsonNode>();
        var hr = lrs.Client("2.0.0", credential!["key"]!.GetValue<string>(), credential["secret"]!.GetValue<string>());

        var listed = (await hr.GetAllAsync("/xapi/statements")).Select(s => s["id"]!.GetValue<string>()).ToList();
        listed.Should().Equal(mine);
        (await hr.GetAsync($"/xapi/statements?statementId={mine}")).StatusCode.Should().Be(HttpStatusCode.OK);
        (await hr.GetAsync($"/xapi/statements?statementId={theirs}")).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await hr.GetAsync($"/xapi/statements?statementId={nobodys}")).StatusCode.Should().Be(HttpStatusCode.NotFound);

        (await hr.GetAsync("/api/people/S-1050/profile")).StatusCode.Should().Be(HttpStatusCode.OK);
        (await hr.GetAsync("/api/people/T-2050/profile")).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await hr.GetAsync("/api/units/tryggagarden/gaps")).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await hr.GetFromJsonAsync<JsonNode>("/api/profiles"))!["profiles"]!.AsArray().Select(p => p!["personId"]!.GetValue<string>()).Should().Equal("S-1050");
        (await hr.GetFromJsonAsync<JsonNode>("/api/profiles?organisation=trygga-omsorgen"))!["profiles"]!.AsArray().Should().BeEmpty();
    }

    [Fact]
    public async Task Profiles_and_gaps_of_another_tenant_are_404_and_need_profiles_read()
    {
        var tenant = await NewTenantAsync();
        await AddPersonAsync(tenant, "S-1040", NewAgent());
        var other = await lrs.ClientWithScopesAsync("profiles:read", "2.0.0", "pr-" + Guid.NewGuid().ToString("N")[..10]);
        (await other.GetAsync("/api/people/S-1040/profile")).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await other.GetAsync($"/api/units/{tenant.Unit}/gaps")).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await other.GetFromJsonAsync<JsonNode>("/api/profiles"))!["profiles"]!.AsArray().Should().BeEmpty();

        var statementsOnly = await lrs.ClientWithScopesAsync("all", "2.0.0", tenant.Name);
        var forbidden = await statementsOnly.GetAsync("/api/people/S-1040/profile");
        forbidden.StatusCode.Should().Be(HttpStatusCode.Forbidden);
        (await forbidden.Content.ReadAsStringAsync()).Should().Contain("profiles:read");
    }
}

public sealed class ProfileTestsOnSqlite(SqliteLrs lrs) : ProfileTests(lrs), IClassFixture<SqliteLrs>;
public sealed class ProfileTestsOnPostgres(PostgresLrs lrs) : ProfileTests(lrs), IClassFixture<PostgresLrs>;
