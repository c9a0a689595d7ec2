using Lrs.Core.People;

namespace Lrs.Core.Competence;

/// <summary>A sign-off of a piece of evidence, with when it was voided.</summary>
/// <param name="StatementId">The sign-off statement.</param>
/// <param name="SignedAt">Its timestamp.</param>
/// <param name="VoidedAt">When the sign-off statement was voided; null while it stands.</param>
public sealed record SignoffHistory(Guid StatementId, DateTimeOffset SignedAt, DateTimeOffset? VoidedAt);

/// <summary>
/// A piece of evidence over time: the evidence as recorded (its <see cref="EvidenceRecord.SignedOffAt"/> unused), when its
/// statement was voided, and every sign-off by someone other than the learner.
/// </summary>
/// <param name="Evidence">The evidence.</param>
/// <param name="VoidedAt">When its statement was voided; null while it stands.</param>
/// <param name="Signoffs">Sign-offs by agents other than the learner, voided ones included.</param>
public sealed record EvidenceHistory(EvidenceRecord Evidence, DateTimeOffset? VoidedAt, IReadOnlyList<SignoffHistory> Signoffs);

/// <summary>
/// Profiles as they stood at a past moment: the evidence achieved by then, each piece's validity window, voidings up to then,
/// and the person's roles and units as their history records them. The framework and the person's duties are today's: neither
/// keeps a history.
/// </summary>
public static class ProfileAsOf
{
    /// <summary>
    /// The evidence as it counted at <paramref name="asOf"/>: achieved at or before it and not voided by then, with the earliest
    /// sign-off given at or before it and not voided by then. Whether it had expired is left to <see cref="ProfileCalculator"/>.
    /// </summary>
    public static IReadOnlyList<EvidenceRecord> EvidenceAt(IEnumerable<EvidenceHistory> history, DateTimeOffset asOf)
    {
        var result = new List<EvidenceRecord>();
        foreach (var h in history)
        {
            if (h.Evidence.AchievedAt > asOf || h.VoidedAt <= asOf) continue;
            SignoffHistory? first = null;
            if (h.Evidence.NeedsSignoff)
                foreach (var s in h.Signoffs)
                    if (s.SignedAt <= asOf && !(s.VoidedAt <= asOf)
                        && (first is null || s.SignedAt < first.SignedAt || (s.SignedAt == first.SignedAt && s.StatementId.CompareTo(first.StatementId) < 0)))
                        first = s;
            result.Add(h.Evidence.SignedOffAt == first?.SignedAt && h.Evidence.SignoffStatementId == first?.StatementId ? h.Evidence
                : h.Evidence with { SignedOffAt = first?.SignedAt, SignoffStatementId = first?.StatementId });
        }
        return result;
    }

    /// <summary>
    /// Whether the evidence of one competence made it valid or expiring at <paramref name="asOf"/>, as the profile of then
    /// (<see cref="Compute(PersonFacts, IEnumerable{EvidenceHistory}, Framework, DateTimeOffset, TimeSpan)"/>) decides: some
    /// evidence achieved by then, not voided by then, not expired by then, and signed off by then (by a sign-off not voided
    /// by then) when it needs a sign-off.
    /// </summary>
    public static bool Holds(IEnumerable<EvidenceHistory> historyOfCompetence, DateTimeOffset asOf)
    {
        foreach (var h in historyOfCompetence)
            if (!(h.Evidence.ExpiresAt <= asOf) && Counts(h, asOf)) return true;
        return false;
    }

    /// <summary>
    /// Whether a piece of evidence counted at <paramref name="asOf"/>, expiry aside: achieved by then, not voided by then, and
    /// (when it needs one) signed off by then by a sign-off not voided by then.
    /// </summary>
    public static bool Counts(EvidenceHistory history, DateTimeOffset asOf)
    {
        var e = history.Evidence;
        if (e.AchievedAt > asOf || history.VoidedAt <= asOf) return false;
        if (!e.NeedsSignoff) return true;
        foreach (var s in history.Signoffs)
            if (s.SignedAt <= asOf && !(s.VoidedAt <= asOf)) return true;
        return false;
    }

    /// <summary>
    /// The values of one kind of assignment (units or roles) a person held at <paramref name="asOf"/>, in order. Before the
    /// first assignment of that kind the LRS learned of, the first ones it learned of: the history begins with the first HR
    /// sync, which records people as they already were, not as newly placed.
    /// </summary>
    public static IReadOnlyList<string> AssignedAt(Person person, AssignmentKind kind, DateTimeOffset asOf) =>
        AssignedAt(person.History, kind, asOf, kind == AssignmentKind.Unit ? person.Units : person.Roles);

    /// <summary>
    /// The values of one kind of assignment held at <paramref name="asOf"/> by the rule of
    /// <see cref="AssignedAt(Person, AssignmentKind, DateTimeOffset)"/>, from a person's assignment
    /// <paramref name="history"/>; <paramref name="current"/> when it has none of that kind.
    /// </summary>
    public static IReadOnlyList<string> AssignedAt(IReadOnlyList<Assignment> history, AssignmentKind kind, DateTimeOffset asOf, IReadOnlyList<string> current)
    {
        DateTimeOffset? first = null;
        foreach (var a in history)
            if (a.Kind == kind && (first is null || a.From < first)) first = a.From;
        if (first is null) return current;
        var at = asOf < first.Value ? first.Value : asOf;
        List<string>? held = null;
        foreach (var a in history)
            if (a.Kind == kind && a.From <= at && (a.To is not { } to || to > at)) (held ??= []).Add(a.Value);
        return held is null ? [] : held.Count == 1 ? held : [.. held.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];
    }

    /// <summary>
    /// The profile of <paramref name="person"/> (with history) at <paramref name="asOf"/>, from the history of the evidence of
    /// all the person's agents: the roles of then, the evidence of then, statuses as <see cref="ProfileCalculator.Compute"/>
    /// decides them at that moment with <paramref name="expiringWindow"/>.
    /// </summary>
    public static PersonProfile Compute(Person person, IEnumerable<EvidenceHistory> history, Framework framework, DateTimeOffset asOf, TimeSpan expiringWindow) =>
        Compute(new PersonFacts(person.Id, AssignedAt(person, AssignmentKind.Role, asOf), person.Duties), history, framework, asOf, expiringWindow);

    /// <summary>
    /// The profile at <paramref name="asOf"/> of a person whose roles of then are <paramref name="then"/>'s, from the history of
    /// the evidence of all the person's agents.
    /// </summary>
    public static PersonProfile Compute(PersonFacts then, IEnumerable<EvidenceHistory> history, Framework framework, DateTimeOffset asOf, TimeSpan expiringWindow) =>
        ProfileCalculator.Compute(then, EvidenceAt(history, asOf), framework, asOf, expiringWindow);
}
