using System.Text.Json.Nodes;
using Lrs.Core.Competence;
using Lrs.Core.Reflection;
using Lrs.Core.Xapi;
using static Lrs.Core.Tests.CompetenceSamples;

namespace Lrs.Core.Tests;

/// <summary>
/// Storage reads a statement as a tree for the framework only when <see cref="Framework.Reads"/> says it may give something:
/// it must say so of every statement that gives evidence, a task, a sign-off or an answer, and may pass over the others.
/// </summary>
public sealed class FrameworkReadsTests
{
    private const string Experienced = "http://adlnet.gov/expapi/verbs/experienced";
    private const string Webinars = Activities + "webinars/";
    private const string WebinarType = "http://id.tincanapi.com/activitytype/webinar";
    private const string PalliativeVideo = "https://demo.lrsapi.se/xapi/activity-types/palliative-video";

    // The small framework with a template of each kind of trigger, and a sign-off verb.
    private static readonly Framework Framework = Small with
    {
        SignoffVerbs = [Verified],
        ReflectionTemplates =
        [
            Template("hygien-reflektion", ReflectionTrigger.ForCompetence("hygien")),
            Template("webbinarium-prefix", ReflectionTrigger.ForStatements([Attended], activityPrefixes: [Webinars])),
            Template("kurs-x", ReflectionTrigger.ForStatements([Completed], activities: [Activities + "courses/x"])),
            Template("webbinarium-typ", ReflectionTrigger.ForStatements([Attended, Completed], activityTypes: [WebinarType])),
        ],
    };

    private static ReflectionTemplate Template(string id, ReflectionTrigger trigger) =>
        new(id, new LocalizedText(id, null), [new ReflectionPrompt("p", new LocalizedText("Varför?", "Why?"))], trigger, ReflectionMode.Individual, "P14D");

    private static readonly string[] Verbs = [Passed, Completed, Attended, VideoCompleted, Verified, Experienced, ReflectionStatements.AnsweredVerb];

    // Objects: listed, prefixed and typed activities, activities no rule or trigger selects, and objects that are no activity.
    private static readonly string[] Objects =
    [
        $$$"""{"id":"{{{Activities}}}assessments/basal-hygien"}""",
        $$$"""{"objectType":"Activity","id":"{{{Activities}}}sessions/forflyttning"}""",
        $$$"""{"id":"{{{Activities}}}videos/palliativ-vard/2025-03-04"}""",
        $$$"""{"id":"{{{Activities}}}videos/other","definition":{"type":"{{{PalliativeVideo}}}"}}""",
        $$$$"""{"id":"{{{{Activities}}}}courses/x","definition":{"name":{"sv-SE":"X"}}}""",
        $$$"""{"id":"{{{Webinars}}}2025-03-04"}""",
        $$$"""{"id":"{{{Activities}}}elsewhere","definition":{"type":"{{{WebinarType}}}"}}""",
        $$$"""{"id":"{{{Activities}}}elsewhere","definition":{"type":"https://x.se/other-type"}}""",
        $$$"""{"id":"{{{Activities}}}assessments/basal-hygien-v2"}""",
        """{"objectType":"StatementRef","id":"6fe4f2a4-3c37-4a36-b1b6-5d5f6b3a3d10"}""",
        """{"objectType":"Agent","mbox":"mailto:bertil@example.se"}""",
        $$$"""{"objectType":"SubStatement","actor":{"mbox":"mailto:anna@example.se"},"verb":{"id":"{{{Passed}}}"},"object":{"id":"{{{Activities}}}assessments/basal-hygien"}}""",
    ];

    private static readonly string[] Results =
    [
        "",
        ""","result":{"success":true,"score":{"scaled":0.9},"response":"Jag lärde mig mycket."}""",
    ];

    private static readonly string Context =
        $$$""","context":{"registration":"6fe4f2a4-3c37-4a36-b1b6-5d5f6b3a3d11","statement":{"objectType":"StatementRef","id":"6fe4f2a4-3c37-4a36-b1b6-5d5f6b3a3d10"},"instructor":{"name":"Åsa \"Ö\" <x>","mbox":"mailto:asa@example.se"},"contextActivities":{"grouping":[{"id":"{{{Activities}}}assessments/basal-hygien"}],"category":[{"id":"https://lrsapi.se/xapi/reflection/templates/kurs-x"}],"other":[{"id":"https://lrsapi.se/xapi/reflection/templates/kurs-x/prompts/p"}]}}""";

    [Fact]
    public void Every_statement_that_gives_something_is_read_and_statements_no_rule_or_trigger_selects_are_not()
    {
        var (read, passedOver) = (0, 0);
        foreach (var verb in Verbs)
            foreach (var obj in Objects)
                foreach (var result in Results)
                    foreach (var context in new[] { "", Context })
                    {
                        var text = "{\"actor\":{\"mbox\":\"mailto:anna@example.se\",\"name\":\"Anna Ångström\"},\"verb\":{\"id\":\"" + verb + "\"},\"object\":" + obj + result + context + "}";
                        var sent = (JsonObject)JsonNode.Parse(text)!;
                        StatementValidator.Validate(sent, XapiVersion.V103).Should().BeEmpty(text);
                        var prepared = StatementPreparer.Prepare(sent, XapiVersion.V103, DateTimeOffset.UtcNow,
                            new JsonObject { ["mbox"] = "mailto:lms@example.se" });

                        // Preparation reads the object activity as the tree does.
                        var isActivity = ActivitySelection.TryReadActivity(prepared.Node, out var activityId, out var activityType);
                        (prepared.ActivityId, prepared.ActivityType).Should().Be((isActivity ? activityId : null, activityType), text);
                        // The view storage reads gives what the whole tree gives, text for text.
                        var evidence = EvidenceExtractor.Extract(Framework, prepared.Node);
                        EvidenceExtractor.Extract(Framework, prepared.View).Should().Equal(evidence, text);
                        ReflectionTriggers.Match(Framework, prepared.View, evidence, prepared.Verb)
                            .Should().Equal(ReflectionTriggers.Match(Framework, prepared.Node, evidence, prepared.Verb), text);
                        Signoffs.Recognise(Framework, prepared.View).Should().Be(Signoffs.Recognise(Framework, prepared.Node), text);
                        AnswerFound.Recognise(prepared.View, prepared.Verb).Should().BeEquivalentTo(AnswerFound.Recognise(prepared.Node, prepared.Verb), text);
                        ReflectionStatements.TrainingActivity(prepared.View)?.ToJsonString().Should().Be(ReflectionStatements.TrainingActivity(prepared.Node)?.ToJsonString());
                        var gives = evidence.Count > 0
                            || ReflectionTriggers.Match(Framework, prepared.Node, evidence, prepared.Verb).Count > 0
                            || Signoffs.Recognise(Framework, prepared.Node) is not null
                            || AnswerFound.Recognise(prepared.Node, prepared.Verb) is not null;
                        var reads = Framework.Reads(prepared);
                        if (gives) reads.Should().BeTrue(text);
                        if (reads) read++;
                        else passedOver++;
                    }
        read.Should().BeGreaterThan(0);
        passedOver.Should().BeGreaterThan(read, "most verb and object pairs select nothing");
    }

    [Theory]
    [InlineData(Experienced, $$$"""{"id":"{{{Activities}}}assessments/basal-hygien"}""", false)]
    [InlineData(Passed, $$$"""{"id":"{{{Activities}}}assessments/basal-hygien-v2"}""", false)]
    [InlineData(Passed, """{"objectType":"Agent","mbox":"mailto:bertil@example.se"}""", false)]
    [InlineData(Passed, $$$"""{"id":"{{{Activities}}}assessments/basal-hygien"}""", true)]
    [InlineData(VideoCompleted, $$$"""{"id":"{{{Activities}}}videos/other","definition":{"type":"{{{PalliativeVideo}}}"}}""", true)]
    [InlineData(VideoCompleted, $$$"""{"id":"{{{Activities}}}videos/other","definition":{"type":"https://x.se/other-type"}}""", false)]
    [InlineData(Completed, $$$"""{"id":"{{{Activities}}}elsewhere","definition":{"type":"{{{WebinarType}}}"}}""", true)]
    [InlineData(Attended, $$$"""{"id":"{{{Webinars}}}2025-03-04"}""", true)]
    [InlineData(Experienced, """{"objectType":"StatementRef","id":"6fe4f2a4-3c37-4a36-b1b6-5d5f6b3a3d10"}""", true)]
    [InlineData(ReflectionStatements.AnsweredVerb, $$$"""{"id":"{{{Activities}}}elsewhere"}""", true)]
    public void A_statement_is_read_by_its_verb_and_its_object(string verb, string obj, bool reads)
    {
        var sent = (JsonObject)JsonNode.Parse("{\"actor\":{\"mbox\":\"mailto:anna@example.se\"},\"verb\":{\"id\":\"" + verb + "\"},\"object\":" + obj + "}")!;
        var prepared = StatementPreparer.Prepare(sent, XapiVersion.V103, DateTimeOffset.UtcNow, new JsonObject { ["mbox"] = "mailto:lms@example.se" });
        Framework.Reads(prepared).Should().Be(reads);
        Framework.Empty.Reads(prepared).Should().Be(prepared.RefTarget is not null || verb == ReflectionStatements.AnsweredVerb);
    }
}
