using System.Text.Json;
using System.Text.Json.Nodes;
using Lrs.Core.Xapi;

namespace Lrs.Core.Tests;

/// <summary>
/// The validator reads statements from a <see cref="JsonDocument"/>; a tree is written out and read the same way. Every
/// sample under Samples/ must get the same errors, in the same order, either way in, and the cases where a document and a
/// tree tell "missing" from "null" differently are pinned here.
/// </summary>
public class StatementElementValidationTests
{
    private static readonly string SampleRoot = Path.Combine(AppContext.BaseDirectory, "Samples");

    private static readonly JsonDocumentOptions Options = new() { AllowDuplicateProperties = false };

    private const string Actor = """{"mbox":"mailto:anna@example.se"}""";
    private const string Verb = """{"id":"http://adlnet.gov/expapi/verbs/completed"}""";
    private const string Activity = """{"id":"https://lms.example.se/kurs/1"}""";

    /// <summary>Every sample, valid and invalid, with each version it is judged under (the statement of an invalid one).</summary>
    public static TheoryData<string, XapiVersion> Samples()
    {
        var data = new TheoryData<string, XapiVersion>();
        foreach (var file in Directory.EnumerateFiles(SampleRoot, "*.json", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            var relative = Path.GetRelativePath(SampleRoot, file).Replace('\\', '/');
            foreach (var version in new[] { XapiVersion.V103, XapiVersion.V200 }) data.Add(relative, version);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Samples))]
    public void A_sample_gets_the_same_errors_from_its_tree_and_its_document(string sample, XapiVersion version)
    {
        var text = File.ReadAllText(Path.Combine(SampleRoot, sample));
        if (sample.Contains("/invalid/", StringComparison.Ordinal)) text = JsonNode.Parse(text)!["statement"]?.ToJsonString() ?? "null";

        var fromTree = StatementValidator.Validate(JsonNode.Parse(text), version);
        using var document = JsonDocument.Parse(text, Options);
        var fromDocument = StatementValidator.Validate(document.RootElement, version);

        fromDocument.Should().Equal(fromTree);
        // An agent parameter is read by the same walk: the statement makes a poor agent, but a poor agent the same way.
        StatementValidator.ValidateAgentParameter(document.RootElement, version)
            .Should().Equal(StatementValidator.ValidateAgentParameter(JsonNode.Parse(text), version));
    }

    [Fact]
    public void A_valid_statement_from_a_document_has_no_errors()
    {
        Errors($$"""{"actor":{{Actor}},"verb":{{Verb}},"object":{{Activity}}}""").Should().BeEmpty();
    }

    [Fact]
    public void A_property_that_is_null_is_reported_as_null_not_as_missing()
    {
        Errors($$"""{"actor":null,"verb":{{Verb}},"object":{{Activity}}}""")
            .Should().Equal(new ValidationError("$.actor", "must not be null"));
    }

    [Fact]
    public void A_number_where_a_string_is_required_is_reported()
    {
        Errors($$"""{"actor":{"mbox":42},"verb":{{Verb}},"object":{{Activity}}}""")
            .Should().Equal(new ValidationError("$.actor.mbox", "must be a string"));
    }

    [Fact]
    public void A_string_where_an_object_is_required_is_reported()
    {
        Errors($$"""{"actor":{{Actor}},"verb":"completed","object":{{Activity}}}""")
            .Should().Equal(new ValidationError("$.verb", "must be an object"));
    }

    [Fact]
    public void A_SubStatement_with_an_id_is_rejected()
    {
        Errors($$$"""
            {"actor":{{{Actor}}},"verb":{{{Verb}}},
             "object":{"objectType":"SubStatement","id":"3c8d4b2e-6f0a-4c1e-9d2b-7a5e8f1c0b3d","actor":{{{Actor}}},"verb":{{{Verb}}},"object":{{{Activity}}}}}
            """).Should().Equal(new ValidationError("$.object.id", "a SubStatement must not have this property"));
    }

    [Fact]
    public void A_context_property_of_2_0_is_unknown_under_1_0_3()
    {
        var statement = $$$"""
            {"actor":{{{Actor}}},"verb":{{{Verb}}},"object":{{{Activity}}},
             "context":{"contextAgents":[{"objectType":"contextAgent","agent":{{{Actor}}}}]}}
            """;
        Errors(statement, XapiVersion.V103).Should().Equal(new ValidationError("$.context.contextAgents", "is not a property of a Context"));
        Errors(statement, XapiVersion.V200).Should().BeEmpty();
    }

    [Fact]
    public void Escaped_names_and_values_are_read_as_their_text()
    {
        // \u0061ctor is "actor", \u0041gent is "Agent": the escapes are the same text, not other names.
        Errors($$"""{"\u0061ctor":{"objectType":"\u0041gent","mbox":"mailto:anna@example.se"},"verb":{{Verb}},"object":{{Activity}}}""")
            .Should().BeEmpty();
    }

    [Fact]
    public void A_default_element_is_not_a_statement_and_does_not_throw()
    {
        StatementValidator.Validate(default(JsonElement), XapiVersion.V200)
            .Should().Equal(new ValidationError("$", "a statement must be a JSON object"));
    }

    [Fact]
    public void A_lone_surrogate_in_a_document_is_reported_not_thrown()
    {
        // The LRS refuses such text when it parses a request; a document parsed elsewhere may still hold it.
        Errors($$"""{"actor":{"mbox":"mailto:\ud800@example.se"},"verb":{{Verb}},"object":{{Activity}}}""")
            .Should().Equal(new ValidationError("$", "the statement could not be read (repeated property?)"));
    }

    private static IReadOnlyList<ValidationError> Errors(string json, XapiVersion version = XapiVersion.V200)
    {
        using var document = JsonDocument.Parse(json, Options);
        return StatementValidator.Validate(document.RootElement, version);
    }
}
