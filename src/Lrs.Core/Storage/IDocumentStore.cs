namespace Lrs.Core.Storage;

/// <summary>The three document resources of xAPI; one store holds them all, told apart by kind.</summary>
public enum DocumentKind
{
    /// <summary>State: per activity, agent and optional registration (<c>/activities/state</c>).</summary>
    State = 1,

    /// <summary>Activity Profile: per activity (<c>/activities/profile</c>).</summary>
    ActivityProfile = 2,

    /// <summary>Agent Profile: per agent (<c>/agents/profile</c>).</summary>
    AgentProfile = 3,
}

/// <summary>
/// The documents of one kind that share an activity, agent and registration. A part that does not apply to the
/// kind is the empty string (an Activity Profile has no agent). <see cref="Registration"/> null means "any registration"
/// when listing or deleting, which is how the State resource reads a request without <c>registration</c>.
/// </summary>
/// <param name="Kind">Which resource.</param>
/// <param name="ActivityId">The activity IRI, or empty.</param>
/// <param name="AgentKey">The agent's canonical identity (<see cref="Xapi.AgentKey"/>), or empty.</param>
/// <param name="Registration">The registration UUID in lower-case text, empty for none, null for any.</param>
public sealed record DocumentSet(DocumentKind Kind, string ActivityId, string AgentKey, string? Registration);

/// <summary>One document: its set (with an exact registration, empty for none) and its id (stateId or profileId).</summary>
/// <param name="Kind">Which resource.</param>
/// <param name="ActivityId">The activity IRI, or empty.</param>
/// <param name="AgentKey">The agent's canonical identity, or empty.</param>
/// <param name="Registration">The registration UUID in lower-case text, or empty for none.</param>
/// <param name="Id">The stateId or profileId.</param>
public sealed record DocumentAddress(DocumentKind Kind, string ActivityId, string AgentKey, string Registration, string Id);

/// <summary>A stored document: the bytes exactly as sent, with their content type.</summary>
/// <param name="Content">The bytes.</param>
/// <param name="ContentType">The Content-Type it was sent with (application/octet-stream when none was).</param>
/// <param name="ETag">The entity tag, unquoted (SHA-1 of the content in hex).</param>
/// <param name="Updated">When it was last written.</param>
public sealed record StoredDocument(byte[] Content, string ContentType, string ETag, DateTimeOffset Updated);

/// <summary>The id of a listed document and when it was last written.</summary>
/// <param name="Id">The stateId or profileId.</param>
/// <param name="Updated">When it was last written.</param>
public sealed record DocumentStamp(string Id, DateTimeOffset Updated);

/// <summary>
/// Storage of State, Activity Profile and Agent Profile documents. Every call is scoped to one tenant.
/// Writes are decided and applied atomically: the store reads the current document, asks the caller what to do with
/// it, and applies that before any other write to the same address can read it.
/// </summary>
public interface IDocumentStore
{
    /// <summary>One document, or null when there is none.</summary>
    Task<StoredDocument?> GetAsync(long tenantId, DocumentAddress address, CancellationToken ct);

    /// <summary>The ids in a set (each once), with their newest update, optionally only those written after <paramref name="since"/>.</summary>
    Task<IReadOnlyList<DocumentStamp>> ListAsync(long tenantId, DocumentSet set, DateTimeOffset? since, CancellationToken ct);

    /// <summary>
    /// Reads the document at <paramref name="address"/> (null when absent), lets <paramref name="decide"/> choose the change,
    /// and applies it, all under one lock on the address, so check-and-write cannot race. Returns the change applied.
    /// </summary>
    Task<DocumentChange> ChangeAsync(long tenantId, DocumentAddress address, Func<StoredDocument?, DocumentChange> decide, CancellationToken ct);

    /// <summary>Deletes every document of a set.</summary>
    Task DeleteAllAsync(long tenantId, DocumentSet set, CancellationToken ct);

    /// <summary>
    /// The State and Agent Profile documents kept about any of <paramref name="agentKeys"/>, without their bytes, ordered by
    /// kind, activity, agent, registration and id (read each with <see cref="GetAsync"/>).
    /// </summary>
    Task<IReadOnlyList<DocumentListing>> OfAgentsAsync(long tenantId, IReadOnlyCollection<string> agentKeys, CancellationToken ct);
}

/// <summary>A stored document's address and what describes its bytes.</summary>
/// <param name="Address">Where it is.</param>
/// <param name="ContentType">The Content-Type it was sent with.</param>
/// <param name="ETag">The entity tag, unquoted.</param>
/// <param name="Length">The number of bytes.</param>
/// <param name="Updated">When it was last written.</param>
public sealed record DocumentListing(DocumentAddress Address, string ContentType, string ETag, long Length, DateTimeOffset Updated);

/// <summary>What a write request does to the document it addresses.</summary>
public enum DocumentAction
{
    /// <summary>Nothing changes: the request is refused (see <see cref="DocumentChange.Refusal"/>) or had nothing to do.</summary>
    None,

    /// <summary>The document becomes <see cref="DocumentChange.Content"/>.</summary>
    Write,

    /// <summary>The document is removed.</summary>
    Delete,
}

/// <summary>Why a write request was refused, for the protocol layer to turn into a status.</summary>
public enum DocumentRefusal
{
    /// <summary>If-Match or If-None-Match did not hold (412).</summary>
    PreconditionFailed,

    /// <summary>A PUT without If-Match or If-None-Match found a document already there (409).</summary>
    Conflict,

    /// <summary>A PUT without If-Match or If-None-Match where the version requires one (400).</summary>
    PreconditionRequired,

    /// <summary>A POST that cannot be merged: one side is not a JSON object (400).</summary>
    NotMergeable,
}

/// <summary>The decision about one document: write new content, delete it, or refuse with a reason.</summary>
/// <param name="Action">What happens.</param>
/// <param name="Content">The new bytes, for <see cref="DocumentAction.Write"/>.</param>
/// <param name="ContentType">The new content type, for <see cref="DocumentAction.Write"/>.</param>
/// <param name="ETag">The entity tag of the new content, for <see cref="DocumentAction.Write"/>.</param>
/// <param name="Refusal">Why nothing happened, when refused.</param>
/// <param name="Message">A sentence for the client, when refused.</param>
public sealed record DocumentChange(
    DocumentAction Action, byte[]? Content = null, string? ContentType = null, string? ETag = null,
    DocumentRefusal? Refusal = null, string? Message = null)
{
    /// <summary>Store <paramref name="content"/> as the document.</summary>
    public static DocumentChange Write(byte[] content, string contentType) =>
        new(DocumentAction.Write, content, contentType, Xapi.DocumentRules.ETagOf(content));

    /// <summary>Remove the document (nothing to do when absent).</summary>
    public static readonly DocumentChange Delete = new(DocumentAction.Delete);

    /// <summary>Refuse the request and change nothing.</summary>
    public static DocumentChange Refuse(DocumentRefusal refusal, string message) => new(DocumentAction.None, Refusal: refusal, Message: message);
}
