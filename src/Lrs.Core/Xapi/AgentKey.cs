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
        if (o["mbox"] is JsonValue mbox && mbox.TryGetValue(out string? m))
            return "mbox:" + NormaliseMbox(m);
        if (o["mbox_sha1sum"] is JsonValue sha && sha.TryGetValue(out string? s))
            return "sha1:" + s.ToLowerInvariant();
        if (o["openid"] is JsonValue openid && openid.TryGetValue(out string? id))
            return "openid:" + id;
        if (o["account"] is JsonObject account
            && account["homePage"] is JsonValue hp && hp.TryGetValue(out string? homePage)
            && account["name"] is JsonValue nm && nm.TryGetValue(out string? name))
            // An IRL holds no space, so the space separates the two parts unambiguously.
            return "account:" + homePage + " " + name;
        return null;
    }

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
