using System.Text.Json.Nodes;
using Lrs.Core.Competence;
using Lrs.Core.Reflection;
using static Lrs.Core.Tests.CompetenceSamples;

namespace Lrs.Core.Tests;

public sealed class ReflectionTriggerTests
{
    private const string Webinars = Activities + "webinars/";
    private const string WebinarType = "http://id.tincanapi.com/activitytype/webinar";

    // The small framework of the competence tests with a template of each kind of trigger.
    private static readonly Framework Framework = Small with
    {
        ReflectionTemplates =
        [
            Template("hygien-reflektion", ReflectionTrigger.ForCompetence("hygien"), "P14D"),
            Template("forflyttning-reflektion", ReflectionTrigger.ForCompetence("forflyttning"), "P1M"),
            Template("webbinarium-prefix", ReflectionTrigger.ForStatements([Attended], activityPrefixes: [Webinars]), "P2W", ReflectionMode.Group),
            Template("kurs-x", ReflectionTrigger.ForStatements([Completed], activities: [Activities + "courses/x"]), "PT36H"),
            Template("webbinarium-typ", ReflectionTrigger.ForStatements([Attended, Completed], activityTypes: [WebinarType]), "P1Y"),
        ],
    };

    private static ReflectionTemplate Template(string id, ReflectionTrigger trigger, string dueIn, ReflectionMode mode = ReflectionMode.Individual) =>
        new(id, new LocalizedText(id, null), [new ReflectionPrompt("p", new LocalizedText("Varför?", "Why?"))], trigger, mode, dueIn);

    private static IReadOnlyList<TaskTrigger> Match(JsonObject statement) =>
        ReflectionTriggers.Match(Framework, statement, EvidenceExtractor.Extract(Framework, statement));

    private static JsonObject PassedHygieneTest(string timestamp = "2025-03-10T09:00:00.000Z", JsonNode? actor = null, JsonObject? context = null) =>
        Statement(Passed, Activities + "assessments/basal-hygien", timestamp, actor,
            result: new JsonObject { ["success"] = true, ["score"] = new JsonObject { ["scaled"] = 0.9 } }, context: context);

    // Anna twice and a member without an identifier besides Bertil.
    private static JsonObject Group() => new()
    {
        ["objectType"] = "Group",
        ["name"] = "Arbetslag",
        ["member"] = new JsonArray(Agent("anna"), Agent("bertil"), Agent("anna"), new JsonObject { ["name"] = "utan id" }),
    };

    private static Guid Id(JsonObject statement) => Guid.Parse(statement["id"]!.GetValue<string>());

    [Fact]
    public void Evidence_of_a_competence_triggers_its_template_for_the_agent_with_the_registration_and_the_due_date()
    {
        var registration = Guid.NewGuid();
        var statement = PassedHygieneTest(context: new JsonObject { ["registration"] = registration.ToString() });

        Match(statement).Should().Equal(new TaskTrigger("hygien-reflektion", Key("anna"), registration, Id(statement),
            new DateTimeOffset(2025, 3, 10, 9, 0, 0, TimeSpan.Zero), new DateTimeOffset(2025, 3, 24, 9, 0, 0, TimeSpan.Zero),
            new DateTimeOffset(2025, 3, 10, 9, 0, 0, TimeSpan.Zero)));
    }

    [Fact]
    public void Evidence_that_waits_for_a_sign_off_triggers_too_and_a_month_is_counted_on_the_calendar()
    {
        var statement = Statement(Attended, Activities + "sessions/forflyttning", "2025-01-31T10:00:00.000Z");

        var trigger = Match(statement).Should().ContainSingle().Subject;
        trigger.TemplateId.Should().Be("forflyttning-reflektion");
        trigger.Registration.Should().BeNull();
        trigger.DueAt.Should().Be(new DateTimeOffset(2025, 2, 28, 10, 0, 0, TimeSpan.Zero), "31 January plus a month is the last day of February");
    }

    [Fact]
    public void No_evidence_or_evidence_of_a_competence_without_a_template_triggers_nothing()
    {
        Match(Statement(Passed, Activities + "assessments/basal-hygien",
            result: new JsonObject { ["success"] = true, ["score"] = new JsonObject { ["scaled"] = 0.5 } })).Should().BeEmpty();
        var video = Statement(VideoCompleted, Activities + "videos/palliativ-vard/1");
        EvidenceExtractor.Extract(Framework, video).Should().ContainSingle("it is evidence of palliativ, which has no template");
        Match(video).Should().BeEmpty();
    }

    [Fact]
    public void A_statement_matching_verb_and_prefix_triggers_for_the_actor_and_one_outside_the_prefix_does_not()
    {
        var statement = Statement(Attended, Webinars + "palliativ-vard/2025-03", "2025-03-10T09:00:00.000+01:00");

        Match(statement).Should().Equal(new TaskTrigger("webbinarium-prefix", Key("anna"), null, Id(statement),
            new DateTimeOffset(2025, 3, 10, 8, 0, 0, TimeSpan.Zero), new DateTimeOffset(2025, 3, 24, 8, 0, 0, TimeSpan.Zero),
            new DateTimeOffset(2025, 3, 10, 8, 0, 0, TimeSpan.Zero)));
        Match(Statement(Attended, Activities + "sessions/hlr")).Should().BeEmpty();
        Match(Statement(Passed, Webinars + "palliativ-vard/2025-03")).Should().BeEmpty("the verb is not the trigger's");
    }

    [Fact]
    public void Templates_triggered_by_one_statement_come_in_framework_order_with_their_own_due_dates()
    {
        var statement = Statement(Attended, Webinars + "demens", "2024-02-29T12:00:00.000Z", activityType: WebinarType);

        Match(statement).Select(t => (t.TemplateId, t.DueAt)).Should().Equal(
            ("webbinarium-prefix", new DateTimeOffset(2024, 3, 14, 12, 0, 0, TimeSpan.Zero)),
            ("webbinarium-typ", new DateTimeOffset(2025, 2, 28, 12, 0, 0, TimeSpan.Zero)));
        Match(Statement(Completed, Activities + "courses/x", "2025-03-10T20:00:00.000Z")).Should().ContainSingle()
            .Which.DueAt.Should().Be(new DateTimeOffset(2025, 3, 12, 8, 0, 0, TimeSpan.Zero));
    }

    [Fact]
    public void A_group_actor_triggers_for_each_identified_member_once_and_not_for_the_group()
    {
        var group = Group();
        group["mbox"] = "mailto:arbetslag@example.se";
        Match(Statement(Attended, Webinars + "x", actor: group)).Select(t => (t.TemplateId, t.AgentKey)).Should().Equal(
            ("webbinarium-prefix", Key("anna")), ("webbinarium-prefix", Key("bertil")));

        // Evidence of a group's test is each member's, and so is the task it triggers.
        Match(PassedHygieneTest(actor: Group())).Select(t => (t.TemplateId, t.AgentKey)).Should().Equal(
            ("hygien-reflektion", Key("anna")), ("hygien-reflektion", Key("bertil")));
    }

    [Fact]
    public void A_statement_whose_object_is_not_an_activity_triggers_nothing()
    {
        var statementRef = new JsonObject { ["objectType"] = "StatementRef", ["id"] = Guid.NewGuid().ToString() };
        Match(Statement(Attended, "", @object: statementRef)).Should().BeEmpty();
        var agent = new JsonObject { ["objectType"] = "Agent", ["mbox"] = "mailto:x@example.se" };
        Match(Statement(Completed, "", @object: agent)).Should().BeEmpty();
    }

    [Fact]
    public void A_framework_without_templates_triggers_nothing()
    {
        var statement = PassedHygieneTest();
        ReflectionTriggers.Match(Small, statement, EvidenceExtractor.Extract(Small, statement)).Should().BeEmpty();
        ReflectionTriggers.Match(Framework.Empty, statement, []).Should().BeEmpty();
    }

    [Fact]
    public void A_statement_that_triggers_nothing_allocates_nothing()
    {
        var unmatchedVerb = Statement("http://adlnet.gov/expapi/verbs/experienced", Webinars + "x");
        var palliativ = Statement(VideoCompleted, Activities + "videos/palliativ-vard/1");
        var evidence = EvidenceExtractor.Extract(Framework, palliativ);
        evidence.Should().NotBeEmpty();
        IReadOnlyList<EvidenceFound> none = [];
        const string experienced = "http://adlnet.gov/expapi/verbs/experienced";
        var competenceOnly = Framework with { ReflectionTemplates = [.. Framework.ReflectionTemplates.Where(t => t.Trigger.CompetenceId is not null)] };

        void Run()
        {
            ReflectionTriggers.Match(Framework, unmatchedVerb, none, experienced).Should().BeEmpty();
            ReflectionTriggers.Match(Framework, palliativ, evidence, VideoCompleted).Should().BeEmpty();
            ReflectionTriggers.Match(competenceOnly, unmatchedVerb, none).Should().BeEmpty();
            ReflectionTriggers.Match(competenceOnly, palliativ, evidence).Should().BeEmpty();
        }
        Run(); // builds the lookups and compiles

        long allocated = 0;
        for (var i = 0; i < 3; i++)
        {
            var before = GC.GetAllocatedBytesForCurrentThread();
            ReflectionTriggers.Match(Framework, unmatchedVerb, none, experienced);
            ReflectionTriggers.Match(Framework, palliativ, evidence, VideoCompleted);
            ReflectionTriggers.Match(competenceOnly, unmatchedVerb, none);
            ReflectionTriggers.Match(competenceOnly, palliativ, evidence);
            allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            if (allocated == 0) break;
        }
        allocated.Should().Be(0);
    }

    [Fact]
    public void The_due_date_keeps_the_offset_of_the_statement_and_counts_days_on_its_calendar()
    {
        var template = Framework.FindReflectionTemplate("forflyttning-reflektion")!;
        // 23:30 on 31 January in Sweden is already 1 February in UTC; the month is counted from Swedish time.
        ReflectionTriggers.DueAt(template, new DateTimeOffset(2025, 1, 31, 23, 30, 0, TimeSpan.FromHours(1)))
            .Should().Be(new DateTimeOffset(2025, 2, 28, 23, 30, 0, TimeSpan.FromHours(1)));
        ReflectionTriggers.DueAt(template with { DueIn = "P2D" }, new DateTimeOffset(2025, 3, 30, 0, 0, 0, TimeSpan.Zero))
            .Should().Be(new DateTimeOffset(2025, 4, 1, 0, 0, 0, TimeSpan.Zero));
        ReflectionTriggers.DueAt(template with { DueIn = "soon" }, new DateTimeOffset(2025, 3, 30, 0, 0, 0, TimeSpan.Zero))
            .Should().Be(new DateTimeOffset(2025, 3, 30, 0, 0, 0, TimeSpan.Zero));
    }

    [Fact]
    public void A_follow_up_question_is_available_after_its_delay_and_due_counted_from_then()
    {
        var template = Framework.FindReflectionTemplate("forflyttning-reflektion")! with
        {
            Kind = ReflectionTemplateKind.FollowUp, Delay = "P8W", DueIn = "P14D",
        };
        var trained = new DateTimeOffset(2025, 3, 3, 10, 0, 0, TimeSpan.FromHours(1));
        var trigger = TaskTrigger.Of(template, Key("anna"), null, Guid.NewGuid(), trained);
        trigger.TriggeredAt.Should().Be(trained);
        trigger.AvailableFrom.Should().Be(new DateTimeOffset(2025, 4, 28, 10, 0, 0, TimeSpan.FromHours(1)));
        trigger.DueAt.Should().Be(new DateTimeOffset(2025, 5, 12, 10, 0, 0, TimeSpan.FromHours(1)));
        TaskTrigger.Of(template with { Kind = ReflectionTemplateKind.Reflection, Delay = null }, Key("anna"), null, Guid.NewGuid(), trained)
            .AvailableFrom.Should().Be(trained, "a reflection is asked at once");
    }
}
