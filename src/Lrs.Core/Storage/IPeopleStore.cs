using Lrs.Core.People;

namespace Lrs.Core.Storage;

/// <summary>
/// Storage of organisations, units and people of a tenant, and of which agents are which person. Methods that take
/// an <c>organisationId</c> restriction treat everything of another organisation as absent.
/// </summary>
public interface IPeopleStore
{
    /// <summary>
    /// Creates or updates organisations and their units in one transaction; entries equal to what is stored are
    /// not written. With <paramref name="organisationId"/>, an entry for another organisation refuses the whole batch.
    /// </summary>
    Task<UpsertOutcome> UpsertOrganisationsAsync(long tenantId, IReadOnlyList<OrganisationUpsert> organisations, string? organisationId, DateTimeOffset now, CancellationToken ct);

    /// <summary>
    /// Creates or updates people in one transaction (see <see cref="PeopleSync"/> for the rules); all or nothing.
    /// </summary>
    Task<UpsertOutcome> UpsertPeopleAsync(long tenantId, IReadOnlyList<PersonUpsert> people, string? organisationId, DateTimeOffset now, CancellationToken ct);

    /// <summary>The organisations of the tenant (only <paramref name="organisationId"/> when set), ordered by id.</summary>
    Task<IReadOnlyList<Organisation>> OrganisationsAsync(long tenantId, string? organisationId, CancellationToken ct);

    /// <summary>The units of an organisation ordered by id, or null when there is no such organisation.</summary>
    Task<IReadOnlyList<OrgUnit>?> UnitsAsync(long tenantId, string organisationId, CancellationToken ct);

    /// <summary>A unit and its current members, or null when it does not exist (or belongs to another organisation than <paramref name="organisationId"/>).</summary>
    Task<UnitMembers?> UnitAsync(long tenantId, string unitId, string? organisationId, CancellationToken ct);

    /// <summary>A person with history, or null when unknown (or of another organisation than <paramref name="organisationId"/>).</summary>
    Task<Person?> GetAsync(long tenantId, string personId, string? organisationId, CancellationToken ct);

    /// <summary>
    /// The people of <paramref name="personIds"/> with history, ordered by id, in a fixed number of queries; unknown ids and people of
    /// another organisation than <paramref name="organisationId"/> are left out.
    /// </summary>
    Task<IReadOnlyList<Person>> GetManyAsync(long tenantId, IReadOnlyCollection<string> personIds, string? organisationId, CancellationToken ct);

    /// <summary>A page of people with their current units, roles, duties and agents, in a fixed number of queries.</summary>
    Task<PeoplePage> ListAsync(long tenantId, PeopleQuery query, CancellationToken ct);

    /// <summary>The <see cref="Xapi.AgentKey"/>s of a person's agents (empty for an unknown person).</summary>
    Task<IReadOnlyList<string>> AgentKeysAsync(long tenantId, string personId, CancellationToken ct);

    /// <summary>The id of the person an agent key belongs to, or null.</summary>
    Task<string?> PersonOfAgentAsync(long tenantId, string agentKey, CancellationToken ct);

    /// <summary>
    /// The employer of the person each of <paramref name="agentKeys"/> belongs to, in one query: an agent key of no person is
    /// not in the answer, one whose person is not (or no longer) stored maps to null.
    /// </summary>
    Task<IReadOnlyDictionary<string, string?>> EmployersOfAgentsAsync(long tenantId, IReadOnlyCollection<string> agentKeys, CancellationToken ct);
}
