using System.Net.Http.Headers;
using System.Text;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Lrs.Api.Tests.Infrastructure;

/// <summary>
/// One LRS over HTTP with its own fresh store, shared by the tests of one class. Tests never share data:
/// each makes its own agents, activities and registrations.
/// </summary>
public abstract class LrsFixture : WebApplicationFactory<Program>
{
    public const string Key = "test-key";
    public const string Secret = "test-secret-9f2c";

    protected abstract string Provider { get; }
    protected abstract string ConnectionString { get; }

    /// <summary>The connection string of this fixture's store.</summary>
    public string StoreConnectionString => ConnectionString;

    /// <summary>Which store this fixture runs on, for test output.</summary>
    public string StoreName => Provider;

    /// <summary>Settings a derived fixture adds to or overrides in the configuration of its LRS.</summary>
    protected virtual IReadOnlyDictionary<string, string?> Settings { get; } = new Dictionary<string, string?>();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        builder.ConfigureAppConfiguration(config => config.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Lrs:Storage:Provider"] = Provider,
            ["Lrs:Storage:ConnectionString"] = ConnectionString,
            ["Lrs:Bootstrap:Key"] = Key,
            ["Lrs:Bootstrap:Secret"] = Secret,
            ["Logging:LogLevel:Default"] = "Warning",
        }).AddInMemoryCollection(Settings));
        builder.ConfigureServices(services => services.AddSingleton<IStartupFilter, ClaimsProbe>());
    }

    // The real listener (KestrelAddress) is added after the application's services, with Kestrel's own blocks: the
    // application's are registered again after it, as the application's own start registers them after Kestrel's.
    protected override IHost CreateHost(IHostBuilder builder)
    {
        builder.ConfigureServices(services => Lrs.Api.Hosting.ReceiveBlocks.AddReceiveBlocks(services));
        return base.CreateHost(builder);
    }

    /// <summary>
    /// The base address of a real Kestrel listener on loopback, for clients outside this process
    /// (Node.js libraries); started on first use.
    /// </summary>
    public string KestrelAddress
    {
        get
        {
            lock (_kestrelLock)
            {
                if (_kestrelAddress is null)
                {
                    UseKestrel(0);
                    StartServer();
                    var addresses = Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses;
                    _kestrelAddress = addresses.First().Replace("[::]", "127.0.0.1", StringComparison.Ordinal).Replace("localhost", "127.0.0.1", StringComparison.Ordinal).TrimEnd('/');
                }
                return _kestrelAddress;
            }
        }
    }

    private readonly Lock _kestrelLock = new();
    private string? _kestrelAddress;

    /// <summary>
    /// A new credential with exactly <paramref name="scopes"/> (and <paramref name="restrictions"/>, if any) in a tenant
    /// (created when missing); returns a client using it.
    /// </summary>
    public async Task<HttpClient> ClientWithScopesAsync(string scopes, string version = "1.0.3", string tenantName = "default", Lrs.Core.Storage.CredentialRestrictions? restrictions = null)
    {
        var store = Services.GetRequiredService<Lrs.Core.Storage.ICredentialStore>();
        var key = "k-" + Guid.NewGuid().ToString("N")[..12];
        var secret = Guid.NewGuid().ToString("N");
        var (hash, salt, iterations) = Lrs.Api.Auth.SecretHasher.Hash(secret);
        var authority = new System.Text.Json.Nodes.JsonObject
        {
            ["objectType"] = "Agent",
            ["account"] = new System.Text.Json.Nodes.JsonObject { ["homePage"] = "http://localhost:8080", ["name"] = key },
        };
        var tenant = await store.EnsureTenantAsync(tenantName, CancellationToken.None);
        await store.AddAsync(new Lrs.Core.Storage.Credential(key, tenant, key, hash, salt, iterations, authority.ToJsonString(), scopes, DateTimeOffset.UtcNow, null, null, restrictions), CancellationToken.None);
        return Client(version, key, secret);
    }

    /// <summary>A client that authenticates with the bootstrap credential and speaks the given xAPI version.</summary>
    public HttpClient Client(string? version = "1.0.3", string key = Key, string secret = Secret)
    {
        var client = CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{key}:{secret}")));
        if (version is not null) client.DefaultRequestHeaders.Add("X-Experience-API-Version", version);
        return client;
    }
}

public class SqliteLrs : LrsFixture
{
    private readonly string _directory = Directory.CreateTempSubdirectory("lrs-test-").FullName;
    protected override string Provider => "Sqlite";
    protected override string ConnectionString => $"Data Source={Path.Combine(_directory, "lrs.db")}";

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try { Directory.Delete(_directory, recursive: true); } catch (IOException) { }
    }
}

public class PostgresLrs : LrsFixture
{
    private readonly Lazy<string> _database = new(PostgresServer.CreateDatabase);
    protected override string Provider => "Postgres";
    protected override string ConnectionString => _database.Value;
}

/// <summary>
/// What a fixture of its own changes in its LRS (settings, services), the same on every store:
/// <c>SqliteLrs&lt;TightLimits&gt;</c> and <c>PostgresLrs&lt;TightLimits&gt;</c>.
/// </summary>
public interface ILrsVariant
{
    static abstract IReadOnlyDictionary<string, string?> Settings { get; }

    static virtual void ConfigureWebHost(IWebHostBuilder builder) { }
}

public sealed class SqliteLrs<TVariant> : SqliteLrs where TVariant : ILrsVariant
{
    protected override IReadOnlyDictionary<string, string?> Settings => TVariant.Settings;

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        TVariant.ConfigureWebHost(builder);
    }
}

public sealed class PostgresLrs<TVariant> : PostgresLrs where TVariant : ILrsVariant
{
    protected override IReadOnlyDictionary<string, string?> Settings => TVariant.Settings;

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        TVariant.ConfigureWebHost(builder);
    }
}

/// <summary>Fixtures of their own for tests that need a real socket, so in-memory fixtures stay in memory.</summary>
public sealed class KestrelSqliteLrs : SqliteLrs;

public sealed class KestrelPostgresLrs : PostgresLrs;
