using System.Text.Json.Nodes;
using Microsoft.OpenApi;

namespace Lrs.Api.Hosting;

/// <summary>The document resources' part: State, Activity Profile and Agent Profile.</summary>
internal static partial class OpenApiExamples
{
    private const string ExampleActivity = "https://learning.solna.se/courses/basal-hygien";
    private const string ExampleAgent = """{"objectType":"Agent","account":{"homePage":"https://hr.solna.se","name":"E10234"}}""";
    private const string ExampleRegistration = "6d0e5a3c-3f1b-4c8e-9a51-0c2f4a7d9b10";

    private static readonly JsonObject ExampleLaunchData = JsonNode.Parse("""
        {
          "contextTemplate": { "registration": "6d0e5a3c-3f1b-4c8e-9a51-0c2f4a7d9b10", "contextActivities": { "grouping": [ { "id": "https://learning.solna.se/courses/basal-hygien" } ] } },
          "launchMode": "Normal",
          "moveOn": "CompletedAndPassed",
          "masteryScore": 0.8
        }
        """)!.AsObject();

    private static readonly JsonObject ExampleLearnerPreferences = JsonNode.Parse("""{ "languagePreference": "sv-SE,en-US", "audioPreference": "on" }""")!.AsObject();

    private static readonly JsonObject ExampleActivityProfile = JsonNode.Parse("""{ "validFor": "P1Y", "owner": "Metodikum, Solna stad" }""")!.AsObject();

    private static readonly Dictionary<string, Action<OpenApiOperation>> Documents = new()
    {
        ["PutState"] = op => { StateQuery(op, withSince: false); DocumentBody(op, ExampleLaunchData, "The document; any content type (application/octet-stream when none is sent)."); DocumentWriteResponses(op, conflict: true); },
        ["PostState"] = op => { StateQuery(op, withSince: false); DocumentBody(op, new JsonObject { ["location"] = "page-7" }, "A JSON object to merge into the stored one, or a new document."); DocumentWriteResponses(op, conflict: false); },
        ["GetState"] = op => { StateQuery(op, withSince: true); DocumentReadResponses(op, ExampleLaunchData, new JsonArray("LMS.LaunchData", "suspendData")); },
        ["DeleteState"] = op => { StateQuery(op, withSince: false, idRequired: false); DocumentWriteResponses(op, conflict: false); },

        ["PutActivityProfile"] = op => { ActivityProfileQuery(op, withSince: false); DocumentBody(op, ExampleActivityProfile, "The document; any content type (application/octet-stream when none is sent)."); DocumentWriteResponses(op, conflict: true); },
        ["PostActivityProfile"] = op => { ActivityProfileQuery(op, withSince: false); DocumentBody(op, new JsonObject { ["owner"] = "Metodrum, Upplands Väsby" }, "A JSON object to merge into the stored one, or a new document."); DocumentWriteResponses(op, conflict: false); },
        ["GetActivityProfile"] = op => { ActivityProfileQuery(op, withSince: true); DocumentReadResponses(op, ExampleActivityProfile, new JsonArray("course-settings")); },
        ["DeleteActivityProfile"] = op => { ActivityProfileQuery(op, withSince: false); DocumentWriteResponses(op, conflict: false); },

        ["PutAgentProfile"] = op => { AgentProfileQuery(op, withSince: false); DocumentBody(op, ExampleLearnerPreferences, "The document; any content type (application/octet-stream when none is sent)."); DocumentWriteResponses(op, conflict: true); },
        ["PostAgentProfile"] = op => { AgentProfileQuery(op, withSince: false); DocumentBody(op, new JsonObject { ["audioPreference"] = "off" }, "A JSON object to merge into the stored one, or a new document."); DocumentWriteResponses(op, conflict: false); },
        ["GetAgentProfile"] = op => { AgentProfileQuery(op, withSince: true); DocumentReadResponses(op, ExampleLearnerPreferences, new JsonArray("cmi5LearnerPreferences")); },
        ["DeleteAgentProfile"] = op => { AgentProfileQuery(op, withSince: false); DocumentWriteResponses(op, conflict: false); },
    };

    private static void StateQuery(OpenApiOperation op, bool withSince, bool idRequired = true)
    {
        Query(op, "activityId", "The activity IRI; required.", required: true, example: ExampleActivity);
        Query(op, "agent", "The Agent as JSON; required. Matched by its identifier, so other properties such as name do not matter.", required: true, example: ExampleAgent);
        Query(op, "registration", "Registration UUID; optional. A document stored without it is a different document from one stored with it.", example: ExampleRegistration);
        Query(op, "stateId", withSince ? "The document's id; without it the answer is the list of ids."
            : idRequired ? "The document's id; required." : "The document's id; without it every State document of the activity and agent (in the registration when given) is deleted.",
            required: idRequired && !withSince, example: "LMS.LaunchData");
        if (withSince) SinceQuery(op);
        Preconditions(op, withSince);
    }

    private static void ActivityProfileQuery(OpenApiOperation op, bool withSince)
    {
        Query(op, "activityId", "The activity IRI; required.", required: true, example: ExampleActivity);
        Query(op, "profileId", withSince ? "The document's id; without it the answer is the list of ids." : "The document's id; required.",
            required: !withSince, example: "course-settings");
        if (withSince) SinceQuery(op);
        Preconditions(op, withSince);
    }

    private static void AgentProfileQuery(OpenApiOperation op, bool withSince)
    {
        Query(op, "agent", "The Agent as JSON; required. Matched by its identifier, so other properties such as name do not matter.", required: true, example: ExampleAgent);
        Query(op, "profileId", withSince ? "The document's id; without it the answer is the list of ids." : "The document's id; required.",
            required: !withSince, example: "cmi5LearnerPreferences");
        if (withSince) SinceQuery(op);
        Preconditions(op, withSince);
    }

    private static void SinceQuery(OpenApiOperation op) =>
        Query(op, "since", "Only when listing ids: those written after this time (exclusive).", example: "2026-01-01T00:00:00Z");

    private static void Preconditions(OpenApiOperation op, bool read)
    {
        if (read) return;
        op.Parameters ??= [];
        op.Parameters.Add(new OpenApiParameter
        {
            Name = "If-Match", In = ParameterLocation.Header, Schema = new OpenApiSchema { Type = JsonSchemaType.String },
            // No example value: Swagger UI would send it with Try it out, and an unknown ETag is always 412.
            Description = "Change the document only if its ETag is this one (or, with *, if it exists); else 412. Example: `\"4a3f0c5e9d1b2a7c6e8f0d1c2b3a4f5e6d7c8b9a\"`.",
        });
        op.Parameters.Add(new OpenApiParameter
        {
            Name = "If-None-Match", In = ParameterLocation.Header, Schema = new OpenApiSchema { Type = JsonSchemaType.String },
            Description = "* : change only if no document exists (create); else 412.",
        });
    }

    private static void DocumentBody(OpenApiOperation op, JsonObject example, string description) =>
        op.RequestBody = new OpenApiRequestBody
        {
            Required = true,
            Description = description,
            Content = new Dictionary<string, OpenApiMediaType>
            {
                ["application/json"] = new() { Schema = new OpenApiSchema { Type = JsonSchemaType.Object }, Example = example },
                ["application/octet-stream"] = new() { Schema = new OpenApiSchema { Type = JsonSchemaType.String, Format = "binary" } },
            },
        };

    private static void DocumentReadResponses(OpenApiOperation op, JsonObject document, JsonArray ids)
    {
        // Two answers of one operation: the document (with the id parameter) or the list of ids (without it).
        ResponseExample(op, "200", "application/json", document.DeepClone());
        var media = ((OpenApiResponse)op.Responses!["200"]).Content!["application/json"];
        media.Example = null;
        media.Schema = new OpenApiSchema
        {
            AnyOf = [new OpenApiSchema { Description = "The document (any content type; JSON here)." },
                     new OpenApiSchema { Type = JsonSchemaType.Array, Items = new OpenApiSchema { Type = JsonSchemaType.String }, Description = "The ids." }],
        };
        media.Examples = new Dictionary<string, IOpenApiExample>
        {
            ["document"] = new OpenApiExample { Summary = "With the id parameter: the document as stored (here JSON)", Value = document.DeepClone() },
            ["ids"] = new OpenApiExample { Summary = "Without it: the ids", Value = ids },
        };
        ResponseExample(op, "400", "application/json", JsonNode.Parse("""{ "message": "Unknown query parameter 'ActivityId' (parameter names are case-sensitive)." }""")!);
        ResponseExample(op, "404", "application/json", JsonNode.Parse("""{ "message": "No document with this id here." }""")!);
    }

    private static void DocumentWriteResponses(OpenApiOperation op, bool conflict)
    {
        ResponseExample(op, "400", "application/json", JsonNode.Parse("""{ "message": "agent is not an Agent (or Identified Group) with exactly one identifier." }""")!);
        if (conflict)
            ResponseExample(op, "409", "application/json", JsonNode.Parse("""{ "message": "A document is stored here already: send If-Match with its ETag to replace it, or POST to merge into it." }""")!);
        ResponseExample(op, "412", "application/json", JsonNode.Parse("""{ "message": "The stored document's ETag is \"4a3f0c5e9d1b2a7c6e8f0d1c2b3a4f5e6d7c8b9a\"; the If-Match or If-None-Match header does not allow changing it." }""")!);
    }
}
