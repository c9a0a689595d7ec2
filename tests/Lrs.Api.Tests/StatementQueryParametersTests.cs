using Lrs.Api.Xapi;
using Lrs.Core.Xapi;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;

namespace Lrs.Api.Tests;

/// <summary>
/// The query parameters of GET /xapi/statements (Communication 2.1.3), parsed once for every query: each parameter,
/// each message of a 400. Over HTTP, StatementQueryTests and the ADL suite check what the parsed query finds.
/// </summary>
public sealed class StatementQueryParametersTests
{
    private const int MaxPageSize = 500;
    private const string Agent = """{"mbox":"mailto:anna.berg@solna.se"}""";

    private static (StatementQueryParameters? Parameters, StatementQueryError? Error) Parse(string query, XapiVersion version = XapiVersion.V103) =>
        StatementQueryParameters.Parse(new QueryCollection(QueryHelpers.ParseQuery(query)), version, MaxPageSize);

    private static string Q(string value) => Uri.EscapeDataString(value);

    [Fact]
    public void Without_parameters_the_query_is_everything_newest_first_exact_without_attachments_in_the_largest_pages()
    {
        var (parameters, error) = Parse("");
        error.Should().BeNull();
        parameters.Should().Be(new StatementQueryParameters { Limit = MaxPageSize });
        parameters!.IndexKeys.Should().BeEmpty();
    }

    [Fact]
    public void Every_parameter_is_read_into_the_query()
    {
        var registration = Guid.NewGuid();
        var (parameters, error) = Parse($"?agent={Q(Agent)}&verb={Q("http://adlnet.gov/expapi/verbs/completed")}&activity={Q("https://kurser.solna.se/basal-hygien")}" +
            $"&registration={registration:N}&since=2026-01-01T00:00:00Z&until={Q("2026-06-30T12:00:00.5+02:00")}&limit=25&format=ids&attachments=true&ascending=true");
        error.Should().BeNull();
        parameters.Should().Be(new StatementQueryParameters
        {
            Agent = AgentKey.Of(System.Text.Json.Nodes.JsonNode.Parse(Agent)),
            Verb = "http://adlnet.gov/expapi/verbs/completed",
            Activity = "https://kurser.solna.se/basal-hygien",
            Registration = registration,
            Since = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero),
            Until = new DateTimeOffset(2026, 6, 30, 12, 0, 0, 500, TimeSpan.FromHours(2)),
            Limit = 25,
            Format = "ids",
            Attachments = true,
            Ascending = true,
        });
        parameters!.Agent.Should().NotBeNull();
        parameters.IndexKeys.Should().Equal(
            StatementIndex.Agent + parameters.Agent, StatementIndex.Verb + "http://adlnet.gov/expapi/verbs/completed",
            StatementIndex.Activity + "https://kurser.solna.se/basal-hygien", StatementIndex.Registration + registration.ToString("D"));
    }

    [Fact]
    public void Related_agents_and_related_activities_widen_agent_and_activity_to_every_place_in_a_statement()
    {
        var (parameters, _) = Parse($"?agent={Q(Agent)}&activity={Q("https://kurser.solna.se/basal-hygien")}&related_agents=true&related_activities=true");
        parameters!.RelatedAgents.Should().BeTrue();
        parameters.RelatedActivities.Should().BeTrue();
        parameters.IndexKeys.Should().Equal(StatementIndex.RelatedAgent + parameters.Agent, StatementIndex.RelatedActivity + "https://kurser.solna.se/basal-hygien");

        var (unrelated, _) = Parse($"?agent={Q(Agent)}&related_agents=false&related_activities=false&ascending=false&attachments=false");
        unrelated.Should().Be(new StatementQueryParameters { Agent = parameters.Agent, Limit = MaxPageSize });
    }

    [Theory]
    [InlineData("0", MaxPageSize)]
    [InlineData("1", 1)]
    [InlineData("500", MaxPageSize)]
    [InlineData("501", MaxPageSize)]
    public void A_limit_of_0_or_above_the_largest_page_is_the_largest_page(string limit, int expected) =>
        Parse("?limit=" + limit).Parameters!.Limit.Should().Be(expected);

    [Theory]
    [InlineData("?Agent=x", "Unknown query parameter 'Agent' (parameter names are case-sensitive).")]
    [InlineData("?statementIds=x", "Unknown query parameter 'statementIds' (parameter names are case-sensitive).")]
    [InlineData("?related_agents=yes", "related_agents is true or false.")]
    [InlineData("?related_activities=TRUE", "related_activities is true or false.")]
    [InlineData("?ascending=1", "ascending is true or false.")]
    [InlineData("?attachments=", "attachments is true or false.")]
    [InlineData("?agent=anna", "agent is not JSON.")]
    [InlineData("?verb=completed", "verb is not an IRI.")]
    [InlineData("?activity=basal-hygien", "activity is not an IRI.")]
    [InlineData("?registration=42", "registration is not a UUID.")]
    [InlineData("?since=yesterday", "since is not a timestamp.")]
    [InlineData("?until=2026-13-01T00:00:00Z", "until is not a timestamp.")]
    [InlineData("?limit=-1", "limit is not a non-negative integer.")]
    [InlineData("?limit=ten", "limit is not a non-negative integer.")]
    [InlineData("?format=full", "format is one of exact, ids, canonical.")]
    // The first mistake in a fixed order: unknown names, the booleans, then the rest in the order of the spec's table.
    [InlineData("?verb=completed&activities=x", "Unknown query parameter 'activities' (parameter names are case-sensitive).")]
    [InlineData("?agent=anna&attachments=yes", "attachments is true or false.")]
    [InlineData("?format=full&limit=ten&until=x&since=x&registration=x&activity=x&verb=x&agent=x", "agent is not JSON.")]
    [InlineData("?format=full&limit=ten&until=x&since=x&registration=x", "registration is not a UUID.")]
    public void A_bad_parameter_is_refused_with_a_message_that_names_it(string query, string message)
    {
        var (parameters, error) = Parse(query);
        parameters.Should().BeNull();
        error!.Message.Should().Be(message);
        error.Errors.Should().BeEmpty();
    }

    [Theory]
    [InlineData("agent")]
    [InlineData("verb")]
    [InlineData("activity")]
    [InlineData("registration")]
    [InlineData("related_activities")]
    [InlineData("related_agents")]
    [InlineData("since")]
    [InlineData("until")]
    [InlineData("limit")]
    [InlineData("format")]
    [InlineData("attachments")]
    [InlineData("ascending")]
    public void Every_parameter_given_twice_is_refused(string name)
    {
        var (parameters, error) = Parse($"?{name}=1&{name}=2");
        parameters.Should().BeNull();
        error!.Message.Should().Be($"Query parameter '{name}' is given more than once.");
    }

    [Theory]
    [InlineData("""{"mbox":"anna.berg@solna.se"}""")]
    [InlineData("""{"mbox":"mailto:anna.berg@solna.se","account":{"homePage":"https://hr.solna.se","name":"E1"}}""")]
    [InlineData("""{"objectType":"Group","member":[{"mbox":"mailto:anna.berg@solna.se"}]}""")]
    public void An_agent_that_is_not_an_Agent_or_Identified_Group_with_one_identifier_is_refused_with_what_is_wrong(string agent)
    {
        var (parameters, error) = Parse("?agent=" + Q(agent));
        parameters.Should().BeNull();
        error!.Message.Should().Be("agent is not an Agent or Identified Group with one identifier.");
        error.Errors.Should().NotBeEmpty();
    }
}
