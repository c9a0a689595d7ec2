using Lrs.Core.Competence;
using Lrs.Core.People;
using Lrs.Core.Reflection;
using Lrs.Core.Storage;
using Lrs.Core.Xapi;

namespace Lrs.Core.Planning;

/// <summary>A measurable goal's value at one moment.</summary>
/// <param name="AsOf">The moment.</param>
/// <param name="Value">The share (share-valid, group-reflection) or the number of people whose competence lapsed (no-lapse); null when no one counts.</param>
/// <param name="Count">People who hold it, attended, or lapsed.</param>
/// <param name="Of">People the goal counts at that moment.</param>
/// <param name="Met">Whether the value reaches the target (no-lapse: no one lapsed).</param>
public sealed record GoalValue(DateTimeOffset AsOf, double? Value, int Count, int Of, bool Met);

/// <summary>What a unit's goals are computed from: the people ever in the unit, the history of their evidence, the unit's group reflections.</summary>
/// <param name="UnitId">The unit.</param>
/// <param name="People">Everyone the history places in the unit at some time, with history and agents.</param>
/// <param name="Evidence">Evidence history per person id.</param>
/// <param name="GroupReflections">The unit's group reflections.</param>
/// <param name="Framework">The framework.</param>
public sealed record UnitHistory(string UnitId, IReadOnlyList<Person> People, IReadOnlyDictionary<string, IReadOnlyList<EvidenceHistory>> Evidence,
    IReadOnlyList<GroupReflection> GroupReflections, Framework Framework);

/// <summary>Computes a unit plan's measurable goals at any moment, from the profiles as of that moment (<see cref="ProfileAsOf"/>).</summary>
public static class GoalProgress
{
    /// <summary>
    /// The values of <paramref name="goal"/> at each of <paramref name="moments"/>, in their order, for a plan that began at
    /// <paramref name="planStart"/>. The people counted are the unit's members at that moment (from their history), in the goal's
    /// role then when it names one.
    /// </summary>
    public static IReadOnlyList<GoalValue> Compute(MeasurableGoal goal, UnitHistory unit, DateTimeOffset planStart, IReadOnlyList<DateTimeOffset> moments)
    {
        var competence = goal.Competence!;
        // When each person's competence first lapsed after the plan began does not depend on the moment asked about: worked out once.
        var firstLapse = goal.Kind == UnitPlans.NoLapse
            ? unit.People.ToDictionary(p => p.Id, p => FirstLapse(p, competence, unit, planStart), StringComparer.Ordinal)
            : null;
        return [.. moments.Select(asOf =>
        {
            var counted = unit.People.Where(p => ProfileAsOf.AssignedAt(p, AssignmentKind.Unit, asOf).Contains(unit.UnitId, StringComparer.Ordinal)
                && (goal.Role is null || ProfileAsOf.AssignedAt(p, AssignmentKind.Role, asOf).Contains(goal.Role, StringComparer.Ordinal))).ToList();
            var count = goal.Kind switch
            {
                UnitPlans.ShareValid => counted.Count(p => Holds(p, competence, unit, asOf)),
                UnitPlans.GroupReflection => counted.Count(p => Attended(p, competence, unit, planStart, asOf)),
                _ => counted.Count(p => firstLapse![p.Id] <= asOf),
            };
            if (goal.Kind == UnitPlans.NoLapse) return new GoalValue(asOf, count, count, counted.Count, count == 0);
            if (counted.Count == 0) return new GoalValue(asOf, null, 0, 0, false);
            var share = (double)count / counted.Count;
            return new GoalValue(asOf, Math.Round(share, 4), count, counted.Count, share >= UnitPlans.TargetOf(goal) - 1e-9);
        })];
    }

    // Valid or expiring at that moment, prerequisites met.
    private static bool Holds(Person person, string competence, UnitHistory unit, DateTimeOffset asOf) =>
        ProfileAsOf.Compute(person, unit.Evidence.GetValueOrDefault(person.Id) ?? [], unit.Framework, asOf, TimeSpan.Zero)
            .Entries.FirstOrDefault(e => e.CompetenceId == competence) is { IsMet: true };

    // Attended a group reflection of the unit, held in [plan start, asOf], that took up a group template on the competence.
    private static bool Attended(Person person, string competence, UnitHistory unit, DateTimeOffset planStart, DateTimeOffset asOf)
    {
        var keys = person.AgentKeys;
        return unit.GroupReflections.Any(r => r.HeldAt >= planStart && r.HeldAt <= asOf
            && r.TemplateIds.Any(t => unit.Framework.FindReflectionTemplate(t) is { Mode: ReflectionMode.Group } template && template.Trigger.CompetenceId == competence)
            && r.Attendees.Any(a => a.PersonId == person.Id || (AgentKey.Of(a.Agent) is { } key && keys.Contains(key))));
    }

    // The first moment after the plan began at which some evidence of the competence expired and nothing else made it valid
    // then (a lapse); null when there is none. The person has lapsed by a moment when this is at or before it.
    private static DateTimeOffset? FirstLapse(Person person, string competence, UnitHistory unit, DateTimeOffset planStart)
    {
        var history = (unit.Evidence.GetValueOrDefault(person.Id) ?? []).Where(h => h.Evidence.CompetenceId == competence).ToList();
        var facts = new PersonFacts(person.Id, [], []);
        DateTimeOffset? first = null;
        foreach (var h in history)
        {
            if (h.Evidence.ExpiresAt is not { } expiry || expiry <= planStart || expiry >= first) continue;
            // The evidence must have counted just before it expired, or its expiry is no lapse.
            if (ProfileAsOf.EvidenceAt([h], expiry.AddTicks(-10)).Count == 0) continue;
            var then = ProfileCalculator.Compute(facts, ProfileAsOf.EvidenceAt(history, expiry), unit.Framework, expiry, TimeSpan.Zero);
            if (then.Entries.FirstOrDefault(e => e.CompetenceId == competence) is not { IsMet: true }) first = expiry;
        }
        return first;
    }
}
