using System.Text.Json.Nodes;
using Lrs.Core.Competence;
using static Lrs.Core.Tests.CompetenceSamples;

namespace Lrs.Core.Tests;

using Competence = Lrs.Core.Competence.Competence;

public sealed class CompetenceFrameworkTests
{
    private const string Iri = "http://adlnet.gov/expapi/verbs/passed";
    private const string Act = "https://demo.lrsapi.se/xapi/activities/courses/x";

    private static IReadOnlyList<Lrs.Core.Xapi.ValidationError> Errors(string json)
    {
        var (framework, errors) = FrameworkDocument.Parse(JsonNode.Parse(json));
        framework.Should().BeNull("a document with errors gives no framework");
        errors.Should().NotBeEmpty();
        return errors;
    }

    // A valid document around one changed part, so that each case shows only what it breaks.
    private static string Doc(string competences = """[{"id":"a","name":{"sv":"A"}},{"id":"b","name":{"en":"B"}}]""",
        string rules = $$"""[{"id":"r","competence":"a","verbs":["{{Iri}}"],"activities":["{{Act}}"]}]""",
        string roles = """[{"id":"role","name":{"sv":"Roll"},"requirements":[{"competence":"a","level":"required"}]}]""",
        string extra = "") =>
        $$"""{"competences":{{competences}},"rules":{{rules}},"roles":{{roles}}{{extra}}}""";

    [Fact]
    public void A_valid_document_gives_the_framework_it_describes()
    {
        var f = Small;
        f.Competences.Select(c => c.Id).Should().Equal("hygien", "forflyttning", "palliativ", "lakemedel", "insulin");
        f.FindCompetence("hygien").Should().Be(new Competence("hygien", new LocalizedText("Basala hygienrutiner", "Basic hygiene"),
            null, "P1Y", "safety", []));
        f.FindCompetence("insulin")!.Prerequisites.Should().Equal("lakemedel");
        f.FindRule("hygien-test").Should().Be(new AlignmentRule("hygien-test", "hygien", [Passed],
            [Activities + "assessments/basal-hygien"], [], [], SuccessRequired: true, MinScaledScore: 0.8, SignoffRequired: false));
        f.FindRole("underskoterska")!.Requirements.Should().ContainEquivalentOf(
            new RoleRequirement("lakemedel", RequirementLevel.Conditional, "delegated-tasks"));
        f.SignoffVerbs.Should().Equal(Framework.VerifiedVerb);
        f.ReflectionTemplates.Should().BeEmpty();
        f.FindCompetence("nope").Should().BeNull();
        f.FindRole("nope").Should().BeNull();
    }

    [Fact]
    public void An_empty_document_is_an_empty_framework()
    {
        var (framework, errors) = FrameworkDocument.Parse(JsonNode.Parse("{}"));
        errors.Should().BeEmpty();
        framework.Should().Be(Framework.Empty);
        Framework.Empty.SignoffVerbs.Should().Equal("https://w3id.org/xapi/tla/verbs/verified");
    }

    [Fact]
    public void Rules_for_a_verb_come_in_framework_order_and_an_unknown_verb_has_none()
    {
        Small.RulesForVerb(Passed).Select(r => r.Id).Should().Equal("hygien-test", "forflyttning-session", "lakemedel-check", "insulin-check");
        Small.RulesForVerb(Attended).Select(r => r.Id).Should().Equal("forflyttning-session");
        Small.RulesForVerb("http://adlnet.gov/expapi/verbs/experienced").Should().BeEmpty();
        Small.EvidenceVerbs.Should().BeEquivalentTo([Passed, Attended, VideoCompleted]);
    }

    [Fact]
    public void A_copy_with_other_rules_answers_from_its_own_rules()
    {
        Small.RulesForVerb(Passed).Should().NotBeEmpty();
        var copy = Small with { Rules = [.. Small.Rules.Where(r => r.Id == "forflyttning-session")] };
        copy.RulesForVerb(Passed).Select(r => r.Id).Should().Equal("forflyttning-session");
        copy.EvidenceVerbs.Should().BeEquivalentTo([Passed, Attended]);
        Small.RulesForVerb(Passed).Should().HaveCount(4);
    }

    [Fact]
    public void Writing_and_parsing_again_gives_an_equal_framework_and_the_same_document()
    {
        var written = FrameworkDocument.Write(Small);
        var (again, errors) = FrameworkDocument.Parse(written);
        errors.Should().BeEmpty();
        again.Should().Be(Small);
        JsonNode.DeepEquals(FrameworkDocument.Write(again!), written).Should().BeTrue();
        // Defaults are left out.
        written["rules"]![1]!.AsObject().Select(p => p.Key).Should().Equal("id", "competence", "verbs", "activities", "signoffRequired");
        written["competences"]![1]!.AsObject().ContainsKey("description").Should().BeFalse();
    }

    [Fact]
    public void Frameworks_that_differ_in_one_list_item_are_not_equal()
    {
        var other = Small with { Competences = [.. Small.Competences.Select(c => c.Id == "insulin" ? c with { Prerequisites = [] } : c)] };
        other.Should().NotBe(Small);
        (Small with { SignoffVerbs = ["https://example.com/verbs/approved"] }).Should().NotBe(Small);
    }

    [Fact]
    public void Optional_properties_given_as_null_count_as_left_out()
    {
        var json = Doc(
            competences: """[{"id":"a","name":{"sv":"A","en":null},"description":null,"validity":null,"category":null,"prerequisites":null}]""",
            rules: $$"""[{"id":"r","competence":"a","verbs":["{{Iri}}"],"activities":["{{Act}}"],"activityTypes":null,"minScaledScore":null}]""");
        var (framework, errors) = FrameworkDocument.Parse(JsonNode.Parse(json));
        errors.Should().BeEmpty();
        framework!.Competences[0].Should().Be(new Competence("a", new LocalizedText("A", null), null, null, null, []));
        framework.Rules[0].MinScaledScore.Should().BeNull();
    }

    [Theory]
    // The document and unknown properties
    [InlineData("[]", "$", "must be a JSON object")]
    [InlineData("""{"competences":[],"extra":1}""", "$.extra", "is not a property of a framework")]
    [InlineData("""{"competences":{}}""", "$.competences", "must be an array")]
    [InlineData("""{"competences":[1]}""", "$.competences[0]", "must be a JSON object")]
    [InlineData("""{"competences":[{"id":"a","name":{"sv":"A"},"validty":"P1Y"}]}""", "$.competences[0].validty", "is not a property of a competence")]
    [InlineData("""{"competences":[{"id":"a","name":{"sv":"A","de":"A"}}]}""", "$.competences[0].name.de", "is not a property of a text")]
    // Competence ids and names
    [InlineData("""{"competences":[{"name":{"sv":"A"}}]}""", "$.competences[0].id", "is required")]
    [InlineData("""{"competences":[{"id":"Basal_Hygien","name":{"sv":"A"}}]}""", "$.competences[0].id", "lower-case letters")]
    [InlineData("""{"competences":[{"id":"","name":{"sv":"A"}}]}""", "$.competences[0].id", "lower-case letters")]
    [InlineData("""{"competences":[{"id":"abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghijklm","name":{"sv":"A"}}]}""", "$.competences[0].id", "1 to 64")]
    [InlineData("""{"competences":[{"id":7,"name":{"sv":"A"}}]}""", "$.competences[0].id", "must be a string")]
    [InlineData("""{"competences":[{"id":"a","name":{"sv":"A"}},{"id":"a","name":{"sv":"B"}}]}""", "$.competences[1].id", "already has the id 'a'")]
    [InlineData("""{"competences":[{"id":"a"}]}""", "$.competences[0].name", "is required")]
    [InlineData("""{"competences":[{"id":"a","name":{}}]}""", "$.competences[0].name", "Swedish (sv) or an English (en)")]
    [InlineData("""{"competences":[{"id":"a","name":"A"}]}""", "$.competences[0].name", "sv and/or en")]
    [InlineData("""{"competences":[{"id":"a","name":{"sv":""}}]}""", "$.competences[0].name.sv", "must not be empty")]
    [InlineData("""{"competences":[{"id":"a","name":{"sv":"A"},"description":{"fr":"x"}}]}""", "$.competences[0].description", "Swedish (sv) or an English (en)")]
    // Validity
    [InlineData("""{"competences":[{"id":"a","name":{"sv":"A"},"validity":"1 year"}]}""", "$.competences[0].validity", "ISO 8601 duration")]
    [InlineData("""{"competences":[{"id":"a","name":{"sv":"A"},"validity":"P-1Y"}]}""", "$.competences[0].validity", "ISO 8601 duration")]
    [InlineData("""{"competences":[{"id":"a","name":{"sv":"A"},"validity":"P0D"}]}""", "$.competences[0].validity", "longer than zero")]
    [InlineData("""{"competences":[{"id":"a","name":{"sv":"A"},"validity":12}]}""", "$.competences[0].validity", "must be a string")]
    // Prerequisites
    [InlineData("""{"competences":[{"id":"a","name":{"sv":"A"},"prerequisites":["nope"]}]}""", "$.competences[0].prerequisites[0]", "'nope' is not a competence")]
    [InlineData("""{"competences":[{"id":"a","name":{"sv":"A"},"prerequisites":["a"]}]}""", "$.competences[0].prerequisites[0]", "its own prerequisite")]
    [InlineData("""{"competences":[{"id":"a","name":{"sv":"A"},"prerequisites":"b"}]}""", "$.competences[0].prerequisites", "must be an array")]
    [InlineData("""{"competences":[{"id":"a","name":{"sv":"A"},"prerequisites":["b","b"]},{"id":"b","name":{"sv":"B"}}]}""", "$.competences[0].prerequisites[1]", "is listed twice")]
    public void Each_error_is_reported_at_its_path(string json, string path, string message)
    {
        Errors(json).Should().ContainSingle(e => e.Path == path).Which.Message.Should().Contain(message);
    }

    [Theory]
    [InlineData("""[{"id":"r","competence":"nope","verbs":["http://adlnet.gov/expapi/verbs/passed"],"activities":["urn:x:1"]}]""", "$.rules[0].competence", "'nope' is not a competence")]
    [InlineData("""[{"id":"r","verbs":["http://adlnet.gov/expapi/verbs/passed"],"activities":["urn:x:1"]}]""", "$.rules[0].competence", "is required")]
    [InlineData("""[{"id":"r","competence":"a","activities":["urn:x:1"]}]""", "$.rules[0].verbs", "is required")]
    [InlineData("""[{"id":"r","competence":"a","verbs":[],"activities":["urn:x:1"]}]""", "$.rules[0].verbs", "at least one verb")]
    [InlineData("""[{"id":"r","competence":"a","verbs":["passed"],"activities":["urn:x:1"]}]""", "$.rules[0].verbs[0]", "absolute IRI")]
    [InlineData("""[{"id":"r","competence":"a","verbs":["http://adlnet.gov/expapi/verbs/passed"]}]""", "$.rules[0]", "at least one of activities, activityTypes, activityPrefixes")]
    [InlineData("""[{"id":"r","competence":"a","verbs":["http://adlnet.gov/expapi/verbs/passed"],"activities":[],"activityPrefixes":[]}]""", "$.rules[0]", "at least one of activities")]
    [InlineData("""[{"id":"r","competence":"a","verbs":["http://adlnet.gov/expapi/verbs/passed"],"activities":["courses/x"]}]""", "$.rules[0].activities[0]", "absolute IRI")]
    [InlineData("""[{"id":"r","competence":"a","verbs":["http://adlnet.gov/expapi/verbs/passed"],"activityTypes":["http:// x"]}]""", "$.rules[0].activityTypes[0]", "absolute IRI")]
    [InlineData("""[{"id":"r","competence":"a","verbs":["http://adlnet.gov/expapi/verbs/passed"],"activityPrefixes":[7]}]""", "$.rules[0].activityPrefixes[0]", "must be a string")]
    [InlineData("""[{"id":"r","competence":"a","verbs":["http://adlnet.gov/expapi/verbs/passed"],"activities":["urn:x:1"],"minScaledScore":1.5}]""", "$.rules[0].minScaledScore", "between -1 and 1")]
    [InlineData("""[{"id":"r","competence":"a","verbs":["http://adlnet.gov/expapi/verbs/passed"],"activities":["urn:x:1"],"minScaledScore":-1.01}]""", "$.rules[0].minScaledScore", "between -1 and 1")]
    [InlineData("""[{"id":"r","competence":"a","verbs":["http://adlnet.gov/expapi/verbs/passed"],"activities":["urn:x:1"],"minScaledScore":"0.8"}]""", "$.rules[0].minScaledScore", "must be a number")]
    [InlineData("""[{"id":"r","competence":"a","verbs":["http://adlnet.gov/expapi/verbs/passed"],"activities":["urn:x:1"],"successRequired":"yes"}]""", "$.rules[0].successRequired", "true or false")]
    [InlineData("""[{"id":"r","competence":"a","verbs":["http://adlnet.gov/expapi/verbs/passed"],"activities":["urn:x:1"],"signoff":true}]""", "$.rules[0].signoff", "is not a property of a rule")]
    [InlineData("""[{"id":"r","competence":"a","verbs":["http://adlnet.gov/expapi/verbs/passed"],"activities":["urn:x:1"]},{"id":"r","competence":"b","verbs":["http://adlnet.gov/expapi/verbs/passed"],"activities":["urn:x:2"]}]""", "$.rules[1].id", "another rule already has the id 'r'")]
    public void Each_rule_error_is_reported_at_its_path(string rules, string path, string message)
    {
        Errors(Doc(rules: rules)).Should().ContainSingle(e => e.Path == path).Which.Message.Should().Contain(message);
    }

    [Theory]
    [InlineData("""[{"id":"role","name":{"sv":"R"},"requirements":[{"competence":"nope","level":"required"}]}]""", "$.roles[0].requirements[0].competence", "'nope' is not a competence")]
    [InlineData("""[{"id":"role","name":{"sv":"R"},"requirements":[{"competence":"a","level":"mandatory"}]}]""", "$.roles[0].requirements[0].level", "'mandatory' is not a requirement level")]
    [InlineData("""[{"id":"role","name":{"sv":"R"},"requirements":[{"competence":"a","level":"Required"}]}]""", "$.roles[0].requirements[0].level", "is not a requirement level")]
    [InlineData("""[{"id":"role","name":{"sv":"R"},"requirements":[{"competence":"a"}]}]""", "$.roles[0].requirements[0].level", "is required")]
    [InlineData("""[{"id":"role","name":{"sv":"R"},"requirements":[{"competence":"a","level":"conditional"}]}]""", "$.roles[0].requirements[0].duty", "must name the duty")]
    [InlineData("""[{"id":"role","name":{"sv":"R"},"requirements":[{"competence":"a","level":"required","duty":"delegated-tasks"}]}]""", "$.roles[0].requirements[0].duty", "only a conditional requirement")]
    [InlineData("""[{"id":"role","name":{"sv":"R"},"requirements":[{"competence":"a","level":"conditional","duty":"Delegated tasks"}]}]""", "$.roles[0].requirements[0].duty", "lower-case letters")]
    [InlineData("""[{"id":"role","name":{"sv":"R"},"requirements":[{"competence":"a","level":"required"},{"competence":"a","level":"recommended"}]}]""", "$.roles[0].requirements[1].competence", "already has a requirement")]
    [InlineData("""[{"id":"role","name":{"sv":"R"},"requirements":[{"competence":"a","level":"required","why":"x"}]}]""", "$.roles[0].requirements[0].why", "is not a property of a requirement")]
    [InlineData("""[{"id":"role","name":{"sv":"R"}}]""", "$.roles[0].requirements", "is required")]
    [InlineData("""[{"id":"role","requirements":[]}]""", "$.roles[0].name", "is required")]
    [InlineData("""[{"id":"role","name":{"sv":"R"},"requirements":[]},{"id":"role","name":{"sv":"R2"},"requirements":[]}]""", "$.roles[1].id", "another role already has the id 'role'")]
    public void Each_role_error_is_reported_at_its_path(string roles, string path, string message)
    {
        Errors(Doc(roles: roles)).Should().ContainSingle(e => e.Path == path).Which.Message.Should().Contain(message);
    }

    [Theory]
    [InlineData(""","signoffVerbs":[]""", "$.signoffVerbs", "at least one verb")]
    [InlineData(""","signoffVerbs":["verified"]""", "$.signoffVerbs[0]", "absolute IRI")]
    [InlineData(""","signoffVerbs":"https://w3id.org/xapi/tla/verbs/verified" """, "$.signoffVerbs", "must be an array")]
    [InlineData(""","reflectionTemplates":{}""", "$.reflectionTemplates", "must be an array")]
    public void Sign_off_verbs_and_reflection_templates_are_checked(string extra, string path, string message)
    {
        Errors(Doc(extra: extra)).Should().ContainSingle(e => e.Path == path).Which.Message.Should().Contain(message);
    }

    [Fact]
    public void Sign_off_verbs_other_than_the_default_are_kept()
    {
        var f = Parse(Doc(extra: ""","signoffVerbs":["https://example.com/verbs/approved","https://w3id.org/xapi/tla/verbs/verified"]"""));
        f.SignoffVerbs.Should().Equal("https://example.com/verbs/approved", "https://w3id.org/xapi/tla/verbs/verified");
        f.IsSignoffVerb("https://example.com/verbs/approved").Should().BeTrue();
        f.IsSignoffVerb(Passed).Should().BeFalse();
    }

    [Fact]
    public void A_prerequisite_cycle_is_reported_once_where_it_closes()
    {
        var errors = Errors(Doc(competences: """
            [{"id":"a","name":{"sv":"A"},"prerequisites":["b"]},
             {"id":"b","name":{"sv":"B"},"prerequisites":["c"]},
             {"id":"c","name":{"sv":"C"},"prerequisites":["a"]},
             {"id":"d","name":{"sv":"D"},"prerequisites":["a"]}]
            """));
        errors.Should().ContainSingle().Which.Should().Be(
            new Lrs.Core.Xapi.ValidationError("$.competences[2].prerequisites[0]", "prerequisites form a cycle: a → b → c → a"));
    }

    [Fact]
    public void A_chain_of_prerequisites_without_a_cycle_is_accepted()
    {
        var f = Parse(Doc(competences: """
            [{"id":"a","name":{"sv":"A"},"prerequisites":["b","c"]},
             {"id":"b","name":{"sv":"B"},"prerequisites":["c"]},
             {"id":"c","name":{"sv":"C"}}]
            """));
        f.FindCompetence("a")!.Prerequisites.Should().Equal("b", "c");
    }

    [Fact]
    public void Every_error_of_a_document_is_reported_at_once()
    {
        var errors = Errors($$$"""
            {"competences":[{"id":"A","name":{}},{"id":"b","name":{"sv":"B"},"validity":"P1X","prerequisites":["zz"]}],
             "rules":[{"id":"r1","competence":"zz","verbs":[]},{"id":"r1","competence":"b","verbs":["{{{Iri}}}"],"activities":["{{{Act}}}"],"minScaledScore":2}],
             "roles":[{"id":"role","name":{"sv":"R"},"requirements":[{"competence":"b","level":"conditional"}]}],
             "colour":"blue"}
            """);
        errors.Select(e => e.Path).Should().BeEquivalentTo(
            "$.colour",
            "$.competences[0].id",
            "$.competences[0].name",
            "$.competences[1].validity",
            "$.competences[1].prerequisites[0]",
            "$.rules[0].verbs",
            "$.rules[0]",
            "$.rules[0].competence",
            "$.rules[1].minScaledScore",
            "$.rules[1].id",
            "$.roles[0].requirements[0].duty");
    }

    [Fact]
    public void An_entry_that_fails_to_read_does_not_shift_the_paths_of_the_entries_after_it()
    {
        var errors = Errors(Doc(
            competences: """[{"id":"a","name":{"sv":"A"},"prerequisites":[7,"nope","a"]}]""",
            roles: """[{"id":"role","name":{"sv":"R"},"requirements":[{"level":"required"},{"competence":"nope","level":"required"}]}]"""));
        errors.Select(e => e.Path).Should().BeEquivalentTo(
            "$.competences[0].prerequisites[0]",
            "$.competences[0].prerequisites[1]",
            "$.competences[0].prerequisites[2]",
            "$.roles[0].requirements[0].competence",
            "$.roles[0].requirements[1].competence");
        errors.Single(e => e.Path == "$.competences[0].prerequisites[1]").Message.Should().Contain("'nope'");
        errors.Single(e => e.Path == "$.roles[0].requirements[1].competence").Message.Should().Contain("'nope'");
    }

    [Fact]
    public void A_repeated_property_is_an_error_not_an_exception()
    {
        var node = JsonNode.Parse("""{"competences":[],"competences":[]}""");
        var (framework, errors) = FrameworkDocument.Parse(node);
        framework.Should().BeNull();
        errors.Should().ContainSingle().Which.Path.Should().Be("$");
    }

    [Fact]
    public void A_missing_document_is_an_error()
    {
        FrameworkDocument.Parse(null).Errors.Should().ContainSingle().Which.Path.Should().Be("$");
    }

    [Fact]
    public void The_demo_care_framework_parses_without_errors()
    {
        var path = Path.Combine(AppContext.BaseDirectory, "Demo", "care-framework.json");
        var (framework, errors) = FrameworkDocument.Parse(JsonNode.Parse(File.ReadAllText(path)));
        errors.Should().BeEmpty();
        var f = framework!;

        f.Competences.Should().HaveCount(15);
        f.Roles.Select(r => r.Id).Should().Equal(
            "omsorgsassistent", "vardbitrade", "underskoterska", "sjukskoterska", "enhetschef", "verksamhetschef", "handledare");
        f.FindCompetence("deleg-insulin")!.Prerequisites.Should().Equal("deleg-lakemedel");
        f.FindCompetence("brandskydd")!.Validity.Should().Be("P4Y");
        f.FindCompetence("deleg-lakemedel")!.Validity.Should().Be("P1Y");
        f.FindCompetence("vardegrund")!.Validity.Should().BeNull();
        f.Competences.Should().OnlyContain(c => c.Name.Sv != null && c.Name.En != null && c.Description!.Sv != null && c.Description.En != null);

        // Every competence can be evidenced, and every rule selects demo content (or a standard activity type).
        f.Competences.Should().OnlyContain(c => f.Rules.Any(r => r.CompetenceId == c.Id));
        f.Rules.SelectMany(r => r.Activities.Concat(r.ActivityPrefixes)).Should().OnlyContain(a => a.StartsWith(Activities));

        var usk = f.FindRole("underskoterska")!;
        usk.Requirements.Should().ContainEquivalentOf(new RoleRequirement("usk-bevis", RequirementLevel.Required, null));
        usk.Requirements.Should().ContainEquivalentOf(new RoleRequirement("deleg-insulin", RequirementLevel.Conditional, "delegated-tasks"));
        f.FindRole("sjukskoterska")!.Requirements.Should().NotContain(q => q.CompetenceId.StartsWith("deleg-"));
        f.FindRole("verksamhetschef")!.Requirements.Where(q => q.Level == RequirementLevel.Required).Select(q => q.CompetenceId)
            .Should().BeEquivalentTo("vardegrund", "lex-sarah", "brandskydd");
        f.Roles.SelectMany(r => r.Requirements).Where(q => q.Level == RequirementLevel.Conditional)
            .Should().OnlyContain(q => q.Duty == "delegated-tasks");

        FrameworkDocument.Parse(FrameworkDocument.Write(f)).Framework.Should().Be(f);
    }

    [Fact]
    public void The_demo_hygiene_test_is_evidence_only_when_passed_with_at_least_80_percent()
    {
        var path = Path.Combine(AppContext.BaseDirectory, "Demo", "care-framework.json");
        var f = FrameworkDocument.Parse(JsonNode.Parse(File.ReadAllText(path))).Framework!;
        var test = Activities + "assessments/basal-hygien";
        EvidenceExtractor.Extract(f, Statement(Passed, test, result: new JsonObject { ["success"] = true, ["score"] = new JsonObject { ["scaled"] = 0.8 } }))
            .Should().ContainSingle().Which.Should().Match<EvidenceFound>(e =>
                e.CompetenceId == "basal-hygien" && e.ExpiresAt == new DateTimeOffset(2026, 3, 10, 9, 0, 0, TimeSpan.Zero));
        EvidenceExtractor.Extract(f, Statement(Passed, test, result: new JsonObject { ["success"] = true, ["score"] = new JsonObject { ["scaled"] = 0.7 } }))
            .Should().BeEmpty();
    }
}
