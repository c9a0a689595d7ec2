using System.Text.Json.Nodes;
using Lrs.Core.Competence;
using Lrs.Core.Reflection;
using Lrs.Core.Xapi;
using static Lrs.Core.Tests.CompetenceSamples;

namespace Lrs.Core.Tests;

public sealed class ReflectionStatementTests
{
    private static readonly ReflectionTemplate Hygiene = new("hygien-reflektion",
        new LocalizedText("Reflektion: hygien", "Reflection: hygiene"),
        [
            new ReflectionPrompt("handtvatt", new LocalizedText("Varför är det viktigt att följa hygienrutiner kring handtvätt?",
                "Why is it important to follow the hygiene routines for hand washing?")),
            new ReflectionPrompt("samma-handskar", new LocalizedText("Vad kan hända om du använder samma handskar?", null)),
        ],
        ReflectionTrigger.ForCompetence("hygien"), ReflectionMode.Individual, "P14D");

    private static readonly DateTimeOffset At = new(2025, 3, 20, 14, 15, 0, TimeSpan.FromHours(1));

    private static JsonObject Learner() => new()
    {
        ["objectType"] = "Agent",
        ["name"] = "Anna Andersson",
        ["account"] = new JsonObject { ["homePage"] = "https://hr.solna.example", ["name"] = "E1001" },
    };

    private static JsonObject Training() => Statement(Passed, Activities + "assessments/basal-hygien", activityType: "http://adlnet.gov/expapi/activities/assessment");

    private static void ShouldBeValid(JsonObject statement)
    {
        StatementValidator.Validate(statement, XapiVersion.V103).Should().BeEmpty();
        StatementValidator.Validate(statement, XapiVersion.V200).Should().BeEmpty();
        // As a client would send it: through text.
        StatementValidator.Validate(JsonNode.Parse(statement.ToJsonString()), XapiVersion.V103).Should().BeEmpty();
    }

    [Fact]
    public void An_answer_is_a_valid_answered_statement_about_the_prompt_pointing_at_the_training_statement()
    {
        var training = Training();
        var task = new AnsweredTask(Guid.NewGuid(), Hygiene, Guid.Parse(training["id"]!.GetValue<string>()),
            ReflectionStatements.TrainingActivity(training), Guid.NewGuid());

        var statements = ReflectionStatements.Answer(task, Learner(),
            [new PromptAnswer("samma-handskar", "Smittan följer med."), new PromptAnswer("handtvatt", "För att inte sprida smitta.")],
            sharedWithGroup: true, At);

        statements.Should().HaveCount(2);
        foreach (var s in statements) ShouldBeValid(s);
        var first = statements[0];
        JsonNode.DeepEquals(first["actor"], Learner()).Should().BeTrue();
        first["verb"]!["id"]!.GetValue<string>().Should().Be("http://adlnet.gov/expapi/verbs/answered");
        first["verb"]!["display"]!["sv-SE"]!.GetValue<string>().Should().Be("svarade på");
        first["verb"]!["display"]!["en-US"]!.GetValue<string>().Should().Be("answered");
        first["object"]!["id"]!.GetValue<string>().Should().Be("https://lrsapi.se/xapi/reflection/templates/hygien-reflektion/prompts/samma-handskar");
        statements[1]["object"]!["id"]!.GetValue<string>().Should().Be("https://lrsapi.se/xapi/reflection/templates/hygien-reflektion/prompts/handtvatt");
        var definition = first["object"]!["definition"]!;
        definition["type"]!.GetValue<string>().Should().Be("http://adlnet.gov/expapi/activities/question");
        definition["interactionType"]!.GetValue<string>().Should().Be("long-fill-in");
        definition["name"]!.AsObject().Select(p => p.Key).Should().Equal("sv-SE");
        definition["description"]!["sv-SE"]!.GetValue<string>().Should().Be("Vad kan hända om du använder samma handskar?");
        statements[1]["object"]!["definition"]!["name"]!["en-US"]!.GetValue<string>()
            .Should().Be("Why is it important to follow the hygiene routines for hand washing?");
        first["result"]!["response"]!.GetValue<string>().Should().Be("Smittan följer med.");

        var context = first["context"]!;
        context["statement"]!["objectType"]!.GetValue<string>().Should().Be("StatementRef");
        context["statement"]!["id"]!.GetValue<string>().Should().Be(training["id"]!.GetValue<string>());
        context["registration"]!.GetValue<string>().Should().Be(task.Registration!.Value.ToString());
        var parent = context["contextActivities"]!["parent"]!.AsArray().Should().ContainSingle().Subject!;
        parent["id"]!.GetValue<string>().Should().Be(Activities + "assessments/basal-hygien");
        parent["definition"]!["type"]!.GetValue<string>().Should().Be("http://adlnet.gov/expapi/activities/assessment");
        context["contextActivities"]!["grouping"]![0]!["id"]!.GetValue<string>().Should().Be("https://lrsapi.se/xapi/reflection/templates/hygien-reflektion");
        context["extensions"]!["https://lrsapi.se/xapi/extensions/reflection-task"]!.GetValue<string>().Should().Be(task.TaskId.ToString());
        context["extensions"]!["https://lrsapi.se/xapi/extensions/shared-with-group"]!.GetValue<bool>().Should().BeTrue();
        first["timestamp"]!.GetValue<string>().Should().Be("2025-03-20T13:15:00.000Z");
        first.ContainsKey("id").Should().BeFalse("the LRS gives it an id when it stores it");
    }

    [Fact]
    public void An_answer_without_registration_or_known_training_leaves_them_out_and_is_still_valid()
    {
        var task = new AnsweredTask(Guid.NewGuid(), Hygiene, Guid.NewGuid(), Training: null, Registration: null);

        var statement = ReflectionStatements.Answer(task, Agent("anna"), [new PromptAnswer("handtvatt", "")], sharedWithGroup: false, At)
            .Should().ContainSingle().Subject;

        ShouldBeValid(statement);
        statement["context"]!.AsObject().ContainsKey("registration").Should().BeFalse();
        statement["context"]!["contextActivities"]!.AsObject().ContainsKey("parent").Should().BeFalse();
        statement["context"]!["extensions"]!["https://lrsapi.se/xapi/extensions/shared-with-group"]!.GetValue<bool>().Should().BeFalse();
    }

    [Fact]
    public void An_answer_to_an_unknown_prompt_or_to_one_prompt_twice_is_refused()
    {
        var task = new AnsweredTask(Guid.NewGuid(), Hygiene, Guid.NewGuid(), null, null);
        FluentActions.Invoking(() => ReflectionStatements.Answer(task, Agent("anna"), [new PromptAnswer("nope", "x")], false, At))
            .Should().Throw<ArgumentException>().WithMessage("*no prompt 'nope'*");
        FluentActions.Invoking(() => ReflectionStatements.Answer(task, Agent("anna"),
                [new PromptAnswer("handtvatt", "x"), new PromptAnswer("handtvatt", "y")], false, At))
            .Should().Throw<ArgumentException>().WithMessage("*answered twice*");
    }

    [Fact]
    public void The_training_of_a_statement_is_its_activity_object_and_nothing_else()
    {
        var training = ReflectionStatements.TrainingActivity(Training())!;
        training.Select(p => p.Key).Should().Equal("objectType", "id", "definition");
        ReflectionStatements.TrainingActivity(Statement(Passed, "", @object: new JsonObject { ["objectType"] = "StatementRef", ["id"] = Guid.NewGuid().ToString() }))
            .Should().BeNull();
    }

    [Fact]
    public void Answers_to_every_prompt_of_the_demo_framework_are_valid_statements()
    {
        var path = Path.Combine(AppContext.BaseDirectory, "Demo", "care-framework.json");
        var f = FrameworkDocument.Parse(JsonNode.Parse(File.ReadAllText(path))).Framework!;
        foreach (var template in f.ReflectionTemplates)
        {
            var task = new AnsweredTask(Guid.NewGuid(), template, Guid.NewGuid(), ReflectionStatements.TrainingActivity(Training()), Guid.NewGuid());
            var statements = ReflectionStatements.Answer(task, Learner(), [.. template.Prompts.Select(p => new PromptAnswer(p.Id, "Svar på " + p.Id))], true, At);
            statements.Should().HaveCount(template.Prompts.Count);
            foreach (var s in statements) ShouldBeValid(s);
        }
    }

    [Fact]
    public void Group_attendance_is_one_valid_attended_statement_per_attendee_with_the_unit_as_team_and_the_facilitator_as_instructor()
    {
        var meetingId = Guid.NewGuid();
        var registration = Guid.NewGuid();
        var facilitator = Agent("chef");
        var group = Hygiene with { Id = "hygien-apt", Mode = ReflectionMode.Group };

        var statements = ReflectionStatements.GroupAttendance(meetingId, "solna-hemtjanst-norr", "Hemtjänst Norr", facilitator,
            [Agent("anna"), Learner(), Agent("anna")], [group], At, registration);

        statements.Select(s => AgentKey.Of(s["actor"])).Should().Equal(Key("anna"), "account:https://hr.solna.example E1001");
        foreach (var s in statements) ShouldBeValid(s);
        var first = statements[0];
        first["verb"]!["id"]!.GetValue<string>().Should().Be("http://adlnet.gov/expapi/verbs/attended");
        first["object"]!["id"]!.GetValue<string>().Should().Be($"https://lrsapi.se/xapi/reflection/meetings/{meetingId}");
        first["object"]!["definition"]!["type"]!.GetValue<string>().Should().Be("http://adlnet.gov/expapi/activities/meeting");
        first["object"]!["definition"]!["name"]!["sv-SE"]!.GetValue<string>().Should().Be("Arbetsplatsträff Hemtjänst Norr 2025-03-20: gruppreflektion");
        var context = first["context"]!;
        JsonNode.DeepEquals(context["team"], JsonNode.Parse("""
            {"objectType":"Group","name":"Hemtjänst Norr","account":{"homePage":"https://lrsapi.se/xapi/units","name":"solna-hemtjanst-norr"}}
            """)).Should().BeTrue();
        AgentKey.Of(context["team"]).Should().Be("account:https://lrsapi.se/xapi/units solna-hemtjanst-norr");
        JsonNode.DeepEquals(context["instructor"], facilitator).Should().BeTrue();
        context["registration"]!.GetValue<string>().Should().Be(registration.ToString());
        context["contextActivities"]!["grouping"]![0]!["id"]!.GetValue<string>().Should().Be("https://lrsapi.se/xapi/reflection/templates/hygien-apt");
        first["timestamp"]!.GetValue<string>().Should().Be("2025-03-20T13:15:00.000Z");
    }

    [Fact]
    public void Group_attendance_without_templates_or_unit_name_is_valid_and_an_attendee_without_identifier_is_refused()
    {
        var statement = ReflectionStatements.GroupAttendance(Guid.NewGuid(), "u1", null, Agent("chef"), [Agent("anna")], [], At)
            .Should().ContainSingle().Subject;
        ShouldBeValid(statement);
        statement["context"]!.AsObject().ContainsKey("contextActivities").Should().BeFalse();
        statement["context"]!["team"]!.AsObject().ContainsKey("name").Should().BeFalse();

        FluentActions.Invoking(() => ReflectionStatements.GroupAttendance(Guid.NewGuid(), "u1", null, Agent("chef"),
                [new JsonObject { ["name"] = "Anonym" }], [], At))
            .Should().Throw<ArgumentException>();
    }
}
