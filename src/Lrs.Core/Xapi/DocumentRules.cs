using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Lrs.Core.Storage;

namespace Lrs.Core.Xapi;

/// <summary>
/// The If-Match and If-None-Match headers of a write request (Communication 3.1; 2.0 §4.1.4), entity tags unquoted.
/// Null means the header was absent; <c>*</c> stands for itself.
/// </summary>
/// <param name="IfMatch">The tags of If-Match, or null.</param>
/// <param name="IfNoneMatch">The tags of If-None-Match, or null.</param>
public sealed record DocumentPreconditions(IReadOnlyList<string>? IfMatch, IReadOnlyList<string>? IfNoneMatch)
{
    /// <summary>No precondition headers.</summary>
    public static readonly DocumentPreconditions None = new(null, null);

    /// <summary>Whether either header was sent.</summary>
    public bool Any => IfMatch is not null || IfNoneMatch is not null;

    /// <summary>Reads the raw header values (comma-separated entity tags, weak or strong, or <c>*</c>).</summary>
    public static DocumentPreconditions Parse(string? ifMatch, string? ifNoneMatch) => new(Tags(ifMatch), Tags(ifNoneMatch));

    /// <summary>Whether the headers hold for the current document (null when there is none).</summary>
    public bool HoldFor(StoredDocument? current)
    {
        if (IfMatch is not null && (current is null || !(IfMatch.Contains("*") || IfMatch.Contains(current.ETag))))
            return false;
        if (IfNoneMatch is not null && current is not null && (IfNoneMatch.Contains("*") || IfNoneMatch.Contains(current.ETag)))
            return false;
        return true;
    }

    private static List<string>? Tags(string? header)
    {
        if (header is null) return null;
        var tags = new List<string>();
        foreach (var part in header.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            // Documents are compared byte for byte, so a weak tag is taken as the strong one it names.
            var tag = part.StartsWith("W/", StringComparison.Ordinal) ? part[2..] : part;
            tags.Add(tag.Length >= 2 && tag[0] == '"' && tag[^1] == '"' ? tag[1..^1] : tag);
        }
        return tags;
    }
}

/// <summary>
/// The xAPI rules of the document resources (Communication 2.2–2.7 and 3.1; 2.0 §4.1.4, §4.1.6): what a PUT, POST
/// or DELETE does to the document it addresses. Pure functions of the current document and the request.
/// </summary>
public static class DocumentRules
{
    /// <summary>The content type of a document sent without one.</summary>
    public const string DefaultContentType = "application/octet-stream";

    private static readonly JsonDocumentOptions JsonOptions = new() { MaxDepth = 64, AllowDuplicateProperties = false };

    /// <summary>The entity tag of some content: its SHA-1 in lower-case hex (the form the 1.0.3 suite checks), unquoted.</summary>
    public static string ETagOf(byte[] content) => Convert.ToHexStringLower(SHA1.HashData(content));

    /// <summary>Whether a content type names JSON (<c>application/json</c>, parameters ignored).</summary>
    public static bool IsJson(string? contentType)
    {
        if (contentType is null) return false;
        var semicolon = contentType.IndexOf(';');
        var mediaType = (semicolon < 0 ? contentType : contentType[..semicolon]).Trim();
        return mediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>
    /// PUT replaces the document. Without If-Match or If-None-Match, an existing document is a conflict (409) for the
    /// profiles, and for State under 2.0 (1.0.3 State simply overwrites). Under 1.0.3 a profile PUT must carry one of
    /// the headers even for a new document (400), as the 1.0.3 suite requires (XAPI-00273, XAPI-00287).
    /// </summary>
    public static DocumentChange Put(DocumentKind kind, XapiVersion version, StoredDocument? current, DocumentPreconditions preconditions, byte[] content, string contentType)
    {
        if (!preconditions.HoldFor(current))
            return PreconditionFailed(current);
        if (!preconditions.Any)
        {
            var profile = kind != DocumentKind.State;
            if (current is not null && (profile || version == XapiVersion.V200))
                return DocumentChange.Refuse(DocumentRefusal.Conflict,
                    "A document is stored here already: send If-Match with its ETag to replace it, or POST to merge into it.");
            if (current is null && profile && version == XapiVersion.V103)
                return DocumentChange.Refuse(DocumentRefusal.PreconditionRequired,
                    "PUT to a profile needs If-Match (with the ETag of the document it replaces) or If-None-Match: * (to create it).");
        }
        return DocumentChange.Write(content, contentType);
    }

    /// <summary>
    /// POST stores a new document as PUT would, or merges a JSON object into a stored JSON object: top-level properties
    /// of the request replace those of the document (XAPI-00183, XAPI-00184). Either side not a JSON object: 400 and no change.
    /// </summary>
    public static DocumentChange Post(StoredDocument? current, DocumentPreconditions preconditions, byte[] content, string contentType)
    {
        if (!preconditions.HoldFor(current))
            return PreconditionFailed(current);
        JsonObject? incoming = null;
        if (IsJson(contentType) && (incoming = ParseObject(content, out var notJson)) is null)
            return DocumentChange.Refuse(DocumentRefusal.NotMergeable, "The body is sent as application/json but is not a JSON object" + (notJson is null ? "." : $": {notJson}"));
        if (current is null)
            return DocumentChange.Write(content, contentType);
        if (incoming is null)
            return DocumentChange.Refuse(DocumentRefusal.NotMergeable,
                "The stored document is JSON, so a POST merges into it and must send a JSON object as application/json.");
        if (!IsJson(current.ContentType) || ParseObject(current.Content, out _) is not { } stored)
            return DocumentChange.Refuse(DocumentRefusal.NotMergeable,
                "The stored document is not a JSON object, so nothing can be merged into it; PUT replaces it.");

        foreach (var (name, value) in incoming)
            stored[name] = value?.DeepClone();
        return DocumentChange.Write(Encoding.UTF8.GetBytes(stored.ToJsonString()), "application/json");
    }

    /// <summary>DELETE removes the document; deleting one that is not there succeeds too, unless a precondition fails.</summary>
    public static DocumentChange Delete(StoredDocument? current, DocumentPreconditions preconditions) =>
        preconditions.HoldFor(current) ? DocumentChange.Delete : PreconditionFailed(current);

    private static DocumentChange PreconditionFailed(StoredDocument? current) =>
        DocumentChange.Refuse(DocumentRefusal.PreconditionFailed, current is null
            ? "If-Match names a document, but none is stored here."
            : $"The stored document's ETag is \"{current.ETag}\"; the If-Match or If-None-Match header does not allow changing it.");

    private static JsonObject? ParseObject(byte[] content, out string? notJson)
    {
        notJson = null;
        try
        {
            return JsonText.Parse(content, JsonOptions) as JsonObject;
        }
        catch (JsonException e)
        {
            notJson = e.Message;
            return null;
        }
    }
}
