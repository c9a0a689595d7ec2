using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Unicode;

namespace Lrs.Core.Xapi;

/// <summary>
/// JSON text read in full before anyone uses it. System.Text.Json checks the structure when it parses, but the text of
/// property names and strings only when they are first read: bytes that are not UTF-8, or an escaped lone surrogate
/// (<c>"\ud800"</c>), would surface later, wherever the value happens to be read, as an
/// <see cref="InvalidOperationException"/>. Here they are a <see cref="JsonException"/> at parse time, like any other
/// malformed JSON.
/// </summary>
public static class JsonText
{
    /// <summary>
    /// Parses <paramref name="utf8"/> after checking every property name and string: valid UTF-8, no lone surrogate,
    /// and at most <paramref name="maxStringBytes"/> bytes each when given. Throws <see cref="JsonException"/> naming
    /// the problem and where it is.
    /// </summary>
    public static JsonNode? Parse(ReadOnlyMemory<byte> utf8, JsonDocumentOptions options, int? maxStringBytes = null)
    {
        Check(utf8.Span, options, maxStringBytes);
        return JsonNode.Parse(utf8.Span, documentOptions: options);
    }

    private static void Check(ReadOnlySpan<byte> utf8, JsonDocumentOptions options, int? maxStringBytes)
    {
        var reader = new Utf8JsonReader(utf8, new JsonReaderOptions
        {
            MaxDepth = options.MaxDepth, AllowTrailingCommas = options.AllowTrailingCommas, CommentHandling = options.CommentHandling,
        });
        while (reader.Read())
        {
            if (reader.TokenType is not (JsonTokenType.PropertyName or JsonTokenType.String)) continue;
            var what = reader.TokenType == JsonTokenType.PropertyName ? "property name" : "string";
            if (reader.ValueSpan.Length > maxStringBytes)
                throw new JsonException($"The {what} at byte {reader.TokenStartIndex} is longer than {maxStringBytes} bytes.");
            if (!reader.ValueIsEscaped)
            {
                if (!Utf8.IsValid(reader.ValueSpan))
                    throw new JsonException($"The {what} at byte {reader.TokenStartIndex} is not UTF-8 text.");
                continue;
            }
            try
            {
                reader.GetString();
            }
            catch (InvalidOperationException e)
            {
                // Invalid UTF-8 beside escapes, or an escaped surrogate without its other half.
                throw new JsonException($"The {what} at byte {reader.TokenStartIndex} is not valid text (invalid UTF-8 or a lone surrogate).", e);
            }
        }
    }
}
