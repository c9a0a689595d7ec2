using System.Text.Json.Nodes;
using Microsoft.OpenApi;

namespace Lrs.Api.Hosting;

/// <summary>Events and webhook subscriptions.</summary>
internal static partial class OpenApiExamples
{
    private static readonly JsonNode ExampleStatusChanged = JsonNode.Parse("""
        { "id": "0b6f2f7e-3c1d-4e8a-9f52-7a1c4d2e9b30", "type": "competence.status-changed", "timestamp": "2026-03-04T09:41:07.123456+00:00",
          "data": { "personId": "E10234", "competenceId": "deleg-lakemedel", "oldStatus": "valid", "newStatus": "expiring" } }
        """)!;

    private static readonly JsonNode ExampleTaskCreated = JsonNode.Parse("""
        { "id": "5d2c8a41-7e90-4b3f-a6d1-2f8e0c9b7a54", "type": "reflection-task.created", "timestamp": "2026-03-04T09:41:07.123456+00:00",
          "data": { "taskId": "c41e7a2b-9d3f-4a08-b6e5-1f0a2d3c4b5e", "templateId": "hygien-reflektion", "personId": "E10234", "status": "open",
            "dueAt": "2026-03-18T09:41:07.123456+00:00", "trainingStatementId": "8f14e45f-ceea-467f-a8ad-0d3c4e2b6c11" } }
        """)!;

    private static readonly JsonNode ExampleWebhookView = JsonNode.Parse("""
        { "id": "e3b0c442-98fc-4c14-9afb-f4c8996fb924", "url": "https://intranet.omsorgen.se/hooks/lrs", "types": ["competence.status-changed", "reflection-task.overdue"],
          "organisation": "omsorgen-ab", "state": "active", "created": "2026-03-01T08:00:00+00:00", "lastDelivery": "2026-03-04T09:41:08+00:00",
          "lastError": "HTTP 503 Service Unavailable", "lastErrorAt": "2026-03-03T22:10:00+00:00", "failingSince": null, "nextAttempt": null }
        """)!;

    private static JsonNode NoSuchWebhookExample() => JsonNode.Parse("""
        { "type": "https://tools.ietf.org/html/rfc9110#section-15.5.5", "title": "No such webhook", "status": 404,
          "detail": "This tenant has no webhook subscription e3b0c442-98fc-4c14-9afb-f4c8996fb924 that this credential may see." }
        """)!;

    private static readonly Dictionary<string, Action<OpenApiOperation>> Events = new()
    {
        ["ListEvents"] = op =>
        {
            ResponseExample(op, "200", "application/json", new JsonObject
            {
                ["events"] = new JsonArray(ExampleTaskCreated.DeepClone(), ExampleStatusChanged.DeepClone()), ["cursor"] = "0-4711", ["more"] = null, ["pending"] = false,
            });
            ResponseExample(op, "400", "application/problem+json", JsonNode.Parse("""{ "type": "https://tools.ietf.org/html/rfc9110#section-15.5.1", "title": "Invalid cursor", "status": 400, "detail": "cursor is the `cursor` of an earlier answer of GET /api/events." }""")!);
            ResponseExample(op, "403", "application/problem+json", JsonNode.Parse("""{ "type": "https://tools.ietf.org/html/rfc9110#section-15.5.4", "title": "Missing scope", "status": 403, "detail": "This credential's scopes do not cover events of type 'person.changed'." }""")!);
        },
        ["CreateWebhook"] = op =>
        {
            AdminBody(op, JsonNode.Parse("""
                { "url": "https://intranet.omsorgen.se/hooks/lrs", "types": ["competence.status-changed", "reflection-task.overdue"], "organisation": "omsorgen-ab" }
                """)!);
            ResponseExample(op, "201", "application/json", JsonNode.Parse("""
                { "id": "e3b0c442-98fc-4c14-9afb-f4c8996fb924", "url": "https://intranet.omsorgen.se/hooks/lrs", "types": ["competence.status-changed", "reflection-task.overdue"],
                  "organisation": "omsorgen-ab", "state": "active", "created": "2026-03-01T08:00:00+00:00", "secret": "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw2Yi4GtWf0Ww=" }
                """)!);
            ResponseExample(op, "400", "application/problem+json", JsonNode.Parse("""{ "type": "https://tools.ietf.org/html/rfc9110#section-15.5.1", "title": "Invalid type", "status": 400, "detail": "'competence.changed' is not an event type; known: competence.status-changed, reflection-task.created, reflection-task.answered, reflection-task.overdue, reflection-task.cancelled, person.changed." }""")!);
            ResponseExample(op, "403", "application/problem+json", JsonNode.Parse("""{ "type": "https://tools.ietf.org/html/rfc9110#section-15.5.4", "title": "Wider than the caller", "status": 403, "detail": "This credential is restricted to organisation 'omsorgen-ab'; its subscriptions are restricted to it too." }""")!);
        },
        ["ListWebhooks"] = op =>
        {
            ResponseExample(op, "200", "application/json", new JsonObject { ["webhooks"] = new JsonArray(ExampleWebhookView.DeepClone()), ["more"] = null });
            ResponseExample(op, "400", "application/problem+json", JsonNode.Parse("""{ "type": "https://tools.ietf.org/html/rfc9110#section-15.5.1", "title": "Invalid limit", "status": 400, "detail": "limit is between 1 and 1000." }""")!);
            ResponseExample(op, "403", "application/problem+json", MissingAdminScope);
        },
        ["GetWebhook"] = op =>
        {
            ResponseExample(op, "200", "application/json", ExampleWebhookView.DeepClone());
            ResponseExample(op, "404", "application/problem+json", NoSuchWebhookExample());
            ResponseExample(op, "403", "application/problem+json", MissingAdminScope);
        },
        ["DeleteWebhook"] = op =>
        {
            ResponseExample(op, "404", "application/problem+json", NoSuchWebhookExample());
            ResponseExample(op, "403", "application/problem+json", MissingAdminScope);
        },
        ["ResumeWebhook"] = op =>
        {
            ResponseExample(op, "200", "application/json", ExampleWebhookView.DeepClone());
            ResponseExample(op, "404", "application/problem+json", NoSuchWebhookExample());
            ResponseExample(op, "403", "application/problem+json", MissingAdminScope);
        },
        ["PauseWebhook"] = op =>
        {
            var paused = ExampleWebhookView.DeepClone();
            paused["state"] = "paused";
            ResponseExample(op, "200", "application/json", paused);
            ResponseExample(op, "404", "application/problem+json", NoSuchWebhookExample());
            ResponseExample(op, "403", "application/problem+json", MissingAdminScope);
        },
    };
}
