using Lrs.Api.Hosting;
using Lrs.Core.Storage;

namespace Lrs.Api.Admin.Cli;

/// <summary>What a verb works with: the store and options the server would use, and the operator's name for the audit log.</summary>
internal sealed class Operator(LrsStore store, Administration administration, LrsOptions options, TimeProvider time)
{
    public LrsStore Store { get; } = store;
    public Administration Administration { get; } = administration;
    public LrsOptions Options { get; } = options;
    public TimeProvider Time { get; } = time;
    public string Actor { get; } = "cli:" + Environment.UserName;

    public async Task<Tenant?> FindTenantAsync(string name, CancellationToken ct) =>
        (await Store.Credentials.TenantsAsync(ct)).FirstOrDefault(t => t.Name == name);

    /// <summary>Opens the store as serving does (schema brought up to date), runs the verb, and reports a failure in one line.</summary>
    public static async Task<int> RunAsync(Func<Operator, Task<int>> verb)
    {
        // The same sources as serving (appsettings*.json, environment); command-line arguments here are the verb's own.
        var configuration = WebApplication.CreateBuilder(new WebApplicationOptions { Args = [] }).Configuration;
        var options = configuration.GetSection("Lrs").Get<LrsOptions>() ?? new LrsOptions();
        var time = TimeProvider.System;
        try
        {
            await using var store = LrsStore.Create(options, time);
            await store.Schema.EnsureSchemaAsync(CancellationToken.None);
            return await verb(new Operator(store, new Administration(store.Credentials, store.Audit, time), options, time));
        }
        catch (Exception e)
        {
            // An operator reads this, not a stack trace: a missing connection string, an unreachable server.
            return Terminal.Fail($"Failed: {e.Message}");
        }
    }
}
