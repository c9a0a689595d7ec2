using System.Data.Common;

namespace Lrs.Storage;

/// <summary>
/// What differs between the SQLite and the PostgreSQL store, and nothing else: connections, the write lock, how times,
/// ids and lists travel, and the SQL that has no common form (<see cref="Sql"/>). The stores are written once against it.
/// Parameters are written <c>@name</c>, which both drivers accept.
/// </summary>
public abstract class Dialect
{
    /// <summary>Whether this is PostgreSQL (else SQLite).</summary>
    public abstract bool IsPostgres { get; }

    /// <summary>The form of a piece of SQL for this dialect; the two stand side by side where they are used.</summary>
    public string Sql(string sqlite, string postgres) => IsPostgres ? postgres : sqlite;

    /// <summary>A collation that orders text by code point, as SQLite does by default.</summary>
    public string Binary => IsPostgres ? " COLLATE \"C\"" : "";

    /// <summary>What follows a JSON column read as text (PostgreSQL's jsonb is cast).</summary>
    public string AsText => IsPostgres ? "::text" : "";

    /// <summary>What follows a text parameter written to a JSON column (PostgreSQL casts it to jsonb).</summary>
    public string AsJson => IsPostgres ? "::jsonb" : "";

    /// <summary>Whether a failed write transaction may simply be tried again (a deadlock, a serialization failure, ...).</summary>
    public virtual bool IsTransient(Exception exception) => false;

    /// <summary>Whether an exception means the database is unreachable (see the database classes), not a fault of the request.</summary>
    public abstract bool IsUnreachable(Exception exception);

    /// <summary>An open connection.</summary>
    public abstract Task<DbConnection> OpenAsync(CancellationToken ct);

    /// <summary>An open connection for a query of statements: on PostgreSQL from the pool of the bounded readers.</summary>
    public virtual Task<DbConnection> OpenReadAsync(CancellationToken ct) => OpenAsync(ct);

    /// <summary>
    /// A write transaction. SQLite: the process's single writer and an immediate transaction, whatever the key.
    /// PostgreSQL: a read-committed transaction, serialised with every other holder of <paramref name="lockKey"/>
    /// (an advisory lock on its hash) when one is given.
    /// </summary>
    public abstract Task<WriteLease> BeginWriteAsync(string? lockKey, CancellationToken ct);

    /// <summary>A time as a parameter value (SQLite: microseconds since the epoch; PostgreSQL: timestamptz).</summary>
    public abstract object Time(DateTimeOffset time);

    /// <summary>A nullable time as a parameter value.</summary>
    public object Time(DateTimeOffset? time) => time is { } t ? Time(t) : DBNull.Value;

    /// <summary>The time in a column.</summary>
    public abstract DateTimeOffset Time(DbDataReader r, int i);

    /// <summary>The time in a nullable column.</summary>
    public DateTimeOffset? TimeOrNull(DbDataReader r, int i) => r.IsDBNull(i) ? null : Time(r, i);

    /// <summary>A uuid as a parameter value (SQLite: lower-case text; PostgreSQL: uuid).</summary>
    public abstract object Uuid(Guid id);

    /// <summary>The uuid in a column.</summary>
    public abstract Guid Uuid(DbDataReader r, int i);

    /// <summary>The uuid in a nullable column.</summary>
    public Guid? UuidOrNull(DbDataReader r, int i) => r.IsDBNull(i) ? null : Uuid(r, i);

    /// <summary>A list of values as one parameter value, for <see cref="In"/> (SQLite: a JSON array; PostgreSQL: an array).</summary>
    public abstract object List<T>(IEnumerable<T> values);

    /// <summary>"is one of the list in parameter <paramref name="name"/>", to follow an expression.</summary>
    public string In(string name) => IsPostgres ? $" = ANY(@{name})" : $" IN (SELECT value FROM json_each(@{name}))";

    /// <summary>
    /// A subquery's values as one column, read with <see cref="Strings"/> (SQLite: a JSON array; PostgreSQL: an array).
    /// </summary>
    public string ArrayOf(string expression, string fromWhere, string orderBy) => IsPostgres
        ? $"ARRAY(SELECT {expression} {fromWhere} ORDER BY {orderBy})"
        : $"(SELECT json_group_array({expression} ORDER BY {orderBy}) {fromWhere})";

    /// <summary>A list of strings aggregated in a column (SQLite: a JSON array; PostgreSQL: an array).</summary>
    public abstract string[] Strings(DbDataReader r, int i);

    /// <summary>
    /// Runs <paramref name="sql"/> once for every row: PostgreSQL in one round trip with the columns as arrays,
    /// SQLite as one prepared statement per row. In the SQL, <c>{rows}</c> stands for a row source aliased <c>r</c>
    /// whose columns are named as in <paramref name="columns"/>, plus <c>n</c>, the row's position. Returns the rows it affected.
    /// </summary>
    public abstract Task<int> ForEachRowAsync<T>(DbCommand command, string sql, IReadOnlyList<T> rows, CancellationToken ct, params Column<T>[] columns);

    /// <summary>The rows of one query, read by <paramref name="read"/>.</summary>
    public async Task<List<T>> QueryAsync<T>(string sql, Func<DbDataReader, T> read, CancellationToken ct, params (string Name, object? Value)[] parameters)
    {
        await using var connection = await OpenAsync(ct);
        await using var command = Command(connection, null, sql, parameters);
        return await command.ListAsync(read, ct);
    }

    /// <summary>The first value of one query (null when it found no row).</summary>
    public async Task<object?> ScalarAsync(string sql, CancellationToken ct, params (string Name, object? Value)[] parameters)
    {
        await using var connection = await OpenAsync(ct);
        await using var command = Command(connection, null, sql, parameters);
        return await command.ExecuteScalarAsync(ct);
    }

    /// <summary>Runs one writing statement in a write transaction of its own; returns the rows it affected.</summary>
    public async Task<int> ExecuteAsync(string sql, CancellationToken ct, params (string Name, object? Value)[] parameters)
    {
        await using var write = await BeginWriteAsync(null, ct);
        await using var command = write.Command(sql, parameters);
        var affected = await command.ExecuteNonQueryAsync(ct);
        await write.CommitAsync(ct);
        return affected;
    }

    /// <summary>A command on a connection (and transaction) with its parameters.</summary>
    public static DbCommand Command(DbConnection connection, DbTransaction? transaction, string sql, params (string Name, object? Value)[] parameters)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        foreach (var (name, value) in parameters) command.With(name, value);
        return command;
    }
}

/// <summary>The type of a batched column, for PostgreSQL's typed arrays.</summary>
public enum ColumnType { Text, Uuid, Time, Boolean, Long, Json, Double }

/// <summary>A column of a row batch: its name, type and value.</summary>
public sealed record Column<T>(string Name, ColumnType Type, Func<T, object?> Value);

/// <summary>Parameters written once for both drivers.</summary>
public static class DbCommandParameters
{
    /// <summary>A command in the lease's transaction.</summary>
    public static DbCommand Command(this WriteLease write, string sql, params (string Name, object? Value)[] parameters) =>
        Dialect.Command(write.Connection, write.Transaction, sql, parameters);

    /// <summary>Adds parameter <c>@name</c> (null as SQL NULL) and returns the command.</summary>
    public static DbCommand With(this DbCommand command, string name, object? value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = "@" + name;
        parameter.Value = value ?? DBNull.Value;
        command.Parameters.Add(parameter);
        return command;
    }

    /// <summary>The rows of a query, read by <paramref name="read"/>.</summary>
    public static async Task<List<T>> ListAsync<T>(this DbCommand command, Func<DbDataReader, T> read, CancellationToken ct)
    {
        var list = new List<T>();
        await using var r = await command.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct)) list.Add(read(r));
        return list;
    }

    /// <summary>A nullable string column.</summary>
    public static string? StringOrNull(this DbDataReader r, int i) => r.IsDBNull(i) ? null : r.GetString(i);
}

/// <summary>An open connection with a write transaction; rolled back unless committed.</summary>
public sealed class WriteLease(DbConnection connection, DbTransaction transaction, IDisposable? writerLock) : IAsyncDisposable
{
    /// <summary>The connection.</summary>
    public DbConnection Connection { get; } = connection;
    /// <summary>The transaction.</summary>
    public DbTransaction Transaction { get; } = transaction;

    /// <summary>Commits the transaction.</summary>
    public Task CommitAsync(CancellationToken ct) => Transaction.CommitAsync(ct);

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await Transaction.DisposeAsync();
        await Connection.DisposeAsync();
        writerLock?.Dispose();
    }
}
