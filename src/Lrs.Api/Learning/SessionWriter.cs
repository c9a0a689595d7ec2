using System.Text.Json.Nodes;
using Lrs.Api.Hosting;
using Lrs.Api.Xapi;
using Lrs.Core.Learning;
using Lrs.Core.People;
using Lrs.Core.Storage;
using Lrs.Core.Xapi;

namespace Lrs.Api.Learning;

/// <summary>Who writes a session: the tenant, the authority of the statements, the organisation restriction, the define scope.</summary>
/// <param name="TenantId">The tenant.</param>
/// <param name="Authority">The credential's authority, set on every statement.</param>
/// <param name="Organisation">The organisation a restricted credential may name people of; null when unrestricted.</param>
/// <param name="Define">Whether the credential may define activities (scope <c>define</c>).</param>
public sealed record SessionCaller(long TenantId, JsonObject Authority, string? Organisation, bool Define);

/// <summary>The stores a session write touches, statements through the one statement writer.</summary>
public sealed record SessionStores(StatementWriter Statements, IPeopleStore People, ISessionStore Sessions);

/// <summary>Why a session write stored nothing.</summary>
public enum SessionRefusal
{
    /// <summary>The input names unknown people or is otherwise invalid (400).</summary>
    Invalid,
    /// <summary>The session holds participants of another organisation than the restricted caller's (403).</summary>
    Forbidden,
    /// <summary>The webinar does not exist (404).</summary>
    NotFound,
    /// <summary>A statement with one of the derived ids is stored with other content (409).</summary>
    Conflict,
}

/// <summary>What a write did: the stored record and the counts, or why nothing was stored.</summary>
/// <param name="Session">The session as stored now.</param>
/// <param name="Created">Whether it did not exist before.</param>
/// <param name="Changes">What changed among the participants and statements.</param>
/// <param name="Refusal">Why nothing was stored, or null.</param>
/// <param name="Errors">The reasons of a refusal, each at the JSON path (or report row) concerned.</param>
/// <param name="Unknown">Report rows that match no person (webinar attendance).</param>
public sealed record SessionWrite(SessionRecord? Session, bool Created, SessionChanges? Changes, SessionRefusal? Refusal = null,
    IReadOnlyList<ValidationError>? Errors = null, IReadOnlyList<UnknownParticipant>? Unknown = null)
{
    internal static SessionWrite Refused(SessionRefusal refusal, IReadOnlyList<ValidationError> errors) => new(null, false, null, refusal, errors);
}

/// <summary>Someone in an attendance report who is no person of the tenant (or not one the caller may name).</summary>
/// <param name="Rows">The report lines they are on.</param>
/// <param name="Name">Their name as the report gives it.</param>
/// <param name="Email">Their e-mail address, if given.</param>
/// <param name="EmployeeId">Their employee id, if given.</param>
/// <param name="Minutes">Their time in the webinar, summed over their rows.</param>
public sealed record UnknownParticipant(IReadOnlyList<int> Rows, string? Name, string? Email, string? EmployeeId, double Minutes);

/// <summary>
/// Turns sessions and webinar attendance into statements and stores them through <see cref="StatementWriter"/>, as the
/// statements resource does (validated, prepared with the caller's authority, evidence and sign-offs recorded in the
/// statements' transaction), then stores the session record. Used by the API and by <c>demo seed</c>.
/// </summary>
public static class SessionWriter
{
    // Writes of one session (or webinar) run one at a time on this node: each reads the stored session, plans against it,
    // stores statements, then the session. Two at once would both plan against the same old state and leave the loser's
    // statements live without the session naming them. Striped: a bounded set of locks, shared by ids whose hashes meet.
    private static readonly SemaphoreSlim[] Stripes = [.. Enumerable.Range(0, 64).Select(_ => new SemaphoreSlim(1, 1))];

    private static async Task<IDisposable> Serialised(long tenantId, SessionKind kind, string id, CancellationToken ct)
    {
        var stripe = Stripes[(int)((uint)HashCode.Combine(tenantId, kind, StringComparer.Ordinal.GetHashCode(id)) % (uint)Stripes.Length)];
        await stripe.WaitAsync(ct);
        return new Release(stripe);
    }

    private sealed class Release(SemaphoreSlim stripe) : IDisposable
    {
        private int _released;
        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0) stripe.Release();
        }
    }

    /// <summary>Creates or corrects an on-site session.</summary>
    public static async Task<SessionWrite> WriteSessionAsync(SessionStores stores, SessionCaller caller, string id, SessionInput input, CancellationToken ct)
    {
        using var held = await Serialised(caller.TenantId, SessionKind.OnSite, id, ct);
        return await WriteSessionOnceAsync(stores, caller, id, input, ct);
    }

    private static async Task<SessionWrite> WriteSessionOnceAsync(SessionStores stores, SessionCaller caller, string id, SessionInput input, CancellationToken ct)
    {
        var errors = new List<ValidationError>();
        var resolver = new Resolver(stores.People, caller);
        var trainers = await resolver.AllAsync(input.Trainers, errors, participant: false, ct);
        var planned = new List<PlannedParticipant>();
        var keys = new Dictionary<string, string>(StringComparer.Ordinal);
        var context = new SessionContext(SessionKind.OnSite, id, input.Activity, input.Start, input.End, input.Place, [.. trainers.Select(t => t.Agent)], input.Version);
        foreach (var p in input.Participants)
        {
            var who = await resolver.ResolveAsync(p.Who, errors, participant: true, ct);
            var signer = p.SignoffBy is { } by ? await resolver.ResolveAsync(by, errors, participant: false, ct) : null;
            if (who is null || (p.SignoffBy is not null && signer is null)) continue;
            if (!keys.TryAdd(who.Key, p.Who.Path))
            {
                errors.Add(new(p.Who.Path, $"names the same participant as {keys[who.Key]}; each participant appears once"));
                continue;
            }
            if (signer is not null && signer.Key == who.Key)
            {
                errors.Add(new(p.SignoffBy!.Path, "a participant does not sign off their own outcome"));
                continue;
            }
            var detail = new JsonObject();
            if (signer is not null)
                detail["signoff"] = new JsonObject { ["by"] = signer.Agent.DeepClone(), ["at"] = XapiTimestamp.ToUtcString(p.SignoffAt ?? input.End) };
            var (outcome, signedAt) = (p.Outcome, p.SignoffAt);
            planned.Add(new PlannedParticipant(who.Key, who.PersonId, who.OrganisationId, who.Agent, outcome, detail,
                voided => SessionStatements.ForParticipant(context, who, outcome, signer?.Agent, signedAt, voided)));
        }
        if (errors.Count > 0) return SessionWrite.Refused(SessionRefusal.Invalid, errors);

        var old = await stores.Sessions.GetAsync(caller.TenantId, SessionKind.OnSite, id, ct);
        return await StoreAsync(stores, caller, old, context, input.Definition, planned, null, ct);
    }

    /// <summary>Creates or changes a webinar; attendance already imported is judged again by the new definition.</summary>
    public static async Task<SessionWrite> WriteWebinarAsync(SessionStores stores, SessionCaller caller, string id, WebinarInput input,
        double defaultShare, CancellationToken ct)
    {
        using var held = await Serialised(caller.TenantId, SessionKind.Webinar, id, ct);
        return await WriteWebinarOnceAsync(stores, caller, id, input, defaultShare, ct);
    }

    private static async Task<SessionWrite> WriteWebinarOnceAsync(SessionStores stores, SessionCaller caller, string id, WebinarInput input,
        double defaultShare, CancellationToken ct)
    {
        var errors = new List<ValidationError>();
        var presenters = await new Resolver(stores.People, caller).AllAsync(input.Presenters, errors, participant: false, ct);
        if (errors.Count > 0) return SessionWrite.Refused(SessionRefusal.Invalid, errors);
        var context = new SessionContext(SessionKind.Webinar, id, input.Activity, input.Start, input.End, null, [.. presenters.Select(p => p.Agent)], input.Version);
        var old = await stores.Sessions.GetAsync(caller.TenantId, SessionKind.Webinar, id, ct);
        var share = input.MinimumShare ?? defaultShare;
        var planned = (old?.Participants ?? []).Where(p => p.Outcome != SessionReconciler.Removed)
            .Select(p => Attendance(context, new ResolvedAgent(p.Key, p.PersonId, p.OrganisationId, p.Agent), p.Detail, share)).ToList();
        return await StoreAsync(stores, caller, old, context, input.Definition, planned, null, ct);
    }

    /// <summary>
    /// Imports a webinar's attendance report: all or nothing (a bad row refuses the file), people matched by employee id or
    /// by an e-mail address that is one of their <c>mbox</c> agents, rows of one person summed. Someone who matches no person
    /// gets no statement (an address outside the tenant's people is no one's learning record) and is listed in
    /// <see cref="SessionWrite.Unknown"/>; once the person or their e-mail agent exists, importing the file again writes theirs.
    /// The report replaces the previous one: people no longer in it have their statements voided.
    /// </summary>
    public static async Task<SessionWrite> ImportAttendanceAsync(SessionStores stores, SessionCaller caller, string id, Stream report,
        double defaultShare, CancellationToken ct)
    {
        using var held = await Serialised(caller.TenantId, SessionKind.Webinar, id, ct);
        return await ImportAttendanceOnceAsync(stores, caller, id, report, defaultShare, ct);
    }

    private static async Task<SessionWrite> ImportAttendanceOnceAsync(SessionStores stores, SessionCaller caller, string id, Stream report,
        double defaultShare, CancellationToken ct)
    {
        var old = await stores.Sessions.GetAsync(caller.TenantId, SessionKind.Webinar, id, ct);
        if (old is null) return SessionWrite.Refused(SessionRefusal.NotFound, [new("$", $"there is no webinar '{id}'; PUT /api/webinars/{id} first")]);
        var (input, inputErrors) = SessionInputReader.ReadWebinar(old.Definition);
        if (input is null) return SessionWrite.Refused(SessionRefusal.Invalid, inputErrors);

        var (rows, errors) = WebinarAttendance.Read(report, input.Start.Offset);
        if (errors.Count > 0) return SessionWrite.Refused(SessionRefusal.Invalid, errors);

        var resolver = new Resolver(stores.People, caller);
        var presenterErrors = new List<ValidationError>();
        var presenters = await resolver.AllAsync(input.Presenters, presenterErrors, participant: false, ct);
        if (presenterErrors.Count > 0) return SessionWrite.Refused(SessionRefusal.Invalid, presenterErrors);
        var context = new SessionContext(SessionKind.Webinar, id, input.Activity, input.Start, input.End, null, [.. presenters.Select(p => p.Agent)], input.Version);

        var matched = new Dictionary<string, (ResolvedAgent Who, List<AttendanceRow> Rows)>(StringComparer.Ordinal);
        var unknown = new Dictionary<string, List<AttendanceRow>>(StringComparer.OrdinalIgnoreCase);
        foreach (var row in rows)
        {
            if (await resolver.OfReportRowAsync(row, ct) is { } who)
            {
                if (!matched.TryGetValue(who.Key, out var entry)) matched[who.Key] = entry = (who, []);
                entry.Rows.Add(row);
            }
            else
            {
                var key = row.Email ?? row.EmployeeId ?? "";
                if (!unknown.TryGetValue(key, out var list)) unknown[key] = list = [];
                list.Add(row);
            }
        }
        var share = input.MinimumShare ?? defaultShare;
        var planned = matched.Values.OrderBy(m => m.Who.Key, StringComparer.Ordinal).Select(m =>
        {
            var detail = new JsonObject
            {
                ["seconds"] = (long)Math.Round(m.Rows.Sum(r => r.Duration.TotalSeconds)),
                ["joined"] = XapiTimestamp.ToUtcString(m.Rows.Min(r => r.Joined)),
                ["rows"] = new JsonArray([.. m.Rows.Select(r => (JsonNode)r.Row)]),
            };
            return Attendance(context, m.Who, detail, share);
        }).ToList();
        var unknowns = unknown.Values.Select(list => new UnknownParticipant([.. list.Select(r => r.Row)], list.Select(r => r.Name).FirstOrDefault(n => n is not null),
            list[0].Email, list[0].EmployeeId, Math.Round(list.Sum(r => r.Duration.TotalMinutes), 1))).ToList();
        return await StoreAsync(stores, caller, old, context, old.Definition, planned, unknowns, ct);
    }

    private static PlannedParticipant Attendance(SessionContext webinar, ResolvedAgent who, JsonObject detail, double share)
    {
        var present = TimeSpan.FromSeconds(detail["seconds"]!.GetValue<long>());
        var joined = XapiTimestamp.TryParse(detail["joined"]!.GetValue<string>(), XapiVersion.V200, out var j) ? j : webinar.Start;
        var attended = WebinarAttendance.CountsAsAttended(present, webinar.Start, webinar.End, share);
        return new PlannedParticipant(who.Key, who.PersonId, who.OrganisationId, who.Agent, attended ? "attended" : "joined", detail,
            voided => [SessionStatements.WithId(webinar, who.Key, "attendance", SessionStatements.ForWebinar(webinar, who, attended, present, joined), voided)]);
    }

    private static async Task<SessionWrite> StoreAsync(SessionStores stores, SessionCaller caller, SessionRecord? old, SessionContext context, JsonObject definition,
        IReadOnlyList<PlannedParticipant> planned, IReadOnlyList<UnknownParticipant>? unknown, CancellationToken ct)
    {
        // A restricted credential would otherwise void other employers' participants by leaving them out.
        if (caller.Organisation is { } own && old is not null
            && old.Participants.Any(p => p.Outcome != SessionReconciler.Removed && p.OrganisationId != own))
            return SessionWrite.Refused(SessionRefusal.Forbidden, [new("$", "the session has participants of another organisation than this credential's")]);

        var plan = SessionReconciler.Reconcile(old?.Participants ?? [], planned);
        // With no statement to write, the session record still gets its time from the statement writer's clock.
        var written = await stores.Statements.WriteAsync(new StatementBatch(caller.TenantId, StatementBatch.Elements(plan.Statements),
            context.Version, caller.Authority, caller.Define)
            {
                Paths = StatementPaths.Id,
                Source = context.Kind == SessionKind.Webinar ? StatementSources.Webinar : StatementSources.Session,
            }, ct);
        if (written.Invalid is not null) return SessionWrite.Refused(SessionRefusal.Invalid, written.Errors!);
        if (written.ConflictingId is { } conflict)
            return SessionWrite.Refused(SessionRefusal.Conflict, [new("$", $"a different statement with id {conflict:D} is stored already")]);
        var stored = written.Stored;

        var unchanged = old is not null && plan.Changes.IsNone && old.Definition.ToJsonString() == definition.ToJsonString()
            && old.Participants.Select(p => (p.Key, p.Detail.ToJsonString())).SequenceEqual(plan.Participants.Select(p => (p.Key, p.Detail.ToJsonString())));
        var record = unchanged ? old! : new SessionRecord(context.Id, context.Kind, context.Activity.Id, context.Start, context.End, context.Registration,
            definition, plan.Participants, stored);
        if (!unchanged) await stores.Sessions.PutAsync(caller.TenantId, record, ct);
        return new SessionWrite(record, old is null, plan.Changes, Unknown: unknown);
    }

    // Finds people and agents once per write; an unknown person id is an error at the path that names it.
    private sealed class Resolver(IPeopleStore people, SessionCaller caller)
    {
        private readonly Dictionary<string, Person?> _people = new(StringComparer.Ordinal);

        public async Task<List<ResolvedAgent>> AllAsync(IReadOnlyList<PersonRef> refs, List<ValidationError> errors, bool participant, CancellationToken ct)
        {
            var all = new List<ResolvedAgent>();
            foreach (var r in refs)
                if (await ResolveAsync(r, errors, participant, ct) is { } resolved) all.Add(resolved);
            return all;
        }

        public async Task<ResolvedAgent?> ResolveAsync(PersonRef r, List<ValidationError> errors, bool participant, CancellationToken ct)
        {
            if (r.PersonId is { } id)
            {
                if (await PersonAsync(id, ct) is not { } person)
                {
                    errors.Add(new(r.Path, $"there is no person '{id}'{(caller.Organisation is null ? "" : " that this credential may name")}"));
                    return null;
                }
                if (person.PreferredAgent() is not { } agent)
                {
                    errors.Add(new(r.Path, $"person '{id}' has no agent to write statements about (give the organisation an hrHomePage or the person an agent)"));
                    return null;
                }
                return new ResolvedAgent("person:" + person.Id, person.Id, person.OrganisationId, agent);
            }
            var key = AgentKey.Of(r.Agent)!;
            if (await people.PersonOfAgentAsync(caller.TenantId, key, ct) is { } personId)
            {
                if (await PersonAsync(personId, ct) is { } person) return new ResolvedAgent("person:" + person.Id, person.Id, person.OrganisationId, r.Agent!);
                if (participant)
                {
                    errors.Add(new(r.Path, "is an agent of a person this credential may not name"));
                    return null;
                }
            }
            else if (participant && caller.Organisation is not null)
            {
                errors.Add(new(r.Path, "is no person of this credential's organisation; an organisation-restricted credential names only its own people"));
                return null;
            }
            return new ResolvedAgent(key, null, null, r.Agent!);
        }

        public async Task<ResolvedAgent?> OfReportRowAsync(AttendanceRow row, CancellationToken ct)
        {
            if (row.EmployeeId is { } id && await PersonAsync(id, ct) is { } person && person.PreferredAgent() is { } agent)
                return new ResolvedAgent("person:" + person.Id, person.Id, person.OrganisationId, agent);
            if (row.Email is { } email)
            {
                var mbox = new JsonObject { ["mbox"] = "mailto:" + email };
                if (await people.PersonOfAgentAsync(caller.TenantId, AgentKey.Of(mbox)!, ct) is { } personId
                    && await PersonAsync(personId, ct) is { } byMail && byMail.PreferredAgent() is { } preferred)
                    return new ResolvedAgent("person:" + byMail.Id, byMail.Id, byMail.OrganisationId, preferred);
            }
            return null;
        }

        private async Task<Person?> PersonAsync(string id, CancellationToken ct)
        {
            if (!_people.TryGetValue(id, out var person))
                _people[id] = person = await people.GetAsync(caller.TenantId, id, caller.Organisation, ct);
            return person;
        }

    }
}
