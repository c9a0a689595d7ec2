using Lrs.Core.Storage;
using Microsoft.Data.Sqlite;
using static Lrs.Storage.Sqlite.SqliteStatementStore;

namespace Lrs.Storage.Sqlite;

/// <summary>State, Activity Profile and Agent Profile documents in SQLite.</summary>
public sealed class SqliteDocumentStore(SqliteDatabase database, TimeProvider time) : IDocumentStore
{
    private const string AddressFilter =
        "tenant_id = $t AND kind = $kind AND activity_id = $activity AND agent_key = $agent AND registration = $reg AND document_id = $id";

    /// <inheritdoc />
    public async Task<StoredDocument?> GetAsync(long tenantId, DocumentAddress address, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        return await ReadAsync(connection, null, tenantId, address, ct);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<DocumentStamp>> ListAsync(long tenantId, DocumentSet set, DateTimeOffset? since, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT document_id, MAX(updated) FROM documents WHERE " + SetFilter(command, tenantId, set)
            + (since is null ? "" : " AND updated > $since") + " GROUP BY document_id ORDER BY document_id";
        if (since is { } s) command.Parameters.AddWithValue("$since", Micros(s));
        var result = new List<DocumentStamp>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct)) result.Add(new DocumentStamp(reader.GetString(0), FromMicros(reader.GetInt64(1))));
        return result;
    }

    /// <inheritdoc />
    public async Task<DocumentChange> ChangeAsync(long tenantId, DocumentAddress address, Func<StoredDocument?, DocumentChange> decide, CancellationToken ct)
    {
        // The single writer lock plus an immediate transaction: nothing writes between the read and the write.
        using var writer = await database.LockWriterAsync(ct);
        await using var connection = await database.OpenAsync(ct);
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(System.Data.IsolationLevel.Serializable, ct);
        var change = decide(await ReadAsync(connection, transaction, tenantId, address, ct));
        if (change.Action == DocumentAction.None) return change;

        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        AddAddress(command, tenantId, address);
        if (change.Action == DocumentAction.Delete)
            command.CommandText = "DELETE FROM documents WHERE " + AddressFilter;
        else
        {
            command.CommandText = """
                INSERT INTO documents (tenant_id, kind, activity_id, agent_key, registration, document_id, content, content_type, etag, updated)
                VALUES ($t, $kind, $activity, $agent, $reg, $id, $content, $type, $etag, $updated)
                ON CONFLICT (tenant_id, kind, activity_id, agent_key, registration, document_id) DO UPDATE SET
                    content = excluded.content, content_type = excluded.content_type, etag = excluded.etag, updated = excluded.updated
                """;
            command.Parameters.AddWithValue("$content", change.Content!);
            command.Parameters.AddWithValue("$type", change.ContentType!);
            command.Parameters.AddWithValue("$etag", change.ETag!);
            command.Parameters.AddWithValue("$updated", Micros(time.GetUtcNow()));
        }
        await command.ExecuteNonQueryAsync(ct);
        await transaction.CommitAsync(ct);
        return change;
    }

    /// <inheritdoc />
    public async Task DeleteAllAsync(long tenantId, DocumentSet set, CancellationToken ct)
    {
        using var writer = await database.LockWriterAsync(ct);
        await using var connection = await database.OpenAsync(ct);
        await using var command = connection.CreateCommand();
        command.CommandText = "DELETE FROM documents WHERE " + SetFilter(command, tenantId, set);
        await command.ExecuteNonQueryAsync(ct);
    }

    private static async Task<StoredDocument?> ReadAsync(SqliteConnection connection, SqliteTransaction? transaction, long tenantId, DocumentAddress address, CancellationToken ct)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "SELECT content, content_type, etag, updated FROM documents WHERE " + AddressFilter;
        AddAddress(command, tenantId, address);
        await using var reader = await command.ExecuteReaderAsync(ct);
        if (!await reader.ReadAsync(ct)) return null;
        return new StoredDocument((byte[])reader[0], reader.GetString(1), reader.GetString(2), FromMicros(reader.GetInt64(3)));
    }

    private static void AddAddress(SqliteCommand command, long tenantId, DocumentAddress address)
    {
        command.Parameters.AddWithValue("$t", tenantId);
        command.Parameters.AddWithValue("$kind", (int)address.Kind);
        command.Parameters.AddWithValue("$activity", address.ActivityId);
        command.Parameters.AddWithValue("$agent", address.AgentKey);
        command.Parameters.AddWithValue("$reg", address.Registration);
        command.Parameters.AddWithValue("$id", address.Id);
    }

    private static string SetFilter(SqliteCommand command, long tenantId, DocumentSet set)
    {
        command.Parameters.AddWithValue("$t", tenantId);
        command.Parameters.AddWithValue("$kind", (int)set.Kind);
        command.Parameters.AddWithValue("$activity", set.ActivityId);
        command.Parameters.AddWithValue("$agent", set.AgentKey);
        if (set.Registration is null)
            return "tenant_id = $t AND kind = $kind AND activity_id = $activity AND agent_key = $agent";
        command.Parameters.AddWithValue("$reg", set.Registration);
        return "tenant_id = $t AND kind = $kind AND activity_id = $activity AND agent_key = $agent AND registration = $reg";
    }
}
