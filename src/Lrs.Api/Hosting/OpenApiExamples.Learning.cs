using System.Text.Json.Nodes;
using Microsoft.OpenApi;

namespace Lrs.Api.Hosting;

/// <summary>The sessions and webinars part.</summary>
internal static partial class OpenApiExamples
{
    private static readonly JsonNode ExampleSession = JsonNode.Parse("""
        {
          "activity": { "id": "https://demo.lrsapi.se/xapi/activities/sessions/forflyttning",
                        "name": { "sv": "Förflyttningsteknik – praktisk utbildning", "en": "Patient transfer – practical training" }, "type": "course" },
          "start": "2026-03-02T08:00:00+01:00",
          "end": "2026-03-03T16:00:00+01:00",
          "place": { "id": "https://demo.lrsapi.se/xapi/activities/learning-centres/metodikum", "name": "Metodikum, Solna" },
          "trainers": [ { "agent": { "objectType": "Agent", "name": "Ingela Hedström", "mbox": "mailto:ingela.hedstrom@metodikum.solna.example" } } ],
          "participants": [
            { "personId": "S-10234", "outcome": "passed", "signoff": { "by": { "personId": "S-10871" }, "at": "2026-03-03T16:30:00+01:00" } },
            { "personId": "S-10567", "outcome": "attended" }
          ],
          "xapiVersion": "2.0.0"
        }
        """)!;

    private static JsonObject ExampleSessionView(bool withParticipants)
    {
        var definition = (JsonObject)ExampleSession.DeepClone();
        definition.Remove("participants");
        var view = new JsonObject
        {
            ["id"] = "forflyttning-2026-03-02", ["registration"] = "3f8e2b6a-51c4-5d0e-9a7b-2c1d4e6f8a90",
            ["start"] = "2026-03-02T07:00:00+00:00", ["end"] = "2026-03-03T15:00:00+00:00", ["definition"] = definition,
            ["updated"] = "2026-03-03T17:02:11.482113+00:00",
        };
        if (withParticipants)
            view["participants"] = JsonNode.Parse("""
                [
                  { "personId": "S-10234", "agent": { "objectType": "Agent", "name": "Anna Andersson", "account": { "homePage": "https://hr.solna.example", "name": "S-10234" } },
                    "outcome": "passed",
                    "detail": { "signoff": { "by": { "objectType": "Agent", "name": "Karin Lind", "account": { "homePage": "https://hr.solna.example", "name": "S-10871" } }, "at": "2026-03-03T15:30:00.000Z" } },
                    "statementIds": ["6227a815-1b46-5d82-ab5f-3f17cb80a014", "0b9d3c51-7e2a-5f48-8c1d-9a6e4b2f7d30", "c41f8e27-93b0-5a6d-b2e4-71d05c9f3a86"],
                    "voidedStatementIds": [] },
                  { "personId": "S-10567", "agent": { "objectType": "Agent", "name": "Omar Hassan", "account": { "homePage": "https://hr.solna.example", "name": "S-10567" } },
                    "outcome": "attended", "detail": {}, "statementIds": ["9e2c7a14-5b8d-5f30-a6c1-d4e8f2b09a73"], "voidedStatementIds": [] }
                ]
                """);
        else view["participants"] = null;
        return view;
    }

    private static readonly JsonNode ExampleChanges = JsonNode.Parse("""
        { "added": 2, "changed": 0, "removed": 0, "unchanged": 0, "statementsWritten": 4, "statementsVoided": 0 }
        """)!;

    private static readonly JsonNode ExampleWebinar = JsonNode.Parse("""
        {
          "activity": { "id": "https://demo.lrsapi.se/xapi/activities/webinars/palliativ-vard",
                        "name": { "sv": "Palliativ vård – webbinarium", "en": "Palliative care – webinar" } },
          "start": "2026-04-14T13:00:00+02:00",
          "end": "2026-04-14T14:00:00+02:00",
          "presenters": [ { "agent": { "objectType": "Agent", "name": "Leila Haddad", "mbox": "mailto:leila.haddad@metodikum.solna.example" } } ],
          "minimumShare": 0.75
        }
        """)!;

    private const string ExampleReport =
        "Name (Original Name),User Email,Join Time,Leave Time,Duration (Minutes)\n" +
        "Anna Andersson,anna.andersson@solna.example,04/14/2026 01:00:12 PM,04/14/2026 01:31:40 PM,32\n" +
        "Anna Andersson,anna.andersson@solna.example,04/14/2026 01:35:02 PM,04/14/2026 02:00:00 PM,25\n" +
        "Omar Hassan,omar.hassan@solna.example,04/14/2026 01:12:45 PM,04/14/2026 01:40:00 PM,28\n" +
        "Gäst Gästsson,gast@annan-kommun.example,04/14/2026 01:00:00 PM,04/14/2026 02:00:00 PM,60\n";

    private static JsonObject ExampleWebinarView()
    {
        return new JsonObject
        {
            ["id"] = "palliativ-2026-04-14", ["registration"] = "a7c3e1d9-2f64-5b08-9e1a-4d7c0b3f6e25",
            ["start"] = "2026-04-14T11:00:00+00:00", ["end"] = "2026-04-14T12:00:00+00:00", ["definition"] = ExampleWebinar.DeepClone(),
            ["updated"] = "2026-04-14T12:20:31.118204+00:00",
            ["participants"] = JsonNode.Parse("""
                [
                  { "personId": "S-10234", "agent": { "objectType": "Agent", "name": "Anna Andersson", "account": { "homePage": "https://hr.solna.example", "name": "S-10234" } },
                    "outcome": "attended", "detail": { "seconds": 3420, "joined": "2026-04-14T11:00:12.000Z", "rows": [2, 3] },
                    "statementIds": ["5d1e8b37-0c92-5a4f-b6e3-8f2a7c1d9e04"], "voidedStatementIds": [] },
                  { "personId": "S-10567", "agent": { "objectType": "Agent", "name": "Omar Hassan", "account": { "homePage": "https://hr.solna.example", "name": "S-10567" } },
                    "outcome": "joined", "detail": { "seconds": 1680, "joined": "2026-04-14T11:12:45.000Z", "rows": [4] },
                    "statementIds": ["e8a40f2c-6b17-5d93-a1c5-03f9d7e2b861"], "voidedStatementIds": [] }
                ]
                """),
        };
    }

    private static readonly JsonNode ExampleUnknownPerson = JsonNode.Parse("""
        { "type": "https://tools.ietf.org/html/rfc9110#section-15.5.1", "title": "Invalid session", "status": 400,
          "detail": "1 problem; nothing was stored. $.participants[1].personId: there is no person 'S-10999'",
          "errors": { "$.participants[1].personId": ["there is no person 'S-10999'"] } }
        """)!;

    private static void JsonBody(OpenApiOperation op, string mediaType, JsonNode example, string description)
    {
        // The schema the generator described from the handler's record stays; only description and example are added.
        var schema = op.RequestBody?.Content?.TryGetValue(mediaType, out var generated) == true && generated.Schema is { } s ? s
            : new OpenApiSchema { Type = mediaType == "text/csv" ? JsonSchemaType.String : JsonSchemaType.Object };
        op.RequestBody = new OpenApiRequestBody
        {
            Required = true,
            Description = description,
            Content = new Dictionary<string, OpenApiMediaType> { [mediaType] = new() { Schema = schema, Example = example } },
        };
    }

    private static void ListParameters(OpenApiOperation op, string what)
    {
        Query(op, "from", $"Only {what} that start at or after this time (RFC 3339).", example: "2026-01-01T00:00:00Z");
        Query(op, "to", $"Only {what} that start before this time (RFC 3339).");
        Query(op, "activity", "Only those of this activity (IRI).", example: "https://demo.lrsapi.se/xapi/activities/sessions/forflyttning");
        Query(op, "limit", "Page size, 1 to 1000 (default 100).", type: JsonSchemaType.Integer);
        Query(op, "cursor", "The cursor of a more link.");
    }

    private static readonly Dictionary<string, Action<OpenApiOperation>> Learning = new()
    {
        ["PutSession"] = op =>
        {
            JsonBody(op, "application/json", ExampleSession.DeepClone(), "The session: activity, start, end, place, trainers, participants with outcomes and sign-offs, xapiVersion.");
            var created = new JsonObject { ["changes"] = ExampleChanges.DeepClone(), ["session"] = ExampleSessionView(withParticipants: true) };
            ResponseExample(op, "201", "application/json", created);
            var again = (JsonObject)created.DeepClone();
            again["changes"] = JsonNode.Parse("""{ "added": 0, "changed": 0, "removed": 0, "unchanged": 2, "statementsWritten": 0, "statementsVoided": 0 }""");
            ResponseExample(op, "200", "application/json", again);
            ResponseExample(op, "400", "application/problem+json", ExampleUnknownPerson.DeepClone());
        },
        ["GetSession"] = op => ResponseExample(op, "200", "application/json", ExampleSessionView(withParticipants: true)),
        ["ListSessions"] = op =>
        {
            ListParameters(op, "sessions");
            ResponseExample(op, "200", "application/json", new JsonObject
            {
                ["sessions"] = new JsonArray(ExampleSessionView(withParticipants: false)),
                ["more"] = "/api/sessions?from=2026-01-01T00%3A00%3A00Z&limit=1&cursor=1772434800000000.forflyttning-2026-03-02",
            });
        },
        ["PutWebinar"] = op =>
        {
            JsonBody(op, "application/json", ExampleWebinar.DeepClone(), "The webinar: activity, start, end, presenters, minimumShare, xapiVersion.");
            var view = ExampleWebinarView();
            view["participants"] = new JsonArray();
            ResponseExample(op, "201", "application/json", new JsonObject
            {
                ["changes"] = JsonNode.Parse("""{ "added": 0, "changed": 0, "removed": 0, "unchanged": 0, "statementsWritten": 0, "statementsVoided": 0 }"""),
                ["session"] = view,
            });
        },
        ["PutWebinarAttendance"] = op =>
        {
            JsonBody(op, "text/csv", JsonValue.Create(ExampleReport), "The attendance report as the platform exports it (here Zoom's).");
            ResponseExample(op, "200", "application/json", new JsonObject
            {
                ["changes"] = JsonNode.Parse("""{ "added": 2, "changed": 0, "removed": 0, "unchanged": 0, "statementsWritten": 2, "statementsVoided": 0 }"""),
                ["attended"] = 1, ["joined"] = 1,
                ["unknown"] = JsonNode.Parse("""[ { "rows": [5], "name": "Gäst Gästsson", "email": "gast@annan-kommun.example", "employeeId": null, "minutes": 60 } ]"""),
                ["webinar"] = ExampleWebinarView(),
            });
            ResponseExample(op, "400", "application/problem+json", JsonNode.Parse("""
                { "type": "https://tools.ietf.org/html/rfc9110#section-15.5.1", "title": "Invalid webinar", "status": 400,
                  "detail": "2 problems; nothing was stored. row 3: (Bo Berg) has neither an e-mail address nor an employee id",
                  "errors": { "row 3": ["(Bo Berg) has neither an e-mail address nor an employee id"], "row 4": ["(Sara Berg) join time 'igår' is not a date and time"] } }
                """)!);
        },
        ["GetWebinar"] = op => ResponseExample(op, "200", "application/json", ExampleWebinarView()),
        ["ListWebinars"] = op =>
        {
            ListParameters(op, "webinars");
            var listed = ExampleWebinarView();
            listed["participants"] = null;
            ResponseExample(op, "200", "application/json", new JsonObject { ["webinars"] = new JsonArray(listed), ["more"] = null });
        },
    };
}
