using System.Buffers.Text;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Lrs.Core.Xapi;

/// <summary>
/// The state behind a <c>more</c> link: the query, its fixed upper bound on <c>stored</c>, and the keyset
/// position after the last statement served. Holding the bound fixed is what keeps later pages from
/// repeating or skipping statements while writes go on. It carries no tenant and grants nothing: it is
/// read under the caller's own credential, and a tampered cursor is only a different query.
/// </summary>
public sealed record StatementCursor
{
    /// <summary>The index keys of the query.</summary>
    [JsonPropertyName("k")] public string[] Keys { get; init; } = [];
    /// <summary>Exclusive lower bound, microseconds since the epoch.</summary>
    [JsonPropertyName("s")] public long? Since { get; init; }
    /// <summary>Inclusive upper bound, microseconds since the epoch.</summary>
    [JsonPropertyName("u")] public long Until { get; init; }
    /// <summary>Ascending order.</summary>
    [JsonPropertyName("a")] public bool Ascending { get; init; }
    /// <summary>Page size.</summary>
    [JsonPropertyName("l")] public int Limit { get; init; }
    /// <summary>Stored time of the last statement served, microseconds since the epoch.</summary>
    [JsonPropertyName("ps")] public long PositionStored { get; init; }
    /// <summary>Sequence of the last statement served.</summary>
    [JsonPropertyName("pq")] public long PositionSequence { get; init; }
    /// <summary>The requested format.</summary>
    [JsonPropertyName("f")] public string Format { get; init; } = "exact";
    /// <summary>Whether attachments were requested.</summary>
    [JsonPropertyName("at")] public bool Attachments { get; init; }

    /// <summary>The opaque text used in the <c>more</c> link.</summary>
    public string Encode() => Base64Url.EncodeToString(JsonSerializer.SerializeToUtf8Bytes(this, CursorJson.Default.StatementCursor));

    /// <summary>Reads a cursor; null when the text is not one.</summary>
    public static StatementCursor? TryDecode(string? text)
    {
        if (string.IsNullOrEmpty(text) || text.Length > 8192) return null;
        try
        {
            var cursor = JsonSerializer.Deserialize(Base64Url.DecodeFromChars(text), CursorJson.Default.StatementCursor);
            return cursor is { Limit: > 0 } && cursor.Keys.All(k => k is not null) && Enum.IsDefined(typeof(StatementFormat), Capitalise(cursor.Format)) ? cursor : null;
        }
        catch (Exception e) when (e is FormatException or JsonException)
        {
            return null;
        }
    }

    private static string Capitalise(string s) => s.Length == 0 ? s : char.ToUpperInvariant(s[0]) + s[1..];

    /// <summary>Microseconds since the Unix epoch.</summary>
    public static long ToMicros(DateTimeOffset time) => (time.UtcTicks - DateTime.UnixEpoch.Ticks) / TimeSpan.TicksPerMicrosecond;

    /// <summary>The time of microseconds since the Unix epoch.</summary>
    public static DateTimeOffset FromMicros(long micros) => new(DateTime.UnixEpoch.Ticks + micros * TimeSpan.TicksPerMicrosecond, TimeSpan.Zero);
}

[JsonSerializable(typeof(StatementCursor))]
internal sealed partial class CursorJson : JsonSerializerContext;
