using Lrs.Core.FollowUp;

namespace Lrs.Core.Storage;

/// <summary>What became of a learning centre write.</summary>
public enum CentreWrite
{
    /// <summary>A new centre.</summary>
    Created,
    /// <summary>An existing centre, changed.</summary>
    Updated,
    /// <summary>An existing centre, sent as it is.</summary>
    Unchanged,
    /// <summary>Another centre of the tenant has the IRI; nothing was written.</summary>
    IriTaken,
}

/// <summary>
/// Learning centres, and the reads the follow-up figures are computed from. Every read is of the current state: a voided
/// statement, a cancelled task, retracted evidence are never read, so the figures follow voiding exactly.
/// </summary>
public interface IFollowUpStore
{
    /// <summary>Creates or replaces a learning centre; its IRI must be no other centre's.</summary>
    Task<CentreWrite> PutCentreAsync(long tenantId, LearningCentre centre, CancellationToken ct);

    /// <summary>One centre, or null.</summary>
    Task<LearningCentre?> GetCentreAsync(long tenantId, string id, CancellationToken ct);

    /// <summary>Centres ordered by id, after <paramref name="after"/>, at most <paramref name="limit"/>.</summary>
    Task<IReadOnlyList<LearningCentre>> CentresAsync(long tenantId, string? after, int limit, CancellationToken ct);

    /// <summary>The tenant's people with their unit and role history and agents, its organisations' kinds and its units.</summary>
    Task<FollowUpDirectory> DirectoryAsync(long tenantId, CancellationToken ct);

    /// <summary>
    /// The facts of every non-voided statement with one of <paramref name="verbs"/> (those <see cref="StatementFact.Concerns"/>),
    /// with a timestamp from <paramref name="from"/> (inclusive) to <paramref name="to"/> (exclusive) when given, and only the
    /// trainings of <paramref name="centre"/> (<see cref="LearningCentre.Covers"/>) when given, and only those whose actor is one of
    /// <paramref name="actors"/> (agent keys) when given. Of each, its id, verb, time, actor and object activity, and the
    /// <paramref name="parts"/> asked for (the others are left empty); with a centre, each is marked <see cref="StatementFact.OfCentre"/>.
    /// </summary>
    Task<IReadOnlyList<StatementFact>> StatementsAsync(long tenantId, IReadOnlyCollection<string> verbs, DateTimeOffset? from, DateTimeOffset? to,
        LearningCentre? centre, CancellationToken ct, IReadOnlyCollection<string>? actors = null, FactParts parts = FactParts.All);

    /// <summary>The facts of the non-voided statements among <paramref name="ids"/> that follow-up reads.</summary>
    Task<IReadOnlyList<StatementFact>> StatementsByIdAsync(long tenantId, IReadOnlyCollection<Guid> ids, CancellationToken ct);

    /// <summary>
    /// Reflection tasks that were not cancelled; only those of <paramref name="agents"/> (agent keys) when given, and when
    /// <paramref name="from"/> and <paramref name="to"/> are given only those that can fall in that period: triggered before
    /// <paramref name="to"/> and available (asked) from <paramref name="from"/> on. The score of an answered task is read
    /// only for the templates in <paramref name="scored"/> (every template when null).
    /// </summary>
    Task<IReadOnlyList<TaskFact>> TasksAsync(long tenantId, CancellationToken ct, IReadOnlyCollection<string>? agents = null,
        DateTimeOffset? from = null, DateTimeOffset? to = null, IReadOnlyCollection<string>? scored = null);

    /// <summary>Group reflections held.</summary>
    Task<IReadOnlyList<GroupReflectionFact>> GroupReflectionsAsync(long tenantId, CancellationToken ct);

    /// <summary>On-site sessions with their place and places offered.</summary>
    Task<IReadOnlyList<SessionFact>> SessionsAsync(long tenantId, CancellationToken ct);
}
