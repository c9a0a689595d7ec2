using System.Text.Json;
using Lrs.Core.Competence;
using static Lrs.Core.Tests.CompetenceSamples;

namespace Lrs.Core.Tests;

public sealed class ProfileCalculatorTests
{
    private static readonly DateTimeOffset Now = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Window = TimeSpan.FromDays(30);
    private static readonly PersonFacts Usk = new("p-usk", ["underskoterska"], []);

    private static EvidenceRecord Evidence(string competence, DateTimeOffset achieved, DateTimeOffset? expires,
        bool needsSignoff = false, DateTimeOffset? signedOff = null, Guid? id = null) =>
        new(competence, id ?? Guid.NewGuid(), Key("anna"), achieved, expires, needsSignoff, signedOff,
            signedOff is null ? null : Guid.NewGuid(), null);

    private static ProfileEntry Entry(PersonFacts person, string competence, params EvidenceRecord[] evidence) =>
        ProfileCalculator.Compute(person, evidence, Small, Now, Window).Entries.Single(e => e.CompetenceId == competence);

    private static ProfileEntry Hygiene(params EvidenceRecord[] evidence) => Entry(Usk, "hygien", evidence);

    [Fact]
    public void Evidence_that_lasts_beyond_the_window_is_valid()
    {
        var e = Evidence("hygien", Now.AddMonths(-6), Now.AddMonths(6));
        var entry = Hygiene(e);
        entry.Status.Should().Be(CompetenceStatus.Valid);
        entry.AchievedAt.Should().Be(e.AchievedAt);
        entry.ExpiresAt.Should().Be(e.ExpiresAt);
        entry.Requirement.Should().Be(RequirementLevel.Required);
        entry.EvidenceStatementIds.Should().Equal(e.StatementId);
        entry.UnmetPrerequisites.Should().BeEmpty();
    }

    [Fact]
    public void Evidence_that_never_expires_is_valid()
    {
        Hygiene(Evidence("hygien", Now.AddYears(-10), null)).Status.Should().Be(CompetenceStatus.Valid);
    }

    [Theory]
    [InlineData(30 * 24 * 60 + 1, CompetenceStatus.Valid)]
    [InlineData(30 * 24 * 60, CompetenceStatus.Expiring)]
    [InlineData(1, CompetenceStatus.Expiring)]
    [InlineData(0, CompetenceStatus.Expired)]
    [InlineData(-1, CompetenceStatus.Expired)]
    public void The_expiring_window_is_open_at_now_and_closed_at_its_end(int minutesLeft, CompetenceStatus expected)
    {
        Hygiene(Evidence("hygien", Now.AddYears(-1), Now.AddMinutes(minutesLeft))).Status.Should().Be(expected);
    }

    [Fact]
    public void A_one_tick_difference_at_the_window_end_decides_between_valid_and_expiring()
    {
        Hygiene(Evidence("hygien", Now.AddYears(-1), Now + Window + TimeSpan.FromTicks(1))).Status.Should().Be(CompetenceStatus.Valid);
        Hygiene(Evidence("hygien", Now.AddYears(-1), Now + Window)).Status.Should().Be(CompetenceStatus.Expiring);
        Hygiene(Evidence("hygien", Now.AddYears(-1), Now + TimeSpan.FromTicks(1))).Status.Should().Be(CompetenceStatus.Expiring);
        Hygiene(Evidence("hygien", Now.AddYears(-1), Now)).Status.Should().Be(CompetenceStatus.Expired);
    }

    [Fact]
    public void When_all_evidence_has_expired_the_latest_expiry_is_reported()
    {
        var older = Evidence("hygien", new(2023, 1, 10, 0, 0, 0, TimeSpan.Zero), new(2024, 1, 10, 0, 0, 0, TimeSpan.Zero));
        var newer = Evidence("hygien", new(2024, 2, 1, 0, 0, 0, TimeSpan.Zero), new(2025, 2, 1, 0, 0, 0, TimeSpan.Zero));
        var entry = Hygiene(older, newer);
        entry.Status.Should().Be(CompetenceStatus.Expired);
        entry.AchievedAt.Should().Be(newer.AchievedAt);
        entry.ExpiresAt.Should().Be(newer.ExpiresAt);
        entry.EvidenceStatementIds.Should().Equal(newer.StatementId, older.StatementId);
    }

    [Fact]
    public void The_best_evidence_decides_and_the_longest_lasting_is_reported()
    {
        var expired = Evidence("hygien", Now.AddYears(-2), Now.AddYears(-1));
        var expiring = Evidence("hygien", Now.AddDays(-355), Now.AddDays(10));
        var renewed = Evidence("hygien", Now.AddDays(-5), Now.AddDays(360));
        var entry = Hygiene(expired, renewed, expiring);
        entry.Status.Should().Be(CompetenceStatus.Valid);
        entry.AchievedAt.Should().Be(renewed.AchievedAt);
        entry.ExpiresAt.Should().Be(renewed.ExpiresAt);
        entry.EvidenceStatementIds.Should().Equal(renewed.StatementId, expiring.StatementId, expired.StatementId);

        var forever = Evidence("hygien", Now.AddYears(-3), null);
        Hygiene(renewed, forever).ExpiresAt.Should().BeNull("evidence that never expires outlasts any other");
    }

    [Fact]
    public void A_required_competence_without_evidence_is_missing()
    {
        var entry = Hygiene();
        entry.Status.Should().Be(CompetenceStatus.Missing);
        entry.AchievedAt.Should().BeNull();
        entry.ExpiresAt.Should().BeNull();
        entry.EvidenceStatementIds.Should().BeEmpty();
    }

    [Fact]
    public void Evidence_awaiting_sign_off_is_pending_until_signed_off()
    {
        var pending = Evidence("forflyttning", Now.AddDays(-3), Now.AddDays(-3).AddYears(2), needsSignoff: true);
        var entry = Entry(Usk, "forflyttning", pending);
        entry.Status.Should().Be(CompetenceStatus.PendingSignoff);
        entry.AchievedAt.Should().Be(pending.AchievedAt);

        var signed = pending with { SignedOffAt = Now.AddDays(-1), SignoffStatementId = Guid.NewGuid() };
        Entry(Usk, "forflyttning", signed).Status.Should().Be(CompetenceStatus.Valid);
    }

    [Fact]
    public void A_sign_off_the_store_did_not_count_leaves_the_evidence_pending()
    {
        // The learner's own "verified" statement is left out by the store (SignedOffAt stays null); the profile trusts
        // SignedOffAt as given and never looks at who signed.
        var selfSigned = Evidence("forflyttning", Now.AddDays(-3), Now.AddYears(2), needsSignoff: true) with { SignoffStatementId = Guid.NewGuid() };
        Entry(Usk, "forflyttning", selfSigned).Status.Should().Be(CompetenceStatus.PendingSignoff);
    }

    [Fact]
    public void Pending_evidence_beats_expired_evidence_but_not_usable_evidence()
    {
        var expired = Evidence("forflyttning", Now.AddYears(-3), Now.AddYears(-1));
        var pending = Evidence("forflyttning", Now.AddDays(-3), Now.AddYears(2), needsSignoff: true);
        var valid = Evidence("forflyttning", Now.AddYears(-1), Now.AddYears(1));
        Entry(Usk, "forflyttning", expired, pending).Status.Should().Be(CompetenceStatus.PendingSignoff);
        var entry = Entry(Usk, "forflyttning", expired, pending, valid);
        entry.Status.Should().Be(CompetenceStatus.Valid);
        entry.ExpiresAt.Should().Be(valid.ExpiresAt);
    }

    [Fact]
    public void Expiring_usable_evidence_beats_pending_evidence()
    {
        var expiring = Evidence("forflyttning", Now.AddYears(-2), Now.AddDays(5));
        var pending = Evidence("forflyttning", Now.AddDays(-1), Now.AddYears(2), needsSignoff: true);
        Entry(Usk, "forflyttning", expiring, pending).Status.Should().Be(CompetenceStatus.Expiring);
    }

    [Fact]
    public void Evidence_that_expired_while_awaiting_sign_off_is_expired()
    {
        var stale = Evidence("forflyttning", Now.AddYears(-3), Now.AddYears(-1), needsSignoff: true);
        Entry(Usk, "forflyttning", stale).Status.Should().Be(CompetenceStatus.Expired);
    }

    [Fact]
    public void A_conditional_requirement_applies_only_to_people_with_the_duty()
    {
        var without = ProfileCalculator.Compute(Usk, [], Small, Now, Window);
        without.Entries.Select(e => e.CompetenceId).Should().Equal("hygien", "forflyttning", "palliativ");

        var delegated = Usk with { Duties = ["delegated-tasks"] };
        var with = ProfileCalculator.Compute(delegated, [], Small, Now, Window);
        with.Entries.Select(e => e.CompetenceId).Should().Equal("hygien", "forflyttning", "palliativ", "lakemedel", "insulin");
        var lakemedel = with.Entries.Single(e => e.CompetenceId == "lakemedel");
        lakemedel.Requirement.Should().Be(RequirementLevel.Required);
        lakemedel.Duty.Should().Be("delegated-tasks");
        lakemedel.Status.Should().Be(CompetenceStatus.Missing);
        with.Entries.Single(e => e.CompetenceId == "hygien").Duty.Should().BeNull();
    }

    [Fact]
    public void Another_duty_does_not_make_a_conditional_requirement_apply()
    {
        var person = Usk with { Duties = ["night-shift"] };
        ProfileCalculator.Compute(person, [], Small, Now, Window).Entries.Should().NotContain(e => e.CompetenceId == "lakemedel");
    }

    [Fact]
    public void A_conditional_competence_the_person_has_evidence_for_is_listed_without_a_requirement()
    {
        var e = Evidence("lakemedel", Now.AddMonths(-1), Now.AddMonths(11), needsSignoff: true, signedOff: Now.AddMonths(-1));
        var entry = Entry(Usk, "lakemedel", e);
        entry.Requirement.Should().BeNull();
        entry.Status.Should().Be(CompetenceStatus.Valid);
    }

    [Fact]
    public void The_strongest_requirement_among_the_roles_counts()
    {
        var both = new PersonFacts("p-both", ["underskoterska", "sjukskoterska"], []);
        var profile = ProfileCalculator.Compute(both, [], Small, Now, Window);
        profile.Entries.Single(e => e.CompetenceId == "palliativ").Requirement.Should().Be(RequirementLevel.Required);
        profile.Entries.Single(e => e.CompetenceId == "lakemedel").Requirement.Should().Be(RequirementLevel.Recommended,
            "the conditional requirement does not apply without the duty");

        var delegated = both with { Duties = ["delegated-tasks"] };
        var lakemedel = ProfileCalculator.Compute(delegated, [], Small, Now, Window).Entries.Single(e => e.CompetenceId == "lakemedel");
        lakemedel.Requirement.Should().Be(RequirementLevel.Required);
        lakemedel.Duty.Should().Be("delegated-tasks");
    }

    [Fact]
    public void An_unconditional_requirement_beats_one_through_a_duty()
    {
        var f = Parse("""
            {"competences":[{"id":"a","name":{"sv":"A"}}],
             "roles":[{"id":"x","name":{"sv":"X"},"requirements":[{"competence":"a","level":"conditional","duty":"d"}]},
                      {"id":"y","name":{"sv":"Y"},"requirements":[{"competence":"a","level":"required"}]}]}
            """);
        var entry = ProfileCalculator.Compute(new PersonFacts("p", ["x", "y"], ["d"]), [], f, Now, Window).Entries.Single();
        entry.Requirement.Should().Be(RequirementLevel.Required);
        entry.Duty.Should().BeNull();
    }

    [Fact]
    public void Recommended_competences_are_listed_as_recommended()
    {
        Entry(Usk, "palliativ").Requirement.Should().Be(RequirementLevel.Recommended);
    }

    [Fact]
    public void Evidence_of_a_competence_no_role_asks_for_is_listed_and_unknown_ones_are_not()
    {
        var nobody = new PersonFacts("p-none", ["no-such-role"], []);
        var profile = ProfileCalculator.Compute(nobody,
            [Evidence("insulin", Now.AddDays(-1), Now.AddYears(1), needsSignoff: true), Evidence("removed-competence", Now.AddDays(-1), null)],
            Small, Now, Window);
        profile.Entries.Should().ContainSingle().Which.Should().Match<ProfileEntry>(e =>
            e.CompetenceId == "insulin" && e.Requirement == null && e.Status == CompetenceStatus.PendingSignoff);
        profile.PersonId.Should().Be("p-none");
        profile.ComputedAt.Should().Be(Now);
    }

    [Fact]
    public void Entries_follow_the_framework_order_whatever_the_evidence_order()
    {
        var person = new PersonFacts("p", [], []);
        var profile = ProfileCalculator.Compute(person,
            [Evidence("insulin", Now, null), Evidence("palliativ", Now, null), Evidence("hygien", Now, null)], Small, Now, Window);
        profile.Entries.Select(e => e.CompetenceId).Should().Equal("hygien", "palliativ", "insulin");
    }

    [Fact]
    public void A_statement_that_is_evidence_through_two_agents_of_the_person_is_listed_once()
    {
        var id = Guid.NewGuid();
        var first = Evidence("hygien", Now.AddDays(-1), Now.AddYears(1), id: id);
        var second = first with { AgentKey = "account:https://hr.example.se 4711" };
        Hygiene(first, second).EvidenceStatementIds.Should().Equal(id);
    }

    [Theory]
    [InlineData(400, null, false)]
    [InlineData(20, null, false)]
    [InlineData(-1, null, true)]
    [InlineData(400, "unsigned", true)]
    [InlineData(null, null, true)]
    public void A_prerequisite_that_is_not_valid_or_expiring_is_listed_as_unmet(int? prerequisiteDaysLeft, string? pending, bool unmet)
    {
        var delegated = Usk with { Duties = ["delegated-tasks"] };
        var evidence = new List<EvidenceRecord>
        {
            Evidence("insulin", Now.AddDays(-10), Now.AddDays(355), needsSignoff: true, signedOff: Now.AddDays(-9)),
        };
        if (prerequisiteDaysLeft is { } days)
            evidence.Add(Evidence("lakemedel", Now.AddDays(-30), Now.AddDays(days), needsSignoff: pending is not null));

        var insulin = ProfileCalculator.Compute(delegated, evidence, Small, Now, Window).Entries.Single(e => e.CompetenceId == "insulin");
        insulin.Status.Should().Be(CompetenceStatus.Valid, "a competence keeps its own status whatever its prerequisites");
        if (unmet) insulin.UnmetPrerequisites.Should().Equal("lakemedel");
        else insulin.UnmetPrerequisites.Should().BeEmpty();
        insulin.IsMet.Should().Be(!unmet);
    }

    [Fact]
    public void A_prerequisite_is_judged_even_when_the_person_is_not_required_to_have_it()
    {
        // Without the duty, lakemedel is no entry of its own, but insulin evidence still needs it.
        var profile = ProfileCalculator.Compute(Usk, [Evidence("insulin", Now.AddDays(-1), Now.AddYears(1))], Small, Now, Window);
        profile.Entries.Should().NotContain(e => e.CompetenceId == "lakemedel");
        profile.Entries.Single(e => e.CompetenceId == "insulin").UnmetPrerequisites.Should().Equal("lakemedel");
    }

    [Fact]
    public void Statuses_and_levels_are_written_with_their_JSON_names()
    {
        JsonSerializer.Serialize(CompetenceStatus.PendingSignoff).Should().Be("\"pending-signoff\"");
        JsonSerializer.Serialize(CompetenceStatus.Valid).Should().Be("\"valid\"");
        JsonSerializer.Serialize(RequirementLevel.Conditional).Should().Be("\"conditional\"");
        JsonSerializer.Deserialize<CompetenceStatus>("\"expiring\"").Should().Be(CompetenceStatus.Expiring);
        Enum.GetValues<CompetenceStatus>().Select(ProfileCalculator.StatusName)
            .Should().Equal("valid", "expiring", "expired", "pending-signoff", "missing");
        Enum.GetValues<RequirementLevel>().Select(FrameworkDocument.LevelName).Should().Equal("required", "conditional", "recommended");
    }
}
