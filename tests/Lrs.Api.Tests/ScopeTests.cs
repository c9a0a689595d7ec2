using System.Net;
using System.Text.Json.Nodes;
using Lrs.Api.Tests.Infrastructure;
using static Lrs.Api.Tests.Infrastructure.Xapi;

namespace Lrs.Api.Tests;

/// <summary>The xAPI scopes with their spec meaning (Communication 4.2), for Basic credentials.</summary>
public abstract class ScopeTests(LrsFixture lrs)
{
    [Fact]
    public async Task A_write_only_credential_may_store_but_not_read_and_the_403_names_the_scope()
    {
        var writer = await lrs.ClientWithScopesAsync("statements/write");
        var ids = await writer.PostAsync(Statement());

        var response = await writer.GetAsync($"/xapi/statements?statementId={ids[0]}");
        response.StatusCode.Should().Be(HttpStatusCode.Forbidden);
        (await response.Content.ReadAsStringAsync()).Should().Contain("statements/read");
    }

    [Fact]
    public async Task A_read_only_credential_may_not_store_or_void()
    {
        var reader = await lrs.ClientWithScopesAsync("statements/read");
        var stored = (await lrs.Client().PostAsync(Statement()))[0];

        var post = await reader.PostAsync("/xapi/statements", Json(Statement()));
        post.StatusCode.Should().Be(HttpStatusCode.Forbidden);
        (await post.Content.ReadAsStringAsync()).Should().Contain("statements/write");
        (await reader.PostAsync("/xapi/statements", Json(Voiding(stored)))).StatusCode.Should().Be(HttpStatusCode.Forbidden);
        (await reader.GetAsync($"/xapi/statements?statementId={stored}")).StatusCode.Should().Be(HttpStatusCode.OK, "XAPI: a voiding attempt without write scope changes nothing");
    }

    [Fact]
    public async Task Statements_read_mine_sees_only_what_the_credential_itself_stored_on_every_page()
    {
        var activity = NewActivityId();
        var mine = await lrs.ClientWithScopesAsync("statements/write statements/read/mine");
        var myIds = new List<string>();
        for (var i = 0; i < 3; i++) myIds.AddRange(await mine.PostAsync(Statement(activity: activity)));
        var theirs = (await lrs.Client().PostAsync(Statement(activity: activity)))[0];

        var seen = (await mine.GetAllAsync($"/xapi/statements?activity={Uri.EscapeDataString(activity)}&limit=1")).Select(s => s["id"]!.GetValue<string>());
        seen.Should().BeEquivalentTo(myIds);
        (await mine.GetAsync($"/xapi/statements?statementId={theirs}")).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await mine.GetAsync($"/xapi/statements?statementId={myIds[0]}")).StatusCode.Should().Be(HttpStatusCode.OK);

        var everyone = (await lrs.Client().GetAllAsync($"/xapi/statements?activity={Uri.EscapeDataString(activity)}")).Select(s => s["id"]!.GetValue<string>());
        everyone.Should().Contain(theirs).And.Contain(myIds);
    }

    [Fact]
    public async Task All_read_reads_everything_but_writes_nothing()
    {
        var reader = await lrs.ClientWithScopesAsync("all/read");
        var stored = (await lrs.Client().PostAsync(Statement()))[0];
        (await reader.GetAsync($"/xapi/statements?statementId={stored}")).StatusCode.Should().Be(HttpStatusCode.OK);
        (await reader.GetAsync($"/xapi/agents?agent={Q(NewAgent())}")).StatusCode.Should().Be(HttpStatusCode.OK);
        (await reader.PostAsync("/xapi/statements", Json(Statement()))).StatusCode.Should().Be(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task State_needs_the_state_scope_and_profiles_the_profile_scope()
    {
        var stateOnly = await lrs.ClientWithScopesAsync("state");
        var agent = Q(NewAgent());
        var activity = Uri.EscapeDataString(NewActivityId());
        var state = await stateOnly.PutAsync($"/xapi/activities/state?activityId={activity}&agent={agent}&stateId=bookmark", Json(new JsonObject { ["page"] = 3 }));
        state.StatusCode.Should().Be(HttpStatusCode.NoContent);

        var profileRequest = new HttpRequestMessage(HttpMethod.Put, $"/xapi/activities/profile?activityId={activity}&profileId=p") { Content = Json(new JsonObject { ["a"] = 1 }) };
        profileRequest.Headers.TryAddWithoutValidation("If-None-Match", "*");
        var profile = await stateOnly.SendAsync(profileRequest);
        profile.StatusCode.Should().Be(HttpStatusCode.Forbidden);
        (await profile.Content.ReadAsStringAsync()).Should().Contain("profile");
    }

    [Fact]
    public async Task Without_define_statements_are_stored_but_change_no_activity_definition()
    {
        var activity = NewActivityId();
        var writer = await lrs.ClientWithScopesAsync("statements/write");
        var statement = Statement(activity: activity);
        statement["object"]!["definition"] = new JsonObject { ["name"] = new JsonObject { ["sv-SE"] = "Obehörigt namn" } };
        await writer.PostAsync(statement);

        var (_, unchanged) = await lrs.Client().GetJsonAsync($"/xapi/activities?activityId={Uri.EscapeDataString(activity)}");
        unchanged!["definition"].Should().BeNull("a credential without define does not define activities");

        var definer = await lrs.ClientWithScopesAsync("statements/write define");
        await definer.PostAsync(statement);
        var (_, defined) = await lrs.Client().GetJsonAsync($"/xapi/activities?activityId={Uri.EscapeDataString(activity)}");
        defined!["definition"]!["name"]!["sv-SE"]!.GetValue<string>().Should().Be("Obehörigt namn");
    }

    [Fact]
    public async Task A_credential_with_only_an_API_scope_gets_403_on_xAPI()
    {
        var hr = await lrs.ClientWithScopesAsync("profiles:read");
        (await hr.GetAsync("/xapi/statements")).StatusCode.Should().Be(HttpStatusCode.Forbidden);
    }
}

public sealed class ScopeTestsOnSqlite(SqliteLrs lrs) : ScopeTests(lrs), IClassFixture<SqliteLrs>;
public sealed class ScopeTestsOnPostgres(PostgresLrs lrs) : ScopeTests(lrs), IClassFixture<PostgresLrs>;
