using System.Text.Json.Nodes;
using Microsoft.OpenApi;

namespace Lrs.Api.Hosting;

/// <summary>The people part: organisations, units and people, as HR systems send and read them.</summary>
internal static partial class OpenApiExamples
{
    private static readonly JsonNode ExamplePerson = JsonNode.Parse("""
        { "id": "E10234", "organisationId": "solna", "name": "Anna Andersson", "email": "anna.andersson@solna.se", "hsaId": "SE2321000016-A1B2",
          "units": ["solna-sabo-ekbacken"], "roles": ["underskoterska"], "duties": ["delegated-tasks"],
          "agents": [
            { "objectType": "Agent", "name": "Anna Andersson", "account": { "homePage": "https://hr.solna.se", "name": "E10234" } },
            { "objectType": "Agent", "mbox": "mailto:anna.andersson@solna.se" } ],
          "changed": "2026-03-02T06:00:04.512+00:00" }
        """)!;

    private static readonly JsonNode PeopleForbidden = JsonNode.Parse("""
        { "type": "https://tools.ietf.org/html/rfc9110#section-15.5.4", "title": "Missing scope", "status": 403,
          "detail": "This credential lacks the scope 'profiles:read' or 'people:write'." }
        """)!;

    private static readonly JsonNode PersonNotFound = JsonNode.Parse("""
        { "type": "https://tools.ietf.org/html/rfc9110#section-15.5.5", "title": "No such person", "status": 404,
          "detail": "There is no person with id 'E99999' that this credential may see." }
        """)!;

    private static readonly Dictionary<string, Action<OpenApiOperation>> People = new()
    {
        ["UpsertPeople"] = op =>
        {
            AdminBody(op, JsonNode.Parse("""
                [ { "id": "E10234", "organisationId": "solna", "name": "Anna Andersson", "email": "anna.andersson@solna.se", "hsaId": "SE2321000016-A1B2",
                    "units": ["solna-sabo-ekbacken"], "roles": ["underskoterska"], "duties": ["delegated-tasks"],
                    "agents": [ { "mbox": "mailto:anna.andersson@solna.se" } ] },
                  { "id": "E10577", "organisationId": "solna", "name": "Omar Haddad", "units": ["solna-hemtjanst-norr"], "roles": ["vardbitrade"] } ]
                """)!);
            ResponseExample(op, "200", "application/json", JsonNode.Parse("""{ "created": 1, "updated": 1, "unchanged": 0 }""")!);
            ResponseExample(op, "400", "application/problem+json", JsonNode.Parse("""
                { "type": "https://tools.ietf.org/html/rfc9110#section-15.5.1", "title": "Invalid people", "status": 400,
                  "detail": "2 problems; nothing was stored. $[0].personnummer: a personnummer is never stored or used as an identifier here; leave it out and identify people by their employee id",
                  "errors": {
                    "$[0].personnummer": ["a personnummer is never stored or used as an identifier here; leave it out and identify people by their employee id"],
                    "$[1].units": ["names unit 'solna-sabo-x', which this tenant does not have (create it with PUT /api/organisations)"] } }
                """)!);
            ResponseExample(op, "403", "application/problem+json", JsonNode.Parse("""
                { "type": "https://tools.ietf.org/html/rfc9110#section-15.5.4", "title": "Another organisation", "status": 403,
                  "detail": "This credential may change only its own organisation; nothing was stored. $[1].organisationId: is not 'solna', the only organisation this credential may change",
                  "errors": { "$[1].organisationId": ["is not 'solna', the only organisation this credential may change"] } }
                """)!);
            ResponseExample(op, "409", "application/problem+json", JsonNode.Parse("""
                { "type": "https://tools.ietf.org/html/rfc9110#section-15.5.10", "title": "Conflict", "status": 409,
                  "detail": "Nothing was stored. $[0].agents: gives the agent {\"objectType\":\"Agent\",\"mbox\":\"mailto:anna.andersson@solna.se\"}, which is person 'E10234'; change that person first",
                  "errors": { "$[0].agents": ["gives the agent {\"objectType\":\"Agent\",\"mbox\":\"mailto:anna.andersson@solna.se\"}, which is person 'E10234'; change that person first"] } }
                """)!);
            ResponseExample(op, "413", "application/problem+json", JsonNode.Parse("""
                { "type": "https://tools.ietf.org/html/rfc9110#section-15.5.14", "title": "Too many people", "status": 413,
                  "detail": "This request has 1500 people; send at most 1000 per request (several requests in a row are fine)." }
                """)!);
        },
        ["ListPeople"] = op =>
        {
            Describe(op, "organisation", "Only people of this organisation.", "solna");
            Describe(op, "unit", "Only people currently in this unit.", "solna-sabo-ekbacken");
            Describe(op, "role", "Only people currently in this role.", "underskoterska");
            Describe(op, "changedSince", "Only people whose data changed at or after this RFC 3339 time.", "2026-03-01T00:00:00Z");
            Describe(op, "limit", "Page size, 1 to 1000; default 100.", null);
            Describe(op, "cursor", "The cursor of a more link.", null);
            ResponseExample(op, "200", "application/json", new JsonObject
            {
                ["people"] = new JsonArray(ExamplePerson.DeepClone()),
                ["more"] = "/api/people?unit=solna-sabo-ekbacken&limit=1&after=E10234",
            });
            ResponseExample(op, "400", "application/problem+json", JsonNode.Parse("""
                { "type": "https://tools.ietf.org/html/rfc9110#section-15.5.1", "title": "Invalid changedSince", "status": 400,
                  "detail": "changedSince 'yesterday' is not an RFC 3339 date and time with an offset, e.g. 2026-03-01T00:00:00Z (escape '+' as %2B)." }
                """)!);
            ResponseExample(op, "403", "application/problem+json", PeopleForbidden);
        },
        ["GetPersonDetails"] = op =>
        {
            var person = ExamplePerson.DeepClone();
            person["history"] = JsonNode.Parse("""
                [ { "kind": "unit", "value": "solna-hemtjanst-norr", "from": "2025-09-01T06:00:01.104+00:00", "to": "2026-03-02T06:00:04.512+00:00" },
                  { "kind": "role", "value": "underskoterska", "from": "2025-09-01T06:00:01.104+00:00", "to": null },
                  { "kind": "unit", "value": "solna-sabo-ekbacken", "from": "2026-03-02T06:00:04.512+00:00", "to": null } ]
                """);
            ResponseExample(op, "200", "application/json", person);
            ResponseExample(op, "404", "application/problem+json", PersonNotFound);
            ResponseExample(op, "403", "application/problem+json", PeopleForbidden);
        },
        ["ExportPerson"] = op =>
        {
            op.Responses ??= new OpenApiResponses();
            op.Responses["200"] = new OpenApiResponse
            {
                Description = "The ZIP, streamed as it is read from the store. Its parts are listed in the schema; e.g. a person with 214 statements, " +
                    "two State documents and one attachment: person.json, statements.ndjson, documents/index.json, documents/0001.json, documents/0002.json, " +
                    "attachments/index.json, attachments/6f1e…, competence.json, reflection.json, sessions.json, audit.json.",
                Headers = new Dictionary<string, IOpenApiHeader>
                {
                    ["Content-Disposition"] = new OpenApiHeader
                    {
                        Description = "The file name to save it under.",
                        Schema = new OpenApiSchema { Type = JsonSchemaType.String },
                        Example = JsonValue.Create("attachment; filename=person-E10234.zip"),
                    },
                },
                Content = new Dictionary<string, OpenApiMediaType> { ["application/zip"] = new() { Schema = new OpenApiSchemaReference("PersonExport") } },
            };
            ResponseExample(op, "404", "application/problem+json", PersonNotFound);
            ResponseExample(op, "403", "application/problem+json", JsonNode.Parse("""
                { "type": "https://tools.ietf.org/html/rfc9110#section-15.5.4", "title": "Missing scope", "status": 403,
                  "detail": "This credential lacks the scope 'people:write'." }
                """)!);
        },
        ["UpsertOrganisations"] = op =>
        {
            AdminBody(op, JsonNode.Parse("""
                [ { "id": "solna", "name": "Solna stad", "hrHomePage": "https://hr.solna.se",
                    "units": [ { "id": "solna-sabo-ekbacken", "name": "Säbo Ekbacken" }, { "id": "solna-hemtjanst-norr", "name": "Hemtjänst Norr" } ] },
                  { "id": "omsorg-ab", "name": "Omsorg i Solna AB", "units": [ { "id": "omsorg-ab-rasunda", "name": "Råsunda hemtjänst" } ] } ]
                """)!);
            ResponseExample(op, "200", "application/json", JsonNode.Parse("""
                { "organisations": { "created": 1, "updated": 0, "unchanged": 1 }, "units": { "created": 1, "updated": 1, "unchanged": 1 } }
                """)!);
            ResponseExample(op, "400", "application/problem+json", JsonNode.Parse("""
                { "type": "https://tools.ietf.org/html/rfc9110#section-15.5.1", "title": "Invalid organisations", "status": 400,
                  "detail": "1 problem; nothing was stored. $[0].hrHomePage: must be an absolute IRL (the address of the HR system, e.g. https://hr.solna.se)",
                  "errors": { "$[0].hrHomePage": ["must be an absolute IRL (the address of the HR system, e.g. https://hr.solna.se)"] } }
                """)!);
            ResponseExample(op, "409", "application/problem+json", JsonNode.Parse("""
                { "type": "https://tools.ietf.org/html/rfc9110#section-15.5.10", "title": "Conflict", "status": 409,
                  "detail": "Nothing was stored. $[1].units[0].id: is a unit of organisation 'solna'; a unit never moves to another organisation",
                  "errors": { "$[1].units[0].id": ["is a unit of organisation 'solna'; a unit never moves to another organisation"] } }
                """)!);
            ResponseExample(op, "413", "application/problem+json", JsonNode.Parse("""
                { "type": "https://tools.ietf.org/html/rfc9110#section-15.5.14", "title": "Too many organisations", "status": 413,
                  "detail": "This request has 1200 organisations; send at most 1000 per request." }
                """)!);
            ResponseExample(op, "403", "application/problem+json", PeopleForbidden);
        },
        ["ListOrganisations"] = op =>
        {
            ResponseExample(op, "200", "application/json", JsonNode.Parse("""
                [ { "id": "omsorg-ab", "name": "Omsorg i Solna AB", "hrHomePage": null, "changed": "2026-02-10T07:12:00+00:00" },
                  { "id": "solna", "name": "Solna stad", "hrHomePage": "https://hr.solna.se", "changed": "2026-01-15T06:00:00+00:00" } ]
                """)!);
            ResponseExample(op, "403", "application/problem+json", PeopleForbidden);
        },
        ["ListOrganisationUnits"] = op =>
        {
            ResponseExample(op, "200", "application/json", JsonNode.Parse("""
                [ { "id": "solna-hemtjanst-norr", "organisationId": "solna", "name": "Hemtjänst Norr", "changed": "2026-01-15T06:00:00+00:00" },
                  { "id": "solna-sabo-ekbacken", "organisationId": "solna", "name": "Säbo Ekbacken", "changed": "2026-01-15T06:00:00+00:00" } ]
                """)!);
            ResponseExample(op, "404", "application/problem+json", JsonNode.Parse("""
                { "type": "https://tools.ietf.org/html/rfc9110#section-15.5.5", "title": "No such organisation", "status": 404,
                  "detail": "There is no organisation with id 'nacka' that this credential may see." }
                """)!);
            ResponseExample(op, "403", "application/problem+json", PeopleForbidden);
        },
        ["GetUnit"] = op =>
        {
            ResponseExample(op, "200", "application/json", JsonNode.Parse("""
                { "id": "solna-sabo-ekbacken", "organisationId": "solna", "name": "Säbo Ekbacken", "changed": "2026-01-15T06:00:00+00:00",
                  "members": ["E10234", "E10311", "E10577"] }
                """)!);
            ResponseExample(op, "404", "application/problem+json", JsonNode.Parse("""
                { "type": "https://tools.ietf.org/html/rfc9110#section-15.5.5", "title": "No such unit", "status": 404,
                  "detail": "There is no unit with id 'nacka-sabo' that this credential may see." }
                """)!);
            ResponseExample(op, "403", "application/problem+json", PeopleForbidden);
        },
    };

    // The generator lists [AsParameters] properties already; this adds what they mean and an example.
    private static void Describe(OpenApiOperation op, string name, string description, string? example) => Query(op, name, description, example: example);
}
