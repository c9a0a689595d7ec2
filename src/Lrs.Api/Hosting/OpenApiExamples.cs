using System.Text.Json.Nodes;
using Microsoft.OpenApi;

namespace Lrs.Api.Hosting;

/// <summary>
/// Parameters, bodies and examples of each operation, by endpoint name. Each resource contributes its
/// own part (OpenApiExamples.*.cs); this file holds the shared helpers and the statements' part.
/// </summary>
internal static partial class OpenApiExamples
{

    public static IReadOnlyDictionary<string, Action<OpenApiOperation>> ByOperation => All.Value;

    private static readonly JsonObject ExampleStatement = JsonNode.Parse("""
        {
          "actor": { "objectType": "Agent", "name": "Anna Andersson", "account": { "homePage": "https://hr.solna.se", "name": "E10234" } },
          "verb": { "id": "http://adlnet.gov/expapi/verbs/passed", "display": { "sv-SE": "klarade", "en-US": "passed" } },
          "object": {
            "objectType": "Activity",
            "id": "https://learning.solna.se/courses/basal-hygien",
            "definition": { "name": { "sv-SE": "Basala hygienrutiner och klädregler" }, "type": "http://adlnet.gov/expapi/activities/course" }
          },
          "result": { "success": true, "completion": true, "score": { "scaled": 0.92 }, "duration": "PT24M" },
          "context": { "registration": "6d0e5a3c-3f1b-4c8e-9a51-0c2f4a7d9b10", "language": "sv-SE" },
          "timestamp": "2026-03-04T09:41:00Z"
        }
        """)!.AsObject();

    private static JsonObject StoredExample()
    {
        var s = (JsonObject)ExampleStatement.DeepClone();
        s["id"] = "0199a2b4-7c1e-7d40-8f3a-5b6c7d8e9f01";
        s["stored"] = "2026-03-04T09:41:02.125Z";
        s["authority"] = JsonNode.Parse("""{ "objectType": "Agent", "name": "hygienkorkortet", "account": { "homePage": "http://localhost:8080", "name": "a1b2c3d4e5" } }""");
        s["version"] = "2.0.0";
        return s;
    }

    private static readonly JsonObject ErrorExample = JsonNode.Parse("""
        { "message": "Invalid statement: $.actor: an Agent has exactly one of mbox, mbox_sha1sum, openid, account.",
          "errors": [ { "path": "$.actor", "message": "an Agent has exactly one of mbox, mbox_sha1sum, openid, account." } ] }
        """)!.AsObject();

    private static readonly Dictionary<string, Action<OpenApiOperation>> Statements = new()
    {
        ["GetAbout"] = op =>
        {
            ResponseExample(op, "200", "application/json", JsonNode.Parse("""{ "version": ["1.0.3", "2.0.0"] }""")!);
            ResponseExample(op, "400", "application/json", JsonNode.Parse("""{ "message": "The About resource takes no query parameters." }""")!);
        },
        ["PutStatement"] = op =>
        {
            Query(op, "statementId", "The id of the statement (UUID); required.", required: true, example: "0199a2b4-7c1e-7d40-8f3a-5b6c7d8e9f01");
            Body(op, ExampleStatement, multipart: true);
            ResponseExample(op, "400", "application/json", ErrorExample);
            ResponseExample(op, "409", "application/json", JsonNode.Parse("""{ "message": "A different statement with id 0199a2b4-7c1e-7d40-8f3a-5b6c7d8e9f01 is stored already; statements are immutable." }""")!);
        },
        ["PostStatements"] = op =>
        {
            Body(op, new JsonArray(ExampleStatement.DeepClone()), multipart: true);
            ResponseExample(op, "200", "application/json", new JsonArray("0199a2b4-7c1e-7d40-8f3a-5b6c7d8e9f01"));
            ResponseExample(op, "400", "application/json", ErrorExample);
            ResponseExample(op, "409", "application/json", JsonNode.Parse("""{ "message": "A different statement with id 0199a2b4-7c1e-7d40-8f3a-5b6c7d8e9f01 is stored already; statements are immutable." }""")!);
        },
        ["GetStatements"] = op =>
        {
            Query(op, "statementId", "Fetch this statement (not when voided).");
            Query(op, "voidedStatementId", "Fetch this voided statement.");
            Query(op, "agent", "An Agent or Identified Group as JSON: statements where it (or a group it is a member of) is actor or object.", example: """{"account":{"homePage":"https://hr.solna.se","name":"E10234"}}""");
            Query(op, "verb", "Verb IRI.", example: "http://adlnet.gov/expapi/verbs/passed");
            Query(op, "activity", "Activity IRI of the object.", example: "https://learning.solna.se/courses/basal-hygien");
            Query(op, "registration", "Registration UUID.");
            Query(op, "related_activities", "true: activity also matches context activities and SubStatements.", type: JsonSchemaType.Boolean);
            Query(op, "related_agents", "true: agent also matches authority, instructor, team and SubStatements.", type: JsonSchemaType.Boolean);
            Query(op, "since", "Only statements stored after this time (exclusive).", example: "2026-01-01T00:00:00Z");
            Query(op, "until", "Only statements stored at or before this time.");
            Query(op, "limit", "Page size; 0 or absent means the server's maximum.", type: JsonSchemaType.Integer);
            Query(op, "format", "exact (as stored), ids (identifiers only) or canonical (one language per language map, by Accept-Language).", example: "exact");
            Query(op, "attachments", "true: answer multipart/mixed with attachment data.", type: JsonSchemaType.Boolean);
            Query(op, "ascending", "true: oldest stored first.", type: JsonSchemaType.Boolean);
            Query(op, "more", "The cursor of a more link; used alone.");
            ResponseExample(op, "200", "application/json", new JsonObject
            {
                ["statements"] = new JsonArray(StoredExample()),
                ["more"] = "/xapi/statements?more=eyJrIjpbXSwidSI6MTc3MjYxNzI2MjEyNTAwMCwibCI6MX0",
            });
            ResponseExample(op, "400", "application/json", JsonNode.Parse("""{ "message": "Unknown query parameter 'Limit' (parameter names are case-sensitive)." }""")!);
            ResponseExample(op, "404", "application/json", JsonNode.Parse("""{ "message": "No statement with id 0199a2b4-7c1e-7d40-8f3a-5b6c7d8e9f01 (voided statements are fetched with voidedStatementId)." }""")!);
        },
    };

    internal static void Query(OpenApiOperation op, string name, string description, bool required = false, string? example = null, JsonSchemaType type = JsonSchemaType.String)
    {
        // An optional filter's example goes in the description: Swagger UI's Try it out would send an example value,
        // and a filter for an example agent or verb finds nothing in a real (or demo) store.
        if (!required && example is not null)
        {
            description += $" Example: `{example}`.";
            example = null;
        }
        op.Parameters ??= [];
        // A parameter the generator found already (a bound [AsParameters] record) gets the description, not a second entry.
        if (op.Parameters.OfType<OpenApiParameter>().FirstOrDefault(p => p.In == ParameterLocation.Query && p.Name == name) is { } bound)
        {
            bound.Description = description;
            bound.Required = required;
            if (example is not null) bound.Example = JsonValue.Create(example);
            return;
        }
        op.Parameters.Add(new OpenApiParameter
        {
            Name = name,
            In = ParameterLocation.Query,
            Required = required,
            Description = description,
            Schema = new OpenApiSchema { Type = type },
            Example = example is null ? null : JsonValue.Create(example),
        });
    }

    internal static void Body(OpenApiOperation op, JsonNode example, bool multipart = false)
    {
        var content = new Dictionary<string, OpenApiMediaType>
        {
            ["application/json"] = new()
            {
                Schema = example is JsonArray
                    ? new OpenApiSchema { AnyOf = [new OpenApiSchema { Type = JsonSchemaType.Object }, new OpenApiSchema { Type = JsonSchemaType.Array, Items = new OpenApiSchema { Type = JsonSchemaType.Object } }] }
                    : new OpenApiSchema { Type = JsonSchemaType.Object },
                Example = example,
            },
        };
        if (multipart)
            content["multipart/mixed"] = new()
            {
                Schema = new OpenApiSchema
                {
                    Type = JsonSchemaType.String,
                    Format = "binary",
                    Description = MultipartDescription,
                },
                Example = JsonValue.Create(MultipartExample),
            };
        op.RequestBody = new OpenApiRequestBody
        {
            Required = true,
            Description = multipart
                ? "Statement JSON (xAPI Data section); or multipart/mixed to send attachment data with it (see that media type)."
                : "Statement JSON (xAPI Data section).",
            Content = content,
        };
    }

    private const string MultipartDescription =
        "multipart/mixed (Communication 1.5.2): the first part is application/json with the statement(s); each further part " +
        "carries one attachment's raw data with Content-Type, Content-Transfer-Encoding: binary and X-Experience-API-Hash: the " +
        "attachment's sha2. Parts are matched to attachments by that hash only; every attachment needs a part or a fileUrl, and " +
        "a part no attachment declares is rejected. A signature attachment (usageType http://adlnet.gov/expapi/attachments/signature, " +
        "application/octet-stream) holds a compact JWS (RS256/RS384/RS512) of the statement. Too much attachment data is 413.";

    private const string MultipartExample =
        "--abc123\r\nContent-Type: application/json\r\n\r\n{\"actor\": …, \"attachments\": [{\"usageType\": \"http://id.tincanapi.com/attachment/certificate-of-completion\", " +
        "\"display\": {\"sv-SE\": \"Intyg\"}, \"contentType\": \"application/pdf\", \"length\": 48213, \"sha2\": \"6f1e…\"}]}\r\n" +
        "--abc123\r\nContent-Type: application/pdf\r\nContent-Transfer-Encoding: binary\r\nX-Experience-API-Hash: 6f1e…\r\n\r\n%PDF-1.7 …\r\n--abc123--";

    internal static void ResponseExample(OpenApiOperation op, string status, string mediaType, JsonNode example)
    {
        op.Responses ??= new OpenApiResponses();
        if (!op.Responses.TryGetValue(status, out var response) || response is not OpenApiResponse r)
        {
            r = new OpenApiResponse { Description = Microsoft.AspNetCore.WebUtilities.ReasonPhrases.GetReasonPhrase(int.Parse(status, System.Globalization.CultureInfo.InvariantCulture)) };
            op.Responses[status] = r;
        }
        r.Content ??= new Dictionary<string, OpenApiMediaType>();
        if (!r.Content.TryGetValue(mediaType, out var media))
        {
            media = new OpenApiMediaType();
            r.Content[mediaType] = media;
        }
        media.Example = example;
        // An error the generator did not declare gets the schema of its kind.
        if (media.Schema is null && status[0] is '4' or '5')
            media.Schema = new OpenApiSchemaReference(mediaType == "application/problem+json" ? "ProblemDetails" : "XapiError");
        // A problem that lists its errors per field is a validation problem, whichever status it has.
        if (example is JsonObject { } problem && problem.ContainsKey("errors") && mediaType == "application/problem+json")
            media.Schema = new OpenApiSchemaReference("HttpValidationProblemDetails");
    }

    // Last in the class and lazy: static fields of partial classes in other files have no guaranteed initialisation order.
    private static readonly Lazy<IReadOnlyDictionary<string, Action<OpenApiOperation>>> All =
        new(() => Combine(Statements, Documents!, Admin!, People!, Competence!, XapiProfile!, Reflection!, Learning!, Privacy!, Events!, Planning!, FollowUp!));

    private static Dictionary<string, Action<OpenApiOperation>> Combine(params Dictionary<string, Action<OpenApiOperation>>[] parts)
    {
        var all = new Dictionary<string, Action<OpenApiOperation>>();
        foreach (var part in parts)
            foreach (var (name, describe) in part) all.Add(name, describe);
        return all;
    }
}
