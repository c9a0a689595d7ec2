using System.Globalization;
using System.Security.Claims;
using System.Text.Json.Nodes;
using Lrs.Api.Xapi;
using Lrs.Core.Storage;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;

namespace Lrs.Api.Auth;

/// <summary>
/// HTTP Basic with the LRS's own credentials and, when <c>Lrs:Oidc:Authority</c> is set, OAuth2 bearer tokens of an
/// OIDC issuer (Entra ID and others). A policy scheme picks one by the Authorization header, so every endpoint
/// accepts both and a request without credentials still gets the Basic challenge xAPI content expects.
/// </summary>
public static class LrsAuthentication
{
    public const string PolicySchemeName = "BasicOrBearer";
    public const string BearerSchemeName = JwtBearerDefaults.AuthenticationScheme;

    public static IServiceCollection AddLrsAuthentication(this IServiceCollection services)
    {
        services.AddSingleton<BearerTokenEvents>();
        services.AddSingleton<FailedLogins>();
        services.AddTransient<IClaimsTransformation, BoundActorEmployer>();
        services.AddAuthentication(PolicySchemeName)
            .AddScheme<AuthenticationSchemeOptions, BasicAuthenticationHandler>(BasicAuthenticationHandler.SchemeName, null)
            .AddJwtBearer(BearerSchemeName, _ => { })
            .AddPolicyScheme(PolicySchemeName, null, options => options.ForwardDefaultSelector = SchemeOf);

        // Read when first resolved, so configuration a host adds after Program ran (tests) counts.
        services.AddOptions<JwtBearerOptions>(BearerSchemeName).Configure<IOptions<LrsOptions>>((options, lrs) =>
        {
            var oidc = lrs.Value.Oidc;
            options.EventsType = typeof(BearerTokenEvents);
            // Claims keep the names the issuer gave them (scp, roles, tid, oid), not WS-Federation URIs.
            options.MapInboundClaims = false;
            if (string.IsNullOrEmpty(oidc.Authority)) return;
            options.Authority = oidc.Authority;
            options.Audience = oidc.Audience;
            if (!string.IsNullOrEmpty(oidc.MetadataAddress)) options.MetadataAddress = oidc.MetadataAddress;
            options.RequireHttpsMetadata = oidc.RequireHttpsMetadata;
            options.TokenValidationParameters.NameClaimType = "sub";
        });
        return services;
    }

    private static string SchemeOf(HttpContext context)
    {
        string? header = context.Request.Headers.Authorization;
        var bearer = header is not null && header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)
            && !string.IsNullOrEmpty(context.RequestServices.GetRequiredService<IOptions<LrsOptions>>().Value.Oidc.Authority);
        return bearer ? BearerSchemeName : BasicAuthenticationHandler.SchemeName;
    }
}

/// <summary>Turns a validated token into the claims every LRS caller carries (<see cref="LrsClaims"/>).</summary>
public sealed class BearerTokenEvents(IOptions<LrsOptions> lrs, ICredentialStore credentials) : JwtBearerEvents
{
    public const string Organisation = LrsClaims.Organisation;

    public override async Task TokenValidated(TokenValidatedContext context)
    {
        var oidc = lrs.Value.Oidc;
        var token = context.Principal!;
        string? Claim(string type) => token.FindFirstValue(type) is { Length: > 0 } value ? value : null;

        // scp: delegated permissions (space-separated); roles: application permissions, one claim each;
        // scope: what most non-Microsoft issuers use.
        var scopes = token.FindAll("scp").Concat(token.FindAll(LrsClaims.Scope))
            .SelectMany(c => c.Value.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Concat(token.FindAll("roles").Select(c => c.Value))
            .Distinct(StringComparer.Ordinal)
            .ToList();
        if (scopes.Count == 0)
        {
            context.Fail("The bearer token grants no LRS scope (claims scp or roles).");
            return;
        }

        var tenantName = Claim(oidc.TenantClaim);
        if (tenantName is null && Claim("tid") is { } tid)
            tenantName = oidc.TenantMap.FirstOrDefault(p => string.Equals(p.Key, tid, StringComparison.OrdinalIgnoreCase)).Value;
        if (tenantName is null)
        {
            context.Fail($"The bearer token names no LRS tenant: it has no claim {oidc.TenantClaim} and its tid is not in Lrs:Oidc:TenantMap.");
            return;
        }
        // A token never creates a tenant: an operator does.
        if (await credentials.FindTenantAsync(tenantName, context.HttpContext.RequestAborted) is not { } tenantId)
        {
            context.Fail($"The LRS has no tenant '{tenantName}'.");
            return;
        }

        var issuer = Claim("iss") ?? context.SecurityToken.Issuer;
        var client = Claim("azp") ?? Claim("appid");
        var subject = Claim("sub");
        var clientOrSubject = client ?? subject;
        var accountName = Claim("oid") ?? subject;
        if (clientOrSubject is null || accountName is null)
        {
            context.Fail("The bearer token names neither its client (azp, appid) nor its subject (sub).");
            return;
        }
        var authority = new JsonObject
        {
            ["objectType"] = "Agent",
            ["name"] = clientOrSubject,
            ["account"] = new JsonObject { ["homePage"] = issuer, ["name"] = accountName },
        };

        // The issuer's own claims stay, except one that would shadow the LRS's scope claim.
        var claims = token.Claims.Where(c => c.Type != LrsClaims.Scope).Select(c => new Claim(c.Type, c.Value, c.ValueType, c.Issuer)).ToList();
        claims.Add(new Claim(LrsClaims.Credential, $"oidc:{issuer}|{clientOrSubject}"));
        claims.Add(new Claim(LrsClaims.Tenant, tenantId.ToString(CultureInfo.InvariantCulture)));
        claims.Add(new Claim(LrsClaims.Authority, authority.ToJsonString()));
        claims.Add(new Claim(LrsClaims.Scope, string.Join(' ', scopes)));
        if (Claim(oidc.OrganisationClaim) is { } organisation) claims.Add(new Claim(Organisation, organisation));
        context.Principal = new ClaimsPrincipal(new ClaimsIdentity(claims, LrsAuthentication.BearerSchemeName, "sub", "roles"));
    }

    public override async Task Challenge(JwtBearerChallengeContext context)
    {
        // Our own answer replaces the handler's: the same header, plus the JSON body xAPI errors have.
        context.HandleResponse();
        context.Response.StatusCode = StatusCodes.Status401Unauthorized;
        context.Response.Headers.WWWAuthenticate = "Bearer error=\"invalid_token\"";
        await XapiErrors.WriteAsync(context.HttpContext, StatusCodes.Status401Unauthorized, "Authentication required", Explain(context.AuthenticateFailure));
    }

    public override async Task Forbidden(ForbiddenContext context)
    {
        context.Response.StatusCode = StatusCodes.Status403Forbidden;
        await XapiErrors.WriteAsync(context.HttpContext, StatusCodes.Status403Forbidden, "Forbidden", "This token may not do that.");
    }

    // IdentityModel's own messages hide their details (PII logging is off); say what went wrong in plain words.
    private static string Explain(Exception? failure) => failure switch
    {
        null => "Authentication required: a valid bearer token.",
        SecurityTokenExpiredException => "The bearer token has expired.",
        SecurityTokenNotYetValidException => "The bearer token is not valid yet.",
        SecurityTokenInvalidAudienceException => "The bearer token is for another audience than this LRS.",
        SecurityTokenInvalidIssuerException => "The bearer token comes from another issuer than the one this LRS trusts.",
        SecurityTokenSignatureKeyNotFoundException or SecurityTokenInvalidSignatureException => "The bearer token's signature does not verify with the issuer's keys.",
        SecurityTokenMalformedException => "The bearer token is malformed.",
        AuthenticationFailureException => failure.Message,
        _ when failure.GetType().Namespace == typeof(SecurityTokenException).Namespace => "The bearer token is not valid.",
        _ => "The bearer token could not be checked.",
    };
}
