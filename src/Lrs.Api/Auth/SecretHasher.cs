using System.Security.Cryptography;
using System.Text;

namespace Lrs.Api.Auth;

/// <summary>Slow salted hashing of credential secrets (PBKDF2-SHA256).</summary>
public static class SecretHasher
{
    public const int Iterations = 100_000;

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
