using System.Text.Json.Nodes;
using Lrs.Core.Xapi;

namespace Lrs.Core.Tests;

/// <summary>An agent's key: one string per person, whatever case the scheme and domain of the address were sent in.</summary>
public sealed class AgentKeyTests
{
    [Theory]
    [InlineData("mailto:anna@example.se", "mbox:mailto:anna@example.se")]
    [InlineData("MAILTO:anna@example.se", "mbox:mailto:anna@example.se")]
    [InlineData("mailto:Anna@Example.SE", "mbox:mailto:Anna@example.se")]
    [InlineData("mailto:anna@ÅRE.se", "mbox:mailto:anna@åre.se")]
    [InlineData("mailto:anna@åre.se", "mbox:mailto:anna@åre.se")]
    [InlineData("mailto:ANNA", "mbox:mailto:ANNA")]
    public void An_mbox_key_has_the_scheme_and_the_domain_in_lower_case(string mbox, string key) =>
        AgentKey.Of(new JsonObject { ["mbox"] = mbox }).Should().Be(key);

    [Theory]
    [InlineData(@"""mailto:anna@example.se""", "mbox:mailto:anna@example.se")]
    [InlineData(@"""MAILTO:anna@example.se""", "mbox:mailto:anna@example.se")]
    [InlineData(@"""mailto:Anna@Example.SE""", "mbox:mailto:Anna@example.se")]
    [InlineData(@"""mailto:anna@ÅRE.se""", "mbox:mailto:anna@åre.se")]
    [InlineData(@"""mailto:anna@åre.se""", "mbox:mailto:anna@åre.se")]
    [InlineData(@"""mailto:ANNA""", "mbox:mailto:ANNA")]
    [InlineData(@"""mailto:anna\u0040example.se""", "mbox:mailto:anna@example.se")]
    [InlineData(@"""mailto:anna\u0040Example.SE""", "mbox:mailto:anna@example.se")]
    [InlineData(@"""mailto:\u00c5sa@example.se""", "mbox:mailto:Åsa@example.se")]
    [InlineData(@"""\u006dailto:anna@EXAMPLE.se""", "mbox:mailto:anna@example.se")]
    public void An_mbox_key_read_from_JSON_text_is_the_one_made_from_the_string_however_it_was_escaped(string json, string key)
    {
        using var document = System.Text.Json.JsonDocument.Parse($$"""{"mbox":{{json}}}""");
        AgentKey.Of(document.RootElement).Should().Be(key);
        AgentKey.Of(JsonNode.Parse(document.RootElement.GetRawText())).Should().Be(key);
    }

    [Fact]
    public void Other_identifiers_make_their_own_keys_and_an_anonymous_group_none()
    {
        AgentKey.Of(new JsonObject { ["mbox_sha1sum"] = "ABCDEF" }).Should().Be("sha1:abcdef");
        AgentKey.Of(new JsonObject { ["openid"] = "http://id.example.se/anna" }).Should().Be("openid:http://id.example.se/anna");
        AgentKey.Of(new JsonObject { ["account"] = new JsonObject { ["homePage"] = "https://hr.example.se", ["name"] = "A1" } })
            .Should().Be("account:https://hr.example.se A1");
        AgentKey.Of(new JsonObject { ["objectType"] = "Group", ["member"] = new JsonArray() }).Should().BeNull();
    }

    [Fact]
    public void Agents_asked_for_in_turn_each_get_their_own_key()
    {
        // The key of the last agent asked for is remembered by its text: texts of the same length, the same text in another
        // document, an anonymous group after an identified agent, and agents too long to be remembered.
        var longName = new string('x', 600);
        string[] agents =
        [
            """{"mbox":"mailto:anna@example.se"}""", """{"mbox":"mailto:bert@example.se"}""", """{"mbox":"mailto:anna@example.se"}""",
            """{"objectType":"Group","member":[{"mbox":"mailto:anna@example.se"}]}""", """{"mbox":"mailto:anna@EXAMPLE.se"}""",
            $$$"""{"account":{"homePage":"https://hr.example.se","name":"{{{longName}}}"}}""", """{"openid":"http://id.example.se/anna"}""",
            $$$"""{"account":{"homePage":"https://hr.example.se","name":"{{{longName}}}y"}}""", """{"mbox":"mailto:anna@example.se"}""",
        ];
        for (var round = 0; round < 2; round++)
            foreach (var json in agents)
            {
                using var document = System.Text.Json.JsonDocument.Parse(json);
                var expected = AgentKey.Of(JsonNode.Parse(json));
                AgentKey.Of(document.RootElement).Should().Be(expected, json);
                AgentKey.Of(document.RootElement).Should().Be(expected, json);
            }
    }
}
