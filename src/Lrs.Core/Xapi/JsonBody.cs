using System.Buffers;
using System.Text.Json;

namespace Lrs.Core.Xapi;

/// <summary>
/// A JSON request body read whole and parsed once into a document over its own bytes (<see cref="JsonText.ParseDocument"/>):
/// statements are validated, prepared and written out from it without a tree of nodes. It owns the buffer the document reads,
/// a pooled one when the body's length was known, and gives both back when disposed: no element of it may be used after that.
/// </summary>
public sealed class JsonBody : IDisposable
{
    private byte[]? _rented;

    private JsonBody(JsonDocument document, byte[]? rented)
    {
        Document = document;
        _rented = rented;
    }

    /// <summary>The parsed body.</summary>
    public JsonDocument Document { get; }

    /// <summary>The body's top-level value.</summary>
    public JsonElement Root => Document.RootElement;

    /// <summary>
    /// Parses the first <paramref name="length"/> bytes of <paramref name="buffer"/>, which the body takes over (and gives back to
    /// <see cref="ArrayPool{T}.Shared"/> when <paramref name="rented"/>), even when parsing fails. Throws <see cref="JsonException"/>.
    /// </summary>
    public static JsonBody Parse(byte[] buffer, int length, bool rented, JsonDocumentOptions options, int? maxStringBytes = null)
    {
        try
        {
            return new JsonBody(JsonText.ParseDocument(buffer.AsMemory(0, length), options, maxStringBytes), rented ? buffer : null);
        }
        catch
        {
            if (rented) ArrayPool<byte>.Shared.Return(buffer);
            throw;
        }
    }

    /// <summary>Releases the document and the buffer.</summary>
    public void Dispose()
    {
        Document.Dispose();
        if (Interlocked.Exchange(ref _rented, null) is { } buffer) ArrayPool<byte>.Shared.Return(buffer);
    }
}
