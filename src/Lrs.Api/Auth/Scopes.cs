using System.Security.Claims;
using Lrs.Api.Xapi;

namespace Lrs.Api.Auth;

/// <summary>
/// The scopes a credential or token carries (claim <c>scope</c>, space-separated) and their checks. The xAPI
/// scopes keep their spec meaning (Communication 4.2); <c>all</c> grants every xAPI scope, <c>all/read</c>
/// every xAPI read. The API's own scopes are granted only by name.
/// </summary>
public static class Scopes
{
    public const string StatementsWrite = "statements/write";
    public const string StatementsRead = "statements/read";
    public const string StatementsReadMine = "statements/read/mine";
    public const string State = "state";
    public const string Define = "define";
    public const string Profile = "profile";
    public const string AllRead = "all/read";
    public const string All = "all";
    public const string Admin = "admin";
    /// <summary>Creates tenants and sees them all: the hosting operator's. Implied by nothing, not even <c>admin</c>.</summary>
    public const string Operator = "operator";
    /// <summary>Reads people, organisations, units and competence profiles.</summary>
    public const string ProfilesRead = "profiles:read";
    /// <summary>Upserts people, organisations and units (HR systems).</summary>
    public const string PeopleWrite = "people:write";
    /// <summary>Changes the competence framework.</summary>
    public const string FrameworkWrite = "framework:write";
    public const string ReflectionsRead = "reflections:read";
    public const string ReflectionsWrite = "reflections:write";

    /// <summary>
    /// Everything a credential can do inside its tenant: the first credential of a tenant has these, so that it can set the
    /// tenant up (framework, people, credentials for each tool) without another credential.
    /// </summary>
    public static readonly IReadOnlyList<string> WholeTenant = [All, ProfilesRead, PeopleWrite, FrameworkWrite, ReflectionsRead, ReflectionsWrite, Admin];

    // all and all/read imply only these; the API's own scopes (admin included) are granted only by name.
    private static readonly IReadOnlySet<string> Xapi = new HashSet<string>(StringComparer.Ordinal)
    {
        StatementsWrite, StatementsRead, StatementsReadMine, State, Define, Profile, AllRead, All,
    };

    /// <summary>The xAPI scopes and this API's own. <c>all</c> includes neither <c>admin</c> nor <c>operator</c>.</summary>
    public static readonly IReadOnlyList<string> Known =
    [
        .. Xapi, ProfilesRead, PeopleWrite, FrameworkWrite, ReflectionsRead, ReflectionsWrite, Admin, Operator,
    ];

    /// <summary>Splits and checks a scope list; the error names every unknown scope.</summary>
    public static (IReadOnlyList<string> Scopes, string? Error) Parse(IEnumerable<string?> raw)
    {
        if (raw.Any(s => s is null)) return ([], "scopes holds null; each scope is a string.");
        var scopes = raw.SelectMany(s => s!.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).Distinct(StringComparer.Ordinal).ToList();
        var unknown = scopes.Where(s => !Known.Contains(s, StringComparer.Ordinal)).ToList();
        if (unknown.Count > 0)
            return (scopes, $"Unknown scope{(unknown.Count > 1 ? "s" : "")} {string.Join(", ", unknown.Select(s => $"'{s}'"))}; known: {string.Join(" ", Known)}.");
        if (scopes.Count == 0) return (scopes, "At least one scope is required.");
        return (scopes, null);
    }

    private static readonly IReadOnlySet<string> XapiReads = new HashSet<string>(StringComparer.Ordinal) { StatementsRead, StatementsReadMine, State, Profile };

    /// <summary>Whether the caller holds <paramref name="scope"/>, directly or through <c>all</c> / <c>all/read</c>.</summary>
    public static bool Has(this ClaimsPrincipal user, string scope)
    {
        var held = Held(user);
        if (held.Contains(scope)) return true;
        if (!Xapi.Contains(scope)) return false;
        return held.Contains(All) || (held.Contains(AllRead) && XapiReads.Contains(scope) && scope != StatementsReadMine);
    }

    /// <summary>Whether the caller may read every statement (not only its own).</summary>
    public static bool ReadsAllStatements(this ClaimsPrincipal user) => user.Has(StatementsRead) || Held(user).Contains(AllRead);

    private static HashSet<string> Held(ClaimsPrincipal user) =>
        [.. user.FindAll(LrsClaims.Scope).SelectMany(c => c.Value.Split(' ', StringSplitOptions.RemoveEmptyEntries))];

    /// <summary>
    /// 403 with a message naming the scope unless the caller holds one of <paramref name="anyOf"/> (for xAPI reads,
    /// <c>all/read</c> also counts). Under <c>/api</c> the API's own scopes count only by name, and the 403 is ProblemDetails.
    /// </summary>
    public static TBuilder RequireScope<TBuilder>(this TBuilder builder, params string[] anyOf) where TBuilder : IEndpointConventionBuilder =>
        builder.AddEndpointFilter(async (context, next) =>
        {
            var user = context.HttpContext.User;
            if (context.HttpContext.Request.Path.StartsWithSegments("/api"))
            {
                if (anyOf.Any(user.Has)) return await next(context);
                return TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Missing scope",
                    detail: $"This credential lacks the scope {string.Join(" or ", anyOf.Select(s => $"'{s}'"))}.");
            }
            var isRead = HttpMethods.IsGet(context.HttpContext.Request.Method) || HttpMethods.IsHead(context.HttpContext.Request.Method);
            if (anyOf.Any(user.Has) || (isRead && Held(user).Contains(AllRead)))
                return await next(context);
            return XapiProtocol.Error(StatusCodes.Status403Forbidden,
                $"This credential lacks the scope {string.Join(" or ", anyOf)} (or {(isRead ? "all/read or all" : "all")}).");
        });
}
