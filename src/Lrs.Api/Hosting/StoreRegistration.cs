using Lrs.Core.Storage;
using Lrs.Storage;
using Lrs.Storage.Postgres;
using Lrs.Storage.Sqlite;

namespace Lrs.Api.Hosting;

public static class StoreRegistration
{
    public const string DefaultSqlite = "Data Source=data/lrs.db";

    /// <summary>Registers the configured store's adapters behind the storage interfaces.</summary>
    public static IServiceCollection AddLrsStore(this IServiceCollection services, IConfiguration configuration)
    {
        var storage = configuration.GetSection("Lrs:Storage").Get<StorageOptions>() ?? new StorageOptions();
        switch (storage.Provider.ToLowerInvariant())
        {
            case "sqlite":
                services.AddSingleton(new SqliteDatabase(storage.ConnectionString ?? DefaultSqlite));
                services.AddSingleton<ISchemaSetup>(sp => sp.GetRequiredService<SqliteDatabase>());
                // SQLite has one writer whatever we do; its writer gains most from sharing commits.
                services.AddSingleton<IStatementStore>(sp => new GroupCommitStatementStore(
                    new SqliteStatementStore(sp.GetRequiredService<SqliteDatabase>()), storage.Writers is > 0 and var w ? w : 1));
                services.AddSingleton<ICredentialStore, SqliteCredentialStore>();
                services.AddSingleton<IKnowledgeStore, SqliteKnowledgeStore>();
                services.AddSingleton<IDocumentStore, SqliteDocumentStore>();
                break;
            case "postgres" or "postgresql":
                services.AddSingleton(new PostgresDatabase(storage.ConnectionString
                    ?? throw new InvalidOperationException("Lrs:Storage:ConnectionString is required for the Postgres provider.")));
                services.AddSingleton<ISchemaSetup>(sp => sp.GetRequiredService<PostgresDatabase>());
                services.AddSingleton<IStatementStore>(sp => new GroupCommitStatementStore(
                    new PostgresStatementStore(sp.GetRequiredService<PostgresDatabase>()), storage.Writers is > 0 and var w ? w : 2));
                services.AddSingleton<ICredentialStore, PostgresCredentialStore>();
                services.AddSingleton<IKnowledgeStore, PostgresKnowledgeStore>();
                services.AddSingleton<IDocumentStore, PostgresDocumentStore>();
                break;
            default:
                throw new InvalidOperationException($"Unknown Lrs:Storage:Provider '{storage.Provider}': use Sqlite or Postgres.");
        }
        return services;
    }
}
