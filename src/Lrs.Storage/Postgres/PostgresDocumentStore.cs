using Lrs.Core.Storage;
using Npgsql;
using NpgsqlTypes;

namespace Lrs.Storage.Postgres;

/// <summary>State, Activity Profile and Agent Profile documents in PostgreSQL.</summary>
public sealed class PostgresDocumentStore(PostgresDatabase database, TimeProvider time) : IDocumentStore
{
    private const string AddressFilter =
        "tenant_id = @t AND kind = @kind AND activity_id = @activity AND agent_key = @agent AND registration = @reg AND document_id = @id";

    /// <inheritdoc />
    public async Task<StoredDocument?> GetAsync(long tenantId, DocumentAddress address, CancellationToken ct)
    {
        await using var connection = await database.DataSource.OpenConnectionAsync(ct);
        return await ReadAsync(connection, null, tenantId, address, ct);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<DocumentStamp>> ListAsync(long tenantId, DocumentSet set, DateTimeOffset? since, CancellationToken ct)
    {
        await using var command = database.DataSource.CreateCommand();
        command.CommandText = "SELECT document_id, max(updated) FROM documents WHERE " + SetFilter(command, tenantId, set)
            + (since is null ? "" : " AND updated > @since") + " GROUP BY document_id ORDER BY document_id";
        if (since is { } s) command.Parameters.AddWithValue("since", NpgsqlDbType.TimestampTz, s.UtcDateTime);
        var result = new List<DocumentStamp>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
            result.Add(new DocumentStamp(reader.GetString(0), new DateTimeOffset(reader.GetDateTime(1), TimeSpan.Zero)));
        return result;
    }

    /// <inheritdoc />
    public async Task<DocumentChange> ChangeAsync(long tenantId, DocumentAddress address, Func<StoredDocument?, DocumentChange> decide, CancellationToken ct)
    {
        await using var connection = await database.DataSource.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);

        // A row lock cannot guard a document that does not exist yet, so writers of one address queue on an
        // advisory lock keyed by its hash (a collision only makes two addresses wait for each other).
        await using (var lockCommand = new NpgsqlCommand("SELECT pg_advisory_xact_lock(hashtextextended(@key, 0))", connection, transaction))
        {
            lockCommand.Parameters.AddWithValue("key", string.Join('\u001f',
                tenantId.ToString(System.Globalization.CultureInfo.InvariantCulture), ((int)address.Kind).ToString(System.Globalization.CultureInfo.InvariantCulture),
                address.ActivityId, address.AgentKey, address.Registration, address.Id));
            await lockCommand.ExecuteNonQueryAsync(ct);
        }

        var change = decide(await ReadAsync(connection, transaction, tenantId, address, ct));
        if (change.Action == DocumentAction.None) return change;

        await using var command = new NpgsqlCommand("", connection, transaction);
        AddAddress(command, tenantId, address);
        if (change.Action == DocumentAction.Delete)
            command.CommandText = "DELETE FROM documents WHERE " + AddressFilter;
        else
        {
            command.CommandText = """
                INSERT INTO documents (tenant_id, kind, activity_id, agent_key, registration, document_id, content, content_type, etag, updated)
                VALUES (@t, @kind, @activity, @agent, @reg, @id, @content, @type, @etag, @updated)
                ON CONFLICT (tenant_id, kind, activity_id, agent_key, registration, document_id) DO UPDATE SET
                    content = excluded.content, content_type = excluded.content_type, etag = excluded.etag, updated = excluded.updated
                """;
            command.Parameters.AddWithValue("content", NpgsqlDbType.Bytea, change.Content!);
            command.Parameters.AddWithValue("type", change.ContentType!);
            command.Parameters.AddWithValue("etag", change.ETag!);
            command.Parameters.AddWithValue("updated", NpgsqlDbType.TimestampTz, time.GetUtcNow().UtcDateTime);
        }
        await command.ExecuteNonQueryAsync(ct);
        await transaction.CommitAsync(ct);
        return change;
    }

    /// <inheritdoc />
    public async Task DeleteAllAsync(long tenantId, DocumentSet set, CancellationToken ct)
    {
        await using var command = database.DataSource.CreateCommand();
        command.CommandText = "DELETE FROM documents WHERE " + SetFilter(command, tenantId, set);
        await command.ExecuteNonQueryAsync(ct);
    }

    private static async Task<StoredDocument?> ReadAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, long tenantId, DocumentAddress address, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand("SELECT content, content_type, etag, updated FROM documents WHERE " + AddressFilter, connection, transaction);
        AddAddress(command, tenantId, address);
        await using var reader = await command.ExecuteReaderAsync(ct);
        if (!await reader.ReadAsync(ct)) return null;
        return new StoredDocument((byte[])reader[0], reader.GetString(1), reader.GetString(2), new DateTimeOffset(reader.GetDateTime(3), TimeSpan.Zero));
    }

    private static void AddAddress(NpgsqlCommand command, long tenantId, DocumentAddress address)
    {
        command.Parameters.AddWithValue("t", tenantId);
        command.Parameters.AddWithValue("kind", (short)address.Kind);
        command.Parameters.AddWithValue("activity", address.ActivityId);
        command.Parameters.AddWithValue("agent", address.AgentKey);
        command.Parameters.AddWithValue("reg", address.Registration);
        command.Parameters.AddWithValue("id", address.Id);
    }

    private static string SetFilter(NpgsqlCommand command, long tenantId, DocumentSet set)
    {
        command.Parameters.AddWithValue("t", tenantId);
        command.Parameters.AddWithValue("kind", (short)set.Kind);
        command.Parameters.AddWithValue("activity", set.ActivityId);
        command.Parameters.AddWithValue("agent", set.AgentKey);
        if (set.Registration is null)
            return "tenant_id = @t AND kind = @kind AND activity_id = @activity AND agent_key = @agent";
        command.Parameters.AddWithValue("reg", set.Registration);
        return "tenant_id = @t AND kind = @kind AND activity_id = @activity AND agent_key = @agent AND registration = @reg";
    }
}
