using Lrs.Core.Storage;
using Npgsql;

namespace Lrs.Storage.Postgres;

/// <summary>The production store: a PostgreSQL database reached through one pooled data source.</summary>
public sealed class PostgresDatabase : ISchemaSetup, IAsyncDisposable
{
    private static readonly PostgresMigrator Migrator = new();

    /// <summary>
    /// Connects with an ADO.NET connection string; statements used often are prepared automatically, each connection writes
    /// through a 64 kB buffer, and pooled connections are not reset when returned (unless the connection string says otherwise).
    /// Queries of statements, at most <paramref name="readers"/> at once, take their connections from a pool of that many of
    /// their own (0: from the one pool).
    /// </summary>
    public PostgresDatabase(string connectionString, int readers = 0)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        if (builder.MaxAutoPrepare == 0) builder.MaxAutoPrepare = 64;
        // A batch's parameters are 100–200 kB, which Npgsql's default 8 kB write buffer sends in as many calls as it holds buffers:
        // a request of 100 statements made about 29 send calls, 5 with 64 kB (unless the connection string sets Write Buffer Size).
        if (!Says(connectionString, "writebuffersize")) builder.WriteBufferSize = DefaultWriteBufferSize;
        // The stores leave nothing behind in a session (settings are SET LOCAL, advisory locks are transaction locks, no
        // LISTEN, cursors or temporary tables), so the reset Npgsql otherwise sends at every checkout (seven statements:
        // RESET ALL, CLOSE ALL, UNLISTEN *, ...) is pure cost: a profile read checks out three connections, and the
        // resets took about a fifth of its time.
        if (!Says(connectionString, "noresetonclose")) builder.NoResetOnClose = true;
        DataSource = Build(builder);
        // The same few server processes serve the reads in turn: on two cores, four reads of a learner's statements at a time
        // from a pool of four cost PostgreSQL 1.4–2.1 ms each, from the shared pool (sixteen processes taking turns) 1.9–2.8 ms.
        // Named, so that they show as such in pg_stat_activity.
        Reads = readers > 0
            ? Build(new NpgsqlConnectionStringBuilder(builder.ConnectionString)
            {
                MaxPoolSize = readers,
                ApplicationName = builder.ApplicationName is { Length: > 0 } name ? $"{name} {ReadsName}" : ReadsName,
            })
            : DataSource;
    }

    private static NpgsqlDataSource Build(NpgsqlConnectionStringBuilder builder)
    {
        var source = new NpgsqlDataSourceBuilder(builder.ConnectionString);
        // No JIT compilation of queries (unless the connection string's Options set jit). PostgreSQL compiles a query whose
        // estimated cost passes jit_above_cost, at every execution: the reads over a whole tenant (follow-up, goal progress,
        // gaps of a large unit) are estimated high, and paid 100–400 ms of compiling for 250 ms of work.
        if (!(builder.Options ?? "").Contains("jit", StringComparison.OrdinalIgnoreCase))
            source.UsePhysicalConnectionInitializer(NoJit, NoJitAsync);
        return source.Build();
    }

    /// <summary>The application name of the readers' connections (after the connection string's own, if it gives one).</summary>
    public const string ReadsName = "lrs-reads";

    // Npgsql's write buffer per connection unless the connection string sets one.
    private const int DefaultWriteBufferSize = 64 * 1024;

    private const string NoJitSql = "SET jit = off";

    private static void NoJit(NpgsqlConnection connection)
    {
        using var command = new NpgsqlCommand(NoJitSql, connection);
        command.ExecuteNonQuery();
    }

    private static async Task NoJitAsync(NpgsqlConnection connection)
    {
        await using var command = new NpgsqlCommand(NoJitSql, connection);
        await command.ExecuteNonQueryAsync();
    }

    // Whether the connection string itself sets an option (Npgsql's builder reports every option as present).
    private static bool Says(string connectionString, string option) =>
        new System.Data.Common.DbConnectionStringBuilder { ConnectionString = connectionString }.Keys.Cast<string>()
            .Any(k => string.Equals(k.Replace(" ", "", StringComparison.Ordinal), option, StringComparison.OrdinalIgnoreCase));

    /// <summary>The pooled data source.</summary>
    public NpgsqlDataSource DataSource { get; }

    /// <summary>The pool of the queries of statements (the pooled data source itself unless readers were given).</summary>
    public NpgsqlDataSource Reads { get; }

    /// <inheritdoc />
    public async Task EnsureSchemaAsync(CancellationToken ct)
    {
        await using var connection = await DataSource.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        // Nodes that start together queue here; each after the first finds the migrations recorded and does nothing.
        await using (var command = new NpgsqlCommand("SELECT pg_advisory_xact_lock(4711020)", connection, transaction))
            await command.ExecuteNonQueryAsync(ct);
        var applied = await Migrator.MigrateAsync(transaction, ct, SchemaMigrator.DataSteps(new PostgresDialect(this)));
        await transaction.CommitAsync(ct);

        // A migration may have rewritten the statements table, which leaves it without statistics and with an empty visibility
        // map: until a vacuum, the planner guesses and every index-only read of a page goes to the table. Neither the inserts
        // nor the deletes that start autovacuum happened, so the vacuum is run here (outside a transaction, as it must be).
        // Not on an empty table: analysed, it is known to be empty, and the planner then checks a first large batch's ids
        // against it with a scan per statement (quadratic: a batch of 32,766 took over 30 s), where unanalysed it hashes them.
        if (applied.Count > 0)
        {
            await using var any = new NpgsqlCommand("SELECT EXISTS (SELECT 1 FROM statements)", connection);
            if ((bool)(await any.ExecuteScalarAsync(ct))!)
            {
                await using var vacuum = new NpgsqlCommand("VACUUM (ANALYZE) statements", connection) { CommandTimeout = 0 };
                await vacuum.ExecuteNonQueryAsync(ct);
            }
        }
    }

    /// <inheritdoc />
    public int ExpectedSchemaVersion => Migrator.NewestVersion;

    /// <inheritdoc />
    public async Task<int> SchemaVersionAsync(CancellationToken ct)
    {
        await using var connection = await DataSource.OpenConnectionAsync(ct);
        return await SchemaMigrator.RecordedVersionAsync(connection, ct);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (Reads != DataSource) await Reads.DisposeAsync();
        await DataSource.DisposeAsync();
    }

    /// <summary>
    /// Whether an exception means the server cannot be reached or is going away (refused or broken connection, shutdown,
    /// no connections left), as opposed to a fault of the request: the same request can succeed once the server is back.
    /// </summary>
    public static bool IsUnreachable(Exception exception) => exception switch
    {
        PostgresException p => p.SqlState.StartsWith("08", StringComparison.Ordinal) || p.SqlState is PostgresErrorCodes.AdminShutdown
            or PostgresErrorCodes.CrashShutdown or PostgresErrorCodes.CannotConnectNow or PostgresErrorCodes.TooManyConnections,
        // Not a server's answer: the socket (refused, reset, timed out) or the pool (no connection in time).
        NpgsqlException n => n.IsTransient,
        _ => false,
    };

    /// <summary>Opens a connection and runs <c>SELECT 1</c>: throws while the server is unreachable.</summary>
    public async Task PingAsync(CancellationToken ct)
    {
        await using var command = DataSource.CreateCommand("SELECT 1");
        await command.ExecuteScalarAsync(ct);
    }
}
