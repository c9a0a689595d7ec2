using Lrs.Core.Competence;
using static Lrs.Core.Tests.CompetenceSamples;

namespace Lrs.Core.Tests;

public sealed class GapCalculatorTests
{
    private static readonly DateTimeOffset Now = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Window = TimeSpan.FromDays(30);

    private static EvidenceRecord Evidence(string competence, int daysLeft, bool pending = false) =>
        new(competence, Guid.NewGuid(), "k", Now.AddDays(-100), Now.AddDays(daysLeft), pending, null, null, null);

    private static PersonProfile Profile(string id, string[] roles, string[] duties, params EvidenceRecord[] evidence) =>
        ProfileCalculator.Compute(new PersonFacts(id, roles, duties), evidence, Small, Now, Window);

    // A unit of four: Anna has everything; Bertil's hygiene is expiring and his transfer training awaits sign-off;
    // Cecilia has delegated tasks, a valid insulin delegation but no medication delegation; David, a nurse, lacks palliative care.
    private static readonly PersonProfile[] Unit =
    [
        Profile("anna", ["underskoterska"], [], Evidence("hygien", 200), Evidence("forflyttning", 500)),
        Profile("bertil", ["underskoterska"], [], Evidence("hygien", 10), Evidence("forflyttning", 700, pending: true)),
        Profile("cecilia", ["underskoterska"], ["delegated-tasks"],
            Evidence("hygien", 300), Evidence("forflyttning", 300), Evidence("insulin", 300)),
        Profile("david", ["sjukskoterska"], [], Evidence("hygien", 100), Evidence("palliativ", -5), Evidence("lakemedel", -1)),
    ];

    [Fact]
    public void Only_people_lacking_something_required_or_about_to_lose_it_are_listed()
    {
        var report = GapCalculator.Compute(Unit, Small);
        report.People.Select(p => p.PersonId).Should().Equal("bertil", "cecilia", "david");

        var bertil = report.People[0];
        bertil.Lacking.Select(e => (e.CompetenceId, e.Status)).Should().Equal(("forflyttning", CompetenceStatus.PendingSignoff));
        bertil.Expiring.Select(e => e.CompetenceId).Should().Equal("hygien");

        var cecilia = report.People[1];
        cecilia.Lacking.Select(e => (e.CompetenceId, e.Status)).Should().Equal(
            ("lakemedel", CompetenceStatus.Missing), ("insulin", CompetenceStatus.Valid));
        cecilia.Lacking.Single(e => e.CompetenceId == "insulin").UnmetPrerequisites.Should().Equal("lakemedel");
        cecilia.Expiring.Should().BeEmpty();

        var david = report.People[2];
        david.Lacking.Select(e => (e.CompetenceId, e.Status)).Should().Equal(("palliativ", CompetenceStatus.Expired));
        david.Expiring.Should().BeEmpty("an expired recommended competence is no gap");
    }

    [Fact]
    public void Coverage_counts_each_member_a_competence_is_required_of_once()
    {
        var report = GapCalculator.Compute(Unit, Small);
        report.Coverage.Should().Equal(
            new CompetenceCoverage("hygien", Required: 4, Valid: 4, Expiring: 1, Lacking: 0),
            new CompetenceCoverage("forflyttning", Required: 3, Valid: 2, Expiring: 0, Lacking: 1),
            new CompetenceCoverage("palliativ", Required: 1, Valid: 0, Expiring: 0, Lacking: 1),
            new CompetenceCoverage("lakemedel", Required: 1, Valid: 0, Expiring: 0, Lacking: 1),
            new CompetenceCoverage("insulin", Required: 1, Valid: 0, Expiring: 0, Lacking: 1));
    }

    [Fact]
    public void Without_the_framework_coverage_follows_the_order_of_the_profiles()
    {
        GapCalculator.Compute(Unit).Should().BeEquivalentTo(GapCalculator.Compute(Unit, Small), o => o.WithStrictOrdering());

        // The nurse comes first and has no forflyttning entry; the others' profiles still place it before palliativ.
        var reversed = Enumerable.Reverse(Unit).ToArray();
        GapCalculator.Compute(reversed).Coverage.Select(c => c.CompetenceId)
            .Should().Equal("hygien", "forflyttning", "palliativ", "lakemedel", "insulin");
    }

    [Fact]
    public void An_expiring_competence_with_unmet_prerequisites_is_lacking_not_expiring()
    {
        var profile = Profile("erik", ["underskoterska"], ["delegated-tasks"],
            Evidence("hygien", 300), Evidence("forflyttning", 300), Evidence("insulin", 10), Evidence("lakemedel", -1));
        var report = GapCalculator.Compute([profile], Small);
        var erik = report.People.Should().ContainSingle().Subject;
        erik.Lacking.Select(e => e.CompetenceId).Should().Equal("lakemedel", "insulin");
        erik.Expiring.Should().BeEmpty();
        report.Coverage.Single(c => c.CompetenceId == "insulin").Should().Be(new CompetenceCoverage("insulin", 1, 0, 0, 1));
    }

    [Fact]
    public void A_group_where_everyone_has_everything_has_no_gaps_but_full_coverage()
    {
        var report = GapCalculator.Compute([Unit[0], Unit[0] with { PersonId = "anna-2" }], Small);
        report.People.Should().BeEmpty();
        report.Coverage.Should().Equal(
            new CompetenceCoverage("hygien", 2, 2, 0, 0),
            new CompetenceCoverage("forflyttning", 2, 2, 0, 0));
    }

    [Fact]
    public void Competences_only_recommended_or_evidenced_are_not_covered()
    {
        var profile = Profile("fia", [], [], Evidence("palliativ", 100));
        var report = GapCalculator.Compute([profile]);
        report.People.Should().BeEmpty();
        report.Coverage.Should().BeEmpty();
    }

    [Fact]
    public void An_empty_group_has_an_empty_report()
    {
        var report = GapCalculator.Compute([]);
        report.People.Should().BeEmpty();
        report.Coverage.Should().BeEmpty();
    }
}
