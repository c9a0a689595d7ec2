using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Lrs.Core.Storage;

namespace Lrs.Api.Auth;

/// <summary>
/// Checks a key and secret. The slow hash is computed once per credential and minute; in between, a keyed
/// fast hash of the secret that passed is compared in constant time, so content that sends a statement
/// per interaction is not throttled by PBKDF2. Expiry is checked on every call; a revocation reaches this node at
/// once through <see cref="Forget"/>, other nodes (and revocations from the CLI) within the cache lifetime.
/// </summary>
public sealed class CredentialVerifier(ICredentialStore store, TimeProvider time)
{
    private static readonly TimeSpan CacheLifetime = TimeSpan.FromMinutes(1);
    private readonly byte[] _cacheKey = RandomNumberGenerator.GetBytes(32);
    private readonly ConcurrentDictionary<string, (byte[] SecretMac, Credential Credential, DateTimeOffset Expires)> _verified = new(StringComparer.Ordinal);

    public async Task<Credential?> VerifyAsync(string key, string secret, CancellationToken ct)
    {
        var mac = HMACSHA256.HashData(_cacheKey, Encoding.UTF8.GetBytes(secret));
        var now = time.GetUtcNow();
        if (_verified.TryGetValue(key, out var cached) && cached.Expires > now && CryptographicOperations.FixedTimeEquals(cached.SecretMac, mac))
            return cached.Credential.Expires <= now ? null : cached.Credential;

        var credential = await store.FindAsync(key, ct);
        if (credential is null || credential.Revoked is not null || credential.Expires <= now) return null;
        if (!SecretHasher.Verify(secret, credential.SecretHash, credential.Salt, credential.Iterations)) return null;
        _verified[key] = (mac, credential, now + CacheLifetime);
        return credential;
    }

    /// <summary>Forgets a credential at once (after revocation or a secret change).</summary>
    public void Forget(string key) => _verified.TryRemove(key, out _);
}
