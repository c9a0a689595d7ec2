using System.Text.Json;
using System.Text.Json.Nodes;

namespace Lrs.Core.Xapi;

/// <summary>
/// Decides whether two Statements are "the same" by the Statement Comparison Requirements (Data 2.3.1): differences
/// that the immutability exceptions could have caused are ignored, every other difference counts.
/// </summary>
/// <remarks>
/// What is ignored, and why:
/// <list type="bullet">
/// <item><c>id</c> (the caller matched on it) and <c>stored</c> (the LRS must overwrite it).</item>
/// <item><c>authority</c>, <c>version</c> and <c>timestamp</c> when the incoming statement lacks them, since the LRS
/// assigns them; when both have them, authority is compared as an Agent/Group, version as a string and timestamps as
/// instants (the serialization and time zone are not part of the statement).</item>
/// <item>Activity definitions (on the object, in context activities and SubStatements) and the Verb's
/// <c>display</c>: they are not part of the statement.</item>
/// <item><c>attachments</c>: not part of the statement either.</item>
/// <item>The order of Group members, and of object members generally (JSON objects are unordered).</item>
/// <item>Case where it carries no meaning: the <c>mailto:</c> scheme and the e-mail domain, <c>mbox_sha1sum</c> hex,
/// UUIDs, the <c>language</c> tag, and the scheme and host of IRIs (RFC 3987 syntax-based normalization).</item>
/// <item>A missing <c>objectType</c> against its default (<c>Agent</c> for actors, <c>Activity</c> for objects), and a
/// single context Activity against an array holding just it, as the LRS normalizes both.</item>
/// <item>Result duration digits beyond hundredths of a second (xAPI 2.0 4.2.7; harmless under 1.0.3).</item>
/// </list>
/// Numbers compare by value (<c>1</c> equals <c>1.0</c>).
/// </remarks>
public static class StatementComparer
{
    /// <summary>True when <paramref name="stored"/> and <paramref name="incoming"/> (same id) are the same Statement.</summary>
    public static bool AreEquivalent(JsonNode stored, JsonNode incoming)
    {
        ArgumentNullException.ThrowIfNull(stored);
        ArgumentNullException.ThrowIfNull(incoming);
        try
        {
            return stored is JsonObject a && incoming is JsonObject b
                ? StatementEq(a, b, isSubStatement: false)
                : JsonEq(stored, incoming);
        }
        catch (Exception ex) when (ex is InvalidOperationException or ArgumentException or JsonException)
        {
            // Unreadable input (a repeated key) cannot be shown to be the same statement.
            return false;
        }
    }

    private static bool StatementEq(JsonObject a, JsonObject b, bool isSubStatement)
    {
        foreach (var (key, bv) in b.MembersOf())
        {
            if (!FieldEq(key, a[key], bv, a.ContainsKey(key), incomingHas: true, isSubStatement)) return false;
        }
        foreach (var (key, av) in a.MembersOf())
        {
            if (b.ContainsKey(key)) continue;
            if (!FieldEq(key, av, null, storedHas: true, incomingHas: false, isSubStatement)) return false;
        }
        return true;
    }

    private static bool FieldEq(string key, JsonNode? stored, JsonNode? incoming, bool storedHas, bool incomingHas, bool isSubStatement)
    {
        switch (key)
        {
            case "id" when !isSubStatement:
            case "stored" when !isSubStatement:
            case "attachments":
                return true;
            case "authority" or "version" or "timestamp" when !incomingHas:
                return true;
        }
        if (storedHas != incomingHas) return false;
        switch (key)
        {
            case "actor" or "authority": return ActorEq(stored, incoming);
            case "verb": return VerbEq(stored, incoming);
            case "object": return ObjectEq(stored, incoming);
            case "result": return ResultEq(stored, incoming);
            case "context": return ContextEq(stored, incoming);
            case "timestamp": return TimestampEq(stored, incoming);
            default: return JsonEq(stored, incoming);
        }
    }

    private static bool TimestampEq(JsonNode? a, JsonNode? b)
    {
        if (JsonRead.TryString(a, out var sa) && JsonRead.TryString(b, out var sb) && TryInstant(sa, out var ta) && TryInstant(sb, out var tb))
            return ta.UtcTicks == tb.UtcTicks;
        return JsonEq(a, b);
    }

    // Stored statements may come from either version; accept whichever reading succeeds.
    private static bool TryInstant(string s, out DateTimeOffset t) =>
        XapiTimestamp.TryParse(s, XapiVersion.V103, out t) || XapiTimestamp.TryParse(s, XapiVersion.V200, out t);

    // ---------------------------------------------------------------- Agents and Groups

    private static bool ActorEq(JsonNode? a, JsonNode? b)
    {
        if (a is not JsonObject oa || b is not JsonObject ob) return JsonEq(a, b);
        return ObjectsEq(oa, ob, "Agent", static (key, x, y) => key switch
        {
            "mbox" => StringEq(x, y, NormalizeMbox),
            "mbox_sha1sum" => StringEq(x, y, static s => s.ToLowerInvariant()),
            "openid" => StringEq(x, y, NormalizeIri),
            "account" => AccountEq(x, y),
            "member" => MembersEq(x, y),
            _ => JsonEq(x, y),
        });
    }

    private static bool AccountEq(JsonNode? a, JsonNode? b)
    {
        if (a is not JsonObject oa || b is not JsonObject ob) return JsonEq(a, b);
        return ObjectsEq(oa, ob, null, static (key, x, y) => key == "homePage" ? StringEq(x, y, NormalizeIri) : JsonEq(x, y));
    }

    // Group members are an unordered list: match each stored member to a distinct incoming one.
    private static bool MembersEq(JsonNode? a, JsonNode? b)
    {
        if (a is not JsonArray xa || b is not JsonArray xb) return JsonEq(a, b);
        if (xa.Count != xb.Count) return false;
        var used = new bool[xb.Count];
        for (int i = 0; i < xa.Count; i++)
        {
            bool found = false;
            for (int j = 0; j < xb.Count && !found; j++)
            {
                if (!used[j] && ActorEq(xa[i], xb[j])) { used[j] = true; found = true; }
            }
            if (!found) return false;
        }
        return true;
    }

    // ---------------------------------------------------------------- Verb and Object

    private static bool VerbEq(JsonNode? a, JsonNode? b)
    {
        if (a is not JsonObject oa || b is not JsonObject ob) return JsonEq(a, b);
        // display is not part of the statement.
        return ObjectsEq(oa, ob, null, static (key, x, y) => key switch
        {
            "display" => true,
            "id" => StringEq(x, y, NormalizeIri),
            _ => JsonEq(x, y),
        }, ignoreWhenMissing: "display");
    }

    private static bool ObjectEq(JsonNode? a, JsonNode? b)
    {
        if (a is not JsonObject oa || b is not JsonObject ob) return JsonEq(a, b);
        string ta = ObjectType(oa, "Activity"), tb = ObjectType(ob, "Activity");
        if (ta != tb) return false;
        return ta switch
        {
            "Activity" => ActivityEq(oa, ob),
            "Agent" or "Group" => ActorEq(oa, ob),
            "StatementRef" => StatementRefEq(oa, ob),
            "SubStatement" => StatementEq(oa, ob, isSubStatement: true),
            _ => JsonEq(oa, ob),
        };
    }

    // The definition is not part of the statement: only the Activity's identity counts.
    private static bool ActivityEq(JsonNode? a, JsonNode? b)
    {
        if (a is not JsonObject oa || b is not JsonObject ob) return JsonEq(a, b);
        return ObjectsEq(oa, ob, "Activity", static (key, x, y) => key switch
        {
            "definition" => true,
            "id" => StringEq(x, y, NormalizeIri),
            _ => JsonEq(x, y),
        }, ignoreWhenMissing: "definition");
    }

    private static bool StatementRefEq(JsonNode? a, JsonNode? b)
    {
        if (a is not JsonObject oa || b is not JsonObject ob) return JsonEq(a, b);
        return ObjectsEq(oa, ob, null, static (key, x, y) => key == "id" ? StringEq(x, y, static s => s.ToLowerInvariant()) : JsonEq(x, y));
    }

    // ---------------------------------------------------------------- Result and Context

    private static bool ResultEq(JsonNode? a, JsonNode? b)
    {
        if (a is not JsonObject oa || b is not JsonObject ob) return JsonEq(a, b);
        return ObjectsEq(oa, ob, null, static (key, x, y) => key switch
        {
            "duration" => StringEq(x, y, TruncateDuration),
            "extensions" => ExtensionsEq(x, y),
            _ => JsonEq(x, y),
        });
    }

    private static bool ContextEq(JsonNode? a, JsonNode? b)
    {
        if (a is not JsonObject oa || b is not JsonObject ob) return JsonEq(a, b);
        return ObjectsEq(oa, ob, null, static (key, x, y) => key switch
        {
            "registration" => StringEq(x, y, static s => s.ToLowerInvariant()),
            "instructor" or "team" => ActorEq(x, y),
            "contextActivities" => ContextActivitiesEq(x, y),
            "language" => StringEq(x, y, static s => s.ToLowerInvariant()),
            "statement" => StatementRefEq(x, y),
            "extensions" => ExtensionsEq(x, y),
            "contextAgents" => ListEq(x, y, static (p, q) => ContextAgentEq(p, q, "agent")),
            "contextGroups" => ListEq(x, y, static (p, q) => ContextAgentEq(p, q, "group")),
            _ => JsonEq(x, y),
        });
    }

    private static bool ContextAgentEq(JsonNode? a, JsonNode? b, string memberKey)
    {
        if (a is not JsonObject oa || b is not JsonObject ob) return JsonEq(a, b);
        return ObjectsEq(oa, ob, null, (key, x, y) =>
            key == memberKey ? ActorEq(x, y)
            : key == "relevantTypes" ? ListEq(x, y, static (p, q) => StringEq(p, q, NormalizeIri))
            : JsonEq(x, y));
    }

    private static bool ContextActivitiesEq(JsonNode? a, JsonNode? b)
    {
        if (a is not JsonObject oa || b is not JsonObject ob) return JsonEq(a, b);
        // A single Activity on input is the same as the array of one the LRS returns.
        return ObjectsEq(oa, ob, null, static (_, x, y) => ListEq(AsArray(x), AsArray(y), ActivityEq));
    }

    private static JsonNode? AsArray(JsonNode? node) => node is JsonObject ? new JsonArray(node.DeepClone()) : node;

    private static bool ExtensionsEq(JsonNode? a, JsonNode? b)
    {
        if (a is not JsonObject oa || b is not JsonObject ob) return JsonEq(a, b);
        if (oa.Count != ob.Count) return false;
        foreach (var (key, value) in oa)
        {
            JsonNode? other = null;
            bool found = false;
            if (ob.TryGetPropertyValue(key, out other)) found = true;
            else
            {
                // Keys are IRIs: the same IRI may differ in scheme/host case only.
                string norm = NormalizeIri(key);
                foreach (var (k2, v2) in ob)
                {
                    if (NormalizeIri(k2) == norm) { other = v2; found = true; break; }
                }
            }
            if (!found || !JsonEq(value, other)) return false;
        }
        return true;
    }

    // ---------------------------------------------------------------- Generic helpers

    private static string ObjectType(JsonObject obj, string fallback) =>
        obj.TryGetPropertyValue("objectType", out var t) && JsonRead.TryString(t, out var s) ? s : fallback;

    /// <summary>
    /// Compares two objects member by member, order-insensitively. <paramref name="defaultObjectType"/>, when given,
    /// makes a missing objectType equal to that value; <paramref name="ignoreWhenMissing"/> names a member whose
    /// absence on one side is not a difference.
    /// </summary>
    private static bool ObjectsEq(JsonObject a, JsonObject b, string? defaultObjectType,
        Func<string, JsonNode?, JsonNode?, bool> memberEq, string? ignoreWhenMissing = null)
    {
        foreach (var (key, av) in a.MembersOf())
        {
            if (b.TryGetPropertyValue(key, out var bv))
            {
                if (key == "objectType" && defaultObjectType is not null)
                {
                    if (ObjectType(a, defaultObjectType) != ObjectType(b, defaultObjectType)) return false;
                }
                else if (!memberEq(key, av, bv)) return false;
            }
            else if (!MissingIsSame(key, a, b, defaultObjectType, ignoreWhenMissing)) return false;
        }
        foreach (var (key, _) in b)
        {
            if (!a.ContainsKey(key) && !MissingIsSame(key, b, a, defaultObjectType, ignoreWhenMissing)) return false;
        }
        return true;
    }

    private static bool MissingIsSame(string key, JsonObject has, JsonObject lacks, string? defaultObjectType, string? ignoreWhenMissing)
    {
        if (key == ignoreWhenMissing) return true;
        return key == "objectType" && defaultObjectType is not null && ObjectType(has, defaultObjectType) == ObjectType(lacks, defaultObjectType);
    }

    private static bool ListEq(JsonNode? a, JsonNode? b, Func<JsonNode?, JsonNode?, bool> itemEq)
    {
        if (a is not JsonArray xa || b is not JsonArray xb) return JsonEq(a, b);
        if (xa.Count != xb.Count) return false;
        for (int i = 0; i < xa.Count; i++) if (!itemEq(xa[i], xb[i])) return false;
        return true;
    }

    private static bool StringEq(JsonNode? a, JsonNode? b, Func<string, string> normalize)
    {
        if (JsonRead.TryString(a, out var sa) && JsonRead.TryString(b, out var sb))
            return string.Equals(normalize(sa), normalize(sb), StringComparison.Ordinal);
        return JsonEq(a, b);
    }

    /// <summary>Deep JSON equality: objects unordered, arrays ordered, numbers by value.</summary>
    internal static bool JsonEq(JsonNode? a, JsonNode? b)
    {
        if (a is null || b is null) return a is null && b is null;
        var kind = a.GetValueKind();
        if (kind != b.GetValueKind()) return false;
        switch (kind)
        {
            case JsonValueKind.Object:
            {
                var oa = (JsonObject)a;
                var ob = (JsonObject)b;
                if (oa.Count != ob.Count) return false;
                foreach (var (key, av) in oa)
                {
                    if (!ob.TryGetPropertyValue(key, out var bv) || !JsonEq(av, bv)) return false;
                }
                return true;
            }
            case JsonValueKind.Array:
            {
                var xa = (JsonArray)a;
                var xb = (JsonArray)b;
                if (xa.Count != xb.Count) return false;
                for (int i = 0; i < xa.Count; i++) if (!JsonEq(xa[i], xb[i])) return false;
                return true;
            }
            case JsonValueKind.String:
                return JsonRead.TryString(a, out var sa) && JsonRead.TryString(b, out var sb) && string.Equals(sa, sb, StringComparison.Ordinal);
            case JsonValueKind.Number:
                if (TryDecimal(a, out var da) && TryDecimal(b, out var db)) return da == db;
                return JsonRead.TryNumber(a, out var fa) && JsonRead.TryNumber(b, out var fb) && fa.Equals(fb);
            default:
                return true; // true, false, null: same kind is same value
        }
    }

    private static bool TryDecimal(JsonNode node, out decimal value)
    {
        value = 0;
        return node is JsonValue v && v.TryGetValue(out JsonElement e) ? e.TryGetDecimal(out value)
            : decimal.TryParse(node.ToJsonString(), System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out value);
    }

    // "mailto:" and the domain are case-insensitive; the local part, strictly, is not.
    private static string NormalizeMbox(string mbox)
    {
        int at = mbox.LastIndexOf('@');
        int colon = mbox.IndexOf(':');
        if (at < 0 || colon < 0 || colon > at) return mbox;
        return string.Concat(mbox.AsSpan(0, colon + 1).ToString().ToLowerInvariant(), mbox.AsSpan(colon + 1, at - colon), mbox[(at + 1)..].ToLowerInvariant());
    }

    /// <summary>RFC 3987 5.3.2.1 case normalization: lower-case scheme and host, upper-case percent-encoding hex.</summary>
    internal static string NormalizeIri(string iri)
    {
        int colon = iri.IndexOf(':');
        if (colon <= 0) return iri;
        var sb = new System.Text.StringBuilder(iri.Length);
        sb.Append(iri.AsSpan(0, colon).ToString().ToLowerInvariant()).Append(':');
        int i = colon + 1;
        if (iri.Length - i >= 2 && iri[i] == '/' && iri[i + 1] == '/')
        {
            int hostStart = i + 2;
            int hostEnd = iri.IndexOfAny(['/', '?', '#'], hostStart);
            if (hostEnd < 0) hostEnd = iri.Length;
            var authority = iri.AsSpan(hostStart, hostEnd - hostStart);
            // userinfo is case-sensitive; only the host part after '@' is folded.
            int at = authority.LastIndexOf('@');
            sb.Append("//");
            if (at >= 0) sb.Append(authority[..(at + 1)]);
            sb.Append(authority[(at + 1)..].ToString().ToLowerInvariant());
            i = hostEnd;
        }
        for (; i < iri.Length; i++)
        {
            char c = iri[i];
            if (c == '%' && i + 2 < iri.Length)
            {
                sb.Append('%').Append(char.ToUpperInvariant(iri[i + 1])).Append(char.ToUpperInvariant(iri[i + 2]));
                i += 2;
            }
            else sb.Append(c);
        }
        return sb.ToString();
    }

    /// <summary>Drops second fractions beyond hundredths, and trailing zeros of the fraction ("0.10S" is "0.1S").</summary>
    private static string TruncateDuration(string duration)
    {
        int s = duration.Length - 1;
        if (s < 1 || duration[s] != 'S') return duration;
        int dot = -1;
        int start = s;
        while (start > 0 && (char.IsAsciiDigit(duration[start - 1]) || duration[start - 1] is '.' or ','))
        {
            start--;
            if (duration[start] is '.' or ',') dot = start;
        }
        if (dot < 0) return duration;
        int keepEnd = Math.Min(s, dot + 3); // dot + two digits
        while (keepEnd > dot + 1 && duration[keepEnd - 1] == '0') keepEnd--;
        if (keepEnd == dot + 1) keepEnd = dot; // "1.00" -> "1"
        return string.Concat(duration.AsSpan(0, keepEnd), "S");
    }
}
