using Lrs.Core.Learning;

namespace Lrs.Core.Storage;

/// <summary>
/// Storage of on-site sessions and webinars with their participants and the ids of the statements written for them. The
/// statements themselves go through <see cref="IStatementStore"/> first; the record is written after them, so a write
/// interrupted between the two is completed by sending the session again (the statements are then duplicates).
/// </summary>
public interface ISessionStore
{
    /// <summary>A session or webinar with all its participants, or null when the tenant has none with that id.</summary>
    Task<SessionRecord?> GetAsync(long tenantId, SessionKind kind, string id, CancellationToken ct);

    /// <summary>Creates or replaces a session or webinar and its participants in one transaction.</summary>
    Task PutAsync(long tenantId, SessionRecord session, CancellationToken ct);

    /// <summary>A page of sessions or webinars (without participants), ordered by start then id.</summary>
    Task<SessionPage> ListAsync(long tenantId, SessionQuery query, CancellationToken ct);

    /// <summary>
    /// The sessions and webinars a person took part in (as the person, or as one of <paramref name="agentKeys"/> before they
    /// were linked to the person), each with only that person's participant entries; ordered by kind, start and id.
    /// </summary>
    Task<IReadOnlyList<SessionRecord>> OfParticipantAsync(long tenantId, string personId, IReadOnlyCollection<string> agentKeys, CancellationToken ct);
}
