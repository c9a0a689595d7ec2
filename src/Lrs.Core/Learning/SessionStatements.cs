using System.Globalization;
using System.Text.Json.Nodes;
using Lrs.Core.Xapi;

namespace Lrs.Core.Learning;

/// <summary>Someone resolved to the agent their statements name.</summary>
/// <param name="Key">See <see cref="SessionParticipant.Key"/>.</param>
/// <param name="PersonId">The person, when named by person id.</param>
/// <param name="OrganisationId">The person's organisation.</param>
/// <param name="Agent">The agent (a person's preferred agent: the HR account if any).</param>
public sealed record ResolvedAgent(string Key, string? PersonId, string? OrganisationId, JsonObject Agent);

/// <summary>What every statement of one session or webinar shares.</summary>
/// <param name="Kind">Session or webinar.</param>
/// <param name="Id">The client's id, written into <see cref="SessionStatements.SessionExtension"/> or <see cref="SessionStatements.WebinarExtension"/>.</param>
/// <param name="Activity">The object of the statements.</param>
/// <param name="Start">When it began.</param>
/// <param name="End">When it ended.</param>
/// <param name="Place">The learning centre (sessions).</param>
/// <param name="Instructors">The trainers or presenters.</param>
/// <param name="Version">The xAPI version written.</param>
public sealed record SessionContext(SessionKind Kind, string Id, LearningActivity Activity, DateTimeOffset Start, DateTimeOffset End,
    LearningPlace? Place, IReadOnlyList<JsonObject> Instructors, XapiVersion Version)
{
    /// <summary>The registration of all the statements.</summary>
    public Guid Registration { get; } = SessionIds.Registration(Kind, Id);
}

/// <summary>
/// The statements of on-site sessions and webinars: standard verbs and activity types, the trainer as
/// <c>context.instructor</c> (and in <c>contextAgents</c> under xAPI 2.0), one registration per session, the learning
/// centre in <c>contextActivities.grouping</c>, the session's id in a context extension of the project's namespace.
/// Timestamps come from the session (its end; a sign-off's own time), never from the clock, and ids are name-based
/// (<see cref="SessionIds"/>), so building again gives the same statements. Every statement is valid for its version.
/// </summary>
public static class SessionStatements
{
    /// <summary><c>http://adlnet.gov/expapi/verbs/attended</c>.</summary>
    public const string AttendedVerb = "http://adlnet.gov/expapi/verbs/attended";
    /// <summary><c>http://adlnet.gov/expapi/verbs/passed</c>.</summary>
    public const string PassedVerb = "http://adlnet.gov/expapi/verbs/passed";
    /// <summary><c>http://adlnet.gov/expapi/verbs/failed</c>.</summary>
    public const string FailedVerb = "http://adlnet.gov/expapi/verbs/failed";
    /// <summary>A supervisor's sign-off of another statement: <c>https://w3id.org/xapi/tla/verbs/verified</c>.</summary>
    public const string VerifiedVerb = "https://w3id.org/xapi/tla/verbs/verified";
    /// <summary>Joined a webinar without staying long enough to count as attended: <c>http://activitystrea.ms/join</c>.</summary>
    public const string JoinedVerb = "http://activitystrea.ms/join";

    /// <summary>Context extension: the id of the session the statement was written for (a string).</summary>
    public const string SessionExtension = Reflection.ReflectionStatements.Namespace + "extensions/session";
    /// <summary>Context extension: the id of the webinar the statement was written for (a string).</summary>
    public const string WebinarExtension = Reflection.ReflectionStatements.Namespace + "extensions/webinar";
    /// <summary>The activity type of a learning centre (the place in <c>contextActivities.grouping</c>).</summary>
    public const string LearningCentreType = Reflection.ReflectionStatements.Namespace + "activity-types/learning-centre";
    /// <summary>The relevant type of a trainer or presenter in xAPI 2.0 <c>contextAgents</c>.</summary>
    public const string InstructorRelevantType = Reflection.ReflectionStatements.Namespace + "relevant-types/instructor";

    private static readonly Dictionary<string, (string Sv, string En)> Displays = new(StringComparer.Ordinal)
    {
        [AttendedVerb] = ("deltog i", "attended"),
        [PassedVerb] = ("klarade", "passed"),
        [FailedVerb] = ("klarade inte", "failed"),
        [VerifiedVerb] = ("bekräftade", "verified"),
        [JoinedVerb] = ("anslöt till", "joined"),
    };

    /// <summary>
    /// A session participant's statements: <c>attended</c> with the session's duration, then for a practical demonstration
    /// <c>passed</c> or <c>failed</c> (<c>result.success</c>), then the supervisor's sign-off of the outcome statement
    /// (<see cref="VerifiedVerb"/>, object a StatementRef) when one is given.
    /// </summary>
    public static IReadOnlyList<JsonObject> ForParticipant(SessionContext session, ResolvedAgent who, string outcome,
        JsonObject? signer, DateTimeOffset? signedAt, IReadOnlySet<Guid> voided)
    {
        var statements = new List<JsonObject>(3);
        var attended = Build(session, who.Agent, AttendedVerb, Object(session),
            new JsonObject { ["completion"] = true, ["duration"] = Duration(session.End - session.Start) }, session.End);
        statements.Add(WithId(session, who.Key, "attended", attended, voided));
        var signed = statements[0];
        if (outcome is "passed" or "failed")
        {
            var passed = outcome == "passed";
            var result = Build(session, who.Agent, passed ? PassedVerb : FailedVerb, Object(session),
                new JsonObject { ["success"] = passed, ["completion"] = true }, session.End);
            statements.Add(signed = WithId(session, who.Key, outcome, result, voided));
        }
        if (signer is not null)
        {
            var target = new JsonObject { ["objectType"] = "StatementRef", ["id"] = signed["id"]!.GetValue<string>() };
            var signoff = Build(session, signer, VerifiedVerb, target, new JsonObject { ["success"] = true }, signedAt ?? session.End);
            statements.Add(WithId(session, who.Key, "signoff", signoff, voided));
        }
        return statements;
    }

    /// <summary>
    /// A webinar participant's statement: <c>attended</c> when they were there long enough, else <c>joined</c>, with the
    /// time they were there as <c>result.duration</c>; attended is stamped at the webinar's end, joined at the first join.
    /// </summary>
    public static JsonObject ForWebinar(SessionContext webinar, ResolvedAgent who, bool attended, TimeSpan present, DateTimeOffset firstJoined)
    {
        var statement = Build(webinar, who.Agent, attended ? AttendedVerb : JoinedVerb, Object(webinar),
            new JsonObject { ["completion"] = attended, ["duration"] = Duration(present) }, attended ? webinar.End : firstJoined);
        return statement;
    }

    /// <summary>Gives a built statement its name-based id (see <see cref="SessionIds.Statement"/>).</summary>
    public static JsonObject WithId(SessionContext session, string participantKey, string kind, JsonObject statement, IReadOnlySet<Guid> voided)
    {
        var id = SessionIds.Statement(session.Registration, participantKey, kind, statement, voided);
        var withId = new JsonObject { ["id"] = id.ToString("D") };
        foreach (var (name, value) in statement.ToList())
        {
            statement.Remove(name);
            withId[name] = value;
        }
        return withId;
    }

    /// <summary>An ISO 8601 duration in whole seconds, e.g. <c>PT1H30M</c>.</summary>
    public static string Duration(TimeSpan span)
    {
        var seconds = (long)Math.Max(0, Math.Round(span.TotalSeconds));
        if (seconds == 0) return "PT0S";
        var text = "PT";
        if (seconds >= 3600) text += (seconds / 3600).ToString(CultureInfo.InvariantCulture) + "H";
        if (seconds % 3600 >= 60) text += (seconds % 3600 / 60).ToString(CultureInfo.InvariantCulture) + "M";
        if (seconds % 60 > 0) text += (seconds % 60).ToString(CultureInfo.InvariantCulture) + "S";
        return text;
    }

    private static JsonObject Object(SessionContext session) => new()
    {
        ["objectType"] = "Activity",
        ["id"] = session.Activity.Id,
        ["definition"] = new JsonObject { ["name"] = session.Activity.Name.DeepClone(), ["type"] = session.Activity.Type },
    };

    private static JsonObject Build(SessionContext session, JsonObject actor, string verb, JsonObject obj, JsonObject result, DateTimeOffset timestamp)
    {
        var (sv, en) = Displays[verb];
        return new JsonObject
        {
            ["actor"] = actor.DeepClone(),
            ["verb"] = new JsonObject { ["id"] = verb, ["display"] = new JsonObject { ["sv-SE"] = sv, ["en-US"] = en } },
            ["object"] = obj,
            ["result"] = result,
            ["context"] = Context(session, aboutStatement: obj["objectType"]?.GetValue<string>() == "StatementRef"),
            ["timestamp"] = XapiTimestamp.ToUtcString(timestamp),
        };
    }

    private static JsonObject Context(SessionContext session, bool aboutStatement)
    {
        var context = new JsonObject { ["registration"] = session.Registration.ToString("D") };
        // A sign-off's actor is the supervisor; the trainers are named only in the statements about the session itself.
        if (!aboutStatement && session.Instructors.Count > 0)
        {
            context["instructor"] = session.Instructors.Count == 1
                ? session.Instructors[0].DeepClone()
                : new JsonObject { ["objectType"] = "Group", ["member"] = new JsonArray([.. session.Instructors.Select(i => i.DeepClone())]) };
            if (session.Version == XapiVersion.V200)
                context["contextAgents"] = new JsonArray([.. session.Instructors.Select(i => (JsonNode)new JsonObject
                {
                    ["objectType"] = "contextAgent",
                    ["agent"] = i.DeepClone(),
                    ["relevantTypes"] = new JsonArray(InstructorRelevantType),
                })]);
        }
        var activities = new JsonObject();
        if (aboutStatement) activities["parent"] = new JsonArray(Object(session));
        if (session.Place is { } place)
            activities["grouping"] = new JsonArray(new JsonObject
            {
                ["objectType"] = "Activity",
                ["id"] = place.Id,
                ["definition"] = new JsonObject { ["name"] = new JsonObject { ["sv-SE"] = place.Name }, ["type"] = LearningCentreType },
            });
        if (activities.Count > 0) context["contextActivities"] = activities;
        context["extensions"] = new JsonObject { [session.Kind == SessionKind.Webinar ? WebinarExtension : SessionExtension] = session.Id };
        return context;
    }
}
