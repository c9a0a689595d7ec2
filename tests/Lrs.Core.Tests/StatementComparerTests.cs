using System.Text.Json.Nodes;
using Lrs.Core.Xapi;

namespace Lrs.Core.Tests;

public class StatementComparerTests
{
    // What the LRS holds after accepting the statement: it added stored, authority and version, made the single
    // context activity an array and the timestamp UTC.
    private const string Stored = """
        {
          "id": "fd41c918-b88b-4b20-a0a5-a4c32391aaa0",
          "actor": {"objectType": "Agent", "name": "Anna", "mbox": "mailto:anna@EXAMPLE.se"},
          "verb": {"id": "http://adlnet.gov/expapi/verbs/completed", "display": {"en-US": "completed"}},
          "object": {"objectType": "Activity", "id": "https://lms.example.se/kurs/1",
                     "definition": {"name": {"sv-SE": "Kurs 1"}}},
          "result": {"score": {"scaled": 0.5, "raw": 5}, "duration": "PT1M0.12S", "success": true},
          "context": {"registration": "ec531277-b57b-4c15-8d91-d292c5b2b8f7", "language": "sv-SE",
                      "contextActivities": {"parent": [{"objectType": "Activity", "id": "https://lms.example.se/program"}]},
                      "team": {"objectType": "Group", "member": [{"mbox": "mailto:a@example.se"}, {"mbox": "mailto:b@example.se"}]}},
          "timestamp": "2024-03-01T08:15:00.000Z",
          "stored": "2024-03-01T08:15:01.000Z",
          "authority": {"objectType": "Agent", "account": {"homePage": "https://lms.example.se", "name": "client"}},
          "version": "1.0.0"
        }
        """;

    private static JsonNode Node(string json) => JsonNode.Parse(json)!;

    private static JsonNode Incoming(Action<JsonObject>? change = null)
    {
        var s = Node(Stored).AsObject();
        s.Remove("stored");
        s.Remove("authority");
        s.Remove("version");
        change?.Invoke(s);
        return s;
    }

    private static bool Same(JsonNode incoming) => StatementComparer.AreEquivalent(Node(Stored), incoming);

    [Fact]
    public void A_statement_is_equivalent_to_itself()
    {
        StatementComparer.AreEquivalent(Node(Stored), Node(Stored)).Should().BeTrue();
    }

    [Fact]
    public void Properties_the_LRS_assigned_are_ignored_when_the_incoming_statement_lacks_them()
    {
        Same(Incoming()).Should().BeTrue();
        Same(Incoming(s => s.Remove("timestamp"))).Should().BeTrue();
    }

    [Fact]
    public void Stored_is_always_ignored_because_the_LRS_overwrites_it()
    {
        Same(Incoming(s => s["stored"] = "1999-01-01T00:00:00Z")).Should().BeTrue();
    }

    [Fact]
    public void Timestamps_are_compared_as_instants()
    {
        Same(Incoming(s => s["timestamp"] = "2024-03-01T09:15:00+01:00")).Should().BeTrue();
        Same(Incoming(s => s["timestamp"] = "2024-03-01T09:15:00Z")).Should().BeFalse();
    }

    [Fact]
    public void A_different_authority_or_version_when_given_is_a_difference()
    {
        Same(Incoming(s => s["version"] = "1.0.3")).Should().BeFalse();
        Same(Incoming(s => s["authority"] = Node("""{"mbox":"mailto:admin@example.se"}"""))).Should().BeFalse();
        Same(Incoming(s => s["authority"] = Node("""{"account":{"homePage":"https://LMS.example.se","name":"client"}}"""))).Should().BeTrue();
    }

    [Fact]
    public void Member_order_and_defaulted_objectTypes_are_ignored()
    {
        Same(Incoming(s =>
        {
            s["context"]!["team"] = Node("""{"objectType":"Group","member":[{"mbox":"mailto:b@example.se"},{"objectType":"Agent","mbox":"mailto:a@example.se"}]}""");
            s["actor"]!.AsObject().Remove("objectType");
            s["object"]!.AsObject().Remove("objectType");
        })).Should().BeTrue();
    }

    [Fact]
    public void Activity_definitions_verb_display_and_attachments_are_not_part_of_the_statement()
    {
        Same(Incoming(s =>
        {
            s["object"]!["definition"] = Node("""{"name":{"en-US":"Course 1"},"type":"http://example.com/t"}""");
            s["verb"]!["display"] = Node("""{"sv-SE":"slutförde"}""");
            s["attachments"] = Node("""[{"usageType":"http://e.com/u","display":{"en":"x"},"contentType":"text/plain","length":1,"sha2":"ab"}]""");
        })).Should().BeTrue();
        Same(Incoming(s => s["verb"]!.AsObject().Remove("display"))).Should().BeTrue();
    }

    [Fact]
    public void A_single_context_activity_equals_an_array_of_one()
    {
        Same(Incoming(s => s["context"]!["contextActivities"] = Node("""{"parent":{"id":"https://lms.example.se/program","definition":{}}}"""))).Should().BeTrue();
    }

    [Fact]
    public void Case_insensitive_parts_may_differ_in_case()
    {
        Same(Incoming(s =>
        {
            s["actor"]!["mbox"] = "MAILTO:anna@example.SE";
            s["context"]!["registration"] = "EC531277-B57B-4C15-8D91-D292C5B2B8F7";
            s["context"]!["language"] = "SV-se";
            s["verb"]!["id"] = "HTTP://ADLNET.GOV/expapi/verbs/completed";
        })).Should().BeTrue();
    }

    [Fact]
    public void Case_sensitive_parts_may_not_differ_in_case()
    {
        Same(Incoming(s => s["actor"]!["mbox"] = "mailto:ANNA@example.se")).Should().BeFalse();
        Same(Incoming(s => s["verb"]!["id"] = "http://adlnet.gov/expapi/verbs/Completed")).Should().BeFalse();
        Same(Incoming(s => s["actor"]!["name"] = "anna")).Should().BeFalse();
    }

    [Fact]
    public void Object_member_order_and_number_spelling_are_ignored()
    {
        Same(Incoming(s => s["result"] = Node("""{"success":true,"duration":"PT1M0.12S","score":{"raw":5.0,"scaled":0.50}}"""))).Should().BeTrue();
    }

    [Fact]
    public void Durations_are_compared_to_hundredths_of_a_second()
    {
        Same(Incoming(s => s["result"]!["duration"] = "PT1M0.1299S")).Should().BeTrue();
        Same(Incoming(s => s["result"]!["duration"] = "PT1M0.13S")).Should().BeFalse();
        Same(Incoming(s => s["result"]!["duration"] = "PT60.12S")).Should().BeFalse(); // a different string, not converted
    }

    [Fact]
    public void Real_differences_are_detected()
    {
        Same(Incoming(s => s["result"]!["success"] = false)).Should().BeFalse();
        Same(Incoming(s => s["object"]!["id"] = "https://lms.example.se/kurs/2")).Should().BeFalse();
        Same(Incoming(s => s.Remove("result"))).Should().BeFalse();
        Same(Incoming(s => s["context"]!["contextActivities"] = Node("""{"grouping":[{"id":"https://lms.example.se/program"}]}"""))).Should().BeFalse();
        Same(Incoming(s => s["context"]!["team"]!["member"]!.AsArray().RemoveAt(0))).Should().BeFalse();
        Same(Incoming(s => s["result"]!["extensions"] = Node("""{"http://e.com/x":null}"""))).Should().BeFalse();
    }

    [Fact]
    public void Extensions_compare_deeply_with_IRI_keys_normalized()
    {
        var a = Node("""{"actor":{"mbox":"mailto:a@e.se"},"verb":{"id":"http://e.com/v"},"object":{"id":"http://e.com/a"},"context":{"extensions":{"http://E.com/x":{"b":[1,2],"a":null}}}}""");
        var b = Node("""{"actor":{"mbox":"mailto:a@e.se"},"verb":{"id":"http://e.com/v"},"object":{"id":"http://e.com/a"},"context":{"extensions":{"http://e.com/x":{"a":null,"b":[1,2]}}}}""");
        var c = Node("""{"actor":{"mbox":"mailto:a@e.se"},"verb":{"id":"http://e.com/v"},"object":{"id":"http://e.com/a"},"context":{"extensions":{"http://e.com/x":{"a":null,"b":[2,1]}}}}""");
        StatementComparer.AreEquivalent(a, b).Should().BeTrue();
        StatementComparer.AreEquivalent(a, c).Should().BeFalse();
    }

    [Fact]
    public void SubStatements_are_compared_with_the_same_rules()
    {
        const string template = """
            {"actor":{"mbox":"mailto:a@e.se"},"verb":{"id":"http://e.com/v"},
             "object":{"objectType":"SubStatement","actor":{"mbox":"mailto:b@e.se"},"verb":{"id":"http://e.com/w","display":{"en":"%D%"}},
                       "object":{"id":"http://e.com/a","definition":{"name":{"en":"%D%"}}},"timestamp":"%T%"}}
            """;
        JsonNode Make(string display, string ts) => Node(template.Replace("%D%", display).Replace("%T%", ts));
        StatementComparer.AreEquivalent(Make("x", "2024-01-01T00:00:00Z"), Make("y", "2024-01-01T01:00:00+01:00")).Should().BeTrue();
        StatementComparer.AreEquivalent(Make("x", "2024-01-01T00:00:00Z"), Make("x", "2024-01-01T00:00:01Z")).Should().BeFalse();
    }

    [Fact]
    public void Context_agents_compare_agents_by_identity_rules()
    {
        const string template = """
            {"actor":{"mbox":"mailto:a@e.se"},"verb":{"id":"http://e.com/v"},"object":{"id":"http://e.com/a"},
             "context":{"contextAgents":[{"objectType":"contextAgent","agent":%A%,"relevantTypes":["%R%"]}]}}
            """;
        JsonNode Make(string agent, string type) => Node(template.Replace("%A%", agent).Replace("%R%", type));
        StatementComparer.AreEquivalent(Make("""{"mbox":"mailto:x@e.se"}""", "http://e.com/t"), Make("""{"objectType":"Agent","mbox":"mailto:x@E.SE"}""", "HTTP://e.com/t")).Should().BeTrue();
        StatementComparer.AreEquivalent(Make("""{"mbox":"mailto:x@e.se"}""", "http://e.com/t"), Make("""{"mbox":"mailto:y@e.se"}""", "http://e.com/t")).Should().BeFalse();
    }
}
