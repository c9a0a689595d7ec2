using System.Globalization;
using System.Security.Claims;
using System.Text.Json.Nodes;
using Lrs.Api.Xapi;
using Lrs.Core.Storage;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.Options;
using Microsoft.Identity.Web;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Lrs.Api.Auth;

/// <summary>
/// HTTP Basic with the LRS's own credentials and OAuth2 bearer tokens: of Entra ID through Microsoft.Identity.Web when
/// <c>Lrs:Entra:ClientId</c> is set, of one other OIDC issuer when <c>Lrs:Oidc:Authority</c> is set. A policy scheme
/// picks one by the Authorization header, so every endpoint accepts all of them and a request without credentials
/// still gets the Basic challenge xAPI content expects.
/// </summary>
public static class LrsAuthentication
{
    public const string PolicySchemeName = "BasicOrBearer";
    public const string BearerSchemeName = JwtBearerDefaults.AuthenticationScheme;
    public const string EntraSchemeName = "Entra";

    // IdentityModel's default is five minutes; a token that expired a minute ago is expired.
    private static readonly TimeSpan ClockSkew = TimeSpan.FromMinutes(1);

    public static IServiceCollection AddLrsAuthentication(this IServiceCollection services)
    {
        services.AddSingleton<FailedLogins>();
        services.AddTransient<IClaimsTransformation, BoundActorEmployer>();

        // Options are read when first resolved, so configuration a host adds after Program ran (tests) counts.
        // The Entra events go in before Microsoft.Identity.Web configures its scheme: it chains its own checks onto them.
        services.AddOptions<JwtBearerOptions>(EntraSchemeName).Configure<IOptions<LrsOptions>>((options, lrs) =>
        {
            var entra = lrs.Value.Entra;
            Configure(options, BearerTokenEvents.ForEntra(entra));
            options.TokenValidationParameters.ValidAudiences = new[] { entra.ClientId, $"api://{entra.ClientId}", entra.Audience }
                .Where(a => !string.IsNullOrEmpty(a)).ToList();
        });
        var authentication = services.AddAuthentication(PolicySchemeName)
            .AddScheme<AuthenticationSchemeOptions, BasicAuthenticationHandler>(BasicAuthenticationHandler.SchemeName, null)
            .AddJwtBearer(BearerSchemeName, _ => { })
            .AddPolicyScheme(PolicySchemeName, null, options => options.ForwardDefaultSelector = SchemeOf);
        authentication.AddMicrosoftIdentityWebApi(_ => { }, _ => { }, EntraSchemeName);
        services.AddOptions<MicrosoftIdentityOptions>(EntraSchemeName).Configure<IOptions<LrsOptions>>((options, lrs) =>
        {
            var entra = lrs.Value.Entra;
            options.Instance = entra.Instance;
            options.TenantId = entra.TenantId;
            options.ClientId = entra.ClientId;
        });

        services.AddOptions<JwtBearerOptions>(BearerSchemeName).Configure<IOptions<LrsOptions>>((options, lrs) =>
        {
            var oidc = lrs.Value.Oidc;
            Configure(options, BearerTokenEvents.ForIssuer(oidc));
            if (string.IsNullOrEmpty(oidc.Authority)) return;
            options.Authority = oidc.Authority;
            options.Audience = oidc.Audience;
            if (!string.IsNullOrEmpty(oidc.MetadataAddress)) options.MetadataAddress = oidc.MetadataAddress;
            options.RequireHttpsMetadata = oidc.RequireHttpsMetadata;
        });
        return services;
    }

    private static void Configure(JwtBearerOptions options, BearerTokenEvents events)
    {
        options.Events = events;
        // Claims keep the names the issuer gave them (scp, roles, tid, oid), not WS-Federation URIs.
        options.MapInboundClaims = false;
        options.TokenValidationParameters.NameClaimType = "sub";
        options.TokenValidationParameters.ClockSkew = ClockSkew;
    }

    private static string SchemeOf(HttpContext context)
    {
        string? header = context.Request.Headers.Authorization;
        if (header is null || !header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
            return BasicAuthenticationHandler.SchemeName;
        var lrs = context.RequestServices.GetRequiredService<IOptions<LrsOptions>>().Value;
        var entra = !string.IsNullOrEmpty(lrs.Entra.ClientId);
        var oidc = !string.IsNullOrEmpty(lrs.Oidc.Authority);
        if (entra && oidc)
            // Only routing: the chosen scheme validates the token in full, its issuer included.
            return string.Equals(IssuerOf(header["Bearer ".Length..].Trim()), lrs.Oidc.Authority!.TrimEnd('/'), StringComparison.Ordinal)
                ? BearerSchemeName : EntraSchemeName;
        return entra ? EntraSchemeName : oidc ? BearerSchemeName : BasicAuthenticationHandler.SchemeName;
    }

    private static string? IssuerOf(string token)
    {
        try
        {
            return new JsonWebToken(token).Issuer.TrimEnd('/');
        }
        catch (ArgumentException)
        {
            return null;
        }
    }
}

/// <summary>Turns a validated token into the claims every LRS caller carries (<see cref="LrsClaims"/>).</summary>
public sealed class BearerTokenEvents : JwtBearerEvents
{
    /// <summary>The LRS tenant name and organisation a token reaches, or why it reaches none.</summary>
    private sealed record Reach(string? TenantName, string? Organisation, string? Refusal);

    private readonly Func<ClaimsPrincipal, Reach> _reachOf;
    private readonly string _credentialPrefix;

    private BearerTokenEvents(Func<ClaimsPrincipal, Reach> reachOf, string credentialPrefix)
    {
        _reachOf = reachOf;
        _credentialPrefix = credentialPrefix;
        // A delegate, not an override: Microsoft.Identity.Web chains its checks in front of it.
        OnTokenValidated = ValidatedAsync;
    }

    /// <summary>
    /// Entra tokens reach only what the allow-list gives their Entra tenant. Their own claims name no tenant and no
    /// organisation: every Entra tenant's administrator can put any claim into the tokens of their tenant.
    /// </summary>
    public static BearerTokenEvents ForEntra(EntraOptions entra) => new(token =>
    {
        var tid = token.FindFirstValue("tid");
        var entry = entra.Tenants.FirstOrDefault(p => string.Equals(p.Key, tid, StringComparison.OrdinalIgnoreCase)).Value;
        if (tid is null || entry?.Tenant is null)
            return new(null, null, $"The bearer token's Entra tenant ({tid ?? "no tid"}) is not in Lrs:Entra:Tenants.");
        return new(entry.Tenant, entry.Organisation == EntraTenant.WholeTenant ? null : entry.Organisation, null);
    }, "entra:");

    /// <summary>Tokens of another OIDC issuer name their tenant and organisation in claims the operator chose.</summary>
    public static BearerTokenEvents ForIssuer(OidcOptions oidc) => new(token =>
        token.FindFirstValue(oidc.TenantClaim) is { Length: > 0 } tenant
            ? new(tenant, token.FindFirstValue(oidc.OrganisationClaim) is { Length: > 0 } organisation ? organisation : null, null)
            : new(null, null, $"The bearer token names no LRS tenant: it has no claim {oidc.TenantClaim}."), "oidc:");

    private async Task ValidatedAsync(TokenValidatedContext context)
    {
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

        var reach = _reachOf(token);
        if (reach.TenantName is null)
        {
            context.Fail(reach.Refusal!);
            return;
        }
        // A token never creates a tenant: an operator does.
        var credentials = context.HttpContext.RequestServices.GetRequiredService<ICredentialStore>();
        if (await credentials.FindTenantAsync(reach.TenantName, context.HttpContext.RequestAborted) is not { } tenantId)
        {
            context.Fail($"The LRS has no tenant '{reach.TenantName}'.");
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

        // The issuer's own claims stay, except those that would shadow the LRS's scope or restriction.
        var claims = token.Claims.Where(c => c.Type is not (LrsClaims.Scope or LrsClaims.Organisation))
            .Select(c => new Claim(c.Type, c.Value, c.ValueType, c.Issuer)).ToList();
        claims.Add(new Claim(LrsClaims.Credential, $"{_credentialPrefix}{issuer}|{clientOrSubject}"));
        claims.Add(new Claim(LrsClaims.Tenant, tenantId.ToString(CultureInfo.InvariantCulture)));
        claims.Add(new Claim(LrsClaims.Authority, authority.ToJsonString()));
        claims.Add(new Claim(LrsClaims.Scope, string.Join(' ', scopes)));
        if (reach.Organisation is not null) claims.Add(new Claim(LrsClaims.Organisation, reach.Organisation));
        context.Principal = new ClaimsPrincipal(new ClaimsIdentity(claims, context.Scheme.Name, "sub", "roles"));
    }

    public override async Task Challenge(JwtBearerChallengeContext context)
    {
        // Our own answer replaces the handler's: the same header, plus the JSON body xAPI errors have.
        context.HandleResponse();
        if (context.AuthenticateFailure is not null)
            context.HttpContext.RequestServices.GetRequiredService<Hosting.LrsMetrics>().AuthenticationFailed("bearer", Hosting.RefusalReasons.TokenRejected);
        var message = context.AuthenticateFailure is not null && await IssuerUnreachableAsync(context.Options, context.HttpContext.RequestAborted)
            ? "The bearer token cannot be checked now: the LRS cannot reach its issuer's metadata (issuer unreachable)."
            : Explain(context.AuthenticateFailure);
        context.Response.StatusCode = StatusCodes.Status401Unauthorized;
        context.Response.Headers.WWWAuthenticate = "Bearer error=\"invalid_token\"";
        await XapiErrors.WriteAsync(context.HttpContext, StatusCodes.Status401Unauthorized, "Authentication required", message);
    }

    public override async Task Forbidden(ForbiddenContext context)
    {
        context.Response.StatusCode = StatusCodes.Status403Forbidden;
        await XapiErrors.WriteAsync(context.HttpContext, StatusCodes.Status403Forbidden, "Forbidden", "This token may not do that.");
    }

    /// <summary>
    /// Whether the issuer's discovery document and keys cannot be had. Without them every check fails on its own terms
    /// (issuer, signature), which would blame the token for an outage.
    /// </summary>
    private static async Task<bool> IssuerUnreachableAsync(JwtBearerOptions options, CancellationToken ct)
    {
        if (options.ConfigurationManager is null) return false;
        try
        {
            await options.ConfigurationManager.GetConfigurationAsync(ct);
            return false;
        }
        catch (InvalidOperationException)
        {
            // IDX20803: the configuration manager's own report that it could not fetch.
            return true;
        }
    }

    // IdentityModel's own messages hide their details (PII logging is off); say what went wrong in plain words.
    private static string Explain(Exception? failure) => failure switch
    {
        null => "Authentication required: a valid bearer token.",
        SecurityTokenExpiredException => "The bearer token has expired.",
        SecurityTokenNotYetValidException => "The bearer token is not valid yet.",
        SecurityTokenInvalidAudienceException => "The bearer token is for another audience than this LRS.",
        SecurityTokenInvalidIssuerException => "The bearer token comes from another issuer than the ones this LRS trusts (wrong issuer).",
        SecurityTokenSignatureKeyNotFoundException or SecurityTokenInvalidSignatureException => "The bearer token's signature does not verify with the issuer's keys.",
        SecurityTokenMalformedException => "The bearer token is malformed.",
        AuthenticationFailureException => failure.Message,
        _ when failure.GetType().Namespace == typeof(SecurityTokenException).Namespace => "The bearer token is not valid.",
        _ => "The bearer token could not be checked.",
    };
}
