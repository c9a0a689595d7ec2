using System.Text.Json.Nodes;
using Microsoft.OpenApi;

namespace Lrs.Api.Hosting;

/// <summary>Personal data: erasure of a person, the tenant's privacy policy, retention.</summary>
internal static partial class OpenApiExamples
{
    private static readonly JsonNode ExamplePolicy = JsonNode.Parse("""
        { "erasure": "pseudonymise", "retention": { "statements": "P10Y", "reflectionAnswers": "P2Y", "audit": "P10Y" } }
        """)!;

    private static readonly Dictionary<string, Action<OpenApiOperation>> Privacy = new()
    {
        ["ErasePerson"] = op =>
        {
            AdminBody(op, JsonNode.Parse("""{ "mode": "erase" }""")!);
            ResponseExample(op, "200", "application/json", JsonNode.Parse("""
                { "mode": "erase", "tombstone": "4be1f0c29a7d53e8b06c1d2f9e8a7b35",
                  "counts": { "statementsRemoved": 214, "statementsRewritten": 9, "indexKeys": 2630, "agentNames": 1, "documents": 6, "attachments": 2,
                    "evidence": 31, "signoffs": 3, "reflectionTasks": 12, "reflectionAnswers": 20, "sessions": 5, "groupReflections": 4,
                    "credentials": 1, "auditEntries": 1, "personRows": 9 } }
                """)!);
            ResponseExample(op, "400", "application/problem+json", JsonNode.Parse("""{ "type": "https://tools.ietf.org/html/rfc9110#section-15.5.1", "title": "Invalid erasure", "status": 400, "detail": "mode is 'erase' or 'pseudonymise', not 'forget'; nothing was changed." }""")!);
            ResponseExample(op, "404", "application/problem+json", JsonNode.Parse("""{ "type": "https://tools.ietf.org/html/rfc9110#section-15.5.5", "title": "No such person", "status": 404, "detail": "There is no person with id 'E10234' that this credential may see; nothing was changed." }""")!);
            ResponseExample(op, "409", "application/problem+json", JsonNode.Parse("""
                { "type": "https://tools.ietf.org/html/rfc9110#section-15.5.10", "title": "Refused by the privacy policy", "status": 409,
                  "detail": "This tenant's privacy policy is \"erasure\": \"pseudonymise\": its records are kept, so a person is pseudonymised, not erased; nothing was changed." }
                """)!);
        },
        ["GetPrivacyPolicy"] = op =>
        {
            ResponseExample(op, "200", "application/json", ExamplePolicy.DeepClone());
            ResponseExample(op, "403", "application/problem+json", JsonNode.Parse("""{ "type": "https://tools.ietf.org/html/rfc9110#section-15.5.4", "title": "Missing scope", "status": 403, "detail": "This credential lacks the scope 'admin'." }""")!);
        },
        ["PutPrivacyPolicy"] = op =>
        {
            // A municipality whose archiving rules keep records: pseudonymisation only, statements culled after ten years.
            AdminBody(op, ExamplePolicy.DeepClone());
            ResponseExample(op, "200", "application/json", ExamplePolicy.DeepClone());
            ResponseExample(op, "400", "application/problem+json", JsonNode.Parse("""
                { "type": "https://tools.ietf.org/html/rfc9110#section-15.5.1", "title": "Invalid privacy policy", "status": 400,
                  "detail": "1 problem; nothing was stored. $.retention.statements: '10 years' is not an ISO 8601 duration of at least one day (e.g. P10Y, P18M, P2Y6M)",
                  "errors": { "$.retention.statements": ["'10 years' is not an ISO 8601 duration of at least one day (e.g. P10Y, P18M, P2Y6M)"] } }
                """)!);
            ResponseExample(op, "403", "application/problem+json", JsonNode.Parse("""{ "type": "https://tools.ietf.org/html/rfc9110#section-15.5.4", "title": "Restricted credential", "status": 403, "detail": "This changes the whole tenant; a credential restricted to an organisation, an actor or a registration may not do it." }""")!);
        },
        ["ApplyRetention"] = op =>
        {
            ResponseExample(op, "200", "application/json", JsonNode.Parse("""
                { "dryRun": true,
                  "cutoffs": { "statements": "2016-12-02T02:00:00+00:00", "reflectionAnswers": "2024-12-02T02:00:00+00:00", "audit": "2016-12-02T02:00:00+00:00" },
                  "counts": { "statements": 18230, "indexKeys": 201544, "evidence": 4120, "signoffs": 310, "reflectionTasks": 1900, "reflectionAnswers": 5230,
                    "attachments": 12, "auditEntries": 88 } }
                """)!);
            ResponseExample(op, "403", "application/problem+json", JsonNode.Parse("""{ "type": "https://tools.ietf.org/html/rfc9110#section-15.5.4", "title": "Restricted credential", "status": 403, "detail": "This changes the whole tenant; a credential restricted to an organisation, an actor or a registration may not do it." }""")!);
        },
    };
}
