namespace Lrs.Core.Storage;

/// <summary>What an erasure request does with a person.</summary>
public enum ErasureMode
{
    /// <summary>Removes the person's own record; their appearances in other people's statements become a pseudonym.</summary>
    Erase,
    /// <summary>Keeps every row and replaces each of the person's identifiers by one stable pseudonym.</summary>
    Pseudonymise,
}

/// <summary>How long data is kept, as ISO 8601 durations; null keeps it for ever.</summary>
/// <param name="Statements">Statements older than this (by <c>stored</c>) are removed, with every row derived from them.</param>
/// <param name="ReflectionAnswers">Reflection answers older than this (by answer time) are removed, with their statements.</param>
/// <param name="Audit">Audit entries older than this are removed.</param>
public sealed record RetentionPeriods(string? Statements = null, string? ReflectionAnswers = null, string? Audit = null);

/// <summary>A tenant's privacy policy.</summary>
/// <param name="Erasure"><c>erase</c> (either mode allowed), <c>pseudonymise</c> (only pseudonymisation) or <c>refuse</c> (neither).</param>
/// <param name="Retention">How long data is kept.</param>
public sealed record PrivacyPolicy(string Erasure, RetentionPeriods Retention)
{
    /// <summary>The policy of a tenant that has set none: erasure allowed, everything kept.</summary>
    public static PrivacyPolicy Default { get; } = new("erase", new RetentionPeriods());
}

/// <summary>What an erasure removed and rewrote, by kind of row.</summary>
public sealed class ErasureCounts
{
    /// <summary>The person's own statements removed (and the statements that referred to them).</summary>
    public int StatementsRemoved { get; set; }
    /// <summary>Statements kept with the person's agents replaced by the pseudonym.</summary>
    public int StatementsRewritten { get; set; }
    /// <summary>Index keys removed or rewritten.</summary>
    public int IndexKeys { get; set; }
    /// <summary>Names the LRS had recorded for the person's agents.</summary>
    public int AgentNames { get; set; }
    /// <summary>State and Agent Profile documents of the person's agents, removed or moved to the pseudonym.</summary>
    public int Documents { get; set; }
    /// <summary>Attachments no remaining statement refers to, removed.</summary>
    public int Attachments { get; set; }
    /// <summary>Competence evidence rows removed or rewritten.</summary>
    public int Evidence { get; set; }
    /// <summary>Sign-off rows removed or rewritten.</summary>
    public int Signoffs { get; set; }
    /// <summary>Reflection tasks removed or rewritten.</summary>
    public int ReflectionTasks { get; set; }
    /// <summary>Reflection answers removed.</summary>
    public int ReflectionAnswers { get; set; }
    /// <summary>Session and webinar participations removed or rewritten; sessions whose definition named the person, rewritten.</summary>
    public int Sessions { get; set; }
    /// <summary>Group reflections (workplace meetings) with the person left out of the attendees or pseudonymised.</summary>
    public int GroupReflections { get; set; }
    /// <summary>Credentials bound to one of the person's agents: revoked, their actor replaced by the pseudonym.</summary>
    public int Credentials { get; set; }
    /// <summary>Audit entries whose detail named the person (a credential's actor), rewritten.</summary>
    public int AuditEntries { get; set; }
    /// <summary>The person's rows: the person, their agents, and their unit and role history.</summary>
    public int PersonRows { get; set; }
    /// <summary>Outbox events about the person, removed or moved to the pseudonymous id.</summary>
    public int Events { get; set; }
    /// <summary>The person's last announced competence statuses, removed or moved to the pseudonymous id.</summary>
    public int CompetenceStatuses { get; set; }
    /// <summary>The person's training plan, removed or moved to the pseudonymous id; unit plans that named the person, rewritten.</summary>
    public int TrainingPlans { get; set; }
}

/// <summary>The outcome of an erasure.</summary>
/// <param name="Mode">What was done.</param>
/// <param name="PersonHash">The keyed hash of the person id the audit tombstone carries (and the pseudonym's account name).</param>
/// <param name="Counts">What was removed and rewritten.</param>
public sealed record ErasureOutcome(ErasureMode Mode, string PersonHash, ErasureCounts Counts);

/// <summary>What a retention run removed (or, dry, would remove).</summary>
public sealed class RetentionCounts
{
    /// <summary>Statements removed.</summary>
    public int Statements { get; set; }
    /// <summary>Index keys of the removed statements.</summary>
    public int IndexKeys { get; set; }
    /// <summary>Evidence derived from the removed statements.</summary>
    public int Evidence { get; set; }
    /// <summary>Sign-offs by or of the removed statements.</summary>
    public int Signoffs { get; set; }
    /// <summary>Reflection tasks triggered by the removed statements.</summary>
    public int ReflectionTasks { get; set; }
    /// <summary>Reflection answers removed (old enough, or of a removed task or statement).</summary>
    public int ReflectionAnswers { get; set; }
    /// <summary>Attachments no remaining statement refers to.</summary>
    public int Attachments { get; set; }
    /// <summary>Audit entries removed.</summary>
    public int AuditEntries { get; set; }
}

/// <summary>The cut-off times of a retention run: what is older goes; null keeps that kind.</summary>
public sealed record RetentionCutoffs(DateTimeOffset? Statements, DateTimeOffset? ReflectionAnswers, DateTimeOffset? Audit);

/// <summary>A tenant's privacy policy, erasure of a person and retention.</summary>
public interface IPrivacyStore
{
    /// <summary>The tenant's policy, or null when it has set none (<see cref="PrivacyPolicy.Default"/> applies).</summary>
    Task<PrivacyPolicy?> GetPolicyAsync(long tenantId, CancellationToken ct);

    /// <summary>Replaces the tenant's policy.</summary>
    Task PutPolicyAsync(long tenantId, PrivacyPolicy policy, DateTimeOffset at, CancellationToken ct);

    /// <summary>
    /// Erases or pseudonymises a person in one transaction, which also appends the audit tombstone (action
    /// <c>person.erase</c> or <c>person.pseudonymise</c>, the counts and the keyed hash, no personal data). Statement writes of
    /// the tenant wait for it. Null when there is no such person (or none of <paramref name="organisationId"/>): nothing changed.
    /// </summary>
    /// <param name="tenantId">The tenant.</param>
    /// <param name="personId">The person.</param>
    /// <param name="organisationId">The caller's organisation restriction, or null.</param>
    /// <param name="mode">What to do.</param>
    /// <param name="at">Now: the tombstone's time, and when credentials bound to the person are revoked.</param>
    /// <param name="stored">The new <c>stored</c> of rewritten statements, from the stored clock.</param>
    /// <param name="actor">Who asked, for the tombstone.</param>
    /// <param name="ct">Cancellation.</param>
    Task<ErasureOutcome?> EraseAsync(long tenantId, string personId, string? organisationId, ErasureMode mode, DateTimeOffset at, DateTimeOffset stored, string actor, CancellationToken ct);

    /// <summary>
    /// Removes what is older than the cut-offs in one transaction and audits the run (action <c>retention.apply</c>, the counts).
    /// With <paramref name="dryRun"/> the same work is done and rolled back, so the counts are exactly what a real run removes
    /// at that moment; only the audit entry stays.
    /// </summary>
    Task<RetentionCounts> ApplyRetentionAsync(long tenantId, RetentionCutoffs cutoffs, bool dryRun, DateTimeOffset at, string actor, CancellationToken ct);

    /// <summary>The tenants whose policy keeps some kind of data for a limited time, with their policies.</summary>
    Task<IReadOnlyList<(long TenantId, PrivacyPolicy Policy)>> PoliciesWithRetentionAsync(CancellationToken ct);
}
