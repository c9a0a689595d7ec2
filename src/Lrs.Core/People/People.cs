using System.Text.Json.Nodes;
using Lrs.Core.Xapi;

namespace Lrs.Core.People;

/// <summary>An employer inside a tenant (a municipality, a private provider): it owns units and people.</summary>
/// <param name="Id">The id the HR system gives it, unique per tenant.</param>
/// <param name="Name">Its name.</param>
/// <param name="HrHomePage">
/// The IRL of its HR system, the <c>account.homePage</c> of its employees' agents; when set, each person of the
/// organisation is linked to <c>account{homePage, name: the person's id}</c>.
/// </param>
/// <param name="Changed">When its name, HR system or kind last changed.</param>
/// <param name="Kind">What kind of employer it is (<see cref="EmployerKinds"/>), or null when not said.</param>
public sealed record Organisation(string Id, string Name, string? HrHomePage, DateTimeOffset Changed, string? Kind = null);

/// <summary>
/// The kinds of employer whose staff a learning centre trains: the municipality, private providers working for it, and the
/// region (health care). Follow-up figures are broken down by them.
/// </summary>
public static class EmployerKinds
{
    /// <summary>A municipality (kommun).</summary>
    public const string Municipal = "municipal";
    /// <summary>A private provider.</summary>
    public const string Private = "private";
    /// <summary>A region (region, formerly landsting).</summary>
    public const string Regional = "regional";

    /// <summary>Every kind, in the order figures list them.</summary>
    public static readonly IReadOnlyList<string> All = [Municipal, Private, Regional];
}

/// <summary>A unit of an organisation (an enhet: a home-care group, a nursing home), where people work.</summary>
/// <param name="Id">The id the HR system gives it, unique per tenant.</param>
/// <param name="OrganisationId">The organisation it belongs to; a unit never moves to another one.</param>
/// <param name="Name">Its name.</param>
/// <param name="Changed">When its name last changed.</param>
public sealed record OrgUnit(string Id, string OrganisationId, string Name, DateTimeOffset Changed);

/// <summary>What a person is assigned to over time.</summary>
public enum AssignmentKind
{
    /// <summary>A unit of the person's organisation.</summary>
    Unit,
    /// <summary>A role of the competence framework (e.g. <c>underskoterska</c>).</summary>
    Role,
}

/// <summary>One period of a person in a unit or a role.</summary>
/// <param name="Kind">Unit or role.</param>
/// <param name="Value">The unit id or role id.</param>
/// <param name="From">When the assignment began (as the LRS learned of it).</param>
/// <param name="To">When it ended; null while it lasts.</param>
public sealed record Assignment(AssignmentKind Kind, string Value, DateTimeOffset From, DateTimeOffset? To);

/// <summary>
/// An employee as the HR system of an employer describes them. Statements about any of the person's agents count
/// for the person. The personnummer is never part of it.
/// </summary>
/// <param name="Id">The employer's employee id; unique per tenant.</param>
/// <param name="OrganisationId">The employer.</param>
/// <param name="Name">Display name.</param>
/// <param name="Email">E-mail address (an attribute; an <c>mbox</c> agent is listed among the agents when wanted).</param>
/// <param name="HsaId">HSA-id: an attribute, never an identifier in statements.</param>
/// <param name="Units">Ids of the units the person works in now, in id order.</param>
/// <param name="Roles">Ids of the roles the person has now (roles of the competence framework), in id order.</param>
/// <param name="Duties">Duties that change what is required, e.g. <c>delegated-tasks</c>, in order.</param>
/// <param name="Agents">The xAPI Agents (one identifier each) that are this person, in <see cref="AgentKeys"/> order.</param>
/// <param name="Changed">When any of the above last changed.</param>
/// <param name="History">Every unit and role assignment, past and current, oldest first; empty in lists.</param>
public sealed record Person(
    string Id, string OrganisationId, string? Name, string? Email, string? HsaId,
    IReadOnlyList<string> Units, IReadOnlyList<string> Roles, IReadOnlyList<string> Duties,
    IReadOnlyList<JsonObject> Agents, DateTimeOffset Changed, IReadOnlyList<Assignment> History)
{
    /// <summary>The <see cref="AgentKey"/> of each agent: what the statement index stores for them.</summary>
    public IReadOnlyList<string> AgentKeys => [.. Agents.Select(a => AgentKey.Of(a) ?? "")];

    /// <summary>
    /// A copy of the agent to write statements about the person as: the HR account when there is one (the identity HR and
    /// the profiles expect), else the first agent; null when the person has none.
    /// </summary>
    public JsonObject? PreferredAgent() =>
        (JsonObject?)(Agents.FirstOrDefault(a => a["account"] is not null) ?? Agents.FirstOrDefault())?.DeepClone();
}

/// <summary>A filtered page of people, ordered by id.</summary>
/// <param name="OrganisationId">Only people of this organisation.</param>
/// <param name="UnitId">Only people currently in this unit.</param>
/// <param name="RoleId">Only people currently in this role.</param>
/// <param name="ChangedSince">Only people whose data changed at or after this time.</param>
/// <param name="Cursor">Only people whose id sorts after this one (the <see cref="PeoplePage.More"/> of the previous page).</param>
/// <param name="Limit">At most this many people.</param>
public sealed record PeopleQuery(string? OrganisationId, string? UnitId, string? RoleId, DateTimeOffset? ChangedSince, string? Cursor, int Limit);

/// <summary>People of one page, with their current units, roles, duties and agents (no history).</summary>
/// <param name="People">The people, ordered by id.</param>
/// <param name="More">The cursor of the next page; null on the last.</param>
public sealed record PeoplePage(IReadOnlyList<Person> People, string? More);

/// <summary>The members of a unit.</summary>
/// <param name="Unit">The unit.</param>
/// <param name="Members">Ids of the people currently in it, ordered.</param>
public sealed record UnitMembers(OrgUnit Unit, IReadOnlyList<string> Members);

/// <summary>One person as an HR system sends it: the person's whole current state.</summary>
/// <param name="Id">Employee id.</param>
/// <param name="OrganisationId">The employer's organisation id (must exist).</param>
/// <param name="Name">Display name, or null.</param>
/// <param name="Email">E-mail address, or null.</param>
/// <param name="HsaId">HSA-id, or null.</param>
/// <param name="Units">Current unit ids (units of that organisation).</param>
/// <param name="Roles">Current role ids.</param>
/// <param name="Duties">Current duties.</param>
/// <param name="Agents">Agents besides the HR account the organisation's <c>hrHomePage</c> implies.</param>
public sealed record PersonUpsert(
    string Id, string OrganisationId, string? Name, string? Email, string? HsaId,
    IReadOnlyList<string> Units, IReadOnlyList<string> Roles, IReadOnlyList<string> Duties, IReadOnlyList<JsonObject> Agents);

/// <summary>One organisation as an HR system sends it, with units to create or rename.</summary>
/// <param name="Id">Organisation id.</param>
/// <param name="Name">Its name.</param>
/// <param name="HrHomePage">The IRL of its HR system, or null.</param>
/// <param name="Units">Units to create or rename; units not listed stay as they are.</param>
/// <param name="Kind">What kind of employer it is (<see cref="EmployerKinds"/>), or null.</param>
public sealed record OrganisationUpsert(string Id, string Name, string? HrHomePage, IReadOnlyList<UnitUpsert> Units, string? Kind = null);

/// <summary>One unit of an <see cref="OrganisationUpsert"/>.</summary>
/// <param name="Id">Unit id, unique per tenant.</param>
/// <param name="Name">Its name.</param>
public sealed record UnitUpsert(string Id, string Name);

/// <summary>What a bulk upsert did.</summary>
/// <param name="Created">Entries that did not exist.</param>
/// <param name="Updated">Entries whose data changed.</param>
/// <param name="Unchanged">Entries sent as they are stored: nothing was written for them.</param>
public sealed record UpsertCounts(int Created, int Updated, int Unchanged);

/// <summary>Why a bulk upsert stored nothing.</summary>
public enum UpsertRefusalKind
{
    /// <summary>An entry names something that does not exist or is inconsistent (400).</summary>
    Invalid,
    /// <summary>An entry touches another organisation than the caller's (403).</summary>
    Forbidden,
    /// <summary>An entry claims what belongs to another entity: an agent of another person, a unit of another organisation (409).</summary>
    Conflict,
}

/// <summary>A refused upsert: the kind and every reason, each at the JSON path of the entry concerned.</summary>
/// <param name="Kind">The kind, which decides the status code.</param>
/// <param name="Errors">The reasons.</param>
public sealed record UpsertRefusal(UpsertRefusalKind Kind, IReadOnlyList<ValidationError> Errors);

/// <summary>The outcome of a bulk upsert: counts when stored, a refusal when nothing was.</summary>
/// <param name="Counts">People or organisations created, updated and unchanged.</param>
/// <param name="Units">Units created, updated and unchanged (organisation upserts only).</param>
/// <param name="Refusal">Why nothing was stored, or null.</param>
public sealed record UpsertOutcome(UpsertCounts Counts, UpsertCounts? Units = null, UpsertRefusal? Refusal = null)
{
    /// <summary>An outcome that stored nothing.</summary>
    public static UpsertOutcome Refused(UpsertRefusalKind kind, IReadOnlyList<ValidationError> errors) =>
        new(new UpsertCounts(0, 0, 0), null, new UpsertRefusal(kind, errors));
}
