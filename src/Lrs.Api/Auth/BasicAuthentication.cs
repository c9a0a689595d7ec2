using System.Net.Http.Headers;
using System.Security.Claims;
using System.Text;
using System.Text.Encodings.Web;
using Lrs.Api.Xapi;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace Lrs.Api.Auth;

/// <summary>HTTP Basic against the stored credentials.</summary>
public sealed class BasicAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, CredentialVerifier verifier)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "Basic";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        string? header = Request.Headers.Authorization;
        if (string.IsNullOrEmpty(header)) return AuthenticateResult.NoResult();
        if (!AuthenticationHeaderValue.TryParse(header, out var value) || !string.Equals(value.Scheme, SchemeName, StringComparison.OrdinalIgnoreCase) || value.Parameter is null)
            return AuthenticateResult.Fail("Authorization is not HTTP Basic.");

        string decoded;
        try
        {
            decoded = Encoding.UTF8.GetString(Convert.FromBase64String(value.Parameter));
        }
        catch (FormatException)
        {
            return AuthenticateResult.Fail("Malformed Basic credentials.");
        }
        var colon = decoded.IndexOf(':');
        if (colon < 0) return AuthenticateResult.Fail("Malformed Basic credentials.");

        var credential = await verifier.VerifyAsync(decoded[..colon], decoded[(colon + 1)..], Context.RequestAborted);
        if (credential is null) return AuthenticateResult.Fail("Unknown key or wrong secret.");

        var identity = new ClaimsIdentity(
            [
                new Claim(LrsClaims.Credential, credential.Key),
                new Claim(LrsClaims.Tenant, credential.TenantId.ToString(System.Globalization.CultureInfo.InvariantCulture)),
                new Claim(LrsClaims.Authority, credential.AuthorityJson),
                new Claim(LrsClaims.Scope, credential.Scopes),
            ],
            SchemeName);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.WWWAuthenticate = "Basic realm=\"LrsApi\", charset=\"UTF-8\"";
        await Response.WriteAsJsonAsync(new XapiError("Authentication required: HTTP Basic with a key and secret of this LRS."), XapiJson.Default.XapiError);
    }

    protected override async Task HandleForbiddenAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status403Forbidden;
        await Response.WriteAsJsonAsync(new XapiError("This credential may not do that."), XapiJson.Default.XapiError);
    }
}

/// <summary>The claims every authenticated caller carries.</summary>
public static class LrsClaims
{
    public const string Credential = "lrs:credential";
    public const string Tenant = "lrs:tenant";
    public const string Authority = "lrs:authority";
    public const string Scope = "scope";

    public static long TenantId(this ClaimsPrincipal user) =>
        long.Parse(user.FindFirstValue(Tenant) ?? throw new InvalidOperationException("No tenant on the principal."), System.Globalization.CultureInfo.InvariantCulture);

    public static string AuthorityJson(this ClaimsPrincipal user) =>
        user.FindFirstValue(Authority) ?? throw new InvalidOperationException("No authority on the principal.");
}
