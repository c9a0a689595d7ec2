using Lrs.Core.Storage;
using Npgsql;

namespace Lrs.Storage.Postgres;

/// <summary>Tenants and credentials in PostgreSQL.</summary>
public sealed class PostgresCredentialStore(PostgresDatabase database) : ICredentialStore
{
    /// <inheritdoc />
    public async Task<Credential?> FindAsync(string key, CancellationToken ct)
    {
        await using var command = database.DataSource.CreateCommand($"SELECT {Columns} FROM credentials WHERE key = @key");
        command.Parameters.AddWithValue("key", key);
        await using var r = await command.ExecuteReaderAsync(ct);
        if (!await r.ReadAsync(ct)) return null;
        return Read(r);
    }

    private const string Columns = "key, tenant_id, name, secret_hash, salt, iterations, authority, scopes, created, revoked, expires, organisation, actor, registration";

    private static Credential Read(NpgsqlDataReader r) => new(
        r.GetString(0), r.GetInt64(1), r.GetString(2), (byte[])r[3], (byte[])r[4], r.GetInt32(5), r.GetString(6), r.GetString(7),
        Utc(r.GetDateTime(8)), r.IsDBNull(9) ? null : Utc(r.GetDateTime(9)), r.IsDBNull(10) ? null : Utc(r.GetDateTime(10)),
        new CredentialRestrictions(r.IsDBNull(11) ? null : r.GetString(11), r.IsDBNull(12) ? null : r.GetString(12), r.IsDBNull(13) ? null : r.GetGuid(13)));

    private static DateTimeOffset Utc(DateTime t) => new(t, TimeSpan.Zero);

    /// <inheritdoc />
    public async Task<IReadOnlyList<Credential>> ListAsync(long? tenantId, CancellationToken ct)
    {
        await using var command = database.DataSource.CreateCommand($"SELECT {Columns} FROM credentials WHERE @t::bigint IS NULL OR tenant_id = @t ORDER BY created, key");
        command.Parameters.Add(new NpgsqlParameter("t", NpgsqlTypes.NpgsqlDbType.Bigint) { Value = (object?)tenantId ?? DBNull.Value });
        await using var r = await command.ExecuteReaderAsync(ct);
        var list = new List<Credential>();
        while (await r.ReadAsync(ct)) list.Add(Read(r));
        return list;
    }

    /// <inheritdoc />
    public async Task<bool> RevokeAsync(string key, DateTimeOffset at, CancellationToken ct)
    {
        await using var command = database.DataSource.CreateCommand("UPDATE credentials SET revoked = @at WHERE key = @key AND revoked IS NULL");
        command.Parameters.AddWithValue("key", key);
        command.Parameters.AddWithValue("at", at.UtcDateTime);
        return await command.ExecuteNonQueryAsync(ct) == 1;
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<Tenant>> TenantsAsync(CancellationToken ct)
    {
        await using var command = database.DataSource.CreateCommand("SELECT id, name, created FROM tenants ORDER BY name");
        await using var r = await command.ExecuteReaderAsync(ct);
        var list = new List<Tenant>();
        while (await r.ReadAsync(ct)) list.Add(new Tenant(r.GetInt64(0), r.GetString(1), Utc(r.GetDateTime(2))));
        return list;
    }

    /// <inheritdoc />
    public async Task<Tenant?> AddTenantAsync(string name, DateTimeOffset created, CancellationToken ct)
    {
        await using var command = database.DataSource.CreateCommand("INSERT INTO tenants (name, created) VALUES (@name, @created) ON CONFLICT (name) DO NOTHING RETURNING id");
        command.Parameters.AddWithValue("name", name);
        command.Parameters.AddWithValue("created", created.UtcDateTime);
        return await command.ExecuteScalarAsync(ct) is long id ? new Tenant(id, name, created) : null;
    }

    /// <inheritdoc />
    public async Task<bool> AddAsync(Credential credential, CancellationToken ct)
    {
        await using var command = database.DataSource.CreateCommand("""
            INSERT INTO credentials (key, tenant_id, name, secret_hash, salt, iterations, authority, scopes, created, expires, organisation, actor, registration)
            VALUES (@key, @t, @name, @hash, @salt, @it, @authority, @scopes, @created, @expires, @org, @actor, @reg) ON CONFLICT (key) DO NOTHING
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
        command.Parameters.Add(new NpgsqlParameter("expires", NpgsqlTypes.NpgsqlDbType.TimestampTz) { Value = (object?)credential.Expires?.UtcDateTime ?? DBNull.Value });
        var restrictions = credential.Restrictions;
        command.Parameters.Add(new NpgsqlParameter("org", NpgsqlTypes.NpgsqlDbType.Text) { Value = (object?)restrictions.Organisation ?? DBNull.Value });
        command.Parameters.Add(new NpgsqlParameter("actor", NpgsqlTypes.NpgsqlDbType.Text) { Value = (object?)restrictions.ActorJson ?? DBNull.Value });
        command.Parameters.Add(new NpgsqlParameter("reg", NpgsqlTypes.NpgsqlDbType.Uuid) { Value = (object?)restrictions.Registration ?? DBNull.Value });
        return await command.ExecuteNonQueryAsync(ct) == 1;
    }

    /// <inheritdoc />
    public Task UpdateSecretAsync(string key, byte[] secretHash, byte[] salt, int iterations, CancellationToken ct) =>
        SetSecretAsync(key, null, secretHash, salt, iterations, ct);

    /// <inheritdoc />
    public Task<bool> RehashSecretAsync(string key, byte[] currentHash, byte[] secretHash, byte[] salt, int iterations, CancellationToken ct) =>
        SetSecretAsync(key, currentHash, secretHash, salt, iterations, ct);

    /// <summary>Replaces the hash of a credential's secret, only while it is <paramref name="currentHash"/> when given.</summary>
    private async Task<bool> SetSecretAsync(string key, byte[]? currentHash, byte[] secretHash, byte[] salt, int iterations, CancellationToken ct)
    {
        await using var command = database.DataSource.CreateCommand(
            "UPDATE credentials SET secret_hash = @hash, salt = @salt, iterations = @it WHERE key = @key AND (@current::bytea IS NULL OR secret_hash = @current)");
        command.Parameters.AddWithValue("key", key);
        command.Parameters.Add(new NpgsqlParameter("current", NpgsqlTypes.NpgsqlDbType.Bytea) { Value = (object?)currentHash ?? DBNull.Value });
        command.Parameters.AddWithValue("hash", secretHash);
        command.Parameters.AddWithValue("salt", salt);
        command.Parameters.AddWithValue("it", iterations);
        return await command.ExecuteNonQueryAsync(ct) == 1;
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
