using System.Globalization;
using System.Text.Json.Nodes;
using Lrs.Core.Xapi;
using static Lrs.Api.Demo.DemoCatalogue;

namespace Lrs.Api.Demo;

/// <summary>Turns a planned step into an xAPI statement; every node is new, so statements share nothing.</summary>
internal static class DemoStatement
{
    public static JsonObject Build(DemoTenant tenant, int person, DemoStep step, bool xapi20)
    {
        var statement = new JsonObject
        {
            ["id"] = tenant.StatementId(person, step.Seq).ToString(),
            ["actor"] = step.Verb == DemoVerb.Verified ? AgentOf(tenant, step.Assessor) : Learner(tenant, person, step.ByMail),
            ["verb"] = Verb(step.Verb),
            ["object"] = step.Object == DemoObject.StatementRef
                ? new JsonObject { ["objectType"] = "StatementRef", ["id"] = tenant.StatementId(person, step.Target).ToString() }
                : Activity(tenant, person, step.Object, step.Topic, step.Part, step.Ticks),
        };
        if (Result(step) is { } result) statement["result"] = result;
        statement["context"] = Context(tenant, person, step, xapi20);
        statement["timestamp"] = XapiTimestamp.ToUtcString(new DateTimeOffset(step.Ticks, TimeSpan.Zero));
        return statement;
    }

    private static JsonObject Learner(DemoTenant tenant, int person, bool byMail)
    {
        var agents = tenant.People[person].Agents;
        return (JsonObject)(byMail && agents.Count > 1 ? agents[1] : agents[0]).DeepClone();
    }

    private static JsonObject AgentOf(DemoTenant tenant, int who) =>
        (JsonObject)(who >= 0 ? tenant.People[who].Agents[0] : tenant.Trainers[-2 - who]).DeepClone();

    private static JsonObject Verb(DemoVerb verb)
    {
        var (id, sv, en) = Verbs[(int)verb];
        return new JsonObject { ["id"] = id, ["display"] = Names(sv, en) };
    }

    private static JsonObject Names(string sv, string en) => new() { ["sv-SE"] = sv, ["en-US"] = en };

    private static JsonObject Activity(string path, string sv, string en, string type) => new()
    {
        ["objectType"] = "Activity",
        ["id"] = ActivityBase + path,
        ["definition"] = new JsonObject { ["name"] = Names(sv, en), ["type"] = type },
    };

    private static JsonObject Activity(DemoTenant tenant, int person, DemoObject obj, int topicIndex, int part, long ticks)
    {
        var (topic, sv, en) = Topic(topicIndex);
        string n = part.ToString(CultureInfo.InvariantCulture);
        switch (obj)
        {
            case DemoObject.Course: return Activity($"courses/{topic}", $"{sv} – webbutbildning", $"{en} – e-learning", CourseType);
            case DemoObject.Module: return Activity($"courses/{topic}/modules/{n}", $"{sv} – avsnitt {n}", $"{en} – part {n}", ModuleType);
            case DemoObject.Assessment: return Activity($"assessments/{topic}", $"{sv} – kunskapstest", $"{en} – knowledge test", AssessmentType);
            case DemoObject.Session: return Activity($"sessions/{topic}", $"{sv} – praktisk utbildning", $"{en} – practical training", MeetingType);
            case DemoObject.Performance: return Activity($"performances/{topic}", $"{sv} – praktisk kontroll", $"{en} – practical check", PerformanceType);
            case DemoObject.Credential: return Activity($"credentials/{topic}", sv, en, CredentialType);
            case DemoObject.Webinar: return Activity($"webinars/{topic}", $"{sv} – webbinarium", $"{en} – webinar", WebinarType);
            case DemoObject.Video: return Activity($"videos/{topic}/{n}", $"{sv} – inspelat webbinarium, del {n}", $"{en} – recorded webinar, part {n}", VideoType);
            case DemoObject.LearningBox: return Activity($"learning-boxes/{topic}", sv, en, LessonType);
            case DemoObject.Question:
                var prompt = Prompts[part];
                return Activity($"questions/{prompt.Id}", prompt.Sv, prompt.En, QuestionType);
            case DemoObject.LexSarahMeeting or DemoObject.WorkplaceMeeting:
                var unit = tenant.Units[tenant.UnitOf[person]];
                string date = new DateTime(ticks, DateTimeKind.Utc).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
                return obj == DemoObject.LexSarahMeeting
                    ? Activity($"meetings/lex-sarah/{unit.Id}/{date}", $"Arbetsplatsträff {unit.Name} {date}: lex Sarah",
                        $"Staff meeting {unit.Name} {date}: lex Sarah briefing", MeetingType)
                    : Activity($"meetings/apt/{unit.Id}/{date}", $"Arbetsplatsträff {unit.Name} {date}: gruppreflektion",
                        $"Staff meeting {unit.Name} {date}: group reflection", MeetingType);
            default: throw new ArgumentOutOfRangeException(nameof(obj), obj, null);
        }
    }

    private static JsonObject Metodikum() =>
        Activity(MetodikumPath, "Metodikum, Solna", "Metodikum learning centre, Solna", LearningCentreType);

    private static JsonObject? Result(DemoStep step)
    {
        var result = new JsonObject();
        if (step.Success >= 0) result["success"] = step.Success == 1;
        switch (step.Verb)
        {
            case DemoVerb.Passed or DemoVerb.Failed or DemoVerb.Completed or DemoVerb.Watched:
                result["completion"] = true;
                break;
            case DemoVerb.Verified:
                result["success"] = true;
                break;
            case DemoVerb.Answered:
                result["response"] = Prompts[step.Part].Answers[step.Value];
                break;
        }
        if (step.Object == DemoObject.Assessment && step.Value >= 0)
            result["score"] = new JsonObject { ["scaled"] = step.Value / 20.0, ["raw"] = (int)step.Value, ["min"] = 0, ["max"] = 20 };
        if (step.Minutes > 0) result["duration"] = Duration(step.Minutes);
        if (step.Verb is DemoVerb.Played or DemoVerb.Watched)
            result["extensions"] = new JsonObject { [VideoProgressExtension] = step.Verb == DemoVerb.Watched ? 1.0 : Math.Max(0, (int)step.Value) / 100.0 };
        if (step.Verb == DemoVerb.Progressed)
            result["extensions"] = new JsonObject { [Cmi5ProgressExtension] = (int)step.Value };
        return result.Count == 0 ? null : result;
    }

    private static string Duration(int minutes) =>
        minutes >= 60
            ? string.Create(CultureInfo.InvariantCulture, $"PT{minutes / 60}H{(minutes % 60 > 0 ? $"{minutes % 60}M" : "")}")
            : string.Create(CultureInfo.InvariantCulture, $"PT{minutes}M");

    private static JsonObject Context(DemoTenant tenant, int person, DemoStep step, bool xapi20)
    {
        var context = new JsonObject();
        if (step.Attempt >= 0) context["registration"] = tenant.Registration(person, step.Attempt).ToString();
        bool signOff = step.Verb == DemoVerb.Verified;
        if (step.Assessor != -1 && !signOff) context["instructor"] = AgentOf(tenant, step.Assessor);
        if (step.InTeam) context["team"] = Team(tenant, person);

        JsonObject? parent = null, grouping = null;
        switch (step.Object)
        {
            case DemoObject.Module or DemoObject.Assessment:
                parent = Activity(tenant, person, DemoObject.Course, step.Topic, 0, step.Ticks);
                break;
            case DemoObject.Session when step.Topic is Forflyttning or Hlr or Palliativ:
            case DemoObject.LearningBox:
                grouping = Metodikum();
                break;
            case DemoObject.Video:
                parent = Activity(tenant, person, DemoObject.Webinar, step.Topic, 0, step.Ticks);
                break;
            case DemoObject.Question:
                var prompt = Prompts[step.Part];
                parent = prompt.Group ? Activity(tenant, person, DemoObject.WorkplaceMeeting, step.Topic, 0, step.Ticks)
                    : Activity(tenant, person, prompt.Competence == Forflyttning ? DemoObject.Session : DemoObject.Course, step.Topic, 0, step.Ticks);
                break;
        }
        if (parent is not null || grouping is not null)
        {
            var activities = new JsonObject();
            if (parent is not null) activities["parent"] = new JsonArray(parent);
            if (grouping is not null) activities["grouping"] = new JsonArray(grouping);
            context["contextActivities"] = activities;
        }
        if (step.Object == DemoObject.Question)
            context["statement"] = new JsonObject { ["objectType"] = "StatementRef", ["id"] = tenant.StatementId(person, step.Target).ToString() };
        context["language"] = "sv-SE";
        if (step.Expires != 0)
            context["extensions"] = new JsonObject
            {
                [ExpiresExtension] = XapiTimestamp.ToUtcString(new DateTimeOffset(step.Expires, TimeSpan.Zero)),
            };

        if (xapi20)
        {
            // xAPI 2.0 names the assessor's part and the team as a context group, besides the 1.0.3 properties.
            if (step.Assessor != -1 && !signOff && step.Object is DemoObject.Session or DemoObject.Performance)
                context["contextAgents"] = new JsonArray(new JsonObject
                {
                    ["objectType"] = "contextAgent",
                    ["agent"] = AgentOf(tenant, step.Assessor),
                    ["relevantTypes"] = new JsonArray(AssessorType),
                });
            if (step.InTeam)
                context["contextGroups"] = new JsonArray(new JsonObject
                {
                    ["objectType"] = "contextGroup",
                    ["group"] = Team(tenant, person),
                    ["relevantTypes"] = new JsonArray(WorkplaceTeamType),
                });
        }
        return context;
    }

    // The unit's work group as an identified group in the employer's HR system.
    private static JsonObject Team(DemoTenant tenant, int person)
    {
        int unit = tenant.UnitOf[person];
        return new JsonObject
        {
            ["objectType"] = "Group",
            ["name"] = "Arbetsgrupp " + tenant.Units[unit].Name,
            ["account"] = new JsonObject { ["homePage"] = tenant.OrganisationOfUnit[unit].HrHomePage, ["name"] = "team-" + tenant.Units[unit].Id },
        };
    }
}
