using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Lrs.Core.Storage;

namespace Lrs.Api.Auth;

/// <summary>
/// Checks a key and secret. The slow hash is computed once per credential and stored hash; after that, a keyed
/// fast hash of the secret that passed is compared in constant time, so content that sends a statement
/// per interaction is not throttled by PBKDF2. Expiry is checked on every call. A revocation reaches this node at
/// once through <see cref="Forget"/>; other nodes (and revocations from the CLI) see it within <see cref="RecheckAfter"/>,
/// when they read the credential again (one indexed read, no hash) and find it revoked or its secret changed; while the
/// database cannot be reached, a credential that passed keeps passing until it can be read again. A secret
/// hashed with fewer iterations than <see cref="SecretHasher.Iterations"/> is rehashed when it next verifies.
/// </summary>
public sealed class CredentialVerifier(ICredentialStore store, TimeProvider time, Hosting.StoreOutage outage)
{
    /// <summary>How long a verified credential is taken as it was read: the bound on how late another node's revocation is seen.</summary>
    public static readonly TimeSpan RecheckAfter = TimeSpan.FromSeconds(5);

    private readonly byte[] _cacheKey = RandomNumberGenerator.GetBytes(32);
    private readonly ConcurrentDictionary<string, (byte[] SecretMac, Credential Credential, DateTimeOffset Recheck)> _verified = new(StringComparer.Ordinal);

    public async Task<Credential?> VerifyAsync(string key, string secret, CancellationToken ct)
    {
        var mac = Mac(secret);
        var now = time.GetUtcNow();
        var known = _verified.TryGetValue(key, out var cached) && CryptographicOperations.FixedTimeEquals(cached.SecretMac, mac);
        if (known && cached.Recheck > now)
            return cached.Credential.Expires <= now ? null : cached.Credential;

        Credential? credential;
        try
        {
            credential = await store.FindAsync(key, ct);
        }
        catch (Exception e) when (known && outage.Explains(e))
        {
            return cached.Credential.Expires <= now ? null : cached.Credential;
        }
        // The stored hash the secret passed against is unchanged: the secret still passes, without hashing it again.
        var unchanged = known && credential is not null && credential.SecretHash.AsSpan().SequenceEqual(cached.Credential.SecretHash)
            && credential.Salt.AsSpan().SequenceEqual(cached.Credential.Salt) && credential.Iterations == cached.Credential.Iterations;
        if (credential is null || credential.Revoked is not null || credential.Expires <= now
            || (!unchanged && !SecretHasher.Verify(secret, credential.SecretHash, credential.Salt, credential.Iterations)))
        {
            // A secret that passed once and no longer does (revoked elsewhere, replaced) is known-good no more.
            if (known) _verified.TryRemove(new KeyValuePair<string, (byte[], Credential, DateTimeOffset)>(key, cached));
            return null;
        }
        if (SecretHasher.IsOutdated(credential.Iterations)) credential = await RehashAsync(credential, secret, ct);
        _verified[key] = (mac, credential, now + RecheckAfter);
        return credential;
    }

    /// <summary>
    /// Stores a hash of today's strength of a secret that just verified against a weaker one. Only the full check pays
    /// for it, once per credential; a secret changed meanwhile is left as it is.
    /// </summary>
    private async Task<Credential> RehashAsync(Credential credential, string secret, CancellationToken ct)
    {
        var (hash, salt, iterations) = SecretHasher.Hash(secret);
        return await store.RehashSecretAsync(credential.Key, credential.SecretHash, hash, salt, iterations, ct)
            ? credential with { SecretHash = hash, Salt = salt, Iterations = iterations }
            : credential;
    }

    /// <summary>
    /// Whether this key and secret passed here before, however long ago: such a caller is no guesser, so it is
    /// verified even while its address is refused for failed logins. (Entries outlive <see cref="RecheckAfter"/> for this;
    /// a stale one is read again.)
    /// </summary>
    public bool IsKnownGood(string key, string secret) =>
        _verified.TryGetValue(key, out var cached) && CryptographicOperations.FixedTimeEquals(cached.SecretMac, Mac(secret));

    private byte[] Mac(string secret) => HMACSHA256.HashData(_cacheKey, Encoding.UTF8.GetBytes(secret));

    /// <summary>Forgets a credential at once (after revocation or a secret change).</summary>
    public void Forget(string key) => _verified.TryRemove(key, out _);
}
