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
    public void A_batch_folds_the_definitions_of_an_activity_in_order()
    {
        JsonObject? folded = null;
        foreach (var definition in (string[])["""{"name":{"sv-SE":"A"}}""", """{"name":{"sv-SE":"A"}}""", """{"name":{"en-US":"A"}}""", """{"name":{"sv-SE":"B"}}"""])
            folded = ActivityDefinitions.Fold(folded, (JsonObject)JsonNode.Parse(definition)!);
        folded!.ToJsonString().Should().Be("""{"name":{"sv-SE":"B","en-US":"A"}}""");
    }

    [Fact]
    public void The_definitions_of_a_statement_come_in_the_order_they_are_met()
    {
        using var document = System.Text.Json.JsonDocument.Parse("""
            {"object":{"objectType":"SubStatement","object":{"id":"http://x.se/inner","definition":{"type":"http://x.se/t"}},
              "context":{"contextActivities":{"parent":{"id":"http://x.se/sub-parent","definition":{}}}}},
             "context":{"contextActivities":{"parent":{"id":"http://x.se/single","definition":{"name":{"sv-SE":"Å"}}},
               "grouping":[{"id":"http://x.se/listed","definition":{"name":{"en-US":"\u00e9"}}},{"id":"http://x.se/bare"}]}}}
            """);
        ActivityDefinitions.Of(document.RootElement).Select(d => (d.Iri, System.Text.Encoding.UTF8.GetString(d.Utf8Json))).Should().Equal(
            ("http://x.se/listed", """{"name":{"en-US":"é"}}"""), ("http://x.se/single", """{"name":{"sv-SE":"Å"}}"""),
            ("http://x.se/inner", """{"type":"http://x.se/t"}"""), ("http://x.se/sub-parent", "{}"));
        ActivityDefinitions.Ids(document.RootElement).Should().Equal("http://x.se/listed", "http://x.se/bare", "http://x.se/single", "http://x.se/inner", "http://x.se/sub-parent");
    }
    [Fact]
    public void A_definition_met_again_as_the_LRS_writes_it_is_the_same_array_and_any_other_is_written_out()
    {
        static byte[] Of(string definition)
        {
            using var document = System.Text.Json.JsonDocument.Parse($$$"""{"object":{"id":"http://x.se/a","definition":{{{definition}}}}}""");
            return ActivityDefinitions.Of(document.RootElement).Single().Utf8Json;
        }
        static string Text(byte[] utf8) => System.Text.Encoding.UTF8.GetString(utf8);
        const string compact = """{"name":{"sv-SE":"Hygien"}}""";

        var sent = Enumerable.Range(0, 3).Select(_ => Of(compact)).ToList();
        sent[2].Should().BeSameAs(sent[1], "it is kept from its second sighting on");
        Text(sent[2]).Should().Be(compact);
        // Text of the same length, and a definition sent with spaces or escapes: each is written as the LRS writes it.
        Text(Of("""{"name":{"sv-SE":"Hygiem"}}""")).Should().Be("""{"name":{"sv-SE":"Hygiem"}}""");
        Enumerable.Range(0, 3).Select(_ => Text(Of("""{ "name": {"sv-SE": "Hygien"} }"""))).Should().AllBe(compact);
        Enumerable.Range(0, 3).Select(_ => Text(Of("""{"name":{"sv-SE":"Hygi\u0065n"}}"""))).Should().AllBe(compact);
        Of(compact).Should().BeSameAs(sent[1]);
    }
}
