using Lrs.Core.Competence;

namespace Lrs.Core.Storage;

/// <summary>A tenant's competence framework as stored.</summary>
/// <param name="Framework">The framework (<see cref="Framework.Empty"/> when none was ever stored).</param>
/// <param name="Version">Increases with every change; 0 when none was ever stored.</param>
/// <param name="Updated">When it last changed.</param>
public sealed record StoredFramework(Framework Framework, long Version, DateTimeOffset? Updated);

/// <summary>What a rebuild of evidence changed.</summary>
/// <param name="StatementsScanned">Statements matched against the rules.</param>
/// <param name="Added">Evidence and sign-offs recorded that were not there.</param>
/// <param name="Changed">Evidence whose dates, rule, sign-off need or assessor changed.</param>
/// <param name="Retracted">Evidence and sign-offs that the rules no longer support.</param>
public sealed record RebuildOutcome(int StatementsScanned, int Added, int Changed, int Retracted);

/// <summary>
/// The competence framework of each tenant and the evidence extracted from its statements. Evidence is written by
/// the statement store in the statement's own transaction; this store reads it and rebuilds it when rules change.
/// </summary>
public interface ICompetenceStore
{
    /// <summary>The tenant's framework.</summary>
    Task<StoredFramework> GetFrameworkAsync(long tenantId, CancellationToken ct);

    /// <summary>
    /// Replaces the tenant's framework, unless <paramref name="expectedVersion"/> is given and is not the stored
    /// version (then null). Statement batches being written under the previous framework finish first, and every
    /// batch after sees the new one; call <see cref="RebuildAsync"/> to apply it to statements stored before.
    /// </summary>
    Task<StoredFramework?> PutFrameworkAsync(long tenantId, Framework framework, long? expectedVersion, CancellationToken ct);

    /// <summary>
    /// Recomputes evidence and sign-offs of every stored, non-voided statement under the current framework, in
    /// short transactions; rows that are already right are left alone, so running it twice changes nothing.
    /// </summary>
    Task<RebuildOutcome> RebuildAsync(long tenantId, CancellationToken ct);

    /// <summary>The current (not retracted) evidence of the given agents, with their sign-offs.</summary>
    Task<IReadOnlyList<EvidenceRecord>> EvidenceAsync(long tenantId, IReadOnlyCollection<string> agentKeys, CancellationToken ct);

    /// <summary>
    /// The evidence of the given agents over time, for profiles as of a past moment: current evidence, and evidence retracted
    /// because its statement was voided (with when); each with its sign-offs by others, voided ones included. Evidence that a
    /// change of rules retracted is left out: the framework keeps no history, so today's rules decide for every moment.
    /// Null <paramref name="agentKeys"/>: of every agent of the tenant.
    /// </summary>
    Task<IReadOnlyList<EvidenceHistory>> EvidenceHistoryAsync(long tenantId, IReadOnlyCollection<string>? agentKeys, CancellationToken ct);

    /// <summary>
    /// The agents whose profile may read differently than at <paramref name="since"/>: evidence or sign-offs recorded
    /// or retracted after it, or evidence whose expiry (or the start of its expiring window) fell in (since, now].
    /// May name more agents than changed, never fewer.
    /// </summary>
    Task<IReadOnlySet<string>> AgentsChangedSinceAsync(long tenantId, DateTimeOffset since, DateTimeOffset now, TimeSpan expiringWindow, CancellationToken ct);

    /// <summary>The agents with current evidence that expires in (<paramref name="from"/>, <paramref name="until"/>].</summary>
    Task<IReadOnlySet<string>> AgentsWithEvidenceExpiringAsync(long tenantId, DateTimeOffset from, DateTimeOffset until, CancellationToken ct);
}
