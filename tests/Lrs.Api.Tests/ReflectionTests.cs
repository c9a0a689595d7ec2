using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Lrs.Api.Tests.Infrastructure;
using Lrs.Core.Storage;
using static Lrs.Api.Tests.Infrastructure.Xapi;

namespace Lrs.Api.Tests;

/// <summary>
/// Reflection tasks over HTTP: triggered in the statement's transaction, once per person, template and registration;
/// cancelled by voiding; answered as xAPI statements; answer text only for the person's app; group reflection at the
/// workplace meeting and the monthly follow-up. Every test works in a tenant of its own.
/// </summary>
public abstract class ReflectionTests(LrsFixture lrs)
{
    private const string HygieneTest = "https://demo.lrsapi.se/xapi/activities/assessments/basal-hygien";
    private const string DementiaTest = "https://demo.lrsapi.se/xapi/activities/assessments/demens-abc";
    private const string Webinar = "https://demo.lrsapi.se/xapi/activities/webinars/palliativ-vard-2026-10";
    private const string WebinarType = "http://id.tincanapi.com/activitytype/webinar";
    private const string Attended = "http://adlnet.gov/expapi/verbs/attended";
    private const string Answered = "http://adlnet.gov/expapi/verbs/answered";
    private const string Unit = "ekbacken";

    private sealed record Tenant(HttpClient Admin, string Name);

    private static JsonObject Text(string sv, string en) => new() { ["sv"] = sv, ["en"] = en };

    private static JsonObject Prompt(string id, string sv) => new() { ["id"] = id, ["text"] = Text(sv, sv + " (en)") };

    public static JsonObject ReflectionFramework() => new()
    {
        ["competences"] = new JsonArray
        {
            new JsonObject { ["id"] = "basal-hygien", ["name"] = Text("Basala hygienrutiner", "Basic hygiene routines"), ["validity"] = "P1Y" },
            new JsonObject { ["id"] = "demens-abc", ["name"] = Text("Demens ABC", "Dementia ABC") },
        },
        ["rules"] = new JsonArray
        {
            new JsonObject { ["id"] = "hygien-test", ["competence"] = "basal-hygien", ["verbs"] = new JsonArray(Passed), ["activities"] = new JsonArray(HygieneTest) },
            new JsonObject { ["id"] = "demens-test", ["competence"] = "demens-abc", ["verbs"] = new JsonArray(Passed), ["activities"] = new JsonArray(DementiaTest) },
        },
        ["roles"] = new JsonArray
        {
            new JsonObject
            {
                ["id"] = "underskoterska", ["name"] = Text("Undersköterska", "Assistant nurse"),
                ["requirements"] = new JsonArray { new JsonObject { ["competence"] = "basal-hygien", ["level"] = "required" } },
            },
        },
        ["reflectionTemplates"] = new JsonArray
        {
            new JsonObject
            {
                ["id"] = "hygien-reflektion", ["title"] = Text("Reflektion efter basala hygienrutiner", "Reflection after basic hygiene"),
                ["prompts"] = new JsonArray
                {
                    Prompt("handtvatt", "Varför är det viktigt att följa hygienrutiner kring handtvätt?"),
                    Prompt("samma-handskar", "Vad kan hända om du använder samma handskar när du hjälper olika brukare?"),
                },
                ["trigger"] = new JsonObject { ["competence"] = "basal-hygien" }, ["mode"] = "individual", ["dueIn"] = "P14D",
            },
            new JsonObject
            {
                ["id"] = "demens-apt", ["title"] = Text("Gruppreflektion på APT: Demens ABC", "Group reflection: Dementia ABC"),
                ["prompts"] = new JsonArray { Prompt("demens-oro", "Beskriv en situation där en person med demenssjukdom blev orolig.") },
                ["trigger"] = new JsonObject { ["competence"] = "demens-abc" }, ["mode"] = "group", ["dueIn"] = "P30D",
            },
            new JsonObject
            {
                ["id"] = "webinar-reflektion", ["title"] = Text("Reflektion efter webbinarium", "Reflection after a webinar"),
                ["prompts"] = new JsonArray { Prompt("larde", "Vad tar du med dig till arbetet?") },
                ["trigger"] = new JsonObject { ["verbs"] = new JsonArray(Attended), ["activityTypes"] = new JsonArray(WebinarType) },
                ["mode"] = "individual", ["dueIn"] = "P7D",
            },
        },
    };

    private async Task<Tenant> NewTenantAsync()
    {
        var name = "rf-" + Guid.NewGuid().ToString("N")[..10];
        var admin = await lrs.ClientWithScopesAsync("all framework:write people:write profiles:read reflections:read reflections:write admin", "1.0.3", name);
        var framework = await admin.PutAsync("/api/framework", Json(ReflectionFramework()));
        framework.StatusCode.Should().Be(HttpStatusCode.OK, await framework.Content.ReadAsStringAsync());
        var organisations = new JsonArray
        {
            new JsonObject
            {
                ["id"] = "solna-stad", ["name"] = "Solna stad", ["hrHomePage"] = "https://hr.solna.example",
                ["units"] = new JsonArray { new JsonObject { ["id"] = Unit, ["name"] = "Vårdboende Ekbacken" } },
            },
            new JsonObject
            {
                ["id"] = "trygga", ["name"] = "Trygga Omsorgen AB", ["hrHomePage"] = "https://hr.trygga.example",
                ["units"] = new JsonArray { new JsonObject { ["id"] = "solrosen", ["name"] = "Hemtjänst Solrosen" } },
            },
        };
        (await admin.PutAsync("/api/organisations", Json(organisations))).StatusCode.Should().Be(HttpStatusCode.OK);
        return new Tenant(admin, name);
    }

    private static JsonObject Account(string name, string homePage = "https://hr.solna.example") =>
        new() { ["objectType"] = "Agent", ["account"] = new JsonObject { ["homePage"] = homePage, ["name"] = name } };

    private static async Task<JsonObject> AddPersonAsync(Tenant tenant, string id, string organisation = "solna-stad", string unit = Unit, params JsonObject[] extra)
    {
        var home = organisation == "solna-stad" ? "https://hr.solna.example" : "https://hr.trygga.example";
        var agent = Account(id, home);
        var people = new JsonArray
        {
            new JsonObject
            {
                ["id"] = id, ["organisationId"] = organisation, ["name"] = "Person " + id, ["units"] = new JsonArray(unit),
                ["roles"] = new JsonArray("underskoterska"), ["agents"] = new JsonArray([agent.DeepClone(), .. extra.Select(a => a.DeepClone())]),
            },
        };
        var put = await tenant.Admin.PutAsync("/api/people", Json(people));
        put.StatusCode.Should().Be(HttpStatusCode.OK, await put.Content.ReadAsStringAsync());
        return agent;
    }

    private static JsonObject Test(JsonObject actor, string activity, Guid? registration = null, DateTimeOffset? at = null)
    {
        var statement = Statement(actor, Passed, activity, registration);
        statement["timestamp"] = (at ?? DateTimeOffset.UtcNow).ToString("O");
        return statement;
    }

    private static JsonObject WebinarAttendance(JsonObject actor)
    {
        var statement = Statement(actor, Attended, Webinar);
        statement["object"]!["definition"] = new JsonObject { ["type"] = WebinarType, ["name"] = new JsonObject { ["sv-SE"] = "Palliativ vård, webbinarium" } };
        return statement;
    }

    private static async Task<JsonArray> TasksAsync(HttpClient client, string query)
    {
        var response = await client.GetAsync("/api/reflection-tasks" + query);
        var text = await response.Content.ReadAsStringAsync();
        response.StatusCode.Should().Be(HttpStatusCode.OK, text);
        return JsonNode.Parse(text)!["tasks"]!.AsArray();
    }

    private static JsonObject Answers(bool shared, params (string Prompt, string Text)[] answers) => new()
    {
        ["answers"] = new JsonArray([.. answers.Select(a => (JsonNode)new JsonObject { ["promptId"] = a.Prompt, ["response"] = a.Text })]),
        ["sharedWithGroup"] = shared,
    };

    private static async Task<JsonNode> AnswerAsync(HttpClient client, string taskId, JsonObject body, HttpStatusCode expected = HttpStatusCode.OK)
    {
        var response = await client.PostAsync($"/api/reflection-tasks/{taskId}/answers", Json(body));
        var text = await response.Content.ReadAsStringAsync();
        response.StatusCode.Should().Be(expected, text);
        return JsonNode.Parse(text)!;
    }

    private static string Id(JsonNode task) => task["id"]!.GetValue<string>();

    [Fact]
    public async Task Evidence_of_a_competence_creates_an_open_task_for_the_person_with_the_templates_prompts()
    {
        var tenant = await NewTenantAsync();
        var agent = await AddPersonAsync(tenant, "anna");
        var at = DateTimeOffset.UtcNow.AddDays(-1);
        var registration = Guid.NewGuid();
        var ids = await tenant.Admin.PostAsync(Test(agent, HygieneTest, registration, at));

        var tasks = await TasksAsync(tenant.Admin, "?person=anna");
        tasks.Should().ContainSingle();
        var task = tasks[0]!;
        task["templateId"]!.GetValue<string>().Should().Be("hygien-reflektion");
        task["status"]!.GetValue<string>().Should().Be("open");
        task["overdue"]!.GetValue<bool>().Should().BeFalse();
        task["personId"]!.GetValue<string>().Should().Be("anna");
        task["mode"]!.GetValue<string>().Should().Be("individual");
        task["triggeringStatementId"]!.GetValue<string>().Should().Be(ids[0]);
        task["registration"]!.GetValue<string>().Should().Be(registration.ToString());
        task["training"]!["id"]!.GetValue<string>().Should().Be(HygieneTest);
        task["prompts"]!.AsArray().Select(p => p!["id"]!.GetValue<string>()).Should().Equal("handtvatt", "samma-handskar");
        task["prompts"]![0]!["text"]!["sv"]!.GetValue<string>().Should().StartWith("Varför är det viktigt");
        var due = task["dueAt"]!.GetValue<DateTimeOffset>();
        due.Should().BeCloseTo(at.AddDays(14), TimeSpan.FromSeconds(1));
        (await TasksAsync(tenant.Admin, "?person=anna&status=open")).Should().HaveCount(1);
        (await TasksAsync(tenant.Admin, "?person=anna&status=answered")).Should().BeEmpty();

        // A statement that gives no evidence creates nothing.
        var bertil = await AddPersonAsync(tenant, "bertil");
        await tenant.Admin.PostAsync(Statement(bertil, Completed, NewActivityId()));
        (await TasksAsync(tenant.Admin, "?person=bertil")).Should().BeEmpty();
    }

    [Fact]
    public async Task A_statement_matching_verb_and_activity_type_creates_a_task_for_the_actor()
    {
        var tenant = await NewTenantAsync();
        var agent = await AddPersonAsync(tenant, "cecilia");
        await tenant.Admin.PostAsync(WebinarAttendance(agent));
        var tasks = await TasksAsync(tenant.Admin, "?person=cecilia");
        tasks.Should().ContainSingle().Which!["templateId"]!.GetValue<string>().Should().Be("webinar-reflektion");
        tasks[0]!["training"]!["name"]!["sv-SE"]!.GetValue<string>().Should().Be("Palliativ vård, webbinarium");

        // Another verb about the same webinar does not trigger.
        var other = await AddPersonAsync(tenant, "david");
        await tenant.Admin.PostAsync(Statement(other, Completed, Webinar));
        (await TasksAsync(tenant.Admin, "?person=david")).Should().BeEmpty();
    }

    [Fact]
    public async Task A_task_is_created_once_per_person_template_and_registration_whatever_agent_or_resend()
    {
        var tenant = await NewTenantAsync();
        var mbox = new JsonObject { ["mbox"] = "mailto:eva-" + Guid.NewGuid().ToString("N")[..6] + "@solna.example" };
        var account = await AddPersonAsync(tenant, "eva", extra: mbox);
        var registration = Guid.NewGuid();

        var first = Test(account, HygieneTest, registration);
        await tenant.Admin.PostAsync(first);
        await tenant.Admin.PostAsync(first);                                              // the same statement again
        await tenant.Admin.PostAsync(Test(account, HygieneTest, registration));           // a second attempt, same registration
        await tenant.Admin.PostAsync(Test(mbox, HygieneTest, registration));              // the person's other agent
        await tenant.Admin.PostAsync(Test(account, HygieneTest, registration), Test(mbox, HygieneTest, registration)); // both in one batch
        (await TasksAsync(tenant.Admin, "?person=eva")).Should().ContainSingle();

        await tenant.Admin.PostAsync(Test(mbox, HygieneTest, Guid.NewGuid()));            // another registration: another task
        await tenant.Admin.PostAsync(Test(account, HygieneTest));                         // no registration: one more
        await tenant.Admin.PostAsync(Test(mbox, HygieneTest));
        (await TasksAsync(tenant.Admin, "?person=eva")).Should().HaveCount(3);
    }

    [Fact]
    public async Task Voiding_the_triggering_statement_cancels_an_open_task_but_not_an_answered_one()
    {
        var tenant = await NewTenantAsync();
        var agent = await AddPersonAsync(tenant, "filip");
        var open = await tenant.Admin.PostAsync(Test(agent, HygieneTest, Guid.NewGuid()));
        var answered = await tenant.Admin.PostAsync(Test(agent, HygieneTest, Guid.NewGuid()));
        var tasks = await TasksAsync(tenant.Admin, "?person=filip");
        var toAnswer = tasks.Single(t => t!["triggeringStatementId"]!.GetValue<string>() == answered[0])!;
        await AnswerAsync(tenant.Admin, Id(toAnswer), Answers(false, ("handtvatt", "Smittspridning.")));

        await tenant.Admin.PostAsync(Voiding(open[0]), Voiding(answered[0]));
        var after = (await TasksAsync(tenant.Admin, "?person=filip")).ToDictionary(t => t!["triggeringStatementId"]!.GetValue<string>(), t => t!["status"]!.GetValue<string>());
        after[open[0]].Should().Be("cancelled");
        after[answered[0]].Should().Be("answered");
        (await TasksAsync(tenant.Admin, "?person=filip&status=cancelled")).Should().ContainSingle();

        // A cancelled task cannot be answered.
        var cancelled = (await TasksAsync(tenant.Admin, "?person=filip&status=cancelled"))[0]!;
        await AnswerAsync(tenant.Admin, Id(cancelled), Answers(false, ("handtvatt", "Sent.")), HttpStatusCode.Conflict);

        // A statement voided before it arrives creates no task.
        var late = Test(agent, HygieneTest, Guid.NewGuid());
        late["id"] = Guid.NewGuid().ToString();
        await tenant.Admin.PostAsync(Voiding(late["id"]!.GetValue<string>()));
        await tenant.Admin.PostAsync(late);
        (await TasksAsync(tenant.Admin, "?person=filip")).Should().HaveCount(2);
    }

    [Fact]
    public async Task Voiding_an_answer_statement_removes_the_answer_and_a_task_left_without_answers_is_open_again()
    {
        var tenant = await NewTenantAsync();
        var agent = await AddPersonAsync(tenant, "jon");
        await tenant.Admin.PostAsync(Test(agent, HygieneTest));
        var task = (await TasksAsync(tenant.Admin, "?person=jon"))[0]!;
        var answered = await AnswerAsync(tenant.Admin, Id(task), Answers(false, ("handtvatt", "Första."), ("samma-handskar", "Andra.")));
        var statements = answered["answers"]!.AsArray().Select(a => a!["statementId"]!.GetValue<string>()).ToList();

        await tenant.Admin.PostAsync(Voiding(statements[0]));
        var one = (await tenant.Admin.GetFromJsonAsync<JsonNode>($"/api/reflection-tasks/{Id(task)}"))!;
        one["status"]!.GetValue<string>().Should().Be("answered");
        one["answers"]!.AsArray().Should().ContainSingle().Which!["promptId"]!.GetValue<string>().Should().Be("samma-handskar");

        await tenant.Admin.PostAsync(Voiding(statements[1]));
        var none = (await tenant.Admin.GetFromJsonAsync<JsonNode>($"/api/reflection-tasks/{Id(task)}"))!;
        none["status"]!.GetValue<string>().Should().Be("open");
        none["answerCount"]!.GetValue<int>().Should().Be(0);
        none["answeredAt"].Should().BeNull();
        await AnswerAsync(tenant.Admin, Id(task), Answers(false, ("handtvatt", "Nytt svar.")));
    }

    [Fact]
    public async Task Answers_are_stored_as_answered_statements_about_question_activities_and_returned_in_the_task()
    {
        var tenant = await NewTenantAsync();
        var agent = await AddPersonAsync(tenant, "gun");
        var registration = Guid.NewGuid();
        var trigger = await tenant.Admin.PostAsync(Test(agent, HygieneTest, registration));
        var task = (await TasksAsync(tenant.Admin, "?person=gun"))[0]!;

        var answered = await AnswerAsync(tenant.Admin, Id(task),
            Answers(true, ("samma-handskar", "Smitta förs mellan brukare."), ("handtvatt", "Händerna sprider smitta.")));
        answered["status"]!.GetValue<string>().Should().Be("answered");
        answered["sharedWithGroup"]!.GetValue<bool>().Should().BeTrue();
        answered["answerCount"]!.GetValue<int>().Should().Be(2);
        var answers = answered["answers"]!.AsArray();
        answers.Select(a => a!["promptId"]!.GetValue<string>()).Should().Equal("handtvatt", "samma-handskar"); // in the template's order
        answers[0]!["response"]!.GetValue<string>().Should().Be("Händerna sprider smitta.");

        var statementId = answers[0]!["statementId"]!.GetValue<string>();
        var (response, statement) = await tenant.Admin.GetJsonAsync($"/xapi/statements?statementId={statementId}");
        response.StatusCode.Should().Be(HttpStatusCode.OK);
        statement!["verb"]!["id"]!.GetValue<string>().Should().Be(Answered);
        statement["actor"]!["account"]!["name"]!.GetValue<string>().Should().Be("gun");
        statement["object"]!["id"]!.GetValue<string>().Should().Be("https://lrsapi.se/xapi/reflection/templates/hygien-reflektion/prompts/handtvatt");
        statement["object"]!["definition"]!["type"]!.GetValue<string>().Should().Be("http://adlnet.gov/expapi/activities/question");
        statement["result"]!["response"]!.GetValue<string>().Should().Be("Händerna sprider smitta.");
        statement["context"]!["statement"]!["id"]!.GetValue<string>().Should().Be(trigger[0]);
        statement["context"]!["registration"]!.GetValue<string>().Should().Be(registration.ToString());
        statement["context"]!["contextActivities"]!["parent"]![0]!["id"]!.GetValue<string>().Should().Be(HygieneTest);
        statement["context"]!["extensions"]!["https://lrsapi.se/xapi/extensions/reflection-task"]!.GetValue<string>().Should().Be(Id(task));

        // Answering again is a conflict; the task as read back is the same.
        await AnswerAsync(tenant.Admin, Id(task), Answers(false, ("handtvatt", "Igen.")), HttpStatusCode.Conflict);
        var read = await tenant.Admin.GetFromJsonAsync<JsonNode>($"/api/reflection-tasks/{Id(task)}");
        read!["answers"]!.AsArray().Should().HaveCount(2);
        read["answers"]![0]!["response"]!.GetValue<string>().Should().Be("Händerna sprider smitta.");
    }

    [Fact]
    public async Task Invalid_answers_are_400_naming_every_problem_and_store_nothing()
    {
        var tenant = await NewTenantAsync();
        var agent = await AddPersonAsync(tenant, "hans");
        await tenant.Admin.PostAsync(Test(agent, HygieneTest));
        var task = (await TasksAsync(tenant.Admin, "?person=hans"))[0]!;

        var bad = new JsonObject
        {
            ["answers"] = new JsonArray
            {
                new JsonObject { ["promptId"] = "finns-inte", ["response"] = "x" },
                new JsonObject { ["promptId"] = "handtvatt", ["response"] = "" },
                new JsonObject { ["promptId"] = "samma-handskar", ["response"] = new string('a', 10_001) },
            },
            ["sharedWithGroup"] = "ja",
            ["extra"] = 1,
        };
        var problem = await AnswerAsync(tenant.Admin, Id(task), bad, HttpStatusCode.BadRequest);
        var errors = problem["errors"]!.AsObject().Select(e => e.Key).ToList();
        errors.Should().Contain(["$.answers[0].promptId", "$.answers[1].response", "$.answers[2].response", "$.sharedWithGroup", "$.extra"]);
        await AnswerAsync(tenant.Admin, Id(task), new JsonObject { ["answers"] = new JsonArray() }, HttpStatusCode.BadRequest);
        (await tenant.Admin.PostAsync($"/api/reflection-tasks/{Id(task)}/answers", new StringContent("{not json", System.Text.Encoding.UTF8, "application/json")))
            .StatusCode.Should().Be(HttpStatusCode.BadRequest);

        var after = await tenant.Admin.GetFromJsonAsync<JsonNode>($"/api/reflection-tasks/{Id(task)}");
        after!["status"]!.GetValue<string>().Should().Be("open");
        var all = await tenant.Admin.GetAllAsync($"/xapi/statements?verb={Uri.EscapeDataString(Answered)}");
        all.Should().BeEmpty();
        (await tenant.Admin.PostAsync($"/api/reflection-tasks/{Guid.NewGuid()}/answers", Json(Answers(false, ("handtvatt", "x")))))
            .StatusCode.Should().Be(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Answer_text_is_for_the_person_and_reflections_write_only_managers_and_HR_see_counts_and_dates()
    {
        var tenant = await NewTenantAsync();
        var anna = await AddPersonAsync(tenant, "anna");
        var bo = await AddPersonAsync(tenant, "bo");
        await tenant.Admin.PostAsync(Test(anna, HygieneTest), Test(bo, HygieneTest));

        // The person's own app: a credential bound to Anna, holding reflections:write.
        var annasApp = await lrs.ClientWithScopesAsync("reflections:write", "1.0.3", tenant.Name, new CredentialRestrictions(null, anna.ToJsonString(), null));
        var own = await TasksAsync(annasApp, "");
        own.Should().ContainSingle().Which!["personId"]!.GetValue<string>().Should().Be("anna");
        await AnswerAsync(annasApp, Id(own[0]!), Answers(false, ("handtvatt", "Hemligt svar om handtvätt.")));
        var bosTask = (await TasksAsync(tenant.Admin, "?person=bo"))[0]!;
        (await annasApp.GetAsync($"/api/reflection-tasks/{Id(bosTask)}")).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await annasApp.PostAsync($"/api/reflection-tasks/{Id(bosTask)}/answers", Json(Answers(false, ("handtvatt", "x"))))).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await TasksAsync(annasApp, "?person=bo")).Should().BeEmpty();
        (await annasApp.GetFromJsonAsync<JsonNode>($"/api/reflection-tasks/{Id(own[0]!)}"))!["answers"]![0]!["response"]!.GetValue<string>()
            .Should().Be("Hemligt svar om handtvätt.");

        // Anna's app sees the group reflection of her own unit only.
        (await annasApp.GetAsync($"/api/units/{Unit}/group-reflection")).StatusCode.Should().Be(HttpStatusCode.OK);
        (await annasApp.GetAsync("/api/units/solrosen/group-reflection")).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await annasApp.PostAsync($"/api/units/{Unit}/group-reflections", Json(new JsonObject()))).StatusCode.Should().Be(HttpStatusCode.Forbidden);

        // A manager or HR: reflections:read (and statements/read, profiles:read): status, dates, counts; never text.
        var manager = await lrs.ClientWithScopesAsync("reflections:read profiles:read statements/read", "1.0.3", tenant.Name);
        var seen = await TasksAsync(manager, "?unit=" + Unit);
        seen.Should().HaveCount(2);
        var annas = seen.Single(t => t!["personId"]!.GetValue<string>() == "anna")!;
        annas["status"]!.GetValue<string>().Should().Be("answered");
        annas["answerCount"]!.GetValue<int>().Should().Be(1);
        annas["answeredAt"].Should().NotBeNull();
        annas["answers"].Should().BeNull();
        var single = await manager.GetStringAsync($"/api/reflection-tasks/{Id(annas)}");
        single.Should().NotContain("Hemligt");
        (await manager.PostAsync($"/api/reflection-tasks/{Id(bosTask)}/answers", Json(Answers(false, ("handtvatt", "x"))))).StatusCode.Should().Be(HttpStatusCode.Forbidden);

        // Nor through xAPI: the answer statements are not served to a reader without reflections:write.
        var managerXapi = await lrs.ClientWithScopesAsync("reflections:read statements/read", "1.0.3", tenant.Name);
        var statements = await managerXapi.GetAllAsync($"/xapi/statements?agent={Q(anna)}");
        statements.Should().NotBeEmpty("the test statement itself is visible");
        statements.Select(s => s.ToJsonString()).Should().NotContain(s => s.Contains("Hemligt"));
        var answerId = (await tenant.Admin.GetFromJsonAsync<JsonNode>($"/api/reflection-tasks/{Id(annas)}"))!["answers"]![0]!["statementId"]!.GetValue<string>();
        (await managerXapi.GetAsync($"/xapi/statements?statementId={answerId}")).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await tenant.Admin.GetAsync($"/xapi/statements?statementId={answerId}")).StatusCode.Should().Be(HttpStatusCode.OK, "the reflection app reads it");
        (await annasApp.GetAsync($"/xapi/statements?statementId={answerId}")).StatusCode.Should().Be(HttpStatusCode.Forbidden, "no xAPI scope");

        // Without a reflection scope, no tasks at all.
        var hr = await lrs.ClientWithScopesAsync("profiles:read all", "1.0.3", tenant.Name);
        (await hr.GetAsync("/api/reflection-tasks")).StatusCode.Should().Be(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task An_organisation_restricted_credential_sees_only_its_employers_tasks()
    {
        var tenant = await NewTenantAsync();
        var anna = await AddPersonAsync(tenant, "anna");
        var tove = await AddPersonAsync(tenant, "tove", "trygga", "solrosen");
        await tenant.Admin.PostAsync(Test(anna, HygieneTest), Test(tove, HygieneTest));
        var trygga = await lrs.ClientWithScopesAsync("reflections:read", "1.0.3", tenant.Name, new CredentialRestrictions("trygga", null, null));
        var tasks = await TasksAsync(trygga, "");
        tasks.Should().ContainSingle().Which!["personId"]!.GetValue<string>().Should().Be("tove");
        (await TasksAsync(trygga, "?organisation=solna-stad")).Should().BeEmpty();
        var annas = (await TasksAsync(tenant.Admin, "?person=anna"))[0]!;
        (await trygga.GetAsync($"/api/reflection-tasks/{Id(annas)}")).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await trygga.GetAsync($"/api/units/{Unit}/reflection-follow-up")).StatusCode.Should().Be(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Listing_pages_by_last_change_and_changedSince_reports_answered_and_cancelled_tasks()
    {
        var tenant = await NewTenantAsync();
        var people = new List<JsonObject>();
        for (var i = 0; i < 5; i++) people.Add(await AddPersonAsync(tenant, $"p{i}"));
        var triggers = await tenant.Admin.PostAsync([.. people.Select(p => (JsonNode)Test(p, HygieneTest))]);
        var all = await TasksAsync(tenant.Admin, "?unit=" + Unit);
        all.Should().HaveCount(5);

        var seen = new List<string>();
        string? next = "/api/reflection-tasks?unit=" + Unit + "&limit=2";
        while (next is not null)
        {
            var page = (await tenant.Admin.GetFromJsonAsync<JsonNode>(next))!;
            page["tasks"]!.AsArray().Count.Should().BeLessThanOrEqualTo(2);
            seen.AddRange(page["tasks"]!.AsArray().Select(t => Id(t!)));
            next = page["more"]?.GetValue<string>();
        }
        seen.Should().BeEquivalentTo(all.Select(t => Id(t!))).And.OnlyHaveUniqueItems();

        var syncedAt = all.Max(t => t!["updated"]!.GetValue<DateTimeOffset>());
        (await TasksAsync(tenant.Admin, $"?changedSince={Uri.EscapeDataString(syncedAt.ToString("O"))}")).Should().BeEmpty();
        var p0 = all.Single(t => t!["personId"]!.GetValue<string>() == "p0")!;
        await AnswerAsync(tenant.Admin, Id(p0), Answers(false, ("handtvatt", "Svar.")));
        await tenant.Admin.PostAsync(Voiding(triggers[1]));
        var changed = await TasksAsync(tenant.Admin, $"?changedSince={Uri.EscapeDataString(syncedAt.ToString("O"))}");
        changed.Select(t => (t!["personId"]!.GetValue<string>(), t["status"]!.GetValue<string>()))
            .Should().BeEquivalentTo([("p0", "answered"), ("p1", "cancelled")]);

        (await tenant.Admin.GetAsync("/api/reflection-tasks?status=later")).StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await tenant.Admin.GetAsync("/api/reflection-tasks?cursor=nonsense")).StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await tenant.Admin.GetAsync("/api/reflection-tasks?limit=0")).StatusCode.Should().Be(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task An_open_task_past_its_due_date_is_overdue()
    {
        var tenant = await NewTenantAsync();
        var agent = await AddPersonAsync(tenant, "ivar");
        await tenant.Admin.PostAsync(Test(agent, HygieneTest, at: DateTimeOffset.UtcNow.AddDays(-20)), Test(agent, HygieneTest, Guid.NewGuid()));
        var overdue = await TasksAsync(tenant.Admin, "?person=ivar&status=overdue");
        overdue.Should().ContainSingle().Which!["overdue"]!.GetValue<bool>().Should().BeTrue();
        (await TasksAsync(tenant.Admin, "?person=ivar&status=open")).Should().HaveCount(2);
    }

    [Fact]
    public async Task A_group_reflection_records_attendance_statements_notes_and_shows_shared_answers_to_the_group()
    {
        var tenant = await NewTenantAsync();
        var anna = await AddPersonAsync(tenant, "anna");
        var bo = await AddPersonAsync(tenant, "bo");
        var cia = await AddPersonAsync(tenant, "cia");
        var elsewhere = await AddPersonAsync(tenant, "tove", "trygga", "solrosen");
        await tenant.Admin.PostAsync(Test(anna, DementiaTest, at: DateTimeOffset.UtcNow.AddDays(-3)), Test(bo, DementiaTest, at: DateTimeOffset.UtcNow.AddDays(-2)),
            Test(cia, HygieneTest, at: DateTimeOffset.UtcNow.AddDays(-2)), Test(elsewhere, DementiaTest));
        var annasTask = (await TasksAsync(tenant.Admin, "?person=anna&template=demens-apt"))[0]!;
        var bosTask = (await TasksAsync(tenant.Admin, "?person=bo&template=demens-apt"))[0]!;
        await AnswerAsync(tenant.Admin, Id(annasTask), Answers(true, ("demens-oro", "Delat: brukaren blev orolig vid kvällsrutinen.")));
        await AnswerAsync(tenant.Admin, Id(bosTask), Answers(false, ("demens-oro", "Privat: det var svårt.")));

        // The agenda: the unit's recent trainings and the group template linked to them, with shared answers only.
        var agenda = (await tenant.Admin.GetFromJsonAsync<JsonNode>($"/api/units/{Unit}/group-reflection"))!;
        agenda["members"]!.GetValue<int>().Should().Be(3);
        agenda["trainings"]!.AsArray().Select(t => (t!["competence"]!.GetValue<string>(), t["people"]!.GetValue<int>()))
            .Should().BeEquivalentTo([("demens-abc", 2), ("basal-hygien", 1)]);
        var template = agenda["templates"]!.AsArray().Should().ContainSingle().Subject!;
        template["id"]!.GetValue<string>().Should().Be("demens-apt");
        template["answeredTasks"]!.GetValue<int>().Should().Be(2);
        template["sharedAnswerCount"]!.GetValue<int>().Should().Be(1);
        template["sharedAnswers"]![0]!["response"]!.GetValue<string>().Should().StartWith("Delat:");
        template["sharedAnswers"]![0]!["personId"]!.GetValue<string>().Should().Be("anna");
        agenda.ToJsonString().Should().NotContain("Privat");
        var managerAgenda = await (await lrs.ClientWithScopesAsync("reflections:read", "1.0.3", tenant.Name)).GetStringAsync($"/api/units/{Unit}/group-reflection");
        managerAgenda.Should().NotContain("Delat").And.Contain("\"sharedAnswerCount\":1");

        // The facilitator records the meeting.
        var meetingId = Guid.NewGuid();
        var heldAt = DateTimeOffset.UtcNow.AddMinutes(-30);
        var body = new JsonObject
        {
            ["id"] = meetingId.ToString(),
            ["heldAt"] = heldAt.ToString("yyyy-MM-ddTHH:mm:sszzz"),
            ["facilitator"] = new JsonObject { ["personId"] = "cia" },
            ["attendees"] = new JsonArray { new JsonObject { ["personId"] = "anna" }, new JsonObject { ["personId"] = "cia" }, new JsonObject { ["agent"] = bo.DeepClone() } },
            ["templates"] = new JsonArray("demens-apt"),
            ["notes"] = "Vi provar lugnare kvällsrutiner.",
        };
        var post = await tenant.Admin.PostAsync($"/api/units/{Unit}/group-reflections", Json(body));
        var postText = await post.Content.ReadAsStringAsync();
        post.StatusCode.Should().Be(HttpStatusCode.Created, postText);
        post.Headers.Location!.ToString().Should().Be($"/api/group-reflections/{meetingId}");
        var recorded = JsonNode.Parse(postText)!;
        recorded["attendeeCount"]!.GetValue<int>().Should().Be(3);
        recorded["notes"]!.GetValue<string>().Should().Be("Vi provar lugnare kvällsrutiner.");
        recorded["sharedAnswers"]!.AsArray().Should().ContainSingle().Which!["personId"]!.GetValue<string>().Should().Be("anna");

        // Attendance statements: attended the meeting, the unit as team, the facilitator as instructor.
        var statementId = recorded["attendees"]![0]!["statementId"]!.GetValue<string>();
        var (_, statement) = await tenant.Admin.GetJsonAsync($"/xapi/statements?statementId={statementId}");
        statement!["verb"]!["id"]!.GetValue<string>().Should().Be(Attended);
        statement["object"]!["id"]!.GetValue<string>().Should().Be($"https://lrsapi.se/xapi/reflection/meetings/{meetingId}");
        statement["object"]!["definition"]!["type"]!.GetValue<string>().Should().Be("http://adlnet.gov/expapi/activities/meeting");
        statement["context"]!["team"]!["account"]!["name"]!.GetValue<string>().Should().Be(Unit);
        statement["context"]!["instructor"]!["account"]!["name"]!.GetValue<string>().Should().Be("cia");
        var attendance = await tenant.Admin.GetAllAsync($"/xapi/statements?activity={Uri.EscapeDataString($"https://lrsapi.se/xapi/reflection/meetings/{meetingId}")}");
        attendance.Should().HaveCount(3);

        // The same id again changes nothing.
        var again = await tenant.Admin.PostAsync($"/api/units/{Unit}/group-reflections", Json(body));
        again.StatusCode.Should().Be(HttpStatusCode.Conflict);
        (await tenant.Admin.GetAllAsync($"/xapi/statements?activity={Uri.EscapeDataString($"https://lrsapi.se/xapi/reflection/meetings/{meetingId}")}")).Should().HaveCount(3);

        // Read back; managers see attendance, not notes or shared text.
        var read = (await tenant.Admin.GetFromJsonAsync<JsonNode>($"/api/group-reflections/{meetingId}"))!;
        read["notes"]!.GetValue<string>().Should().StartWith("Vi provar");
        var manager = await lrs.ClientWithScopesAsync("reflections:read", "1.0.3", tenant.Name);
        var managerView = await manager.GetStringAsync($"/api/group-reflections/{meetingId}");
        managerView.Should().NotContain("Vi provar").And.NotContain("Delat").And.Contain("\"attendeeCount\":3");
        (await manager.GetFromJsonAsync<JsonNode>($"/api/units/{Unit}/group-reflections"))!["groupReflections"]!.AsArray().Should().ContainSingle();

        // The follow-up counts trainings, answers and the group reflection in this month.
        var followUp = (await manager.GetFromJsonAsync<JsonNode>($"/api/units/{Unit}/reflection-follow-up"))!;
        var months = followUp["months"]!.AsArray();
        months.Should().HaveCount(12);
        var totals = (Trainings: months.Sum(m => m!["trainingsCompleted"]!.GetValue<int>()), Answered: months.Sum(m => m!["reflectionsAnswered"]!.GetValue<int>()),
            Meetings: months.Sum(m => m!["groupReflections"]!.GetValue<int>()), Attendances: months.Sum(m => m!["groupReflectionAttendances"]!.GetValue<int>()));
        totals.Should().Be((3, 2, 1, 3), "three trainings, Anna and Bo answered, one meeting with three attending");
        (await manager.GetAsync($"/api/units/{Unit}/reflection-follow-up?from=2026-13")).StatusCode.Should().Be(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task A_reflection_answer_still_being_written_is_not_covered_by_consistent_through()
    {
        var tenant = await NewTenantAsync();
        var agent = await AddPersonAsync(tenant, "hanna");
        await tenant.Admin.PostAsync(Test(agent, HygieneTest));
        var task = (await TasksAsync(tenant.Admin, "?person=hanna"))[0]!;

        await WhileInFlightAsync(tenant, client => client.PostAsync($"/api/reflection-tasks/{Id(task)}/answers",
            Json(Answers(false, ("handtvatt", "Händerna sprider smitta."), ("samma-handskar", "Smitta förs mellan brukare.")))));
    }

    [Fact]
    public async Task A_group_reflection_still_being_written_is_not_covered_by_consistent_through()
    {
        var tenant = await NewTenantAsync();
        await AddPersonAsync(tenant, "ida");
        await AddPersonAsync(tenant, "jan");
        var body = new JsonObject
        {
            ["heldAt"] = DateTimeOffset.UtcNow.AddHours(-1).ToString("yyyy-MM-ddTHH:mm:sszzz"),
            ["facilitator"] = new JsonObject { ["personId"] = "ida" },
            ["attendees"] = new JsonArray { new JsonObject { ["personId"] = "ida" }, new JsonObject { ["personId"] = "jan" } },
        };

        await WhileInFlightAsync(tenant, client => client.PostAsync($"/api/units/{Unit}/group-reflections", Json(body)));
    }

    // Holds the statements of `write` on their way to the store and reads the consistency bound meanwhile: it must stay
    // before their stored time until they are committed.
    private async Task WhileInFlightAsync(Tenant tenant, Func<HttpClient, Task<HttpResponseMessage>> write)
    {
        var (held, hold) = HeldWrites.Over(lrs);
        await using var _ = held;
        var client = HeldWrites.ClientLike(held, tenant.Admin);
        var holding = hold.HoldNext();
        var response = write(client);
        DateTimeOffset stored;
        try
        {
            stored = (await holding.WaitAsync(TimeSpan.FromSeconds(30))).Min(s => s.Stored);
            // Let the wall clock pass the stored time, so that a bound read from the clock alone would claim the write.
            while (DateTimeOffset.UtcNow <= stored.AddMilliseconds(1)) await Task.Delay(1);

            var during = await client.GetAsync("/xapi/statements?limit=1");
            ConsistentThrough(during).Should().BeBefore(stored, "the statements stored at that time are not committed yet");
        }
        finally
        {
            hold.Release();
        }
        var done = await response;
        done.IsSuccessStatusCode.Should().BeTrue(await done.Content.ReadAsStringAsync());
        // On PostgreSQL the fixture's own host is another node on the same database, and a node takes in the others'
        // bounds as they publish them (every 200 ms), so the bound reaches the committed write within a moment.
        var deadline = DateTime.UtcNow.AddSeconds(5);
        HttpResponseMessage after;
        do after = await client.GetAsync($"/xapi/statements?statementId={(await holding)[0].Id}");
        while (after.StatusCode == HttpStatusCode.OK && ConsistentThrough(after) < stored && DateTime.UtcNow < deadline && await Delay());
        after.StatusCode.Should().Be(HttpStatusCode.OK);
        ConsistentThrough(after).Should().BeOnOrAfter(stored);

        static async Task<bool> Delay()
        {
            await Task.Delay(50);
            return true;
        }
    }

    private static DateTimeOffset ConsistentThrough(HttpResponseMessage response) =>
        DateTimeOffset.Parse(response.Header("X-Experience-API-Consistent-Through")!, System.Globalization.CultureInfo.InvariantCulture);

    [Fact]
    public async Task A_group_reflection_counts_the_attendees_open_group_tasks_as_answered()
    {
        var tenant = await NewTenantAsync();
        var anna = await AddPersonAsync(tenant, "anna");
        var bo = await AddPersonAsync(tenant, "bo");
        await tenant.Admin.PostAsync(Test(anna, DementiaTest, at: DateTimeOffset.UtcNow.AddDays(-3)), Test(bo, DementiaTest, at: DateTimeOffset.UtcNow.AddDays(-3)));
        var body = new JsonObject
        {
            ["heldAt"] = DateTimeOffset.UtcNow.AddHours(-1).ToString("yyyy-MM-ddTHH:mm:sszzz"),
            ["facilitator"] = new JsonObject { ["personId"] = "bo" },
            ["attendees"] = new JsonArray { new JsonObject { ["personId"] = "anna" } },
            ["templates"] = new JsonArray("demens-apt"),
        };
        var post = await tenant.Admin.PostAsync($"/api/units/{Unit}/group-reflections", Json(body));
        post.StatusCode.Should().Be(HttpStatusCode.Created, await post.Content.ReadAsStringAsync());
        var meeting = (await post.Content.ReadFromJsonAsync<JsonNode>())!["id"]!.GetValue<string>();

        var annas = (await TasksAsync(tenant.Admin, "?person=anna"))[0]!;
        annas["status"]!.GetValue<string>().Should().Be("answered");
        annas["groupReflectionId"]!.GetValue<string>().Should().Be(meeting);
        (await TasksAsync(tenant.Admin, "?person=bo"))[0]!["status"]!.GetValue<string>().Should().Be("open", "Bo led it but was not listed as attending");
    }

    [Fact]
    public async Task An_invalid_group_reflection_is_400_naming_every_problem_and_stores_nothing()
    {
        var tenant = await NewTenantAsync();
        await AddPersonAsync(tenant, "anna");
        var body = new JsonObject
        {
            ["heldAt"] = "igår",
            ["facilitator"] = new JsonObject { ["personId"] = "finns-inte" },
            ["attendees"] = new JsonArray { new JsonObject { ["personId"] = "anna" }, new JsonObject { ["agent"] = new JsonObject { ["name"] = "utan identifierare" } } },
            ["templates"] = new JsonArray("hygien-reflektion", "okand"),
            ["notes"] = 5,
        };
        var post = await tenant.Admin.PostAsync($"/api/units/{Unit}/group-reflections", Json(body));
        var text = await post.Content.ReadAsStringAsync();
        post.StatusCode.Should().Be(HttpStatusCode.BadRequest, text);
        var errors = JsonNode.Parse(text)!["errors"]!.AsObject().Select(e => e.Key).ToList();
        errors.Should().Contain(["$.heldAt", "$.facilitator.personId", "$.attendees[1].agent", "$.templates[0]", "$.templates[1]", "$.notes"]);
        (await tenant.Admin.GetFromJsonAsync<JsonNode>($"/api/units/{Unit}/group-reflections"))!["groupReflections"]!.AsArray().Should().BeEmpty();
        (await tenant.Admin.GetAllAsync($"/xapi/statements?verb={Uri.EscapeDataString(Attended)}")).Should().BeEmpty();
        (await tenant.Admin.PostAsync("/api/units/no-such-unit/group-reflections", Json(body))).StatusCode.Should().Be(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Reflection_templates_are_framework_items()
    {
        var tenant = await NewTenantAsync();
        var item = (await tenant.Admin.GetFromJsonAsync<JsonNode>("/api/framework/reflectionTemplates/demens-apt"))!;
        item["mode"]!.GetValue<string>().Should().Be("group");
        item["dueIn"] = "P60D";
        (await tenant.Admin.PutAsync("/api/framework/reflectionTemplates/demens-apt", Json(item))).StatusCode.Should().Be(HttpStatusCode.OK);
        (await tenant.Admin.GetFromJsonAsync<JsonNode>("/api/framework/reflectionTemplates/demens-apt"))!["dueIn"]!.GetValue<string>().Should().Be("P60D");
        item["trigger"] = new JsonObject { ["competence"] = "finns-inte" };
        (await tenant.Admin.PutAsync("/api/framework/reflectionTemplates/demens-apt", Json(item))).StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await tenant.Admin.DeleteAsync("/api/framework/reflectionTemplates/webinar-reflektion")).StatusCode.Should().Be(HttpStatusCode.OK);
        (await tenant.Admin.GetAsync("/api/framework/reflectionTemplates/webinar-reflektion")).StatusCode.Should().Be(HttpStatusCode.NotFound);
    }
}

public sealed class ReflectionTestsOnSqlite(SqliteLrs lrs) : ReflectionTests(lrs), IClassFixture<SqliteLrs>;
public sealed class ReflectionTestsOnPostgres(PostgresLrs lrs) : ReflectionTests(lrs), IClassFixture<PostgresLrs>;
