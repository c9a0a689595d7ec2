using System.Data.Common;
using System.Globalization;
using Lrs.Core.Storage;

namespace Lrs.Storage;

/// <summary>State, Activity Profile and Agent Profile documents.</summary>
public sealed class DocumentStore(Dialect db, TimeProvider time) : IDocumentStore
{
    private const string AddressFilter =
        "tenant_id = @t AND kind = @kind AND activity_id = @activity AND agent_key = @agent AND registration = @reg AND document_id = @id";

    /// <inheritdoc />
    public async Task<StoredDocument?> GetAsync(long tenantId, DocumentAddress address, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        return await ReadAsync(connection, null, tenantId, address, ct);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<DocumentStamp>> ListAsync(long tenantId, DocumentSet set, DateTimeOffset? since, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        await using var command = Dialect.Command(connection, null, "");
        command.CommandText = "SELECT document_id, MAX(updated) FROM documents WHERE " + SetFilter(command, tenantId, set)
            + (since is null ? "" : " AND updated > @since") + " GROUP BY document_id ORDER BY document_id";
        if (since is { } s) command.With("since", db.Time(s));
        return await command.ListAsync(r => new DocumentStamp(r.GetString(0), db.Time(r, 1)), ct);
    }

    /// <inheritdoc />
    public async Task<DocumentChange> ChangeAsync(long tenantId, DocumentAddress address, Func<StoredDocument?, DocumentChange> decide, CancellationToken ct)
    {
        // Nothing writes the address between the read and the write: SQLite has one writer, PostgreSQL locks the address.
        await using var write = await db.BeginWriteAsync(string.Join('\u001f', tenantId.ToString(CultureInfo.InvariantCulture),
            ((int)address.Kind).ToString(CultureInfo.InvariantCulture), address.ActivityId, address.AgentKey, address.Registration, address.Id), ct);
        var change = decide(await ReadAsync(write.Connection, write.Transaction, tenantId, address, ct));
        if (change.Action == DocumentAction.None) return change;

        await using var command = write.Command("");
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
            command.With("content", change.Content!).With("type", change.ContentType!).With("etag", change.ETag!).With("updated", db.Time(time.GetUtcNow()));
        }
        await command.ExecuteNonQueryAsync(ct);
        await write.CommitAsync(ct);
        return change;
    }

    /// <inheritdoc />
    public async Task DeleteAllAsync(long tenantId, DocumentSet set, CancellationToken ct)
    {
        await using var write = await db.BeginWriteAsync(null, ct);
        await using var command = write.Command("");
        command.CommandText = "DELETE FROM documents WHERE " + SetFilter(command, tenantId, set);
        await command.ExecuteNonQueryAsync(ct);
        await write.CommitAsync(ct);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<DocumentListing>> OfAgentsAsync(long tenantId, IReadOnlyCollection<string> agentKeys, CancellationToken ct) =>
        agentKeys.Count == 0 ? [] : await db.QueryAsync($"""
            SELECT kind, activity_id, agent_key, registration, document_id, content_type, etag, length(content), updated FROM documents
            WHERE tenant_id = @t AND kind{db.In("kinds")} AND agent_key{db.In("agents")}
            ORDER BY kind, activity_id{db.Binary}, agent_key{db.Binary}, registration{db.Binary}, document_id{db.Binary}
            """, r => new DocumentListing(new DocumentAddress((DocumentKind)r.GetInt16(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetString(4)),
                r.GetString(5), r.GetString(6), r.GetInt64(7), db.Time(r, 8)),
            ct, ("t", tenantId), ("kinds", db.List(new short[] { (short)DocumentKind.State, (short)DocumentKind.AgentProfile })), ("agents", db.List(agentKeys)));

    private async Task<StoredDocument?> ReadAsync(DbConnection connection, DbTransaction? transaction, long tenantId, DocumentAddress address, CancellationToken ct)
    {
        await using var command = Dialect.Command(connection, transaction, "SELECT content, content_type, etag, updated FROM documents WHERE " + AddressFilter);
        AddAddress(command, tenantId, address);
        await using var reader = await command.ExecuteReaderAsync(ct);
        if (!await reader.ReadAsync(ct)) return null;
        return new StoredDocument((byte[])reader[0], reader.GetString(1), reader.GetString(2), db.Time(reader, 3));
    }

    private static void AddAddress(DbCommand command, long tenantId, DocumentAddress address) =>
        command.With("t", tenantId).With("kind", (short)address.Kind).With("activity", address.ActivityId).With("agent", address.AgentKey)
            .With("reg", address.Registration).With("id", address.Id);

    private static string SetFilter(DbCommand command, long tenantId, DocumentSet set)
    {
        command.With("t", tenantId).With("kind", (short)set.Kind).With("activity", set.ActivityId).With("agent", set.AgentKey);
        const string filter = "tenant_id = @t AND kind = @kind AND activity_id = @activity AND agent_key = @agent";
        if (set.Registration is null) return filter;
        command.With("reg", set.Registration);
        return filter + " AND registration = @reg";
    }
}
