using System.Security.Cryptography;
using System.Text;

namespace Lrs.Api.Events;

/// <summary>
/// Standard Webhooks signing: secrets are <c>whsec_</c> + base64 of 24 to 64 random bytes, and a delivery carries
/// <c>webhook-signature: v1,</c> + base64 HMAC-SHA256 (keyed with the secret's bytes) over <c>{webhook-id}.{webhook-timestamp}.{body}</c>.
/// </summary>
public static class WebhookSignature
{
    public const string SecretPrefix = "whsec_";
    private const int MinSecretBytes = 24;
    private const int MaxSecretBytes = 64;

    /// <summary>A new secret of 32 random bytes.</summary>
    public static string NewSecret() => SecretPrefix + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    /// <summary>Why <paramref name="secret"/> is not a secret in the Standard Webhooks format; null when it is.</summary>
    public static string? Check(string secret)
    {
        if (!secret.StartsWith(SecretPrefix, StringComparison.Ordinal) || Key(secret) is not { Length: >= MinSecretBytes and <= MaxSecretBytes })
            return $"secret is '{SecretPrefix}' followed by the base64 of {MinSecretBytes} to {MaxSecretBytes} random bytes (or leave it out to have one generated).";
        return null;
    }

    /// <summary>The value of the <c>webhook-signature</c> header for a delivery.</summary>
    public static string Sign(string secret, string id, long timestamp, string body)
    {
        var mac = HMACSHA256.HashData(Key(secret)!, Encoding.UTF8.GetBytes($"{id}.{timestamp.ToString(System.Globalization.CultureInfo.InvariantCulture)}.{body}"));
        return "v1," + Convert.ToBase64String(mac);
    }

    private static byte[]? Key(string secret)
    {
        var text = secret[SecretPrefix.Length..];
        var bytes = new byte[text.Length];
        return Convert.TryFromBase64String(text, bytes, out var written) ? bytes[..written] : null;
    }
}
