using System.Net.Http.Headers;
using System.Security.Claims;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json.Nodes;
using Lrs.Api.Xapi;
using Lrs.Core.Xapi;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace Lrs.Api.Auth;

/// <summary>
/// HTTP Basic against the stored credentials. An address that made too many failed logins is answered 429
/// (<see cref="FailedLogins"/>) before any hashing, unless the credential it sends passed here before.
/// </summary>
public sealed class BasicAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, CredentialVerifier verifier, FailedLogins failedLogins,
    Hosting.LrsMetrics metrics)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "Basic";

    // Set on a request refused for failed logins: the challenge then answers 429 instead of 401.
    private const string RetryAfterItem = "lrs:retry-after";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        string? header = Request.Headers.Authorization;
        if (string.IsNullOrEmpty(header)) return AuthenticateResult.NoResult();
        var (key, secret, malformed) = Parse(header);

        var address = Context.Connection.RemoteIpAddress;
        if (failedLogins.RetryAfter(address) is { } wait && (key is null || !verifier.IsKnownGood(key, secret!)))
        {
            Context.Items[RetryAfterItem] = wait;
            metrics.Throttled(Hosting.RefusalReasons.FailedLogins);
            return AuthenticateResult.Fail("Too many failed logins from this address.");
        }
        if (malformed is not null)
        {
            failedLogins.Record(address);
            metrics.AuthenticationFailed("basic", Hosting.RefusalReasons.Malformed);
            return AuthenticateResult.Fail(malformed);
        }

        var credential = await verifier.VerifyAsync(key!, secret!, Context.RequestAborted);
        if (credential is null)
        {
            failedLogins.Record(address);
            metrics.AuthenticationFailed("basic", Hosting.RefusalReasons.UnknownCredential);
            return AuthenticateResult.Fail("Unknown key or wrong secret.");
        }

        var identity = new ClaimsIdentity(
            [
                new Claim(LrsClaims.Credential, credential.Key),
                new Claim(LrsClaims.Tenant, credential.TenantId.ToString(System.Globalization.CultureInfo.InvariantCulture)),
                new Claim(LrsClaims.Authority, credential.AuthorityJson),
                new Claim(LrsClaims.Scope, credential.Scopes),
            ],
            SchemeName);
        var restrictions = credential.Restrictions;
        if (restrictions.Organisation is { } organisation) identity.AddClaim(new Claim(LrsClaims.Organisation, organisation));
        if (restrictions.ActorJson is { } actor && AgentKey.Of(JsonNode.Parse(actor)) is { } actorKey) identity.AddClaim(new Claim(LrsClaims.Actor, actorKey));
        if (restrictions.Registration is { } registration) identity.AddClaim(new Claim(LrsClaims.Registration, registration.ToString("D")));
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName));
    }

    // The key and secret of a Basic header, or why there are none.
    private static (string? Key, string? Secret, string? Malformed) Parse(string header)
    {
        if (!AuthenticationHeaderValue.TryParse(header, out var value) || !string.Equals(value.Scheme, SchemeName, StringComparison.OrdinalIgnoreCase) || value.Parameter is null)
            return (null, null, "Authorization is not HTTP Basic.");
        string decoded;
        try
        {
            decoded = Encoding.UTF8.GetString(Convert.FromBase64String(value.Parameter));
        }
        catch (FormatException)
        {
            return (null, null, "Malformed Basic credentials.");
        }
        var colon = decoded.IndexOf(':');
        return colon < 0 ? (null, null, "Malformed Basic credentials.") : (decoded[..colon], decoded[(colon + 1)..], null);
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        if (Context.Items[RetryAfterItem] is TimeSpan wait)
        {
            var seconds = Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds));
            Response.StatusCode = StatusCodes.Status429TooManyRequests;
            Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
            await XapiErrors.WriteAsync(Context, StatusCodes.Status429TooManyRequests, "Too many failed logins", $"Too many failed logins from this address; try again in {seconds} s.");
            return;
        }
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.WWWAuthenticate = "Basic realm=\"LrsApi\", charset=\"UTF-8\"";
        await XapiErrors.WriteAsync(Context, StatusCodes.Status401Unauthorized, "Authentication required", "Authentication required: HTTP Basic with a key and secret of this LRS.");
    }

    protected override async Task HandleForbiddenAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status403Forbidden;
        await XapiErrors.WriteAsync(Context, StatusCodes.Status403Forbidden, "Forbidden", "This credential may not do that.");
    }
}

/// <summary>The claims every authenticated caller carries.</summary>
public static class LrsClaims
{
    public const string Credential = "lrs:credential";
    public const string Tenant = "lrs:tenant";
    public const string Authority = "lrs:authority";
    public const string Scope = "scope";
    /// <summary>The organisation (employer) whose people the caller is restricted to.</summary>
    public const string Organisation = "lrs:organisation";
    /// <summary>The <see cref="Lrs.Core.Xapi.AgentKey"/> of the actor the caller is bound to (<see cref="BoundAccess"/>).</summary>
    public const string Actor = "lrs:actor";
    /// <summary>The registration (lower-case UUID) the caller is bound to (<see cref="BoundAccess"/>).</summary>
    public const string Registration = "lrs:registration";

    public static long TenantId(this ClaimsPrincipal user) =>
        long.Parse(user.FindFirstValue(Tenant) ?? throw new InvalidOperationException("No tenant on the principal."), System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The organisation (employer) the caller is restricted to, or null.</summary>
    public static string? RestrictedOrganisation(this ClaimsPrincipal user) => user.FindFirstValue(Organisation);

    public static string AuthorityJson(this ClaimsPrincipal user) =>
        user.FindFirstValue(Authority) ?? throw new InvalidOperationException("No authority on the principal.");
}
