using System.Text.Json.Nodes;

namespace Lrs.Core.Learning;

/// <summary>What a recorded learning event is.</summary>
public enum SessionKind
{
    /// <summary>An on-site session at a learning centre (a course day, a learning box, a practical demonstration).</summary>
    OnSite,
    /// <summary>A webinar whose attendance comes from the platform's report.</summary>
    Webinar,
}

/// <summary>
/// An on-site session or a webinar as the LRS keeps it: the definition the client sent, and each participant with the
/// statements written for them. The statements themselves are ordinary statements; this record says which they are.
/// </summary>
/// <param name="Id">The client's id, unique per tenant and kind.</param>
/// <param name="Kind">Session or webinar.</param>
/// <param name="ActivityId">The activity IRI (the statements' object).</param>
/// <param name="Start">When it began.</param>
/// <param name="End">When it ended.</param>
/// <param name="Registration">The registration of all its statements (<see cref="SessionIds.Registration"/>).</param>
/// <param name="Definition">The definition as sent (without the participants of a session).</param>
/// <param name="Participants">Participants, current and removed, ordered by key.</param>
/// <param name="Updated">When it last changed.</param>
public sealed record SessionRecord(string Id, SessionKind Kind, string ActivityId, DateTimeOffset Start, DateTimeOffset End, Guid Registration,
    JsonObject Definition, IReadOnlyList<SessionParticipant> Participants, DateTimeOffset Updated);

/// <summary>One participant of a session or webinar and the statements about them.</summary>
/// <param name="Key">Who: <c>person:{id}</c> for a known person, else the agent's <see cref="Xapi.AgentKey"/>.</param>
/// <param name="PersonId">The person, when known.</param>
/// <param name="OrganisationId">The person's organisation, when known (an organisation-restricted reader sees only its own).</param>
/// <param name="Agent">The actor of their statements.</param>
/// <param name="Outcome"><c>attended</c>, <c>passed</c>, <c>failed</c> (sessions), <c>attended</c> or <c>joined</c> (webinars),
/// or <c>removed</c> when no longer a participant (their statements voided).</param>
/// <param name="Detail">What the outcome rests on: a session's sign-off (<c>signoff: {by, at}</c>), a webinar's summed
/// <c>seconds</c>, first <c>joined</c> time and report <c>rows</c>.</param>
/// <param name="StatementIds">The participant's current statements (outcome first, then any sign-off).</param>
/// <param name="VoidedIds">Their statements voided by corrections, oldest first.</param>
public sealed record SessionParticipant(string Key, string? PersonId, string? OrganisationId, JsonObject Agent, string Outcome,
    JsonObject Detail, IReadOnlyList<Guid> StatementIds, IReadOnlyList<Guid> VoidedIds);

/// <summary>What a write of a session or of a webinar's attendance changed.</summary>
/// <param name="Added">Participants that were not there.</param>
/// <param name="Changed">Participants whose statements were replaced.</param>
/// <param name="Removed">Participants no longer there (their statements voided).</param>
/// <param name="Unchanged">Participants sent as they were.</param>
/// <param name="StatementsWritten">Statements new to the session.</param>
/// <param name="StatementsVoided">Statements voided.</param>
public sealed record SessionChanges(int Added, int Changed, int Removed, int Unchanged, int StatementsWritten, int StatementsVoided)
{
    /// <summary>Whether nothing about the participants changed.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public bool IsNone => Added == 0 && Changed == 0 && Removed == 0 && StatementsWritten == 0 && StatementsVoided == 0;
}

/// <summary>A participant as the next version of a session has them: who, the outcome and its statements.</summary>
/// <param name="Key">See <see cref="SessionParticipant.Key"/>.</param>
/// <param name="PersonId">The person, when known.</param>
/// <param name="OrganisationId">The person's organisation, when known.</param>
/// <param name="Agent">The actor of their statements.</param>
/// <param name="Outcome">The outcome.</param>
/// <param name="Detail">See <see cref="SessionParticipant.Detail"/>.</param>
/// <param name="Statements">Builds the statements, with their ids, given the participant's voided statement ids (a statement
/// voided once never comes back under the same id).</param>
public sealed record PlannedParticipant(string Key, string? PersonId, string? OrganisationId, JsonObject Agent, string Outcome, JsonObject Detail,
    Func<IReadOnlySet<Guid>, IReadOnlyList<JsonObject>> Statements);

/// <summary>What to store for a new version of a session: statements (new ones and voidings) and the participants.</summary>
/// <param name="Statements">Every current statement of every participant (those stored already are skipped by the store as
/// duplicates, so a write interrupted before the session row was stored is completed by sending again) and the voiding statements.</param>
/// <param name="Participants">The participants to keep, ordered by key.</param>
/// <param name="Changes">The counts.</param>
public sealed record SessionPlan(IReadOnlyList<JsonObject> Statements, IReadOnlyList<SessionParticipant> Participants, SessionChanges Changes);

/// <summary>
/// Deterministic identifiers: the same session sent again gives byte-identical statements with the same ids, so writes are
/// idempotent without a transaction across the statement and session tables.
/// </summary>
public static class SessionIds
{
    /// <summary>The namespace of every name-based id (the same in every tenant; the tenant separates the data).</summary>
    public static readonly Guid Namespace = new("5b0c7f2e-8d3a-4f61-9a1e-6c2d4b8e0f37");

    /// <summary>The registration of all statements of a session or webinar.</summary>
    public static Guid Registration(SessionKind kind, string id) => NameBased((kind == SessionKind.Webinar ? "webinar:" : "session:") + id);

    /// <summary>
    /// A statement's id: a name-based UUID of the registration, the participant, what the statement is and its content, so a
    /// statement whose content changes gets a new id (the old one is voided) and one sent again keeps its id. An id already
    /// voided for the participant is never reused: the next one in a deterministic sequence is taken.
    /// </summary>
    public static Guid Statement(Guid registration, string participantKey, string kind, JsonObject statementWithoutId, IReadOnlySet<Guid> voided)
    {
        var name = $"{registration:D}|{participantKey}|{kind}|{statementWithoutId.ToJsonString()}";
        var id = NameBased(name);
        for (var n = 1; voided.Contains(id); n++) id = NameBased($"{name}|{n}");
        return id;
    }

    /// <summary>The id of the statement that voids <paramref name="target"/>.</summary>
    public static Guid Voiding(Guid target) => NameBased($"void:{target:D}");

    /// <summary>A version 5 (SHA-1, name-based) UUID of <paramref name="name"/> in <see cref="Namespace"/>.</summary>
    public static Guid NameBased(string name) => Xapi.NameBasedUuid.Create(Namespace, name);
}

/// <summary>Compares a session's participants as stored with the next version of them.</summary>
public static class SessionReconciler
{
    /// <summary>The outcome of a participant who is no longer in the session.</summary>
    public const string Removed = "removed";

    /// <summary>
    /// The plan for <paramref name="next"/> given what is stored (<paramref name="stored"/>, empty for a new session): a
    /// participant whose statements are the same is unchanged; one whose statements differ has the old ones voided; one no
    /// longer listed has all of theirs voided and stays as <see cref="Removed"/> so that their voided ids can be read back.
    /// </summary>
    public static SessionPlan Reconcile(IReadOnlyList<SessionParticipant> stored, IReadOnlyList<PlannedParticipant> next)
    {
        var before = stored.ToDictionary(p => p.Key, StringComparer.Ordinal);
        var statements = new List<JsonObject>();
        var voidings = new List<JsonObject>();
        var participants = new List<SessionParticipant>();
        int added = 0, changed = 0, removed = 0, unchanged = 0, written = 0;

        foreach (var p in next)
        {
            before.Remove(p.Key, out var old);
            var voidedBefore = old?.VoidedIds ?? [];
            var built = p.Statements(voidedBefore.ToHashSet());
            var ids = built.Select(s => Guid.Parse(s["id"]!.GetValue<string>())).ToList();
            var current = old?.StatementIds ?? [];
            var gone = current.Except(ids).ToList();
            written += ids.Except(current).Count();
            statements.AddRange(built);
            voidings.AddRange(gone.Select(id => Voiding(id, old!.Agent)));
            if (old is null || old.Outcome == Removed) added++;
            else if (gone.Count > 0 || !ids.SequenceEqual(current)) changed++;
            else unchanged++;
            participants.Add(new SessionParticipant(p.Key, p.PersonId, p.OrganisationId, p.Agent, p.Outcome, p.Detail, ids, [.. voidedBefore, .. gone]));
        }
        foreach (var old in before.Values)
        {
            if (old.StatementIds.Count > 0)
            {
                removed++;
                voidings.AddRange(old.StatementIds.Select(id => Voiding(id, old.Agent)));
            }
            participants.Add(old with { Outcome = Removed, StatementIds = [], VoidedIds = [.. old.VoidedIds, .. old.StatementIds] });
        }
        participants.Sort((a, b) => string.CompareOrdinal(a.Key, b.Key));
        return new SessionPlan([.. voidings, .. statements], participants,
            new SessionChanges(added, changed, removed, unchanged, written, voidings.Count));
    }

    /// <summary>
    /// The statement that voids <paramref name="target"/>. Its actor is the participant the voided statement is about and it
    /// has no timestamp (the LRS sets it when stored), so the same correction sent again is the same statement; the
    /// <c>authority</c> says who made it.
    /// </summary>
    public static JsonObject Voiding(Guid target, JsonObject participant) => new()
    {
        ["id"] = SessionIds.Voiding(target).ToString("D"),
        ["actor"] = participant.DeepClone(),
        ["verb"] = new JsonObject { ["id"] = Xapi.StatementPreparer.VoidedVerb, ["display"] = new JsonObject { ["en-US"] = "voided", ["sv-SE"] = "makulerade" } },
        ["object"] = new JsonObject { ["objectType"] = "StatementRef", ["id"] = target.ToString("D") },
    };
}

/// <summary>A filtered page of sessions or webinars, ordered by start then id.</summary>
/// <param name="Kind">Sessions or webinars.</param>
/// <param name="From">Only those that start at or after this time.</param>
/// <param name="To">Only those that start before this time.</param>
/// <param name="ActivityId">Only those of this activity.</param>
/// <param name="OrganisationId">Only those with a participant of this organisation (and only such participants are shown).</param>
/// <param name="After">Only those after this one in the order (the last of the previous page).</param>
/// <param name="Limit">At most this many.</param>
public sealed record SessionQuery(SessionKind Kind, DateTimeOffset? From, DateTimeOffset? To, string? ActivityId, string? OrganisationId,
    (DateTimeOffset Start, string Id)? After, int Limit);

/// <summary>One page of sessions (without participants).</summary>
/// <param name="Sessions">The sessions; their <see cref="SessionRecord.Participants"/> are empty.</param>
/// <param name="HasMore">Whether another page follows the last one.</param>
public sealed record SessionPage(IReadOnlyList<SessionRecord> Sessions, bool HasMore);
