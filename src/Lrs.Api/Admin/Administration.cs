using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using Lrs.Api.Auth;
using Lrs.Core.Storage;
using Lrs.Core.Xapi;

namespace Lrs.Api.Admin;

/// <summary>
/// What an operator does to tenants and credentials, shared by the CLI and the admin API, so both store and
/// audit the same way. Every change writes one audit row.
/// </summary>
public sealed class Administration(ICredentialStore credentials, IAuditLog audit, TimeProvider time)
{
    public const string TenantCreate = "tenant.create";
    public const string CredentialCreate = "credential.create";
    public const string CredentialRevoke = "credential.revoke";

    /// <summary>Creates a tenant; null when the name is taken. The row goes to <paramref name="auditTenant"/> (the new tenant when null).</summary>
    public async Task<Tenant?> CreateTenantAsync(string name, string actor, long? auditTenant, CancellationToken ct)
    {
        var tenant = await credentials.AddTenantAsync(name, time.GetUtcNow(), ct);
        if (tenant is not null)
            await audit.AppendAsync(auditTenant ?? tenant.Id, tenant.Created, actor, TenantCreate, name, null, ct);
        return tenant;
    }

    /// <summary>Issues a credential with a fresh key and secret; the secret exists only in the returned value.</summary>
    public async Task<(Credential Credential, string Secret)> IssueCredentialAsync(
        long tenantId, string name, IReadOnlyList<string> scopes, DateTimeOffset? expires, string authorityHomePage, string actor, CancellationToken ct,
        CredentialRestrictions? restrictions = null)
    {
        restrictions ??= CredentialRestrictions.None;
        var key = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(10));
        var secret = Convert.ToBase64String(RandomNumberGenerator.GetBytes(24)).Replace('+', 'A').Replace('/', 'B').TrimEnd('=');
        var (hash, salt, iterations) = SecretHasher.Hash(secret);
        var authority = new JsonObject
        {
            ["objectType"] = "Agent",
            ["name"] = name,
            ["account"] = new JsonObject { ["homePage"] = authorityHomePage, ["name"] = key },
        };
        var credential = new Credential(key, tenantId, name, hash, salt, iterations, authority.ToJsonString(), string.Join(' ', scopes), time.GetUtcNow(), null, expires, restrictions);
        if (!await credentials.AddAsync(credential, ct)) throw new InvalidOperationException("A generated credential key collided; try again.");
        var detail = $"name={name}; scopes={credential.Scopes}" + (expires is { } e ? $"; expires={e.UtcDateTime.ToString("O", CultureInfo.InvariantCulture)}" : "")
            + (Describe(restrictions) is { Length: > 0 } r ? "; " + r : "");
        await audit.AppendAsync(tenantId, credential.Created, actor, CredentialCreate, key, detail, ct);
        return (credential, secret);
    }

    /// <summary>Revokes a credential; false when it was revoked already.</summary>
    public async Task<bool> RevokeCredentialAsync(Credential credential, string actor, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        if (!await credentials.RevokeAsync(credential.Key, now, ct)) return false;
        await audit.AppendAsync(credential.TenantId, now, actor, CredentialRevoke, credential.Key, $"name={credential.Name}", ct);
        return true;
    }

    /// <summary>
    /// The restrictions of a new credential, checked: an organisation of at most 200 characters, an actor that is an
    /// Agent with exactly one identifier (kept as compact JSON), a registration that is a UUID. Absent or blank means unrestricted.
    /// </summary>
    public static (CredentialRestrictions Restrictions, string? Error) CheckRestrictions(string? organisation, JsonNode? actor, string? registration)
    {
        organisation = string.IsNullOrWhiteSpace(organisation) ? null : organisation.Trim();
        if (organisation is { Length: > 200 }) return (CredentialRestrictions.None, "organisation has at most 200 characters.");

        string? actorJson = null;
        if (actor is not null)
        {
            // The agent parameter's rules, minus Identified Groups: a credential speaks for one person.
            var problems = StatementValidator.ValidateAgentParameter(actor, XapiVersion.V200);
            var isAgent = actor is JsonObject && (actor["objectType"] is null || actor["objectType"] is JsonValue v && v.TryGetValue(out string? type) && type == "Agent");
            if (!isAgent || problems.Count > 0 || AgentKey.Of(actor) is null)
                return (CredentialRestrictions.None, "actor is not an xAPI Agent with exactly one identifier (mbox, mbox_sha1sum, openid or account)"
                    + (problems.Count > 0 ? $": {problems[0].Message}." : "."));
            actorJson = actor.ToJsonString();
        }

        Guid? bound = null;
        if (!string.IsNullOrWhiteSpace(registration))
        {
            if (!Guid.TryParse(registration.Trim(), out var parsed)) return (CredentialRestrictions.None, $"registration '{registration}' is not a UUID.");
            bound = parsed;
        }
        return (new CredentialRestrictions(organisation, actorJson, bound), null);
    }

    /// <summary>The same, with the actor as JSON text (the CLI's <c>--actor</c>).</summary>
    public static (CredentialRestrictions Restrictions, string? Error) ParseRestrictions(string? organisation, string? actorText, string? registration)
    {
        JsonNode? actor = null;
        if (!string.IsNullOrWhiteSpace(actorText))
        {
            try { actor = JsonNode.Parse(actorText); }
            catch (JsonException) { return (CredentialRestrictions.None, "actor is not JSON; give an Agent such as '{\"account\":{\"homePage\":\"https://hr.example.se\",\"name\":\"E10234\"}}'."); }
        }
        return CheckRestrictions(organisation, actor, registration);
    }

    /// <summary>The restrictions as operators read them (<c>organisation=…; actor=…; registration=…</c>), empty when there are none.</summary>
    public static string Describe(CredentialRestrictions restrictions) => string.Join("; ", new[]
    {
        restrictions.Organisation is { } o ? $"organisation={o}" : null,
        restrictions.ActorJson is { } a ? $"actor={a}" : null,
        restrictions.Registration is { } r ? $"registration={r:D}" : null,
    }.OfType<string>());

    /// <summary>The expiry of a new credential: absent, or a future instant with an explicit offset.</summary>
    public (DateTimeOffset? Expires, string? Error) ParseExpiry(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return (null, null);
        if (!DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var expires))
            return (null, $"'{text}' is not a date and time (use ISO 8601, e.g. 2027-01-01T00:00:00Z).");
        return CheckExpiry(expires);
    }

    public (DateTimeOffset? Expires, string? Error) CheckExpiry(DateTimeOffset? expires) =>
        expires is { } e && e <= time.GetUtcNow() ? (null, $"The expiry {e.UtcDateTime.ToString("O", CultureInfo.InvariantCulture)} has passed already.") : (expires, null);

    /// <summary>Active, revoked or expired, as operators read it.</summary>
    public string StatusOf(Credential credential) =>
        credential.Revoked is not null ? "revoked" : credential.Expires <= time.GetUtcNow() ? "expired" : "active";
}
