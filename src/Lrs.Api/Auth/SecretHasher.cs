using System.Security.Cryptography;
using System.Text;

namespace Lrs.Api.Auth;

/// <summary>Slow salted hashing of credential secrets (PBKDF2-SHA256).</summary>
public static class SecretHasher
{
    /// <summary>
    /// OWASP's advice for PBKDF2-SHA256. A hash stores its own count, so older hashes (100,000) still verify;
    /// <see cref="CredentialVerifier"/> rehashes them at the next successful login.
    /// </summary>
    public const int Iterations = 600_000;

    /// <summary>Whether a hash made with <paramref name="iterations"/> is weaker than new hashes are.</summary>
    public static bool IsOutdated(int iterations) => iterations < Iterations;

    public static (byte[] Hash, byte[] Salt, int Iterations) Hash(string secret)
    {
        var salt = RandomNumberGenerator.GetBytes(16);
        return (Derive(secret, salt, Iterations), salt, Iterations);
    }

    public static bool Verify(string secret, byte[] hash, byte[] salt, int iterations) =>
        CryptographicOperations.FixedTimeEquals(Derive(secret, salt, iterations), hash);

    private static byte[] Derive(string secret, byte[] salt, int iterations) =>
        Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(secret), salt, iterations, HashAlgorithmName.SHA256, 32);
}
