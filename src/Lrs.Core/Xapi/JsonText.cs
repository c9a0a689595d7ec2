using System.Buffers;
using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.InteropServices;
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

    /// <summary>
    /// A tree as an element, so that a tree is read by the code written for elements: its text written out once and parsed into
    /// a document of its own, which nothing needs to give back. Deeper trees than a request may send are read too: a tree the
    /// LRS prepared may be a level deeper than what was sent.
    /// </summary>
    public static JsonElement Element(JsonNode node)
    {
        var buffer = new ArrayBufferWriter<byte>(1024);
        using (var writer = new Utf8JsonWriter(buffer)) node.WriteTo(writer);
        return JsonElement.Parse(buffer.WrittenSpan, new JsonDocumentOptions { MaxDepth = 128 });
    }

    /// <summary>
    /// Parses <paramref name="utf8"/> into a document that reads it where it lies, after the same checks as
    /// <see cref="Parse"/>; nothing is made of the text until it is read. The document refers to <paramref name="utf8"/>:
    /// its buffer must outlive it (see <see cref="JsonBody"/>). Throws <see cref="JsonException"/>.
    /// </summary>
    public static JsonDocument ParseDocument(ReadOnlyMemory<byte> utf8, JsonDocumentOptions options, int? maxStringBytes = null)
    {
        // The checks cannot fail on a body that is UTF-8 as a whole (a string's bytes lie between ASCII quotes, and no UTF-8
        // sequence holds an ASCII byte) and has no \u escape (the only way to a lone surrogate), when no string length is
        // limited: such a body, most of them, is only parsed, by the same reader, which refuses what is not JSON in the same words.
        if (maxStringBytes is not null || !Utf8.IsValid(utf8.Span) || utf8.Span.IndexOf(@"\u"u8) >= 0) Check(utf8.Span, options, maxStringBytes);
        return JsonDocument.Parse(utf8, options);
    }

    // Every name and string of the body checked (see Check below), and the body read to its end as a JSON value: throws
    // JsonException where it is not.
    private static void Check(ReadOnlySpan<byte> utf8, JsonDocumentOptions options, int? maxStringBytes)
    {
        var reader = new Utf8JsonReader(utf8, new JsonReaderOptions
        {
            MaxDepth = options.MaxDepth, AllowTrailingCommas = options.AllowTrailingCommas, CommentHandling = options.CommentHandling,
        });
        Span<char> scratch = stackalloc char[256];
        while (reader.Read())
            if (reader.TokenType is JsonTokenType.PropertyName or JsonTokenType.String) Check(ref reader, maxStringBytes, scratch);
    }

    // The checks of a name or string that Text makes too, without making the string: unescaped text only needs to be UTF-8,
    // escaped text is unescaped into scratch space (or a rented buffer), which finds invalid UTF-8 and lone surrogates.
    private static void Check(ref Utf8JsonReader reader, int? maxStringBytes, scoped Span<char> scratch)
    {
        CheckLength(ref reader, maxStringBytes);
        if (!reader.ValueIsEscaped)
        {
            if (!Utf8.IsValid(reader.ValueSpan)) throw NotUtf8(ref reader);
            return;
        }
        var length = reader.ValueSpan.Length;
        var rented = length > scratch.Length ? ArrayPool<char>.Shared.Rent(length) : null;
        try
        {
            reader.CopyString(rented ?? scratch);
        }
        catch (InvalidOperationException e)
        {
            throw Unreadable(ref reader, e);
        }
        finally
        {
            if (rented is not null) ArrayPool<char>.Shared.Return(rented);
        }
    }

    private static void CheckLength(ref Utf8JsonReader reader, int? maxStringBytes)
    {
        if (reader.ValueSpan.Length > maxStringBytes)
            throw new JsonException($"The {What(ref reader)} at byte {reader.TokenStartIndex} is longer than {maxStringBytes} bytes.");
    }

    private static string What(ref Utf8JsonReader reader) => reader.TokenType == JsonTokenType.PropertyName ? "property name" : "string";

    private static JsonException NotUtf8(ref Utf8JsonReader reader) =>
        new($"The {What(ref reader)} at byte {reader.TokenStartIndex} is not UTF-8 text.");

    // Invalid UTF-8 beside escapes, or an escaped surrogate without its other half.
    private static JsonException Unreadable(ref Utf8JsonReader reader, InvalidOperationException e) =>
        new($"The {What(ref reader)} at byte {reader.TokenStartIndex} is not valid text (invalid UTF-8 or a lone surrogate).", e);

    /// <summary>
    /// The text of string <paramref name="value"/> (of a document checked by <see cref="ParseDocument"/>) after
    /// <paramref name="prefix"/>: an index key, an IRI, an agent's identifier. Short texts that recur are made once and shared,
    /// as in <see cref="Parse"/>, so that a batch does not allocate the same key a hundred times.
    /// </summary>
    public static string Shared(ReadOnlySpan<byte> prefix, JsonElement value)
    {
        var raw = JsonMarshal.GetRawUtf8Value(value);
        var text = raw[1..^1];   // within its quotes
        if (prefix.Length + text.Length <= Recurring.MaxBytes && !text.Contains((byte)'\\'))
        {
            Span<byte> joined = stackalloc byte[Recurring.MaxBytes];
            prefix.CopyTo(joined);
            text.CopyTo(joined[prefix.Length..]);
            if (Recurring.Text(joined[..(prefix.Length + text.Length)]) is { } shared) return shared;
        }
        return Encoding.UTF8.GetString(prefix) + value.GetString();
    }

    /// <summary>The text of string <paramref name="value"/>, shared when short and recurring (see <see cref="Shared(ReadOnlySpan{byte}, JsonElement)"/>).</summary>
    public static string Shared(JsonElement value) => Shared([], value);

    /// <summary>
    /// The UTF-8 text of object <paramref name="value"/> (of a document checked by <see cref="ParseDocument"/>) as the LRS
    /// writes it into a stored statement: an activity definition. A value sent exactly so (no space between its tokens, no
    /// escape the writer would not make) and met before on this thread is the same array each time, neither written out again
    /// nor allocated: a batch names the same few courses in statement after statement, and storage compares what it met.
    /// </summary>
    public static byte[] Written(JsonElement value)
    {
        var raw = JsonMarshal.GetRawUtf8Value(value);
        var kept = raw.Length <= RecurringValues.MaxBytes;
        var code = kept ? Recurring.Hash(raw) : 0;
        if (kept && RecurringValues.Find(code, raw) is { } known) return known;
        var writer = StatementPreparer.BeginWriting();
        value.WriteTo(writer);
        var utf8 = StatementPreparer.EndWriting(writer);
        if (kept && raw.SequenceEqual(utf8)) RecurringValues.Saw(code, utf8, utf8);
        return utf8;
    }

    /// <summary>
    /// Writes object or array <paramref name="value"/> (of a document checked by <see cref="ParseDocument"/>) to
    /// <paramref name="writer"/> as a property's value, as the LRS writes it. A value sent exactly as the LRS writes it and met
    /// before on this thread (the table of <see cref="Written"/>) is copied as it is instead of being written token by token:
    /// most of a statement's text is its verb, its activity and its context activities, which a batch names again and again.
    /// </summary>
    /// <param name="writer">The writer, from <see cref="StatementPreparer.BeginWriting"/>, after a property name.</param>
    /// <param name="buffer">What <paramref name="writer"/> writes into: what the value was written as is read there.</param>
    /// <param name="value">The value.</param>
    internal static void WriteValue(Utf8JsonWriter writer, ArrayBufferWriter<byte> buffer, JsonElement value)
    {
        var raw = JsonMarshal.GetRawUtf8Value(value);
        if (raw.Length > RecurringValues.MaxBytes)
        {
            value.WriteTo(writer);
            return;
        }
        var code = Recurring.Hash(raw);
        if (RecurringValues.Find(code, raw) is not null)
        {
            writer.WriteRawValue(raw, skipInputValidation: true);   // the same bytes as writing it out
            return;
        }
        writer.Flush();
        var start = buffer.WrittenCount;
        value.WriteTo(writer);
        writer.Flush();
        var written = buffer.WrittenSpan[start..];
        if (raw.SequenceEqual(written)) RecurringValues.Saw(code, written);
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
        CheckLength(ref reader, maxStringBytes);
        if (!reader.ValueIsEscaped)
        {
            // Unescaped text is its own string: checked and made once (short texts through the table of recurring ones).
            var utf8 = reader.ValueSpan;
            var text = utf8.Length <= Recurring.MaxBytes ? Recurring.Text(utf8) : Utf8.IsValid(utf8) ? Encoding.UTF8.GetString(utf8) : null;
            return text ?? throw NotUtf8(ref reader);
        }
        try
        {
            return reader.GetString()!;
        }
        catch (InvalidOperationException e)
        {
            throw Unreadable(ref reader, e);
        }
    }

    /// <summary>
    /// Short texts that recur from statement to statement (property names, verb and activity IRIs, language tags, object
    /// types, the authority) made into strings once and shared, so that a batch does not allocate the same string a hundred
    /// times. A text is kept from its second sighting on, in a fixed table where a newer text may take an older one's
    /// place; a text seen once (an id, a timestamp) costs one hash and nothing kept.
    /// </summary>
    /// <remarks>
    /// Each thread has its own tables (48 kB). Shared by all, every sighting written from one core took the table's line of
    /// memory from the other: under batches on two cores these lookups cost four times what they cost on one thread.
    /// </remarks>
    private static class Recurring
    {
        public const int MaxBytes = 128;
        private const int Size = 4096;

        private sealed class Tables
        {
            public readonly Entry?[] Kept = new Entry?[Size];
            public readonly int[] SeenOnce = new int[Size];
        }

        [ThreadStatic] private static Tables? t_tables;

        private sealed class Entry(int code, byte[] utf8, string text)
        {
            public readonly int Code = code;
            public readonly byte[] Utf8 = utf8;
            public readonly string Text = text;
        }

        /// <summary>The string of <paramref name="utf8"/> (unescaped JSON text), or null when it is not UTF-8.</summary>
        public static string? Text(ReadOnlySpan<byte> utf8)
        {
            var tables = t_tables ??= new Tables();
            var code = Hash(utf8);
            var slot = code & (Size - 1);
            if (tables.Kept[slot] is { } kept && kept.Code == code && utf8.SequenceEqual(kept.Utf8)) return kept.Text;
            if (!Utf8.IsValid(utf8)) return null;
            var text = Encoding.UTF8.GetString(utf8);
            if (tables.SeenOnce[slot] == code) tables.Kept[slot] = new Entry(code, utf8.ToArray(), text);
            else tables.SeenOnce[slot] = code;
            return text;
        }

        // A quick hash of short text, eight bytes at a time: only a table slot depends on it, the text itself is compared.
        public static int Hash(ReadOnlySpan<byte> utf8)
        {
            var hash = (ulong)utf8.Length * 0x9E3779B97F4A7C15UL;
            var i = 0;
            for (; i + 8 <= utf8.Length; i += 8)
                hash = (BitOperations.RotateLeft(hash, 29) ^ BinaryPrimitives.ReadUInt64LittleEndian(utf8[i..])) * 0xBF58476D1CE4E5B9UL;
            ulong tail = 0;
            for (var shift = 0; i < utf8.Length; i++, shift += 8) tail |= (ulong)utf8[i] << shift;
            hash = (BitOperations.RotateLeft(hash, 29) ^ tail) * 0x94D049BB133111EBUL;
            return (int)(hash >> 32) ^ (int)hash;
        }
    }

    /// <summary>
    /// Values as the LRS writes them (<see cref="Written"/>), kept from their second sighting on in a fixed table per thread, as
    /// <see cref="Recurring"/> keeps short texts: a value seen once costs one hash and one comparison with what it was written as.
    /// </summary>
    private static class RecurringValues
    {
        public const int MaxBytes = 2048;
        private const int Size = 4096;

        private sealed class Tables
        {
            public readonly byte[]?[] Kept = new byte[]?[Size];
            public readonly int[] Codes = new int[Size];
            public readonly int[] SeenOnce = new int[Size];
        }

        [ThreadStatic] private static Tables? t_tables;

        /// <summary>The array kept for text <paramref name="utf8"/> of hash <paramref name="code"/>, or null.</summary>
        public static byte[]? Find(int code, ReadOnlySpan<byte> utf8)
        {
            var tables = t_tables ??= new Tables();
            var slot = code & (Size - 1);
            return tables.Kept[slot] is { } kept && tables.Codes[slot] == code && utf8.SequenceEqual(kept) ? kept : null;
        }

        /// <summary>
        /// A value of hash <paramref name="code"/> written as <paramref name="utf8"/>: kept if it was seen once before, as
        /// <paramref name="array"/> when it holds the same text, or as a copy.
        /// </summary>
        public static void Saw(int code, ReadOnlySpan<byte> utf8, byte[]? array = null)
        {
            var tables = t_tables ??= new Tables();
            var slot = code & (Size - 1);
            if (tables.SeenOnce[slot] != code)
            {
                tables.SeenOnce[slot] = code;
                return;
            }
            tables.Kept[slot] = array ?? utf8.ToArray();
            tables.Codes[slot] = code;
        }
    }
}
