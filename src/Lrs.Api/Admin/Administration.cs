using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Lrs.Api.Auth;
using Lrs.Core.Storage;

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
        long tenantId, string name, IReadOnlyList<string> scopes, DateTimeOffset? expires, string authorityHomePage, string actor, CancellationToken ct)
    {
        var key = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(10));
        var secret = Convert.ToBase64String(RandomNumberGenerator.GetBytes(24)).Replace('+', 'A').Replace('/', 'B').TrimEnd('=');
        var (hash, salt, iterations) = SecretHasher.Hash(secret);
        var authority = new JsonObject
        {
            ["objectType"] = "Agent",
            ["name"] = name,
            ["account"] = new JsonObject { ["homePage"] = authorityHomePage, ["name"] = key },
        };
        var credential = new Credential(key, tenantId, name, hash, salt, iterations, authority.ToJsonString(), string.Join(' ', scopes), time.GetUtcNow(), null, expires);
        if (!await credentials.AddAsync(credential, ct)) throw new InvalidOperationException("A generated credential key collided; try again.");
        var detail = $"name={name}; scopes={credential.Scopes}" + (expires is { } e ? $"; expires={e.UtcDateTime.ToString("O", CultureInfo.InvariantCulture)}" : "");
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
