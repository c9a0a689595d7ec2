using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Lrs.Api.Auth;
using Lrs.Api.Tests.Infrastructure;
using Lrs.Core.Storage;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Identity.Web;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using static Lrs.Api.Tests.Infrastructure.Xapi;

namespace Lrs.Api.Tests;

/// <summary>
/// With Lrs:Entra and Lrs:Oidc configured, access tokens of Entra ID (any allow-listed Entra tenant) and of another OIDC
/// issuer reach the LRS beside HTTP Basic.
/// </summary>
public abstract class BearerTokenTests(LrsFixture lrs)
{
    private HttpClient BearerClient(string token)
    {
        var client = lrs.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        client.DefaultRequestHeaders.Add("X-Experience-API-Version", "2.0.0");
        return client;
    }

    private async Task<(HttpStatusCode Status, string Body)> GetStatementsWithAsync(string token)
    {
        var response = await BearerClient(token).GetAsync("/xapi/statements?limit=1");
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task An_Entra_app_token_with_role_all_posts_and_reads_a_statement_whose_authority_is_the_app()
    {
        var client = BearerClient(TestIssuer.EntraAppToken(out var clientId, out var objectId));

        var ids = await client.PostAsync(Statement());
        var (response, body) = await client.GetJsonAsync($"/xapi/statements?statementId={ids[0]}");

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        body!["authority"]!["objectType"]!.GetValue<string>().Should().Be("Agent");
        body["authority"]!["name"]!.GetValue<string>().Should().Be(clientId);
        body["authority"]!["account"]!["homePage"]!.GetValue<string>().Should().Be(TestIssuer.EntraIssuer(TestIssuer.EntraTenantId));
        body["authority"]!["account"]!["name"]!.GetValue<string>().Should().Be(objectId);
    }

    [Fact]
    public async Task An_Entra_token_for_the_app_ID_URI_v1_style_is_accepted()
    {
        var token = TestIssuer.EntraAppToken(out _, out _, audience: $"api://{TestIssuer.ClientId}");
        (await GetStatementsWithAsync(token)).Status.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Two_Entra_tenants_mapped_to_two_employers_of_one_LRS_tenant_each_see_only_their_employer()
    {
        var centre = await TwoEmployers.CreateAsync(lrs, TestIssuer.SharedCentreMarker);
        var acme = BearerClient(TestIssuer.EntraAppToken(out _, out _, tenantId: TestIssuer.AcmeEntraTenantId, roles: ["all", "profiles:read"]));
        var bravo = BearerClient(TestIssuer.EntraAppToken(out _, out _, tenantId: TestIssuer.BravoEntraTenantId, roles: ["all", "profiles:read"]));

        foreach (var (client, own, other) in new[] { (acme, centre.A, centre.B), (bravo, centre.B, centre.A) })
        {
            (await client.GetAsync($"/api/people/{own.Person}")).StatusCode.Should().Be(HttpStatusCode.OK);
            (await client.GetAsync($"/api/people/{other.Person}")).StatusCode.Should().Be(HttpStatusCode.NotFound);
            (await client.GetAsync($"/xapi/statements?statementId={own.StatementId}")).StatusCode.Should().Be(HttpStatusCode.OK);
            (await client.GetAsync($"/xapi/statements?statementId={other.StatementId}")).StatusCode.Should().Be(HttpStatusCode.NotFound);
            var people = await (await client.GetAsync("/api/people")).Content.ReadAsStringAsync();
            people.Should().Contain(own.Person).And.NotContain(other.Person);
        }
    }

    [Fact]
    public async Task An_Entra_token_reaches_only_its_allow_listed_tenant_whatever_its_own_claims_say()
    {
        var tenant = "school-" + Guid.NewGuid().ToString("N");
        await lrs.Services.GetRequiredService<ICredentialStore>().EnsureTenantAsync(tenant, CancellationToken.None);
        var client = BearerClient(TestIssuer.EntraAppToken(out _, out _, extra: new() { ["lrs_tenant"] = tenant, ["lrs_org"] = "someone-else" }));

        var ids = await client.PostAsync(Statement());

        (await client.GetAsync($"/xapi/statements?statementId={ids[0]}")).StatusCode.Should().Be(HttpStatusCode.OK);
        var (response, _) = await lrs.Client().GetJsonAsync($"/xapi/statements?statementId={ids[0]}");
        response.StatusCode.Should().Be(HttpStatusCode.OK, "the allow-list maps the Entra tenant to tenant default, where the Basic credential is");
    }

    [Fact]
    public async Task A_token_of_another_OIDC_issuer_with_scope_all_and_a_tenant_claim_is_accepted()
    {
        var token = TestIssuer.IdpToken(new() { ["scope"] = "all", ["lrs_tenant"] = "default", ["sub"] = "user-" + Guid.NewGuid(), ["azp"] = "spa-client" });
        (await GetStatementsWithAsync(token)).Status.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task A_token_of_another_OIDC_issuer_reaches_the_tenant_it_names_and_no_other()
    {
        var tenant = "school-" + Guid.NewGuid().ToString("N");
        await lrs.Services.GetRequiredService<ICredentialStore>().EnsureTenantAsync(tenant, CancellationToken.None);
        var token = TestIssuer.IdpToken(new() { ["roles"] = new[] { "all" }, ["lrs_tenant"] = tenant, ["sub"] = "daemon", ["azp"] = "importer" });

        var ids = await BearerClient(token).PostAsync(Statement());

        var (response, _) = await lrs.Client().GetJsonAsync($"/xapi/statements?statementId={ids[0]}");
        response.StatusCode.Should().Be(HttpStatusCode.NotFound, "the Basic credential belongs to tenant default");
    }

    [Fact]
    public async Task An_expired_token_gets_401_with_a_bearer_challenge_and_a_JSON_message()
    {
        // Two minutes past expiry: beyond the one minute of clock skew allowed, within IdentityModel's default five.
        var now = DateTime.UtcNow;
        var response = await BearerClient(TestIssuer.EntraAppToken(out _, out _, notBefore: now.AddHours(-1), expires: now.AddMinutes(-2)))
            .GetAsync("/xapi/statements?limit=1");

        response.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        response.Headers.WwwAuthenticate.ToString().Should().Be("Bearer error=\"invalid_token\"");
        response.Content.Headers.ContentType!.MediaType.Should().Be("application/json");
        (await response.Content.ReadAsStringAsync()).Should().Contain("expired");
    }

    [Fact]
    public async Task A_token_not_valid_for_two_more_minutes_gets_401()
    {
        var now = DateTime.UtcNow;
        var (status, body) = await GetStatementsWithAsync(TestIssuer.EntraAppToken(out _, out _, notBefore: now.AddMinutes(2), expires: now.AddHours(1)));
        status.Should().Be(HttpStatusCode.Unauthorized);
        body.Should().Contain("not valid yet");
    }

    [Fact]
    public async Task A_token_for_another_audience_gets_401()
    {
        var (status, body) = await GetStatementsWithAsync(TestIssuer.EntraAppToken(out _, out _, audience: "api://some-other-app"));
        status.Should().Be(HttpStatusCode.Unauthorized);
        body.Should().Contain("audience");
    }

    [Fact]
    public async Task A_token_of_an_issuer_the_LRS_does_not_trust_gets_401_wrong_issuer()
    {
        var token = TestIssuer.EntraAppToken(out _, out _, issuer: $"https://login.evil.test/{TestIssuer.EntraTenantId}/v2.0");
        var (status, body) = await GetStatementsWithAsync(token);
        status.Should().Be(HttpStatusCode.Unauthorized);
        body.Should().Contain("wrong issuer").And.NotContain("unreachable");
    }

    [Fact]
    public async Task An_Entra_token_whose_issuer_names_another_tenant_than_its_tid_gets_401_wrong_issuer()
    {
        var token = TestIssuer.EntraAppToken(out _, out _, issuer: TestIssuer.EntraIssuer(TestIssuer.AcmeEntraTenantId));
        var (status, body) = await GetStatementsWithAsync(token);
        status.Should().Be(HttpStatusCode.Unauthorized);
        body.Should().Contain("wrong issuer");
    }

    [Fact]
    public async Task A_token_signed_with_another_key_gets_401()
    {
        var (status, body) = await GetStatementsWithAsync(TestIssuer.EntraAppToken(out _, out _, key: TestIssuer.ForeignKey));
        status.Should().Be(HttpStatusCode.Unauthorized);
        body.Should().Contain("signature");
    }

    [Fact]
    public async Task An_unsigned_token_with_alg_none_gets_401()
    {
        var token = TestIssuer.EntraAppToken(out _, out _, unsigned: true);
        token.Split('.')[2].Should().BeEmpty();
        JsonNode.Parse(Base64UrlEncoder.Decode(token.Split('.')[0]))!["alg"]!.GetValue<string>().Should().Be("none");

        var (status, body) = await GetStatementsWithAsync(token);

        status.Should().Be(HttpStatusCode.Unauthorized);
        body.Should().Contain("signature");
    }

    [Fact]
    public async Task A_token_signed_HS256_with_the_issuers_public_key_gets_401()
    {
        var publicKey = Encoding.UTF8.GetBytes(TestIssuer.EntraKey.Rsa.ExportSubjectPublicKeyInfoPem());
        var token = TestIssuer.EntraAppToken(out _, out _, key: new SymmetricSecurityKey(publicKey) { KeyId = TestIssuer.EntraKey.KeyId }, algorithm: SecurityAlgorithms.HmacSha256);

        var (status, body) = await GetStatementsWithAsync(token);

        status.Should().Be(HttpStatusCode.Unauthorized);
        body.Should().Contain("signature");
    }

    [Fact]
    public async Task A_token_of_another_OIDC_issuer_naming_a_tenant_the_LRS_does_not_have_gets_401_and_creates_no_tenant()
    {
        var tenant = "nobody-" + Guid.NewGuid().ToString("N");
        var token = TestIssuer.IdpToken(new() { ["roles"] = new[] { "all" }, ["lrs_tenant"] = tenant, ["sub"] = "daemon" });

        var (status, body) = await GetStatementsWithAsync(token);

        status.Should().Be(HttpStatusCode.Unauthorized);
        body.Should().Contain(tenant);
        (await lrs.Services.GetRequiredService<ICredentialStore>().FindTenantAsync(tenant, CancellationToken.None)).Should().BeNull();
    }

    [Fact]
    public async Task A_token_from_an_Entra_tenant_not_in_the_allow_list_gets_401()
    {
        var tid = Guid.NewGuid().ToString();
        var (status, body) = await GetStatementsWithAsync(TestIssuer.EntraAppToken(out _, out _, tenantId: tid));
        status.Should().Be(HttpStatusCode.Unauthorized);
        body.Should().Contain(tid).And.Contain("Lrs:Entra:Tenants");
    }

    [Fact]
    public async Task An_Entra_token_without_scp_or_roles_gets_401()
    {
        var (status, body) = await GetStatementsWithAsync(TestIssuer.EntraAppToken(out _, out _, roles: []));
        status.Should().Be(HttpStatusCode.Unauthorized);
        body.Should().Contain("scope");
    }

    [Fact]
    public async Task A_token_of_another_OIDC_issuer_without_scope_gets_401()
    {
        var (status, body) = await GetStatementsWithAsync(TestIssuer.IdpToken(new() { ["lrs_tenant"] = "default", ["sub"] = "daemon" }));
        status.Should().Be(HttpStatusCode.Unauthorized);
        body.Should().Contain("scope");
    }

    [Fact]
    public async Task Basic_credentials_still_work_beside_bearer_tokens()
    {
        var (response, _) = await lrs.Client().GetJsonAsync("/xapi/statements?limit=1");
        response.StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task A_request_without_credentials_still_gets_the_Basic_challenge()
    {
        var client = lrs.CreateClient();
        client.DefaultRequestHeaders.Add("X-Experience-API-Version", "2.0.0");

        var response = await client.GetAsync("/xapi/statements");

        response.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        response.Headers.WwwAuthenticate.ToString().Should().StartWith("Basic realm=");
        (await response.Content.ReadAsStringAsync()).Should().Contain("HTTP Basic");
    }
}

/// <summary>When the issuer's discovery document cannot be fetched, a 401 says so instead of blaming the token.</summary>
public abstract class UnreachableIssuerTests(LrsFixture lrs)
{
    private async Task<(HttpStatusCode Status, string Body)> GetStatementsWithAsync(string token)
    {
        var client = lrs.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        client.DefaultRequestHeaders.Add("X-Experience-API-Version", "2.0.0");
        var response = await client.GetAsync("/xapi/statements?limit=1");
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task An_Entra_token_gets_401_issuer_unreachable_while_the_metadata_cannot_be_fetched()
    {
        var (status, body) = await GetStatementsWithAsync(TestIssuer.EntraAppToken(out _, out _, issuer: TestIssuer.DownEntraIssuer));
        status.Should().Be(HttpStatusCode.Unauthorized);
        body.Should().Contain("issuer unreachable").And.NotContain("wrong issuer");
    }

    [Fact]
    public async Task A_token_of_another_OIDC_issuer_gets_401_issuer_unreachable_while_its_metadata_cannot_be_fetched()
    {
        var token = TestIssuer.IdpToken(new() { ["scope"] = "all", ["lrs_tenant"] = "default", ["sub"] = "daemon" }, TestIssuer.DownIdpAuthority);
        var (status, body) = await GetStatementsWithAsync(token);
        status.Should().Be(HttpStatusCode.Unauthorized);
        body.Should().Contain("issuer unreachable").And.NotContain("wrong issuer");
    }
}

/// <summary>
/// Two OIDC issuers in the test process, reached only through <see cref="IssuerMetadata"/>: an Entra ID cloud at
/// <c>https://login.test/</c> (multi-tenant, issuer <c>https://login.test/{tenantid}/v2.0</c>) and another issuer at
/// <c>https://idp.test/realms/lrs</c>. Their keys are minted here; discovery documents and JWKS are served in process.
/// </summary>
public static class TestIssuer
{
    public const string EntraInstance = "https://login.test/";
    public const string ClientId = "6b1d0c2e-4f3a-4a8e-9d7b-0c1e2f3a4b5c";
    public const string EntraTenantId = "3f8e2b1c-7d4a-4e59-9c0b-1a2b3c4d5e6f";
    public const string AcmeEntraTenantId = "a1a1a1a1-0000-4000-8000-0000000000a1";
    public const string BravoEntraTenantId = "b2b2b2b2-0000-4000-8000-0000000000b2";
    public const string SharedCentreMarker = "entra";
    public const string IdpAuthority = "https://idp.test/realms/lrs";
    public const string IdpAudience = "lrs";
    public const string DownInstance = "https://down.test/";
    public static string DownEntraIssuer => $"https://down.test/{EntraTenantId}/v2.0";
    public const string DownIdpAuthority = "https://down.test/realms/lrs";

    public static readonly RsaSecurityKey EntraKey = new(RSA.Create(2048)) { KeyId = "entra-key" };
    public static readonly RsaSecurityKey IdpKey = new(RSA.Create(2048)) { KeyId = "idp-key" };
    public static readonly RsaSecurityKey ForeignKey = new(RSA.Create(2048)) { KeyId = "entra-key" };

    public static string EntraIssuer(string tenantId) => $"https://login.test/{tenantId}/v2.0";

    public static IReadOnlyDictionary<string, string?> Settings { get; } = new Dictionary<string, string?>
    {
        ["Lrs:Entra:Instance"] = EntraInstance,
        ["Lrs:Entra:ClientId"] = ClientId,
        [$"Lrs:Entra:Tenants:{EntraTenantId}:Tenant"] = "default",
        [$"Lrs:Entra:Tenants:{EntraTenantId}:Organisation"] = "*",
        [$"Lrs:Entra:Tenants:{AcmeEntraTenantId}:Tenant"] = $"centre-{SharedCentreMarker}",
        [$"Lrs:Entra:Tenants:{AcmeEntraTenantId}:Organisation"] = $"acme-{SharedCentreMarker}",
        [$"Lrs:Entra:Tenants:{BravoEntraTenantId}:Tenant"] = $"centre-{SharedCentreMarker}",
        [$"Lrs:Entra:Tenants:{BravoEntraTenantId}:Organisation"] = $"bravo-{SharedCentreMarker}",
        ["Lrs:Oidc:Authority"] = IdpAuthority,
        ["Lrs:Oidc:Audience"] = IdpAudience,
    };

    /// <summary>Every metadata request of the LRS (JwtBearer's and the Entra issuer validator's) goes to <see cref="IssuerMetadata"/>.</summary>
    public static void ServeInProcess(IWebHostBuilder builder) => builder.ConfigureTestServices(services =>
    {
        foreach (var scheme in new[] { LrsAuthentication.EntraSchemeName, LrsAuthentication.BearerSchemeName })
            services.Configure<JwtBearerOptions>(scheme, options => options.BackchannelHttpHandler = new IssuerMetadata());
        services.Configure<AadIssuerValidatorOptions>(options => options.HttpClientName = nameof(IssuerMetadata));
        services.AddHttpClient(nameof(IssuerMetadata)).ConfigurePrimaryHttpMessageHandler(() => new IssuerMetadata());
    });

    /// <summary>An Entra ID v2 access token of a daemon app granted app roles (<c>all</c> unless told).</summary>
    public static string EntraAppToken(out string clientId, out string objectId, string tenantId = EntraTenantId, string? issuer = null,
        string audience = ClientId, string[]? roles = null, Dictionary<string, object>? extra = null, SecurityKey? key = null,
        string algorithm = SecurityAlgorithms.RsaSha256, bool unsigned = false, DateTime? notBefore = null, DateTime? expires = null)
    {
        clientId = Guid.NewGuid().ToString();
        objectId = Guid.NewGuid().ToString();
        var claims = new Dictionary<string, object>
        {
            ["tid"] = tenantId,
            ["oid"] = objectId,
            ["sub"] = objectId,
            ["azp"] = clientId,
            ["ver"] = "2.0",
        };
        if ((roles ?? ["all"]) is { Length: > 0 } granted) claims["roles"] = granted;
        foreach (var (name, value) in extra ?? []) claims[name] = value;
        return Token(claims, issuer ?? EntraIssuer(tenantId), audience, unsigned ? null : new SigningCredentials(key ?? EntraKey, algorithm), notBefore, expires);
    }

    /// <summary>An access token of the other OIDC issuer.</summary>
    public static string IdpToken(Dictionary<string, object> claims, string issuer = IdpAuthority) =>
        Token(claims, issuer, IdpAudience, new SigningCredentials(IdpKey, SecurityAlgorithms.RsaSha256), null, null);

    private static string Token(Dictionary<string, object> claims, string issuer, string audience, SigningCredentials? signing, DateTime? notBefore, DateTime? expires)
    {
        var from = notBefore ?? DateTime.UtcNow.AddMinutes(-1);
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = issuer,
            Audience = audience,
            IssuedAt = from,
            NotBefore = from,
            Expires = expires ?? from.AddHours(1),
            Claims = claims,
            SigningCredentials = signing,
        });
    }

    /// <summary>The issuers' discovery documents and key sets, as Entra ID and other issuers serve them; 503 for anything else.</summary>
    public sealed class IssuerMetadata : HttpMessageHandler
    {
        private const string EntraIssuerTemplate = "https://login.test/{tenantid}/v2.0";

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var url = request.RequestUri!.GetLeftPart(UriPartial.Path);
            JsonObject? document = url switch
            {
                "https://login.test/organizations/v2.0/.well-known/openid-configuration" => Discovery(EntraIssuerTemplate, "https://login.test/organizations/discovery/v2.0/keys"),
                "https://login.test/organizations/discovery/v2.0/keys" => KeySet(EntraKey, EntraIssuerTemplate),
                IdpAuthority + "/.well-known/openid-configuration" => Discovery(IdpAuthority, IdpAuthority + "/protocol/openid-connect/certs"),
                IdpAuthority + "/protocol/openid-connect/certs" => KeySet(IdpKey, null),
                _ => null,
            };
            return Task.FromResult(document is null
                ? new HttpResponseMessage(HttpStatusCode.ServiceUnavailable)
                : new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(document.ToJsonString(), Encoding.UTF8, "application/json") });
        }

        private static JsonObject Discovery(string issuer, string keys) => new()
        {
            ["issuer"] = issuer,
            ["jwks_uri"] = keys,
            ["id_token_signing_alg_values_supported"] = new JsonArray("RS256"),
        };

        private static JsonObject KeySet(RsaSecurityKey key, string? issuer)
        {
            var parameters = key.Rsa.ExportParameters(false);
            var jwk = new JsonObject
            {
                ["kty"] = "RSA",
                ["use"] = "sig",
                ["kid"] = key.KeyId,
                ["n"] = Base64UrlEncoder.Encode(parameters.Modulus),
                ["e"] = Base64UrlEncoder.Encode(parameters.Exponent),
            };
            // Entra names the issuer each key signs for; Microsoft.Identity.Web checks it against the token's.
            if (issuer is not null) jwk["issuer"] = issuer;
            return new JsonObject { ["keys"] = new JsonArray(jwk) };
        }
    }
}

/// <summary>An LRS that trusts bearer tokens of the test issuers.</summary>
public sealed class Oidc : ILrsVariant
{
    public static IReadOnlyDictionary<string, string?> Settings => TestIssuer.Settings;

    public static void ConfigureWebHost(IWebHostBuilder builder) => TestIssuer.ServeInProcess(builder);
}

/// <summary>An LRS whose Entra cloud answers no metadata request.</summary>
public sealed class OidcIssuerDown : ILrsVariant
{
    public static IReadOnlyDictionary<string, string?> Settings { get; } = new Dictionary<string, string?>(TestIssuer.Settings)
    {
        ["Lrs:Entra:Instance"] = TestIssuer.DownInstance,
        ["Lrs:Oidc:Authority"] = TestIssuer.DownIdpAuthority,
    };

    public static void ConfigureWebHost(IWebHostBuilder builder) => TestIssuer.ServeInProcess(builder);
}

public sealed class BearerTokenTestsOnSqlite(SqliteLrs<Oidc> lrs) : BearerTokenTests(lrs), IClassFixture<SqliteLrs<Oidc>>;
public sealed class BearerTokenTestsOnPostgres(PostgresLrs<Oidc> lrs) : BearerTokenTests(lrs), IClassFixture<PostgresLrs<Oidc>>;
public sealed class UnreachableIssuerTestsOnSqlite(SqliteLrs<OidcIssuerDown> lrs) : UnreachableIssuerTests(lrs), IClassFixture<SqliteLrs<OidcIssuerDown>>;
public sealed class UnreachableIssuerTestsOnPostgres(PostgresLrs<OidcIssuerDown> lrs) : UnreachableIssuerTests(lrs), IClassFixture<PostgresLrs<OidcIssuerDown>>;
