using System.Text.Json.Nodes;
using Lrs.Core.Xapi;

namespace Lrs.Core.People;

/// <summary>What the store holds of the people of one upsert, read inside its transaction.</summary>
/// <param name="People">Stored people with the ids of the batch: current units, roles, duties and agents (no history).</param>
/// <param name="Organisations">Stored organisations the batch names.</param>
/// <param name="UnitOrganisations">The organisation of each stored unit the batch names.</param>
/// <param name="AgentOwners">The owner of each stored agent key among <see cref="PeopleSync.WantedAgentKeys"/>.</param>
public sealed record PeopleSnapshot(
    IReadOnlyDictionary<string, Person> People,
    IReadOnlyDictionary<string, Organisation> Organisations,
    IReadOnlyDictionary<string, string> UnitOrganisations,
    IReadOnlyDictionary<string, AgentOwner> AgentOwners);

/// <summary>The person an agent key is linked to, and that person's organisation.</summary>
/// <param name="PersonId">The person.</param>
/// <param name="OrganisationId">The person's organisation.</param>
public sealed record AgentOwner(string PersonId, string OrganisationId);

/// <summary>A unit or role assignment to open or close.</summary>
/// <param name="PersonId">The person.</param>
/// <param name="Kind">Unit or role.</param>
/// <param name="Value">The unit id or role id.</param>
public sealed record AssignmentChange(string PersonId, AssignmentKind Kind, string Value);

/// <summary>An agent to link to a person.</summary>
/// <param name="Key">Its <see cref="AgentKey"/>.</param>
/// <param name="PersonId">The person.</param>
/// <param name="AgentJson">The agent in <see cref="PeopleInput.Canonical"/> form.</param>
public sealed record AgentLink(string Key, string PersonId, string AgentJson);

/// <summary>What an upsert of people writes; nothing when <see cref="UpsertOutcome.Refusal"/> is set.</summary>
/// <param name="Outcome">Counts or refusal.</param>
/// <param name="Write">New state of each created or updated person (Changed = now), to insert or overwrite.</param>
/// <param name="Close">Current assignments to end now.</param>
/// <param name="Open">Assignments to begin now.</param>
/// <param name="Unlink">Agent keys to remove (before <paramref name="Link"/>).</param>
/// <param name="Link">Agents to add.</param>
public sealed record PeoplePlan(
    UpsertOutcome Outcome, IReadOnlyList<Person> Write, IReadOnlyList<AssignmentChange> Close, IReadOnlyList<AssignmentChange> Open,
    IReadOnlyList<string> Unlink, IReadOnlyList<AgentLink> Link);

/// <summary>What the store holds of the organisations and units of one upsert.</summary>
/// <param name="Organisations">Stored organisations with the ids of the batch.</param>
/// <param name="Units">Stored units with the ids of the batch.</param>
public sealed record OrganisationsSnapshot(IReadOnlyDictionary<string, Organisation> Organisations, IReadOnlyDictionary<string, OrgUnit> Units);

/// <summary>What an upsert of organisations writes; nothing when refused.</summary>
/// <param name="Outcome">Counts or refusal.</param>
/// <param name="Organisations">Organisations to insert or overwrite.</param>
/// <param name="Units">Units to insert or overwrite.</param>
public sealed record OrganisationsPlan(UpsertOutcome Outcome, IReadOnlyList<Organisation> Organisations, IReadOnlyList<OrgUnit> Units);

/// <summary>
/// Decides what a bulk upsert changes, from what is stored. Sending the same data twice changes nothing the second
/// time: an entry equal to the stored state is counted unchanged and not written, so its <c>Changed</c> stays.
/// </summary>
/// <remarks>
/// Rules for people, checked in this order, each refusing the whole batch:
/// <list type="number">
/// <item>With an organisation restriction, every entry and every stored person it overwrites is of that organisation (403).</item>
/// <item>The organisation exists; each unit exists and belongs to the person's organisation; no agent is given to two
/// entries (400).</item>
/// <item>No agent is linked to a person outside the batch (409). An agent may move between two people of one batch.</item>
/// </list>
/// A person's agents are those listed plus, when the organisation has an <c>hrHomePage</c>, the HR account
/// <c>account{homePage, name: id}</c>. A unit or role no longer listed is closed (to = now); a new one is opened (from = now).
/// </remarks>
public static class PeopleSync
{
    /// <summary>The instant as both stores keep it: UTC, whole microseconds.</summary>
    public static DateTimeOffset Instant(DateTimeOffset now) => XapiTimestamp.ToMicroseconds(now);

    /// <summary>The agents a person gets: the listed ones and the HR account, distinct by key, ordered by key.</summary>
    public static IReadOnlyList<JsonObject> AgentsOf(PersonUpsert person, Organisation? organisation)
    {
        var agents = new SortedDictionary<string, JsonObject>(StringComparer.Ordinal);
        if (organisation?.HrHomePage is { } homePage)
        {
            var account = new JsonObject
            {
                ["objectType"] = "Agent",
                ["account"] = new JsonObject { ["homePage"] = homePage, ["name"] = person.Id },
            };
            if (person.Name is not null) account.Insert(1, "name", person.Name);
            agents[AgentKey.Of(account)!] = account;
        }
        // A listed agent with the HR account's key replaces the implied one: it may carry another name.
        foreach (var agent in person.Agents) agents[AgentKey.Of(agent)!] = agent;
        return [.. agents.Values];
    }

    /// <summary>Every agent key the batch will link, whose owners the store must read before <see cref="PlanPeople"/>.</summary>
    public static IReadOnlyList<string> WantedAgentKeys(IReadOnlyList<PersonUpsert> batch, IReadOnlyDictionary<string, Organisation> organisations) =>
        [.. batch.SelectMany(p => AgentsOf(p, organisations.GetValueOrDefault(p.OrganisationId))).Select(a => AgentKey.Of(a)!).Distinct(StringComparer.Ordinal)];

    /// <summary>Decides the upsert of a batch of people (see the remarks of the class).</summary>
    public static PeoplePlan PlanPeople(IReadOnlyList<PersonUpsert> batch, PeopleSnapshot stored, string? organisationId, DateTimeOffset now)
    {
        now = Instant(now);
        if (organisationId is not null)
        {
            var forbidden = new List<ValidationError>();
            for (var i = 0; i < batch.Count; i++)
            {
                var person = batch[i];
                if (person.OrganisationId != organisationId)
                    forbidden.Add(new(Path(i, "organisationId"), $"is not '{organisationId}', the only organisation this credential may change"));
                else if (stored.People.TryGetValue(person.Id, out var existing) && existing.OrganisationId != organisationId)
                    forbidden.Add(new(Path(i, "id"), $"is a person of another organisation than '{organisationId}', the only organisation this credential may change"));
            }
            if (forbidden.Count > 0) return Refused(UpsertRefusalKind.Forbidden, forbidden);
        }

        var invalid = new List<ValidationError>();
        var conflicts = new List<ValidationError>();
        var batchIds = batch.Select(p => p.Id).ToHashSet(StringComparer.Ordinal);
        var givenTo = new Dictionary<string, int>(StringComparer.Ordinal);
        var agentsOf = new IReadOnlyList<JsonObject>[batch.Count];
        for (var i = 0; i < batch.Count; i++)
        {
            var person = batch[i];
            stored.Organisations.TryGetValue(person.OrganisationId, out var organisation);
            if (organisation is null)
                invalid.Add(new(Path(i, "organisationId"), $"names organisation '{person.OrganisationId}', which this tenant does not have (create it with PUT /api/organisations)"));
            foreach (var unit in person.Units)
            {
                if (!stored.UnitOrganisations.TryGetValue(unit, out var unitOrganisation))
                    invalid.Add(new(Path(i, "units"), $"names unit '{unit}', which this tenant does not have (create it with PUT /api/organisations)"));
                else if (unitOrganisation != person.OrganisationId)
                    invalid.Add(new(Path(i, "units"), organisationId is null || unitOrganisation == organisationId
                        ? $"names unit '{unit}' of organisation '{unitOrganisation}', not of '{person.OrganisationId}'"
                        : $"names unit '{unit}' of another organisation"));
            }

            agentsOf[i] = AgentsOf(person, organisation);
            foreach (var agent in agentsOf[i])
            {
                var key = AgentKey.Of(agent)!;
                if (givenTo.TryGetValue(key, out var other))
                    invalid.Add(new(Path(i, "agents"), $"gives the agent {Describe(agent)} that $[{other}] has too; an agent is one person"));
                else givenTo[key] = i;
                if (stored.AgentOwners.TryGetValue(key, out var owner) && owner.PersonId != person.Id && !batchIds.Contains(owner.PersonId))
                    conflicts.Add(new(Path(i, "agents"), organisationId is null || owner.OrganisationId == organisationId
                        ? $"gives the agent {Describe(agent)}, which is person '{owner.PersonId}'; change that person first"
                        : $"gives the agent {Describe(agent)}, which is a person of another organisation"));
            }
        }
        if (invalid.Count > 0) return Refused(UpsertRefusalKind.Invalid, invalid);
        if (conflicts.Count > 0) return Refused(UpsertRefusalKind.Conflict, conflicts);

        int created = 0, updated = 0, unchanged = 0;
        var write = new List<Person>();
        var close = new List<AssignmentChange>();
        var open = new List<AssignmentChange>();
        var unlink = new List<string>();
        var link = new List<AgentLink>();
        for (var i = 0; i < batch.Count; i++)
        {
            var p = batch[i];
            var next = new Person(p.Id, p.OrganisationId, p.Name, p.Email, p.HsaId, p.Units, p.Roles, p.Duties, agentsOf[i], now, []);
            if (!stored.People.TryGetValue(p.Id, out var current))
            {
                created++;
                write.Add(next);
                open.AddRange(p.Units.Select(u => new AssignmentChange(p.Id, AssignmentKind.Unit, u)));
                open.AddRange(p.Roles.Select(r => new AssignmentChange(p.Id, AssignmentKind.Role, r)));
                link.AddRange(next.Agents.Select(a => new AgentLink(AgentKey.Of(a)!, p.Id, a.ToJsonString())));
                continue;
            }

            var currentAgents = AgentTexts(current.Agents);
            var nextAgents = AgentTexts(next.Agents);
            var same = current.OrganisationId == next.OrganisationId && current.Name == next.Name && current.Email == next.Email
                && current.HsaId == next.HsaId && Same(current.Units, next.Units) && Same(current.Roles, next.Roles)
                && Same(current.Duties, next.Duties) && currentAgents.Count == nextAgents.Count
                && currentAgents.All(a => nextAgents.TryGetValue(a.Key, out var text) && text == a.Value);
            if (same)
            {
                unchanged++;
                continue;
            }

            updated++;
            write.Add(next);
            Assign(p.Id, AssignmentKind.Unit, current.Units, next.Units, close, open);
            Assign(p.Id, AssignmentKind.Role, current.Roles, next.Roles, close, open);
            foreach (var (key, text) in currentAgents)
                if (!nextAgents.TryGetValue(key, out var nextText) || nextText != text) unlink.Add(key);
            foreach (var (key, text) in nextAgents)
                if (!currentAgents.TryGetValue(key, out var currentText) || currentText != text) link.Add(new AgentLink(key, p.Id, text));
        }
        return new PeoplePlan(new UpsertOutcome(new UpsertCounts(created, updated, unchanged)), write, close, open, unlink, link);
    }

    /// <summary>Decides the upsert of a batch of organisations and their units.</summary>
    public static OrganisationsPlan PlanOrganisations(IReadOnlyList<OrganisationUpsert> batch, OrganisationsSnapshot stored, string? organisationId, DateTimeOffset now)
    {
        now = Instant(now);
        if (organisationId is not null)
        {
            var forbidden = batch.Select((o, i) => (o, i)).Where(e => e.o.Id != organisationId)
                .Select(e => new ValidationError(Path(e.i, "id"), $"is not '{organisationId}', the only organisation this credential may change")).ToList();
            if (forbidden.Count > 0) return new(UpsertOutcome.Refused(UpsertRefusalKind.Forbidden, forbidden), [], []);
        }

        var conflicts = new List<ValidationError>();
        for (var i = 0; i < batch.Count; i++)
            for (var j = 0; j < batch[i].Units.Count; j++)
                if (stored.Units.TryGetValue(batch[i].Units[j].Id, out var unit) && unit.OrganisationId != batch[i].Id)
                    conflicts.Add(new($"$[{i}].units[{j}].id", organisationId is null
                        ? $"is a unit of organisation '{unit.OrganisationId}'; a unit never moves to another organisation"
                        : "is a unit of another organisation"));
        if (conflicts.Count > 0) return new(UpsertOutcome.Refused(UpsertRefusalKind.Conflict, conflicts), [], []);

        int created = 0, updated = 0, unchanged = 0, unitsCreated = 0, unitsUpdated = 0, unitsUnchanged = 0;
        var organisations = new List<Organisation>();
        var units = new List<OrgUnit>();
        foreach (var o in batch)
        {
            if (!stored.Organisations.TryGetValue(o.Id, out var current)) created++;
            else if (current.Name == o.Name && current.HrHomePage == o.HrHomePage && current.Kind == o.Kind) unchanged++;
            else updated++;
            if (current is null || current.Name != o.Name || current.HrHomePage != o.HrHomePage || current.Kind != o.Kind)
                organisations.Add(new Organisation(o.Id, o.Name, o.HrHomePage, now, o.Kind));

            foreach (var u in o.Units)
            {
                if (!stored.Units.TryGetValue(u.Id, out var currentUnit)) unitsCreated++;
                else if (currentUnit.Name == u.Name) { unitsUnchanged++; continue; }
                else unitsUpdated++;
                units.Add(new OrgUnit(u.Id, o.Id, u.Name, now));
            }
        }
        return new(new UpsertOutcome(new UpsertCounts(created, updated, unchanged), new UpsertCounts(unitsCreated, unitsUpdated, unitsUnchanged)), organisations, units);
    }

    private static PeoplePlan Refused(UpsertRefusalKind kind, IReadOnlyList<ValidationError> errors) =>
        new(UpsertOutcome.Refused(kind, errors), [], [], [], [], []);

    private static void Assign(string personId, AssignmentKind kind, IReadOnlyList<string> current, IReadOnlyList<string> next, List<AssignmentChange> close, List<AssignmentChange> open)
    {
        close.AddRange(current.Except(next, StringComparer.Ordinal).Select(v => new AssignmentChange(personId, kind, v)));
        open.AddRange(next.Except(current, StringComparer.Ordinal).Select(v => new AssignmentChange(personId, kind, v)));
    }

    private static Dictionary<string, string> AgentTexts(IReadOnlyList<JsonObject> agents) =>
        agents.ToDictionary(a => AgentKey.Of(a)!, a => PeopleInput.Canonical(a).ToJsonString(), StringComparer.Ordinal);

    private static bool Same(IReadOnlyList<string> a, IReadOnlyList<string> b) => a.Order(StringComparer.Ordinal).SequenceEqual(b.Order(StringComparer.Ordinal), StringComparer.Ordinal);

    private static string Describe(JsonObject agent)
    {
        var identifier = (JsonObject)agent.DeepClone();
        identifier.Remove("name");
        return identifier.ToJsonString();
    }

    private static string Path(int index, string property) => $"$[{index}].{property}";
}
