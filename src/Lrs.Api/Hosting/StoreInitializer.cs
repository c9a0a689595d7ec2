using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Lrs.Api.Auth;
using Lrs.Core.Storage;
using Microsoft.Extensions.Options;

namespace Lrs.Api.Hosting;

/// <summary>
/// Runs before the server listens: brings the schema up to date and, on a store without credentials,
/// creates the first one (from configuration, or generated and printed once).
/// </summary>
public sealed class StoreInitializer(ISchemaSetup schema, ICredentialStore credentials, IOptions<LrsOptions> options, TimeProvider time, ILogger<StoreInitializer> log) : IHostedService
{
    public async Task StartAsync(CancellationToken ct)
    {
        await schema.EnsureSchemaAsync(ct);
        var bootstrap = options.Value.Bootstrap;
        var tenant = await credentials.EnsureTenantAsync(bootstrap.Tenant, ct);

        if (bootstrap.Key is { Length: > 0 } key && bootstrap.Secret is { Length: > 0 } secret)
        {
            // Configuration is authoritative: the configured secret replaces a different stored one.
            var existing = await credentials.FindAsync(key, ct);
            if (existing is null)
                await credentials.AddAsync(NewCredential(key, secret, tenant, "bootstrap", bootstrap.AuthorityHomePage), ct);
            else if (!SecretHasher.Verify(secret, existing.SecretHash, existing.Salt, existing.Iterations))
            {
                var (hash, salt, iterations) = SecretHasher.Hash(secret);
                await credentials.UpdateSecretAsync(key, hash, salt, iterations, ct);
            }
            return;
        }
        if (await credentials.AnyAsync(ct)) return;

        var newKey = bootstrap.Key is { Length: > 0 } k ? k : Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(10));
        var newSecret = Convert.ToBase64String(RandomNumberGenerator.GetBytes(24)).Replace('+', 'A').Replace('/', 'B').TrimEnd('=');
        await credentials.AddAsync(NewCredential(newKey, newSecret, tenant, "bootstrap", bootstrap.AuthorityHomePage), ct);
        log.LogWarning("First credential created; the secret is shown only now.");
        Console.WriteLine($"""

            LrsApi: first credential created (shown once, store it now)
              key:    {newKey}
              secret: {newSecret}

            """);
    }

    public Task StopAsync(CancellationToken ct) => Task.CompletedTask;

    private Credential NewCredential(string key, string secret, long tenant, string name, string homePage)
    {
        var (hash, salt, iterations) = SecretHasher.Hash(secret);
        var authority = new JsonObject
        {
            ["objectType"] = "Agent",
            ["name"] = name,
            ["account"] = new JsonObject { ["homePage"] = homePage, ["name"] = key },
        };
        // The API's own scopes and operator are never implied by all: the first credential is the operator's, so it gets
        // them by name and can do everything in its tenant and bootstrap others over HTTP (a tenant with its first credential).
        return new Credential(key, tenant, name, hash, salt, iterations, authority.ToJsonString(),
            string.Join(' ', [.. Scopes.WholeTenant, Scopes.Operator]), time.GetUtcNow(), null);
    }
}
