using Lrs.Core.Storage;
using Lrs.Storage;
using Lrs.Storage.Postgres;
using Lrs.Storage.Sqlite;
using Microsoft.Extensions.Options;

namespace Lrs.Api.Hosting;

/// <summary>The adapters of the configured store, created together when first needed.</summary>
public sealed class LrsStore : IAsyncDisposable
{
    public const string DefaultSqlite = "Data Source=data/lrs.db";

    private readonly IAsyncDisposable[] _owned;

    private LrsStore(ISchemaSetup schema, IStatementStore statements, ICredentialStore credentials, IKnowledgeStore knowledge, IDocumentStore documents, IAuditLog audit, ICompetenceStore competence, IPeopleStore people, params IAsyncDisposable[] owned)
    {
        (Schema, Statements, Credentials, Knowledge, Documents, Audit, Competence, People, _owned) = (schema, statements, credentials, knowledge, documents, audit, competence, people, owned);
    }

    public ISchemaSetup Schema { get; }
    public IStatementStore Statements { get; }
    public ICredentialStore Credentials { get; }
    public IKnowledgeStore Knowledge { get; }
    public IDocumentStore Documents { get; }
    public IAuditLog Audit { get; }
    public ICompetenceStore Competence { get; }
    public IPeopleStore People { get; }
    public IReflectionStore Reflection { get; private init; } = null!;
    public ISessionStore Sessions { get; private init; } = null!;
    public IPrivacyStore Privacy { get; private init; } = null!;
    public IEventStore Events { get; private init; } = null!;
    public IPlanningStore Planning { get; private init; } = null!;
    public IFollowUpStore FollowUp { get; private init; } = null!;

    /// <summary>Whether an exception of this store means the database is unreachable (not a fault of the request).</summary>
    public Func<Exception, bool> IsUnreachable { get; private init; } = _ => false;

    /// <summary>
    /// Where several nodes share the database (PostgreSQL): publishes this node's consistency bound and returns the
    /// smallest another node published. Null for a store only one node uses (SQLite).
    /// </summary>
    public ConsistencyExchange? Consistency { get; private init; }

    /// <summary>Throws while the database is unreachable.</summary>
    public Func<CancellationToken, Task> PingAsync { get; private init; } = _ => Task.CompletedTask;

    /// <summary>The store <paramref name="options"/> configure; competence statuses are announced with its expiring window.</summary>
    public static LrsStore Create(LrsOptions options, TimeProvider time, StoreMetrics? metrics = null) =>
        Create(options.Storage, time, TimeSpan.FromDays(options.Competence.ExpiringWindowDays), metrics);

    /// <summary>Creates the adapters of <paramref name="storage"/>; the statement store reports to <paramref name="metrics"/>.</summary>
    public static LrsStore Create(StorageOptions storage, TimeProvider time, TimeSpan expiringWindow, StoreMetrics? metrics = null)
    {
        switch (storage.Provider.ToLowerInvariant())
        {
            case "sqlite":
            {
                var database = new SqliteDatabase(storage.ConnectionString ?? DefaultSqlite);
                var dialect = new SqliteDialect(database);
                var frameworks = new FrameworkCache();
                // SQLite has one writer whatever we do; its writer gains most from sharing commits.
                var statements = new GroupCommitStatementStore(new StatementStore(dialect, frameworks, expiringWindow, metrics), storage.Writers is > 0 and var w ? w : 1, metrics: metrics,
                    readers: Readers(storage));
                return new LrsStore(database, statements, new CredentialStore(dialect), new KnowledgeStore(dialect), new DocumentStore(dialect, time), new AuditLog(dialect),
                    new CompetenceStore(dialect, frameworks, time), new PeopleStore(dialect), statements)
                {
                    Reflection = new ReflectionStore(dialect),
                    Sessions = new SessionStore(dialect),
                    Privacy = new PrivacyStore(dialect),
                    Events = new EventStore(dialect, frameworks, expiringWindow),
                    Planning = new PlanningStore(dialect),
                    FollowUp = new FollowUpStore(dialect),
                    IsUnreachable = SqliteDatabase.IsUnreachable,
                    PingAsync = database.PingAsync,
                };
            }
            case "postgres" or "postgresql":
            {
                var connectionString = storage.ConnectionString
                    ?? throw new InvalidOperationException("Lrs:Storage:ConnectionString is required for the Postgres provider.");
                var readers = Readers(storage);
                var database = new PostgresDatabase(connectionString, readers);
                var dialect = new PostgresDialect(database);
                var frameworks = new FrameworkCache();
                // As many lanes as writers: batches of many statements keep that many more transactions in flight.
                var writers = storage.Writers is > 0 and var w ? w : 2;
                var keyStatistics = new KeyStatistics(TimeSpan.FromSeconds(storage.KeyStatisticsSeconds), storage.RareKeyStatements);
                var statements = new GroupCommitStatementStore(new StatementStore(dialect, frameworks, expiringWindow, metrics, keyStatistics), writers, metrics: metrics, lanes: writers,
                    readers: readers);
                var consistency = new ConsistencyExchange(connectionString);
                return new LrsStore(database, statements, new CredentialStore(dialect), new KnowledgeStore(dialect), new DocumentStore(dialect, time), new AuditLog(dialect),
                    new CompetenceStore(dialect, frameworks, time), new PeopleStore(dialect), statements, consistency, database)
                {
                    Consistency = consistency,
                    Reflection = new ReflectionStore(dialect),
                    Sessions = new SessionStore(dialect),
                    Privacy = new PrivacyStore(dialect),
                    Events = new EventStore(dialect, frameworks, expiringWindow),
                    Planning = new PlanningStore(dialect),
                    FollowUp = new FollowUpStore(dialect),
                    IsUnreachable = PostgresDatabase.IsUnreachable,
                    PingAsync = database.PingAsync,
                };
            }
            default:
                throw new InvalidOperationException($"Unknown Lrs:Storage:Provider '{storage.Provider}': use Sqlite or Postgres.");
        }
    }

    /// <summary>How many statement queries run at once: the configured number, else twice the processors.</summary>
    private static int Readers(StorageOptions storage) => storage.Readers is > 0 and var r ? r : 2 * Environment.ProcessorCount;

    public async ValueTask DisposeAsync()
    {
        // Queued writes finish before the connections go. Each part is disposed even if one before it failed: above all the
        // consistency exchange, whose connection left open would keep showing this node's last bound to the other nodes.
        List<Exception>? failures = null;
        foreach (var owned in _owned)
        {
            try
            {
                await owned.DisposeAsync();
            }
            catch (Exception e)
            {
                (failures ??= []).Add(e);
            }
        }
        if (failures is not null) throw new AggregateException(failures);
    }
}

public static class StoreRegistration
{
    /// <summary>
    /// Registers the storage interfaces. The store is created from <see cref="LrsOptions"/> when first resolved,
    /// so every configuration source (including those a host adds after Program ran) decides which store it is.
    /// </summary>
    public static IServiceCollection AddLrsStore(this IServiceCollection services)
    {
        services.AddSingleton(sp => LrsStore.Create(sp.GetRequiredService<IOptions<LrsOptions>>().Value, sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<LrsMetrics>().Store));
        services.AddSingleton(sp => sp.GetRequiredService<LrsStore>().Schema);
        services.AddSingleton(sp => sp.GetRequiredService<LrsStore>().Statements);
        services.AddSingleton(sp => sp.GetRequiredService<LrsStore>().Credentials);
        services.AddSingleton(sp => sp.GetRequiredService<LrsStore>().Knowledge);
        services.AddSingleton(sp => sp.GetRequiredService<LrsStore>().Documents);
        services.AddSingleton(sp => sp.GetRequiredService<LrsStore>().Audit);
        services.AddSingleton(sp => sp.GetRequiredService<LrsStore>().Competence);
        services.AddSingleton(sp => sp.GetRequiredService<LrsStore>().People);
        services.AddSingleton(sp => sp.GetRequiredService<LrsStore>().Reflection);
        services.AddSingleton(sp => sp.GetRequiredService<LrsStore>().Sessions);
        services.AddSingleton(sp => sp.GetRequiredService<LrsStore>().Privacy);
        services.AddSingleton(sp => sp.GetRequiredService<LrsStore>().Events);
        services.AddSingleton(sp => sp.GetRequiredService<LrsStore>().Planning);
        services.AddSingleton(sp => sp.GetRequiredService<LrsStore>().FollowUp);
        services.AddSingleton<StoreOutage>();
        services.AddSingleton<Admin.Administration>();
        return services;
    }
}
