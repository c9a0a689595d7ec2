using System.Globalization;
using System.Security.Claims;
using System.Text.Json.Nodes;
using Lrs.Api.Auth;
using Lrs.Api.People;
using Lrs.Api.Xapi;
using Lrs.Core.Competence;
using Lrs.Core.People;
using Lrs.Core.Reflection;
using Lrs.Core.Storage;
using Lrs.Core.Xapi;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using static Lrs.Api.Reflection.ReflectionTaskEndpoints;

namespace Lrs.Api.Reflection;

/// <summary>
/// Group reflection at a unit's workplace meeting (APT): the agenda (the unit's recent trainings, the group templates
/// linked to them and the answers members chose to share), the record of a meeting (attendance as xAPI statements, the
/// group's notes), and the monthly follow-up. Text (shared answers, notes) only for <c>reflections:write</c>.
/// </summary>
public static class GroupReflectionEndpoints
{
    private const int MaxNotesLength = 20_000;

    // The namespace of the attendance statements' name-based ids.
    private static readonly Guid AttendanceIds = new("5d7e3c1a-8f0b-4c39-9a51-2f4e7b6d0c88");

    public static IEndpointRouteBuilder MapGroupReflections(this IEndpointRouteBuilder routes)
    {
        var api = routes.MapGroup("/api").WithTags("Reflection").RequireAuthorization().ProducesProblem(StatusCodes.Status403Forbidden);

        api.MapGet("/units/{id}/group-reflection", GetAgenda)
            .RequireScope(Scopes.ReflectionsRead, Scopes.ReflectionsWrite)
            .WithName("GetGroupReflectionAgenda")
            .WithSummary("What a unit's group reflection on a date takes up")
            .WithDescription("For the unit's workplace meeting on `date` (default today, in `Lrs:Reflection:TimeZone`): the trainings its current members " +
                "completed since the unit's previous group reflection (or `sinceDays`, default `Lrs:Reflection:AgendaDays`, 30), the group templates linked " +
                "to them or with tasks of members, each with its prompts, open and answered task counts, and the answers members chose to share with the group " +
                "(text only for `reflections:write`). A credential bound to an actor sees the agenda of its own units only.");
        api.MapPost("/units/{id}/group-reflections", RecordGroupReflection)
            .RequireScope(Scopes.ReflectionsWrite)
            .WithName("RecordGroupReflection")
            .WithSummary("Records a group reflection held at a workplace meeting")
            .WithDescription("Stores one xAPI statement per attendee: the attendee `attended` the meeting (activity " +
                "`https://lrsapi.se/xapi/reflection/meetings/{id}`, type `http://adlnet.gov/expapi/activities/meeting`), the unit as `context.team`, the " +
                "facilitator as `context.instructor`, the templates discussed as `grouping`. The attendees' open tasks of those templates count as answered at " +
                "the meeting. Attendees and facilitator are `{ \"personId\": … }` or `{ \"agent\": { … } }`; `templates` must be group templates; `notes` at most " +
                "20,000 characters. `id` (optional) makes the request safe to retry: the same id again is a 409 naming the stored reflection. " +
                "Not for credentials bound to an actor.");
        api.MapGet("/units/{id}/group-reflections", ListGroupReflections)
            .RequireScope(Scopes.ReflectionsRead, Scopes.ReflectionsWrite)
            .WithName("ListGroupReflections")
            .WithSummary("A unit's group reflections")
            .WithDescription("Held in [`from`, `to`) (default: the last 365 days), newest first; notes only for `reflections:write`.");
        api.MapGet("/group-reflections/{id:guid}", GetGroupReflection)
            .RequireScope(Scopes.ReflectionsRead, Scopes.ReflectionsWrite)
            .WithName("GetGroupReflection")
            .WithSummary("One group reflection")
            .WithDescription("Who attended (with their attendance statements), the templates discussed, and, for `reflections:write`, the notes and the answers attendees shared.");
        api.MapGet("/units/{id}/reflection-follow-up", GetFollowUp)
            .RequireScope(Scopes.ReflectionsRead, Scopes.ReflectionsWrite)
            .WithName("GetReflectionFollowUp")
            .WithSummary("A unit's learning and reflection per month")
            .WithDescription("For each month from `from` to `to` (`yyyy-MM`, default the last 12 months, at most 60): trainings completed by the unit's current " +
                "members (statements that gave them evidence), reflection tasks they answered, group reflections held and their attendance. Counts only.");
        return routes;
    }

    /// <summary>A person or an agent, as given in a request.</summary>
    public sealed record ParticipantView(string? PersonId, string? Name, JsonObject Agent);

    /// <summary>One shared answer.</summary>
    public sealed record SharedAnswerView(string? PersonId, string? Name, string PromptId, string Response, DateTimeOffset AnsweredAt);

    /// <summary>A group template on the agenda.</summary>
    public sealed record AgendaTemplateView(string Id, LocalizedText Title, string? Competence, IReadOnlyList<PromptView> Prompts, int OpenTasks,
        int AnsweredTasks, int SharedAnswerCount, IReadOnlyList<SharedAnswerView>? SharedAnswers);

    /// <summary>A training the unit's members completed.</summary>
    public sealed record AgendaTrainingView(string Competence, LocalizedText? Name, int People, DateTimeOffset LastCompletedAt);

    /// <summary>The agenda of a unit's group reflection.</summary>
    public sealed record AgendaView(string Unit, string? UnitName, string Organisation, string Date, DateTimeOffset Since, int Members,
        GroupReflectionSummary? Previous, IReadOnlyList<AgendaTrainingView> Trainings, IReadOnlyList<AgendaTemplateView> Templates);

    /// <summary>A group reflection in a list.</summary>
    public sealed record GroupReflectionSummary(Guid Id, DateTimeOffset HeldAt, int Attendees, IReadOnlyList<string> Templates);

    /// <summary>An attendee of a group reflection.</summary>
    public sealed record AttendeeView(string? PersonId, string? Name, JsonObject Agent, Guid StatementId);

    /// <summary>A group reflection.</summary>
    public sealed record GroupReflectionView(Guid Id, string Unit, string MeetingActivityId, DateTimeOffset HeldAt, JsonObject Facilitator,
        IReadOnlyList<string> Templates, int AttendeeCount, IReadOnlyList<AttendeeView> Attendees, string? Notes,
        IReadOnlyList<SharedAnswerView>? SharedAnswers, DateTimeOffset Recorded);

    /// <summary>A unit's group reflections.</summary>
    public sealed record GroupReflectionList(string Unit, IReadOnlyList<GroupReflectionView> GroupReflections);

    /// <summary>One month of a unit's follow-up.</summary>
    public sealed record FollowUpMonth(string Month, int TrainingsCompleted, int ReflectionsAnswered, int GroupReflections, int GroupReflectionAttendances);

    /// <summary>A unit's follow-up.</summary>
    public sealed record FollowUpView(string Unit, string TimeZone, IReadOnlyList<FollowUpMonth> Months);

    public static async Task<Results<Ok<AgendaView>, ProblemHttpResult>> GetAgenda(string id, string? date, int? sinceDays, ClaimsPrincipal user,
        IPeopleStore people, ICompetenceStore competence, IReflectionStore store, IOptions<LrsOptions> options, TimeProvider time, CancellationToken ct)
    {
        var zone = Zone(options);
        var tenant = user.TenantId();
        if (await UnitAsync(id, user, people, ct) is not { } unit) return NoSuchUnit(id);
        if (sinceDays is < 1 or > 3650) return BadQuery("Invalid sinceDays", "sinceDays is between 1 and 3650.");
        var now = time.GetUtcNow();
        DateOnly day;
        if (date is null) day = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(now, zone).DateTime);
        else if (!DateOnly.TryParseExact(date, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out day))
            return BadQuery("Invalid date", $"date '{date}' is not a date like 2026-11-20.");
        var end = StartOf(day.AddDays(1), zone);

        var previous = (await store.GroupReflectionsAsync(tenant, id, DateTimeOffset.MinValue.AddYears(1), StartOf(day, zone), ct)).FirstOrDefault();
        var since = sinceDays is { } d ? StartOf(day.AddDays(-d), zone)
            : previous?.HeldAt ?? StartOf(day.AddDays(-options.Value.Reflection.AgendaDays), zone);

        var members = await Competence.ProfileEndpoints.AllAsync(people, tenant, new PeopleQuery(unit.Unit.OrganisationId, unit.Unit.Id, null, null, null, 1000), ct);
        var byAgent = members.SelectMany(m => m.AgentKeys.Select(k => (k, m))).ToDictionary(x => x.k, x => x.m, StringComparer.Ordinal);
        var framework = (await competence.GetFrameworkAsync(tenant, ct)).Framework;
        var evidence = byAgent.Count == 0 ? [] : await competence.EvidenceAsync(tenant, [.. byAgent.Keys], ct);
        var recent = evidence.Where(e => e.AchievedAt >= since && e.AchievedAt < end).ToList();
        var trainings = recent.GroupBy(e => e.CompetenceId)
            .Select(g => new AgendaTrainingView(g.Key, framework.FindCompetence(g.Key)?.Name, g.Select(e => byAgent[e.AgentKey].Id).Distinct().Count(), g.Max(e => e.AchievedAt)))
            .OrderByDescending(t => t.LastCompletedAt).ToList();

        var withText = MaySeeText(user);
        var recentCompetences = trainings.Select(t => t.Competence).ToHashSet(StringComparer.Ordinal);
        var templates = new List<AgendaTemplateView>();
        foreach (var template in framework.ReflectionTemplates.Where(t => t.Mode == ReflectionMode.Group))
        {
            var tasks = (await store.ListAllAsync(tenant, new ReflectionTaskQuery(UnitId: id, TemplateId: template.Id, Limit: 500), ct))
                .Where(t => t.Status == ReflectionTaskStatus.Open || (t.TriggeredAt >= since && t.TriggeredAt < end)).ToList();
            var linked = template.Trigger.CompetenceId is { } c && recentCompetences.Contains(c);
            if (!linked && tasks.Count == 0) continue;
            var shared = SharedAnswers(tasks, byAgent);
            templates.Add(new AgendaTemplateView(template.Id, template.Title, template.Trigger.CompetenceId,
                [.. template.Prompts.Select(p => new PromptView(p.Id, p.Text))],
                tasks.Count(t => t.Status == ReflectionTaskStatus.Open), tasks.Count(t => t.Status == ReflectionTaskStatus.Answered),
                shared.Count, withText ? shared : null));
        }
        return TypedResults.Ok(new AgendaView(id, unit.Unit.Name, unit.Unit.OrganisationId, day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), since,
            members.Count, previous is null ? null : Summary(previous), trainings, templates));
    }

    public static async Task<Results<Created<GroupReflectionView>, ValidationProblem, ProblemHttpResult>> RecordGroupReflection(string id, HttpRequest request,
        ClaimsPrincipal user, IPeopleStore people, ICompetenceStore competence, IReflectionStore store, StatementWriter statements, TimeProvider time,
        CancellationToken ct)
    {
        if (BoundAccess.Of(user).ActorKey is not null)
            return TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Bound credential",
                detail: "A credential bound to one actor cannot record a group reflection for others.");
        var tenant = user.TenantId();
        var restricted = user.RestrictedOrganisation();
        if (await people.UnitAsync(tenant, id, restricted, ct) is not { } unit) return NoSuchUnit(id);
        var (body, problem) = await PeopleEndpoints.ReadJsonAsync(request, ct);
        if (problem is not null) return problem;
        var framework = (await competence.GetFrameworkAsync(tenant, ct)).Framework;

        var errors = new List<ValidationError>();
        if (body is not JsonObject o)
            return PeopleEndpoints.Invalid("Invalid group reflection", [new ValidationError("$", "The body is an object.")]);
        foreach (var (name, _) in o)
            if (name is not ("id" or "heldAt" or "facilitator" or "attendees" or "templates" or "notes"))
                errors.Add(new ValidationError($"$.{name}", "Unknown property; known: id, heldAt, facilitator, attendees, templates, notes."));
        var meetingId = Guid.NewGuid();
        if (o["id"] is { } idNode && !(Str(idNode, out var idText) && Guid.TryParse(idText, out meetingId)))
            errors.Add(new ValidationError("$.id", "id is a UUID."));
        DateTimeOffset heldAt = default;
        if (!Str(o["heldAt"], out var heldText) || !DateTimeOffset.TryParse(heldText, CultureInfo.InvariantCulture, DateTimeStyles.None, out heldAt)
            || !heldText.Contains('T'))
            errors.Add(new ValidationError("$.heldAt", "heldAt is a date-time with its offset, like 2026-11-20T13:00:00+01:00."));
        var facilitator = await ParticipantAsync(o["facilitator"], "$.facilitator", tenant, restricted, people, errors, ct);
        var attendees = new List<ParticipantView>();
        if (o["attendees"] is not JsonArray list || list.Count == 0)
            errors.Add(new ValidationError("$.attendees", "attendees is a non-empty array of { personId } or { agent }."));
        else if (list.Count > 500)
            errors.Add(new ValidationError("$.attendees", "At most 500 attendees."));
        else
            for (var i = 0; i < list.Count; i++)
                if (await ParticipantAsync(list[i], $"$.attendees[{i}]", tenant, restricted, people, errors, ct) is { } a) attendees.Add(a);
        var templates = new List<ReflectionTemplate>();
        if (o["templates"] is { } tnode)
        {
            if (tnode is not JsonArray tl) errors.Add(new ValidationError("$.templates", "templates is an array of template ids."));
            else
                for (var i = 0; i < tl.Count; i++)
                {
                    if (!Str(tl[i], out var tid)) errors.Add(new ValidationError($"$.templates[{i}]", "A template id is a string."));
                    else if (framework.FindReflectionTemplate(tid) is not { } template) errors.Add(new ValidationError($"$.templates[{i}]", $"The framework has no reflection template '{tid}'."));
                    else if (template.Mode != ReflectionMode.Group) errors.Add(new ValidationError($"$.templates[{i}]", $"The template '{tid}' is for individual reflection, not a group's."));
                    else if (!templates.Contains(template)) templates.Add(template);
                }
        }
        string? notes = null;
        if (o["notes"] is { } nnode)
        {
            if (!Str(nnode, out var n)) errors.Add(new ValidationError("$.notes", "notes is a string."));
            else if (n.Length > MaxNotesLength) errors.Add(new ValidationError("$.notes", $"notes is at most {MaxNotesLength} characters; this has {n.Length}."));
            else notes = n;
        }
        if (errors.Count > 0) return PeopleEndpoints.Invalid("Invalid group reflection", errors);
        if (await store.GetGroupReflectionAsync(tenant, meetingId, ct) is not null) return Exists(meetingId);

        var (built, attended) = Attendance(meetingId, id, unit.Unit.Name, facilitator!.Agent, [.. attendees.Select(a => (a.PersonId, a.Agent))], templates, heldAt);
        var now = time.GetUtcNow();
        if (await StoreAsync(statements, user, built, Hosting.StatementSources.GroupReflection, ct) is { } refused) return refused;

        var recorded = new GroupReflection(meetingId, id, heldAt, facilitator.Agent, [.. templates.Select(t => t.Id)], attended, notes, now);
        if (!await store.RecordGroupReflectionAsync(tenant, recorded, ct)) return Exists(meetingId);
        var view = await ViewAsync(recorded, tenant, people, store, withText: true, ct);
        return TypedResults.Created($"/api/group-reflections/{meetingId:D}", view);
    }

    /// <summary>
    /// The attendance statements of a group reflection and its attendees as recorded. Statement ids are name-based on the
    /// meeting and the attendee, so a retry after a failure between the statements and the record stores the same ones.
    /// </summary>
    internal static (IReadOnlyList<JsonObject> Statements, List<GroupAttendee> Attended) Attendance(Guid meetingId, string unitId, string? unitName,
        JsonObject facilitator, IReadOnlyList<(string? PersonId, JsonObject Agent)> attendees, IReadOnlyList<ReflectionTemplate> templates, DateTimeOffset heldAt)
    {
        var built = ReflectionStatements.GroupAttendance(meetingId, unitId, unitName, facilitator, [.. attendees.Select(a => a.Agent)], templates, heldAt);
        var byKey = attendees.GroupBy(a => AgentKey.Of(a.Agent)!).ToDictionary(g => g.Key, g => g.First());
        var attended = new List<GroupAttendee>(built.Count);
        foreach (var statement in built)
        {
            var key = AgentKey.Of(statement["actor"])!;
            var statementId = NameBasedUuid.Create(AttendanceIds, $"{meetingId:D} {key}");
            statement["id"] = statementId.ToString("D");
            attended.Add(new GroupAttendee(byKey[key].PersonId, byKey[key].Agent, statementId));
        }
        return (built, attended);
    }

    public static async Task<Results<Ok<GroupReflectionList>, ProblemHttpResult>> ListGroupReflections(string id, DateTimeOffset? from, DateTimeOffset? to,
        ClaimsPrincipal user, IPeopleStore people, IReflectionStore store, TimeProvider time, CancellationToken ct)
    {
        var tenant = user.TenantId();
        if (await UnitAsync(id, user, people, ct) is null) return NoSuchUnit(id);
        var until = to ?? time.GetUtcNow().AddDays(1);
        var found = await store.GroupReflectionsAsync(tenant, id, from ?? until.AddDays(-365), until, ct);
        var views = new List<GroupReflectionView>(found.Count);
        foreach (var reflection in found) views.Add(await ViewAsync(reflection, tenant, people, store, MaySeeText(user), ct, withShared: false));
        return TypedResults.Ok(new GroupReflectionList(id, views));
    }

    public static async Task<Results<Ok<GroupReflectionView>, ProblemHttpResult>> GetGroupReflection(Guid id, ClaimsPrincipal user, IPeopleStore people,
        IReflectionStore store, CancellationToken ct)
    {
        var tenant = user.TenantId();
        if (await store.GetGroupReflectionAsync(tenant, id, ct) is not { } reflection || await UnitAsync(reflection.UnitId, user, people, ct) is null)
            return PeopleEndpoints.NotFound("No such group reflection", $"There is no group reflection with id {id} that this credential may see.");
        return TypedResults.Ok(await ViewAsync(reflection, tenant, people, store, MaySeeText(user), ct));
    }

    public static async Task<Results<Ok<FollowUpView>, ProblemHttpResult>> GetFollowUp(string id, string? from, string? to, ClaimsPrincipal user,
        IPeopleStore people, IReflectionStore store, IOptions<LrsOptions> options, TimeProvider time, CancellationToken ct)
    {
        var zone = Zone(options);
        var tenant = user.TenantId();
        if (await UnitAsync(id, user, people, ct) is null) return NoSuchUnit(id);
        var today = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(time.GetUtcNow(), zone).DateTime);
        var thisMonth = new DateOnly(today.Year, today.Month, 1);
        DateOnly first, last;
        if (to is null) last = thisMonth;
        else if (!TryMonth(to, out last)) return BadQuery("Invalid to", $"to '{to}' is not a month like 2026-11.");
        if (from is null) first = last.AddMonths(-11);
        else if (!TryMonth(from, out first)) return BadQuery("Invalid from", $"from '{from}' is not a month like 2026-01.");
        if (first > last) return BadQuery("Invalid range", "from is after to.");
        var count = (last.Year - first.Year) * 12 + last.Month - first.Month + 1;
        if (count > 60) return BadQuery("Invalid range", "At most 60 months.");

        var activity = await store.UnitActivityAsync(tenant, id, StartOf(first, zone), StartOf(last.AddMonths(1), zone), ct);
        string MonthOf(DateTimeOffset t) => TimeZoneInfo.ConvertTime(t, zone).ToString("yyyy-MM", CultureInfo.InvariantCulture);
        var trainings = activity.TrainingsCompleted.CountBy(MonthOf).ToDictionary();
        var answered = activity.ReflectionsAnswered.CountBy(MonthOf).ToDictionary();
        var meetings = activity.GroupReflections.GroupBy(m => MonthOf(m.HeldAt)).ToDictionary(g => g.Key, g => (Count: g.Count(), Attendees: g.Sum(m => m.Attendees)));
        var months = Enumerable.Range(0, count).Select(i => first.AddMonths(i).ToString("yyyy-MM", CultureInfo.InvariantCulture))
            .Select(m => new FollowUpMonth(m, trainings.GetValueOrDefault(m), answered.GetValueOrDefault(m),
                meetings.TryGetValue(m, out var x) ? x.Count : 0, meetings.TryGetValue(m, out var y) ? y.Attendees : 0))
            .ToList();
        return TypedResults.Ok(new FollowUpView(id, zone.Id, months));
    }

    // The unit, when the caller may see it: an organisation-restricted caller only its employer's; a bound person only their own units.
    private static async Task<UnitMembers?> UnitAsync(string id, ClaimsPrincipal user, IPeopleStore people, CancellationToken ct)
    {
        var tenant = user.TenantId();
        if (await people.UnitAsync(tenant, id, user.RestrictedOrganisation(), ct) is not { } unit) return null;
        var (ownPerson, ownAgent) = await OwnAsync(user, people, ct);
        if (ownAgent is not null && (ownPerson is null || !unit.Members.Contains(ownPerson))) return null;
        return unit;
    }

    private static List<SharedAnswerView> SharedAnswers(IEnumerable<ReflectionTask> tasks, IReadOnlyDictionary<string, Person> byAgent) =>
        [.. tasks.Where(t => t.SharedWithGroup).SelectMany(t => t.Answers.Select(a =>
        {
            byAgent.TryGetValue(t.AgentKey, out var person);
            return new SharedAnswerView(person?.Id ?? t.PersonId, person?.Name, a.PromptId, a.Response, a.AnsweredAt);
        })).OrderBy(a => a.AnsweredAt)];

    private static async Task<GroupReflectionView> ViewAsync(GroupReflection reflection, long tenant, IPeopleStore people, IReflectionStore store, bool withText,
        CancellationToken ct, bool withShared = true)
    {
        var attendees = new List<AttendeeView>(reflection.Attendees.Count);
        var byAgent = new Dictionary<string, Person>(StringComparer.Ordinal);
        foreach (var a in reflection.Attendees)
        {
            var person = a.PersonId is null ? null : await people.GetAsync(tenant, a.PersonId, null, ct);
            if (person is not null) foreach (var key in person.AgentKeys) byAgent[key] = person;
            attendees.Add(new AttendeeView(a.PersonId, person?.Name, a.Agent, a.StatementId));
        }
        IReadOnlyList<SharedAnswerView>? shared = null;
        if (withText && withShared)
        {
            var tasks = new List<ReflectionTask>();
            // One query per attendee, whatever the number of templates discussed.
            foreach (var person in byAgent.Values.Distinct())
                tasks.AddRange((await store.ListAllAsync(tenant, new ReflectionTaskQuery(PersonId: person.Id, Limit: 500), ct))
                    .Where(t => reflection.TemplateIds.Contains(t.TemplateId)));
            shared = SharedAnswers(tasks.Where(t => t.AnsweredAt is null || t.AnsweredAt <= reflection.HeldAt.AddDays(1)), byAgent);
        }
        return new GroupReflectionView(reflection.Id, reflection.UnitId, ReflectionStatements.MeetingActivityId(reflection.Id), reflection.HeldAt,
            reflection.Facilitator, reflection.TemplateIds, attendees.Count, attendees, withText ? reflection.Notes : null, shared, reflection.Recorded);
    }

    private static GroupReflectionSummary Summary(GroupReflection r) => new(r.Id, r.HeldAt, r.Attendees.Count, r.TemplateIds);

    private static async Task<ParticipantView?> ParticipantAsync(JsonNode? node, string path, long tenant, string? restricted, IPeopleStore people,
        List<ValidationError> errors, CancellationToken ct)
    {
        if (node is not JsonObject o || (o["personId"] is null) == (o["agent"] is null))
        {
            errors.Add(new ValidationError(path, "Give { \"personId\": … } or { \"agent\": { … } }."));
            return null;
        }
        if (o["personId"] is { } p)
        {
            if (!Str(p, out var personId)) { errors.Add(new ValidationError($"{path}.personId", "personId is a string.")); return null; }
            if (await people.GetAsync(tenant, personId, restricted, ct) is not { } person)
            {
                errors.Add(new ValidationError($"{path}.personId", $"There is no person '{personId}' this credential may name."));
                return null;
            }
            if (person.PreferredAgent() is not { } preferred)
            {
                errors.Add(new ValidationError($"{path}.personId", $"The person '{personId}' has no xAPI agent."));
                return null;
            }
            preferred["objectType"] = "Agent";
            return new ParticipantView(person.Id, person.Name, preferred);
        }
        if (o["agent"] is not JsonObject given || AgentKey.Of(given) is not { } key
            || StatementValidator.Validate(new JsonObject
            {
                ["actor"] = given.DeepClone(), ["verb"] = new JsonObject { ["id"] = ReflectionStatements.AttendedVerb },
                ["object"] = new JsonObject { ["id"] = "https://lrsapi.se/xapi/check" },
            }, XapiVersion.V103).Count > 0)
        {
            errors.Add(new ValidationError($"{path}.agent", "agent is an xAPI Agent with one identifier (mbox, mbox_sha1sum, openid or account)."));
            return null;
        }
        var owner = await people.PersonOfAgentAsync(tenant, key, ct);
        if (restricted is not null && (owner is null || await people.GetAsync(tenant, owner, restricted, ct) is null))
        {
            errors.Add(new ValidationError($"{path}.agent", "This credential may name only its own organisation's people."));
            return null;
        }
        var agent = (JsonObject)given.DeepClone();
        agent["objectType"] = "Agent";
        return new ParticipantView(owner, null, agent);
    }

    /// <summary>The time zone of dates and months (<c>Lrs:Reflection:TimeZone</c>), UTC when unknown.</summary>
    internal static TimeZoneInfo Zone(IOptions<LrsOptions> options) =>
        TimeZoneInfo.TryFindSystemTimeZoneById(options.Value.Reflection.TimeZone, out var zone) ? zone : TimeZoneInfo.Utc;

    /// <summary>The first moment of <paramref name="day"/> in <paramref name="zone"/>.</summary>
    internal static DateTimeOffset StartOf(DateOnly day, TimeZoneInfo zone)
    {
        var local = day.ToDateTime(TimeOnly.MinValue);
        return new DateTimeOffset(local, zone.GetUtcOffset(local));
    }

    /// <summary>Parses a month like 2026-11 to its first day.</summary>
    internal static bool TryMonth(string text, out DateOnly month) =>
        DateOnly.TryParseExact(text + "-01", "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out month);

    private static ProblemHttpResult Exists(Guid id) =>
        TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Already recorded",
            detail: $"A group reflection with id {id} is recorded already: /api/group-reflections/{id:D}.");

    private static ProblemHttpResult NoSuchUnit(string id) =>
        PeopleEndpoints.NotFound("No such unit", $"There is no unit with id '{id}' that this credential may see.");

    private static ProblemHttpResult BadQuery(string title, string detail) =>
        TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: title, detail: detail);
}
