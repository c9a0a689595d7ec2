using System.Text.Json;
using System.Text.Json.Nodes;
using Lrs.Core.Xapi;

namespace Lrs.Core.Learning;

/// <summary>Someone named in a session: a person of the tenant by id, or an xAPI Agent.</summary>
/// <param name="PersonId">The person's id (their preferred agent is used: the HR account if any).</param>
/// <param name="Agent">An Agent with one identifier, for someone who is no person of the tenant (e.g. a trainer of the learning centre).</param>
/// <param name="Path">Where in the body it was named, for errors.</param>
public sealed record PersonRef(string? PersonId, JsonObject? Agent, string Path);

/// <summary>The activity of a session or webinar.</summary>
/// <param name="Id">Its IRI.</param>
/// <param name="Name">Its name as an xAPI language map (<c>sv</c> is written <c>sv-SE</c>, <c>en</c> <c>en-US</c>).</param>
/// <param name="Type">Its activity type IRI.</param>
public sealed record LearningActivity(string Id, JsonObject Name, string Type);

/// <summary>Where a session takes place: a learning centre, an activity of its own.</summary>
/// <param name="Id">Its IRI.</param>
/// <param name="Name">Its name.</param>
public sealed record LearningPlace(string Id, string Name);

/// <summary>A participant of a session as sent.</summary>
/// <param name="Who">The participant.</param>
/// <param name="Outcome"><c>attended</c>, <c>passed</c> or <c>failed</c>.</param>
/// <param name="SignoffBy">The supervisor who signs off the outcome, if any.</param>
/// <param name="SignoffAt">When they signed off; the session's end when not given.</param>
public sealed record SessionParticipantInput(PersonRef Who, string Outcome, PersonRef? SignoffBy, DateTimeOffset? SignoffAt);

/// <summary>An on-site session as sent.</summary>
/// <param name="Activity">The course or learning box.</param>
/// <param name="Start">When it began.</param>
/// <param name="End">When it ended.</param>
/// <param name="Place">The learning centre, if given.</param>
/// <param name="Trainers">The trainers.</param>
/// <param name="Participants">The participants.</param>
/// <param name="Version">The xAPI version of the statements.</param>
/// <param name="Definition">The body without the participants, as kept with the session.</param>
public sealed record SessionInput(LearningActivity Activity, DateTimeOffset Start, DateTimeOffset End, LearningPlace? Place,
    IReadOnlyList<PersonRef> Trainers, IReadOnlyList<SessionParticipantInput> Participants, XapiVersion Version, JsonObject Definition);

/// <summary>A webinar as sent.</summary>
/// <param name="Activity">The webinar activity.</param>
/// <param name="Start">When it began.</param>
/// <param name="End">When it ended.</param>
/// <param name="Presenters">The presenters.</param>
/// <param name="MinimumShare">The share of the webinar's length that counts as attended; null for the configured default.</param>
/// <param name="Version">The xAPI version of the statements.</param>
/// <param name="Definition">The body, as kept with the webinar.</param>
public sealed record WebinarInput(LearningActivity Activity, DateTimeOffset Start, DateTimeOffset End, IReadOnlyList<PersonRef> Presenters,
    double? MinimumShare, XapiVersion Version, JsonObject Definition);

/// <summary>
/// Reads the bodies of <c>PUT /api/sessions/{id}</c> and <c>PUT /api/webinars/{id}</c>, reporting every broken rule with its
/// JSON path. Whether the people exist is for the caller, which has the store.
/// </summary>
public static class SessionInputReader
{
    /// <summary>The activity type of a course: <c>http://adlnet.gov/expapi/activities/course</c>.</summary>
    public const string CourseType = "http://adlnet.gov/expapi/activities/course";
    /// <summary>The activity type of a learning box (theory and a practical exercise): <c>http://adlnet.gov/expapi/activities/lesson</c>.</summary>
    public const string LessonType = "http://adlnet.gov/expapi/activities/lesson";
    /// <summary>The activity type of a session when none is given: <c>http://adlnet.gov/expapi/activities/meeting</c>.</summary>
    public const string MeetingType = "http://adlnet.gov/expapi/activities/meeting";
    /// <summary>The activity type of a webinar: <c>http://id.tincanapi.com/activitytype/webinar</c>.</summary>
    public const string WebinarType = "http://id.tincanapi.com/activitytype/webinar";

    /// <summary>The most participants one session may have.</summary>
    public const int MaxParticipants = 1000;

    /// <summary>The outcomes of a session participant.</summary>
    public static readonly IReadOnlyList<string> Outcomes = ["attended", "passed", "failed"];

    private const int MaxIdLength = 200;

    /// <summary>Whether a client's session or webinar id is usable: 1 to 200 letters, digits and <c>-_.:</c>.</summary>
    public static bool IsValidId(string id) =>
        id.Length is > 0 and <= MaxIdLength && id.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or ':');

    /// <summary>Reads a session; the input is returned only when there is no error.</summary>
    public static (SessionInput? Session, IReadOnlyList<ValidationError> Errors) ReadSession(JsonNode? body)
    {
        var errors = new List<ValidationError>();
        if (body is not JsonObject o)
            return (null, [new("$", "must be a JSON object")]);
        try
        {
            Unknown(o, "$", errors, "activity", "start", "end", "place", "places", "trainers", "participants", "xapiVersion");
            var activity = ReadActivity(o["activity"], "$.activity", MeetingType, errors);
            var (start, end) = ReadTimes(o, errors);
            // The places offered are kept with the definition, where follow-up reads them (attendance against places).
            if (o["places"] is { } places && (!JsonRead.TryNumber(places, out var count) || count is < 1 or > MaxParticipants || count != Math.Floor(count)))
                errors.Add(new("$.places", $"must be a whole number of places offered, 1 to {MaxParticipants}"));
            LearningPlace? place = null;
            if (o["place"] is { } p)
            {
                if (p is not JsonObject po) errors.Add(new("$.place", "must be an object with id and name"));
                else
                {
                    Unknown(po, "$.place", errors, "id", "name");
                    var id = Iri(po["id"], "$.place.id", errors);
                    var name = Text(po["name"], "$.place.name", errors, required: true);
                    if (id is not null && name is not null) place = new LearningPlace(id, name);
                }
            }
            var trainers = ReadPeople(o["trainers"], "$.trainers", errors, required: false);
            var participants = new List<SessionParticipantInput>();
            if (o["participants"] is not JsonArray list) errors.Add(new("$.participants", "is required: an array of participants"));
            else if (list.Count > MaxParticipants) errors.Add(new("$.participants", $"has {list.Count} participants; at most {MaxParticipants}"));
            else
                for (var i = 0; i < list.Count; i++)
                {
                    var path = $"$.participants[{i}]";
                    if (list[i] is not JsonObject po) { errors.Add(new(path, "must be an object")); continue; }
                    Unknown(po, path, errors, "personId", "agent", "outcome", "signoff");
                    var who = ReadPerson(po, path, errors);
                    var outcome = Text(po["outcome"], path + ".outcome", errors, required: true);
                    if (outcome is not null && !Outcomes.Contains(outcome))
                        errors.Add(new(path + ".outcome", $"'{outcome}' is none of {string.Join(", ", Outcomes)}"));
                    PersonRef? by = null;
                    DateTimeOffset? at = null;
                    if (po["signoff"] is { } s)
                    {
                        if (s is not JsonObject so) errors.Add(new(path + ".signoff", "must be an object with by (and at)"));
                        else
                        {
                            Unknown(so, path + ".signoff", errors, "by", "at");
                            if (so["by"] is JsonObject bo) by = ReadPerson(bo, path + ".signoff.by", errors);
                            else errors.Add(new(path + ".signoff.by", "is required: {personId} or {agent}"));
                            if (so["at"] is { } atNode) at = Time(atNode, path + ".signoff.at", errors);
                        }
                        if (outcome == "failed") errors.Add(new(path + ".signoff", "a failed outcome is not signed off"));
                    }
                    if (who is not null && outcome is not null) participants.Add(new SessionParticipantInput(who, outcome, by, at));
                }
            var version = ReadVersion(o["xapiVersion"], errors);
            if (errors.Count > 0) return (null, errors);
            var definition = (JsonObject)o.DeepClone();
            definition.Remove("participants");
            return (new SessionInput(activity!, start!.Value, end!.Value, place, trainers, participants, version, definition), errors);
        }
        catch (Exception ex) when (ex is InvalidOperationException or ArgumentException or JsonException or FormatException)
        {
            return (null, [new("$", "could not be read (repeated property?)")]);
        }
    }

    /// <summary>Reads a webinar; the input is returned only when there is no error.</summary>
    public static (WebinarInput? Webinar, IReadOnlyList<ValidationError> Errors) ReadWebinar(JsonNode? body)
    {
        var errors = new List<ValidationError>();
        if (body is not JsonObject o)
            return (null, [new("$", "must be a JSON object")]);
        try
        {
            Unknown(o, "$", errors, "activity", "start", "end", "presenters", "minimumShare", "xapiVersion");
            var activity = ReadActivity(o["activity"], "$.activity", WebinarType, errors);
            var (start, end) = ReadTimes(o, errors);
            var presenters = ReadPeople(o["presenters"], "$.presenters", errors, required: false);
            double? share = null;
            if (o["minimumShare"] is { } s)
            {
                if (!JsonRead.TryNumber(s, out var value) || value is <= 0 or > 1) errors.Add(new("$.minimumShare", "must be a number above 0 and at most 1"));
                else share = value;
            }
            var version = ReadVersion(o["xapiVersion"], errors);
            if (errors.Count > 0) return (null, errors);
            return (new WebinarInput(activity!, start!.Value, end!.Value, presenters, share, version, (JsonObject)o.DeepClone()), errors);
        }
        catch (Exception ex) when (ex is InvalidOperationException or ArgumentException or JsonException or FormatException)
        {
            return (null, [new("$", "could not be read (repeated property?)")]);
        }
    }

    private static (DateTimeOffset? Start, DateTimeOffset? End) ReadTimes(JsonObject o, List<ValidationError> errors)
    {
        var start = o["start"] is { } s ? Time(s, "$.start", errors) : Missing("$.start", errors);
        var end = o["end"] is { } e ? Time(e, "$.end", errors) : Missing("$.end", errors);
        if (start is { } a && end is { } b && b <= a) errors.Add(new("$.end", "must be after start"));
        return (start, end);
    }

    private static DateTimeOffset? Missing(string path, List<ValidationError> errors)
    {
        errors.Add(new(path, "is required: an RFC 3339 date and time with an offset"));
        return null;
    }

    private static DateTimeOffset? Time(JsonNode node, string path, List<ValidationError> errors)
    {
        if (JsonRead.TryString(node, out var text) && XapiTimestamp.TryParse(text, XapiVersion.V200, out var value)) return value;
        errors.Add(new(path, "must be an RFC 3339 date and time with an offset, e.g. 2026-03-02T08:30:00+01:00"));
        return null;
    }

    private static XapiVersion ReadVersion(JsonNode? node, List<ValidationError> errors)
    {
        if (node is null) return XapiVersion.V200;
        if (JsonRead.TryString(node, out var text) && text is "1.0.3" or "2.0.0") return text == "1.0.3" ? XapiVersion.V103 : XapiVersion.V200;
        errors.Add(new("$.xapiVersion", "must be 1.0.3 or 2.0.0"));
        return XapiVersion.V200;
    }

    private static LearningActivity? ReadActivity(JsonNode? node, string path, string defaultType, List<ValidationError> errors)
    {
        if (node is not JsonObject o)
        {
            errors.Add(new(path, "is required: an object with id (IRI), name ({sv, en}) and type"));
            return null;
        }
        Unknown(o, path, errors, "id", "name", "type");
        var id = Iri(o["id"], path + ".id", errors);
        var name = new JsonObject();
        if (o["name"] is not JsonObject names || names.Count == 0) errors.Add(new(path + ".name", "is required: names by language, e.g. {\"sv\": \"Förflyttningsteknik\", \"en\": \"Patient transfer\"}"));
        else
            foreach (var (language, value) in names)
            {
                var tag = language switch { "sv" => "sv-SE", "en" => "en-US", _ => language };
                if (!LanguageTag.IsValid(tag)) errors.Add(new($"{path}.name.{language}", "is not a language tag"));
                else if (!JsonRead.TryString(value, out var text) || string.IsNullOrWhiteSpace(text)) errors.Add(new($"{path}.name.{language}", "must be a non-empty string"));
                else name[tag] = text;
            }
        var type = defaultType;
        if (o["type"] is { } t)
        {
            if (!JsonRead.TryString(t, out var text)) errors.Add(new(path + ".type", "must be a string"));
            else if (defaultType == WebinarType && text != WebinarType) errors.Add(new(path + ".type", $"a webinar's type is {WebinarType}"));
            else type = text switch
            {
                "course" => CourseType,
                "learning-box" => LessonType,
                "meeting" => MeetingType,
                _ when Xapi.Iri.IsAbsolute(text) => text,
                _ => Invalid(errors, path + ".type", "must be course, learning-box, meeting or an activity type IRI"),
            };
        }
        return id is null ? null : new LearningActivity(id, name, type);
    }

    private static string Invalid(List<ValidationError> errors, string path, string message)
    {
        errors.Add(new(path, message));
        return "";
    }

    private static IReadOnlyList<PersonRef> ReadPeople(JsonNode? node, string path, List<ValidationError> errors, bool required)
    {
        if (node is null)
        {
            if (required) errors.Add(new(path, "is required"));
            return [];
        }
        if (node is not JsonArray list)
        {
            errors.Add(new(path, "must be an array of {personId} or {agent}"));
            return [];
        }
        var people = new List<PersonRef>();
        for (var i = 0; i < list.Count; i++)
        {
            var itemPath = $"{path}[{i}]";
            if (list[i] is not JsonObject o) { errors.Add(new(itemPath, "must be {personId} or {agent}")); continue; }
            Unknown(o, itemPath, errors, "personId", "agent");
            if (ReadPerson(o, itemPath, errors) is { } person) people.Add(person);
        }
        return people;
    }

    private static PersonRef? ReadPerson(JsonObject o, string path, List<ValidationError> errors)
    {
        var hasPerson = o["personId"] is not null;
        var hasAgent = o["agent"] is not null;
        if (hasPerson == hasAgent)
        {
            errors.Add(new(path, "names someone by exactly one of personId and agent"));
            return null;
        }
        if (hasPerson)
            return Text(o["personId"], path + ".personId", errors, required: true) is { } id ? new PersonRef(id, null, path + ".personId") : null;
        if (o["agent"] is not JsonObject agent || agent["objectType"] is JsonValue ot && ot.GetValueKind() == JsonValueKind.String && ot.GetValue<string>() != "Agent"
            || StatementValidator.ValidateAgentParameter(agent, XapiVersion.V103).Count > 0 || AgentKey.Of(agent) is null)
        {
            errors.Add(new(path + ".agent", "must be an xAPI Agent with exactly one identifier (mbox, mbox_sha1sum, openid or account)"));
            return null;
        }
        return new PersonRef(null, (JsonObject)agent.DeepClone(), path + ".agent");
    }

    private static string? Iri(JsonNode? node, string path, List<ValidationError> errors)
    {
        if (JsonRead.TryString(node, out var text) && Xapi.Iri.IsAbsolute(text)) return text;
        errors.Add(new(path, "is required: an absolute IRI"));
        return null;
    }

    private static string? Text(JsonNode? node, string path, List<ValidationError> errors, bool required)
    {
        if (node is null && !required) return null;
        if (JsonRead.TryString(node, out var text) && !string.IsNullOrWhiteSpace(text) && text.Length <= 300) return text;
        errors.Add(new(path, "must be a non-empty string of at most 300 characters"));
        return null;
    }

    private static void Unknown(JsonObject o, string path, List<ValidationError> errors, params string[] known)
    {
        foreach (var (name, _) in o)
            if (!known.Contains(name, StringComparer.Ordinal)) errors.Add(new($"{path}.{name}", $"is not a property here (known: {string.Join(", ", known)})"));
    }
}
