using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Lrs.Core.Xapi;

/// <summary>A valid statement made ready for storage: LRS-set properties filled and index keys extracted.</summary>
/// <param name="Id">The statement id (lower case in <paramref name="Utf8Json"/>).</param>
/// <param name="Stored">When the LRS stored it, truncated to microseconds.</param>
/// <param name="Utf8Json">The statement as it will be served in the <c>exact</c> format, in UTF-8.</param>
/// <param name="Verb">The verb IRI.</param>
/// <param name="Registration">The context registration, if any.</param>
/// <param name="RefTarget">The statement an object StatementRef targets, if any (voiding or not).</param>
/// <param name="IsVoiding">Whether this statement voids <paramref name="RefTarget"/>.</param>
/// <param name="Keys">The index keys (see <see cref="StatementIndex"/>).</param>
/// <param name="Node">The prepared statement as a JSON tree, for comparisons before storage.</param>
/// <param name="SetByLrs">Top-level properties the LRS filled in or replaced rather than took from the sender.</param>
/// <param name="Define">Whether the sender may (re)define activities and agents (scope <c>define</c>): only then do its definitions and names become the LRS's own.</param>
public sealed record PreparedStatement(
    Guid Id,
    DateTimeOffset Stored,
    byte[] Utf8Json,
    string Verb,
    Guid? Registration,
    Guid? RefTarget,
    bool IsVoiding,
    IReadOnlyList<string> Keys,
    JsonObject Node,
    IReadOnlyList<string> SetByLrs,
    bool Define = true)
{
    /// <summary>
    /// The statement as the sender made it, for the duplicate comparison: what the LRS set (id excepted)
    /// is left out, so that the comparer ignores it (Data 2.3.1).
    /// </summary>
    public JsonObject AsSent()
    {
        var clone = (JsonObject)Node.DeepClone();
        foreach (var name in SetByLrs) if (name != "id") clone.Remove(name);
        return clone;
    }
}

/// <summary>Fills in what the LRS sets on a statement it accepts (Data 2.4: id, stored, timestamp, authority, version).</summary>
public static class StatementPreparer
{
    /// <summary>The verb IRI that voids the statement its StatementRef object targets.</summary>
    public const string VoidedVerb = "http://adlnet.gov/expapi/verbs/voided";

    /// <summary>
    /// Prepares a statement that <see cref="StatementValidator"/> accepted. Mutates <paramref name="statement"/>.
    /// </summary>
    /// <param name="statement">The validated statement.</param>
    /// <param name="version">The xAPI version of the request.</param>
    /// <param name="stored">The storage time, from <see cref="StoredClock"/> (whole microseconds).</param>
    /// <param name="authority">The credential's authority, which replaces any authority sent.</param>
    /// <param name="define">Whether the sender holds the <c>define</c> scope.</param>
    public static PreparedStatement Prepare(JsonObject statement, XapiVersion version, DateTimeOffset stored, JsonObject authority, bool define = true)
    {
        var setByLrs = new List<string>(5) { "stored", "authority" };
        if (statement["id"] is null) setByLrs.Add("id");
        if (statement["timestamp"] is null) setByLrs.Add("timestamp");
        if (statement["version"] is null) setByLrs.Add("version");
        var id = statement["id"] is JsonValue idValue ? Guid.Parse(idValue.GetValue<string>()) : Guid.CreateVersion7(stored);
        var storedText = XapiTimestamp.ToUtcString(stored);

        // Rebuild in a fixed member order so that every stored statement reads the same way, made at its size.
        var members = t_members ??= new(12);
        members.Clear();
        members.Add(new("id", id.ToString("D")));
        foreach (var name in (ReadOnlySpan<string>)["actor", "verb", "object", "result", "context"])
            Take(statement, members, name);
        members.Add(new("timestamp", statement["timestamp"] is JsonValue ts ? NormaliseTimestamp(ts.GetValue<string>(), version) : storedText));
        members.Add(new("stored", storedText));
        members.Add(new("authority", authority.DeepClone()));
        members.Add(new("version", statement["version"] is JsonValue v ? v.GetValue<string>() : version == XapiVersion.V200 ? "2.0.0" : "1.0.0"));
        Take(statement, members, "attachments");
        var prepared = new JsonObject(members);
        members.Clear();

        NormaliseContext(prepared["context"] as JsonObject);
        if (prepared["object"] is JsonObject sub && sub["objectType"]?.GetValue<string>() == "SubStatement")
        {
            NormaliseContext(sub["context"] as JsonObject);
            if (sub["timestamp"] is JsonValue subTs) sub["timestamp"] = NormaliseTimestamp(subTs.GetValue<string>(), version);
        }

        var verb = prepared["verb"]!["id"]!.GetValue<string>();
        var obj = (JsonObject)prepared["object"]!;
        Guid? refTarget = obj["objectType"]?.GetValue<string>() == "StatementRef"
            ? Guid.Parse(obj["id"]!.GetValue<string>())
            : null;
        if (refTarget is { } target) obj["id"] = target.ToString("D");
        Guid? registration = prepared["context"]?["registration"] is JsonValue r ? Guid.Parse(r.GetValue<string>()) : null;
        if (registration is { } reg) prepared["context"]!["registration"] = reg.ToString("D");

        return new PreparedStatement(
            id, stored, Utf8(prepared), verb, registration, refTarget,
            IsVoiding: verb == VoidedVerb && refTarget is not null,
            StatementIndex.Extract(prepared), prepared, setByLrs, define);
    }

    // Non-ASCII text is written as it is rather than as \u escapes: a statement is only ever served as JSON, never inside
    // HTML, and the text is shorter and quicker to write.
    private static readonly JsonWriterOptions Writing = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    [ThreadStatic] private static ArrayBufferWriter<byte>? t_buffer;
    [ThreadStatic] private static Utf8JsonWriter? t_writer;

    // The statement's text, written once as the UTF-8 that is stored (a buffer and a writer per thread, reused).
    private static byte[] Utf8(JsonObject statement)
    {
        var buffer = t_buffer ??= new ArrayBufferWriter<byte>(4096);
        buffer.ResetWrittenCount();
        var writer = t_writer ??= new Utf8JsonWriter(buffer, Writing);
        writer.Reset(buffer);
        statement.WriteTo(writer);
        writer.Flush();
        var text = buffer.WrittenSpan.ToArray();
        if (buffer.Capacity > 1 << 20) (t_buffer, t_writer) = (null, null);   // a rare huge statement is not held on to
        return text;
    }

    [ThreadStatic] private static List<KeyValuePair<string, JsonNode?>>? t_members;

    // A member taken out of the statement as sent, to be a member of the prepared one.
    private static void Take(JsonObject from, List<KeyValuePair<string, JsonNode?>> to, string name)
    {
        if (from[name] is { } node)
        {
            from.Remove(name);
            to.Add(new(name, node));
        }
    }

    // Timestamps are returned in UTC (Data 2.4.7); the instant is kept, the offset is not.
    private static string NormaliseTimestamp(string text, XapiVersion version) =>
        XapiTimestamp.TryParse(text, version, out var value) ? XapiTimestamp.ToUtcString(value) : text;

    // contextActivities values are always returned as arrays (Data 2.4.6.2).
    private static void NormaliseContext(JsonObject? context)
    {
        if (context?["contextActivities"] is not JsonObject activities) return;
        foreach (var name in activities.Select(p => p.Key).ToList())
        {
            if (activities[name] is JsonObject single)
            {
                activities.Remove(name);
                activities[name] = new JsonArray(single);
            }
        }
    }
}
