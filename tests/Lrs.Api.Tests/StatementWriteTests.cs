using System.Net;
using System.Text.Json.Nodes;
using Lrs.Api.Tests.Infrastructure;
using static Lrs.Api.Tests.Infrastructure.Xapi;

namespace Lrs.Api.Tests;

public abstract class StatementWriteTests(LrsFixture lrs)
{
    private readonly HttpClient _client = lrs.Client();

    [Fact]
    public async Task Posted_statement_is_returned_with_the_properties_the_LRS_sets()
    {
        var actor = NewAgent();
        var before = DateTimeOffset.UtcNow.AddSeconds(-1);
        var ids = await _client.PostAsync(Statement(actor));

        ids.Should().ContainSingle();
        Guid.TryParse(ids[0], out _).Should().BeTrue("the LRS generates a UUID when the statement has no id (XAPI-00029)");
        var (response, body) = await _client.GetJsonAsync($"/xapi/statements?statementId={ids[0]}");
        response.StatusCode.Should().Be(HttpStatusCode.OK);
        var stored = DateTimeOffset.Parse(body!["stored"]!.GetValue<string>());
        stored.Should().BeAfter(before).And.BeBefore(DateTimeOffset.UtcNow.AddSeconds(1));
        body["timestamp"]!.GetValue<string>().Should().Be(body["stored"]!.GetValue<string>(), "timestamp defaults to stored");
        body["version"]!.GetValue<string>().Should().Be("1.0.0");
        body["authority"]!["account"]!["name"]!.GetValue<string>().Should().Be(LrsFixture.Key, "the authority comes from the credential");
        body["actor"]!["account"]!["name"]!.GetValue<string>().Should().Be(actor["account"]!["name"]!.GetValue<string>());
        response.Content.Headers.LastModified.Should().NotBeNull();
    }

    [Fact]
    public async Task Text_outside_ASCII_and_text_that_JSON_escapes_come_back_as_sent()
    {
        const string name = "Åsa Öberg-Näslund 😀 <b>&'\"\\ \u0001 \u2028";
        var actor = NewAgent();
        actor["name"] = name;
        var ids = await _client.PostAsync(Statement(actor));
        // The statement alone, and in a page of the actor's statements: each written out from the text as stored.
        var single = await (await _client.GetAsync($"/xapi/statements?statementId={ids[0]}")).Content.ReadAsStringAsync();
        var page = await (await _client.GetAsync($"/xapi/statements?agent={Uri.EscapeDataString(actor.ToJsonString())}")).Content.ReadAsStringAsync();
        JsonNode.Parse(single)!["actor"]!["name"]!.GetValue<string>().Should().Be(name);
        JsonNode.Parse(page)!["statements"]!.AsArray().Single()!["actor"]!["name"]!.GetValue<string>().Should().Be(name);
        single.Should().Contain("Åsa Öberg-Näslund", "letters outside ASCII are stored as they are, not as \\u escapes");
        page.Should().Contain("Åsa Öberg-Näslund");
    }

    [Fact]
    public async Task Version_2_statements_get_version_2_0_0()
    {
        var client = lrs.Client("2.0.0");
        var ids = await client.PostAsync(Statement());
        var (_, body) = await client.GetJsonAsync($"/xapi/statements?statementId={ids[0]}");
        body!["version"]!.GetValue<string>().Should().Be("2.0.0");
    }

    [Fact]
    public async Task An_authority_sent_by_the_client_is_replaced_by_the_credentials()
    {
        var statement = Statement();
        statement["authority"] = new JsonObject { ["objectType"] = "Agent", ["mbox"] = "mailto:impostor@example.com" };
        var ids = await _client.PostAsync(statement);
        var (_, body) = await _client.GetJsonAsync($"/xapi/statements?statementId={ids[0]}");
        body!["authority"]!["account"]!["name"]!.GetValue<string>().Should().Be(LrsFixture.Key);
    }

    [Fact]
    public async Task A_batch_returns_ids_in_the_order_sent()
    {
        var given = Guid.NewGuid().ToString();
        var ids = await _client.PostAsync(Statement(), Statement(id: given), Statement());
        ids.Should().HaveCount(3);
        ids[1].Should().Be(given);
        ids.Distinct().Should().HaveCount(3);
    }

    [Fact]
    public async Task Put_with_statementId_stores_and_answers_204()
    {
        var id = Guid.NewGuid().ToString();
        var response = await _client.PutAsync($"/xapi/statements?statementId={id}", Json(Statement()));
        response.StatusCode.Should().Be(HttpStatusCode.NoContent);
        (await _client.GetAsync($"/xapi/statements?statementId={id}")).StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Put_without_statementId_is_400()
    {
        var response = await _client.PutAsync("/xapi/statements", Json(Statement()));
        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Put_whose_body_id_differs_from_the_parameter_is_400_and_stores_nothing()
    {
        var id = Guid.NewGuid().ToString();
        var response = await _client.PutAsync($"/xapi/statements?statementId={id}", Json(Statement(id: Guid.NewGuid().ToString())));
        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await _client.GetAsync($"/xapi/statements?statementId={id}")).StatusCode.Should().Be(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Put_with_same_id_and_same_body_succeeds_without_change()
    {
        var id = Guid.NewGuid().ToString();
        var statement = Statement(id: id);
        (await _client.PutAsync($"/xapi/statements?statementId={id}", Json(statement))).StatusCode.Should().Be(HttpStatusCode.NoContent);
        var (_, first) = await _client.GetJsonAsync($"/xapi/statements?statementId={id}");

        // The same statement with members reordered and display changed is still the same (Data 2.3.1 comparison rules).
        var again = Statement(actor: statement["actor"]!.AsObject(), activity: statement["object"]!["id"]!.GetValue<string>(), id: id);
        again["verb"]!["display"] = new JsonObject { ["en-GB"] = "finished" };
        (await _client.PutAsync($"/xapi/statements?statementId={id}", Json(again))).StatusCode.Should().Be(HttpStatusCode.NoContent);
        (await _client.PostAsync("/xapi/statements", Json(statement))).StatusCode.Should().Be(HttpStatusCode.OK);

        var (_, second) = await _client.GetJsonAsync($"/xapi/statements?statementId={id}");
        second!.ToJsonString().Should().Be(first!.ToJsonString(), "a duplicate never modifies the stored statement");
    }

    [Fact]
    public async Task Put_with_same_id_and_different_body_returns_409()
    {
        var id = Guid.NewGuid().ToString();
        (await _client.PutAsync($"/xapi/statements?statementId={id}", Json(Statement(id: id)))).EnsureSuccessStatusCode();
        var (_, first) = await _client.GetJsonAsync($"/xapi/statements?statementId={id}");

        var response = await _client.PutAsync($"/xapi/statements?statementId={id}", Json(Statement(id: id, verb: Passed)));
        response.StatusCode.Should().Be(HttpStatusCode.Conflict);
        var (_, after) = await _client.GetJsonAsync($"/xapi/statements?statementId={id}");
        after!.ToJsonString().Should().Be(first!.ToJsonString());
    }

    [Fact]
    public async Task A_batch_with_a_conflicting_duplicate_stores_nothing()
    {
        var id = Guid.NewGuid().ToString();
        await _client.PostAsync(Statement(id: id));
        var fresh = Guid.NewGuid().ToString();
        var body = new JsonArray(Statement(id: fresh), Statement(id: id, verb: Passed));

        (await _client.PostAsync("/xapi/statements", Json(body))).StatusCode.Should().Be(HttpStatusCode.Conflict);
        (await _client.GetAsync($"/xapi/statements?statementId={fresh}")).StatusCode.Should().Be(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task The_same_id_twice_in_one_batch_is_400_and_stores_nothing()
    {
        var id = Guid.NewGuid().ToString();
        var response = await _client.PostAsync("/xapi/statements", Json(new JsonArray(Statement(id: id), Statement(id: id))));
        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await _client.GetAsync($"/xapi/statements?statementId={id}")).StatusCode.Should().Be(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task One_invalid_statement_rejects_the_whole_batch_and_every_error_is_reported()
    {
        var good = Guid.NewGuid().ToString();
        var noVerb = Statement();
        noVerb.Remove("verb");
        var noActor = Statement();
        noActor.Remove("actor");
        var response = await _client.PostAsync("/xapi/statements", Json(new JsonArray(Statement(id: good), noVerb, noActor)));

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        var paths = body["errors"]!.AsArray().Select(e => e!["path"]!.GetValue<string>()).ToList();
        paths.Should().Contain(p => p.StartsWith("$[1]")).And.Contain(p => p.StartsWith("$[2]"));
        (await _client.GetAsync($"/xapi/statements?statementId={good}")).StatusCode.Should().Be(HttpStatusCode.NotFound, "XAPI-00326: nothing of a rejected batch is stored");
    }

    [Theory]
    [InlineData("{")]
    [InlineData("null")]
    [InlineData("42")]
    [InlineData("\"statement\"")]
    [InlineData("{\"actor\":{\"mbox\":\"mailto:a@example.com\"},\"actor\":{\"mbox\":\"mailto:b@example.com\"},\"verb\":{\"id\":\"http://adlnet.gov/expapi/verbs/completed\"},\"object\":{\"id\":\"http://example.com/a\"}}")]
    public async Task A_body_that_is_not_a_statement_is_400(string body)
    {
        var response = await _client.PostAsync("/xapi/statements", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));
        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        JsonNode.Parse(await response.Content.ReadAsStringAsync())!["message"].Should().NotBeNull();
    }

    [Fact]
    public async Task A_statement_sent_as_text_plain_is_400()
    {
        var response = await _client.PostAsync("/xapi/statements", new StringContent(Statement().ToJsonString(), System.Text.Encoding.UTF8, "text/plain"));
        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task An_attachment_without_fileUrl_over_application_json_is_400()
    {
        var statement = Statement();
        statement["attachments"] = new JsonArray(new JsonObject
        {
            ["usageType"] = "http://id.tincanapi.com/attachment/certificate-of-completion",
            ["display"] = new JsonObject { ["sv-SE"] = "Intyg" },
            ["contentType"] = "application/pdf",
            ["length"] = 1234,
            ["sha2"] = new string('a', 64),
        });
        var response = await _client.PostAsync("/xapi/statements", Json(statement));
        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await response.Content.ReadAsStringAsync()).Should().Contain("fileUrl");

        statement["attachments"]![0]!["fileUrl"] = "https://lrs.example/certificates/1.pdf";
        (await _client.PostAsync("/xapi/statements", Json(statement))).StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task ContextActivities_given_as_objects_are_returned_as_arrays()
    {
        var statement = Statement();
        statement["context"] = new JsonObject
        {
            ["contextActivities"] = new JsonObject { ["parent"] = new JsonObject { ["id"] = NewActivityId() } },
        };
        var ids = await _client.PostAsync(statement);
        var (_, body) = await _client.GetJsonAsync($"/xapi/statements?statementId={ids[0]}");
        body!["context"]!["contextActivities"]!["parent"].Should().BeOfType<JsonArray>();
    }

    [Fact]
    public async Task Under_2_0_a_timestamp_with_an_offset_is_returned_in_UTC()
    {
        var client = lrs.Client("2.0.0");
        var statement = Statement();
        statement["timestamp"] = "2026-03-01T10:15:30.123+01:00";
        var ids = await client.PostAsync(statement);
        var (_, body) = await client.GetJsonAsync($"/xapi/statements?statementId={ids[0]}");
        var timestamp = body!["timestamp"]!.GetValue<string>();
        timestamp.Should().EndWith("Z");
        DateTimeOffset.Parse(timestamp).Should().Be(DateTimeOffset.Parse("2026-03-01T09:15:30.123Z"));
    }

    [Fact]
    public async Task Every_statements_response_carries_consistent_through_errors_included()
    {
        var ok = await _client.GetAsync("/xapi/statements?limit=1");
        var bad = await _client.GetAsync("/xapi/statements?Limit=1");
        var post = await _client.PostAsync("/xapi/statements", Json(Statement()));
        foreach (var response in new[] { ok, bad, post })
            DateTimeOffset.TryParse(response.Header("X-Experience-API-Consistent-Through"), out _).Should().BeTrue();
        bad.StatusCode.Should().Be(HttpStatusCode.BadRequest);
    }
}

public sealed class StatementWriteTestsOnSqlite(SqliteLrs lrs) : StatementWriteTests(lrs), IClassFixture<SqliteLrs>;
public sealed class StatementWriteTestsOnPostgres(PostgresLrs lrs) : StatementWriteTests(lrs), IClassFixture<PostgresLrs>;
