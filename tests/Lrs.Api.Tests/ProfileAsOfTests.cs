using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Lrs.Api.Tests.Infrastructure;
using static Lrs.Api.Tests.Infrastructure.Xapi;

namespace Lrs.Api.Tests;

/// <summary>
/// A profile as of a past moment: the evidence achieved by then with its validity window, voidings before then, the roles
/// the person's history records for then.
/// </summary>
public abstract class ProfileAsOfTests(LrsFixture lrs)
{
    [Fact]
    public async Task As_of_a_date_only_evidence_achieved_by_then_counts_and_it_lapses_when_its_validity_ends()
    {
        var t = await PlanningTenant.CreateAsync(lrs);
        var agent = NewAgent();
        await t.AddPersonAsync("p1", "underskoterska", agent);
        var achieved = DateTimeOffset.UtcNow.AddMonths(-30);
        await t.Client.PostAsync(PlanningTenant.At(Statement(agent, Completed, PlanningTenant.TransferCourse), achieved));

        (await t.StatusAsOfAsync("p1", "forflyttning", achieved.AddDays(-1))).Should().Be("missing");
        (await t.StatusAsOfAsync("p1", "forflyttning", achieved.AddDays(1))).Should().Be("valid");
        (await t.StatusAsOfAsync("p1", "forflyttning", achieved.AddYears(2).AddDays(-30))).Should().Be("expiring");
        (await t.StatusAsOfAsync("p1", "forflyttning", achieved.AddYears(2).AddDays(1))).Should().Be("expired");
        (await t.StatusAsOfAsync("p1", "forflyttning", null)).Should().Be("expired");
        var profile = await t.Client.GetFromJsonAsync<JsonNode>($"/api/people/p1/profile?asOf={Uri.EscapeDataString(achieved.AddDays(1).ToString("O"))}");
        profile!["computedAt"]!.GetValue<DateTimeOffset>().Should().BeCloseTo(achieved.AddDays(1), TimeSpan.FromMilliseconds(1));
    }

    [Fact]
    public async Task A_voided_statement_counts_before_its_voiding_and_not_after()
    {
        var t = await PlanningTenant.CreateAsync(lrs);
        var agent = NewAgent();
        await t.AddPersonAsync("p1", "underskoterska", agent);
        var id = (await t.Client.PostAsync(PlanningTenant.At(Statement(agent, Completed, PlanningTenant.TransferCourse), DateTimeOffset.UtcNow.AddDays(-10))))[0];
        var beforeVoiding = DateTimeOffset.UtcNow;
        await Task.Delay(20);
        await t.Client.PostAsync(Voiding(id, agent));
        await Task.Delay(20);

        (await t.StatusAsOfAsync("p1", "forflyttning", beforeVoiding)).Should().Be("valid", "the voiding came later");
        (await t.StatusAsOfAsync("p1", "forflyttning", DateTimeOffset.UtcNow)).Should().Be("missing");
        (await t.StatusAsOfAsync("p1", "forflyttning", null)).Should().Be("missing");
    }

    [Fact]
    public async Task Roles_and_units_are_those_of_the_history_at_that_moment()
    {
        var t = await PlanningTenant.CreateAsync(lrs);
        var agent = NewAgent();
        await t.AddPersonAsync("p1", "underskoterska", agent);
        await Task.Delay(20);
        await t.AddPersonAsync("p1", "sjukskoterska", agent, unit: PlanningTenant.OtherUnit);
        // A moment just after the change is asked for below: let it pass first (a profile of the future is a 400).
        await Task.Delay(20);
        var person = await t.Client.GetFromJsonAsync<JsonNode>("/api/people/p1");
        var changed = person!["history"]!.AsArray().First(h => h!["to"] is not null)!["to"]!.GetValue<DateTimeOffset>();

        var before = await t.Client.GetFromJsonAsync<JsonNode>($"/api/people/p1/profile?asOf={Uri.EscapeDataString(changed.AddMilliseconds(-5).ToString("O"))}");
        before!["roles"]!.AsArray().Select(r => r!.GetValue<string>()).Should().Equal("underskoterska");
        before["units"]!.AsArray().Select(r => r!.GetValue<string>()).Should().Equal(PlanningTenant.Unit);
        before["competences"]!.AsArray().Select(c => c!["competence"]!.GetValue<string>()).Should().Contain("forflyttning");

        var after = await t.Client.GetFromJsonAsync<JsonNode>($"/api/people/p1/profile?asOf={Uri.EscapeDataString(changed.AddMilliseconds(5).ToString("O"))}");
        after!["roles"]!.AsArray().Select(r => r!.GetValue<string>()).Should().Equal("sjukskoterska");
        after["units"]!.AsArray().Select(r => r!.GetValue<string>()).Should().Equal(PlanningTenant.OtherUnit);
        after["competences"]!.AsArray().Select(c => c!["competence"]!.GetValue<string>()).Should().NotContain("forflyttning");

        var longBefore = await t.Client.GetFromJsonAsync<JsonNode>($"/api/people/p1/profile?asOf={Uri.EscapeDataString(changed.AddYears(-1).ToString("O"))}");
        longBefore!["roles"]!.AsArray().Select(r => r!.GetValue<string>()).Should().Equal(["underskoterska"], "before the first sync, the first roles synced");
    }

    [Fact]
    public async Task A_sign_off_counts_from_when_it_was_given()
    {
        var t = await PlanningTenant.CreateAsync(lrs);
        var (agent, nurse) = (NewAgent(), NewAgent());
        await t.AddPersonAsync("p1", "underskoterska", agent);
        var practical = DateTimeOffset.UtcNow.AddDays(-20);
        var id = (await t.Client.PostAsync(PlanningTenant.At(Statement(agent, Passed, PlanningTenant.HlrSession), practical)))[0];
        var signoff = PlanningTenant.At(PlanningTenant.Signoff(id, nurse), practical.AddDays(5));
        await t.Client.PostAsync(signoff);

        (await t.StatusAsOfAsync("p1", "hlr", practical.AddDays(1))).Should().Be("pending-signoff");
        (await t.StatusAsOfAsync("p1", "hlr", practical.AddDays(6))).Should().Be("valid");
    }

    [Fact]
    public async Task A_future_or_unreadable_asOf_is_400_and_another_employers_person_404()
    {
        var t = await PlanningTenant.CreateAsync(lrs);
        await t.AddPersonAsync("p1", "underskoterska", NewAgent());
        var future = await t.Client.GetAsync($"/api/people/p1/profile?asOf={Uri.EscapeDataString(DateTimeOffset.UtcNow.AddDays(2).ToString("O"))}");
        future.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await future.Content.ReadFromJsonAsync<JsonNode>())!["title"]!.GetValue<string>().Should().Be("Invalid asOf");
        (await t.Client.GetAsync("/api/people/p1/profile?asOf=last-year")).StatusCode.Should().Be(HttpStatusCode.BadRequest);

        var other = await t.RestrictedClientAsync(PlanningTenant.OtherOrganisation);
        (await other.GetAsync($"/api/people/p1/profile?asOf={Uri.EscapeDataString(DateTimeOffset.UtcNow.AddDays(-2).ToString("O"))}")).StatusCode.Should().Be(HttpStatusCode.NotFound);
    }
}

public sealed class ProfileAsOfTestsOnSqlite(SqliteLrs lrs) : ProfileAsOfTests(lrs), IClassFixture<SqliteLrs>;

public sealed class ProfileAsOfTestsOnPostgres(PostgresLrs lrs) : ProfileAsOfTests(lrs), IClassFixture<PostgresLrs>;
