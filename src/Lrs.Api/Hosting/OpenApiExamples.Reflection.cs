using System.Text.Json.Nodes;
using Microsoft.OpenApi;

namespace Lrs.Api.Hosting;

/// <summary>The reflection part: tasks, answers, group reflections, follow-up.</summary>
internal static partial class OpenApiExamples
{
    private static readonly JsonNode ExampleTask = JsonNode.Parse("""
        {
          "id": "6f1c2d3e-4b5a-4c6d-8e7f-9a0b1c2d3e4f", "templateId": "basal-hygien-reflektion",
          "title": { "sv": "Reflektion efter basala hygienrutiner", "en": "Reflection after basic hygiene routines" }, "mode": "individual", "kind": "reflection",
          "personId": "S-10234", "agent": { "objectType": "Agent", "account": { "homePage": "https://hr.solna.se", "name": "10234" } },
          "registration": "2b6e1f0a-3c4d-4e5f-8a9b-0c1d2e3f4a5b", "triggeringStatementId": "0199a2b4-7c1e-7d40-8f3a-5b6c7d8e9f01",
          "training": { "id": "https://demo.lrsapi.se/xapi/activities/assessments/basal-hygien", "name": { "sv-SE": "Hygienkörkortet: test" } },
          "triggeredAt": "2026-11-10T09:41:00+00:00", "availableFrom": "2026-11-10T09:41:00+00:00", "dueAt": "2026-11-24T09:41:00+00:00", "status": "answered", "overdue": false,
          "answeredAt": "2026-11-12T14:02:00+00:00", "sharedWithGroup": true, "groupReflectionId": null,
          "prompts": [
            { "id": "handtvatt", "text": { "sv": "Varför är det viktigt att följa hygienrutiner kring handtvätt?", "en": "Why is it important to follow the hygiene routines for hand washing?" } },
            { "id": "samma-handskar", "text": { "sv": "Vad kan hända om du använder samma handskar när du hjälper olika brukare?", "en": "What can happen if you wear the same gloves when you help different people?" } }
          ],
          "answerCount": 2,
          "answers": [
            { "promptId": "handtvatt", "response": "Händerna är den vanligaste vägen för smitta mellan brukare.", "statementId": "0199a2c1-1a2b-7c3d-8e4f-5a6b7c8d9e01", "answeredAt": "2026-11-12T14:02:00+00:00", "score": null },
            { "promptId": "samma-handskar", "response": "Smitta förs från en brukare till nästa.", "statementId": "0199a2c1-1a2b-7c3d-8e4f-5a6b7c8d9e02", "answeredAt": "2026-11-12T14:02:00+00:00", "score": null }
          ],
          "updated": "2026-11-12T14:02:00+00:00"
        }
        """)!;

    private static readonly JsonNode ExampleGroupReflection = JsonNode.Parse("""
        {
          "id": "8d0e6a52-3f1b-4c2d-9e8f-7a6b5c4d3e2f", "unit": "ekbacken",
          "meetingActivityId": "https://lrsapi.se/xapi/reflection/meetings/8d0e6a52-3f1b-4c2d-9e8f-7a6b5c4d3e2f",
          "heldAt": "2026-11-20T13:00:00+01:00", "facilitator": { "objectType": "Agent", "account": { "homePage": "https://hr.solna.se", "name": "10001" } },
          "templates": ["demens-abc-apt"], "attendeeCount": 2,
          "attendees": [
            { "personId": "S-10234", "name": "Anna Andersson", "agent": { "objectType": "Agent", "account": { "homePage": "https://hr.solna.se", "name": "10234" } }, "statementId": "5e0c7f1a-2b3c-5d4e-8f9a-0b1c2d3e4f5a" },
            { "personId": "S-10240", "name": "Bo Berg", "agent": { "objectType": "Agent", "account": { "homePage": "https://hr.solna.se", "name": "10240" } }, "statementId": "5e0c7f1a-2b3c-5d4e-8f9a-0b1c2d3e4f5b" }
          ],
          "notes": "Vi prövar en lugnare kvällsrutin och följer upp på nästa APT.",
          "sharedAnswers": [ { "personId": "S-10234", "name": "Anna Andersson", "promptId": "demens-oro", "response": "En brukare blev orolig när kvällsrutinen ändrades.", "answeredAt": "2026-11-18T10:00:00+00:00" } ],
          "recorded": "2026-11-20T14:05:00+00:00"
        }
        """)!;

    private static readonly Dictionary<string, Action<OpenApiOperation>> Reflection = new()
    {
        ["ListReflectionTasks"] = op => ResponseExample(op, "200", "application/json", new JsonObject
        {
            ["tasks"] = new JsonArray(ExampleTask.DeepClone()),
            ["more"] = "/api/reflection-tasks?person=S-10234&limit=100&cursor=NjM5MDAwMDAwMDAwMDAwMDAwOjZmMWMyZDNl",
        }),
        ["GetReflectionTask"] = op => ResponseExample(op, "200", "application/json", ExampleTask.DeepClone()),
        ["AnswerReflectionTask"] = op =>
        {
            Body(op, JsonNode.Parse("""
                { "answers": [ { "promptId": "handtvatt", "response": "Händerna är den vanligaste vägen för smitta mellan brukare." },
                               { "promptId": "samma-handskar", "response": "Smitta förs från en brukare till nästa." } ],
                  "sharedWithGroup": true }
                """)!);
            ResponseExample(op, "200", "application/json", ExampleTask.DeepClone());
            ResponseExample(op, "409", "application/problem+json", JsonNode.Parse("""
                { "type": "https://tools.ietf.org/html/rfc9110#section-15.5.10", "title": "Not open", "status": 409, "detail": "The task is answered; only an open task can be answered." }
                """)!);
        },
        ["GetGroupReflectionAgenda"] = op => ResponseExample(op, "200", "application/json", JsonNode.Parse("""
            {
              "unit": "ekbacken", "unitName": "Vårdboende Ekbacken", "organisation": "solna-stad", "date": "2026-11-20", "since": "2026-10-16T13:00:00+02:00", "members": 48,
              "previous": { "id": "1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d", "heldAt": "2026-10-16T13:00:00+02:00", "attendees": 31, "templates": ["vardegrund-apt"] },
              "trainings": [ { "competence": "demens-abc", "name": { "sv": "Demens ABC", "en": "Dementia ABC" }, "people": 9, "lastCompletedAt": "2026-11-18T10:00:00+00:00" } ],
              "templates": [ { "id": "demens-abc-apt", "title": { "sv": "Gruppreflektion på APT: Demens ABC", "en": "Group reflection at the workplace meeting: Dementia ABC" },
                               "competence": "demens-abc",
                               "prompts": [ { "id": "demens-oro", "text": { "sv": "Beskriv en situation där en person med demenssjukdom blev orolig. Vad kan ha orsakat det, och hur kan vi i arbetsgruppen bemöta det nästa gång?", "en": "Describe a situation where a person with dementia became anxious. What may have caused it, and how can we as a team respond next time?" } } ],
                               "openTasks": 6, "answeredTasks": 3, "sharedAnswerCount": 1,
                               "sharedAnswers": [ { "personId": "S-10234", "name": "Anna Andersson", "promptId": "demens-oro", "response": "En brukare blev orolig när kvällsrutinen ändrades.", "answeredAt": "2026-11-18T10:00:00+00:00" } ] } ]
            }
            """)!),
        ["RecordGroupReflection"] = op =>
        {
            Body(op, JsonNode.Parse("""
                { "id": "8d0e6a52-3f1b-4c2d-9e8f-7a6b5c4d3e2f", "heldAt": "2026-11-20T13:00:00+01:00", "facilitator": { "personId": "S-10001" },
                  "attendees": [ { "personId": "S-10234" }, { "agent": { "account": { "homePage": "https://hr.solna.se", "name": "10240" } } } ],
                  "templates": ["demens-abc-apt"], "notes": "Vi prövar en lugnare kvällsrutin och följer upp på nästa APT." }
                """)!);
            ResponseExample(op, "201", "application/json", ExampleGroupReflection.DeepClone());
        },
        ["ListGroupReflections"] = op => ResponseExample(op, "200", "application/json", new JsonObject
        {
            ["unit"] = "ekbacken", ["groupReflections"] = new JsonArray(WithoutShared(ExampleGroupReflection)),
        }),
        ["GetGroupReflection"] = op => ResponseExample(op, "200", "application/json", ExampleGroupReflection.DeepClone()),
        ["GetReflectionFollowUp"] = op => ResponseExample(op, "200", "application/json", JsonNode.Parse("""
            { "unit": "ekbacken", "timeZone": "Europe/Stockholm",
              "months": [ { "month": "2026-10", "trainingsCompleted": 41, "reflectionsAnswered": 17, "groupReflections": 1, "groupReflectionAttendances": 31 },
                          { "month": "2026-11", "trainingsCompleted": 23, "reflectionsAnswered": 12, "groupReflections": 1, "groupReflectionAttendances": 29 } ] }
            """)!),
    };

    private static JsonNode WithoutShared(JsonNode reflection)
    {
        var copy = reflection.DeepClone();
        copy["sharedAnswers"] = null;
        return copy;
    }
}
