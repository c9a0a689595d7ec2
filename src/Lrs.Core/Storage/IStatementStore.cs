using Lrs.Core.Xapi;

namespace Lrs.Core.Storage;

/// <summary>Storage of xAPI statements. Every call is scoped to one tenant.</summary>
public interface IStatementStore
{
    /// <summary>
    /// Stores a batch atomically. Statements whose id is already stored are compared with
    /// <see cref="StatementComparer"/> (Data 2.3.1): equal ones are skipped, and a different one
    /// aborts the whole batch with nothing stored. <paramref name="attachments"/> (the raw data sent with the batch)
    /// are stored in the same transaction, once per tenant and hash: data already held is kept as it is.
    /// </summary>
    Task<StoreOutcome> StoreAsync(long tenantId, IReadOnlyList<PreparedStatement> batch, IReadOnlyCollection<AttachmentContent> attachments, CancellationToken ct);

    /// <summary>One statement by id, voided or not; null when unknown to the tenant.</summary>
    Task<StoredStatement?> GetAsync(long tenantId, Guid id, CancellationToken ct);

    /// <summary>A page of non-voided statements matching the query, at most <see cref="StatementQuery.Limit"/> of them.</summary>
    Task<IReadOnlyList<StoredStatement>> QueryAsync(long tenantId, StatementQuery query, CancellationToken ct);

    /// <summary>The attachment data stored under <paramref name="sha2"/> (lower-case hex); null when the tenant holds none.</summary>
    Task<AttachmentContent?> GetAttachmentAsync(long tenantId, string sha2, CancellationToken ct);

    /// <summary>
    /// A page of every stored statement, voided ones included, that names one of <paramref name="agentKeys"/> anywhere an
    /// agent can be (actor, object, authority, instructor, team, context agents and groups, group members, SubStatements),
    /// or that targets such a statement through a StatementRef chain (a voiding, a sign-off): what
    /// <c>agent=…&amp;related_agents=true</c> selects, voided statements included. Oldest first, after <paramref name="after"/>.
    /// With <paramref name="organisation"/>, only statements whose own actor or object is one of that employer's people.
    /// </summary>
    Task<IReadOnlyList<StoredStatement>> NamingAgentsAsync(long tenantId, IReadOnlyCollection<string> agentKeys, string? organisation,
        StatementPosition? after, int limit, CancellationToken ct);

    /// <summary>
    /// The non-voided statements whose own actor or object agent is one of <paramref name="agentKeys"/> and whose own object
    /// activity is one of <paramref name="activityIds"/> (not keys inherited through a StatementRef: such a statement's object is
    /// the reference), each with the agent key it matched (a statement that matches two of them comes once for each). Newest
    /// first, at most <paramref name="limit"/>, in one query.
    /// </summary>
    Task<IReadOnlyList<AgentStatement>> OfAgentsOnActivitiesAsync(long tenantId, IReadOnlyCollection<string> agentKeys, IReadOnlyCollection<string> activityIds,
        int limit, CancellationToken ct);
}

/// <summary>A statement and the agent key it was found by.</summary>
/// <param name="AgentKey">The <see cref="AgentKey"/> it matched.</param>
/// <param name="Statement">The statement.</param>
public sealed record AgentStatement(string AgentKey, StoredStatement Statement);

/// <summary>An attachment's raw data, content-addressed: stored once per tenant under its SHA-2 hash.</summary>
/// <param name="Sha2">The lower-case hex SHA-2 (256, 384 or 512) of <paramref name="Content"/>.</param>
/// <param name="ContentType">The media type the data was sent with.</param>
/// <param name="Content">The data.</param>
public sealed record AttachmentContent(string Sha2, string ContentType, byte[] Content);

/// <summary>What became of a batch.</summary>
/// <param name="ConflictingId">The id whose stored statement differs from the one sent; null when the batch was stored.</param>
public sealed record StoreOutcome(Guid? ConflictingId)
{
    /// <summary>The batch was stored (or was entirely made of identical duplicates).</summary>
    public static readonly StoreOutcome Stored = new((Guid?)null);
}
