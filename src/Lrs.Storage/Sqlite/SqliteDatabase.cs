using Lrs.Core.Storage;
using Microsoft.Data.Sqlite;

namespace Lrs.Storage.Sqlite;

/// <summary>The embedded store: one SQLite file in WAL mode, one writer at a time.</summary>
public sealed class SqliteDatabase : ISchemaSetup
{
    private readonly string _connectionString;
    private static readonly SqliteMigrator Migrator = new();
    private readonly SemaphoreSlim _writer = new(1, 1);

    /// <summary>Opens (and on first use creates) the database named by an ADO.NET connection string.</summary>
    public SqliteDatabase(string connectionString)
    {
        var builder = new SqliteConnectionStringBuilder(connectionString) { Pooling = true };
        if (builder.DataSource is { Length: > 0 } path && path != ":memory:" && Path.GetDirectoryName(Path.GetFullPath(path)) is { } dir)
            Directory.CreateDirectory(dir);
        _connectionString = builder.ToString();
    }

    /// <summary>An open connection with this store's per-connection settings.</summary>
    public async Task<SqliteConnection> OpenAsync(CancellationToken ct)
    {
        var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync(ct);
        // synchronous=FULL: a statement acknowledged to a client survives a power cut, not only a crash.
        await using var pragma = connection.CreateCommand();
        pragma.CommandText = "PRAGMA busy_timeout=10000; PRAGMA synchronous=FULL;";
        await pragma.ExecuteNonQueryAsync(ct);
        return connection;
    }

    /// <summary>
    /// Whether an exception means the database file cannot be used now (locked by another process beyond the busy
    /// timeout, cannot be opened, I/O error), as opposed to a fault of the request.
    /// </summary>
    public static bool IsUnreachable(Exception exception) =>
        exception is SqliteException { SqliteErrorCode: 5 or 6 or 10 or 14 }; // SQLITE_BUSY, _LOCKED, _IOERR, _CANTOPEN

    /// <summary>Opens a connection and runs <c>SELECT 1</c>: throws while the file cannot be used.</summary>
    public async Task PingAsync(CancellationToken ct)
    {
        await using var connection = await OpenAsync(ct);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT 1";
        await command.ExecuteScalarAsync(ct);
    }

    /// <summary>Waits for the single-writer lock of this process.</summary>
    public async Task<IDisposable> LockWriterAsync(CancellationToken ct)
    {
        await _writer.WaitAsync(ct);
        return new Release(_writer);
    }

    /// <inheritdoc />
    public async Task EnsureSchemaAsync(CancellationToken ct)
    {
        await using var connection = await OpenAsync(ct);
        await using (var wal = connection.CreateCommand())
        {
            // A setting of the file, not of a transaction: it cannot be changed inside one.
            wal.CommandText = "PRAGMA journal_mode=WAL";
            await wal.ExecuteNonQueryAsync(ct);
        }
        using var writer = await LockWriterAsync(ct);
        // BEGIN IMMEDIATE: another process starting on the same file waits (busy timeout) and then finds the work done.
        await using var transaction = connection.BeginTransaction(deferred: false);
        await Migrator.MigrateAsync(transaction, ct, SchemaMigrator.DataSteps(new SqliteDialect(this)));
        await transaction.CommitAsync(ct);
    }

    /// <inheritdoc />
    public int ExpectedSchemaVersion => Migrator.NewestVersion;

    /// <inheritdoc />
    public async Task<int> SchemaVersionAsync(CancellationToken ct)
    {
        await using var connection = await OpenAsync(ct);
        return await SchemaMigrator.RecordedVersionAsync(connection, ct);
    }

    private sealed class Release(SemaphoreSlim semaphore) : IDisposable
    {
        private int _released;
        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0) semaphore.Release();
        }
    }
}
