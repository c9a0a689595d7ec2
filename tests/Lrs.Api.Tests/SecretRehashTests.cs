using System.Net;
using System.Security.Cryptography;
using System.Text;
using Lrs.Api.Auth;
using Lrs.Api.Tests.Infrastructure;
using Lrs.Core.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace Lrs.Api.Tests;

/// <summary>
/// Secrets hashed with PBKDF2-SHA256 at 100,000 iterations (before 600,000 became the count) keep working and are
/// rehashed at the next successful login.
/// </summary>
public abstract class SecretRehashTests(LrsFixture lrs)
{
    private ICredentialStore Store => lrs.Services.GetRequiredService<ICredentialStore>();

    /// <summary>A credential stored as the LRS stored them before: 100,000 iterations.</summary>
    private async Task<(string Key, string Secret, Credential Stored)> OldCredentialAsync()
    {
        var key = "old-" + Guid.NewGuid().ToString("N")[..12];
        var secret = Guid.NewGuid().ToString("N");
        var salt = RandomNumberGenerator.GetBytes(16);
        var hash = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(secret), salt, 100_000, HashAlgorithmName.SHA256, 32);
        var tenant = await Store.EnsureTenantAsync("default", CancellationToken.None);
        var credential = new Credential(key, tenant, key, hash, salt, 100_000,
            """{"objectType":"Agent","account":{"homePage":"http://localhost:8080","name":"KEY"}}""".Replace("KEY", key, StringComparison.Ordinal), "all", DateTimeOffset.UtcNow, null);
        (await Store.AddAsync(credential, CancellationToken.None)).Should().BeTrue();
        return (key, secret, credential);
    }

    private async Task<HttpStatusCode> LoginAsync(string key, string secret) =>
        (await lrs.Client("2.0.0", key, secret).GetAsync("/xapi/statements?limit=1")).StatusCode;

    [Fact]
    public async Task A_secret_hashed_at_100k_iterations_logs_in_and_is_rehashed_at_600k()
    {
        var (key, secret, old) = await OldCredentialAsync();

        (await LoginAsync(key, secret)).Should().Be(HttpStatusCode.OK, "the first login checks against the old hash");

        var stored = (await Store.FindAsync(key, CancellationToken.None))!;
        stored.Iterations.Should().Be(600_000);
        stored.SecretHash.Should().NotEqual(old.SecretHash);
        stored.Salt.Should().NotEqual(old.Salt);
        SecretHasher.Verify(secret, stored.SecretHash, stored.Salt, stored.Iterations).Should().BeTrue();

        // Past this node's cache of verified secrets, the new hash is what the secret is checked against.
        lrs.Services.GetRequiredService<CredentialVerifier>().Forget(key);
        (await LoginAsync(key, secret)).Should().Be(HttpStatusCode.OK);
        (await Store.FindAsync(key, CancellationToken.None))!.SecretHash.Should().Equal(stored.SecretHash, "a current hash is not rehashed again");
    }

    [Fact]
    public async Task A_wrong_secret_does_not_rehash()
    {
        var (key, _, old) = await OldCredentialAsync();

        (await LoginAsync(key, "wrong-" + Guid.NewGuid())).Should().Be(HttpStatusCode.Unauthorized);

        var stored = (await Store.FindAsync(key, CancellationToken.None))!;
        stored.Iterations.Should().Be(100_000);
        stored.SecretHash.Should().Equal(old.SecretHash);
    }

    [Fact]
    public async Task A_rehash_does_not_overwrite_a_secret_changed_since_the_old_hash_was_read()
    {
        var (key, _, old) = await OldCredentialAsync();
        var (changed, changedSalt, iterations) = SecretHasher.Hash("the new secret");
        await Store.UpdateSecretAsync(key, changed, changedSalt, iterations, CancellationToken.None);

        var (rehash, salt, _) = SecretHasher.Hash("the old secret");
        (await Store.RehashSecretAsync(key, old.SecretHash, rehash, salt, iterations, CancellationToken.None)).Should().BeFalse();

        (await Store.FindAsync(key, CancellationToken.None))!.SecretHash.Should().Equal(changed);
    }
}

public sealed class SecretRehashTestsOnSqlite(SqliteLrs lrs) : SecretRehashTests(lrs), IClassFixture<SqliteLrs>;
public sealed class SecretRehashTestsOnPostgres(PostgresLrs lrs) : SecretRehashTests(lrs), IClassFixture<PostgresLrs>;
