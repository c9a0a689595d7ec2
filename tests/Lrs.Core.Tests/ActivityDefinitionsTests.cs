using System.Text.Json.Nodes;
using Lrs.Core.Xapi;

namespace Lrs.Core.Tests;

/// <summary>Canonical definitions: merged per activity, and a definition already known changes nothing.</summary>
public sealed class ActivityDefinitionsTests
{
    private static JsonObject Known() => (JsonObject)JsonNode.Parse("""
        {"name":{"sv-SE":"Hygien","en-US":"Hygiene"},"type":"http://adlnet.gov/expapi/activities/course","extensions":{"http://x.se/e":1}}
        """)!;

    [Theory]
    [InlineData("""{"name":{"sv-SE":"Hygien"}}""", true)]
    [InlineData("""{"name":{"sv-SE":"Hygien","en-US":"Hygiene"},"type":"http://adlnet.gov/expapi/activities/course"}""", true)]
    [InlineData("""{"extensions":{"http://x.se/e":1}}""", true)]
    [InlineData("""{}""", true)]
    [InlineData("""{"name":{"sv-SE":"Basal hygien"}}""", false)]
    [InlineData("""{"name":{"fi-FI":"Hygienia"}}""", false)]
    [InlineData("""{"type":"http://adlnet.gov/expapi/activities/module"}""", false)]
    [InlineData("""{"description":{"sv-SE":"Om hygien"}}""", false)]
    [InlineData("""{"extensions":{"http://x.se/e":2}}""", false)]
    [InlineData("""{"moreInfo":"https://x.se"}""", false)]
    public void Covers_says_whether_merging_would_leave_the_definition_as_it_is(string incoming, bool covers)
    {
        var known = Known();
        var definition = (JsonObject)JsonNode.Parse(incoming)!;
        ActivityDefinitions.Covers(known, definition).Should().Be(covers);
        JsonNode.DeepEquals(ActivityDefinitions.Merge(known, definition), known).Should().Be(covers, "Covers answers what comparing the merge would");
    }

    [Fact]
    public void A_definition_read_from_a_request_is_covered_by_the_same_one_read_back_from_storage()
    {
        // The node's cache holds definitions read back from the database; incoming ones come from the request parser.
        var incoming = (JsonObject)JsonText.Parse(System.Text.Encoding.UTF8.GetBytes(Known().ToJsonString()),
            new System.Text.Json.JsonDocumentOptions { MaxDepth = 64 })!;
        ActivityDefinitions.Covers(Known(), incoming).Should().BeTrue();
        ActivityDefinitions.Covers(incoming, Known()).Should().BeTrue();
        incoming["name"]!["sv-SE"] = "Annat";
        ActivityDefinitions.Covers(Known(), incoming).Should().BeFalse();
    }

    [Fact]
    public void A_batch_merges_the_definitions_of_each_activity_in_order()
    {
        JsonObject Statement(string definition) => new()
        {
            ["object"] = new JsonObject { ["id"] = "http://x.se/a", ["definition"] = JsonNode.Parse(definition) },
        };
        var collected = ActivityDefinitions.Collect([
            Statement("""{"name":{"sv-SE":"A"}}"""), Statement("""{"name":{"sv-SE":"A"}}"""),
            Statement("""{"name":{"en-US":"A"}}"""), Statement("""{"name":{"sv-SE":"B"}}"""),
        ]);
        collected["http://x.se/a"].ToJsonString().Should().Be("""{"name":{"sv-SE":"B","en-US":"A"}}""");
    }
}
