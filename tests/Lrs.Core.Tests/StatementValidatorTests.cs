using System.Text.Json.Nodes;
using Lrs.Core.Xapi;

namespace Lrs.Core.Tests;

public class StatementValidatorTests
{
    private const string Valid = """
        {"actor":{"mbox":"mailto:anna@example.se"},"verb":{"id":"http://adlnet.gov/expapi/verbs/completed"},
         "object":{"id":"https://lms.example.se/kurs/1"}}
        """;

    private static IReadOnlyList<ValidationError> Validate(string json, XapiVersion version = XapiVersion.V200) =>
        StatementValidator.Validate(JsonNode.Parse(json), version);

    [Fact]
    public void Statement_with_two_IFIs_on_the_actor_is_rejected()
    {
        var errors = Validate("""
            {"actor":{"mbox":"mailto:anna@example.se","openid":"http://openid.example.org/anna"},
             "verb":{"id":"http://adlnet.gov/expapi/verbs/completed"},"object":{"id":"https://lms.example.se/kurs/1"}}
            """);
        errors.Should().ContainSingle().Which.Path.Should().Be("$.actor");
    }

    [Fact]
    public void Paths_are_the_same_however_often_and_however_deep_they_are_named()
    {
        // Paths are shared between walks (made once); one kept, one too long to keep, one past the items kept: each named right.
        var longName = new string('x', 200);
        var parents = string.Join(",", Enumerable.Range(0, 80).Select(i => "{\"id\":\"https://lms.example.se/kurs/" + i + "\"}"));
        var json = """
            {"actor":{"mbox":"mailto:anna@example.se"},"verb":{"id":"http://adlnet.gov/expapi/verbs/completed"},
             "object":{"id":"https://lms.example.se/kurs/1","definition":{"extensions":{"LONG":1,"nope":2}}},
             "context":{"contextActivities":{"parent":[PARENTS,{"id":"kurs"}]}}}
            """.Replace("LONG", longName).Replace("PARENTS", parents);
        for (var round = 0; round < 3; round++)
            Validate(json).Select(e => e.Path).Should().BeEquivalentTo(
                "$.object.definition.extensions." + longName, "$.object.definition.extensions.nope", "$.context.contextActivities.parent[80].id");
    }

    [Fact]
    public void Every_error_in_a_statement_is_reported_at_once()
    {
        var errors = Validate("""
            {"id":"nope","Actor":{},"verb":{"id":"completed","display":{"en_GB":"done"}},
             "object":{"objectType":"Activity","id":"kurs"},
             "result":{"success":"yes","score":{"scaled":2}},
             "context":{"registration":5,"language":"sv_SE"},"timestamp":"igår"}
            """);
        errors.Select(e => e.Path).Should().Contain(
        [
            "$.id", "$.Actor", "$.actor", "$.verb.id", "$.verb.display.en_GB", "$.object.id",
            "$.result.success", "$.result.score.scaled", "$.context.registration", "$.context.language", "$.timestamp",
        ]);
    }

    [Fact]
    public void A_minimal_statement_is_valid_under_both_versions()
    {
        Validate(Valid, XapiVersion.V103).Should().BeEmpty();
        Validate(Valid, XapiVersion.V200).Should().BeEmpty();
    }

    [Theory]
    [InlineData("null")]
    [InlineData("42")]
    [InlineData("\"text\"")]
    [InlineData("[]")]
    [InlineData("{}")]
    [InlineData("""{"actor":[],"verb":7,"object":"x","result":[],"context":true,"attachments":{},"authority":1,"version":null}""")]
    [InlineData("""{"actor":{"objectType":5,"member":[null,1,"a",{"objectType":"Group"}]},"verb":{"id":null,"display":[]},"object":{"objectType":null}}""")]
    [InlineData("""{"object":{"objectType":"SubStatement","object":{"objectType":"SubStatement","object":{"objectType":"SubStatement"}}}}""")]
    [InlineData("""{"context":{"contextAgents":[null,1,{}],"contextGroups":{"a":1},"contextActivities":{"parent":[1,null,[]]}}}""")]
    [InlineData("""{"object":{"definition":{"choices":[null,{"id":null},{"id":{}}],"interactionType":null,"correctResponsesPattern":[null]}}}""")]
    public void Odd_JSON_is_rejected_without_throwing(string json)
    {
        var act = () => StatementValidator.Validate(JsonNode.Parse(json), XapiVersion.V200);
        act.Should().NotThrow().Which.Should().NotBeEmpty();
    }

    [Fact]
    public void A_null_statement_is_rejected()
    {
        StatementValidator.Validate(null, XapiVersion.V103).Should().ContainSingle().Which.Path.Should().Be("$");
    }

    [Fact]
    public void A_repeated_property_is_rejected_without_throwing()
    {
        JsonNode? node;
        try { node = JsonNode.Parse("""{"actor":{"mbox":"mailto:a@example.se"},"actor":{"mbox":"mailto:b@example.se"},"verb":{"id":"http://e.com/v"},"object":{"id":"http://e.com/a"}}"""); }
        catch (System.Text.Json.JsonException) { return; } // a parser that refuses the text is fine too
        var act = () => StatementValidator.Validate(node, XapiVersion.V103);
        act.Should().NotThrow();
    }

    [Fact]
    public void A_statement_built_from_CLR_values_is_validated()
    {
        var statement = new JsonObject
        {
            ["id"] = Guid.Parse("fd41c918-b88b-4b20-a0a5-a4c32391aaa0"),
            ["actor"] = new JsonObject { ["mbox"] = "mailto:anna@example.se" },
            ["verb"] = new JsonObject { ["id"] = "http://adlnet.gov/expapi/verbs/scored" },
            ["object"] = new JsonObject { ["id"] = "https://lms.example.se/kurs/1" },
            ["result"] = new JsonObject { ["score"] = new JsonObject { ["scaled"] = 0.5m, ["raw"] = 5, ["min"] = 0, ["max"] = 10 } },
            ["timestamp"] = "2024-03-01T09:15:00Z",
        };
        StatementValidator.Validate(statement, XapiVersion.V103).Should().BeEmpty();
    }

    [Fact]
    public void Extension_values_are_never_judged()
    {
        var errors = Validate("""
            {"actor":{"mbox":"mailto:anna@example.se"},"verb":{"id":"http://e.com/v"},"object":{"id":"http://e.com/a"},
             "result":{"extensions":{"http://e.com/x":{"Actor":null,"mbox":"not-mailto","timestamp":"nonsense"}}}}
            """);
        errors.Should().BeEmpty();
    }

    [Fact]
    public void Context_agents_are_unknown_properties_under_1_0_3_only()
    {
        const string json = """
            {"actor":{"mbox":"mailto:anna@example.se"},"verb":{"id":"http://e.com/v"},"object":{"id":"http://e.com/a"},
             "context":{"contextAgents":[{"objectType":"contextAgent","agent":{"mbox":"mailto:bo@example.se"}}]}}
            """;
        Validate(json, XapiVersion.V200).Should().BeEmpty();
        Validate(json, XapiVersion.V103).Should().ContainSingle().Which.Path.Should().Be("$.context.contextAgents");
    }

    [Theory]
    [InlineData("""{"mbox":"mailto:anna@example.se"}""")]
    [InlineData("""{"objectType":"Agent","account":{"homePage":"https://lms.example.se","name":"anna"}}""")]
    [InlineData("""{"objectType":"Group","mbox":"mailto:team@example.se"}""")]
    [InlineData("""{"objectType":"Group","openid":"http://openid.example.org/team","member":[{"mbox":"mailto:a@example.se"}]}""")]
    public void Agent_parameter_with_one_IFI_is_accepted(string json)
    {
        StatementValidator.ValidateAgentParameter(JsonNode.Parse(json), XapiVersion.V103).Should().BeEmpty();
    }

    [Theory]
    [InlineData("""{"objectType":"Group","member":[{"mbox":"mailto:a@example.se"}]}""")]
    [InlineData("""{"mbox":"mailto:anna@example.se","mbox_sha1sum":"cd9b00a5611f94eaa7b1661edab976068e364975"}""")]
    [InlineData("""{"name":"Anna"}""")]
    [InlineData("""{"mbox":"anna@example.se"}""")]
    [InlineData("""{"objectType":"Activity","id":"http://e.com/a"}""")]
    [InlineData("""["mailto:anna@example.se"]""")]
    [InlineData("null")]
    public void Agent_parameter_that_is_not_an_identified_Agent_or_Group_is_rejected(string json)
    {
        StatementValidator.ValidateAgentParameter(JsonNode.Parse(json), XapiVersion.V200).Should().NotBeEmpty();
    }

    [Theory]
    [InlineData("en", true)]
    [InlineData("sv-SE", true)]
    [InlineData("SV-se", true)]
    [InlineData("zh-Hant-TW", true)]
    [InlineData("es-419", true)]
    [InlineData("de-CH-1996", true)]
    [InlineData("en-a-bbb-x-priv", true)]
    [InlineData("x-whatever", true)]
    [InlineData("i-klingon", true)]
    [InlineData("", false)]
    [InlineData("a12345", false)]
    [InlineData("sv_SE", false)]
    [InlineData("en-", false)]
    [InlineData("toolongtag", false)]
    [InlineData("en US", false)]
    [InlineData("sv SE", false)]
    [InlineData("sv-S1", false)]
    [InlineData("s1-SE", false)]
    [InlineData("s1", false)]
    public void Language_tags_are_checked_by_RFC_5646_syntax(string tag, bool valid)
    {
        LanguageTag.IsValid(tag).Should().Be(valid);
    }

    [Theory]
    [InlineData("http://example.com/verbs/done", true)]
    [InlineData("urn:uuid:fd41c918-b88b-4b20-a0a5-a4c32391aaa0", true)]
    [InlineData("https://sv.example.se/kurs/läkemedel", true)]
    [InlineData("mailto:anna@example.se", true)]
    [InlineData("file:///tmp/a", true)]
    [InlineData("example.com/verbs/done", false)]
    [InlineData("http://", false)]
    [InlineData("http:", false)]
    [InlineData("1http://example.com", false)]
    [InlineData("http://example.com/a b", false)]
    [InlineData("http://example.com/%zz", false)]
    [InlineData("http://example.com/a%20b%7Ec?q=%C3%A4", true)]
    [InlineData("http://example.com/%2", false)]
    [InlineData("http://example.com/%", false)]
    [InlineData("http://example.com/%41%4", false)]
    [InlineData("http://example.com/a\u0085b", false)]
    [InlineData("http://example.com/a\u007f", false)]
    [InlineData("http://example.com/a^b", false)]
    [InlineData("http://example.com/\ta", false)]
    [InlineData("", false)]
    public void IRIs_must_be_absolute(string iri, bool valid)
    {
        Iri.IsAbsolute(iri).Should().Be(valid);
    }

    [Fact]
    public void Validation_is_fast_enough_for_the_ingest_path()
    {
        var node = JsonNode.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Samples", "common", "valid", "swedish_elderly_care_course_passed.json")));
        StatementValidator.Validate(node, XapiVersion.V103); // warm-up
        var sw = System.Diagnostics.Stopwatch.StartNew();
        for (int i = 0; i < 2000; i++) StatementValidator.Validate(node, XapiVersion.V200);
        sw.Elapsed.TotalMilliseconds.Should().BeLessThan(2000, "2000 validations should take well under a millisecond each");
    }
}
