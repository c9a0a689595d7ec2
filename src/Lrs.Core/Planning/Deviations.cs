using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Lrs.Core.Competence;
using Lrs.Core.Xapi;

namespace Lrs.Core.Planning;

/// <summary>
/// A deviation report of a unit (an avvikelse): the date, a category, the competences it points at and a reference to the
/// case in the employer's own deviation system. It carries no text: what happened to a resident stays in that system.
/// </summary>
/// <param name="Id">The report's id; the object of its statement is <c>https://lrsapi.se/xapi/activities/deviation/{id}</c>.</param>
/// <param name="UnitId">The unit that reported it.</param>
/// <param name="Date">When the deviation occurred.</param>
/// <param name="Category">A category token, e.g. <c>fall-during-transfer</c>.</param>
/// <param name="Reference">The case's reference in the deviation system, e.g. <c>AVV-2026-0113</c>.</param>
/// <param name="Competences">Competence ids it points at, at least one.</param>
/// <param name="PlanId">The unit plan whose activity row it is logged against; null for none.</param>
/// <param name="PlanRow">That row's id; null for none.</param>
/// <param name="StatementId">The id of its xAPI statement.</param>
/// <param name="Recorded">When the LRS recorded it.</param>
public sealed record DeviationReport(Guid Id, string UnitId, DateOnly Date, string Category, string Reference, IReadOnlyList<string> Competences,
    string? PlanId, string? PlanRow, Guid StatementId, DateTimeOffset Recorded);

/// <summary>The xAPI shape of a deviation report (documented in the project's xAPI profile) and the rules of its fields.</summary>
public static partial class Deviations
{
    /// <summary>The verb of a deviation report.</summary>
    public const string ReportedVerb = "https://lrsapi.se/xapi/verbs/reported";

    /// <summary>The activity type of a deviation report.</summary>
    public const string ActivityType = "https://lrsapi.se/xapi/activity-types/deviation-report";

    /// <summary>The prefix of a deviation report's activity IRI; the report's id follows.</summary>
    public static readonly string ActivityPrefix = Reflection.ReflectionStatements.Namespace + "activities/deviation/";

    /// <summary>Context extension: the unit's id.</summary>
    public const string UnitExtension = "https://lrsapi.se/xapi/extensions/unit";

    /// <summary>Context extension: the category.</summary>
    public const string CategoryExtension = "https://lrsapi.se/xapi/extensions/deviation-category";

    /// <summary>Context extension: the caller's reference.</summary>
    public const string ReferenceExtension = "https://lrsapi.se/xapi/extensions/reference";

    /// <summary>
    /// The <c>account.homePage</c> of a unit as an xAPI actor (the account's name is the unit's id): the same identity a unit
    /// has as <c>context.team</c> of group reflections.
    /// </summary>
    public const string UnitHomePage = "https://lrsapi.se/xapi/units";

    /// <summary>The prefix of a competence's activity IRI in <c>contextActivities.other</c>; the competence's framework id follows.</summary>
    public static readonly string CompetencePrefix = Reflection.ReflectionStatements.Namespace + "competences/";

    // The namespace of the statements' name-based ids: a retried report stores the same statement.
    private static readonly Guid StatementIds = new("0b6f3c52-9a4e-4d7b-8e21-c5d0f9a7e413");

    /// <summary>The activity IRI of a competence of the framework.</summary>
    public static string CompetenceIri(string competenceId) => CompetencePrefix + Uri.EscapeDataString(competenceId);

    /// <summary>The unit as the actor of its reports.</summary>
    public static JsonObject UnitAgent(string unitId) => new()
    {
        ["objectType"] = "Agent",
        ["account"] = new JsonObject { ["homePage"] = UnitHomePage, ["name"] = unitId },
    };

    /// <summary>The id of the statement of report <paramref name="reportId"/>.</summary>
    public static Guid StatementIdOf(Guid reportId) => NameBasedUuid.Create(StatementIds, reportId.ToString("D"));

    /// <summary>A category: lower-case letters, digits and hyphens, 1–64 characters, starting with a letter or digit. No room for prose.</summary>
    public static bool IsCategory(string? text) => text is not null && Category().IsMatch(text);

    /// <summary>A reference: letters, digits and <c>. _ : / -</c>, no spaces, 1–64 characters. A case number, not a description.</summary>
    public static bool IsReference(string? text) => text is not null && Reference().IsMatch(text);

    /// <summary>
    /// The statement (xAPI 1.0.3) of a report: the unit <see cref="UnitAgent"/> <see cref="ReportedVerb"/> the report's activity,
    /// the competences as <c>contextActivities.other</c>, unit, category and reference as context extensions, the timestamp the
    /// start of the report's date in <paramref name="zone"/>.
    /// </summary>
    public static JsonObject Statement(DeviationReport report, Framework framework, TimeZoneInfo zone)
    {
        var local = report.Date.ToDateTime(TimeOnly.MinValue);
        var timestamp = new DateTimeOffset(local, zone.GetUtcOffset(local));
        var others = new JsonArray();
        foreach (var id in report.Competences)
        {
            var activity = new JsonObject { ["objectType"] = "Activity", ["id"] = CompetenceIri(id) };
            if (framework.FindCompetence(id)?.Name is { } name)
            {
                var names = new JsonObject();
                if (name.Sv is not null) names["sv-SE"] = name.Sv;
                if (name.En is not null) names["en-US"] = name.En;
                if (names.Count > 0) activity["definition"] = new JsonObject { ["name"] = names };
            }
            others.Add(activity);
        }
        return new JsonObject
        {
            ["id"] = report.StatementId.ToString("D"),
            ["actor"] = UnitAgent(report.UnitId),
            ["verb"] = new JsonObject { ["id"] = ReportedVerb, ["display"] = new JsonObject { ["en-US"] = "reported", ["sv-SE"] = "rapporterade" } },
            ["object"] = new JsonObject
            {
                ["objectType"] = "Activity",
                ["id"] = ActivityPrefix + report.Id.ToString("D"),
                ["definition"] = new JsonObject
                {
                    ["type"] = ActivityType,
                    ["name"] = new JsonObject { ["en-US"] = "Deviation report", ["sv-SE"] = "Avvikelserapport" },
                },
            },
            ["context"] = new JsonObject
            {
                ["contextActivities"] = new JsonObject { ["other"] = others },
                ["extensions"] = new JsonObject
                {
                    [UnitExtension] = report.UnitId,
                    [CategoryExtension] = report.Category,
                    [ReferenceExtension] = report.Reference,
                },
            },
            ["timestamp"] = timestamp.ToString("yyyy-MM-ddTHH:mm:sszzz", CultureInfo.InvariantCulture),
        };
    }

    [GeneratedRegex("^[a-z0-9][a-z0-9-]{0,63}$")]
    private static partial Regex Category();

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._:/-]{0,63}$")]
    private static partial Regex Reference();
}
