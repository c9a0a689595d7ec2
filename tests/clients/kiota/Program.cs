// The C# client generated from openapi/v1.json with Kiota, driving a running LrsApi: the framework, organisations and
// people, statements, a profile and a unit's gaps, a reflection task and its answers, and paging by `more`.
// Exits 1 on the first failure. Usage: dotnet run -- BASE_URL KEY SECRET   (a credential with every scope of a fresh tenant)
using System.Net.Http.Headers;
using System.Text;
using LrsApi.Client;
using LrsApi.Client.Models;
using Microsoft.Kiota.Abstractions.Authentication;
using Microsoft.Kiota.Http.HttpClientLibrary;

if (args.Length != 3) { Console.Error.WriteLine("usage: BASE_URL KEY SECRET"); return 2; }
var (baseUrl, key, secret) = (args[0], args[1], args[2]);

using var http = new HttpClient();
http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{key}:{secret}")));
var client = new LrsApiClient(new HttpClientRequestAdapter(new AnonymousAuthenticationProvider(), httpClient: http) { BaseUrl = baseUrl });

const string Hr = "https://hr.kiota-client.example";
const string Course = "https://learning.kiota-client.example/courses/basal-hygien";
const string Passed = "http://adlnet.gov/expapi/verbs/passed";

try
{
    await client.Api.Framework.PutAsync(new Framework
    {
        Competences = [new FrameworkCompetence { Id = "basal-hygien", Name = new LocalizedText { Sv = "Basala hygienrutiner", En = "Basic hygiene" }, Validity = "P1Y" }],
        Rules = [new FrameworkRule { Id = "basal-hygien-course", Competence = "basal-hygien", Verbs = [Passed], Activities = [Course], SuccessRequired = true }],
        Roles =
        [
            new FrameworkRole
            {
                Id = "underskoterska", Name = new LocalizedText { Sv = "Undersköterska", En = "Assistant nurse" },
                Requirements = [new FrameworkRequirement { Competence = "basal-hygien", Level = FrameworkRequirement_level.Required }],
            },
        ],
        ReflectionTemplates =
        [
            new FrameworkReflectionTemplate
            {
                Id = "basal-hygien-reflektion", Title = new LocalizedText { Sv = "Reflektion: basal hygien", En = "Reflection: basic hygiene" },
                Prompts = [new FrameworkPrompt { Id = "handtvatt", Text = new LocalizedText { Sv = "Varför spritar vi händerna?", En = "Why do we disinfect our hands?" } }],
                Trigger = new FrameworkReflectionTemplate_trigger { Competence = "basal-hygien" },
                Mode = FrameworkReflectionTemplate_mode.Individual, DueIn = "P14D",
            },
        ],
    });
    Ok("the framework is imported");

    await client.Api.Organisations.PutAsync([new OrganisationInput { Id = "solna", Name = "Solna stad", HrHomePage = Hr, Units = [new UnitInput { Id = "ekbacken", Name = "Vårdboende Ekbacken" }] }]);
    Ok("organisations are upserted");

    var counts = await client.Api.People.PutAsync([.. new[] { "E1", "E2", "E3" }.Select(id => new PersonInput
    {
        Id = id, OrganisationId = "solna", Name = "Person " + id, Units = ["ekbacken"], Roles = ["underskoterska"],
        Agents = [new Agent { Mbox = $"mailto:{id.ToLowerInvariant()}@solna.kiota-client.example" }],
    })]);
    Check(counts?.Created == 3, "three people are created (counts are integers)");

    var statement = new Statement
    {
        Actor = new Actor { Agent = new Agent { ObjectType = Agent_objectType.Agent, Account = new Account { HomePage = Hr, Name = "E1" } } },
        Verb = new Verb { Id = Passed },
        Object = new StatementObject { Activity = new Activity { ObjectType = Activity_objectType.Activity, Id = Course } },
        Result = new Result { Success = true, Score = new Score { Scaled = 0.9 } },
    };
    var ids = await client.Xapi.Statements.PostAsync(new Statements { Statement = [statement] }, r => r.Headers.Add("X-Experience-API-Version", "2.0.0"));
    Check(ids is { Count: 1 }, "a statement is stored");
    var page = await client.Xapi.Statements.GetAsync(r =>
    {
        r.Headers.Add("X-Experience-API-Version", "2.0.0");
        r.QueryParameters.Verb = Passed;
    });
    Check(page?.StatementResult?.Statements is { Count: 1 }, "the statement is read back as a StatementResult");

    var profile = await client.Api.People["E1"].Profile.GetAsync();
    Check(profile?.Competences?.Any(c => c.Competence == "basal-hygien" && c.Status == "valid") == true, "E1's profile holds the competence as valid");
    var gaps = await client.Api.Units["ekbacken"].Gaps.GetAsync();
    Check(gaps?.People?.Count(p => p.Lacking?.Any(l => l.Competence == "basal-hygien") == true) == 2, "the unit's gaps list the two others");

    var tasks = await client.Api.ReflectionTasks.GetAsync(r => { r.QueryParameters.Person = "E1"; r.QueryParameters.Status = "open"; });
    var task = tasks?.Tasks?.FirstOrDefault();
    Check(task?.Id is not null && task.Prompts is { Count: 1 }, "E1 has an open reflection task with its prompt");
    var answered = await client.Api.ReflectionTasks[task!.Id!.Value].Answers.PostAsync(new AnswersInput
    {
        Answers = [new AnswersInput_answers { PromptId = task.Prompts![0].Id, Response = "Händerna för smitta vidare." }],
        SharedWithGroup = false,
    });
    Check(answered?.Status == "answered" && answered.AnswerCount == 1, "the task is answered");

    var seen = new List<string>();
    string? cursor = null;
    for (var pages = 0; pages < 10; pages++)
    {
        var people = await client.Api.People.GetAsync(r => { r.QueryParameters.Limit = 1; r.QueryParameters.Cursor = cursor; });
        seen.AddRange(people!.People!.Select(p => p.Id!));
        if (string.IsNullOrEmpty(people.More)) break;
        cursor = System.Web.HttpUtility.ParseQueryString(new Uri(new Uri(baseUrl), people.More).Query)["cursor"];
        Check(cursor is not null, "more carries the cursor of the next page");
    }
    Check(string.Join(",", seen) == "E1,E2,E3", "paging with more visits every person once");

    try
    {
        await client.Api.People.GetAsync(r => r.QueryParameters.Limit = 5000);
        Check(false, "a bad limit is refused");
    }
    catch (ProblemDetails problem)
    {
        Check(problem.Status == 400, "a bad limit is a ProblemDetails");
    }
    Console.WriteLine("all passed");
    return 0;
}
catch (Exception e)
{
    Console.WriteLine("failed: " + e);
    return 1;
}

static void Ok(string what) => Console.WriteLine("ok: " + what);

static void Check(bool condition, string what)
{
    if (!condition) throw new InvalidOperationException(what);
    Ok(what);
}
