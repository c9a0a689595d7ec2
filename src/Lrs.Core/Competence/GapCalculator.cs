namespace Lrs.Core.Competence;

/// <summary>What one person of a group lacks or is about to lose.</summary>
/// <param name="PersonId">The person.</param>
/// <param name="Lacking">Required entries (conditional ones included when the person has the duty) whose status is
/// missing, expired or pending-signoff, or whose prerequisites are unmet.</param>
/// <param name="Expiring">Required entries whose status is expiring and whose prerequisites are met (with unmet
/// prerequisites an entry is lacking instead, so that each required entry is counted once).</param>
public sealed record PersonGap(string PersonId, IReadOnlyList<ProfileEntry> Lacking, IReadOnlyList<ProfileEntry> Expiring);

/// <summary>How well a group covers one competence.</summary>
/// <param name="CompetenceId">The competence.</param>
/// <param name="Required">Members of whom it is required.</param>
/// <param name="Valid">Of those, members who have it: valid or expiring, prerequisites met (<see cref="Expiring"/> included).</param>
/// <param name="Expiring">Of <see cref="Valid"/>, members whose evidence is expiring.</param>
/// <param name="Lacking">Of those, members who do not have it: <see cref="Required"/> − <see cref="Valid"/>.</param>
public sealed record CompetenceCoverage(string CompetenceId, int Required, int Valid, int Expiring, int Lacking);

/// <summary>Gap analysis of a group of people (a unit).</summary>
/// <param name="People">Only the people with something lacking or expiring, in the order given.</param>
/// <param name="Coverage">Only the competences required of someone, in framework order.</param>
public sealed record GapReport(IReadOnlyList<PersonGap> People, IReadOnlyList<CompetenceCoverage> Coverage);

/// <summary>Role requirements × members: who lacks what, and how well the group covers each competence.</summary>
public static class GapCalculator
{
    /// <summary>
    /// The gap report of a group from its members' profiles. Coverage follows the order of the profiles' entries
    /// (framework order); when no profile shows the relative order of two competences, the one seen first comes first.
    /// Use <see cref="Compute(IReadOnlyList{PersonProfile}, Framework)"/> when the framework is at hand.
    /// </summary>
    public static GapReport Compute(IReadOnlyList<PersonProfile> profiles) => Compute(profiles, MergedOrder(profiles));

    /// <summary>The gap report of a group from its members' profiles, coverage in the order of <paramref name="framework"/>.</summary>
    public static GapReport Compute(IReadOnlyList<PersonProfile> profiles, Framework framework) =>
        Compute(profiles, id => framework.OrderOf(id) is var i and >= 0 ? i : int.MaxValue);

    private static GapReport Compute(IReadOnlyList<PersonProfile> profiles, Func<string, int> order)
    {
        var people = new List<PersonGap>();
        var coverage = new Dictionary<string, (int Required, int Valid, int Expiring)>(StringComparer.Ordinal);
        foreach (var profile in profiles)
        {
            List<ProfileEntry>? lacking = null, expiring = null;
            foreach (var entry in profile.Entries)
            {
                if (entry.Requirement is not (RequirementLevel.Required or RequirementLevel.Conditional)) continue;
                var (required, valid, expiringCount) = coverage.GetValueOrDefault(entry.CompetenceId);
                required++;
                if (entry.IsMet)
                {
                    valid++;
                    if (entry.Status == CompetenceStatus.Expiring)
                    {
                        expiringCount++;
                        (expiring ??= []).Add(entry);
                    }
                }
                else (lacking ??= []).Add(entry);
                coverage[entry.CompetenceId] = (required, valid, expiringCount);
            }
            if (lacking is not null || expiring is not null)
                people.Add(new PersonGap(profile.PersonId, lacking ?? [], expiring ?? []));
        }

        var ordered = coverage
            .OrderBy(c => order(c.Key)).ThenBy(c => c.Key, StringComparer.Ordinal)
            .Select(c => new CompetenceCoverage(c.Key, c.Value.Required, c.Value.Valid, c.Value.Expiring, c.Value.Required - c.Value.Valid))
            .ToList();
        return new GapReport(people, ordered);
    }

    // Each profile lists its competences in framework order, so together they are chains of one total order: merge them
    // topologically, taking among the competences free to come next the one seen first.
    private static Func<string, int> MergedOrder(IReadOnlyList<PersonProfile> profiles)
    {
        var firstSeen = new Dictionary<string, int>(StringComparer.Ordinal);
        var after = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        var before = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var profile in profiles)
        {
            string? previous = null;
            foreach (var entry in profile.Entries)
            {
                var id = entry.CompetenceId;
                if (firstSeen.TryAdd(id, firstSeen.Count)) { after[id] = []; before[id] = 0; }
                if (previous is not null && previous != id && after[previous].Add(id)) before[id]++;
                previous = id;
            }
        }

        var result = new Dictionary<string, int>(StringComparer.Ordinal);
        var ready = new SortedSet<(int Seen, string Id)>(firstSeen.Where(p => before[p.Key] == 0).Select(p => (p.Value, p.Key)));
        while (ready.Count > 0)
        {
            var next = ready.Min;
            ready.Remove(next);
            result[next.Id] = result.Count;
            foreach (var follower in after[next.Id])
                if (--before[follower] == 0) ready.Add((firstSeen[follower], follower));
        }
        // Profiles that disagree (made from different frameworks) leave a cycle: what is left keeps its first-seen order.
        foreach (var (id, seen) in firstSeen.OrderBy(p => p.Value))
            result.TryAdd(id, result.Count + seen);
        return id => result.TryGetValue(id, out var i) ? i : int.MaxValue;
    }
}
