namespace Lrs.Core.Storage;

/// <summary>A credential as stored: the secret only as a salted slow hash.</summary>
/// <param name="Key">The public key (user name of HTTP Basic).</param>
/// <param name="TenantId">The tenant whose data the credential reaches.</param>
/// <param name="Name">A label for operators.</param>
/// <param name="SecretHash">PBKDF2-SHA256 of the secret.</param>
/// <param name="Salt">The salt of <paramref name="SecretHash"/>.</param>
/// <param name="Iterations">PBKDF2 iterations used for <paramref name="SecretHash"/>.</param>
/// <param name="AuthorityJson">The Agent set as <c>authority</c> of the statements it stores.</param>
/// <param name="Scopes">Space-separated scopes.</param>
/// <param name="Created">Creation time.</param>
/// <param name="Revoked">Revocation time, if revoked.</param>
/// <param name="Expires">When the credential stops working, if ever.</param>
/// <param name="Restrictions">What narrows the credential beyond its scopes; <see cref="CredentialRestrictions.None"/> when nothing does.</param>
public sealed record Credential(
    string Key, long TenantId, string Name, byte[] SecretHash, byte[] Salt, int Iterations,
    string AuthorityJson, string Scopes, DateTimeOffset Created, DateTimeOffset? Revoked, DateTimeOffset? Expires = null,
    CredentialRestrictions? Restrictions = null)
{
    /// <summary>What narrows the credential beyond its scopes (never null).</summary>
    public CredentialRestrictions Restrictions { get; init; } = Restrictions ?? CredentialRestrictions.None;
}

/// <summary>
/// What a credential may reach beyond its scopes: an organisation (for reads of people and profiles), one actor
/// and one registration (for statements and documents). Null means unrestricted.
/// </summary>
/// <param name="Organisation">The organisation (employer) whose people, profiles and statements the credential reads.</param>
/// <param name="ActorJson">The Agent (with exactly one identifier) every statement and agent document must be about.</param>
/// <param name="Registration">The registration every statement and State document must belong to.</param>
public sealed record CredentialRestrictions(string? Organisation, string? ActorJson, Guid? Registration)
{
    /// <summary>No restriction at all.</summary>
    public static readonly CredentialRestrictions None = new(null, null, null);

    /// <summary>Whether nothing is restricted.</summary>
    public bool IsNone => Organisation is null && ActorJson is null && Registration is null;
}

/// <summary>A tenant: hard isolation of data; every credential belongs to one.</summary>
/// <param name="Id">The id every stored row carries.</param>
/// <param name="Name">The unique name operators use.</param>
/// <param name="Created">Creation time.</param>
public sealed record Tenant(long Id, string Name, DateTimeOffset Created);

/// <summary>Storage of tenants and credentials.</summary>
public interface ICredentialStore
{
    /// <summary>The credential with this key, or null.</summary>
    Task<Credential?> FindAsync(string key, CancellationToken ct);

    /// <summary>Adds a credential; false when the key is taken.</summary>
    Task<bool> AddAsync(Credential credential, CancellationToken ct);

    /// <summary>The credentials of one tenant, or of all tenants when <paramref name="tenantId"/> is null, ordered by creation.</summary>
    Task<IReadOnlyList<Credential>> ListAsync(long? tenantId, CancellationToken ct);

    /// <summary>Marks a credential revoked; false when there is none with this key or it was revoked already.</summary>
    Task<bool> RevokeAsync(string key, DateTimeOffset at, CancellationToken ct);

    /// <summary>Every tenant, ordered by name.</summary>
    Task<IReadOnlyList<Tenant>> TenantsAsync(CancellationToken ct);

    /// <summary>Creates a tenant; null when the name is taken.</summary>
    Task<Tenant?> AddTenantAsync(string name, DateTimeOffset created, CancellationToken ct);

    /// <summary>Replaces the secret of an existing credential.</summary>
    Task UpdateSecretAsync(string key, byte[] secretHash, byte[] salt, int iterations, CancellationToken ct);

    /// <summary>
    /// Replaces the hash of a secret by a stronger hash of the same secret, unless the stored hash is no longer
    /// <paramref name="currentHash"/> (the secret was changed meanwhile); false then, and nothing changes.
    /// </summary>
    Task<bool> RehashSecretAsync(string key, byte[] currentHash, byte[] secretHash, byte[] salt, int iterations, CancellationToken ct);

    /// <summary>Whether any credential exists at all (first start detection).</summary>
    Task<bool> AnyAsync(CancellationToken ct);

    /// <summary>The id of the tenant with this name, created when missing.</summary>
    Task<long> EnsureTenantAsync(string name, CancellationToken ct);

    /// <summary>The id of the tenant with this name, or null; never creates one (bearer tokens name tenants).</summary>
    Task<long?> FindTenantAsync(string name, CancellationToken ct);
}

/// <summary>Creates or upgrades the schema by its numbered migrations; run at every start, a no-op when up to date.</summary>
public interface ISchemaSetup
{
    /// <summary>Applies the pending migrations; throws when the database is newer than this code.</summary>
    Task EnsureSchemaAsync(CancellationToken ct);
}
