using System.Text.Json.Nodes;
using Microsoft.OpenApi;

namespace Lrs.Api.Hosting;

/// <summary>The admin API's part: tenants, credentials, audit log.</summary>
internal static partial class OpenApiExamples
{
    private static readonly JsonNode MissingAdminScope = JsonNode.Parse("""
        { "type": "https://tools.ietf.org/html/rfc9110#section-15.5.4", "title": "Missing scope", "status": 403,
          "detail": "This credential lacks the scope 'admin', which every /api/admin endpoint requires (the scope 'all' does not include it)." }
        """)!;

    private static readonly JsonNode MissingOperatorScope = JsonNode.Parse("""
        { "type": "https://tools.ietf.org/html/rfc9110#section-15.5.4", "title": "Missing scope", "status": 403,
          "detail": "This credential lacks the scope 'operator', which creating tenants requires (neither 'admin' nor 'all' includes it)." }
        """)!;

    private static readonly JsonNode ExampleCredentialView = JsonNode.Parse("""
        { "key": "3f9a1c7e5b2d8a604e11", "name": "Hygienkörkortet (e-learning)", "scopes": ["statements/write", "statements/read/mine", "state", "profile", "define"],
          "status": "active", "created": "2026-03-01T08:00:00+00:00", "expires": "2027-01-01T00:00:00+00:00", "revoked": null,
          "organisation": null, "actor": null, "registration": null }
        """)!;

    private static readonly JsonNode ExampleLaunchCredentialView = JsonNode.Parse("""
        { "key": "9c04be71d2a35f86e0b7", "name": "cmi5 launch: Basala hygienrutiner, E10234", "scopes": ["statements/write", "statements/read/mine", "state"],
          "status": "active", "created": "2026-03-04T09:30:00+00:00", "expires": "2026-03-05T09:30:00+00:00", "revoked": null,
          "organisation": null, "actor": { "objectType": "Agent", "account": { "homePage": "https://hr.solna.se", "name": "E10234" } },
          "registration": "6d0e5a3c-3f1b-4c8e-9a51-0c2f4a7d9b10" }
        """)!;

    private static readonly JsonNode ExampleHrCredentialView = JsonNode.Parse("""
        { "key": "51e8a0c3b7f2d94a6c15", "name": "HR Omsorgen AB", "scopes": ["profiles:read", "statements/read"],
          "status": "active", "created": "2026-02-10T13:00:00+00:00", "expires": null, "revoked": null,
          "organisation": "omsorgen-ab", "actor": null, "registration": null }
        """)!;

    private static readonly Dictionary<string, Action<OpenApiOperation>> Admin = new()
    {
        ["ListTenants"] = op =>
        {
            // As an operator sees it; an admin without operator gets only the first.
            ResponseExample(op, "200", "application/json", JsonNode.Parse("""[ { "name": "metodikum-solna", "created": "2026-01-10T09:00:00+00:00" }, { "name": "metodrum-upplands-vasby", "created": "2026-02-02T10:30:00+00:00" } ]""")!);
            ResponseExample(op, "403", "application/problem+json", MissingAdminScope);
        },
        ["CreateTenant"] = op =>
        {
            AdminBody(op, JsonNode.Parse("""{ "name": "larcentra-skelleftea", "credential": { "name": "Lärcentra admin" } }""")!);
            ResponseExample(op, "201", "application/json", JsonNode.Parse("""
                { "name": "larcentra-skelleftea", "created": "2026-03-01T08:00:00+00:00",
                  "credential": { "key": "7c2e9b41d05a3f8e6b17", "secret": "q8VtN3xWcLp0R6sYbH2mKd9ZfJ4uTa1E", "name": "Lärcentra admin",
                    "scopes": ["all", "profiles:read", "people:write", "framework:write", "reflections:read", "reflections:write", "admin"],
                    "created": "2026-03-01T08:00:00+00:00", "expires": null, "organisation": null, "actor": null, "registration": null } }
                """)!);
            ResponseExample(op, "409", "application/problem+json", JsonNode.Parse("""{ "type": "https://tools.ietf.org/html/rfc9110#section-15.5.10", "title": "Tenant exists", "status": 409, "detail": "A tenant named 'larcentra-skelleftea' exists already." }""")!);
            ResponseExample(op, "403", "application/problem+json", MissingOperatorScope);
        },
        ["ListCredentials"] = op =>
        {
            ResponseExample(op, "200", "application/json", new JsonArray(ExampleCredentialView.DeepClone(), ExampleLaunchCredentialView.DeepClone(), ExampleHrCredentialView.DeepClone()));
            ResponseExample(op, "403", "application/problem+json", MissingAdminScope);
        },
        ["GetCredential"] = op =>
        {
            ResponseExample(op, "200", "application/json", ExampleLaunchCredentialView.DeepClone());
            ResponseExample(op, "404", "application/problem+json", NoSuchCredentialExample());
            ResponseExample(op, "403", "application/problem+json", MissingAdminScope);
        },
        ["CreateCredential"] = op =>
        {
            // A cmi5-style launch credential: one learner, one registration, for a day.
            AdminBody(op, JsonNode.Parse("""
                { "name": "cmi5 launch: Basala hygienrutiner, E10234", "scopes": ["statements/write", "statements/read/mine", "state"],
                  "actor": { "objectType": "Agent", "account": { "homePage": "https://hr.solna.se", "name": "E10234" } },
                  "registration": "6d0e5a3c-3f1b-4c8e-9a51-0c2f4a7d9b10", "expires": "2026-03-05T09:30:00Z" }
                """)!);
            ResponseExample(op, "201", "application/json", JsonNode.Parse("""
                { "key": "9c04be71d2a35f86e0b7", "secret": "q8ZkA2mB0xW7yTn4LsVd1Hc9PfRj6Ue3", "name": "cmi5 launch: Basala hygienrutiner, E10234",
                  "scopes": ["statements/write", "statements/read/mine", "state"], "created": "2026-03-04T09:30:00+00:00", "expires": "2026-03-05T09:30:00+00:00",
                  "organisation": null, "actor": { "objectType": "Agent", "account": { "homePage": "https://hr.solna.se", "name": "E10234" } },
                  "registration": "6d0e5a3c-3f1b-4c8e-9a51-0c2f4a7d9b10" }
                """)!);
            ResponseExample(op, "400", "application/problem+json", JsonNode.Parse("""{ "type": "https://tools.ietf.org/html/rfc9110#section-15.5.1", "title": "Invalid restriction", "status": 400, "detail": "actor is not an xAPI Agent with exactly one identifier (mbox, mbox_sha1sum, openid or account): an Agent must have exactly one of mbox, mbox_sha1sum, openid or account." }""")!);
            ResponseExample(op, "403", "application/problem+json", JsonNode.Parse("""{ "type": "https://tools.ietf.org/html/rfc9110#section-15.5.4", "title": "Missing scope", "status": 403, "detail": "Only a credential with the scope 'operator' may issue one with it." }""")!);
        },
        ["RevokeCredential"] = op =>
        {
            ResponseExample(op, "404", "application/problem+json", NoSuchCredentialExample());
            ResponseExample(op, "403", "application/problem+json", MissingAdminScope);
        },
        ["ListAuditEntries"] = op =>
        {
            ResponseExample(op, "200", "application/json", JsonNode.Parse("""
                { "entries": [
                    { "seq": 3, "at": "2026-03-02T14:05:11+00:00", "actor": "a1b2c3d4e5", "action": "credential.revoke", "target": "3f9a1c7e5b2d8a604e11", "detail": "name=Hygienkörkortet (e-learning)" },
                    { "seq": 2, "at": "2026-03-01T08:00:00+00:00", "actor": "cli:lrs", "action": "credential.create", "target": "3f9a1c7e5b2d8a604e11", "detail": "name=Hygienkörkortet (e-learning); scopes=statements/write statements/read/mine state profile define; expires=2027-01-01T00:00:00.0000000Z" },
                    { "seq": 1, "at": "2026-02-10T13:00:00+00:00", "actor": "cli:lrs", "action": "credential.create", "target": "51e8a0c3b7f2d94a6c15", "detail": "name=HR Omsorgen AB; scopes=profiles:read statements/read; organisation=omsorgen-ab" } ],
                  "more": "/api/admin/audit?cursor=1&limit=3" }
                """)!);
            ResponseExample(op, "400", "application/problem+json", JsonNode.Parse("""{ "type": "https://tools.ietf.org/html/rfc9110#section-15.5.1", "title": "Invalid limit", "status": 400, "detail": "limit is between 1 and 1000." }""")!);
            ResponseExample(op, "403", "application/problem+json", MissingAdminScope);
        },
    };

    private static JsonNode NoSuchCredentialExample() => JsonNode.Parse("""
        { "type": "https://tools.ietf.org/html/rfc9110#section-15.5.5", "title": "No such credential", "status": 404, "detail": "This tenant has no credential with key '3f9a1c7e5b2d8a604e11'." }
        """)!;

    private static void AdminBody(OpenApiOperation op, JsonNode example)
    {
        // The generator describes the body's schema from the handler's record; only the example is added.
        if (op.RequestBody is OpenApiRequestBody { Content: { } content } && content.TryGetValue("application/json", out var media))
            media.Example = example;
    }
}
