using System.Data.Common;
using System.Text;
using Lrs.Core.Reflection;
using Lrs.Core.Storage;
using Lrs.Core.Xapi;
using Microsoft.Data.Sqlite;

namespace Lrs.Storage.Sqlite;

/// <summary>Statements in SQLite.</summary>
public sealed class SqliteStatementStore(SqliteDatabase database, FrameworkCache frameworks)
    : RelationalStatementStore(frameworks, new ReflectionStore(new SqliteDialect(database)))
{
    // Keys never contain this control character (IRIs and IFIs cannot), so it separates them in one column.
    internal const char KeySeparator = '\u001f';

    /// <inheritdoc />
    protected override async Task<WriteLease> BeginWriteAsync(CancellationToken ct)
    {
        var writer = await database.LockWriterAsync(ct);
        try
        {
            var connection = await database.OpenAsync(ct);
            // IMMEDIATE takes SQLite's write lock at once, so another process waits on busy_timeout instead of failing mid-batch.
            var transaction = (DbTransaction)await connection.BeginTransactionAsync(System.Data.IsolationLevel.Serializable, ct);
            return new WriteLease(connection, transaction, writer);
        }
        catch
        {
            writer.Dispose();
            throw;
        }
    }

    /// <inheritdoc />
    protected override async Task<Dictionary<Guid, string>> ExistingBodiesAsync(DbConnection c, DbTransaction t, long tenantId, Guid[] ids, CancellationToken ct)
    {
        await using var command = Command(c, t, "");
        var sql = new StringBuilder("SELECT id, body FROM statements WHERE tenant_id = $t AND id IN (");
        for (var i = 0; i < ids.Length; i++)
        {
            sql.Append(i == 0 ? "$p0" : $", $p{i}");
            command.Parameters.AddWithValue($"$p{i}", Id(ids[i]));
        }
        command.CommandText = sql.Append(')').ToString();
        command.Parameters.AddWithValue("$t", tenantId);
        var result = new Dictionary<Guid, string>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct)) result[Guid.Parse(reader.GetString(0))] = reader.GetString(1);
        return result;
    }

    /// <inheritdoc />
    protected override async Task<long[]> InsertStatementsAsync(DbConnection c, DbTransaction t, long tenantId, IReadOnlyList<PreparedStatement> statements, CancellationToken ct)
    {
        await using var insert = Command(c, t, """
            INSERT INTO statements (tenant_id, id, stored, verb, registration, ref_target, is_voiding, voided, keys, body)
            VALUES ($t, $id, $stored, $verb, $reg, $ref, $voiding, 0, $keys, $body) RETURNING seq
            """);
        var pT = insert.Parameters.AddWithValue("$t", tenantId);
        var pId = insert.Parameters.Add("$id", SqliteType.Text);
        var pStored = insert.Parameters.Add("$stored", SqliteType.Integer);
        var pVerb = insert.Parameters.Add("$verb", SqliteType.Text);
        var pReg = insert.Parameters.Add("$reg", SqliteType.Text);
        var pRef = insert.Parameters.Add("$ref", SqliteType.Text);
        var pVoiding = insert.Parameters.Add("$voiding", SqliteType.Integer);
        var pKeys = insert.Parameters.Add("$keys", SqliteType.Text);
        var pBody = insert.Parameters.Add("$body", SqliteType.Text);
        await insert.PrepareAsync(ct);

        await using var index = Command(c, t, "INSERT OR IGNORE INTO statement_index (tenant_id, key, seq, src) VALUES ($t, $key, $seq, $seq)");
        index.Parameters.AddWithValue("$t", tenantId);
        var pKey = index.Parameters.Add("$key", SqliteType.Text);
        var pSeq = index.Parameters.Add("$seq", SqliteType.Integer);
        await index.PrepareAsync(ct);

        var seqs = new long[statements.Count];
        for (var i = 0; i < statements.Count; i++)
        {
            var s = statements[i];
            pId.Value = Id(s.Id);
            pStored.Value = Micros(s.Stored);
            pVerb.Value = s.Verb;
            pReg.Value = s.Registration is { } r ? Id(r) : DBNull.Value;
            pRef.Value = s.RefTarget is { } rt ? Id(rt) : DBNull.Value;
            pVoiding.Value = s.IsVoiding ? 1 : 0;
            pKeys.Value = string.Join(KeySeparator, s.Keys);
            pBody.Value = s.Json;
            var seq = (long)(await insert.ExecuteScalarAsync(ct))!;
            seqs[i] = seq;
            pSeq.Value = seq;
            foreach (var key in s.Keys)
            {
                pKey.Value = key;
                await index.ExecuteNonQueryAsync(ct);
            }
        }
        _ = pT;
        return seqs;
    }

    /// <inheritdoc />
    protected override async Task MarkVoidedAsync(DbConnection c, DbTransaction t, long tenantId, Guid[] ids, CancellationToken ct)
    {
        await using var command = Command(c, t, "UPDATE statements SET voided = 1 WHERE tenant_id = $t AND id = $id AND is_voiding = 0");
        command.Parameters.AddWithValue("$t", tenantId);
        var pId = command.Parameters.Add("$id", SqliteType.Text);
        foreach (var id in ids)
        {
            pId.Value = Id(id);
            await command.ExecuteNonQueryAsync(ct);
        }
    }

    /// <inheritdoc />
    protected override async Task<List<Referrer>> ReferrersAsync(DbConnection c, DbTransaction t, long tenantId, Guid[] targets, CancellationToken ct)
    {
        await using var command = Command(c, t, "SELECT seq, id, is_voiding FROM statements WHERE tenant_id = $t AND ref_target = $target");
        command.Parameters.AddWithValue("$t", tenantId);
        var pTarget = command.Parameters.Add("$target", SqliteType.Text);
        var result = new List<Referrer>();
        foreach (var target in targets)
        {
            pTarget.Value = Id(target);
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
                result.Add(new Referrer(target, reader.GetInt64(0), Guid.Parse(reader.GetString(1)), reader.GetInt64(2) == 1));
        }
        return result;
    }

    /// <inheritdoc />
    protected override async Task<RowInfo?> RowByIdAsync(DbConnection c, DbTransaction t, long tenantId, Guid id, CancellationToken ct)
    {
        await using var command = Command(c, t, "SELECT seq, keys, ref_target, is_voiding FROM statements WHERE tenant_id = $t AND id = $id");
        command.Parameters.AddWithValue("$t", tenantId);
        command.Parameters.AddWithValue("$id", Id(id));
        await using var reader = await command.ExecuteReaderAsync(ct);
        if (!await reader.ReadAsync(ct)) return null;
        return new RowInfo(
            reader.GetInt64(0), id, reader.GetString(1).Split(KeySeparator, StringSplitOptions.RemoveEmptyEntries),
            reader.IsDBNull(2) ? null : Guid.Parse(reader.GetString(2)), reader.GetInt64(3) == 1);
    }

    /// <inheritdoc />
    protected override async Task InsertInheritedKeysAsync(DbConnection c, DbTransaction t, long tenantId, long seq, IReadOnlyList<(string Key, long Src)> keys, CancellationToken ct)
    {
        await using var command = Command(c, t, "INSERT OR IGNORE INTO statement_index (tenant_id, key, seq, src) VALUES ($t, $key, $seq, $src)");
        command.Parameters.AddWithValue("$t", tenantId);
        command.Parameters.AddWithValue("$seq", seq);
        var pKey = command.Parameters.Add("$key", SqliteType.Text);
        var pSrc = command.Parameters.Add("$src", SqliteType.Integer);
        foreach (var (key, src) in keys)
        {
            pKey.Value = key;
            pSrc.Value = src;
            await command.ExecuteNonQueryAsync(ct);
        }
    }

    /// <inheritdoc />
    protected override async Task<Dictionary<string, string>> LockDefinitionsAsync(DbConnection c, DbTransaction t, long tenantId, string[] iris, CancellationToken ct)
    {
        // The transaction already holds SQLite's one write lock.
        await using var command = Command(c, t, "SELECT definition FROM activities WHERE tenant_id = $t AND iri = $iri");
        command.Parameters.AddWithValue("$t", tenantId);
        var pIri = command.Parameters.Add("$iri", SqliteType.Text);
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var iri in iris)
        {
            pIri.Value = iri;
            if (await command.ExecuteScalarAsync(ct) is string json) result[iri] = json;
        }
        return result;
    }

    /// <inheritdoc />
    protected override async Task WriteDefinitionsAsync(DbConnection c, DbTransaction t, long tenantId, IReadOnlyList<(string Iri, string Json)> definitions, CancellationToken ct)
    {
        await using var command = Command(c, t, """
            INSERT INTO activities (tenant_id, iri, definition) VALUES ($t, $iri, $definition)
            ON CONFLICT (tenant_id, iri) DO UPDATE SET definition = excluded.definition
            """);
        command.Parameters.AddWithValue("$t", tenantId);
        var pIri = command.Parameters.Add("$iri", SqliteType.Text);
        var pDefinition = command.Parameters.Add("$definition", SqliteType.Text);
        foreach (var (iri, json) in definitions)
        {
            pIri.Value = iri;
            pDefinition.Value = json;
            await command.ExecuteNonQueryAsync(ct);
        }
    }

    /// <inheritdoc />
    protected override async Task InsertAgentNamesAsync(DbConnection c, DbTransaction t, long tenantId, IReadOnlyList<(string Key, string Name)> names, CancellationToken ct)
    {
        await using var command = Command(c, t, "INSERT OR IGNORE INTO agent_names (tenant_id, agent_key, name) VALUES ($t, $key, $name)");
        command.Parameters.AddWithValue("$t", tenantId);
        var pKey = command.Parameters.Add("$key", SqliteType.Text);
        var pName = command.Parameters.Add("$name", SqliteType.Text);
        foreach (var (key, name) in names)
        {
            pKey.Value = key;
            pName.Value = name;
            await command.ExecuteNonQueryAsync(ct);
        }
    }

    /// <inheritdoc />
    protected override async Task InsertAttachmentsAsync(DbConnection c, DbTransaction t, long tenantId, IReadOnlyCollection<AttachmentContent> attachments, CancellationToken ct)
    {
        await using var command = Command(c, t, """
            INSERT INTO attachments (tenant_id, sha2, content_type, length, content) VALUES ($t, $sha2, $type, $length, $content)
            ON CONFLICT DO NOTHING
            """);
        command.Parameters.AddWithValue("$t", tenantId);
        var pSha2 = command.Parameters.Add("$sha2", SqliteType.Text);
        var pType = command.Parameters.Add("$type", SqliteType.Text);
        var pLength = command.Parameters.Add("$length", SqliteType.Integer);
        var pContent = command.Parameters.Add("$content", SqliteType.Blob);
        foreach (var a in attachments)
        {
            pSha2.Value = a.Sha2;
            pType.Value = a.ContentType;
            pLength.Value = a.Content.LongLength;
            pContent.Value = a.Content;
            await command.ExecuteNonQueryAsync(ct);
        }
    }

    /// <inheritdoc />
    public override async Task<AttachmentContent?> GetAttachmentAsync(long tenantId, string sha2, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        await using var command = Command(connection, null, "SELECT content_type, content FROM attachments WHERE tenant_id = $t AND sha2 = $sha2");
        command.Parameters.AddWithValue("$t", tenantId);
        command.Parameters.AddWithValue("$sha2", sha2);
        await using var reader = await command.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct) ? new AttachmentContent(sha2, reader.GetString(0), (byte[])reader.GetValue(1)) : null;
    }

    /// <inheritdoc />
    public override async Task<StoredStatement?> GetAsync(long tenantId, Guid id, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        await using var command = Command(connection, null, "SELECT seq, stored, body, voided FROM statements WHERE tenant_id = $t AND id = $id");
        command.Parameters.AddWithValue("$t", tenantId);
        command.Parameters.AddWithValue("$id", Id(id));
        await using var reader = await command.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct) ? Read(reader) : null;
    }

    /// <inheritdoc />
    public override async Task<IReadOnlyList<StoredStatement>> QueryAsync(long tenantId, StatementQuery query, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        await using var command = Command(connection, null, "");
        var sql = new StringBuilder("SELECT s.seq, s.stored, s.body, s.voided FROM statements s WHERE s.tenant_id = $t AND s.voided = 0");
        command.Parameters.AddWithValue("$t", tenantId);
        if (query.Since is { } since)
        {
            sql.Append(" AND s.stored > $since");
            command.Parameters.AddWithValue("$since", Micros(since));
        }
        if (query.Until is { } until)
        {
            sql.Append(" AND s.stored <= $until");
            command.Parameters.AddWithValue("$until", Micros(until));
        }
        if (query.After is { } after)
        {
            sql.Append(query.Ascending ? " AND (s.stored, s.seq) > ($as, $aseq)" : " AND (s.stored, s.seq) < ($as, $aseq)");
            command.Parameters.AddWithValue("$as", Micros(after.Stored));
            command.Parameters.AddWithValue("$aseq", after.Sequence);
        }
        for (var i = 0; i < query.OwnKeys.Count; i++)
        {
            sql.Append($" AND EXISTS (SELECT 1 FROM statement_index m{i} WHERE m{i}.tenant_id = $t AND m{i}.key = $own{i} AND m{i}.seq = s.seq AND m{i}.src = s.seq)");
            command.Parameters.AddWithValue($"$own{i}", query.OwnKeys[i]);
        }
        if (query.Organisation is { } organisation)
        {
            // The statement's own agent keys (its keys column, separated by KeySeparator) against the employer's people.
            sql.Append(" AND EXISTS (SELECT 1 FROM people p JOIN person_agents pa ON pa.tenant_id = p.tenant_id AND pa.person_id = p.id"
                + $" WHERE p.tenant_id = $t AND p.organisation_id = $org AND instr(char(31) || s.keys || char(31), char(31) || '{StatementIndex.Agent}' || pa.agent_key || char(31)) > 0)");
            command.Parameters.AddWithValue("$org", organisation);
        }
        if (query.Keys.Count > 0)
        {
            // All keys must come from one source: the statement itself or one statement of its StatementRef chain.
            sql.Append(" AND s.seq IN (SELECT i0.seq FROM statement_index i0");
            for (var i = 1; i < query.Keys.Count; i++)
                sql.Append($" JOIN statement_index i{i} ON i{i}.tenant_id = i0.tenant_id AND i{i}.key = $k{i} AND i{i}.seq = i0.seq AND i{i}.src = i0.src");
            sql.Append(" WHERE i0.tenant_id = $t AND i0.key = $k0)");
            for (var i = 0; i < query.Keys.Count; i++) command.Parameters.AddWithValue($"$k{i}", query.Keys[i]);
        }
        sql.Append(query.Ascending ? " ORDER BY s.stored, s.seq" : " ORDER BY s.stored DESC, s.seq DESC");
        sql.Append(" LIMIT $limit");
        command.Parameters.AddWithValue("$limit", query.Limit);
        command.CommandText = sql.ToString();

        var result = new List<StoredStatement>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct)) result.Add(Read(reader));
        return result;
    }

    /// <inheritdoc />
    // SQLite has one writer: a framework change cannot overlap a batch, so no lock beyond the writer's is needed.
    protected override Task<long> FrameworkVersionAsync(DbConnection c, DbTransaction t, long tenantId, CancellationToken ct) =>
        SqliteCompetenceStore.VersionAsync(c, t, tenantId, ct);

    /// <inheritdoc />
    protected override Task<string?> FrameworkDocumentAsync(DbConnection c, DbTransaction t, long tenantId, CancellationToken ct) =>
        SqliteCompetenceStore.DocumentAsync(c, t, tenantId, ct);

    /// <inheritdoc />
    protected override Task InsertEvidenceAsync(DbConnection c, DbTransaction t, long tenantId, IReadOnlyList<EvidenceRow> rows, CancellationToken ct) =>
        SqliteCompetenceStore.UpsertEvidenceAsync(Command(c, t, ""), tenantId, [.. rows.Select(r => (r.StatementId, r.Recorded, r.Found))], ct);

    /// <inheritdoc />
    protected override Task InsertSignoffsAsync(DbConnection c, DbTransaction t, long tenantId, IReadOnlyList<SignoffRow> rows, CancellationToken ct) =>
        SqliteCompetenceStore.UpsertSignoffsAsync(Command(c, t, ""), tenantId, [.. rows.Select(r => (r.StatementId, r.Recorded, r.Signoff))], ct);

    /// <inheritdoc />
    protected override async Task RetractAsync(DbConnection c, DbTransaction t, long tenantId, Guid[] statementIds, DateTimeOffset at, CancellationToken ct)
    {
        await using var command = Command(c, t, """
            UPDATE evidence SET retracted = $at WHERE tenant_id = $t AND statement_id = $id AND retracted IS NULL;
            UPDATE signoffs SET retracted = $at WHERE tenant_id = $t AND statement_id = $id AND retracted IS NULL;
            """);
        command.Parameters.AddWithValue("$t", tenantId);
        command.Parameters.AddWithValue("$at", Micros(at));
        var pId = command.Parameters.Add("$id", SqliteType.Text);
        foreach (var id in statementIds)
        {
            pId.Value = Id(id);
            await command.ExecuteNonQueryAsync(ct);
        }
    }

    private static StoredStatement Read(DbDataReader reader) =>
        new(new StatementPosition(FromMicros(reader.GetInt64(1)), reader.GetInt64(0)), reader.GetString(2), reader.GetInt64(3) == 1);

    internal static SqliteCommand Command(DbConnection c, DbTransaction? t, string sql)
    {
        var command = ((SqliteConnection)c).CreateCommand();
        command.Transaction = (SqliteTransaction?)t;
        command.CommandText = sql;
        return command;
    }

    internal static string Id(Guid id) => id.ToString("D");
    internal static long Micros(DateTimeOffset time) => (time.UtcTicks - DateTime.UnixEpoch.Ticks) / 10;
    internal static DateTimeOffset FromMicros(long micros) => new(DateTime.UnixEpoch.Ticks + micros * 10, TimeSpan.Zero);
}
