using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Lrs.Api.Tests.Infrastructure;
using static Lrs.Api.Tests.Infrastructure.Xapi;

namespace Lrs.Api.Tests;

public abstract class StatementQueryTests(LrsFixture lrs)
{
    private readonly HttpClient _client = lrs.Client();

    private static List<string> Ids(IEnumerable<JsonObject> statements) => [.. statements.Select(s => s["id"]!.GetValue<string>())];

    [Fact]
    public async Task Agent_filter_matches_actor_object_and_group_members_but_not_other_people()
    {
        var anna = NewAgent("Anna");
        var asActor = await _client.PostAsync(Statement(anna));
        var asObject = Statement();
        asObject["object"] = anna.DeepClone();
        var objectIds = await _client.PostAsync(asObject);
        var inGroup = Statement(new JsonObject { ["objectType"] = "Group", ["member"] = new JsonArray(anna.DeepClone(), NewAgent()) });
        var groupIds = await _client.PostAsync(inGroup);
        await _client.PostAsync(Statement());

        var found = await _client.GetAllAsync($"/xapi/statements?agent={Q(anna)}");
        Ids(found).Should().BeEquivalentTo([asActor[0], objectIds[0], groupIds[0]]);
    }

    [Fact]
    public async Task An_agent_of_two_tenants_is_found_in_each_only_with_its_own_statements()
    {
        // The same person in two tenants: each tenant's pages of her, first and next, hold only that tenant's statements (on
        // PostgreSQL in one pass as well, where the tenant is checked on the rows the GIN index gives).
        var anna = NewAgent("Anna");
        var tenants = new[] { "q-" + Guid.NewGuid().ToString("N")[..10], "q-" + Guid.NewGuid().ToString("N")[..10] };
        var clients = new List<HttpClient>();
        var ids = new List<List<string>>();
        foreach (var tenant in tenants)
        {
            var client = await lrs.ClientWithScopesAsync("all", "1.0.3", tenant);
            var own = new List<string>();
            for (var i = 0; i < 3; i++) own.AddRange(await client.PostAsync(Statement(anna)));
            clients.Add(client);
            ids.Add(own);
        }

        for (var t = 0; t < tenants.Length; t++)
        {
            Ids(await clients[t].GetAllAsync($"/xapi/statements?agent={Q(anna)}&limit=2")).Should().BeEquivalentTo(ids[t]);
            Ids(await clients[t].GetAllAsync($"/xapi/statements?agent={Q(anna)}&since=2000-01-01T00:00:00Z&limit=2")).Should().BeEquivalentTo(ids[t]);
        }
    }

    [Fact]
    public async Task Related_agents_widens_the_agent_filter_to_instructor_team_and_authority()
    {
        var trainer = NewAgent("Trainer");
        var statement = Statement();
        statement["context"] = new JsonObject { ["instructor"] = trainer.DeepClone() };
        var ids = await _client.PostAsync(statement);

        Ids(await _client.GetAllAsync($"/xapi/statements?agent={Q(trainer)}")).Should().BeEmpty();
        Ids(await _client.GetAllAsync($"/xapi/statements?agent={Q(trainer)}&related_agents=true")).Should().Equal(ids);
    }

    [Fact]
    public async Task Related_agents_and_activities_still_find_the_actor_the_object_and_the_authority()
    {
        // The actor, an agent object and the authority are indexed only under their own kinds; the object activity likewise.
        var anna = NewAgent("Anna");
        var activity = NewActivityId();
        var asActor = Statement(anna, Passed, activity);
        asActor["context"] = new JsonObject { ["contextActivities"] = new JsonObject { ["grouping"] = new JsonArray(new JsonObject { ["id"] = activity }) } };
        var actorIds = await _client.PostAsync(asActor);
        var asObject = Statement();
        asObject["object"] = anna.DeepClone();
        var objectIds = await _client.PostAsync(asObject);

        Ids(await _client.GetAllAsync($"/xapi/statements?agent={Q(anna)}&related_agents=true")).Should().BeEquivalentTo([actorIds[0], objectIds[0]]);
        Ids(await _client.GetAllAsync($"/xapi/statements?activity={Uri.EscapeDataString(activity)}&related_activities=true")).Should().Equal(actorIds);
        // Both widened at once: each matches under a different kind of key of the same statement.
        Ids(await _client.GetAllAsync($"/xapi/statements?agent={Q(anna)}&related_agents=true&activity={Uri.EscapeDataString(activity)}&related_activities=true"))
            .Should().Equal(actorIds);

        var authority = (await _client.GetFromJsonAsync<JsonObject>($"/xapi/statements?statementId={actorIds[0]}"))!["authority"]!.AsObject();
        var byAuthority = Ids(await _client.GetAllAsync($"/xapi/statements?agent={Q(authority)}&related_agents=true&activity={Uri.EscapeDataString(activity)}&related_activities=true"));
        byAuthority.Should().Equal(actorIds);
        Ids(await _client.GetAllAsync($"/xapi/statements?agent={Q(authority)}&activity={Uri.EscapeDataString(activity)}")).Should().BeEmpty(
            "the authority is neither actor nor object");
    }

    [Fact]
    public async Task Verb_activity_and_registration_filters_combine()
    {
        var actor = NewAgent();
        var activity = NewActivityId();
        var registration = Guid.NewGuid();
        var match = await _client.PostAsync(Statement(actor, Passed, activity, registration));
        await _client.PostAsync(Statement(actor, Completed, activity, registration));
        await _client.PostAsync(Statement(actor, Passed, NewActivityId(), registration));
        await _client.PostAsync(Statement(actor, Passed, activity, Guid.NewGuid()));

        var found = await _client.GetAllAsync($"/xapi/statements?agent={Q(actor)}&verb={Uri.EscapeDataString(Passed)}&activity={Uri.EscapeDataString(activity)}&registration={registration}");
        Ids(found).Should().Equal(match);
    }

    [Fact]
    public async Task Related_activities_matches_context_activities()
    {
        var course = NewActivityId();
        var statement = Statement();
        statement["context"] = new JsonObject { ["contextActivities"] = new JsonObject { ["parent"] = new JsonArray(new JsonObject { ["id"] = course }) } };
        var ids = await _client.PostAsync(statement);

        Ids(await _client.GetAllAsync($"/xapi/statements?activity={Uri.EscapeDataString(course)}")).Should().BeEmpty();
        Ids(await _client.GetAllAsync($"/xapi/statements?activity={Uri.EscapeDataString(course)}&related_activities=true")).Should().Equal(ids);
    }

    [Fact]
    public async Task Statements_come_newest_first_and_ascending_reverses_the_order()
    {
        var actor = NewAgent();
        var ids = new List<string>();
        for (var i = 0; i < 4; i++) ids.AddRange(await _client.PostAsync(Statement(actor)));

        Ids(await _client.GetAllAsync($"/xapi/statements?agent={Q(actor)}")).Should().Equal(Enumerable.Reverse(ids));
        Ids(await _client.GetAllAsync($"/xapi/statements?agent={Q(actor)}&ascending=true")).Should().Equal(ids);
    }

    [Fact]
    public async Task Limit_pages_through_everything_with_more_links_without_repeats_or_gaps()
    {
        var actor = NewAgent();
        var ids = new List<string>();
        ids.AddRange(await _client.PostAsync([.. Enumerable.Range(0, 7).Select(_ => (JsonNode)Statement(actor))]));
        ids.AddRange(await _client.PostAsync(Statement(actor)));

        var (first, body) = await _client.GetJsonAsync($"/xapi/statements?agent={Q(actor)}&limit=3");
        first.StatusCode.Should().Be(HttpStatusCode.OK);
        var more = body!["more"]!.GetValue<string>();
        more.Should().StartWith("/xapi/statements?more=", "more is a relative IRL");

        var all = await _client.GetAllAsync($"/xapi/statements?agent={Q(actor)}&limit=3&ascending=true");
        Ids(all).Should().Equal(ids);
    }

    [Fact]
    public async Task A_key_of_few_statements_and_a_key_of_many_page_alike_in_stored_order()
    {
        // SQLite reads the statements of a key with fewer than 1,000 index rows first, and walks the tenant against the list of
        // a more frequent key's: the verb here has 1,201 statements, Anna 13, one of them also inheriting her from its target.
        var verb = "https://lrs.example/verbs/" + Guid.NewGuid().ToString("N");
        var anna = NewAgent("Anna");
        var (all, annas) = (new List<string>(), new List<string>());
        for (var batch = 0; batch < 12; batch++)
        {
            var ids = await _client.PostAsync([.. Enumerable.Range(0, 100).Select(i => (JsonNode)Statement(i == 7 ? anna : NewAgent(), verb))]);
            all.AddRange(ids);
            annas.Add(ids[7]);
        }
        var signoff = Statement(anna, verb);
        signoff["object"] = new JsonObject { ["objectType"] = "StatementRef", ["id"] = annas[3] };
        var signed = await _client.PostAsync(signoff);
        all.AddRange(signed);
        annas.AddRange(signed);
        await _client.PostAsync(Statement(anna));

        var byVerb = Uri.EscapeDataString(verb);
        Ids(await _client.GetAllAsync($"/xapi/statements?verb={byVerb}&limit=100")).Should().Equal(Enumerable.Reverse(all));
        Ids(await _client.GetAllAsync($"/xapi/statements?verb={byVerb}&limit=250&ascending=true")).Should().Equal(all);
        Ids(await _client.GetAllAsync($"/xapi/statements?agent={Q(anna)}&verb={byVerb}&limit=5")).Should().Equal(Enumerable.Reverse(annas));
        Ids(await _client.GetAllAsync($"/xapi/statements?verb={byVerb}&agent={Q(anna)}&limit=4&ascending=true")).Should().Equal(annas);
        Ids(await _client.GetAllAsync($"/xapi/statements?agent={Q(anna)}&limit=3")).Should().HaveCount(annas.Count + 1).And.OnlyHaveUniqueItems();
        // Two keys of many statements each (the authority is on every statement of this credential): the list made from either.
        var authority = (await _client.GetFromJsonAsync<JsonObject>($"/xapi/statements?statementId={all[0]}"))!["authority"]!.AsObject();
        Ids(await _client.GetAllAsync($"/xapi/statements?agent={Q(authority)}&related_agents=true&verb={byVerb}&limit=250")).Should().Equal(Enumerable.Reverse(all));
    }

    [Fact]
    public async Task Paging_never_repeats_or_skips_while_statements_are_being_written()
    {
        var actor = NewAgent();
        var before = new List<string>();
        for (var i = 0; i < 5; i++) before.AddRange(await _client.PostAsync([.. Enumerable.Range(0, 4).Select(_ => (JsonNode)Statement(actor))]));

        using var stop = new CancellationTokenSource();
        var writer = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested) await lrs.Client().PostAsync(Statement(actor), Statement(actor));
        });
        var seen = new List<string>();
        foreach (var ascending in new[] { false, true })
        {
            seen.Clear();
            for (var next = $"/xapi/statements?agent={Q(actor)}&limit=3&ascending={(ascending ? "true" : "false")}"; !string.IsNullOrEmpty(next);)
            {
                var (_, body) = await _client.GetJsonAsync(next);
                seen.AddRange(body!["statements"]!.AsArray().Select(s => s!["id"]!.GetValue<string>()));
                next = body["more"]!.GetValue<string>();
                await _client.PostAsync(Statement(actor));
            }
            seen.Should().OnlyHaveUniqueItems();
            seen.Should().Contain(before, "everything stored before the first page is in the result");
        }
        stop.Cancel();
        await writer;
    }

    [Fact]
    public async Task Since_is_exclusive_and_until_inclusive_on_stored()
    {
        var actor = NewAgent();
        var first = await _client.PostAsync(Statement(actor));
        await Task.Delay(5);
        var second = await _client.PostAsync(Statement(actor));
        var (_, s1) = await _client.GetJsonAsync($"/xapi/statements?statementId={first[0]}");
        var (_, s2) = await _client.GetJsonAsync($"/xapi/statements?statementId={second[0]}");
        var stored1 = Uri.EscapeDataString(s1!["stored"]!.GetValue<string>());
        var stored2 = Uri.EscapeDataString(s2!["stored"]!.GetValue<string>());

        Ids(await _client.GetAllAsync($"/xapi/statements?agent={Q(actor)}&since={stored1}")).Should().Equal(second);
        Ids(await _client.GetAllAsync($"/xapi/statements?agent={Q(actor)}&until={stored1}")).Should().Equal(first);
        Ids(await _client.GetAllAsync($"/xapi/statements?agent={Q(actor)}&since={stored1}&until={stored2}")).Should().Equal(second);
    }

    [Fact]
    public async Task No_match_is_200_with_an_empty_list()
    {
        var (response, body) = await _client.GetJsonAsync($"/xapi/statements?agent={Q(NewAgent())}");
        response.StatusCode.Should().Be(HttpStatusCode.OK);
        body!["statements"]!.AsArray().Should().BeEmpty();
        body["more"]!.GetValue<string>().Should().BeEmpty();
    }

    [Theory]
    [InlineData("Limit=1")]
    [InlineData("VERB=http%3A%2F%2Fadlnet.gov%2Fexpapi%2Fverbs%2Fcompleted")]
    [InlineData("foo=bar")]
    [InlineData("limit=-1")]
    [InlineData("limit=ten")]
    [InlineData("ascending=yes")]
    [InlineData("format=full")]
    [InlineData("registration=not-a-uuid")]
    [InlineData("verb=not%20an%20iri")]
    [InlineData("since=yesterday")]
    [InlineData("agent=%7B%22name%22%3A%22no%20ifi%22%7D")]
    [InlineData("agent=not-json")]
    [InlineData("statementId=00000000-0000-4000-8000-000000000000&voidedStatementId=00000000-0000-4000-8000-000000000000")]
    [InlineData("statementId=00000000-0000-4000-8000-000000000000&verb=http%3A%2F%2Fadlnet.gov%2Fexpapi%2Fverbs%2Fcompleted")]
    [InlineData("more=garbage")]
    public async Task Bad_query_parameters_are_400(string query)
    {
        var (response, body) = await _client.GetJsonAsync("/xapi/statements?" + query);
        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        body!["message"]!.GetValue<string>().Should().NotBeNullOrEmpty();
    }

    [Fact]
    public async Task Format_ids_keeps_only_identifiers()
    {
        var actor = NewAgent("Anna Andersson");
        var ids = await _client.PostAsync(Statement(actor));
        var (_, body) = await _client.GetJsonAsync($"/xapi/statements?statementId={ids[0]}&format=ids");

        body!["actor"]!["name"].Should().BeNull();
        body["actor"]!["account"].Should().NotBeNull();
        body["verb"]!["display"].Should().BeNull();
        body["object"]!.AsObject().Select(p => p.Key).Should().Equal(["id"], "XAPI-00171: an activity is identified by its id alone");
    }

    [Fact]
    public async Task Format_canonical_returns_one_language_chosen_by_Accept_Language()
    {
        var ids = await _client.PostAsync(Statement());
        var request = new HttpRequestMessage(HttpMethod.Get, $"/xapi/statements?statementId={ids[0]}&format=canonical");
        request.Headers.AcceptLanguage.ParseAdd("sv-SE, en;q=0.5");
        var response = await _client.SendAsync(request);
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;

        body["object"]!["definition"]!["name"]!.AsObject().Select(p => p.Key).Should().Equal("sv-SE");
        body["verb"]!["display"]!.AsObject().Select(p => p.Key).Should().Equal("sv-SE");
    }

    [Fact]
    public async Task Head_answers_the_headers_of_a_get_without_a_body()
    {
        var ids = await _client.PostAsync(Statement());
        var response = await _client.SendAsync(new HttpRequestMessage(HttpMethod.Head, $"/xapi/statements?statementId={ids[0]}"));
        response.StatusCode.Should().Be(HttpStatusCode.OK);
        (await response.Content.ReadAsByteArrayAsync()).Should().BeEmpty();
        response.Header("X-Experience-API-Consistent-Through").Should().NotBeNull();
        response.Content.Headers.LastModified.Should().NotBeNull();
    }

    [Fact]
    public async Task Attachments_true_answers_multipart_with_the_statements_first()
    {
        var ids = await _client.PostAsync(Statement());
        var response = await _client.GetAsync($"/xapi/statements?statementId={ids[0]}&attachments=true");
        response.Content.Headers.ContentType!.MediaType.Should().Be("multipart/mixed");
        (await response.Content.ReadAsStringAsync()).Should().Contain(ids[0]);
    }
}

/// <summary>PostgreSQL: every statement query chooses its page first and reads only its rows, whatever the statistics say.</summary>
public sealed class PageFirstReads : ILrsVariant
{
    public static IReadOnlyDictionary<string, string?> Settings { get; } = new Dictionary<string, string?> { ["Lrs:Storage:RareKeyStatements"] = "0" };
}

/// <summary>
/// PostgreSQL: every statement query with a key other than the object activity reads that key's statements whole in one pass,
/// once the table is analysed: any key is rare by this bound, and the statistics are read again at every query.
/// </summary>
public sealed class OnePassReads : ILrsVariant
{
    public static IReadOnlyDictionary<string, string?> Settings { get; } = new Dictionary<string, string?>
    {
        ["Lrs:Storage:RareKeyStatements"] = int.MaxValue.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Lrs:Storage:KeyStatisticsSeconds"] = "0",
    };
}

public sealed class StatementQueryTestsOnSqlite(SqliteLrs lrs) : StatementQueryTests(lrs), IClassFixture<SqliteLrs>;
public sealed class StatementQueryTestsOnPostgres(PostgresLrs<PageFirstReads> lrs) : StatementQueryTests(lrs), IClassFixture<PostgresLrs<PageFirstReads>>;

public sealed class StatementQueryTestsOnPostgresInOnePass : StatementQueryTests, IClassFixture<PostgresLrs<OnePassReads>>
{
    public StatementQueryTestsOnPostgresInOnePass(PostgresLrs<OnePassReads> lrs) : base(lrs) => PostgresServer.AnalyseStatements(lrs.StoreConnectionString);
}
