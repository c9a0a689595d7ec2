using System.Text.Json.Nodes;
using Lrs.Core.Competence;

namespace Lrs.Core.Tests;

/// <summary>Frameworks and statements shared by the competence tests, each test building on them with its own values.</summary>
internal static class CompetenceSamples
{
    public const string Activities = "https://demo.lrsapi.se/xapi/activities/";
    public const string Passed = "http://adlnet.gov/expapi/verbs/passed";
    public const string Completed = "http://adlnet.gov/expapi/verbs/completed";
    public const string Attended = "http://adlnet.gov/expapi/verbs/attended";
    public const string VideoCompleted = "https://w3id.org/xapi/video/verbs/completed";
    public const string VideoType = "https://w3id.org/xapi/video/activity-type/video";
    public const string Verified = "https://w3id.org/xapi/tla/verbs/verified";

    public static Framework Parse(string json)
    {
        var (framework, errors) = FrameworkDocument.Parse(JsonNode.Parse(json));
        errors.Should().BeEmpty();
        return framework!;
    }

    /// <summary>
    /// hygien (P1Y, test with success and score ≥ 0.8), forflyttning (P2Y, on-site with sign-off), palliativ (no validity;
    /// webinar recordings by prefix, any video of the palliative type), insulin (P1Y, needs lakemedel, sign-off),
    /// lakemedel (P1Y).
    /// </summary>
    public const string SmallFramework = $$"""
    {
      "competences": [
        { "id": "hygien", "name": { "sv": "Basala hygienrutiner", "en": "Basic hygiene" }, "validity": "P1Y", "category": "safety" },
        { "id": "forflyttning", "name": { "sv": "Förflyttningsteknik" }, "validity": "P2Y" },
        { "id": "palliativ", "name": { "en": "Palliative care" } },
        { "id": "lakemedel", "name": { "sv": "Läkemedel" }, "validity": "P1Y" },
        { "id": "insulin", "name": { "sv": "Insulin" }, "validity": "P1Y", "prerequisites": ["lakemedel"] }
      ],
      "rules": [
        { "id": "hygien-test", "competence": "hygien", "verbs": ["{{Passed}}"],
          "activities": ["{{Activities}}assessments/basal-hygien"], "successRequired": true, "minScaledScore": 0.8 },
        { "id": "forflyttning-session", "competence": "forflyttning", "verbs": ["{{Attended}}", "{{Passed}}"],
          "activities": ["{{Activities}}sessions/forflyttning"], "signoffRequired": true },
        { "id": "palliativ-recording", "competence": "palliativ", "verbs": ["{{VideoCompleted}}"],
          "activityPrefixes": ["{{Activities}}videos/palliativ-vard/"] },
        { "id": "palliativ-any-video", "competence": "palliativ", "verbs": ["{{VideoCompleted}}"],
          "activityTypes": ["https://demo.lrsapi.se/xapi/activity-types/palliative-video"] },
        { "id": "lakemedel-check", "competence": "lakemedel", "verbs": ["{{Passed}}"],
          "activities": ["{{Activities}}performances/deleg-lakemedel"], "successRequired": true, "signoffRequired": true },
        { "id": "insulin-check", "competence": "insulin", "verbs": ["{{Passed}}"],
          "activities": ["{{Activities}}performances/deleg-insulin"], "signoffRequired": true }
      ],
      "roles": [
        { "id": "underskoterska", "name": { "sv": "Undersköterska" }, "requirements": [
          { "competence": "hygien", "level": "required" },
          { "competence": "forflyttning", "level": "required" },
          { "competence": "palliativ", "level": "recommended" },
          { "competence": "lakemedel", "level": "conditional", "duty": "delegated-tasks" },
          { "competence": "insulin", "level": "conditional", "duty": "delegated-tasks" }
        ] },
        { "id": "sjukskoterska", "name": { "sv": "Sjuksköterska" }, "requirements": [
          { "competence": "hygien", "level": "required" },
          { "competence": "palliativ", "level": "required" },
          { "competence": "lakemedel", "level": "recommended" }
        ] }
      ]
    }
    """;

    public static readonly Framework Small = Parse(SmallFramework);

    public static JsonObject Agent(string name) => new() { ["mbox"] = $"mailto:{name}@example.se", ["name"] = name };

    public static string Key(string name) => $"mbox:mailto:{name}@example.se";

    /// <summary>A statement as the LRS stores it (prepared: id, timestamp, stored, authority), parsed from text.</summary>
    public static JsonObject Statement(string verb, string activityId, string timestamp = "2025-03-10T09:00:00.000Z",
        JsonNode? actor = null, string? activityType = null, JsonObject? result = null, JsonObject? context = null,
        JsonObject? @object = null)
    {
        var obj = @object ?? new JsonObject { ["objectType"] = "Activity", ["id"] = activityId };
        if (activityType is not null) obj["definition"] = new JsonObject { ["type"] = activityType };
        var statement = new JsonObject
        {
            ["id"] = Guid.NewGuid().ToString("D"),
            ["actor"] = actor ?? Agent("anna"),
            ["verb"] = new JsonObject { ["id"] = verb },
            ["object"] = obj,
        };
        if (result is not null) statement["result"] = result;
        if (context is not null) statement["context"] = context;
        statement["timestamp"] = timestamp;
        statement["stored"] = "2025-03-10T09:00:01.000Z";
        statement["authority"] = new JsonObject { ["account"] = new JsonObject { ["homePage"] = "https://lms.example.se", ["name"] = "lms" } };
        statement["version"] = "1.0.0";
        // Parsed from text, as statements read from a request or the database are.
        return (JsonObject)JsonNode.Parse(statement.ToJsonString())!;
    }
}
