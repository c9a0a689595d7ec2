using System.Text.Json.Nodes;
using Lrs.Core.Competence;
using Lrs.Core.Xapi;
using static Lrs.Core.Tests.CompetenceSamples;

namespace Lrs.Core.Tests;

public sealed class EvidenceExtractorTests
{
    private static readonly string HygieneTest = Activities + "assessments/basal-hygien";
    private static readonly string TransferSession = Activities + "sessions/forflyttning";
    private static readonly DateTimeOffset March10 = new(2025, 3, 10, 9, 0, 0, TimeSpan.Zero);

    private static JsonObject Passing(double scaled = 0.9, bool? success = true)
    {
        var result = new JsonObject { ["score"] = new JsonObject { ["scaled"] = scaled } };
        if (success is { } s) result["success"] = s;
        return result;
    }

    [Fact]
    public void A_matching_statement_is_evidence_for_its_actor_until_the_validity_ends()
    {
        var found = EvidenceExtractor.Extract(Small, Statement(Passed, HygieneTest, result: Passing()));
        found.Should().ContainSingle().Which.Should().Be(new EvidenceFound("hygien", "hygien-test", Key("anna"),
            March10, new DateTimeOffset(2026, 3, 10, 9, 0, 0, TimeSpan.Zero), NeedsSignoff: false,
            AssessorJson: """{"account":{"homePage":"https://lms.example.se","name":"lms"}}"""));
    }

    [Fact]
    public void A_competence_without_validity_gives_evidence_that_never_expires()
    {
        var found = EvidenceExtractor.Extract(Small, Statement(VideoCompleted, Activities + "videos/palliativ-vard/2025-03-04"));
        found.Should().ContainSingle().Which.ExpiresAt.Should().BeNull();
    }

    [Fact]
    public void A_verb_no_rule_names_gives_nothing()
    {
        EvidenceExtractor.Extract(Small, Statement("http://adlnet.gov/expapi/verbs/experienced", HygieneTest, result: Passing()))
            .Should().BeEmpty();
        EvidenceExtractor.Extract(Framework.Empty, Statement(Passed, HygieneTest, result: Passing())).Should().BeEmpty();
    }

    [Fact]
    public void A_listed_verb_on_an_activity_no_rule_selects_gives_nothing()
    {
        EvidenceExtractor.Extract(Small, Statement(Passed, HygieneTest + "-v2", result: Passing())).Should().BeEmpty();
        EvidenceExtractor.Extract(Small, Statement(Passed, Activities + "assessments/BASAL-HYGIEN", result: Passing())).Should().BeEmpty();
    }

    [Theory]
    [InlineData("videos/palliativ-vard/2025-03-04", true)]
    [InlineData("videos/palliativ-vard/", true)]
    [InlineData("videos/palliativ-vardag/1", false)]
    [InlineData("videos/palliativ-vard", false)]
    [InlineData("webinars/palliativ-vard/2025-03-04", false)]
    public void A_prefix_selects_every_activity_under_it(string activity, bool matches)
    {
        var found = EvidenceExtractor.Extract(Small, Statement(VideoCompleted, Activities + activity));
        if (matches) found.Should().ContainSingle().Which.RuleId.Should().Be("palliativ-recording");
        else found.Should().BeEmpty();
    }

    [Fact]
    public void An_activity_type_selects_any_activity_of_that_type()
    {
        var type = "https://demo.lrsapi.se/xapi/activity-types/palliative-video";
        EvidenceExtractor.Extract(Small, Statement(VideoCompleted, "https://video.example.com/v/123", activityType: type))
            .Should().ContainSingle().Which.RuleId.Should().Be("palliativ-any-video");
        EvidenceExtractor.Extract(Small, Statement(VideoCompleted, "https://video.example.com/v/123", activityType: VideoType))
            .Should().BeEmpty();
        EvidenceExtractor.Extract(Small, Statement(VideoCompleted, "https://video.example.com/v/123")).Should().BeEmpty();
    }

    [Fact]
    public void When_several_rules_of_one_competence_match_the_first_wins()
    {
        var found = EvidenceExtractor.Extract(Small, Statement(VideoCompleted, Activities + "videos/palliativ-vard/1",
            activityType: "https://demo.lrsapi.se/xapi/activity-types/palliative-video"));
        found.Should().ContainSingle().Which.RuleId.Should().Be("palliativ-recording");
    }

    [Fact]
    public void One_statement_may_be_evidence_of_several_competences()
    {
        var f = Parse($$$"""
            {"competences":[{"id":"a","name":{"sv":"A"},"validity":"P1Y"},{"id":"b","name":{"sv":"B"}}],
             "rules":[{"id":"ra","competence":"a","verbs":["{{{Completed}}}"],"activities":["urn:course:1"]},
                      {"id":"rb","competence":"b","verbs":["{{{Completed}}}"],"activityPrefixes":["urn:course:"]}]}
            """);
        EvidenceExtractor.Extract(f, Statement(Completed, "urn:course:1")).Select(e => (e.CompetenceId, e.RuleId, e.ExpiresAt))
            .Should().Equal(("a", "ra", March10.AddYears(1)), ("b", "rb", null));
    }

    [Theory]
    [InlineData(true, 0.8, true)]
    [InlineData(true, 1.0, true)]
    [InlineData(true, 0.79, false)]
    [InlineData(false, 0.95, false)]
    [InlineData(null, 0.95, false)]
    public void Success_and_minimum_score_must_both_hold(bool? success, double scaled, bool matches)
    {
        var found = EvidenceExtractor.Extract(Small, Statement(Passed, HygieneTest, result: Passing(scaled, success)));
        found.Should().HaveCount(matches ? 1 : 0);
    }

    [Fact]
    public void A_minimum_score_is_not_met_by_a_result_without_a_scaled_score()
    {
        var result = new JsonObject { ["success"] = true, ["score"] = new JsonObject { ["raw"] = 95, ["min"] = 0, ["max"] = 100 } };
        EvidenceExtractor.Extract(Small, Statement(Passed, HygieneTest, result: result)).Should().BeEmpty();
        EvidenceExtractor.Extract(Small, Statement(Passed, HygieneTest)).Should().BeEmpty();
    }

    [Fact]
    public void A_rule_that_asks_for_sign_off_gives_evidence_that_needs_it()
    {
        EvidenceExtractor.Extract(Small, Statement(Attended, TransferSession)).Should().ContainSingle()
            .Which.Should().Match<EvidenceFound>(e => e.NeedsSignoff && e.CompetenceId == "forflyttning" && e.ExpiresAt == March10.AddYears(2));
    }

    [Fact]
    public void The_expires_extension_overrides_the_validity()
    {
        var context = new JsonObject
        {
            ["extensions"] = new JsonObject { [EvidenceExtractor.ExpiresExtension] = "2025-09-30T22:00:00+02:00" },
        };
        var found = EvidenceExtractor.Extract(Small, Statement(Attended, TransferSession, context: context));
        found.Should().ContainSingle().Which.ExpiresAt.Should().Be(new DateTimeOffset(2025, 9, 30, 20, 0, 0, TimeSpan.Zero));
    }

    [Fact]
    public void An_expires_extension_that_is_no_timestamp_is_ignored()
    {
        var context = new JsonObject { ["extensions"] = new JsonObject { [EvidenceExtractor.ExpiresExtension] = "next spring" } };
        EvidenceExtractor.Extract(Small, Statement(Attended, TransferSession, context: context))
            .Should().ContainSingle().Which.ExpiresAt.Should().Be(March10.AddYears(2));
        var numeric = new JsonObject { ["extensions"] = new JsonObject { [EvidenceExtractor.ExpiresExtension] = 1767225600 } };
        EvidenceExtractor.Extract(Small, Statement(Attended, TransferSession, context: numeric))
            .Should().ContainSingle().Which.ExpiresAt.Should().Be(March10.AddYears(2));
    }

    [Fact]
    public void The_expires_extension_also_gives_an_expiry_to_a_competence_that_has_none()
    {
        var context = new JsonObject { ["extensions"] = new JsonObject { [EvidenceExtractor.ExpiresExtension] = "2026-01-01T00:00:00Z" } };
        EvidenceExtractor.Extract(Small, Statement(VideoCompleted, Activities + "videos/palliativ-vard/1", context: context))
            .Should().ContainSingle().Which.ExpiresAt.Should().Be(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
    }

    [Fact]
    public void The_statement_timestamp_is_when_it_was_achieved_whatever_its_offset()
    {
        var found = EvidenceExtractor.Extract(Small, Statement(Passed, HygieneTest, timestamp: "2024-02-29T23:30:00+01:00", result: Passing()));
        found.Should().ContainSingle().Which.Should().Match<EvidenceFound>(e =>
            e.AchievedAt == new DateTimeOffset(2024, 2, 29, 22, 30, 0, TimeSpan.Zero)
            && e.ExpiresAt == new DateTimeOffset(2025, 2, 28, 23, 30, 0, TimeSpan.FromHours(1)));
    }

    [Fact]
    public void A_group_actor_gives_evidence_to_each_member_once_and_none_to_the_group()
    {
        var group = new JsonObject
        {
            ["objectType"] = "Group",
            ["name"] = "Team Blå",
            ["account"] = new JsonObject { ["homePage"] = "https://hr.example.se", ["name"] = "team-bla" },
            ["member"] = new JsonArray(Agent("anna"), Agent("bertil"),
                new JsonObject { ["account"] = new JsonObject { ["homePage"] = "https://hr.example.se", ["name"] = "4711" } },
                Agent("anna")),
        };
        var found = EvidenceExtractor.Extract(Small, Statement(Passed, HygieneTest, actor: group, result: Passing()));
        found.Select(e => e.AgentKey).Should().Equal(Key("anna"), Key("bertil"), "account:https://hr.example.se 4711");
        found.Should().OnlyContain(e => e.CompetenceId == "hygien");
    }

    [Fact]
    public void An_anonymous_group_gives_evidence_to_its_members()
    {
        var group = new JsonObject { ["objectType"] = "Group", ["member"] = new JsonArray(Agent("cecilia"), Agent("david")) };
        EvidenceExtractor.Extract(Small, Statement(Passed, HygieneTest, actor: group, result: Passing()))
            .Select(e => e.AgentKey).Should().Equal(Key("cecilia"), Key("david"));
    }

    [Fact]
    public void An_identified_group_without_members_gives_nothing()
    {
        var group = new JsonObject { ["objectType"] = "Group", ["mbox"] = "mailto:team@example.se" };
        EvidenceExtractor.Extract(Small, Statement(Passed, HygieneTest, actor: group, result: Passing())).Should().BeEmpty();
    }

    [Fact]
    public void Only_an_activity_object_can_be_evidence()
    {
        var statementRef = new JsonObject { ["objectType"] = "StatementRef", ["id"] = Guid.NewGuid().ToString() };
        var agent = new JsonObject { ["objectType"] = "Agent", ["mbox"] = "mailto:x@example.se" };
        var sub = new JsonObject
        {
            ["objectType"] = "SubStatement",
            ["actor"] = Agent("anna"),
            ["verb"] = new JsonObject { ["id"] = Passed },
            ["object"] = new JsonObject { ["id"] = HygieneTest },
        };
        foreach (var obj in new[] { statementRef, agent, sub })
            EvidenceExtractor.Extract(Small, Statement(Passed, HygieneTest, result: Passing(), @object: obj)).Should().BeEmpty();

        var noObjectType = new JsonObject { ["id"] = HygieneTest };
        EvidenceExtractor.Extract(Small, Statement(Passed, HygieneTest, result: Passing(), @object: noObjectType)).Should().ContainSingle();
    }

    [Fact]
    public void The_assessor_is_the_first_context_agent_else_the_instructor_else_the_authority()
    {
        var trainer = Agent("trainer");
        var nurse = Agent("nurse");
        var both = new JsonObject
        {
            ["instructor"] = trainer.DeepClone(),
            ["contextAgents"] = new JsonArray(
                new JsonObject { ["objectType"] = "contextAgent", ["agent"] = nurse.DeepClone() },
                new JsonObject { ["objectType"] = "contextAgent", ["agent"] = Agent("other") }),
        };
        EvidenceExtractor.Extract(Small, Statement(Attended, TransferSession, context: both)).Single().AssessorJson
            .Should().Be(nurse.ToJsonString());

        var instructorOnly = new JsonObject { ["instructor"] = trainer.DeepClone() };
        EvidenceExtractor.Extract(Small, Statement(Attended, TransferSession, context: instructorOnly)).Single().AssessorJson
            .Should().Be(trainer.ToJsonString());
    }

    [Fact]
    public void A_statement_prepared_by_the_LRS_is_read_as_stored()
    {
        var statement = (JsonObject)JsonNode.Parse($$$"""
            {"actor":{"account":{"homePage":"https://hr.solna.se","name":"12345"}},
             "verb":{"id":"{{{Passed}}}"},
             "object":{"id":"{{{HygieneTest}}}","definition":{"type":"http://adlnet.gov/expapi/activities/assessment"}},
             "result":{"success":true,"score":{"scaled":0.85}},
             "timestamp":"2025-05-02T10:15:00+02:00"}
            """)!;
        StatementValidator.Validate(statement, XapiVersion.V200).Should().BeEmpty();
        var authority = new JsonObject { ["mbox"] = "mailto:lms@solna.se", ["objectType"] = "Agent" };
        var prepared = StatementPreparer.Prepare(statement, XapiVersion.V200, new DateTimeOffset(2025, 5, 2, 8, 16, 0, TimeSpan.Zero), authority);

        var found = EvidenceExtractor.Extract(Small, (JsonObject)JsonNode.Parse(prepared.Utf8Json)!).Should().ContainSingle().Subject;
        found.AgentKey.Should().Be("account:https://hr.solna.se 12345");
        found.AchievedAt.Should().Be(new DateTimeOffset(2025, 5, 2, 8, 15, 0, TimeSpan.Zero));
        found.ExpiresAt.Should().Be(new DateTimeOffset(2026, 5, 2, 8, 15, 0, TimeSpan.Zero));
        found.AssessorJson.Should().Be(authority.ToJsonString());
        EvidenceExtractor.Extract(Small, prepared.Node).Should().ContainSingle().Which.Should().Be(found);
    }

    // ------------------------------------------------------------------ sign-offs

    private static JsonObject Verification(Guid target, string verb = Verified, string signer = "nurse", JsonObject? result = null) =>
        Statement(verb, "unused", timestamp: "2025-03-12T14:00:00Z", actor: Agent(signer), result: result,
            @object: new JsonObject { ["objectType"] = "StatementRef", ["id"] = target.ToString("D") });

    [Fact]
    public void A_verified_statement_about_another_statement_is_a_sign_off()
    {
        var target = Guid.NewGuid();
        Signoffs.Recognise(Small, Verification(target)).Should().Be(
            new Signoff(target, Key("nurse"), new DateTimeOffset(2025, 3, 12, 14, 0, 0, TimeSpan.Zero)));
    }

    [Fact]
    public void A_sign_off_verb_on_an_activity_or_another_verb_on_a_statement_is_no_sign_off()
    {
        Signoffs.Recognise(Small, Statement(Verified, TransferSession, actor: Agent("nurse"))).Should().BeNull();
        Signoffs.Recognise(Small, Verification(Guid.NewGuid(), verb: Passed)).Should().BeNull();
    }

    [Fact]
    public void A_verification_that_failed_is_no_sign_off()
    {
        Signoffs.Recognise(Small, Verification(Guid.NewGuid(), result: new JsonObject { ["success"] = false })).Should().BeNull();
        Signoffs.Recognise(Small, Verification(Guid.NewGuid(), result: new JsonObject { ["success"] = true })).Should().NotBeNull();
    }

    [Fact]
    public void The_framework_decides_which_verbs_sign_off()
    {
        var approved = "https://example.com/verbs/approved";
        var f = Small with { SignoffVerbs = [approved] };
        Signoffs.Recognise(f, Verification(Guid.NewGuid(), verb: approved)).Should().NotBeNull();
        Signoffs.Recognise(f, Verification(Guid.NewGuid())).Should().BeNull();
        // Evidence and sign-off verbs are separate: the sign-off statement itself is no evidence.
        EvidenceExtractor.Extract(Small, Verification(Guid.NewGuid())).Should().BeEmpty();
    }
}
