using System.Text.Json.Nodes;
using Microsoft.OpenApi;

namespace Lrs.Api.Hosting;

/// <summary>The competence part: framework, profiles, gaps, expiring competences.</summary>
internal static partial class OpenApiExamples
{
    private static readonly JsonNode ExampleFramework = JsonNode.Parse("""
        {
          "competences": [
            { "id": "basal-hygien", "name": { "sv": "Basala hygienrutiner och klädregler", "en": "Basic hygiene routines" }, "validity": "P1Y", "category": "hygien", "prerequisites": [] },
            { "id": "forflyttning", "name": { "sv": "Förflyttningsteknik", "en": "Patient transfer technique" }, "validity": "P2Y", "category": "praktik", "prerequisites": [] }
          ],
          "rules": [
            { "id": "basal-hygien-test", "competence": "basal-hygien", "verbs": ["http://adlnet.gov/expapi/verbs/passed"],
              "activities": ["https://demo.lrsapi.se/xapi/activities/assessments/basal-hygien"], "successRequired": true, "minScaledScore": 0.8 },
            { "id": "forflyttning-praktik", "competence": "forflyttning", "verbs": ["http://adlnet.gov/expapi/verbs/passed"],
              "activityPrefixes": ["https://demo.lrsapi.se/xapi/activities/sessions/forflyttning"], "successRequired": true, "signoffRequired": true }
          ],
          "roles": [
            { "id": "underskoterska", "name": { "sv": "Undersköterska", "en": "Assistant nurse" },
              "requirements": [ { "competence": "basal-hygien", "level": "required" }, { "competence": "forflyttning", "level": "required" } ] }
          ],
          "signoffVerbs": ["https://w3id.org/xapi/tla/verbs/verified"],
          "reflectionTemplates": [
            { "id": "forflyttning-uppfoljning", "kind": "follow-up", "delay": "P8W", "title": { "sv": "Uppföljning: förflyttningsteknik", "en": "Follow-up: patient transfer" },
              "prompts": [ { "id": "anvant", "text": { "sv": "Har du använt förflyttningstekniken i ditt arbete sedan utbildningen?", "en": "Have you used the transfer technique in your work since the training?" } } ],
              "trigger": { "competence": "forflyttning" }, "mode": "individual", "dueIn": "P14D" }
          ]
        }
        """)!;

    private static readonly JsonNode ExampleFrameworkChanged = JsonNode.Parse("""
        { "version": 4, "updated": "2026-11-02T08:15:00+00:00", "rebuild": { "statementsScanned": 18240, "added": 312, "changed": 0, "retracted": 4 } }
        """)!;

    private static readonly JsonNode ExampleInvalidFramework = JsonNode.Parse("""
        { "type": "https://tools.ietf.org/html/rfc9110#section-15.5.1", "title": "The framework is not valid", "status": 400,
          "errors": { "$.competences[0].validity": ["must be an ISO 8601 duration such as P1Y"], "$.rules[1].competence": ["names no competence of the framework: 'forflytning'"] } }
        """)!;

    private static readonly JsonNode ExampleProfile = JsonNode.Parse("""
        {
          "personId": "S-10234", "name": "Anna Andersson", "organisation": "solna-stad", "units": ["ekbacken"], "roles": ["underskoterska"],
          "computedAt": "2026-11-23T10:00:00+00:00",
          "competences": [
            { "competence": "basal-hygien", "name": { "sv": "Basala hygienrutiner och klädregler", "en": "Basic hygiene routines" }, "status": "expiring",
              "requirement": "required", "duty": null, "achievedAt": "2025-12-10T09:41:00+00:00", "expiresAt": "2026-12-10T09:41:00+00:00",
              "evidence": ["0199a2b4-7c1e-7d40-8f3a-5b6c7d8e9f01"], "unmetPrerequisites": [] },
            { "competence": "forflyttning", "name": { "sv": "Förflyttningsteknik", "en": "Patient transfer technique" }, "status": "pending-signoff",
              "requirement": "required", "duty": null, "achievedAt": "2026-11-02T13:00:00+00:00", "expiresAt": "2028-11-02T13:00:00+00:00",
              "evidence": ["0199a2b4-91aa-7d40-8f3a-5b6c7d8e9f02"], "unmetPrerequisites": [] },
            { "competence": "deleg-insulin", "name": { "sv": "Delegering: insulin", "en": "Delegation: insulin pen" }, "status": "missing",
              "requirement": "required", "duty": "delegated-tasks", "achievedAt": null, "expiresAt": null, "evidence": [], "unmetPrerequisites": ["deleg-lakemedel"] }
          ]
        }
        """)!;

    private static readonly Dictionary<string, Action<OpenApiOperation>> Competence = new()
    {
        ["ExportFramework"] = op => ResponseExample(op, "200", "application/json", ExampleFramework.DeepClone()),
        ["ImportFramework"] = op =>
        {
            Body(op, ExampleFramework.DeepClone());
            ResponseExample(op, "200", "application/json", ExampleFrameworkChanged.DeepClone());
            ResponseExample(op, "400", "application/problem+json", ExampleInvalidFramework.DeepClone());
        },
        ["GetFrameworkItem"] = op => ResponseExample(op, "200", "application/json", ExampleFramework["competences"]![0]!.DeepClone()),
        ["PutFrameworkItem"] = op =>
        {
            Body(op, JsonNode.Parse("""{ "name": { "sv": "Lex Sarah – rapporteringsskyldighet", "en": "Duty to report mistreatment" }, "validity": "P1Y", "category": "lagstiftning" }""")!);
            ResponseExample(op, "200", "application/json", ExampleFrameworkChanged.DeepClone());
            ResponseExample(op, "409", "application/problem+json", JsonNode.Parse("""
                { "type": "https://tools.ietf.org/html/rfc9110#section-15.5.10", "title": "The framework would not be valid", "status": 409,
                  "detail": "$.roles[0].requirements[1].competence: names no competence of the framework: 'forflyttning'" }
                """)!);
        },
        ["DeleteFrameworkItem"] = op => ResponseExample(op, "200", "application/json", ExampleFrameworkChanged.DeepClone()),
        ["RebuildEvidence"] = op => ResponseExample(op, "200", "application/json", ExampleFrameworkChanged["rebuild"]!.DeepClone()),
        ["GetProfile"] = op =>
        {
            Query(op, "asOf", "A past moment (RFC 3339): the profile as it stood then, from the evidence, voidings, sign-offs and the person's roles and units of then. Default now.",
                example: "2026-06-30T23:59:59+02:00");
            ResponseExample(op, "200", "application/json", ExampleProfile.DeepClone());
        },
        ["ListProfiles"] = op => ResponseExample(op, "200", "application/json", new JsonObject
        {
            ["profiles"] = new JsonArray(ExampleProfile.DeepClone()),
            ["more"] = "/api/profiles?organisation=solna-stad&changedSince=2026-11-22T02%3A00%3A00.0000000%2B00%3A00&limit=100&cursor=S-10234",
        }),
        ["GetUnitGaps"] = op => ResponseExample(op, "200", "application/json", JsonNode.Parse("""
            {
              "unit": "ekbacken", "organisation": "solna-stad", "members": 48, "computedAt": "2026-11-23T10:00:00+00:00",
              "people": [
                { "personId": "S-10234", "name": "Anna Andersson", "roles": ["underskoterska"],
                  "lacking": [ { "competence": "forflyttning", "name": { "sv": "Förflyttningsteknik", "en": "Patient transfer technique" }, "status": "pending-signoff",
                                 "requirement": "required", "duty": null, "achievedAt": "2026-11-02T13:00:00+00:00", "expiresAt": "2028-11-02T13:00:00+00:00",
                                 "evidence": ["0199a2b4-91aa-7d40-8f3a-5b6c7d8e9f02"], "unmetPrerequisites": [] } ],
                  "expiring": [ { "competence": "basal-hygien", "name": { "sv": "Basala hygienrutiner och klädregler", "en": "Basic hygiene routines" }, "status": "expiring",
                                  "requirement": "required", "duty": null, "achievedAt": "2025-12-10T09:41:00+00:00", "expiresAt": "2026-12-10T09:41:00+00:00",
                                  "evidence": ["0199a2b4-7c1e-7d40-8f3a-5b6c7d8e9f01"], "unmetPrerequisites": [] } ] }
              ],
              "coverage": [
                { "competence": "basal-hygien", "name": { "sv": "Basala hygienrutiner och klädregler", "en": "Basic hygiene routines" }, "required": 46, "valid": 41, "expiring": 6, "lacking": 5 },
                { "competence": "forflyttning", "name": { "sv": "Förflyttningsteknik", "en": "Patient transfer technique" }, "required": 46, "valid": 38, "expiring": 2, "lacking": 8 }
              ]
            }
            """)!),
        ["ListExpiring"] = op => ResponseExample(op, "200", "application/json", JsonNode.Parse("""
            { "until": "2026-12-23T10:00:00+00:00",
              "expiring": [ { "personId": "S-10234", "name": "Anna Andersson", "units": ["ekbacken"], "competence": "basal-hygien",
                           "competenceName": { "sv": "Basala hygienrutiner och klädregler", "en": "Basic hygiene routines" }, "expiresAt": "2026-12-10T09:41:00+00:00" } ] }
            """)!),
    };
}
