using System.Text;
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
/// <remarks>
/// The tree is built in the same single pass over the bytes that checks them. Property names and strings become .NET
/// strings once, here: a tree parsed by <see cref="JsonNode.Parse(ReadOnlySpan{byte}, JsonNodeOptions?, JsonDocumentOptions)"/>
/// keeps its values in a document and makes a new string each time one is read, and validation, preparation and
/// indexing each read them again. Numbers keep their text (each is a small document of its own), so that they are written
/// back as they came. Nothing refers to the input once this returns: its buffer may be reused.
/// </remarks>
public static class JsonText
{
    /// <summary>
    /// Parses <paramref name="utf8"/> after checking every property name and string: valid UTF-8, no lone surrogate,
    /// and at most <paramref name="maxStringBytes"/> bytes each when given. Throws <see cref="JsonException"/> naming
    /// the problem and where it is.
    /// </summary>
    public static JsonNode? Parse(ReadOnlyMemory<byte> utf8, JsonDocumentOptions options, int? maxStringBytes = null)
    {
        var reader = new Utf8JsonReader(utf8.Span, new JsonReaderOptions
        {
            MaxDepth = options.MaxDepth, AllowTrailingCommas = options.AllowTrailingCommas, CommentHandling = options.CommentHandling,
        });
        if (!Next(ref reader)) throw new JsonException("The input does not contain any JSON tokens.");
        var root = Value(ref reader, options.AllowDuplicateProperties, maxStringBytes);
        // Anything after the value but white space (or comments, where allowed) is an error the reader raises.
        while (reader.Read())
            if (reader.TokenType != JsonTokenType.Comment) throw new JsonException($"Unexpected content at byte {reader.TokenStartIndex} after the JSON value.");
        return root;
    }

    private static bool Next(ref Utf8JsonReader reader)
    {
        while (reader.Read())
            if (reader.TokenType != JsonTokenType.Comment) return true;
        return false;
    }

    private static JsonNode? Value(ref Utf8JsonReader reader, bool allowDuplicates, int? maxStringBytes)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.StartObject:
                var obj = new JsonObject();
                while (Next(ref reader) && reader.TokenType == JsonTokenType.PropertyName)
                {
                    var at = reader.TokenStartIndex;
                    var name = Text(ref reader, maxStringBytes);
                    Next(ref reader);
                    var value = Value(ref reader, allowDuplicates, maxStringBytes);
                    if (obj.TryAdd(name, value)) continue;
                    if (!allowDuplicates) throw new JsonException($"The property name '{name}' at byte {at} appears more than once in its object.");
                    obj[name] = value;
                }
                return obj;
            case JsonTokenType.StartArray:
                var array = new JsonArray();
                while (Next(ref reader) && reader.TokenType != JsonTokenType.EndArray)
                    array.Add(Value(ref reader, allowDuplicates, maxStringBytes));
                return array;
            case JsonTokenType.String:
                return JsonValue.Create(Text(ref reader, maxStringBytes));
            case JsonTokenType.Number:
                return JsonNode.Parse(reader.ValueSpan);
            case JsonTokenType.True:
                return JsonValue.Create(true);
            case JsonTokenType.False:
                return JsonValue.Create(false);
            default:
                return null;
        }
    }

    private static string Text(ref Utf8JsonReader reader, int? maxStringBytes)
    {
        var what = reader.TokenType == JsonTokenType.PropertyName ? "property name" : "string";
        if (reader.ValueSpan.Length > maxStringBytes)
            throw new JsonException($"The {what} at byte {reader.TokenStartIndex} is longer than {maxStringBytes} bytes.");
        if (!reader.ValueIsEscaped)
        {
            // Unescaped text is its own string: checked and made once (short texts through the table of recurring ones).
            var utf8 = reader.ValueSpan;
            var text = utf8.Length <= Recurring.MaxBytes ? Recurring.Text(utf8) : Utf8.IsValid(utf8) ? Encoding.UTF8.GetString(utf8) : null;
            return text ?? throw new JsonException($"The {what} at byte {reader.TokenStartIndex} is not UTF-8 text.");
        }
        try
        {
            return reader.GetString()!;
        }
        catch (InvalidOperationException e)
        {
            // Invalid UTF-8 beside escapes, or an escaped surrogate without its other half.
            throw new JsonException($"The {what} at byte {reader.TokenStartIndex} is not valid text (invalid UTF-8 or a lone surrogate).", e);
        }
    }

    /// <summary>
    /// Short texts that recur from statement to statement (property names, verb and activity IRIs, language tags, object
    /// types, the authority) made into strings once and shared, so that a batch does not allocate the same string a hundred
    /// times. A text is kept from its second sighting on, in a fixed table where a newer text may take an older one's
    /// place; a text seen once (an id, a timestamp) costs one hash and nothing kept.
    /// </summary>
    private static class Recurring
    {
        public const int MaxBytes = 128;
        private const int Size = 4096;
        private static readonly Entry?[] Kept = new Entry?[Size];
        private static readonly int[] SeenOnce = new int[Size];

        private sealed class Entry(byte[] utf8, string text)
        {
            public readonly byte[] Utf8 = utf8;
            public readonly string Text = text;
        }

        /// <summary>The string of <paramref name="utf8"/> (unescaped JSON text), or null when it is not UTF-8.</summary>
        public static string? Text(ReadOnlySpan<byte> utf8)
        {
            var hash = new HashCode();
            hash.AddBytes(utf8);
            var code = hash.ToHashCode();
            var slot = code & (Size - 1);
            if (Kept[slot] is { } kept && utf8.SequenceEqual(kept.Utf8)) return kept.Text;
            if (!Utf8.IsValid(utf8)) return null;
            var text = Encoding.UTF8.GetString(utf8);
            // Races between threads lose an entry or a sighting at worst: each entry is immutable and complete.
            if (SeenOnce[slot] == code) Kept[slot] = new Entry(utf8.ToArray(), text);
            else SeenOnce[slot] = code;
            return text;
        }
    }
}
