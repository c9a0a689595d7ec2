using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Lrs.Api.Tests.Infrastructure;
using Lrs.Core.Storage;
using static Lrs.Api.Tests.Infrastructure.Xapi;

namespace Lrs.Api.Tests;

/// <summary>
/// Credentials restricted beyond their scopes: to an organisation (a claim for the people and profile reads), to one
/// actor and to one registration (enforced on statements and documents), as a cmi5 launch credential needs.
/// </summary>
public abstract class RestrictionTests(LrsFixture lrs)
{
    private readonly HttpClient _admin = lrs.Client();

    private Task<HttpClient> BoundClientAsync(string scopes, JsonObject? actor = null, Guid? registration = null, string? organisation = null) =>
        lrs.ClientWithScopesAsync(scopes, restrictions: new CredentialRestrictions(organisation, actor?.ToJsonString(), registration));

    private async Task<HttpClient> IssuedClientAsync(object body)
    {
        var response = await _admin.PostAsJsonAsync("/api/admin/credentials", body);
        response.StatusCode.Should().Be(HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        var created = (await response.Content.ReadFromJsonAsync<JsonNode>())!;
        return lrs.Client("1.0.3", created["key"]!.GetValue<string>(), created["secret"]!.GetValue<string>());
    }

    private static async Task<string?> MessageAsync(HttpResponseMessage response) =>
        JsonNode.Parse(await response.Content.ReadAsStringAsync())?["message"]?.GetValue<string>();

    private async Task<List<string>> IdsAboutAsync(JsonObject agent) =>
        [.. (await _admin.GetAllAsync($"/xapi/statements?agent={Q(agent)}")).Select(s => s["id"]!.GetValue<string>())];

    [Fact]
    public async Task Restrictions_given_to_the_admin_API_are_listed_audited_and_become_claims_of_a_Basic_login()
    {
        var actor = NewAgent();
        var registration = Guid.NewGuid();
        var response = await _admin.PostAsJsonAsync("/api/admin/credentials", new
        {
            name = "hr-solna", scopes = new[] { "profiles:read", "statements/read" }, organisation = "solna-stad", actor, registration,
        });
        response.StatusCode.Should().Be(HttpStatusCode.Created);
        var created = (await response.Content.ReadFromJsonAsync<JsonNode>())!;
        var key = created["key"]!.GetValue<string>();
        created["organisation"]!.GetValue<string>().Should().Be("solna-stad");
        created["registration"]!.GetValue<string>().Should().Be(registration.ToString());

        var listed = (await _admin.GetFromJsonAsync<JsonNode>($"/api/admin/credentials/{key}"))!;
        listed["organisation"]!.GetValue<string>().Should().Be("solna-stad");
        listed["actor"]!["account"]!["name"]!.GetValue<string>().Should().Be(actor["account"]!["name"]!.GetValue<string>());
        listed["registration"]!.GetValue<string>().Should().Be(registration.ToString());
        var audit = (await _admin.GetFromJsonAsync<JsonNode>("/api/admin/audit?limit=500"))!["entries"]!.AsArray();
        var detail = audit.Single(e => e!["target"]!.GetValue<string>() == key)!["detail"]!.GetValue<string>();
        detail.Should().Contain("organisation=solna-stad").And.Contain($"registration={registration}").And.Contain(actor["account"]!["name"]!.GetValue<string>());

        var client = lrs.Client(null, key, created["secret"]!.GetValue<string>());
        var claims = (await client.GetFromJsonAsync<JsonNode>(ClaimsProbe.Path))!;
        claims["lrs:organisation"]![0]!.GetValue<string>().Should().Be("solna-stad");
        claims["lrs:actor"]![0]!.GetValue<string>().Should().Be($"account:https://hr.solna.example {actor["account"]!["name"]!.GetValue<string>()}");
        claims["lrs:registration"]![0]!.GetValue<string>().Should().Be(registration.ToString());

        var unrestricted = (await lrs.Client(null).GetFromJsonAsync<JsonNode>(ClaimsProbe.Path))!;
        unrestricted["lrs:organisation"].Should().BeNull();
        unrestricted["lrs:actor"].Should().BeNull();
    }

    [Fact]
    public async Task A_restriction_that_is_not_an_agent_with_one_identifier_or_not_a_UUID_is_400()
    {
        var twoIfis = new JsonObject { ["mbox"] = "mailto:anna@solna.example", ["account"] = new JsonObject { ["homePage"] = "https://hr.solna.example", ["name"] = "E1" } };
        var group = new JsonObject { ["objectType"] = "Group", ["mbox"] = "mailto:team@solna.example" };
        foreach (var body in new object[]
        {
            new { scopes = new[] { "statements/write" }, actor = twoIfis },
            new { scopes = new[] { "statements/write" }, actor = group },
            new { scopes = new[] { "statements/write" }, actor = "mailto:anna@solna.example" },
            new { scopes = new[] { "statements/write" }, registration = "not-a-uuid" },
        })
        {
            var response = await _admin.PostAsJsonAsync("/api/admin/credentials", body);
            response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
            response.Content.Headers.ContentType!.MediaType.Should().Be("application/problem+json");
        }
    }

    [Fact]
    public async Task A_bound_actor_credential_stores_only_statements_of_its_actor_and_nothing_of_a_refused_batch()
    {
        var learner = NewAgent();
        var other = NewAgent();
        var tool = await IssuedClientAsync(new { scopes = new[] { "statements/write", "statements/read" }, actor = learner });

        var batch = await tool.PostAsync("/xapi/statements", Json(new JsonArray(Statement(learner), Statement(other))));
        batch.StatusCode.Should().Be(HttpStatusCode.Forbidden);
        (await MessageAsync(batch)).Should().Contain("actor");
        var put = await tool.PutAsync($"/xapi/statements?statementId={Guid.NewGuid()}", Json(Statement(other)));
        put.StatusCode.Should().Be(HttpStatusCode.Forbidden);
        (await IdsAboutAsync(learner)).Should().BeEmpty("nothing of a refused batch is stored");
        (await IdsAboutAsync(other)).Should().BeEmpty();

        var id = Guid.NewGuid();
        (await tool.PutAsync($"/xapi/statements?statementId={id}", Json(Statement(learner)))).StatusCode.Should().Be(HttpStatusCode.NoContent);
        (await IdsAboutAsync(learner)).Should().Equal(id.ToString());
    }

    [Fact]
    public async Task A_bound_actor_credential_reads_only_statements_with_its_actor_as_actor_or_object_on_every_page()
    {
        var learner = NewAgent();
        var other = NewAgent();
        var activity = NewActivityId();
        var aboutLearner = new List<string>();
        for (var i = 0; i < 3; i++) aboutLearner.AddRange(await _admin.PostAsync(Statement(learner, activity: activity)));
        var supervisorSignsOff = Statement(other, activity: activity);
        supervisorSignsOff["object"] = learner.DeepClone();
        aboutLearner.AddRange(await _admin.PostAsync(supervisorSignsOff));
        var othersId = (await _admin.PostAsync(Statement(other, activity: activity)))[0];
        var othersVoided = (await _admin.PostAsync(Statement(other, activity: activity)))[0];
        await _admin.PostAsync(Voiding(othersVoided));

        var reader = await BoundClientAsync("statements/read", actor: learner);
        var seen = await reader.GetAllAsync($"/xapi/statements?activity={Uri.EscapeDataString(activity)}&limit=1");
        seen.Select(s => s["id"]!.GetValue<string>()).Should().BeEquivalentTo(aboutLearner[..3]);
        (await reader.GetAllAsync("/xapi/statements?limit=2")).Select(s => s["id"]!.GetValue<string>()).Should().BeEquivalentTo(aboutLearner);
        (await reader.GetAllAsync($"/xapi/statements?agent={Q(other)}")).Select(s => s["id"]!.GetValue<string>()).Should().BeEquivalentTo([aboutLearner[^1]]);

        (await reader.GetAsync($"/xapi/statements?statementId={othersId}")).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await reader.GetAsync($"/xapi/statements?voidedStatementId={othersVoided}")).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await reader.GetAsync($"/xapi/statements?statementId={aboutLearner[0]}")).StatusCode.Should().Be(HttpStatusCode.OK);
        (await _admin.GetAsync($"/xapi/statements?voidedStatementId={othersVoided}")).StatusCode.Should().Be(HttpStatusCode.OK, "the statement is there for others");
    }

    [Fact]
    public async Task A_bound_actor_credential_reaches_only_its_agents_State_and_Agent_Profile()
    {
        var learner = NewAgent();
        var other = NewAgent();
        var activity = Uri.EscapeDataString(NewActivityId());
        var tool = await BoundClientAsync("state profile", actor: learner);
        var body = Json(new JsonObject { ["page"] = 3 });

        (await tool.PutAsync($"/xapi/activities/state?activityId={activity}&agent={Q(learner)}&stateId=bookmark", body)).StatusCode.Should().Be(HttpStatusCode.NoContent);
        var foreign = await tool.PutAsync($"/xapi/activities/state?activityId={activity}&agent={Q(other)}&stateId=bookmark", body);
        foreign.StatusCode.Should().Be(HttpStatusCode.Forbidden);
        (await MessageAsync(foreign)).Should().Contain("bound to one actor");
        (await tool.GetAsync($"/xapi/activities/state?activityId={activity}&agent={Q(other)}")).StatusCode.Should().Be(HttpStatusCode.Forbidden);
        (await tool.DeleteAsync($"/xapi/activities/state?activityId={activity}&agent={Q(other)}")).StatusCode.Should().Be(HttpStatusCode.Forbidden);
        (await _admin.GetAsync($"/xapi/activities/state?activityId={activity}&agent={Q(other)}&stateId=bookmark")).StatusCode.Should().Be(HttpStatusCode.NotFound, "nothing was stored for the other agent");

        (await tool.PostAsync($"/xapi/agents/profile?agent={Q(learner)}&profileId=prefs", Json(new JsonObject { ["lang"] = "sv" }))).StatusCode.Should().Be(HttpStatusCode.NoContent);
        (await tool.GetAsync($"/xapi/agents/profile?agent={Q(other)}&profileId=prefs")).StatusCode.Should().Be(HttpStatusCode.Forbidden);

        var activityProfile = new HttpRequestMessage(HttpMethod.Put, $"/xapi/activities/profile?activityId={activity}&profileId=p") { Content = Json(new JsonObject { ["a"] = 1 }) };
        activityProfile.Headers.TryAddWithoutValidation("If-None-Match", "*");
        (await tool.SendAsync(activityProfile)).StatusCode.Should().Be(HttpStatusCode.NoContent, "activity profiles belong to no agent");
    }

    [Fact]
    public async Task A_launch_credential_bound_to_actor_and_registration_writes_and_reads_only_that_registration()
    {
        var learner = NewAgent();
        var registration = Guid.NewGuid();
        var activity = NewActivityId();
        var launch = await IssuedClientAsync(new
        {
            name = "cmi5 launch", scopes = new[] { "statements/write", "statements/read/mine", "state" }, actor = learner, registration = registration.ToString().ToUpperInvariant(),
        });

        (await launch.PostAsync("/xapi/statements", Json(Statement(learner, activity: activity)))).StatusCode.Should().Be(HttpStatusCode.Forbidden, "no registration");
        var otherRegistration = await launch.PostAsync("/xapi/statements", Json(Statement(learner, activity: activity, registration: Guid.NewGuid())));
        otherRegistration.StatusCode.Should().Be(HttpStatusCode.Forbidden);
        (await MessageAsync(otherRegistration)).Should().Contain(registration.ToString());
        var mine = await launch.PostAsync(Statement(learner, activity: activity, registration: registration));
        var sameLearnerElsewhere = await _admin.PostAsync(Statement(learner, activity: activity, registration: Guid.NewGuid()));

        (await IdsAboutAsync(learner)).Should().BeEquivalentTo([.. mine, .. sameLearnerElsewhere]);
        (await launch.GetAllAsync($"/xapi/statements?activity={Uri.EscapeDataString(activity)}")).Select(s => s["id"]!.GetValue<string>()).Should().Equal(mine);

        var escaped = Uri.EscapeDataString(activity);
        var state = $"/xapi/activities/state?activityId={escaped}&agent={Q(learner)}&stateId=LMS.LaunchData";
        (await launch.PutAsync($"{state}&registration={registration}", Json(new JsonObject { ["launchMode"] = "Normal" }))).StatusCode.Should().Be(HttpStatusCode.NoContent);
        (await launch.GetAsync($"{state}&registration={registration}")).StatusCode.Should().Be(HttpStatusCode.OK);
        (await launch.GetAsync(state)).StatusCode.Should().Be(HttpStatusCode.Forbidden, "State without the registration");
        (await launch.GetAsync($"{state}&registration={Guid.NewGuid()}")).StatusCode.Should().Be(HttpStatusCode.Forbidden);
        (await launch.DeleteAsync($"/xapi/activities/state?activityId={escaped}&agent={Q(learner)}")).StatusCode.Should().Be(HttpStatusCode.Forbidden, "deleting across registrations");
    }

    [Fact]
    public async Task A_bound_actor_credential_voids_its_actors_statements_but_not_another_actors()
    {
        var learner = NewAgent();
        var other = NewAgent();
        var tool = await BoundClientAsync("statements/write", actor: learner);
        var own = (await tool.PostAsync(Statement(learner)))[0];
        var foreign = (await _admin.PostAsync(Statement(other)))[0];

        var refused = await tool.PostAsync("/xapi/statements", Json(Voiding(foreign, actor: learner)));
        refused.StatusCode.Should().Be(HttpStatusCode.Forbidden);
        (await MessageAsync(refused)).Should().Contain(foreign);
        (await tool.PostAsync("/xapi/statements", Json(Voiding(foreign, actor: other)))).StatusCode.Should().Be(HttpStatusCode.Forbidden);
        (await tool.PostAsync("/xapi/statements", Json(Voiding(Guid.NewGuid().ToString(), actor: learner)))).StatusCode.Should().Be(HttpStatusCode.Forbidden, "an unknown target is not one of its own");
        (await _admin.GetAsync($"/xapi/statements?statementId={foreign}")).StatusCode.Should().Be(HttpStatusCode.OK, "the other actor's statement is not voided");

        await tool.PostAsync(Voiding(own, actor: learner));
        (await _admin.GetAsync($"/xapi/statements?voidedStatementId={own}")).StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Voiding_is_a_statement_write_so_a_read_only_credential_bound_to_the_actor_cannot_void()
    {
        var learner = NewAgent();
        var stored = (await _admin.PostAsync(Statement(learner)))[0];
        var reader = await BoundClientAsync("statements/read", actor: learner);

        var response = await reader.PostAsync("/xapi/statements", Json(Voiding(stored, actor: learner)));
        response.StatusCode.Should().Be(HttpStatusCode.Forbidden);
        (await MessageAsync(response)).Should().Contain("statements/write");
        (await reader.GetAsync($"/xapi/statements?statementId={stored}")).StatusCode.Should().Be(HttpStatusCode.OK);
    }
}

public sealed class RestrictionTestsOnSqlite(SqliteLrs lrs) : RestrictionTests(lrs), IClassFixture<SqliteLrs>;
public sealed class RestrictionTestsOnPostgres(PostgresLrs lrs) : RestrictionTests(lrs), IClassFixture<PostgresLrs>;
