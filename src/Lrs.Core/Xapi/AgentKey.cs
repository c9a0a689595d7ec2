using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Lrs.Core.Xapi;

/// <summary>
/// The canonical identity of an Agent or Identified Group: its inverse functional identifier (IFI) as one
/// string, so that "same person" is an equality test on an indexed column.
/// </summary>
public static class AgentKey
{
    /// <summary>The key of an Agent or Group object, or null when it carries no IFI (an anonymous group).</summary>
    public static string? Of(JsonNode? agent)
    {
        if (agent is not JsonObject o) return null;
        string? homePage = null, name = null;
        if (o["account"] is JsonObject account)
            (homePage, name) = (StringOf(account["homePage"]), StringOf(account["name"]));
        return Of(StringOf(o["mbox"]), StringOf(o["mbox_sha1sum"]), StringOf(o["openid"]), homePage, name);

        static string? StringOf(JsonNode? node) => node is JsonValue value && value.TryGetValue(out string? text) ? text : null;
    }

    /// <summary>The key of an Agent or Group object, or null when it carries no IFI (an anonymous group) or is no object.</summary>
    public static string? Of(JsonElement agent)
    {
        if (agent.ValueKind != JsonValueKind.Object) return null;
        // Preparing a statement asks for its actor's key several times (index keys, names, follow-up): the text of the last
        // agent whose key was made, and the key, are remembered per thread. The same text is the same agent, and so the same key.
        var text = JsonMarshal.GetRawUtf8Value(agent);
        if (t_lastKey is { } lastKey && text.SequenceEqual(t_lastAgent.AsSpan(0, t_lastLength))) return lastKey;
        var key = OfObject(agent);
        if (key is not null && text.Length <= RememberedBytes)
        {
            text.CopyTo(t_lastAgent ??= new byte[RememberedBytes]);
            (t_lastLength, t_lastKey) = (text.Length, key);
        }
        return key;
    }

    private const int RememberedBytes = 512;
    [ThreadStatic] private static byte[]? t_lastAgent;
    [ThreadStatic] private static int t_lastLength;
    [ThreadStatic] private static string? t_lastKey;

    private static string? OfObject(JsonElement agent)
    {
        JsonElement mbox = default, sha1 = default, openid = default;
        string? homePage = null, name = null;
        foreach (var member in agent.EnumerateObject())
        {
            if (member.NameEquals("mbox"u8)) mbox = member.Value;
            else if (member.NameEquals("mbox_sha1sum"u8)) sha1 = member.Value;
            else if (member.NameEquals("openid"u8)) openid = member.Value;
            else if (member.NameEquals("account"u8) && member.Value.ValueKind == JsonValueKind.Object)
            {
                if (member.Value.TryGetProperty("homePage"u8, out var hp)) homePage = StringOf(hp);
                if (member.Value.TryGetProperty("name"u8, out var nm)) name = StringOf(nm);
            }
        }
        // The common keys, already as Of would make them, are made once and shared (JsonText.Shared).
        if (mbox.ValueKind == JsonValueKind.String)
            return IsNormal(JsonMarshal.GetRawUtf8Value(mbox)[1..^1]) ? JsonText.Shared("mbox:"u8, mbox) : Of(mbox.GetString(), null, null, null, null);
        if (sha1.ValueKind == JsonValueKind.String) return Of(null, sha1.GetString(), null, null, null);
        if (openid.ValueKind == JsonValueKind.String) return JsonText.Shared("openid:"u8, openid);
        return Of(null, null, null, homePage, name);

        static string? StringOf(JsonElement value) => value.ValueKind == JsonValueKind.String ? value.GetString() : null;
    }

    // The key from the IFI properties that are strings, in the order of precedence: mbox, mbox_sha1sum, openid, account.
    private static string? Of(string? mbox, string? sha1, string? openid, string? homePage, string? name) =>
        mbox is not null ? "mbox:" + NormaliseMbox(mbox)
        : sha1 is not null ? "sha1:" + sha1.ToLowerInvariant()
        : openid is not null ? "openid:" + openid
        // An IRL holds no space, so the space separates the two parts unambiguously.
        : homePage is not null && name is not null ? "account:" + homePage + " " + name
        : null;

    /// <summary>
    /// The keys of the people a statement's actor stands for: an Agent's own key; for a Group actor (identified or
    /// anonymous), the distinct keys of its members that have one, in member order, and not the group's own key, since
    /// what a group did (a group diploma, a group session) counts for each member. Empty when there is none.
    /// </summary>
    public static IReadOnlyList<string> OfActor(JsonNode? actor)
    {
        if (actor is not JsonObject o) return [];
        if (JsonRead.TryString(o["objectType"], out var type) && type == "Group")
        {
            if (o["member"] is not JsonArray members) return [];
            var keys = new List<string>(members.Count);
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var member in members.ItemsOf())
                if (Of(member) is { } key && seen.Add(key)) keys.Add(key);
            return keys;
        }
        return Of(o) is { } own ? [own] : [];
    }

    // The same test on the text of a JSON string as sent (within its quotes): one with an escape is not taken as normal.
    private static bool IsNormal(ReadOnlySpan<byte> mbox)
    {
        if (!mbox.StartsWith("mailto:"u8) || mbox.Contains((byte)'\\')) return false;
        var at = mbox.LastIndexOf((byte)'@');
        if (at < 0) return true;
        var domain = mbox[at..];
        return System.Text.Ascii.IsValid(domain) && !domain.ContainsAnyInRange((byte)'A', (byte)'Z');
    }

    // Already as NormaliseMbox leaves it (the common case, spared its copies): the scheme and an ASCII domain in lower case.
    private static bool IsNormal(string mbox)
    {
        if (!mbox.StartsWith("mailto:", StringComparison.Ordinal)) return false;
        var at = mbox.LastIndexOf('@');
        if (at < 0) return true;
        var domain = mbox.AsSpan(at);
        return System.Text.Ascii.IsValid(domain) && !domain.ContainsAnyInRange('A', 'Z');
    }

    // The scheme and the domain of an e-mail address are case-insensitive; the local part is left as sent.
    private static string NormaliseMbox(string mbox)
    {
        if (IsNormal(mbox)) return mbox;
        var at = mbox.LastIndexOf('@');
        if (mbox.StartsWith("mailto:", StringComparison.OrdinalIgnoreCase))
            mbox = "mailto:" + mbox[7..];
        return at < 0 ? mbox : mbox[..at] + mbox[at..].ToLowerInvariant();
    }
}
