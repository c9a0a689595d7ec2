using System.Text.Json.Nodes;
using FluentAssertions;
using Lrs.Core.Xapi;
using Xunit;

namespace Lrs.Core.Tests;

public class StatementIndexTests
{
    private static readonly JsonObject Statement = JsonNode.Parse("""
        {
          "actor": { "mbox": "mailto:anna@example.se" },
          "verb": { "id": "http://adlnet.gov/expapi/verbs/passed" },
          "object": { "id": "https://kurser.example.se/forflyttning" },
          "authority": { "account": { "homePage": "https://lrs.example.se", "name": "app" } },
          "context": {
            "registration": "6FE4F2A4-3C37-4A36-B1B6-5D5F6B3A3D10",
            "instructor": { "mbox": "mailto:bertil@example.se" },
            "team": { "objectType": "Group", "member": [ { "mbox": "mailto:anna@example.se" }, { "account": { "homePage": "https://lrs.example.se", "name": "app" } },
              { "mbox": "mailto:cecilia@example.se" } ] },
            "contextActivities": { "grouping": [ { "id": "https://kurser.example.se/forflyttning" }, { "id": "https://centre.example.se/metodikum" } ] }
          }
        }
        """)!.AsObject();

    [Fact]
    public void A_key_is_written_once_per_agent_and_activity_under_its_narrowest_kind()
    {
        StatementIndex.Extract(Statement).Should().BeEquivalentTo(
            "v|http://adlnet.gov/expapi/verbs/passed",
            "g|6fe4f2a4-3c37-4a36-b1b6-5d5f6b3a3d10",
            // The actor: not again as a related agent, though it is also a member of the team.
            "a|mbox:mailto:anna@example.se",
            // The object activity: not again as a related activity, though it is also a grouping activity.
            "o|https://kurser.example.se/forflyttning",
            "or|https://centre.example.se/metodikum",
            // The authority: not again as a related agent, though it is also a member of the team.
            "au|account:https://lrs.example.se app",
            "ar|mbox:mailto:bertil@example.se",
            "ar|mbox:mailto:cecilia@example.se");
    }

    [Fact]
    public void A_related_agent_or_activity_is_looked_for_under_every_kind_it_may_have_been_written_as()
    {
        StatementIndex.Alternatives("ar|mbox:mailto:anna@example.se")
            .Should().Equal("a|mbox:mailto:anna@example.se", "ar|mbox:mailto:anna@example.se", "au|mbox:mailto:anna@example.se");
        StatementIndex.Alternatives("or|https://kurser.example.se/forflyttning")
            .Should().Equal("o|https://kurser.example.se/forflyttning", "or|https://kurser.example.se/forflyttning");
        StatementIndex.Alternatives("a|mbox:mailto:anna@example.se").Should().Equal("a|mbox:mailto:anna@example.se");
        StatementIndex.Alternatives("o|https://kurser.example.se/forflyttning").Should().Equal("o|https://kurser.example.se/forflyttning");
    }

    [Fact]
    public void Every_agent_a_statement_names_is_found_among_its_keys_whatever_its_place()
    {
        StatementIndex.NamedAgents(StatementIndex.Extract(Statement)).Should().BeEquivalentTo(
            "mbox:mailto:anna@example.se", "mbox:mailto:bertil@example.se", "mbox:mailto:cecilia@example.se", "account:https://lrs.example.se app");
    }
    [Theory]
    [InlineData(@"https:\/\/kurser.example.se\/forflyttning", "https://kurser.example.se/forflyttning")]
    [InlineData("https://kurser.example.se/forflyttning", @"https:\/\/kurser.example.se\/forflyttning")]
    public void The_object_activity_and_a_related_one_are_written_once_however_they_are_escaped(string objectId, string parentId)
    {
        using var document = System.Text.Json.JsonDocument.Parse("""
            {"actor":{"mbox":"mailto:anna@example.se"},"verb":{"id":"http://adlnet.gov/expapi/verbs/passed"},"object":{"id":"OBJECT"},
             "context":{"contextActivities":{"parent":[{"id":"PARENT"}],
               "grouping":[{"id":"https://kurser.example.se/metodikum"},{"id":"https:\/\/kurser.example.se\/metodikum"}]}}}
            """.Replace("OBJECT", objectId).Replace("PARENT", parentId));
        StatementIndex.Extract(document.RootElement, authority: null).Should().Equal(
            "v|http://adlnet.gov/expapi/verbs/passed", "a|mbox:mailto:anna@example.se", "o|https://kurser.example.se/forflyttning",
            "or|https://kurser.example.se/metodikum");
    }
}
