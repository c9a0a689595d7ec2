namespace Lrs.Core.Storage;

/// <summary>One administrative action, as recorded.</summary>
/// <param name="TenantId">The tenant whose log holds the entry.</param>
/// <param name="Seq">Increasing within the store; newer entries have larger numbers.</param>
/// <param name="At">When it happened.</param>
/// <param name="Actor">Who did it: a credential key, or <c>cli:</c> and the operating-system user.</param>
/// <param name="Action">What was done: <c>tenant.create</c>, <c>credential.create</c>, <c>credential.revoke</c>.</param>
/// <param name="Target">What it was done to: a tenant name or a credential key.</param>
/// <param name="Detail">More about it (scopes, expiry), never a secret.</param>
public sealed record AuditEntry(long TenantId, long Seq, DateTimeOffset At, string Actor, string Action, string Target, string? Detail);

/// <summary>The append-only log of administrative actions of each tenant.</summary>
public interface IAuditLog
{
    /// <summary>Appends one entry (its <see cref="AuditEntry.Seq"/> is assigned by the store).</summary>
    Task AppendAsync(long tenantId, DateTimeOffset at, string actor, string action, string target, string? detail, CancellationToken ct);

    /// <summary>Up to <paramref name="limit"/> entries of a tenant, newest first, older than <paramref name="before"/> when given.</summary>
    Task<IReadOnlyList<AuditEntry>> ListAsync(long tenantId, long? before, int limit, CancellationToken ct);

    /// <summary>Every entry of a tenant whose target is <paramref name="target"/> (a person's id, say), oldest first.</summary>
    Task<IReadOnlyList<AuditEntry>> AboutAsync(long tenantId, string target, CancellationToken ct);
}
