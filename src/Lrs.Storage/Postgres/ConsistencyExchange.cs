using System.Globalization;
using Npgsql;

namespace Lrs.Storage.Postgres;

/// <summary>
/// How the nodes on one PostgreSQL database tell each other how far their writes are committed, without a table: each
/// holds one connection whose <c>application_name</c> carries its bound (<c>lrs-through</c> and microseconds since
/// 1970), and reads the others' from <c>pg_stat_activity</c>. A node that stops loses its connection and so drops
/// out; its writes in flight ended with it. The connection is outside the pool: a pooled one would go back to the pool
/// still named, and a name nobody updates would hold every other node's bound back.
/// </summary>
public sealed class ConsistencyExchange(string connectionString) : IAsyncDisposable
{
    private const string Prefix = "lrs-through ";
    private readonly string _connectionString = new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ConnectionString;
    // One exchange at a time, and never one during or after disposal: an exchange that opened its connection after the
    // store was disposed would leave it open, still named with this node's last bound, and that bound, no longer renewed,
    // would hold every other node's header back for as long as the process lives.
    private readonly SemaphoreSlim _gate = new(1, 1);
    private NpgsqlConnection? _connection;
    private bool _disposed;

    /// <summary>Publishes this node's bound and returns the smallest bound another node published (null: none).</summary>
    /// <exception cref="ObjectDisposedException">The exchange was disposed: this node no longer publishes.</exception>
    public async Task<DateTimeOffset?> ExchangeAsync(DateTimeOffset own, CancellationToken ct)
    {
        await _gate.WaitAsync(ct);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_connection is null)
            {
                var connection = new NpgsqlConnection(_connectionString);
                await connection.OpenAsync(ct);
                _connection = connection;
            }
            await using var command = new NpgsqlCommand("""
                SELECT set_config('application_name', @name, false);
                SELECT application_name FROM pg_stat_activity
                WHERE datname = current_database() AND pid <> pg_backend_pid() AND application_name LIKE 'lrs-through %'
                """, _connection);
            command.Parameters.AddWithValue("name", Prefix + (own.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / TimeSpan.TicksPerMicrosecond);
            await using var reader = await command.ExecuteReaderAsync(ct);
            await reader.NextResultAsync(ct);
            long? smallest = null;
            while (await reader.ReadAsync(ct))
                if (long.TryParse(reader.GetString(0).AsSpan(Prefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var micros))
                    smallest = Math.Min(smallest ?? long.MaxValue, micros);
            return smallest is { } m ? DateTimeOffset.UnixEpoch.AddTicks(m * TimeSpan.TicksPerMicrosecond) : null;
        }
        catch (Exception e) when (e is not ObjectDisposedException)
        {
            // A broken connection is opened anew next time.
            await CloseAsync();
            throw;
        }
        finally
        {
            _gate.Release();
        }
    }

    private async ValueTask CloseAsync()
    {
        if (_connection is { } connection)
        {
            _connection = null;
            await connection.DisposeAsync();
        }
    }

    /// <summary>Closes the connection, so this node drops out of the others' view; later exchanges throw.</summary>
    public async ValueTask DisposeAsync()
    {
        await _gate.WaitAsync();
        try
        {
            _disposed = true;
            await CloseAsync();
        }
        finally
        {
            _gate.Release();
        }
    }
}
