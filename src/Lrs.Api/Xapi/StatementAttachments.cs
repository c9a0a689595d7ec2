using System.Buffers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Lrs.Core.Storage;
using Lrs.Core.Xapi;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;

namespace Lrs.Api.Xapi;

/// <summary>
/// Attachments of the Statements resource: reading multipart/mixed requests (Communication 1.5.2), matching their
/// parts to the statements' attachments by SHA-2 (Data 2.4.11), signed statements (Data 2.6), and the multipart
/// answer of a GET with <c>attachments=true</c>.
/// </summary>
internal static class StatementAttachments
{
    public const string HashHeader = "X-Experience-API-Hash";

    private static readonly Dictionary<string, AttachmentContent> NoParts = new(0);

    /// <summary>The statements of a request and the attachment data sent with them, keyed by lower-case sha2.</summary>
    /// <param name="Json">The parsed statements, which the reader of the body disposes; null when they are not JSON (see <paramref name="JsonError"/>).</param>
    /// <param name="JsonError">Why the statements could not be parsed.</param>
    /// <param name="Parts">Attachment data by sha2 (case-insensitive), empty for application/json.</param>
    /// <param name="Error">A response that rejects the request before the statements are looked at.</param>
    public sealed record StatementsBody(JsonBody? Json, string? JsonError, Dictionary<string, AttachmentContent> Parts, IResult? Error) : IDisposable
    {
        /// <summary>Gives back the statements' document and buffer.</summary>
        public void Dispose() => Json?.Dispose();
    }

    /// <summary>Reads a PUT or POST body: application/json, or multipart/mixed with the statements first.</summary>
    public static async Task<StatementsBody> ReadAsync(HttpRequest request, XapiOptions options, CancellationToken ct)
    {
        if (XapiProtocol.HasMediaType(request, "application/json"))
        {
            var (json, error) = await XapiProtocol.ReadJsonBodyAsync(request.Body, ct, request.ContentLength);
            return error is not null ? new(null, $"The body is not valid JSON: {error}", NoParts, null) : Statements(json!, "The body is JSON null.", NoParts);
        }
        if (XapiProtocol.HasMediaType(request, "multipart/mixed"))
        {
            // The body limit (UseLrsBodyLimit) already allows the attachment data on top of the statements.
            return await ReadMultipartAsync(request, options.MaxAttachmentBytes, ct);
        }
        return Fail("Statements are sent as application/json, or as multipart/mixed with attachment data.");
    }

    private static async Task<StatementsBody> ReadMultipartAsync(HttpRequest request, long maxAttachmentBytes, CancellationToken ct)
    {
        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var mediaType)
            || HeaderUtilities.RemoveQuotes(mediaType.Boundary).Value is not { Length: > 0 and <= 70 } boundary)
            return Fail("A multipart/mixed body needs a boundary parameter (Communication 1.5.2).");

        var reader = new MultipartReader(boundary, request.Body) { BodyLengthLimit = null };
        try
        {
            var first = await reader.ReadNextSectionAsync(ct);
            if (first is null) return Fail("The multipart/mixed body has no parts.");
            if (!MediaTypeHeaderValue.TryParse(first.ContentType, out var firstType)
                || !string.Equals(firstType.MediaType.Value, "application/json", StringComparison.OrdinalIgnoreCase))
                return Fail("The first part of a multipart/mixed body holds the statements as application/json.");
            var (json, jsonError) = await ParseJsonAsync(first.Body, ct);
            var claimed = false;

            var parts = new Dictionary<string, AttachmentContent>(StringComparer.OrdinalIgnoreCase);
            long total = 0;
            var chunk = ArrayPool<byte>.Shared.Rent(81920);
            try
            {
                while (await reader.ReadNextSectionAsync(ct) is { } section)
                {
                    var headers = section.Headers ?? [];
                    if (!headers.TryGetValue(HashHeader, out var hashValues) || hashValues.Count != 1)
                        return Fail($"Every part after the first needs one {HashHeader} header (the statements are all in the first part).");
                    var hash = hashValues.ToString().Trim().ToLowerInvariant();
                    HashAlgorithmName? algorithm = hash.Length switch
                    {
                        64 => HashAlgorithmName.SHA256,
                        96 => HashAlgorithmName.SHA384,
                        128 => HashAlgorithmName.SHA512,
                        _ => null,
                    };
                    if (algorithm is null || !hash.All(char.IsAsciiHexDigit))
                        return Fail($"{HashHeader} '{hash}' is not a SHA-2 (256, 384 or 512) hex digest.");
                    if (!headers.TryGetValue("Content-Transfer-Encoding", out var encoding)
                        || !string.Equals(encoding.ToString().Trim(), "binary", StringComparison.OrdinalIgnoreCase))
                        return Fail($"The part with {HashHeader} {hash} needs Content-Transfer-Encoding: binary.");
                    if (string.IsNullOrWhiteSpace(section.ContentType))
                        return Fail($"The part with {HashHeader} {hash} needs a Content-Type.");

                    using var hasher = IncrementalHash.CreateHash(algorithm.Value);
                    using var content = new MemoryStream();
                    int read;
                    while ((read = await section.Body.ReadAsync(chunk, ct)) > 0)
                    {
                        total += read;
                        if (total > maxAttachmentBytes)
                            return new(null, null, NoParts, XapiProtocol.Error(StatusCodes.Status413PayloadTooLarge,
                                $"The attachment data exceeds the {maxAttachmentBytes} bytes this LRS accepts per request."));
                        hasher.AppendData(chunk, 0, read);
                        content.Write(chunk, 0, read);
                    }
                    if (Convert.ToHexStringLower(hasher.GetHashAndReset()) != hash)
                        return Fail($"The data of the part with {HashHeader} {hash} has a different hash.");
                    // The same data sent twice (one part per attachment) is the same content: kept once.
                    parts.TryAdd(hash, new AttachmentContent(hash, section.ContentType.Trim(), content.ToArray()));
                }
                claimed = true;
                return new(json, jsonError, parts, null);
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(chunk);
                // Unless handed over with the parts, the statements' document is given back here.
                if (!claimed) json?.Dispose();
            }
        }
        catch (Exception e) when (e is InvalidDataException || (e is IOException && e is not BadHttpRequestException))
        {
            return Fail("The multipart/mixed body is malformed: " + e.Message);
        }
    }

    private static async Task<(JsonBody?, string?)> ParseJsonAsync(Stream body, CancellationToken ct)
    {
        var (json, error) = await XapiProtocol.ReadJsonBodyAsync(body, ct);
        if (error is not null) return (null, $"The statements part is not valid JSON: {error}");
        if (json!.Root.ValueKind != JsonValueKind.Null) return (json, null);
        json.Dispose();
        return (null, "The statements part is JSON null.");
    }

    // A body of JSON null is not statements: said so, and its document given back at once.
    private static StatementsBody Statements(JsonBody json, string nullMessage, Dictionary<string, AttachmentContent> parts)
    {
        if (json.Root.ValueKind != JsonValueKind.Null) return new(json, null, parts, null);
        json.Dispose();
        return new(null, nullMessage, parts, null);
    }

    private static StatementsBody Fail(string message) =>
        new(null, null, NoParts, XapiProtocol.Error(StatusCodes.Status400BadRequest, message));

    /// <summary>
    /// Adds an error for each attachment that has neither a fileUrl nor a part, each part no attachment declares,
    /// and each signature attachment that is not a valid signature of its statement. Statements are as sent.
    /// </summary>
    public static void Check(IReadOnlyList<JsonElement> statements, bool isArray, IReadOnlyDictionary<string, AttachmentContent> parts, XapiVersion version, List<ValidationError> errors)
    {
        HashSet<string>? declared = parts.Count == 0 ? null : new(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < statements.Count; i++)
        {
            if (statements[i].ValueKind != JsonValueKind.Object || !statements[i].TryGetProperty("attachments"u8, out var attachments)
                || attachments.ValueKind != JsonValueKind.Array) continue;
            var prefix = isArray ? $"$[{i}]" : "$";
            JsonObject? statement = null;
            // Enumerated, not indexed: an element's index into an array of objects walks the array from its start.
            var next = 0;
            foreach (var attachment in attachments.EnumerateArray())
            {
                var a = next++;
                if (attachment.ValueKind != JsonValueKind.Object || !attachment.TryGetProperty("sha2"u8, out var sha2Value)
                    || sha2Value.ValueKind != JsonValueKind.String) continue;
                var sha2 = sha2Value.GetString()!;
                var path = $"{prefix}.attachments[{a}]";
                declared?.Add(sha2);
                parts.TryGetValue(sha2, out var part);
                var hasFileUrl = attachment.TryGetProperty("fileUrl"u8, out var fileUrl) && fileUrl.ValueKind != JsonValueKind.Null;
                if (part is null && !hasFileUrl)
                    errors.Add(new(path, $"the attachment has neither a fileUrl nor a multipart/mixed part with {HashHeader} {sha2}."));

                if (!StatementSignature.IsSignature(attachment)) continue;
                if (!(attachment.TryGetProperty("contentType"u8, out var ct) && ct.ValueKind == JsonValueKind.String
                      && MediaTypeHeaderValue.TryParse(ct.GetString(), out var type)
                      && string.Equals(type.MediaType.Value, StatementSignature.ContentType, StringComparison.OrdinalIgnoreCase)))
                    errors.Add(new(path, $"a signature attachment has the contentType {StatementSignature.ContentType} (Data 2.6)."));
                else if (part is null)
                {
                    // Without a fileUrl the missing part is reported above already.
                    if (hasFileUrl)
                        errors.Add(new(path, "a signature attachment needs its JWS sent as a multipart/mixed part, a fileUrl is not enough (Data 2.6)."));
                }
                // A signed statement is compared with its JWS as a tree, made only for it.
                else if (StatementSignature.Verify(part.Content, statement ??= JsonObject.Create(statements[i])!, version) is { } problem)
                    errors.Add(new(path, "invalid signature: " + problem));
            }
        }
        if (declared is null) return;
        foreach (var hash in parts.Keys)
            if (!declared.Contains(hash))
                errors.Add(new("$", $"the part with {HashHeader} {hash} belongs to no attachment of the statements."));
    }

    /// <summary>
    /// The multipart/mixed answer of a GET with attachments=true: the statement(s) JSON first, then one part for
    /// each distinct sha2 the statements reference and this LRS holds. Parts are read one at a time.
    /// </summary>
    public static IResult MultipartResult(byte[] json, IEnumerable<string> statements, IStatementStore store, long tenantId, CancellationToken ct)
    {
        var hashes = new List<string>();
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var statementJson in statements)
        {
            if (!statementJson.Contains("\"attachments\"", StringComparison.Ordinal)) continue;
            if (JsonNode.Parse(statementJson)?["attachments"] is not JsonArray attachments) continue;
            foreach (var attachment in attachments)
                if (attachment?["sha2"] is JsonValue v && v.TryGetValue(out string? sha2) && seen.Add(sha2))
                    hashes.Add(sha2);
        }

        var boundary = "lrsapi-" + Guid.NewGuid().ToString("N");
        return TypedResults.Stream(async output =>
        {
            await output.WriteAsync(Encoding.ASCII.GetBytes($"--{boundary}\r\nContent-Type: application/json\r\n\r\n"), ct);
            await output.WriteAsync(json, ct);
            foreach (var hash in hashes)
            {
                if (await store.GetAttachmentAsync(tenantId, hash.ToLowerInvariant(), ct) is not { } attachment) continue;
                await output.WriteAsync(Encoding.ASCII.GetBytes(
                    $"\r\n--{boundary}\r\nContent-Type: {attachment.ContentType}\r\nContent-Transfer-Encoding: binary\r\n{HashHeader}: {hash}\r\n\r\n"), ct);
                await output.WriteAsync(attachment.Content, ct);
            }
            await output.WriteAsync(Encoding.ASCII.GetBytes($"\r\n--{boundary}--\r\n"), ct);
        }, $"multipart/mixed; boundary={boundary}");
    }
}
