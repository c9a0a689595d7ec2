using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using Lrs.Api.Tests.Infrastructure;
using Lrs.Core.Storage;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Protocols;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Microsoft.IdentityModel.Tokens;
using static Lrs.Api.Tests.Infrastructure.Xapi;

namespace Lrs.Api.Tests;

/// <summary>With Lrs:Oidc configured, OAuth2 bearer tokens of that issuer reach the LRS beside HTTP Basic.</summary>
public abstract class BearerTokenTests(LrsFixture lrs)
{
    private HttpClient BearerClient(string token)
    {
        var client = lrs.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        client.DefaultRequestHeaders.Add("X-Experience-API-Version", "2.0.0");
        return client;
    }

    private async Task<HttpResponseMessage> GetStatementsWithAsync(string token) =>
        await BearerClient(token).GetAsync("/xapi/statements?limit=1");

    [Fact]
    public async Task An_Entra_app_token_with_role_all_posts_and_reads_a_statement_whose_authority_is_the_app()
    {
        var client = BearerClient(TestIssuer.AppToken(out var clientId, out var objectId));

        var ids = await client.PostAsync(Statement());
        var (response, body) = await client.GetJsonAsync($"/xapi/statements?statementId={ids[0]}");

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        body!["authority"]!["objectType"]!.GetValue<string>().Should().Be("Agent");
        body["authority"]!["name"]!.GetValue<string>().Should().Be(clientId);
        body["authority"]!["account"]!["homePage"]!.GetValue<string>().Should().Be(TestIssuer.Authority);
        body["authority"]!["account"]!["name"]!.GetValue<string>().Should().Be(objectId);
    }

    [Fact]
    public async Task A_delegated_token_with_scp_all_and_a_tenant_claim_is_accepted()
    {
        var token = TestIssuer.Token(new Dictionary<string, object> { ["scp"] = "all", ["lrs_tenant"] = "default", ["sub"] = "user-" + Guid.NewGuid(), ["azp"] = "spa-client" });
        (await GetStatementsWithAsync(token)).StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task A_token_reaches_the_tenant_it_names_and_no_other()
    {
        var tenant = "school-" + Guid.NewGuid().ToString("N");
        await lrs.Services.GetRequiredService<ICredentialStore>().EnsureTenantAsync(tenant, CancellationToken.None);
        var token = TestIssuer.Token(new Dictionary<string, object> { ["roles"] = new[] { "all" }, ["lrs_tenant"] = tenant, ["sub"] = "daemon", ["azp"] = "importer" });

        var ids = await BearerClient(token).PostAsync(Statement());

        var (response, _) = await lrs.Client().GetJsonAsync($"/xapi/statements?statementId={ids[0]}");
        response.StatusCode.Should().Be(HttpStatusCode.NotFound, "the Basic credential belongs to tenant default");
    }

    [Fact]
    public async Task An_expired_token_gets_401_with_a_bearer_challenge_and_a_JSON_message()
    {
        var now = DateTime.UtcNow;
        var response = await GetStatementsWithAsync(TestIssuer.AppToken(out _, out _, notBefore: now.AddHours(-2), expires: now.AddHours(-1)));

        response.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        response.Headers.WwwAuthenticate.ToString().Should().Be("Bearer error=\"invalid_token\"");
        response.Content.Headers.ContentType!.MediaType.Should().Be("application/json");
        (await response.Content.ReadAsStringAsync()).Should().Contain("expired");
    }

    [Fact]
    public async Task A_token_for_another_audience_gets_401()
    {
        var response = await GetStatementsWithAsync(TestIssuer.AppToken(out _, out _, audience: "api://some-other-app"));
        response.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        (await response.Content.ReadAsStringAsync()).Should().Contain("audience");
    }

    [Fact]
    public async Task A_token_signed_with_another_key_gets_401()
    {
        var response = await GetStatementsWithAsync(TestIssuer.AppToken(out _, out _, key: TestIssuer.ForeignKey));
        response.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        (await response.Content.ReadAsStringAsync()).Should().Contain("signature");
    }

    [Fact]
    public async Task A_token_naming_a_tenant_the_LRS_does_not_have_gets_401_and_creates_no_tenant()
    {
        var tenant = "nobody-" + Guid.NewGuid().ToString("N");
        var token = TestIssuer.Token(new Dictionary<string, object> { ["roles"] = new[] { "all" }, ["lrs_tenant"] = tenant, ["sub"] = "daemon" });

        var response = await GetStatementsWithAsync(token);

        response.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        (await response.Content.ReadAsStringAsync()).Should().Contain(tenant);
        (await lrs.Services.GetRequiredService<ICredentialStore>().FindTenantAsync(tenant, CancellationToken.None)).Should().BeNull();
    }

    [Fact]
    public async Task A_token_from_an_unmapped_Entra_tenant_gets_401()
    {
        var token = TestIssuer.Token(new Dictionary<string, object> { ["roles"] = new[] { "all" }, ["tid"] = Guid.NewGuid().ToString(), ["sub"] = "daemon" });
        var response = await GetStatementsWithAsync(token);
        response.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        (await response.Content.ReadAsStringAsync()).Should().Contain("TenantMap");
    }

    [Fact]
    public async Task A_token_without_scp_or_roles_gets_401()
    {
        var token = TestIssuer.Token(new Dictionary<string, object> { ["lrs_tenant"] = "default", ["sub"] = "daemon" });
        (await GetStatementsWithAsync(token)).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
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

/// <summary>An OIDC issuer in the test process: its keys are handed to JwtBearer directly, no discovery over HTTP.</summary>
public static class TestIssuer
{
    public const string EntraTenantId = "3f8e2b1c-7d4a-4e59-9c0b-1a2b3c4d5e6f";
    public const string Authority = $"https://login.test/{EntraTenantId}/v2.0";
    public const string Audience = "api://lrs-test";

    public static readonly RsaSecurityKey SigningKey = new(RSA.Create(2048)) { KeyId = "issuer-key" };
    public static readonly RsaSecurityKey ForeignKey = new(RSA.Create(2048)) { KeyId = "issuer-key" };

    public static IReadOnlyDictionary<string, string?> Settings { get; } = new Dictionary<string, string?>
    {
        ["Lrs:Oidc:Authority"] = Authority,
        ["Lrs:Oidc:Audience"] = Audience,
        ["Lrs:Oidc:RequireHttpsMetadata"] = "false",
        [$"Lrs:Oidc:TenantMap:{EntraTenantId}"] = "default",
    };

    public static void TrustInProcess(IWebHostBuilder builder) => builder.ConfigureTestServices(services =>
        services.PostConfigure<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme, options =>
        {
            var configuration = new OpenIdConnectConfiguration { Issuer = Authority };
            configuration.SigningKeys.Add(SigningKey);
            options.Configuration = configuration;
            options.ConfigurationManager = new StaticConfigurationManager<OpenIdConnectConfiguration>(configuration);
        }));

    /// <summary>An Entra ID v2 access token of a daemon app granted the app role <c>all</c>.</summary>
    public static string AppToken(out string clientId, out string objectId, string audience = Audience, SecurityKey? key = null, DateTime? notBefore = null, DateTime? expires = null)
    {
        clientId = Guid.NewGuid().ToString();
        objectId = Guid.NewGuid().ToString();
        return Token(new Dictionary<string, object>
        {
            ["roles"] = new[] { "all" },
            ["tid"] = EntraTenantId,
            ["oid"] = objectId,
            ["sub"] = objectId,
            ["azp"] = clientId,
            ["ver"] = "2.0",
        }, audience, key, notBefore, expires);
    }

    public static string Token(Dictionary<string, object> claims, string audience = Audience, SecurityKey? key = null, DateTime? notBefore = null, DateTime? expires = null)
    {
        var from = notBefore ?? DateTime.UtcNow.AddMinutes(-1);
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = Authority,
            Audience = audience,
            IssuedAt = from,
            NotBefore = from,
            Expires = expires ?? from.AddHours(1),
            Claims = claims,
            SigningCredentials = new SigningCredentials(key ?? SigningKey, SecurityAlgorithms.RsaSha256),
        });
    }
}

/// <summary>An LRS that trusts bearer tokens of the test issuer.</summary>
public sealed class Oidc : ILrsVariant
{
    public static IReadOnlyDictionary<string, string?> Settings => TestIssuer.Settings;

    public static void ConfigureWebHost(IWebHostBuilder builder) => TestIssuer.TrustInProcess(builder);
}

public sealed class BearerTokenTestsOnSqlite(SqliteLrs<Oidc> lrs) : BearerTokenTests(lrs), IClassFixture<SqliteLrs<Oidc>>;
public sealed class BearerTokenTestsOnPostgres(PostgresLrs<Oidc> lrs) : BearerTokenTests(lrs), IClassFixture<PostgresLrs<Oidc>>;
