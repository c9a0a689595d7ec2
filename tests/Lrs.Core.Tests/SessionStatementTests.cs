using System.Text;
using System.Text.Json.Nodes;
using Lrs.Core.Learning;
using Lrs.Core.Xapi;

namespace Lrs.Core.Tests;

public class SessionStatementTests
{
    private static readonly LearningActivity Course = new("https://demo.lrsapi.se/xapi/activities/sessions/hlr",
        new JsonObject { ["sv-SE"] = "HLR" }, SessionInputReader.CourseType);
    private static readonly JsonObject Trainer = new() { ["mbox"] = "mailto:trainer@metodikum.example" };
    private static readonly DateTimeOffset Start = new(2026, 3, 2, 8, 0, 0, TimeSpan.FromHours(1));

    private static SessionContext Context(XapiVersion version) => new(SessionKind.OnSite, "hlr-1", Course, Start, Start.AddHours(3),
        new LearningPlace("https://demo.lrsapi.se/xapi/activities/learning-centres/metodikum", "Metodikum"), [Trainer], version);

    private static ResolvedAgent Anna => new("person:S-1", "S-1", "solna", new JsonObject { ["account"] = new JsonObject { ["homePage"] = "https://hr.example", ["name"] = "S-1" } });
    private static ResolvedAgent Omar => new("person:S-2", "S-2", "solna", new JsonObject { ["account"] = new JsonObject { ["homePage"] = "https://hr.example", ["name"] = "S-2" } });

    private static PlannedParticipant Plan(SessionContext context, ResolvedAgent who, string outcome) =>
        new(who.Key, who.PersonId, who.OrganisationId, who.Agent, outcome, new JsonObject(),
            voided => SessionStatements.ForParticipant(context, who, outcome, outcome == "passed" ? Trainer : null, null, voided));

    [Theory]
    [InlineData(XapiVersion.V103)]
    [InlineData(XapiVersion.V200)]
    public void Session_statements_are_valid_for_the_version_written_and_name_the_trainer_as_it_allows(XapiVersion version)
    {
        var statements = SessionStatements.ForParticipant(Context(version), Anna, "passed", new JsonObject { ["mbox"] = "mailto:nurse@solna.example" }, null, new HashSet<Guid>());

        statements.Select(s => s["verb"]!["id"]!.GetValue<string>()).Should().Equal(SessionStatements.AttendedVerb, SessionStatements.PassedVerb, SessionStatements.VerifiedVerb);
        foreach (var s in statements) StatementValidator.Validate(s, version).Should().BeEmpty();
        statements[2]["object"]!["id"]!.GetValue<string>().Should().Be(statements[1]["id"]!.GetValue<string>());
        (statements[0]["context"]!["contextAgents"] is not null).Should().Be(version == XapiVersion.V200);
        statements[0]["context"]!["instructor"]!["mbox"]!.GetValue<string>().Should().Be("mailto:trainer@metodikum.example");
    }

    [Fact]
    public void Building_again_gives_the_same_ids_and_a_voided_id_is_never_reused()
    {
        var first = SessionStatements.ForParticipant(Context(XapiVersion.V200), Anna, "attended", null, null, new HashSet<Guid>());
        var again = SessionStatements.ForParticipant(Context(XapiVersion.V200), Anna, "attended", null, null, new HashSet<Guid>());
        again[0].ToJsonString().Should().Be(first[0].ToJsonString());

        var id = Guid.Parse(first[0]["id"]!.GetValue<string>());
        id.Version.Should().Be(5);
        var afterVoiding = SessionStatements.ForParticipant(Context(XapiVersion.V200), Anna, "attended", null, null, new HashSet<Guid> { id });
        Guid.Parse(afterVoiding[0]["id"]!.GetValue<string>()).Should().NotBe(id);
    }

    [Fact]
    public void Reconciling_voids_only_what_changed_and_keeps_removed_participants_with_their_voided_ids()
    {
        var context = Context(XapiVersion.V200);
        var created = SessionReconciler.Reconcile([], [Plan(context, Anna, "attended"), Plan(context, Omar, "attended")]);
        created.Changes.Should().Be(new SessionChanges(2, 0, 0, 0, 2, 0));

        var same = SessionReconciler.Reconcile(created.Participants, [Plan(context, Anna, "attended"), Plan(context, Omar, "attended")]);
        same.Changes.IsNone.Should().BeTrue();

        var corrected = SessionReconciler.Reconcile(created.Participants, [Plan(context, Anna, "passed")]);
        corrected.Changes.Should().Be(new SessionChanges(0, 1, 1, 0, 2, 1));
        corrected.Statements.Count(s => s["verb"]!["id"]!.GetValue<string>() == StatementPreparer.VoidedVerb).Should().Be(1, "Anna's attended stays; Omar's is voided");
        var omar = corrected.Participants.Single(p => p.PersonId == "S-2");
        omar.Outcome.Should().Be(SessionReconciler.Removed);
        omar.VoidedIds.Should().Equal(created.Participants.Single(p => p.PersonId == "S-2").StatementIds);
    }

    private static (IReadOnlyList<AttendanceRow> Rows, IReadOnlyList<ValidationError> Errors) Read(string csv, Encoding? encoding = null) =>
        WebinarAttendance.Read(new MemoryStream((encoding ?? Encoding.UTF8).GetPreamble().Concat((encoding ?? Encoding.UTF8).GetBytes(csv)).ToArray()), TimeSpan.FromHours(2));

    [Fact]
    public void A_Teams_report_in_UTF_16_with_a_summary_section_is_read_from_its_participant_table()
    {
        const string Teams = "1. Summary\nMeeting title\tPalliativ vård\n\n2. Participants\n" +
            "Full Name\tJoin Time\tLeave Time\tDuration\tEmail\tParticipant ID (UPN)\tRole\n" +
            "Anna Andersson\t4/14/26, 1:00:12 PM\t4/14/26, 1:55:00 PM\t54m 48s\tanna@solna.example\tanna@solna.example\tAttendee\n" +
            "Omar Hassan\t4/14/26, 1:10:00 PM\t4/14/26, 2:10:00 PM\t1h 0m 0s\t\tomar@solna.example\tAttendee\n" +
            "\n3. In-Meeting Activities\nName\tJoin Time\n";
        var (rows, errors) = Read(Teams, Encoding.Unicode);

        errors.Should().BeEmpty();
        rows.Select(r => (r.Email, r.Duration)).Should().Equal(("anna@solna.example", new TimeSpan(0, 54, 48)), ("omar@solna.example", TimeSpan.FromHours(1)));
        rows[0].Joined.Should().Be(new DateTimeOffset(2026, 4, 14, 13, 0, 12, TimeSpan.FromHours(2)), "a time without an offset is at the webinar's");
    }

    [Fact]
    public void Every_bad_row_is_reported_with_its_line()
    {
        const string Plain = "name,email,employeeId,joinTime,leaveTime,durationMinutes\n" +
            "Anna,,S-1,2026-04-14T13:00:00Z,2026-04-14T12:00:00Z,\n" +
            "Bo,,,2026-04-14T13:00:00Z,,30\n" +
            "Sara,sara@solna.example,,2026-04-14T13:00:00Z,,many\n" +
            "Omar,omar@solna.example,,2026-04-14T13:00:00Z,,45\n";
        var (rows, errors) = Read(Plain);

        rows.Should().BeEmpty("all or nothing");
        errors.Select(e => e.Path).Should().Equal("row 2", "row 3", "row 4");
        errors[0].Message.Should().Contain("leaves before joining");
    }
}
