using System.Globalization;
using System.Text.Json;
using Lrs.Core.People;
using Lrs.Core.Xapi;

namespace Lrs.Core.FollowUp;

/// <summary>A person as follow-up needs them: employer, units and roles over time, duties and agents.</summary>
/// <param name="Id">The person's id.</param>
/// <param name="OrganisationId">The employer.</param>
/// <param name="Assignments">Units and roles, current and ended.</param>
/// <param name="Duties">Current duties.</param>
public sealed record FollowUpPerson(string Id, string OrganisationId, IReadOnlyList<Assignment> Assignments, IReadOnlyList<string> Duties)
{
    private Timeline? _units, _roles;

    /// <summary>
    /// The units or roles the person had at <paramref name="at"/>, by the one rule of profiles as of a date
    /// (<see cref="Competence.ProfileAsOf.AssignedAt(IReadOnlyList{Assignment}, AssignmentKind, DateTimeOffset, IReadOnlyList{string})"/>):
    /// before the first the LRS learned of, the first ones, since the HR system tells the present and training records reach
    /// back before it.
    /// </summary>
    public IReadOnlyList<string> At(AssignmentKind kind, DateTimeOffset at) =>
        (kind == AssignmentKind.Unit ? _units ??= new Timeline(Assignments, kind) : _roles ??= new Timeline(Assignments, kind)).At(at);

    /// <summary>
    /// How many times the units or roles changed up to <paramref name="at"/>: the same number at two moments means the same
    /// units or roles at both.
    /// </summary>
    public int ChangesUntil(AssignmentKind kind, DateTimeOffset at) =>
        (kind == AssignmentKind.Unit ? _units ??= new Timeline(Assignments, kind) : _roles ??= new Timeline(Assignments, kind)).Period(at);

    // Follow-up asks for a person's units at every statement and month end. What they were changes only where an assignment
    // of the kind begins or ends, so it is worked out once per stretch between those moments.
    private sealed class Timeline
    {
        private readonly IReadOnlyList<Assignment> _assignments;
        private readonly AssignmentKind _kind;
        private readonly DateTimeOffset[] _changes;
        private readonly IReadOnlyList<string>?[] _values;

        public Timeline(IReadOnlyList<Assignment> assignments, AssignmentKind kind)
        {
            (_assignments, _kind) = (assignments, kind);
            var changes = new List<DateTimeOffset>();
            foreach (var a in assignments)
                if (a.Kind == kind)
                {
                    changes.Add(a.From);
                    if (a.To is { } to) changes.Add(to);
                }
            changes.Sort();
            _changes = [.. changes.Distinct()];
            _values = new IReadOnlyList<string>?[_changes.Length + 1];
        }

        // The stretch a moment is in: how many changes came at or before it.
        public int Period(DateTimeOffset at)
        {
            var i = Array.BinarySearch(_changes, at);
            return i >= 0 ? i + 1 : ~i;
        }

        public IReadOnlyList<string> At(DateTimeOffset at) =>
            _values[Period(at)] ??= Competence.ProfileAsOf.AssignedAt(_assignments, _kind, at, []);
    }
}

/// <summary>The people, organisations and units of a tenant, and which agent is whose.</summary>
/// <param name="People">People by id.</param>
/// <param name="PersonOfAgent">Person id by agent key.</param>
/// <param name="OrganisationKinds">Each organisation's employer kind (null when not given).</param>
/// <param name="UnitOrganisations">Each unit's organisation.</param>
public sealed record FollowUpDirectory(IReadOnlyDictionary<string, FollowUpPerson> People, IReadOnlyDictionary<string, string> PersonOfAgent,
    IReadOnlyDictionary<string, string?> OrganisationKinds, IReadOnlyDictionary<string, string> UnitOrganisations)
{
    /// <summary>The person an agent key is, or null.</summary>
    public FollowUpPerson? Of(string? agentKey) =>
        agentKey is not null && PersonOfAgent.TryGetValue(agentKey, out var id) && People.TryGetValue(id, out var person) ? person : null;

    /// <summary>The employer kind of a person, or <c>unknown</c>.</summary>
    public string KindOf(FollowUpPerson person) => OrganisationKinds.GetValueOrDefault(person.OrganisationId) ?? FollowUpFigures.UnknownKind;
}

/// <summary>What follow-up reads of one statement.</summary>
/// <param name="Id">The statement id.</param>
/// <param name="Verb">The verb IRI.</param>
/// <param name="ActorKey">The actor's agent key.</param>
/// <param name="ActivityId">The object activity, or null when the object is not an Activity.</param>
/// <param name="ActivityType">The object's <c>definition.type</c>.</param>
/// <param name="RefTarget">The target of a StatementRef object.</param>
/// <param name="Timestamp">When it happened.</param>
/// <param name="Scaled"><c>result.score.scaled</c>.</param>
/// <param name="Duration"><c>result.duration</c>.</param>
/// <param name="SessionId">The session extension (<see cref="Learning.SessionStatements.SessionExtension"/>).</param>
/// <param name="ContextActivities">Every context activity IRI.</param>
/// <param name="Unit">The unit extension of a deviation report.</param>
/// <param name="Category">The category extension of a deviation report.</param>
public sealed record StatementFact(Guid Id, string Verb, string? ActorKey, string? ActivityId, string? ActivityType, Guid? RefTarget,
    DateTimeOffset Timestamp, double? Scaled, TimeSpan? Duration, string? SessionId,
    IReadOnlyList<string> ContextActivities, string? Unit, string? Category)
{
    /// <summary>
    /// Whether it was read as a training of the request's learning centre (<see cref="LearningCentre.Covers"/> already applied),
    /// so that the centre need not be looked for in what was not read of it.
    /// </summary>
    public bool OfCentre { get; init; }

    /// <summary>
    /// Whether follow-up reads a statement of this verb: a training, a deviation report, or (whatever its verb, since the
    /// framework's sign-off verbs may change) a statement about another statement that does not void it.
    /// </summary>
    public static bool Concerns(string verb, Guid? refTarget, bool isVoiding) =>
        FollowUpFigures.TrainingVerbs.Contains(verb) || verb == FollowUpFigures.ReportedVerb || refTarget is not null && !isVoiding;

    /// <summary>Reads the facts of a stored (valid) statement.</summary>
    public static StatementFact Read(string json)
    {
        using var document = JsonDocument.Parse(json);
        var s = document.RootElement;
        var time = s.TryGetProperty("timestamp"u8, out var timestamp) ? timestamp : s.GetProperty("stored"u8);
        return Read(s, Guid.Parse(s.GetProperty("id"u8).GetString()!), DateTimeOffset.Parse(time.GetString()!, CultureInfo.InvariantCulture));
    }

    /// <summary>
    /// Reads the facts of a valid statement, stored or being prepared, with the id and the time (<c>timestamp</c>, or
    /// <c>stored</c> when there is none) the LRS gives it.
    /// </summary>
    public static StatementFact Read(JsonElement s, Guid id, DateTimeOffset at)
    {
        var obj = s.GetProperty("object"u8);
        var hasType = obj.TryGetProperty("objectType"u8, out var objectType);
        string? activity = null, type = null;
        Guid? target = null;
        if (!hasType || objectType.ValueEquals("Activity"u8))
        {
            activity = Xapi.JsonText.Shared(obj.GetProperty("id"u8));
            if (obj.TryGetProperty("definition"u8, out var definition) && definition.ValueKind == JsonValueKind.Object
                && definition.TryGetProperty("type"u8, out var t) && t.ValueKind == JsonValueKind.String)
                type = Xapi.JsonText.Shared(t);
        }
        else if (objectType.ValueEquals("StatementRef"u8)) target = obj.GetProperty("id"u8).GetGuid();
        double? scaled = null;
        TimeSpan? duration = null;
        if (s.TryGetProperty("result"u8, out var r) && r.ValueKind == JsonValueKind.Object)
        {
            if (r.TryGetProperty("score"u8, out var score) && score.ValueKind == JsonValueKind.Object
                && score.TryGetProperty("scaled"u8, out var x) && x.ValueKind == JsonValueKind.Number)
                scaled = x.GetDouble();
            if (r.TryGetProperty("duration"u8, out var du) && du.ValueKind == JsonValueKind.String
                && Competence.IsoDuration.TryParse(du.GetString()!, out var span))
                duration = Competence.IsoDuration.AddTo(DateTimeOffset.UnixEpoch, span) - DateTimeOffset.UnixEpoch;
        }
        var contextActivities = new List<string>();
        string? session = null, unit = null, category = null;
        if (s.TryGetProperty("context"u8, out var c) && c.ValueKind == JsonValueKind.Object)
        {
            foreach (var a in Xapi.ContextActivities.Of(c))
                if (a.ValueKind == JsonValueKind.Object && a.TryGetProperty("id"u8, out var activityId)) contextActivities.Add(Xapi.JsonText.Shared(activityId));
            if (c.TryGetProperty("extensions"u8, out var ex) && ex.ValueKind == JsonValueKind.Object)
                foreach (var e in ex.EnumerateObject())
                {
                    if (e.NameEquals(SessionName)) session = Text(e.Value);
                    else if (e.NameEquals(UnitName)) unit = Text(e.Value);
                    else if (e.NameEquals(CategoryName)) category = Text(e.Value);
                }
        }
        return new StatementFact(id, Xapi.JsonText.Shared(s.GetProperty("verb"u8).GetProperty("id"u8)),
            s.TryGetProperty("actor"u8, out var actor) ? AgentKey.Of(actor) : null,
            activity, type, target, at, scaled, duration, session, contextActivities, unit, category);
    }

    // The names of the extensions read, in UTF-8: the context's extensions are gone through once.
    private static readonly byte[] SessionName = System.Text.Encoding.UTF8.GetBytes(Learning.SessionStatements.SessionExtension),
        UnitName = System.Text.Encoding.UTF8.GetBytes(FollowUpFigures.UnitExtension),
        CategoryName = System.Text.Encoding.UTF8.GetBytes(FollowUpFigures.DeviationCategoryExtension);

    // A string extension as it is; any other value as its JSON (as a tree would write it).
    private static string? Text(JsonElement value)
    {
        if (value.ValueKind == JsonValueKind.Null) return null;
        if (value.ValueKind == JsonValueKind.String) return value.GetString();
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer)) value.WriteTo(writer);
        return System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
    }
}

/// <summary>What is read of a statement besides its id, verb, time, actor and object activity.</summary>
[Flags]
public enum FactParts
{
    /// <summary>Nothing more.</summary>
    None = 0,
    /// <summary>The activity type and the context activities.</summary>
    Definition = 1,
    /// <summary>The scaled score and the duration.</summary>
    Result = 2,
    /// <summary>The session.</summary>
    Session = 4,
    /// <summary>The target of a StatementRef object.</summary>
    Reference = 8,
    /// <summary>A deviation report's unit and category.</summary>
    Report = 16,
    /// <summary>Everything.</summary>
    All = Definition | Result | Session | Reference | Report,
}

/// <summary>A reflection task as follow-up counts it.</summary>
/// <param name="TemplateId">Its template.</param>
/// <param name="AgentKey">Whose.</param>
/// <param name="StatementId">The training statement that triggered it.</param>
/// <param name="TriggeredAt">When it was triggered: the training's time.</param>
/// <param name="Answered">Whether it was answered.</param>
/// <param name="AvailableFrom">When it was put to the person (for a follow-up question, its delay after the training).</param>
/// <param name="Score">The score answered to a follow-up question, if any.</param>
public sealed record TaskFact(string TemplateId, string AgentKey, Guid StatementId, DateTimeOffset TriggeredAt, bool Answered,
    DateTimeOffset AvailableFrom, double? Score);

/// <summary>A group reflection held at a unit's workplace meeting.</summary>
/// <param name="UnitId">The unit.</param>
/// <param name="HeldAt">When.</param>
public sealed record GroupReflectionFact(string UnitId, DateTimeOffset HeldAt);

/// <summary>A session held at a learning centre, with the places it offered.</summary>
/// <param name="Id">The session id.</param>
/// <param name="Place">The centre's IRI, if given.</param>
/// <param name="Start">When it began.</param>
/// <param name="Places">Places offered, if stated.</param>
public sealed record SessionFact(string Id, string? Place, DateTimeOffset Start, int? Places);
