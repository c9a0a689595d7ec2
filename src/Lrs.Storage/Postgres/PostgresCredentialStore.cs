using Lrs.Core.Storage;

namespace Lrs.Storage.Postgres;

/// <summary>Tenants and credentials in PostgreSQL.</summary>
public sealed class PostgresCredentialStore(PostgresDatabase database) : ICredentialStore
{
    /// <inheritdoc />
    public async Task<Credential?> FindAsync(string key, CancellationToken ct)
    {
        await using var command = database.DataSource.CreateCommand(
            "SELECT key, tenant_id, name, secret_hash, salt, iterations, authority, scopes, created, revoked FROM credentials WHERE key = @key");
        command.Parameters.AddWithValue("key", key);
        await using var r = await command.ExecuteReaderAsync(ct);
        if (!await r.ReadAsync(ct)) return null;
        return new Credential(
            r.GetString(0), r.GetInt64(1), r.GetString(2), (byte[])r[3], (byte[])r[4], r.GetInt32(5), r.GetString(6), r.GetString(7),
            new DateTimeOffset(r.GetDateTime(8), TimeSpan.Zero), r.IsDBNull(9) ? null : new DateTimeOffset(r.GetDateTime(9), TimeSpan.Zero));
    }

    /// <inheritdoc />
    public async Task<bool> AddAsync(Credential credential, CancellationToken ct)
    {
        await using var command = database.DataSource.CreateCommand("""
            INSERT INTO credentials (key, tenant_id, name, secret_hash, salt, iterations, authority, scopes, created)
            VALUES (@key, @t, @name, @hash, @salt, @it, @authority, @scopes, @created) ON CONFLICT (key) DO NOTHING
            """);
        command.Parameters.AddWithValue("key", credential.Key);
        command.Parameters.AddWithValue("t", credential.TenantId);
        command.Parameters.AddWithValue("name", credential.Name);
        command.Parameters.AddWithValue("hash", credential.SecretHash);
        command.Parameters.AddWithValue("salt", credential.Salt);
        command.Parameters.AddWithValue("it", credential.Iterations);
        command.Parameters.AddWithValue("authority", credential.AuthorityJson);
        command.Parameters.AddWithValue("scopes", credential.Scopes);
        command.Parameters.AddWithValue("created", credential.Created.UtcDateTime);
        return await command.ExecuteNonQueryAsync(ct) == 1;
    }

    /// <inheritdoc />
    public async Task UpdateSecretAsync(string key, byte[] secretHash, byte[] salt, int iterations, CancellationToken ct)
    {
        await using var command = database.DataSource.CreateCommand("UPDATE credentials SET secret_hash = @hash, salt = @salt, iterations = @it WHERE key = @key");
        command.Parameters.AddWithValue("key", key);
        command.Parameters.AddWithValue("hash", secretHash);
        command.Parameters.AddWithValue("salt", salt);
        command.Parameters.AddWithValue("it", iterations);
        await command.ExecuteNonQueryAsync(ct);
    }

    /// <inheritdoc />
    public async Task<bool> AnyAsync(CancellationToken ct)
    {
        await using var command = database.DataSource.CreateCommand("SELECT EXISTS (SELECT 1 FROM credentials)");
        return (bool)(await command.ExecuteScalarAsync(ct))!;
    }

    /// <inheritdoc />
    public async Task<long> EnsureTenantAsync(string name, CancellationToken ct)
    {
        await using var command = database.DataSource.CreateCommand("""
            WITH ins AS (INSERT INTO tenants (name) VALUES (@name) ON CONFLICT (name) DO NOTHING RETURNING id)
            SELECT id FROM ins UNION ALL SELECT id FROM tenants WHERE name = @name
            """);
        command.Parameters.AddWithValue("name", name);
        return (long)(await command.ExecuteScalarAsync(ct))!;
    }

    /// <inheritdoc />
    public async Task<long?> FindTenantAsync(string name, CancellationToken ct)
    {
        await using var command = database.DataSource.CreateCommand("SELECT id FROM tenants WHERE name = @name");
        command.Parameters.AddWithValue("name", name);
        return await command.ExecuteScalarAsync(ct) is long id ? id : null;
    }
}
