using System.Data.Common;
using Lrs.Core.Storage;

namespace Lrs.Storage;

/// <summary>Tenants and credentials.</summary>
public sealed class CredentialStore(Dialect db) : ICredentialStore
{
    private const string Columns = "key, tenant_id, name, secret_hash, salt, iterations, authority, scopes, created, revoked, expires, organisation, actor, registration";

    /// <inheritdoc />
    public async Task<Credential?> FindAsync(string key, CancellationToken ct) =>
        (await db.QueryAsync($"SELECT {Columns} FROM credentials WHERE key = @key", Read, ct, ("key", key))).FirstOrDefault();

    private Credential Read(DbDataReader r) => new(
        r.GetString(0), r.GetInt64(1), r.GetString(2), (byte[])r[3], (byte[])r[4], r.GetInt32(5), r.GetString(6), r.GetString(7),
        db.Time(r, 8), db.TimeOrNull(r, 9), db.TimeOrNull(r, 10), new CredentialRestrictions(r.StringOrNull(11), r.StringOrNull(12), db.UuidOrNull(r, 13)));

    /// <inheritdoc />
    public async Task<IReadOnlyList<Credential>> ListAsync(long? tenantId, CancellationToken ct) =>
        await db.QueryAsync($"SELECT {Columns} FROM credentials{(tenantId is null ? "" : " WHERE tenant_id = @t")} ORDER BY created, key", Read, ct, ("t", tenantId));

    /// <inheritdoc />
    public async Task<bool> RevokeAsync(string key, DateTimeOffset at, CancellationToken ct) =>
        await db.ExecuteAsync("UPDATE credentials SET revoked = @at WHERE key = @key AND revoked IS NULL", ct, ("key", key), ("at", db.Time(at))) == 1;

    /// <inheritdoc />
    public async Task<IReadOnlyList<Tenant>> TenantsAsync(CancellationToken ct) =>
        await db.QueryAsync("SELECT id, name, created FROM tenants ORDER BY name", r => new Tenant(r.GetInt64(0), r.GetString(1), db.Time(r, 2)), ct);

    /// <inheritdoc />
    public async Task<Tenant?> AddTenantAsync(string name, DateTimeOffset created, CancellationToken ct)
    {
        await using var write = await db.BeginWriteAsync(null, ct);
        await using var command = write.Command("INSERT INTO tenants (name, created) VALUES (@name, @created) ON CONFLICT (name) DO NOTHING RETURNING id",
            ("name", name), ("created", db.Time(created)));
        var id = await command.ExecuteScalarAsync(ct);
        await write.CommitAsync(ct);
        return id is long tenantId ? new Tenant(tenantId, name, created) : null;
    }

    /// <inheritdoc />
    public async Task<bool> AddAsync(Credential credential, CancellationToken ct)
    {
        var restrictions = credential.Restrictions;
        return await db.ExecuteAsync("""
            INSERT INTO credentials (key, tenant_id, name, secret_hash, salt, iterations, authority, scopes, created, revoked, expires, organisation, actor, registration)
            VALUES (@key, @t, @name, @hash, @salt, @it, @authority, @scopes, @created, NULL, @expires, @org, @actor, @reg) ON CONFLICT (key) DO NOTHING
            """, ct, ("key", credential.Key), ("t", credential.TenantId), ("name", credential.Name), ("hash", credential.SecretHash), ("salt", credential.Salt),
            ("it", credential.Iterations), ("authority", credential.AuthorityJson), ("scopes", credential.Scopes), ("created", db.Time(credential.Created)),
            ("expires", db.Time(credential.Expires)), ("org", restrictions.Organisation), ("actor", restrictions.ActorJson),
            ("reg", restrictions.Registration is { } reg ? db.Uuid(reg) : null)) == 1;
    }

    /// <inheritdoc />
    public Task UpdateSecretAsync(string key, byte[] secretHash, byte[] salt, int iterations, CancellationToken ct) =>
        db.ExecuteAsync("UPDATE credentials SET secret_hash = @hash, salt = @salt, iterations = @it WHERE key = @key", ct,
            ("key", key), ("hash", secretHash), ("salt", salt), ("it", iterations));

    /// <inheritdoc />
    public async Task<bool> RehashSecretAsync(string key, byte[] currentHash, byte[] secretHash, byte[] salt, int iterations, CancellationToken ct) =>
        await db.ExecuteAsync("UPDATE credentials SET secret_hash = @hash, salt = @salt, iterations = @it WHERE key = @key AND secret_hash = @current", ct,
            ("key", key), ("current", currentHash), ("hash", secretHash), ("salt", salt), ("it", iterations)) == 1;

    /// <inheritdoc />
    public async Task<bool> AnyAsync(CancellationToken ct) => await db.ScalarAsync("SELECT 1 FROM credentials LIMIT 1", ct) is not null;

    /// <inheritdoc />
    public async Task<long> EnsureTenantAsync(string name, CancellationToken ct)
    {
        await using var write = await db.BeginWriteAsync(null, ct);
        await using var command = write.Command("INSERT INTO tenants (name, created) VALUES (@name, @created) ON CONFLICT (name) DO NOTHING",
            ("name", name), ("created", db.Time(DateTimeOffset.UtcNow)));
        await command.ExecuteNonQueryAsync(ct);
        command.CommandText = "SELECT id FROM tenants WHERE name = @name";
        var id = (long)(await command.ExecuteScalarAsync(ct))!;
        await write.CommitAsync(ct);
        return id;
    }

    /// <inheritdoc />
    public async Task<long?> FindTenantAsync(string name, CancellationToken ct) =>
        await db.ScalarAsync("SELECT id FROM tenants WHERE name = @name", ct, ("name", name)) is long id ? id : null;
}
