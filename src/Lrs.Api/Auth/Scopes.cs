using System.Security.Claims;

namespace Lrs.Api.Auth;

/// <summary>The scopes a credential may carry (space-separated, as in OAuth 2.0) and the check of one.</summary>
public static class Scopes
{
    public const string Admin = "admin";

    /// <summary>The xAPI scopes and this API's own. <c>all</c> does not include <c>admin</c>.</summary>
    public static readonly IReadOnlyList<string> Known =
    [
        "statements/write", "statements/read", "statements/read/mine", "state", "define", "profile", "all/read", "all",
        "profiles:read", "people:write", "framework:write", "reflections:read", "reflections:write", Admin,
    ];

    /// <summary>Splits and checks a scope list; the error names every unknown scope.</summary>
    public static (IReadOnlyList<string> Scopes, string? Error) Parse(IEnumerable<string> raw)
    {
        var scopes = raw.SelectMany(s => s.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).Distinct(StringComparer.Ordinal).ToList();
        var unknown = scopes.Where(s => !Known.Contains(s, StringComparer.Ordinal)).ToList();
        if (unknown.Count > 0)
            return (scopes, $"Unknown scope{(unknown.Count > 1 ? "s" : "")} {string.Join(", ", unknown.Select(s => $"'{s}'"))}; known: {string.Join(" ", Known)}.");
        if (scopes.Count == 0) return (scopes, "At least one scope is required.");
        return (scopes, null);
    }

    /// <summary>Whether the caller's credential carries <paramref name="scope"/> itself (no implication from <c>all</c>).</summary>
    public static bool Has(this ClaimsPrincipal user, string scope) =>
        user.FindAll(LrsClaims.Scope).Any(c => c.Value.Split(' ', StringSplitOptions.RemoveEmptyEntries).Contains(scope, StringComparer.Ordinal));
}
