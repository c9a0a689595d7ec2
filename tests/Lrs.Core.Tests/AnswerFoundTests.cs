using System.Text.Json.Nodes;
using Lrs.Core.Competence;
using Lrs.Core.Reflection;
using Lrs.Core.Xapi;

namespace Lrs.Core.Tests;

public sealed class AnswerFoundTests
{
    private static readonly ReflectionTemplate Template = new("hygien-reflektion", new LocalizedText("Reflektion", null),
        [new ReflectionPrompt("handtvatt", new LocalizedText("Varför handtvätt?", null))],
        ReflectionTrigger.ForCompetence("hygien"), ReflectionMode.Individual, "P14D");

    private static readonly JsonObject Agent = new() { ["account"] = new JsonObject { ["homePage"] = "https://hr.solna.example", ["name"] = "E1" } };

    // An answer as ReflectionStatements builds it, prepared as the store sees it (id and stored set).
    private static JsonObject Built(Guid task, bool shared = true)
    {
        var statement = ReflectionStatements.Answer(new AnsweredTask(task, Template, Guid.NewGuid(), null, null), Agent,
            [new PromptAnswer("handtvatt", "Smitta sprids med händerna.")], shared, new DateTimeOffset(2026, 11, 20, 10, 0, 0, TimeSpan.Zero))[0];
        statement["id"] = Guid.NewGuid().ToString();
        statement["stored"] = "2026-11-20T10:00:01Z";
        return statement;
    }

    [Fact]
    public void An_answer_built_by_the_LRS_is_recognised_with_its_task_template_prompt_actor_and_choice()
    {
        var task = Guid.NewGuid();
        var found = AnswerFound.Recognise(Built(task));
        found.Should().NotBeNull();
        found!.TaskId.Should().Be(task);
        found.TemplateId.Should().Be("hygien-reflektion");
        found.PromptId.Should().Be("handtvatt");
        found.ActorKey.Should().Be(AgentKey.Of(Agent));
        found.Response.Should().Be("Smitta sprids med händerna.");
        found.Shared.Should().BeTrue();
        found.AnsweredAt.Should().Be(new DateTimeOffset(2026, 11, 20, 10, 0, 0, TimeSpan.Zero));
        AnswerFound.Recognise(Built(task, shared: false))!.Shared.Should().BeFalse();
    }

    [Theory]
    [InlineData("verb")]
    [InlineData("object")]
    [InlineData("task")]
    [InlineData("response")]
    [InlineData("prompt-path")]
    public void A_statement_that_is_not_quite_an_answer_is_not_recognised(string broken)
    {
        var statement = Built(Guid.NewGuid());
        switch (broken)
        {
            case "verb": statement["verb"]!["id"] = "http://adlnet.gov/expapi/verbs/completed"; break;
            case "object": statement["object"]!["id"] = "https://lrs.example/questions/handtvatt"; break;
            case "task": statement["context"]!["extensions"]![ReflectionStatements.ReflectionTaskExtension] = "not-a-uuid"; break;
            case "response": statement["result"] = new JsonObject { ["success"] = true }; break;
            case "prompt-path": statement["object"]!["id"] = ReflectionStatements.TemplateActivityId("hygien-reflektion") + "/prompts/a/b"; break;
        }
        AnswerFound.Recognise(statement).Should().BeNull();
    }

    [Fact]
    public void Name_based_uuids_follow_RFC_9562_version_5()
    {
        // The RFC's example: the DNS namespace and "www.example.com".
        NameBasedUuid.Create(new Guid("6ba7b810-9dad-11d1-80b4-00c04fd430c8"), "www.example.com")
            .Should().Be(new Guid("2ed6657d-e927-568b-95e1-2665a8aea6a2"));
        NameBasedUuid.Create(Guid.Empty, "a").Should().Be(NameBasedUuid.Create(Guid.Empty, "a"));
        NameBasedUuid.Create(Guid.Empty, "a").Should().NotBe(NameBasedUuid.Create(Guid.Empty, "b"));
    }
}
