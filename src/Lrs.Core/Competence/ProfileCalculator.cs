using System.Text.Json.Serialization;

namespace Lrs.Core.Competence;

/// <summary>Evidence as stored, read back for profile computation.</summary>
/// <param name="CompetenceId">The competence.</param>
/// <param name="StatementId">The statement that is the evidence.</param>
/// <param name="AgentKey">The agent (one of the person's) the evidence is about.</param>
/// <param name="AchievedAt">The statement's timestamp.</param>
/// <param name="ExpiresAt">When it stops counting; null for never.</param>
/// <param name="NeedsSignoff">Whether it counts only once signed off.</param>
/// <param name="SignedOffAt">The earliest sign-off by an agent other than <paramref name="AgentKey"/>; null if none.
/// The store decides which sign-offs count (a learner cannot sign off their own evidence); the profile trusts it.</param>
/// <param name="SignoffStatementId">The sign-off statement behind <paramref name="SignedOffAt"/>.</param>
/// <param name="AssessorJson">Who assessed, as agent JSON, if known.</param>
public sealed record EvidenceRecord(string CompetenceId, Guid StatementId, string AgentKey, DateTimeOffset AchievedAt,
    DateTimeOffset? ExpiresAt, bool NeedsSignoff, DateTimeOffset? SignedOffAt, Guid? SignoffStatementId, string? AssessorJson);

/// <summary>
/// Where a person stands on one competence. JSON names: <c>valid</c>, <c>expiring</c>, <c>expired</c>,
/// <c>pending-signoff</c>, <c>missing</c> (see <see cref="ProfileCalculator.StatusName"/>).
/// </summary>
[JsonConverter(typeof(JsonStringEnumConverter<CompetenceStatus>))]
public enum CompetenceStatus
{
    /// <summary>Usable evidence that does not expire within the expiring window.</summary>
    [JsonStringEnumMemberName("valid")] Valid,
    /// <summary>Usable evidence, but it expires within the expiring window.</summary>
    [JsonStringEnumMemberName("expiring")] Expiring,
    /// <summary>Evidence exists, and all of it has expired.</summary>
    [JsonStringEnumMemberName("expired")] Expired,
    /// <summary>No usable unexpired evidence, but unexpired evidence awaits a supervisor's sign-off.</summary>
    [JsonStringEnumMemberName("pending-signoff")] PendingSignoff,
    /// <summary>No evidence at all.</summary>
    [JsonStringEnumMemberName("missing")] Missing,
}

/// <summary>What the profile needs to know about a person.</summary>
/// <param name="PersonId">The person's id.</param>
/// <param name="Roles">Role ids; unknown ones are ignored.</param>
/// <param name="Duties">Duties the person performs (e.g. <c>delegated-tasks</c>), which make conditional requirements apply.</param>
public sealed record PersonFacts(string PersonId, IReadOnlyList<string> Roles, IReadOnlyList<string> Duties);

/// <summary>Where a person stands on one competence.</summary>
/// <param name="CompetenceId">The competence.</param>
/// <param name="Status">The status the best evidence gives.</param>
/// <param name="Requirement">The strongest level among the person's roles that applies: a conditional requirement
/// applies only when the person has its duty, and then counts as <see cref="RequirementLevel.Required"/> (its duty is in
/// <see cref="Duty"/>); null when no role asks for the competence. Never <see cref="RequirementLevel.Conditional"/>.</param>
/// <param name="AchievedAt">When the evidence that decides the status was achieved; null when missing.</param>
/// <param name="ExpiresAt">When the evidence that decides the status expires; null when it never does, or when missing.</param>
/// <param name="EvidenceStatementIds">All evidence statements for this competence, newest first.</param>
/// <param name="UnmetPrerequisites">Prerequisite competence ids whose own status is neither valid nor expiring.</param>
public sealed record ProfileEntry(string CompetenceId, CompetenceStatus Status, RequirementLevel? Requirement,
    DateTimeOffset? AchievedAt, DateTimeOffset? ExpiresAt, IReadOnlyList<Guid> EvidenceStatementIds,
    IReadOnlyList<string> UnmetPrerequisites)
{
    /// <summary>
    /// When the competence is required only through conditional requirements: the duty that makes it required (the
    /// first such, in role order). Null when a role requires it unconditionally, or it is not required.
    /// </summary>
    public string? Duty { get; init; }

    /// <summary>Whether the status counts as having the competence: valid or expiring, prerequisites met.</summary>
    public bool IsMet => Status is CompetenceStatus.Valid or CompetenceStatus.Expiring && UnmetPrerequisites.Count == 0;
}

/// <summary>A person's competence profile at one moment.</summary>
/// <param name="PersonId">The person.</param>
/// <param name="ComputedAt">The moment the statuses are computed for.</param>
/// <param name="Entries">One entry per competence required or recommended of the person or evidenced, in framework order.</param>
public sealed record PersonProfile(string PersonId, DateTimeOffset ComputedAt, IReadOnlyList<ProfileEntry> Entries);

/// <summary>Computes competence profiles from evidence at read time.</summary>
public static class ProfileCalculator
{
    /// <summary>
    /// The profile of <paramref name="person"/> from <paramref name="evidence"/> (the evidence of all the person's agents).
    /// <para>Entries: every competence the person's roles require, require through a duty the person has, or recommend,
    /// plus every competence of the framework the person has evidence for; in framework order. Evidence of a competence
    /// the framework does not have is ignored.</para>
    /// <para>Status, decided by the best evidence. Usable evidence needs no sign-off or has <see cref="EvidenceRecord.SignedOffAt"/>
    /// (taken as given: the store leaves out sign-offs by the learner). <c>valid</c>: usable, expiry null or later than
    /// <paramref name="now"/> + <paramref name="expiringWindow"/>; <c>expiring</c>: usable, <paramref name="now"/> &lt;
    /// expiry ≤ <paramref name="now"/> + window; <c>pending-signoff</c>: no usable unexpired evidence, but unexpired evidence
    /// awaiting sign-off; <c>expired</c>: evidence exists and all of it has expired (expiry ≤ <paramref name="now"/>);
    /// <c>missing</c>: no evidence.</para>
    /// <para>A competence with unmet prerequisites keeps its own status and lists them in <see cref="ProfileEntry.UnmetPrerequisites"/>.</para>
    /// </summary>
    public static PersonProfile Compute(PersonFacts person, IReadOnlyList<EvidenceRecord> evidence, Framework framework,
        DateTimeOffset now, TimeSpan expiringWindow)
    {
        var requirements = Requirements(person, framework);

        var byCompetence = new Dictionary<string, List<EvidenceRecord>>(StringComparer.Ordinal);
        foreach (var e in evidence)
        {
            if (!byCompetence.TryGetValue(e.CompetenceId, out var list)) byCompetence[e.CompetenceId] = list = [];
            list.Add(e);
        }

        var decided = new Dictionary<string, Decision>(StringComparer.Ordinal);
        Decision Decide(string competenceId)
        {
            if (!decided.TryGetValue(competenceId, out var d))
                decided[competenceId] = d = DecideStatus(byCompetence.GetValueOrDefault(competenceId), now, expiringWindow);
            return d;
        }

        var entries = new List<ProfileEntry>();
        for (var i = 0; i < framework.Competences.Count; i++)
        {
            var competence = framework.Competences[i];
            if (framework.OrderOf(competence.Id) != i) continue; // a repeated id: the first one counts
            var required = requirements.TryGetValue(competence.Id, out var r) ? r : ((RequirementLevel Level, string? Duty)?)null;
            var own = byCompetence.GetValueOrDefault(competence.Id);
            if (required is null && own is null) continue;

            var decision = Decide(competence.Id);
            var unmet = new List<string>();
            foreach (var prerequisite in competence.Prerequisites)
                if (Decide(prerequisite).Status is not (CompetenceStatus.Valid or CompetenceStatus.Expiring) && !unmet.Contains(prerequisite))
                    unmet.Add(prerequisite);

            var ids = own is null
                ? []
                : own.OrderByDescending(e => e.AchievedAt).ThenByDescending(e => e.StatementId)
                    .Select(e => e.StatementId).Distinct().ToArray();
            entries.Add(new ProfileEntry(competence.Id, decision.Status, required?.Level,
                decision.Decider?.AchievedAt, decision.Decider?.ExpiresAt, ids, unmet)
            {
                Duty = required?.Duty,
            });
        }
        return new PersonProfile(person.PersonId, now, entries);
    }

    /// <summary>
    /// The competences <paramref name="person"/>'s roles require (a conditional requirement when the person has its duty), in
    /// framework order: the entries of <see cref="Compute"/>'s profile whose requirement is <see cref="RequirementLevel.Required"/>.
    /// Such an entry is met (<see cref="ProfileEntry.IsMet"/>) when the competence and each of its prerequisites is valid or expiring.
    /// </summary>
    public static IReadOnlyList<Competence> RequiredCompetences(PersonFacts person, Framework framework)
    {
        var requirements = Requirements(person, framework);
        var required = new List<Competence>();
        for (var i = 0; i < framework.Competences.Count; i++)
        {
            var competence = framework.Competences[i];
            if (framework.OrderOf(competence.Id) != i) continue; // a repeated id: the first one counts
            if (requirements.TryGetValue(competence.Id, out var r) && r.Level == RequirementLevel.Required) required.Add(competence);
        }
        return required;
    }

    /// <summary>The JSON name of a status: <c>valid</c>, <c>expiring</c>, <c>expired</c>, <c>pending-signoff</c>, <c>missing</c>.</summary>
    public static string StatusName(CompetenceStatus status) => status switch
    {
        CompetenceStatus.Valid => "valid",
        CompetenceStatus.Expiring => "expiring",
        CompetenceStatus.Expired => "expired",
        CompetenceStatus.PendingSignoff => "pending-signoff",
        CompetenceStatus.Missing => "missing",
        _ => throw new ArgumentOutOfRangeException(nameof(status), status, null),
    };

    private readonly record struct Decision(CompetenceStatus Status, EvidenceRecord? Decider);

    // What the person's roles ask of them, per competence: the strongest level that applies, and the duty when only a
    // conditional requirement makes it required.
    private static Dictionary<string, (RequirementLevel Level, string? Duty)> Requirements(PersonFacts person, Framework framework)
    {
        var result = new Dictionary<string, (RequirementLevel Level, string? Duty)>(StringComparer.Ordinal);
        foreach (var roleId in person.Roles)
        {
            if (framework.FindRole(roleId) is not { } role) continue;
            foreach (var q in role.Requirements)
            {
                (RequirementLevel Level, string? Duty) applies;
                if (q.Level == RequirementLevel.Conditional)
                {
                    if (q.Duty is null || !person.Duties.Contains(q.Duty, StringComparer.Ordinal)) continue;
                    applies = (RequirementLevel.Required, q.Duty);
                }
                else applies = (q.Level, null);

                if (!result.TryGetValue(q.CompetenceId, out var current) || Stronger(applies, current))
                    result[q.CompetenceId] = applies;
            }
        }
        return result;
    }

    // Required beats recommended; among required, an unconditional requirement beats one through a duty.
    private static bool Stronger((RequirementLevel Level, string? Duty) a, (RequirementLevel Level, string? Duty) b) =>
        a.Level == RequirementLevel.Required && (b.Level != RequirementLevel.Required || (a.Duty is null && b.Duty is not null));

    private static Decision DecideStatus(List<EvidenceRecord>? evidence, DateTimeOffset now, TimeSpan window)
    {
        if (evidence is null || evidence.Count == 0) return new(CompetenceStatus.Missing, null);
        var horizon = window <= TimeSpan.Zero ? now + window
            : now > DateTimeOffset.MaxValue - window ? DateTimeOffset.MaxValue : now + window;
        EvidenceRecord? usable = null, pending = null, expired = null;
        foreach (var e in evidence)
        {
            bool unexpired = e.ExpiresAt is not { } x || x > now;
            if (!unexpired)
            {
                // The most recently expired evidence tells when the competence lapsed.
                if (expired is null || Later(e.ExpiresAt, e.AchievedAt, expired.ExpiresAt, expired.AchievedAt)) expired = e;
            }
            else if (!e.NeedsSignoff || e.SignedOffAt is not null)
            {
                // The usable evidence that lasts longest decides; a tie goes to the newest.
                if (usable is null || Later(e.ExpiresAt, e.AchievedAt, usable.ExpiresAt, usable.AchievedAt)) usable = e;
            }
            else if (pending is null || e.AchievedAt > pending.AchievedAt) pending = e;
        }
        if (usable is not null)
        {
            var status = usable.ExpiresAt is { } expires && expires <= horizon ? CompetenceStatus.Expiring : CompetenceStatus.Valid;
            return new(status, usable);
        }
        if (pending is not null) return new(CompetenceStatus.PendingSignoff, pending);
        return new(CompetenceStatus.Expired, expired);
    }

    // Whether expiry a (null = never) is later than expiry b, ties broken by the achievement time.
    private static bool Later(DateTimeOffset? aExpires, DateTimeOffset aAchieved, DateTimeOffset? bExpires, DateTimeOffset bAchieved)
    {
        var a = aExpires ?? DateTimeOffset.MaxValue;
        var b = bExpires ?? DateTimeOffset.MaxValue;
        return a != b ? a > b : aAchieved > bAchieved;
    }
}
