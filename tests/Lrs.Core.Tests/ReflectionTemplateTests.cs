using System.Text.Json.Nodes;
using Lrs.Core.Competence;
using Lrs.Core.Reflection;
using static Lrs.Core.Tests.CompetenceSamples;

namespace Lrs.Core.Tests;

public sealed class ReflectionTemplateTests
{
    private const string Webinars = Activities + "webinars/";

    private const string Hygiene = """
        {"id":"hygien-reflektion","title":{"sv":"Reflektion: hygien","en":"Reflection: hygiene"},
         "prompts":[{"id":"handtvatt","text":{"sv":"Varför handtvätt?","en":"Why hand washing?"}},
                    {"id":"handskar","text":{"sv":"Samma handskar?"}}],
         "trigger":{"competence":"hygien"},"mode":"individual","dueIn":"P14D"}
        """;

    private const string Webinar = $$$"""
        {"id":"webbinarium-apt","title":{"en":"After a webinar"},
         "prompts":[{"id":"lardom","text":{"sv":"Vad tar vi med oss?"}}],
         "trigger":{"verbs":["{{{Attended}}}"],"activityPrefixes":["{{{Webinars}}}"],"activityTypes":["http://id.tincanapi.com/activitytype/webinar"]},
         "mode":"group","dueIn":"P1M"}
        """;

    // The small framework of the competence tests with the given templates.
    private static string Doc(string templates)
    {
        var doc = JsonNode.Parse(SmallFramework)!.AsObject();
        doc["reflectionTemplates"] = JsonNode.Parse(templates);
        return doc.ToJsonString();
    }

    private static IReadOnlyList<Lrs.Core.Xapi.ValidationError> Errors(string templates)
    {
        var (framework, errors) = FrameworkDocument.Parse(JsonNode.Parse(Doc(templates)));
        framework.Should().BeNull("a document with errors gives no framework");
        errors.Should().NotBeEmpty();
        return errors;
    }

    [Fact]
    public void Templates_are_read_into_the_typed_model()
    {
        var f = Parse(Doc($"[{Hygiene},{Webinar}]"));

        f.ReflectionTemplates.Should().Equal(
            new ReflectionTemplate("hygien-reflektion", new LocalizedText("Reflektion: hygien", "Reflection: hygiene"),
                [new ReflectionPrompt("handtvatt", new LocalizedText("Varför handtvätt?", "Why hand washing?")),
                 new ReflectionPrompt("handskar", new LocalizedText("Samma handskar?", null))],
                ReflectionTrigger.ForCompetence("hygien"), ReflectionMode.Individual, "P14D"),
            new ReflectionTemplate("webbinarium-apt", new LocalizedText(null, "After a webinar"),
                [new ReflectionPrompt("lardom", new LocalizedText("Vad tar vi med oss?", null))],
                new ReflectionTrigger(null, [Attended], [], ["http://id.tincanapi.com/activitytype/webinar"], [Webinars]),
                ReflectionMode.Group, "P1M"));
        f.FindReflectionTemplate("webbinarium-apt")!.FindPrompt("lardom")!.Text.Sv.Should().Be("Vad tar vi med oss?");
        f.FindReflectionTemplate("hygien-reflektion")!.FindPrompt("nope").Should().BeNull();
        f.FindReflectionTemplate("nope").Should().BeNull();
        f.ReflectionTemplatesForCompetence("hygien").Select(t => t.Id).Should().Equal("hygien-reflektion");
        f.ReflectionTemplatesForCompetence("palliativ").Should().BeEmpty();
        f.ReflectionTemplatesForVerb(Attended).Select(t => t.Id).Should().Equal("webbinarium-apt");
        f.ReflectionTemplatesForVerb(Passed).Should().BeEmpty("a competence trigger is not looked up by verb");
    }

    [Fact]
    public void Writing_and_parsing_again_gives_an_equal_framework_and_the_same_document()
    {
        var f = Parse(Doc($"[{Hygiene},{Webinar}]"));
        var written = FrameworkDocument.Write(f);
        var (again, errors) = FrameworkDocument.Parse(written);
        errors.Should().BeEmpty();
        again.Should().Be(f);
        JsonNode.DeepEquals(FrameworkDocument.Write(again!), written).Should().BeTrue();

        JsonNode.DeepEquals(written["reflectionTemplates"]![0], JsonNode.Parse(Hygiene)).Should().BeTrue("it is written in the shape it is read");
        written["reflectionTemplates"]![1]!["trigger"]!.AsObject().Select(p => p.Key).Should().Equal("verbs", "activityTypes", "activityPrefixes");
        FrameworkDocument.Write(Small).ContainsKey("reflectionTemplates").Should().BeFalse("a framework without templates writes none");
    }

    [Fact]
    public void Frameworks_that_differ_in_a_template_are_not_equal_and_a_copy_answers_from_its_own_templates()
    {
        var f = Parse(Doc($"[{Hygiene},{Webinar}]"));
        var changed = f with { ReflectionTemplates = [.. f.ReflectionTemplates.Select(t => t.Id == "hygien-reflektion" ? t with { DueIn = "P15D" } : t)] };
        changed.Should().NotBe(f);
        changed.FindReflectionTemplate("hygien-reflektion")!.DueIn.Should().Be("P15D");
        f.FindReflectionTemplate("hygien-reflektion")!.DueIn.Should().Be("P14D");
        (f with { ReflectionTemplates = [] }).Should().Be(Small);
        var fewer = f with { ReflectionTemplates = [f.ReflectionTemplates[0]] };
        fewer.ReflectionTemplatesForVerb(Attended).Should().BeEmpty();
        f.ReflectionTemplatesForVerb(Attended).Should().HaveCount(1);
    }

    [Theory]
    [InlineData("""[1]""", "$.reflectionTemplates[0]", "must be a JSON object")]
    [InlineData("""[{"title":{"sv":"T"},"prompts":[{"id":"p","text":{"sv":"?"}}],"trigger":{"competence":"hygien"},"mode":"individual","dueIn":"P14D"}]""", "$.reflectionTemplates[0].id", "is required")]
    [InlineData("""[{"id":"Hygien_1","title":{"sv":"T"},"prompts":[{"id":"p","text":{"sv":"?"}}],"trigger":{"competence":"hygien"},"mode":"individual","dueIn":"P14D"}]""", "$.reflectionTemplates[0].id", "lower-case letters")]
    [InlineData("""[{"id":"t","title":{"sv":"T"},"prompts":[{"id":"p","text":{"sv":"?"}}],"trigger":{"competence":"hygien"},"mode":"individual","dueIn":"P14D","due":"P1D"}]""", "$.reflectionTemplates[0].due", "is not a property of a reflection template")]
    // Titles and prompts
    [InlineData("""[{"id":"t","prompts":[{"id":"p","text":{"sv":"?"}}],"trigger":{"competence":"hygien"},"mode":"individual","dueIn":"P14D"}]""", "$.reflectionTemplates[0].title", "is required")]
    [InlineData("""[{"id":"t","title":{},"prompts":[{"id":"p","text":{"sv":"?"}}],"trigger":{"competence":"hygien"},"mode":"individual","dueIn":"P14D"}]""", "$.reflectionTemplates[0].title", "Swedish (sv) or an English (en)")]
    [InlineData("""[{"id":"t","title":{"sv":"T","de":"T"},"prompts":[{"id":"p","text":{"sv":"?"}}],"trigger":{"competence":"hygien"},"mode":"individual","dueIn":"P14D"}]""", "$.reflectionTemplates[0].title.de", "is not a property of a text")]
    [InlineData("""[{"id":"t","title":{"sv":"T"},"trigger":{"competence":"hygien"},"mode":"individual","dueIn":"P14D"}]""", "$.reflectionTemplates[0].prompts", "is required")]
    [InlineData("""[{"id":"t","title":{"sv":"T"},"prompts":[],"trigger":{"competence":"hygien"},"mode":"individual","dueIn":"P14D"}]""", "$.reflectionTemplates[0].prompts", "at least one prompt")]
    [InlineData("""[{"id":"t","title":{"sv":"T"},"prompts":"Varför?","trigger":{"competence":"hygien"},"mode":"individual","dueIn":"P14D"}]""", "$.reflectionTemplates[0].prompts", "must be an array")]
    [InlineData("""[{"id":"t","title":{"sv":"T"},"prompts":["Varför?"],"trigger":{"competence":"hygien"},"mode":"individual","dueIn":"P14D"}]""", "$.reflectionTemplates[0].prompts[0]", "a prompt must be a JSON object")]
    [InlineData("""[{"id":"t","title":{"sv":"T"},"prompts":[{"id":"p"}],"trigger":{"competence":"hygien"},"mode":"individual","dueIn":"P14D"}]""", "$.reflectionTemplates[0].prompts[0].text", "is required")]
    [InlineData("""[{"id":"t","title":{"sv":"T"},"prompts":[{"text":{"sv":"?"}}],"trigger":{"competence":"hygien"},"mode":"individual","dueIn":"P14D"}]""", "$.reflectionTemplates[0].prompts[0].id", "is required")]
    [InlineData("""[{"id":"t","title":{"sv":"T"},"prompts":[{"id":"p","text":{"sv":""}}],"trigger":{"competence":"hygien"},"mode":"individual","dueIn":"P14D"}]""", "$.reflectionTemplates[0].prompts[0].text.sv", "must not be empty")]
    [InlineData("""[{"id":"t","title":{"sv":"T"},"prompts":[{"id":"p","text":{"sv":"?"},"question":"?"}],"trigger":{"competence":"hygien"},"mode":"individual","dueIn":"P14D"}]""", "$.reflectionTemplates[0].prompts[0].question", "is not a property of a prompt")]
    [InlineData("""[{"id":"t","title":{"sv":"T"},"prompts":[{"id":"p","text":{"sv":"?"}},{"id":"q","text":{"sv":"?"}},{"id":"p","text":{"sv":"!"}}],"trigger":{"competence":"hygien"},"mode":"individual","dueIn":"P14D"}]""", "$.reflectionTemplates[0].prompts[2].id", "another prompt of this template already has the id 'p'")]
    // Triggers
    [InlineData("""[{"id":"t","title":{"sv":"T"},"prompts":[{"id":"p","text":{"sv":"?"}}],"mode":"individual","dueIn":"P14D"}]""", "$.reflectionTemplates[0].trigger", "is required")]
    [InlineData("""[{"id":"t","title":{"sv":"T"},"prompts":[{"id":"p","text":{"sv":"?"}}],"trigger":"hygien","mode":"individual","dueIn":"P14D"}]""", "$.reflectionTemplates[0].trigger", "must be an object")]
    [InlineData("""[{"id":"t","title":{"sv":"T"},"prompts":[{"id":"p","text":{"sv":"?"}}],"trigger":{"competence":"nope"},"mode":"individual","dueIn":"P14D"}]""", "$.reflectionTemplates[0].trigger.competence", "'nope' is not a competence of the framework")]
    [InlineData("""[{"id":"t","title":{"sv":"T"},"prompts":[{"id":"p","text":{"sv":"?"}}],"trigger":{"competence":"Hygien"},"mode":"individual","dueIn":"P14D"}]""", "$.reflectionTemplates[0].trigger.competence", "must be a competence id")]
    [InlineData("""[{"id":"t","title":{"sv":"T"},"prompts":[{"id":"p","text":{"sv":"?"}}],"trigger":{"competence":"hygien","verbs":["http://adlnet.gov/expapi/verbs/attended"],"activities":["urn:x:1"]},"mode":"individual","dueIn":"P14D"}]""", "$.reflectionTemplates[0].trigger", "either a competence or verbs with activities, not both")]
    [InlineData("""[{"id":"t","title":{"sv":"T"},"prompts":[{"id":"p","text":{"sv":"?"}}],"trigger":{},"mode":"individual","dueIn":"P14D"}]""", "$.reflectionTemplates[0].trigger", "must name a competence, or verbs")]
    [InlineData("""[{"id":"t","title":{"sv":"T"},"prompts":[{"id":"p","text":{"sv":"?"}}],"trigger":{"verbs":["http://adlnet.gov/expapi/verbs/attended"]},"mode":"individual","dueIn":"P14D"}]""", "$.reflectionTemplates[0].trigger", "at least one of activities, activityTypes, activityPrefixes")]
    [InlineData("""[{"id":"t","title":{"sv":"T"},"prompts":[{"id":"p","text":{"sv":"?"}}],"trigger":{"activities":["urn:x:1"]},"mode":"individual","dueIn":"P14D"}]""", "$.reflectionTemplates[0].trigger.verbs", "is required")]
    [InlineData("""[{"id":"t","title":{"sv":"T"},"prompts":[{"id":"p","text":{"sv":"?"}}],"trigger":{"verbs":[],"activities":["urn:x:1"]},"mode":"individual","dueIn":"P14D"}]""", "$.reflectionTemplates[0].trigger.verbs", "at least one verb")]
    [InlineData("""[{"id":"t","title":{"sv":"T"},"prompts":[{"id":"p","text":{"sv":"?"}}],"trigger":{"verbs":["attended"],"activities":["urn:x:1"]},"mode":"individual","dueIn":"P14D"}]""", "$.reflectionTemplates[0].trigger.verbs[0]", "absolute IRI")]
    [InlineData("""[{"id":"t","title":{"sv":"T"},"prompts":[{"id":"p","text":{"sv":"?"}}],"trigger":{"verbs":["http://adlnet.gov/expapi/verbs/attended"],"activityPrefixes":[7]},"mode":"individual","dueIn":"P14D"}]""", "$.reflectionTemplates[0].trigger.activityPrefixes[0]", "must be a string")]
    [InlineData("""[{"id":"t","title":{"sv":"T"},"prompts":[{"id":"p","text":{"sv":"?"}}],"trigger":{"verbs":["http://adlnet.gov/expapi/verbs/attended"],"activities":["urn:x:1"],"successRequired":true},"mode":"individual","dueIn":"P14D"}]""", "$.reflectionTemplates[0].trigger.successRequired", "is not a property of a trigger")]
    // Mode and due time
    [InlineData("""[{"id":"t","title":{"sv":"T"},"prompts":[{"id":"p","text":{"sv":"?"}}],"trigger":{"competence":"hygien"},"dueIn":"P14D"}]""", "$.reflectionTemplates[0].mode", "is required")]
    [InlineData("""[{"id":"t","title":{"sv":"T"},"prompts":[{"id":"p","text":{"sv":"?"}}],"trigger":{"competence":"hygien"},"mode":"Group","dueIn":"P14D"}]""", "$.reflectionTemplates[0].mode", "'Group' is not a reflection mode")]
    [InlineData("""[{"id":"t","title":{"sv":"T"},"prompts":[{"id":"p","text":{"sv":"?"}}],"trigger":{"competence":"hygien"},"mode":"individual"}]""", "$.reflectionTemplates[0].dueIn", "is required")]
    [InlineData("""[{"id":"t","title":{"sv":"T"},"prompts":[{"id":"p","text":{"sv":"?"}}],"trigger":{"competence":"hygien"},"mode":"individual","dueIn":"14 days"}]""", "$.reflectionTemplates[0].dueIn", "ISO 8601 duration")]
    [InlineData("""[{"id":"t","title":{"sv":"T"},"prompts":[{"id":"p","text":{"sv":"?"}}],"trigger":{"competence":"hygien"},"mode":"individual","dueIn":"P0D"}]""", "$.reflectionTemplates[0].dueIn", "longer than zero")]
    [InlineData("""[{"id":"t","title":{"sv":"T"},"prompts":[{"id":"p","text":{"sv":"?"}}],"trigger":{"competence":"hygien"},"mode":"individual","dueIn":14}]""", "$.reflectionTemplates[0].dueIn", "must be a string")]
    public void Each_template_error_is_reported_at_its_path(string templates, string path, string message)
    {
        Errors(templates).Should().ContainSingle(e => e.Path == path).Which.Message.Should().Contain(message);
    }

    [Fact]
    public void Two_templates_with_one_id_are_refused_at_the_second()
    {
        Errors($"[{Hygiene},{Webinar},{Hygiene}]").Should().ContainSingle().Which.Should().Be(
            new Lrs.Core.Xapi.ValidationError("$.reflectionTemplates[2].id", "another reflection template already has the id 'hygien-reflektion'"));
    }

    [Fact]
    public void An_entry_that_fails_to_read_does_not_shift_the_paths_after_it_and_every_error_is_reported()
    {
        var broken = Hygiene.Replace("\"hygien\"}", "\"nope\"}").Replace("\"P14D\"", "\"P1X\"");
        Errors($"[7,{Webinar},{broken}]").Select(e => e.Path).Should().BeEquivalentTo(
            "$.reflectionTemplates[0]",
            "$.reflectionTemplates[2].dueIn",
            "$.reflectionTemplates[2].trigger.competence");
    }

    [Fact]
    public void Removing_a_competence_that_a_template_is_triggered_by_makes_the_framework_invalid()
    {
        var document = FrameworkDocument.Write(Parse(Doc($"[{Webinar},{Hygiene}]")));
        var competences = document["competences"]!.AsArray();
        competences.Remove(competences.Single(c => c!["id"]!.GetValue<string>() == "hygien"));
        document["rules"]!.AsArray().Remove(document["rules"]!.AsArray().Single(r => r!["id"]!.GetValue<string>() == "hygien-test"));
        document["roles"] = new JsonArray();

        FrameworkDocument.Parse(document).Errors.Should().ContainSingle().Which.Should().Be(
            new Lrs.Core.Xapi.ValidationError("$.reflectionTemplates[1].trigger.competence", "'hygien' is not a competence of the framework"));
    }

    [Fact]
    public void Reflection_templates_given_as_null_or_an_empty_list_are_none()
    {
        Parse(Doc("null")).Should().Be(Small);
        Parse(Doc("[]")).ReflectionTemplates.Should().BeEmpty();
    }

    [Fact]
    public void The_demo_care_framework_has_the_prompts_of_the_domain_in_four_templates_and_two_follow_up_questions_eight_weeks_on()
    {
        var path = Path.Combine(AppContext.BaseDirectory, "Demo", "care-framework.json");
        var f = FrameworkDocument.Parse(JsonNode.Parse(File.ReadAllText(path))).Framework!;

        f.ReflectionTemplates.Select(t => (t.Id, t.Trigger.CompetenceId, t.Mode, t.DueIn, t.Prompts.Count, t.Kind, t.Delay)).Should().Equal(
            ("basal-hygien-reflektion", "basal-hygien", ReflectionMode.Individual, "P14D", 2, ReflectionTemplateKind.Reflection, null),
            ("forflyttning-reflektion", "forflyttning", ReflectionMode.Individual, "P14D", 2, ReflectionTemplateKind.Reflection, null),
            ("demens-abc-apt", "demens-abc", ReflectionMode.Group, "P30D", 1, ReflectionTemplateKind.Reflection, null),
            ("vardegrund-apt", "vardegrund", ReflectionMode.Group, "P30D", 1, ReflectionTemplateKind.Reflection, null),
            ("forflyttning-uppfoljning", "forflyttning", ReflectionMode.Individual, "P14D", 1, ReflectionTemplateKind.FollowUp, "P8W"),
            ("demens-abc-uppfoljning", "demens-abc", ReflectionMode.Individual, "P14D", 1, ReflectionTemplateKind.FollowUp, (string?)"P8W"));
        f.ReflectionTemplates.Where(t => !t.IsFollowUp).SelectMany(t => t.Prompts).Select(p => p.Text.Sv).Should().Equal(
            "Varför är det viktigt att följa hygienrutiner kring handtvätt?",
            "Vad kan hända om du använder samma handskar när du hjälper olika brukare?",
            "Varför är det viktigt att vårdtagaren görs delaktig i samband med förflyttningar?",
            "Hur kan förflyttningar under tidspress bli en risk?",
            "Beskriv en situation där en person med demenssjukdom blev orolig. Vad kan ha orsakat det, och hur kan vi i arbetsgruppen bemöta det nästa gång?",
            "Hur kan vi i vardagen respektera den äldres självbestämmande och integritet, även när det tar längre tid?");
        f.ReflectionTemplates.Where(t => t.IsFollowUp).Select(t => t.Prompts[0].Text.Sv).Should().Equal(
            "Har du använt förflyttningstekniken i ditt arbete sedan utbildningen?",
            "Har du använt det du lärde dig i Demens ABC i bemötandet av personer med demenssjukdom sedan utbildningen?");
        f.ReflectionTemplates.Should().OnlyContain(t => t.Title.Sv != null && t.Title.En != null
            && t.Prompts.All(p => p.Text.Sv != null && p.Text.En != null));

        // A passed hygiene test gives a task due two weeks later.
        var test = Statement(Passed, Activities + "assessments/basal-hygien",
            result: new JsonObject { ["success"] = true, ["score"] = new JsonObject { ["scaled"] = 0.9 } });
        ReflectionTriggers.Match(f, test, EvidenceExtractor.Extract(f, test)).Should().ContainSingle().Which.Should().Match<TaskTrigger>(t =>
            t.TemplateId == "basal-hygien-reflektion" && t.AgentKey == Key("anna")
            && t.DueAt == new DateTimeOffset(2025, 3, 24, 9, 0, 0, TimeSpan.Zero));

        // A Demens ABC study day passed gives the workplace meeting's task now and the follow-up question eight weeks later.
        var studyDay = Statement(Passed, Activities + "sessions/demens-abc");
        ReflectionTriggers.Match(f, studyDay, EvidenceExtractor.Extract(f, studyDay)).Select(t => (t.TemplateId, t.AvailableFrom)).Should().BeEquivalentTo(
            [("demens-abc-apt", new DateTimeOffset(2025, 3, 10, 9, 0, 0, TimeSpan.Zero)), ("demens-abc-uppfoljning", new DateTimeOffset(2025, 5, 5, 9, 0, 0, TimeSpan.Zero))]);
    }
}
