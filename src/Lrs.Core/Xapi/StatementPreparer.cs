using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Runtime.InteropServices;
using Lrs.Core.FollowUp;

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
/// <param name="SetByLrs">Top-level properties the LRS filled in or replaced rather than took from the sender.</param>
/// <param name="Names">The (agent key, name) pairs of the agents and identified groups it names (<see cref="AgentNames"/>).</param>
/// <param name="Definitions">The activity definitions it carries, in UTF-8, in the order <see cref="ActivityDefinitions.Of"/> meets them.</param>
/// <param name="Fact">What follow-up reads of it, or null when follow-up does not read it (<see cref="StatementFact.Concerns"/>).</param>
/// <param name="ActivityId">The object's IRI when the object is an Activity, else null: what a framework's rules and triggers select
/// (<see cref="Competence.Framework.Reads"/>).</param>
/// <param name="ActivityType">The object activity's <c>definition.type</c>, when it has one.</param>
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
    IReadOnlyList<string> SetByLrs,
    IReadOnlyList<(string Key, string Name)> Names,
    IReadOnlyList<(string Iri, byte[] Utf8Json)> Definitions,
    StatementFact? Fact,
    string? ActivityId,
    string? ActivityType,
    bool Define = true)
{
    // The stored text is the LRS's own, one level deeper at most than what was sent (a single context activity made an array).
    private static readonly JsonDocumentOptions Reading = new() { MaxDepth = 128 };

    private JsonObject? _node;

    /// <summary>
    /// The prepared statement as a JSON tree, for comparisons before storage and the rarer work of storage (evidence, sign-offs,
    /// reflection): parsed from <see cref="Utf8Json"/> when first asked for, since most statements never need it.
    /// </summary>
    public JsonObject Node => _node ??= (JsonObject)JsonText.Parse(Utf8Json, Reading)!;

    /// <summary>
    /// The prepared statement as a JSON tree to read, never to change: what the tenant's framework reads of it (evidence, tasks,
    /// sign-offs, answers). Over a document of <see cref="Utf8Json"/>, each object's members are made when it is first read, so
    /// that a statement read for its verb, object, result and actor is not built whole as <see cref="Node"/> is.
    /// </summary>
    public JsonObject View => _node ?? JsonObject.Create(JsonElement.Parse(Utf8Json, Reading))!;

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

/// <summary>
/// A credential's authority made ready once for a batch of statements: the text every statement of the batch stores as its
/// <c>authority</c>, and the index keys it gives them.
/// </summary>
public sealed class PreparedAuthority
{
    /// <summary>Prepares <paramref name="authority"/> (an Agent, or a Group of two agents for OAuth).</summary>
    public PreparedAuthority(JsonObject authority)
    {
        var writer = StatementPreparer.BeginWriting();
        authority.WriteTo(writer);
        Utf8Json = StatementPreparer.EndWriting(writer);
        Key = AgentKey.Of(authority);
        IndexKey = Key is null ? null : StatementIndex.Authority + Key;
        MemberKeys = authority["member"] is JsonArray members ? [.. members.Select(AgentKey.Of).OfType<string>()] : [];
    }

    /// <summary>The authority as it is stored in each statement, in UTF-8.</summary>
    public byte[] Utf8Json { get; }

    /// <summary>The authority's own agent key, if it has one: the statement's <see cref="StatementIndex.Authority"/> key.</summary>
    public string? Key { get; }

    /// <summary><see cref="Key"/> as a statement's index key (<see cref="StatementIndex.Authority"/>), made once for a request's statements.</summary>
    public string? IndexKey { get; }

    /// <summary>The agent keys of the members of an authority group: related agents of the statement.</summary>
    public IReadOnlyList<string> MemberKeys { get; }
}

/// <summary>Fills in what the LRS sets on a statement it accepts (Data 2.4: id, stored, timestamp, authority, version).</summary>
public static class StatementPreparer
{
    /// <summary>The verb IRI that voids the statement its StatementRef object targets.</summary>
    public const string VoidedVerb = "http://adlnet.gov/expapi/verbs/voided";

    /// <summary>
    /// Prepares a statement that <see cref="StatementValidator"/> accepted, as a tree; <paramref name="statement"/> is left as it is.
    /// </summary>
    /// <param name="statement">The validated statement.</param>
    /// <param name="version">The xAPI version of the request.</param>
    /// <param name="stored">The storage time, from <see cref="StoredClock"/> (whole microseconds).</param>
    /// <param name="authority">The credential's authority, which replaces any authority sent.</param>
    /// <param name="define">Whether the sender holds the <c>define</c> scope.</param>
    public static PreparedStatement Prepare(JsonObject statement, XapiVersion version, DateTimeOffset stored, JsonObject authority, bool define = true)
    {
        return Prepare(JsonText.Element(statement), version, stored, new PreparedAuthority(authority), define);
    }

    /// <summary>
    /// Prepares a statement that <see cref="StatementValidator"/> accepted. Nothing returned refers to <paramref name="statement"/>
    /// or its document, which may be disposed as soon as this returns.
    /// </summary>
    /// <param name="statement">The validated statement.</param>
    /// <param name="version">The xAPI version of the request.</param>
    /// <param name="stored">The storage time, from <see cref="StoredClock"/> (whole microseconds).</param>
    /// <param name="authority">The credential's authority, which replaces any authority sent.</param>
    /// <param name="define">Whether the sender holds the <c>define</c> scope.</param>
    /// <param name="id">The statement id when the request gives it (PUT's <c>statementId</c>, which any id of the body equals).</param>
    public static PreparedStatement Prepare(JsonElement statement, XapiVersion version, DateTimeOffset stored, PreparedAuthority authority,
        bool define = true, Guid? id = null)
    {
        JsonElement sentId = default, actor = default, verb = default, obj = default, result = default, context = default,
            timestamp = default, sentVersion = default, attachments = default;
        // One pass over the members; a member sent as null counts as not sent. Anything else sent (stored, authority) is the LRS's to set.
        foreach (var member in statement.EnumerateObject())
        {
            var value = member.Value;
            if (value.ValueKind == JsonValueKind.Null) continue;
            if (member.NameEquals("id"u8)) sentId = value;
            else if (member.NameEquals("actor"u8)) actor = value;
            else if (member.NameEquals("verb"u8)) verb = value;
            else if (member.NameEquals("object"u8)) obj = value;
            else if (member.NameEquals("result"u8)) result = value;
            else if (member.NameEquals("context"u8)) context = value;
            else if (member.NameEquals("timestamp"u8)) timestamp = value;
            else if (member.NameEquals("version"u8)) sentVersion = value;
            else if (member.NameEquals("attachments"u8)) attachments = value;
        }
        var statementId = id ?? (Sent(sentId) ? sentId.GetGuid() : NewId(stored));
        var storedText = StoredText(stored);
        var (timestampText, at) = Sent(timestamp) ? NormaliseTimestamp(timestamp.GetString()!, version) : (storedText, stored.ToUniversalTime());
        var verbId = JsonText.Shared(verb.GetProperty("id"u8));
        var objectType = obj.TryGetProperty("objectType"u8, out var type) ? type : default;
        Guid? refTarget = Sent(objectType) && objectType.ValueEquals("StatementRef"u8) ? obj.GetProperty("id"u8).GetGuid() : null;
        Guid? registration = context.ValueKind == JsonValueKind.Object && context.TryGetProperty("registration"u8, out var reg)
            ? reg.GetGuid() : null;

        // Written in a fixed member order, so that every stored statement reads the same way.
        var writer = BeginWriting();
        writer.WriteStartObject();
        writer.WriteString("id"u8, statementId);
        Copy(writer, "actor"u8, actor);
        writer.WritePropertyName("verb"u8);
        WriteRecurring(writer, verb);
        writer.WritePropertyName("object"u8);
        if (refTarget is { } target) WriteStatementRef(writer, obj, target);
        else if (Sent(objectType) && objectType.ValueEquals("SubStatement"u8)) WriteSubStatement(writer, obj, version);
        else WriteRecurring(writer, obj);
        Copy(writer, "result"u8, result);
        if (Sent(context))
        {
            writer.WritePropertyName("context"u8);
            WriteContext(writer, context, registration);
        }
        writer.WriteString("timestamp"u8, timestampText);
        writer.WriteString("stored"u8, storedText);
        writer.WritePropertyName("authority"u8);
        writer.WriteRawValue(authority.Utf8Json, skipInputValidation: true);
        if (Sent(sentVersion)) Copy(writer, "version"u8, sentVersion);
        else writer.WriteString("version"u8, version == XapiVersion.V200 ? "2.0.0" : "1.0.0");
        Copy(writer, "attachments"u8, attachments);
        writer.WriteEndObject();
        var utf8 = EndWriting(writer);

        var isVoiding = verbId == VoidedVerb && refTarget is not null;
        var isActivity = Competence.ActivitySelection.TryReadActivity(obj, out var activityId, out var activityType);
        return new PreparedStatement(
            statementId, stored, utf8, verbId, registration, refTarget, isVoiding,
            StatementIndex.Extract(statement, authority),
            SetByLrs[(Sent(sentId) || id is not null ? 0 : 1) | (Sent(timestamp) ? 0 : 2) | (Sent(sentVersion) ? 0 : 4)],
            AgentNames.Of(statement),
            ActivityDefinitions.Of(statement),
            StatementFact.Concerns(verbId, refTarget, isVoiding) ? StatementFact.Read(statement, statementId, at) : null,
            isActivity ? activityId : null, activityType, define);
    }

    [ThreadStatic] private static byte[]? t_random;
    [ThreadStatic] private static int t_randomUsed;

    // A version 7 UUID of the stored time, as Guid.CreateVersion7 makes one, its random bits drawn from a per-thread buffer
    // of cryptographic randomness refilled every 256 ids: a new random draw per id costs the kernel a call each time.
    private static Guid NewId(DateTimeOffset stored)
    {
        var random = t_random ??= new byte[4096];
        if (t_randomUsed == 0 || t_randomUsed + 16 > random.Length)
        {
            System.Security.Cryptography.RandomNumberGenerator.Fill(random);
            t_randomUsed = 0;
        }
        Span<byte> bytes = stackalloc byte[16];
        random.AsSpan(t_randomUsed, 16).CopyTo(bytes);
        t_randomUsed += 16;
        System.Buffers.Binary.BinaryPrimitives.WriteUInt64BigEndian(bytes,
            (ulong)stored.ToUnixTimeMilliseconds() << 16 | (uint)(bytes[6] & 0x0F | 0x70) << 8 | bytes[7]);
        bytes[8] = (byte)(bytes[8] & 0x3F | 0x80);
        return new Guid(bytes, bigEndian: true);
    }

    [ThreadStatic] private static (DateTimeOffset At, string Text) t_stored;

    // A batch's statements share their stored time: its text is made once (per thread) for all of them.
    private static string StoredText(DateTimeOffset stored)
    {
        if (t_stored.Text is null || t_stored.At != stored) t_stored = (stored, XapiTimestamp.ToUtcString(stored));
        return t_stored.Text;
    }

    private static bool Sent(JsonElement member) => member.ValueKind != JsonValueKind.Undefined;

    // What the LRS set, by which of id (1), timestamp (2) and version (4) it set: stored and authority it always sets.
    private static readonly string[][] SetByLrs =
    [
        ["stored", "authority"], ["stored", "authority", "id"], ["stored", "authority", "timestamp"], ["stored", "authority", "id", "timestamp"],
        ["stored", "authority", "version"], ["stored", "authority", "id", "version"], ["stored", "authority", "timestamp", "version"],
        ["stored", "authority", "id", "timestamp", "version"],
    ];

    // A member taken as it was sent, when it was.
    private static void Copy(Utf8JsonWriter writer, ReadOnlySpan<byte> name, JsonElement value)
    {
        if (!Sent(value)) return;
        writer.WritePropertyName(name);
        value.WriteTo(writer);
    }

    // An object or array that statements share (a verb, an activity, context activities), as it was sent when it was sent as
    // the LRS writes it and met before (JsonText.WriteValue); an actor, which recurs less, is not looked for.
    private static void WriteRecurring(Utf8JsonWriter writer, JsonElement value)
    {
        if (value.ValueKind is JsonValueKind.Object or JsonValueKind.Array) JsonText.WriteValue(writer, t_buffer!, value);
        else value.WriteTo(writer);
    }

    // The target's id in lower case, where it was.
    private static void WriteStatementRef(Utf8JsonWriter writer, JsonElement statementRef, Guid target)
    {
        writer.WriteStartObject();
        foreach (var member in statementRef.EnumerateObject())
        {
            if (member.NameEquals("id"u8)) writer.WriteString("id"u8, target);
            else member.WriteTo(writer);
        }
        writer.WriteEndObject();
    }

    private static void WriteSubStatement(Utf8JsonWriter writer, JsonElement sub, XapiVersion version)
    {
        writer.WriteStartObject();
        foreach (var member in sub.EnumerateObject())
        {
            if (member.NameEquals("context"u8) && member.Value.ValueKind == JsonValueKind.Object)
            {
                writer.WritePropertyName("context"u8);
                WriteContext(writer, member.Value, registration: null);
            }
            else if (member.NameEquals("timestamp"u8) && member.Value.ValueKind == JsonValueKind.String)
                writer.WriteString("timestamp"u8, NormaliseTimestamp(member.Value.GetString()!, version).Text);
            else member.WriteTo(writer);
        }
        writer.WriteEndObject();
    }

    // contextActivities values are always returned as arrays (Data 2.4.6.2), in the order of ContextActivities; the statement's
    // own registration (not a SubStatement's) in lower case.
    private static void WriteContext(Utf8JsonWriter writer, JsonElement context, Guid? registration)
    {
        writer.WriteStartObject();
        foreach (var member in context.EnumerateObject())
        {
            if (member.NameEquals("contextActivities"u8) && member.Value.ValueKind == JsonValueKind.Object)
            {
                writer.WritePropertyName("contextActivities"u8);
                if (!ContextActivities.HasSingle(member.Value))
                {
                    WriteRecurring(writer, member.Value);   // every list an array already: written as it is
                    continue;
                }
                writer.WriteStartObject();
                foreach (var list in ContextActivities.ListsOf(member.Value))
                {
                    if (list.Value.ValueKind != JsonValueKind.Object) list.WriteTo(writer);
                    else
                    {
                        writer.WritePropertyName(list.Name);
                        writer.WriteStartArray();
                        list.Value.WriteTo(writer);
                        writer.WriteEndArray();
                    }
                }
                writer.WriteEndObject();
            }
            else if (registration is { } reg && member.NameEquals("registration"u8)) writer.WriteString("registration"u8, reg);
            else if (member.Value.ValueKind is JsonValueKind.Object or JsonValueKind.Array)
            {
                // instructor, team, extensions …: the name as JsonProperty.WriteTo writes it, unescaped when it was escaped.
                var name = JsonMarshal.GetRawUtf8PropertyName(member);
                if (name.Contains((byte)'\\')) writer.WritePropertyName(member.Name);
                else writer.WritePropertyName(name);
                WriteRecurring(writer, member.Value);
            }
            else member.WriteTo(writer);
        }
        writer.WriteEndObject();
    }

    // Timestamps are returned in UTC (Data 2.4.7); the instant is kept, the offset is not. The instant too, for follow-up.
    private static (string Text, DateTimeOffset At) NormaliseTimestamp(string text, XapiVersion version) =>
        XapiTimestamp.TryParse(text, version, out var value) ? (XapiTimestamp.ToUtcString(value), value.ToUniversalTime())
        : (text, DateTimeOffset.Parse(text, System.Globalization.CultureInfo.InvariantCulture));

    // Non-ASCII text is written as it is rather than as \u escapes: a statement is only ever served as JSON, never inside
    // HTML, and the text is shorter and quicker to write.
    private static readonly JsonWriterOptions Writing = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    [ThreadStatic] private static ArrayBufferWriter<byte>? t_buffer;
    [ThreadStatic] private static Utf8JsonWriter? t_writer;

    /// <summary>
    /// A writer of stored JSON text (a buffer and a writer per thread, reused): what it writes, <see cref="EndWriting"/> returns.
    /// One text at a time per thread.
    /// </summary>
    internal static Utf8JsonWriter BeginWriting()
    {
        var buffer = t_buffer ??= new ArrayBufferWriter<byte>(4096);
        buffer.ResetWrittenCount();
        var writer = t_writer ??= new Utf8JsonWriter(buffer, Writing);
        writer.Reset(buffer);
        return writer;
    }

    /// <summary>The UTF-8 text <paramref name="writer"/> (from <see cref="BeginWriting"/>) wrote.</summary>
    internal static byte[] EndWriting(Utf8JsonWriter writer)
    {
        writer.Flush();
        var buffer = t_buffer!;
        var text = buffer.WrittenSpan.ToArray();
        if (buffer.Capacity > 1 << 20) (t_buffer, t_writer) = (null, null);   // a rare huge statement is not held on to
        return text;
    }
}
