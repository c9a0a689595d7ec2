using System.Net;
using System.Text.Json.Nodes;
using Lrs.Api.Tests.Infrastructure;
using static Lrs.Api.Tests.Infrastructure.Xapi;

namespace Lrs.Api.Tests;

public abstract class VoidingTests(LrsFixture lrs)
{
    private readonly HttpClient _client = lrs.Client();

    [Fact]
    public async Task A_voided_statement_leaves_every_list_and_is_fetched_only_by_voidedStatementId()
    {
        var actor = NewAgent();
        var target = (await _client.PostAsync(Statement(actor)))[0];
        var voiding = (await _client.PostAsync(Voiding(target, actor)))[0];

        (await _client.GetAsync($"/xapi/statements?statementId={target}")).StatusCode.Should().Be(HttpStatusCode.NotFound);
        var (response, body) = await _client.GetJsonAsync($"/xapi/statements?voidedStatementId={target}");
        response.StatusCode.Should().Be(HttpStatusCode.OK);
        body!["id"]!.GetValue<string>().Should().Be(target);

        var listed = (await _client.GetAllAsync($"/xapi/statements?agent={Q(actor)}")).Select(s => s["id"]!.GetValue<string>()).ToList();
        listed.Should().Equal([voiding], "voided statements leave lists; the voiding one stays (XAPI-00018)");
    }

    [Fact]
    public async Task VoidedStatementId_of_a_statement_that_is_not_voided_is_404()
    {
        var id = (await _client.PostAsync(Statement()))[0];
        (await _client.GetAsync($"/xapi/statements?voidedStatementId={id}")).StatusCode.Should().Be(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task A_voiding_statement_that_arrives_before_its_target_voids_it_on_arrival()
    {
        var targetId = Guid.NewGuid().ToString();
        await _client.PostAsync(Voiding(targetId));
        await _client.PostAsync(Statement(id: targetId));

        (await _client.GetAsync($"/xapi/statements?statementId={targetId}")).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await _client.GetAsync($"/xapi/statements?voidedStatementId={targetId}")).StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task A_statement_and_its_voiding_in_one_batch_leave_it_voided()
    {
        var targetId = Guid.NewGuid().ToString();
        await _client.PostAsync(Statement(id: targetId), Voiding(targetId));
        (await _client.GetAsync($"/xapi/statements?voidedStatementId={targetId}")).StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task A_voiding_statement_cannot_be_voided()
    {
        var target = (await _client.PostAsync(Statement()))[0];
        var voiding = (await _client.PostAsync(Voiding(target)))[0];
        await _client.PostAsync(Voiding(voiding));

        (await _client.GetAsync($"/xapi/statements?statementId={voiding}")).StatusCode.Should().Be(HttpStatusCode.OK, "XAPI-00016: voiding a voiding statement has no effect");
        (await _client.GetAsync($"/xapi/statements?voidedStatementId={target}")).StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Filters_also_return_statements_that_reference_a_match_but_time_filters_apply_to_the_referrer()
    {
        var activity = NewActivityId();
        var learner = NewAgent();
        var supervisor = NewAgent("Supervisor");
        var practical = (await _client.PostAsync(Statement(learner, Passed, activity)))[0];
        var signOff = new JsonObject
        {
            ["actor"] = supervisor,
            ["verb"] = new JsonObject { ["id"] = "https://w3id.org/xapi/tla/verbs/verified" },
            ["object"] = new JsonObject { ["objectType"] = "StatementRef", ["id"] = practical },
        };
        var signOffId = (await _client.PostAsync(signOff))[0];

        var byActivity = (await _client.GetAllAsync($"/xapi/statements?activity={Uri.EscapeDataString(activity)}")).Select(s => s["id"]!.GetValue<string>());
        byActivity.Should().BeEquivalentTo([practical, signOffId], "the StatementRef rule (Communication 2.1.3)");

        var byLearnerAndVerb = (await _client.GetAllAsync($"/xapi/statements?agent={Q(learner)}&verb={Uri.EscapeDataString(Passed)}")).Select(s => s["id"]!.GetValue<string>());
        byLearnerAndVerb.Should().BeEquivalentTo([practical, signOffId]);

        // Mixed: the supervisor's own verb with the learner's activity matches neither statement as a whole.
        var mixed = await _client.GetAllAsync($"/xapi/statements?activity={Uri.EscapeDataString(activity)}&verb={Uri.EscapeDataString("https://w3id.org/xapi/tla/verbs/verified")}");
        mixed.Should().BeEmpty();

        var (_, practicalBody) = await _client.GetJsonAsync($"/xapi/statements?statementId={practical}");
        var since = Uri.EscapeDataString(practicalBody!["stored"]!.GetValue<string>());
        (await _client.GetAllAsync($"/xapi/statements?activity={Uri.EscapeDataString(activity)}&since={since}")).Select(s => s["id"]!.GetValue<string>())
            .Should().Equal([signOffId], "since applies to the referencing statement itself");
    }

    [Fact]
    public async Task A_reference_stored_before_its_target_is_found_once_the_target_arrives()
    {
        var activity = NewActivityId();
        var targetId = Guid.NewGuid().ToString();
        var referrer = new JsonObject
        {
            ["actor"] = NewAgent(),
            ["verb"] = new JsonObject { ["id"] = "https://w3id.org/xapi/tla/verbs/verified" },
            ["object"] = new JsonObject { ["objectType"] = "StatementRef", ["id"] = targetId },
        };
        var referrerId = (await _client.PostAsync(referrer))[0];
        await _client.PostAsync(Statement(activity: activity, id: targetId));

        (await _client.GetAllAsync($"/xapi/statements?activity={Uri.EscapeDataString(activity)}")).Select(s => s["id"]!.GetValue<string>())
            .Should().BeEquivalentTo([targetId, referrerId]);
    }

    [Fact]
    public async Task A_voiding_statement_is_found_by_the_voided_statements_activity()
    {
        var activity = NewActivityId();
        var target = (await _client.PostAsync(Statement(activity: activity)))[0];
        var voiding = (await _client.PostAsync(Voiding(target)))[0];

        (await _client.GetAllAsync($"/xapi/statements?activity={Uri.EscapeDataString(activity)}")).Select(s => s["id"]!.GetValue<string>())
            .Should().Equal([voiding]);
    }
}

public sealed class VoidingTestsOnSqlite(SqliteLrs lrs) : VoidingTests(lrs), IClassFixture<SqliteLrs>;
public sealed class VoidingTestsOnPostgres(PostgresLrs lrs) : VoidingTests(lrs), IClassFixture<PostgresLrs>;
