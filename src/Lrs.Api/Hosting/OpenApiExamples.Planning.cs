using System.Text.Json.Nodes;
using Microsoft.OpenApi;

namespace Lrs.Api.Hosting;

/// <summary>The planning part: needs analysis, deviation reports, unit plans and their progress.</summary>
internal static partial class OpenApiExamples
{
    private static readonly JsonNode ExampleDeviation = JsonNode.Parse("""
        { "id": "5b0f3c9e-2d7a-4e61-9c1b-8a4f2e6d7c30", "date": "2026-11-20", "category": "fall-during-transfer", "competences": ["forflyttning"],
          "reference": "AVV-2026-0113", "plan": "forflyttning-2026", "row": "r1" }
        """)!;

    private static JsonNode ExampleDeviationView() => JsonNode.Parse("""
        { "id": "5b0f3c9e-2d7a-4e61-9c1b-8a4f2e6d7c30", "unit": "ekbacken", "date": "2026-11-20", "category": "fall-during-transfer",
          "competences": ["forflyttning"], "reference": "AVV-2026-0113", "plan": "forflyttning-2026", "row": "r1",
          "statementId": "8c1d2e3f-4a5b-5c6d-8e7f-901a2b3c4d5e", "recorded": "2026-11-21T08:02:11+00:00" }
        """)!;

    private static readonly JsonNode ExampleUnitPlan = JsonNode.Parse("""
        {
          "vision": "Varje förflyttning på Ekbacken är trygg för den boende och för personalen.",
          "goal": "Alla undersköterskor behärskar förflyttningsteknik och använder hjälpmedlen rätt.",
          "startsOn": "2026-07-01", "endsOn": "2027-06-30",
          "measurableGoals": [
            { "id": "usk-forflyttning", "kind": "share-valid", "competence": "forflyttning", "role": "underskoterska", "target": 0.95, "by": "2027-06-30" },
            { "id": "ingen-lucka", "kind": "no-lapse", "competence": "forflyttning", "role": null, "target": null, "by": null }
          ],
          "analysis": [
            { "problem": "Fallolyckor vid förflyttning kvällstid.", "causes": ["Ny personal utan praktisk utbildning", "Lyftselar saknas i två rum"],
              "actions": ["r1", "r2"] }
          ],
          "activities": [
            { "id": "r1", "aspect": "competence", "responsible": "Enhetschef Eva Lind", "activity": "Förflyttningsteknik på Metodikum, två dagar, för tolv undersköterskor",
              "deadline": "2027-03-31", "costSek": 36000, "hours": 192, "status": "ongoing" },
            { "id": "r2", "aspect": "technology", "responsible": "Arbetsterapeut", "activity": "Inventera och komplettera lyftselar", "deadline": "2026-12-31",
              "costSek": 8000, "hours": null, "status": "planned" }
          ]
        }
        """)!;

    private static JsonNode ExampleUnitPlanView()
    {
        var view = new JsonObject { ["unit"] = "ekbacken", ["id"] = "forflyttning-2026", ["version"] = 3, ["updated"] = "2026-11-21T08:00:00+00:00" };
        foreach (var (name, value) in ExampleUnitPlan.AsObject()) view[name] = value?.DeepClone();
        var rows = view["activities"]!.AsArray();
        rows[0]!["deviations"] = JsonNode.Parse("""[ { "id": "5b0f3c9e-2d7a-4e61-9c1b-8a4f2e6d7c30", "date": "2026-11-20", "category": "fall-during-transfer", "reference": "AVV-2026-0113" } ]""");
        rows[1]!["deviations"] = new JsonArray();
        return view;
    }

    private static readonly JsonNode ExampleTrainingPlan = JsonNode.Parse("""
        { "items": [
            { "id": "forflyttning", "competence": "forflyttning", "purpose": "gain",
              "way": { "kind": "on-site", "activities": ["https://learning.solna.se/sessions/forflyttning/2027-02-09"] },
              "dueOn": "2027-03-31", "agreedBy": "Enhetschef Eva Lind", "agreedOn": "2026-11-20" },
            { "id": "demens-artikel", "competence": "demens-abc", "purpose": "gain",
              "way": { "kind": "reading", "activities": ["https://learning.solna.se/articles/bemotande-vid-demens"] },
              "dueOn": "2026-12-15", "agreedBy": "Enhetschef Eva Lind", "agreedOn": "2026-11-20" }
        ] }
        """)!;

    private static JsonNode ExampleTrainingPlanView() => JsonNode.Parse("""
        { "personId": "S-10234", "version": 2, "updated": "2026-11-20T09:12:00+00:00", "computedAt": "2026-11-23T10:00:00+00:00",
          "summary": { "items": 2, "done": 1, "open": 1, "overdue": 0, "onTrack": true },
          "items": [
            { "id": "forflyttning", "competence": "forflyttning", "competenceName": { "sv": "Förflyttningsteknik", "en": "Patient transfer technique" }, "purpose": "gain",
              "way": { "kind": "on-site", "activities": ["https://learning.solna.se/sessions/forflyttning/2027-02-09"] },
              "dueOn": "2027-03-31", "agreedBy": "Enhetschef Eva Lind", "agreedOn": "2026-11-20", "status": "open", "doneAt": null, "doneBy": null, "statementId": null },
            { "id": "demens-artikel", "competence": "demens-abc", "competenceName": { "sv": "Demens ABC", "en": "Dementia ABC" }, "purpose": "gain",
              "way": { "kind": "reading", "activities": ["https://learning.solna.se/articles/bemotande-vid-demens"] },
              "dueOn": "2026-12-15", "agreedBy": "Enhetschef Eva Lind", "agreedOn": "2026-11-20", "status": "done",
              "doneAt": "2026-11-22T19:40:00+00:00", "doneBy": "activity", "statementId": "0199a2b4-aa01-7d40-8f3a-5b6c7d8e9f03" }
          ] }
        """)!;

    private static readonly Dictionary<string, Action<OpenApiOperation>> Planning = new()
    {
        ["PutTrainingPlan"] = op =>
        {
            JsonBody(op, "application/json", ExampleTrainingPlan.DeepClone(), "The whole training plan; it replaces the stored one.");
            ResponseExample(op, "200", "application/json", ExampleTrainingPlanView());
            ResponseExample(op, "400", "application/problem+json", JsonNode.Parse("""
                { "type": "https://tools.ietf.org/html/rfc9110#section-15.5.1", "title": "Invalid training plan", "status": 400,
                  "detail": "1 problem; nothing was stored. $.items[1].way.activities: A reading way names the activities planned.",
                  "errors": { "$.items[1].way.activities": ["A reading way names the activities planned."] } }
                """)!);
        },
        ["GetTrainingPlan"] = op => ResponseExample(op, "200", "application/json", ExampleTrainingPlanView()),
        ["DraftTrainingPlan"] = op =>
        {
            Query(op, "plan", "A plan of the person's unit whose goals' competences come first, due on the goal's date.", example: "forflyttning-2026");
            Query(op, "horizon", "How far ahead a competence about to expire is proposed for renewal: an ISO 8601 duration from P1D to P5Y. Default P6M.", example: "P6M");
            ResponseExample(op, "200", "application/json", JsonNode.Parse("""
                { "personId": "S-10234", "plan": "forflyttning-2026", "items": [
                    { "id": "gain-forflyttning", "competence": "forflyttning", "purpose": "gain",
                      "way": { "kind": "practical", "activities": [] }, "dueOn": "2027-06-30", "agreedBy": null, "agreedOn": "2026-11-23" },
                    { "id": "renew-basal-hygien", "competence": "basal-hygien", "purpose": "renew",
                      "way": { "kind": "e-learning", "activities": ["https://demo.lrsapi.se/xapi/activities/assessments/basal-hygien"] },
                      "dueOn": "2026-12-09", "agreedBy": null, "agreedOn": "2026-11-23" }
                ] }
                """)!);
        },
        ["ListUnitTrainingPlans"] = op => ResponseExample(op, "200", "application/json", JsonNode.Parse("""
            { "unit": "ekbacken", "members": 3, "withPlan": 2, "onTrack": 1, "computedAt": "2026-11-23T10:00:00+00:00",
              "people": [
                { "personId": "S-10234", "name": "Anna Andersson", "hasPlan": true, "summary": { "items": 2, "done": 1, "open": 1, "overdue": 0, "onTrack": true } },
                { "personId": "S-10377", "name": "Bo Berg", "hasPlan": true, "summary": { "items": 1, "done": 0, "open": 0, "overdue": 1, "onTrack": false } },
                { "personId": "S-10412", "name": "Cecilia Ek", "hasPlan": false, "summary": null }
              ],
              "overdue": [ { "personId": "S-10377", "itemId": "hlr", "competence": "hlr", "dueOn": "2026-11-15" } ] }
            """)!),
        ["GetUnitNeeds"] = op =>
        {
            Query(op, "horizon", "How far ahead expiring competences count, and how far back deviation reports do: an ISO 8601 duration from P1D to P5Y. Default P6M.", example: "P6M");
            ResponseExample(op, "200", "application/json", JsonNode.Parse("""
                {
                  "unit": "ekbacken", "organisation": "solna-stad", "members": 46, "horizon": "P6M", "computedAt": "2026-11-23T10:00:00+00:00",
                  "expiringUntil": "2027-05-23T10:00:00+00:00", "deviationsSince": "2026-05-23",
                  "needs": [
                    { "rank": 1, "kind": "missing", "competence": "forflyttning", "competenceName": { "sv": "Förflyttningsteknik", "en": "Patient transfer technique" },
                      "role": "underskoterska", "duty": null, "score": 27, "count": 8, "of": 38, "people": ["S-10234", "S-10377"],
                      "reason": "8 of 38 underskoterska lack forflyttning, which the role requires (5 missing, 2 expired, 1 pending-signoff). 3 deviation reports point at it too.",
                      "prerequisites": [], "template": null, "deviations": [] },
                    { "rank": 2, "kind": "deviation", "competence": "forflyttning", "competenceName": { "sv": "Förflyttningsteknik", "en": "Patient transfer technique" },
                      "role": null, "duty": null, "score": 6, "count": 3, "of": 46, "people": [],
                      "reason": "3 deviation reports of the last P6M point at forflyttning (categories: fall-during-transfer).",
                      "prerequisites": [], "template": null, "deviations": ["5b0f3c9e-2d7a-4e61-9c1b-8a4f2e6d7c30"] },
                    { "rank": 3, "kind": "expiring", "competence": "basal-hygien", "competenceName": { "sv": "Basala hygienrutiner och klädregler", "en": "Basic hygiene routines" },
                      "role": "underskoterska", "duty": null, "score": 4, "count": 2, "of": 38, "people": ["S-10412", "S-10433"],
                      "reason": "2 of 38 underskoterska hold basal-hygien, but it expires within P6M (first on 2026-12-10).",
                      "prerequisites": [], "template": null, "deviations": [] },
                    { "rank": 4, "kind": "unanswered-reflection", "competence": "demens-abc", "competenceName": { "sv": "Demens ABC", "en": "Dementia ABC" },
                      "role": null, "duty": null, "score": 3, "count": 3, "of": 46, "people": ["S-10377", "S-10501", "S-10502"],
                      "reason": "3 reflection tasks on demens-abc (template demens-apt) of 3 members are past due and unanswered.",
                      "prerequisites": [], "template": "demens-apt", "deviations": [] }
                  ]
                }
                """)!);
            ResponseExample(op, "400", "application/problem+json", JsonNode.Parse("""
                { "type": "https://tools.ietf.org/html/rfc9110#section-15.5.1", "title": "Invalid horizon", "status": 400,
                  "detail": "horizon 'six months' is not an ISO 8601 duration from P1D to P5Y, like P6M." }
                """)!);
        },
        ["ReportDeviation"] = op =>
        {
            JsonBody(op, "application/json", ExampleDeviation.DeepClone(),
                "The deviation report: date, category, competences, reference; plan and row optionally; id optionally. No other property: no text about residents.");
            ResponseExample(op, "201", "application/json", ExampleDeviationView());
            ResponseExample(op, "400", "application/problem+json", JsonNode.Parse("""
                { "type": "https://tools.ietf.org/html/rfc9110#section-15.5.1", "title": "Unknown property", "status": 400,
                  "detail": "1 problem; nothing was stored. $.description: is not a property of this body (properties: id, date, category, competences, reference, plan, row)",
                  "errors": { "$.description": ["is not a property of this body (properties: id, date, category, competences, reference, plan, row)"] } }
                """)!);
        },
        ["ListDeviations"] = op =>
        {
            Query(op, "from", "The first day (yyyy-MM-dd); default 365 days ago.", example: "2026-01-01");
            Query(op, "to", "The last day (yyyy-MM-dd); default today.", example: "2026-12-31");
            ResponseExample(op, "200", "application/json", new JsonObject
            {
                ["unit"] = "ekbacken", ["from"] = "2026-01-01", ["to"] = "2026-12-31", ["deviations"] = new JsonArray(ExampleDeviationView()),
            });
        },
        ["PutUnitPlan"] = op =>
        {
            JsonBody(op, "application/json", ExampleUnitPlan.DeepClone(), "The whole plan; it replaces the stored one.");
            ResponseExample(op, "200", "application/json", ExampleUnitPlanView());
            ResponseExample(op, "400", "application/problem+json", JsonNode.Parse("""
                { "type": "https://tools.ietf.org/html/rfc9110#section-15.5.1", "title": "Invalid unit plan", "status": 400,
                  "detail": "2 problems; nothing was stored. $.measurableGoals[0].target: target is a share above 0 and at most 1, like 0.95.",
                  "errors": { "$.measurableGoals[0].target": ["target is a share above 0 and at most 1, like 0.95."],
                              "$.activities[1].aspect": ["aspect is one of competence, organisation, process, technology, governance."] } }
                """)!);
        },
        ["GetUnitPlan"] = op => ResponseExample(op, "200", "application/json", ExampleUnitPlanView()),
        ["GetUnitPlanProgress"] = op => ResponseExample(op, "200", "application/json", JsonNode.Parse("""
            {
              "unit": "ekbacken", "plan": "forflyttning-2026", "startsOn": "2026-07-01", "timeZone": "Europe/Stockholm", "computedAt": "2026-11-23T10:00:00+00:00",
              "goals": [
                { "id": "usk-forflyttning", "kind": "share-valid", "competence": "forflyttning", "role": "underskoterska", "target": 0.95, "dueOn": "2027-06-30",
                  "today": { "month": null, "asOf": "2026-11-23T10:00:00+00:00", "value": 0.7895, "count": 30, "of": 38, "met": false },
                  "months": [
                    { "month": "2026-07", "asOf": "2026-07-31T21:59:59.999999+00:00", "value": 0.6216, "count": 23, "of": 37, "met": false },
                    { "month": "2026-08", "asOf": "2026-08-31T21:59:59.999999+00:00", "value": 0.6216, "count": 23, "of": 37, "met": false },
                    { "month": "2026-09", "asOf": "2026-09-30T21:59:59.999999+00:00", "value": 0.6842, "count": 26, "of": 38, "met": false },
                    { "month": "2026-10", "asOf": "2026-10-31T22:59:59.999999+00:00", "value": 0.7368, "count": 28, "of": 38, "met": false },
                    { "month": "2026-11", "asOf": "2026-11-23T10:00:00+00:00", "value": 0.7895, "count": 30, "of": 38, "met": false }
                  ] },
                { "id": "ingen-lucka", "kind": "no-lapse", "competence": "forflyttning", "role": null, "target": 0, "dueOn": "2027-06-30",
                  "today": { "month": null, "asOf": "2026-11-23T10:00:00+00:00", "value": 1, "count": 1, "of": 46, "met": false },
                  "months": [
                    { "month": "2026-07", "asOf": "2026-07-31T21:59:59.999999+00:00", "value": 0, "count": 0, "of": 45, "met": true },
                    { "month": "2026-08", "asOf": "2026-08-31T21:59:59.999999+00:00", "value": 0, "count": 0, "of": 45, "met": true },
                    { "month": "2026-09", "asOf": "2026-09-30T21:59:59.999999+00:00", "value": 1, "count": 1, "of": 46, "met": false },
                    { "month": "2026-10", "asOf": "2026-10-31T22:59:59.999999+00:00", "value": 1, "count": 1, "of": 46, "met": false },
                    { "month": "2026-11", "asOf": "2026-11-23T10:00:00+00:00", "value": 1, "count": 1, "of": 46, "met": false }
                  ] }
              ]
            }
            """)!),
    };
}
