using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Lrs.Core.Xapi;

/// <summary>
/// Signed Statements (Data 2.6): a JSON Web Signature (RFC 7515) sent as an attachment with the signature usage type,
/// whose payload is the Statement as it was before the signature was attached.
/// </summary>
/// <remarks>
/// The payload is compared with the Statement as the client sent it (before the LRS filled anything in), by the
/// rules of <see cref="StatementComparer"/>: <c>attachments</c> are outside the comparison (the signature attachment
/// cannot be part of what it signs), and <c>authority</c>, <c>version</c> and <c>timestamp</c> only count when the
/// payload has them. An <c>id</c> in the payload must equal the Statement's. When the JWS header carries an
/// <c>x5c</c> chain, the signature is verified with the first certificate's public key; the certificate's trust is
/// not judged (the specification asks for the signature check only).
/// </remarks>
public static class StatementSignature
{
    /// <summary>The usage type of a signature attachment.</summary>
    public const string UsageType = "http://adlnet.gov/expapi/attachments/signature";

    /// <summary>The content type a signature attachment must declare.</summary>
    public const string ContentType = "application/octet-stream";

    /// <summary>Whether an attachment object declares the signature usage type.</summary>
    public static bool IsSignature(JsonElement attachment) =>
        attachment.ValueKind == JsonValueKind.Object && attachment.TryGetProperty("usageType"u8, out var usage) && usage.ValueKind == JsonValueKind.String
        && usage.ValueEquals(UsageType);

    /// <summary>
    /// Checks a signature attachment's data against the Statement it was sent with.
    /// </summary>
    /// <param name="jws">The attachment's raw data: a compact JWS (under 1.0.3 also the flattened JSON serialization).</param>
    /// <param name="statement">The Statement as sent, before the LRS prepared it.</param>
    /// <param name="version">The xAPI version of the request; 2.0 requires the compact serialization.</param>
    /// <returns>Null when the signature is acceptable; otherwise why it is not.</returns>
    public static string? Verify(ReadOnlySpan<byte> jws, JsonObject statement, XapiVersion version)
    {
        ArgumentNullException.ThrowIfNull(statement);
        string text;
        try
        {
            text = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(jws).Trim();
        }
        catch (DecoderFallbackException)
        {
            return "the signature is not text.";
        }

        string protectedPart, payloadPart, signaturePart;
        JsonObject? unprotectedHeader = null;
        if (text.StartsWith('{'))
        {
            if (version == XapiVersion.V200) return "xAPI 2.0 requires the JWS compact serialization.";
            if (!TryFlattened(text, out protectedPart, out payloadPart, out signaturePart, out unprotectedHeader))
                return "the signature is not a JWS.";
        }
        else
        {
            var segments = text.Split('.');
            if (segments.Length != 3) return "the signature is not a compact JWS (three dot-separated parts).";
            (protectedPart, payloadPart, signaturePart) = (segments[0], segments[1], segments[2]);
        }

        if (DecodeJson(protectedPart) is not JsonObject header) return "the JWS header is not a JSON object.";
        if (unprotectedHeader is not null)
            foreach (var (name, value) in unprotectedHeader)
                if (!header.ContainsKey(name)) header[name] = value?.DeepClone();
        var hash = header["alg"] is JsonValue algValue && algValue.TryGetValue(out string? alg)
            ? alg switch
            {
                "RS256" => HashAlgorithmName.SHA256,
                "RS384" => HashAlgorithmName.SHA384,
                "RS512" => HashAlgorithmName.SHA512,
                _ => (HashAlgorithmName?)null,
            }
            : null;
        if (hash is null) return "the JWS algorithm must be RS256, RS384 or RS512.";

        if (DecodeJson(payloadPart) is not JsonObject payload) return "the JWS payload is not a JSON statement.";
        if (Base64UrlDecode(signaturePart) is not { Length: > 0 } signature) return "the JWS signature is not base64url.";

        if (payload["id"] is { } payloadId
            && !(JsonRead.TryString(payloadId, out var pid) && statement["id"] is { } sentId && JsonRead.TryString(sentId, out var sid)
                 && Guid.TryParse(pid, out var a) && Guid.TryParse(sid, out var b) && a == b))
            return "the JWS payload has a different id than the statement.";
        if (!StatementComparer.AreEquivalent(statement, payload)) return "the JWS payload differs from the statement.";

        if (header["x5c"] is { } chain)
        {
            if (chain is not JsonArray { Count: > 0 } certificates || !JsonRead.TryString(certificates[0], out var first))
                return "x5c is not an array of certificates.";
            try
            {
                using var certificate = X509CertificateLoader.LoadCertificate(Convert.FromBase64String(first));
                using var key = certificate.GetRSAPublicKey();
                if (key is null) return "the x5c certificate has no RSA key.";
                var signingInput = Encoding.ASCII.GetBytes(protectedPart + "." + payloadPart);
                if (!key.VerifyData(signingInput, signature, hash.Value, RSASignaturePadding.Pkcs1))
                    return "the JWS signature does not verify with the x5c certificate.";
            }
            catch (Exception e) when (e is FormatException or CryptographicException)
            {
                return "the x5c certificate cannot be read.";
            }
        }
        return null;
    }

    private static bool TryFlattened(string text, out string protectedPart, out string payloadPart, out string signaturePart, out JsonObject? unprotectedHeader)
    {
        protectedPart = payloadPart = signaturePart = "";
        unprotectedHeader = null;
        try
        {
            if (JsonNode.Parse(text) is not JsonObject o) return false;
            if (!JsonRead.TryString(o["protected"], out protectedPart) || !JsonRead.TryString(o["payload"], out payloadPart)
                || !JsonRead.TryString(o["signature"], out signaturePart))
                return false;
            unprotectedHeader = o["header"] as JsonObject;
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static JsonNode? DecodeJson(string segment)
    {
        if (Base64UrlDecode(segment) is not { } bytes) return null;
        try
        {
            return JsonNode.Parse(bytes, documentOptions: new JsonDocumentOptions { MaxDepth = 64, AllowDuplicateProperties = false });
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static byte[]? Base64UrlDecode(string segment)
    {
        try
        {
            return System.Buffers.Text.Base64Url.DecodeFromChars(segment);
        }
        catch (FormatException)
        {
            return null;
        }
    }
}
