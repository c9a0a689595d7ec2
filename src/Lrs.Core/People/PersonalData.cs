using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Lrs.Core.Xapi;

namespace Lrs.Core.People;

/// <summary>
/// Everything that identifies one person in stored data: their id (the employee id), the <see cref="AgentKey"/>s of their
/// agents, the SHA-1 forms of their e-mail addresses (a statement may carry <c>mbox_sha1sum</c> instead of <c>mbox</c>), and the
/// plain values of those identifiers, which is what a scan of stored text looks for.
/// </summary>
public sealed class PersonIdentifiers
{
    private PersonIdentifiers(string personId, HashSet<string> keys)
    {
        PersonId = personId;
        Keys = keys;
        Values = [personId, .. keys.Select(ValueOf).Distinct(StringComparer.Ordinal)];
    }

    /// <summary>The person's id.</summary>
    public string PersonId { get; }

    /// <summary>The agent keys that stand for the person.</summary>
    public IReadOnlySet<string> Keys { get; }

    /// <summary>The plain identifier values: the id, addresses (without <c>mailto:</c>), SHA-1 sums, OpenIDs, account names.</summary>
    public IReadOnlyList<string> Values { get; }

    /// <summary>The identifiers of a person with these agent keys and e-mail attribute.</summary>
    public static PersonIdentifiers Of(string personId, IEnumerable<string> agentKeys, string? email)
    {
        var keys = new HashSet<string>(agentKeys, StringComparer.Ordinal);
        if (!string.IsNullOrWhiteSpace(email)) keys.Add(AgentKey.Of(new JsonObject { ["mbox"] = "mailto:" + email.Trim() })!);
        foreach (var mbox in keys.Where(k => k.StartsWith("mbox:", StringComparison.Ordinal)).ToList())
            keys.Add("sha1:" + Convert.ToHexStringLower(SHA1.HashData(Encoding.UTF8.GetBytes(mbox["mbox:".Length..]))));
        return new PersonIdentifiers(personId, keys);
    }

    /// <summary>Whether an Agent (or Identified Group) object is one of the person's agents.</summary>
    public bool IsAgent(JsonNode? agent) => AgentKey.Of(agent) is { } key && Keys.Contains(key);

    // The identifying part of a key: what appears in stored JSON as a value.
    private static string ValueOf(string key)
    {
        var colon = key.IndexOf(':');
        var (kind, value) = (key[..colon], key[(colon + 1)..]);
        return kind switch
        {
            "mbox" => value.StartsWith("mailto:", StringComparison.OrdinalIgnoreCase) ? value[7..] : value,
            "account" => value[(value.IndexOf(' ') + 1)..],
            _ => value,
        };
    }
}

/// <summary>
/// The stable pseudonym of an erased or pseudonymised person: an account on a homePage of the tenant's own whose name is a keyed
/// hash (HMAC-SHA256 with the tenant's secret key) of the person id. The same person always gets the same pseudonym in a tenant,
/// and without the key the pseudonym cannot be traced back to an employee id, however few the ids are.
/// </summary>
public sealed class Pseudonym
{
    /// <summary>The homePage of pseudonyms; <c>.invalid</c> never resolves (RFC 2606).</summary>
    public const string HomePageBase = "https://pseudonyms.lrs.invalid/tenants/";

    /// <summary>The prefix of a pseudonymised person's id.</summary>
    public const string PersonIdPrefix = "pseudonym-";

    /// <summary>The pseudonym of <paramref name="personId"/> under <paramref name="key"/> in tenant <paramref name="tenantId"/>.</summary>
    public Pseudonym(byte[] key, long tenantId, string personId)
    {
        Hash = Convert.ToHexStringLower(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes("person:" + personId)))[..32];
        Account = new JsonObject { ["homePage"] = HomePageBase + tenantId.ToString(System.Globalization.CultureInfo.InvariantCulture), ["name"] = Hash };
        AgentKey = Xapi.AgentKey.Of(Agent())!;
        PersonId = PersonIdPrefix + Hash;
    }

    /// <summary>The keyed hash of the person id (32 hexadecimal digits).</summary>
    public string Hash { get; }

    /// <summary>The pseudonymous agent's key.</summary>
    public string AgentKey { get; }

    /// <summary>The id a pseudonymised person keeps.</summary>
    public string PersonId { get; }

    private JsonObject Account { get; }

    /// <summary>A new node of the pseudonymous agent.</summary>
    public JsonObject Agent() => new() { ["objectType"] = "Agent", ["account"] = Account.DeepClone() };

    /// <summary>The key that replaces <paramref name="key"/>: the pseudonym's for one of the person's keys, else itself.</summary>
    public string Replace(string key, PersonIdentifiers person) => person.Keys.Contains(key) ? AgentKey : key;

    /// <summary>
    /// Replaces, anywhere in <paramref name="node"/>, each Agent or Identified Group of the person by the pseudonymous agent (its
    /// name and every identifier go; <c>objectType</c> stays) and each <c>personId</c> of the person by the pseudonymous id.
    /// Returns whether anything changed.
    /// </summary>
    public bool Rewrite(JsonNode? node, PersonIdentifiers person)
    {
        var changed = false;
        switch (node)
        {
            case JsonObject o:
                if (person.IsAgent(o))
                {
                    foreach (var property in new[] { "name", "mbox", "mbox_sha1sum", "openid", "account" }) o.Remove(property);
                    o["account"] = Account.DeepClone();
                    changed = true;
                }
                if (o["personId"] is JsonValue id && id.TryGetValue(out string? text) && text == person.PersonId)
                {
                    o["personId"] = PersonId;
                    changed = true;
                }
                foreach (var (_, child) in o.ToList()) changed |= Rewrite(child, person);
                break;
            case JsonArray a:
                foreach (var child in a) changed |= Rewrite(child, person);
                break;
        }
        return changed;
    }
}
