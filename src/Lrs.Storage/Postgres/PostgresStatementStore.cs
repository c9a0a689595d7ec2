using System.Data.Common;
using System.Text;
using Lrs.Core.Reflection;
using Lrs.Core.Storage;
using Lrs.Core.Xapi;
using Npgsql;
using NpgsqlTypes;

namespace Lrs.Storage.Postgres;

/// <summary>Statements in PostgreSQL: set-based SQL, a handful of round trips per batch whatever its size.</summary>
public sealed class PostgresStatementStore(PostgresDatabase database, FrameworkCache frameworks)
    : RelationalStatementStore(frameworks, new ReflectionStore(new PostgresDialect(database)))
{
    /// <inheritdoc />
    protected override async Task<WriteLease> BeginWriteAsync(CancellationToken ct)
    {
        var connection = await database.DataSource.OpenConnectionAsync(ct);
        try
        {
            return new WriteLease(connection, await connection.BeginTransactionAsync(ct), null);
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    /// <inheritdoc />
    protected override async Task<Dictionary<Guid, string>> ExistingBodiesAsync(DbConnection c, DbTransaction t, long tenantId, Guid[] ids, CancellationToken ct)
    {
        await using var command = Command(c, t, "SELECT id, body::text FROM statements WHERE tenant_id = @t AND id = ANY(@ids)");
        command.Parameters.AddWithValue("t", tenantId);
        command.Parameters.AddWithValue("ids", ids);
        var result = new Dictionary<Guid, string>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct)) result[reader.GetGuid(0)] = reader.GetString(1);
        return result;
    }

    /// <inheritdoc />
    protected override async Task<long[]> InsertStatementsAsync(DbConnection c, DbTransaction t, long tenantId, IReadOnlyList<PreparedStatement> statements, CancellationToken ct)
    {
        // One statement inserts the rows and their index keys; the keys travel as one separated text per row.
        await using var command = Command(c, t, """
            WITH ins AS (
                INSERT INTO statements (tenant_id, id, stored, verb, registration, ref_target, is_voiding, keys, body)
                SELECT @t, u.id, u.stored, u.verb, u.reg, u.ref, u.voiding, string_to_array(u.keys, chr(31)), u.body::jsonb
                FROM unnest(@ids, @stored, @verbs, @regs, @refs, @voiding, @keys, @bodies) WITH ORDINALITY
                    AS u(id, stored, verb, reg, ref, voiding, keys, body, ord)
                ORDER BY u.ord
                RETURNING seq, id, keys),
            idx AS (
                INSERT INTO statement_index (tenant_id, key, seq, src)
                SELECT @t, k.key, ins.seq, ins.seq FROM ins CROSS JOIN LATERAL unnest(ins.keys) AS k(key))
            SELECT seq, id FROM ins
            """);
        var n = statements.Count;
        var ids = new Guid[n];
        var stored = new DateTime[n];
        var verbs = new string[n];
        var regs = new Guid?[n];
        var refs = new Guid?[n];
        var voiding = new bool[n];
        var keys = new string[n];
        var bodies = new string[n];
        for (var i = 0; i < n; i++)
        {
            var s = statements[i];
            ids[i] = s.Id;
            stored[i] = s.Stored.UtcDateTime;
            verbs[i] = s.Verb;
            regs[i] = s.Registration;
            refs[i] = s.RefTarget;
            voiding[i] = s.IsVoiding;
            keys[i] = string.Join('\u001f', s.Keys);
            bodies[i] = s.Json;
        }
        command.Parameters.AddWithValue("t", tenantId);
        command.Parameters.AddWithValue("ids", ids);
        command.Parameters.Add(new NpgsqlParameter<DateTime[]>("stored", NpgsqlDbType.Array | NpgsqlDbType.TimestampTz) { TypedValue = stored });
        command.Parameters.AddWithValue("verbs", verbs);
        command.Parameters.Add(new NpgsqlParameter<Guid?[]>("regs", NpgsqlDbType.Array | NpgsqlDbType.Uuid) { TypedValue = regs });
        command.Parameters.Add(new NpgsqlParameter<Guid?[]>("refs", NpgsqlDbType.Array | NpgsqlDbType.Uuid) { TypedValue = refs });
        command.Parameters.AddWithValue("voiding", voiding);
        command.Parameters.AddWithValue("keys", keys);
        command.Parameters.AddWithValue("bodies", bodies);

        var seqById = new Dictionary<Guid, long>(n);
        await using (var reader = await command.ExecuteReaderAsync(ct))
            while (await reader.ReadAsync(ct)) seqById[reader.GetGuid(1)] = reader.GetInt64(0);
        return [.. ids.Select(id => seqById[id])];
    }

    /// <inheritdoc />
    protected override async Task MarkVoidedAsync(DbConnection c, DbTransaction t, long tenantId, Guid[] ids, CancellationToken ct)
    {
        await using var command = Command(c, t, "UPDATE statements SET voided = true WHERE tenant_id = @t AND id = ANY(@ids) AND NOT is_voiding AND NOT voided");
        command.Parameters.AddWithValue("t", tenantId);
        command.Parameters.AddWithValue("ids", ids);
        await command.ExecuteNonQueryAsync(ct);
    }

    /// <inheritdoc />
    protected override async Task<List<Referrer>> ReferrersAsync(DbConnection c, DbTransaction t, long tenantId, Guid[] targets, CancellationToken ct)
    {
        await using var command = Command(c, t, "SELECT ref_target, seq, id, is_voiding FROM statements WHERE tenant_id = @t AND ref_target = ANY(@targets)");
        command.Parameters.AddWithValue("t", tenantId);
        command.Parameters.AddWithValue("targets", targets);
        var result = new List<Referrer>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
            result.Add(new Referrer(reader.GetGuid(0), reader.GetInt64(1), reader.GetGuid(2), reader.GetBoolean(3)));
        return result;
    }

    /// <inheritdoc />
    protected override async Task<RowInfo?> RowByIdAsync(DbConnection c, DbTransaction t, long tenantId, Guid id, CancellationToken ct)
    {
        await using var command = Command(c, t, "SELECT seq, keys, ref_target, is_voiding FROM statements WHERE tenant_id = @t AND id = @id");
        command.Parameters.AddWithValue("t", tenantId);
        command.Parameters.AddWithValue("id", id);
        await using var reader = await command.ExecuteReaderAsync(ct);
        if (!await reader.ReadAsync(ct)) return null;
        return new RowInfo(reader.GetInt64(0), id, reader.GetFieldValue<string[]>(1), reader.IsDBNull(2) ? null : reader.GetGuid(2), reader.GetBoolean(3));
    }

    /// <inheritdoc />
    protected override async Task InsertInheritedKeysAsync(DbConnection c, DbTransaction t, long tenantId, long seq, IReadOnlyList<(string Key, long Src)> keys, CancellationToken ct)
    {
        await using var command = Command(c, t, """
            INSERT INTO statement_index (tenant_id, key, seq, src)
            SELECT @t, k, @seq, s FROM unnest(@keys, @srcs) AS x(k, s)
            ON CONFLICT DO NOTHING
            """);
        command.Parameters.AddWithValue("t", tenantId);
        command.Parameters.AddWithValue("seq", seq);
        command.Parameters.AddWithValue("keys", keys.Select(k => k.Key).ToArray());
        command.Parameters.AddWithValue("srcs", keys.Select(k => k.Src).ToArray());
        await command.ExecuteNonQueryAsync(ct);
    }

    /// <inheritdoc />
    protected override bool IsTransient(Exception exception) => exception is PostgresException
    {
        SqlState: PostgresErrorCodes.DeadlockDetected or PostgresErrorCodes.SerializationFailure,
    } or PostgresException
    {
        // Another transaction stored the same statement id first; tried again, the batch finds it stored
        // and compares it like any duplicate.
        SqlState: PostgresErrorCodes.UniqueViolation, ConstraintName: "ux_statements_id",
    };

    /// <inheritdoc />
    protected override async Task<Dictionary<string, string>> LockDefinitionsAsync(DbConnection c, DbTransaction t, long tenantId, string[] iris, CancellationToken ct)
    {
        // Placeholder rows first: a concurrent batch defining the same new activity then waits on the row
        // instead of overwriting this one's merge. Rows are locked in IRI order to avoid deadlocks.
        await using var command = Command(c, t, """
            INSERT INTO activities (tenant_id, iri, definition)
            SELECT @t, i, '{}'::jsonb FROM unnest(@iris) AS i ORDER BY i
            ON CONFLICT DO NOTHING;
            SELECT iri, definition::text FROM activities WHERE tenant_id = @t AND iri = ANY(@iris) ORDER BY iri FOR UPDATE;
            """);
        command.Parameters.AddWithValue("t", tenantId);
        command.Parameters.AddWithValue("iris", iris);
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct)) result[reader.GetString(0)] = reader.GetString(1);
        return result;
    }

    /// <inheritdoc />
    protected override async Task WriteDefinitionsAsync(DbConnection c, DbTransaction t, long tenantId, IReadOnlyList<(string Iri, string Json)> definitions, CancellationToken ct)
    {
        await using var command = Command(c, t, """
            UPDATE activities a SET definition = d.definition::jsonb
            FROM unnest(@iris, @definitions) AS d(iri, definition)
            WHERE a.tenant_id = @t AND a.iri = d.iri
            """);
        command.Parameters.AddWithValue("t", tenantId);
        command.Parameters.AddWithValue("iris", definitions.Select(d => d.Iri).ToArray());
        command.Parameters.AddWithValue("definitions", definitions.Select(d => d.Json).ToArray());
        await command.ExecuteNonQueryAsync(ct);
    }

    /// <inheritdoc />
    protected override async Task InsertAgentNamesAsync(DbConnection c, DbTransaction t, long tenantId, IReadOnlyList<(string Key, string Name)> names, CancellationToken ct)
    {
        await using var command = Command(c, t, """
            INSERT INTO agent_names (tenant_id, agent_key, name)
            SELECT @t, k, n FROM unnest(@keys, @names) AS x(k, n) ORDER BY k, n
            ON CONFLICT DO NOTHING
            """);
        command.Parameters.AddWithValue("t", tenantId);
        command.Parameters.AddWithValue("keys", names.Select(n => n.Key).ToArray());
        command.Parameters.AddWithValue("names", names.Select(n => n.Name).ToArray());
        await command.ExecuteNonQueryAsync(ct);
    }

    /// <inheritdoc />
    protected override async Task InsertAttachmentsAsync(DbConnection c, DbTransaction t, long tenantId, IReadOnlyCollection<AttachmentContent> attachments, CancellationToken ct)
    {
        await using var command = Command(c, t, """
            INSERT INTO attachments (tenant_id, sha2, content_type, length, content) VALUES (@t, @sha2, @type, @length, @content)
            ON CONFLICT DO NOTHING
            """);
        command.Parameters.AddWithValue("t", tenantId);
        var pSha2 = new NpgsqlParameter<string>("sha2", NpgsqlDbType.Text);
        var pType = new NpgsqlParameter<string>("type", NpgsqlDbType.Text);
        var pLength = new NpgsqlParameter<long>("length", NpgsqlDbType.Bigint);
        var pContent = new NpgsqlParameter<byte[]>("content", NpgsqlDbType.Bytea);
        command.Parameters.Add(pSha2);
        command.Parameters.Add(pType);
        command.Parameters.Add(pLength);
        command.Parameters.Add(pContent);
        foreach (var a in attachments)
        {
            pSha2.TypedValue = a.Sha2;
            pType.TypedValue = a.ContentType;
            pLength.TypedValue = a.Content.LongLength;
            pContent.TypedValue = a.Content;
            await command.ExecuteNonQueryAsync(ct);
        }
    }

    /// <inheritdoc />
    public override async Task<AttachmentContent?> GetAttachmentAsync(long tenantId, string sha2, CancellationToken ct)
    {
        await using var command = database.DataSource.CreateCommand("SELECT content_type, content FROM attachments WHERE tenant_id = @t AND sha2 = @sha2");
        command.Parameters.AddWithValue("t", tenantId);
        command.Parameters.AddWithValue("sha2", sha2);
        await using var reader = await command.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct) ? new AttachmentContent(sha2, reader.GetString(0), reader.GetFieldValue<byte[]>(1)) : null;
    }

    /// <inheritdoc />
    public override async Task<StoredStatement?> GetAsync(long tenantId, Guid id, CancellationToken ct)
    {
        await using var command = database.DataSource.CreateCommand("SELECT seq, stored, body::text, voided FROM statements WHERE tenant_id = @t AND id = @id");
        command.Parameters.AddWithValue("t", tenantId);
        command.Parameters.AddWithValue("id", id);
        await using var reader = await command.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct) ? Read(reader) : null;
    }

    /// <inheritdoc />
    public override async Task<IReadOnlyList<StoredStatement>> QueryAsync(long tenantId, StatementQuery query, CancellationToken ct)
    {
        await using var command = database.DataSource.CreateCommand();
        var sql = new StringBuilder("SELECT s.seq, s.stored, s.body::text, s.voided FROM statements s WHERE s.tenant_id = @t AND NOT s.voided");
        command.Parameters.AddWithValue("t", tenantId);
        if (query.Since is { } since)
        {
            sql.Append(" AND s.stored > @since");
            command.Parameters.AddWithValue("since", since.UtcDateTime);
        }
        if (query.Until is { } until)
        {
            sql.Append(" AND s.stored <= @until");
            command.Parameters.AddWithValue("until", until.UtcDateTime);
        }
        if (query.After is { } after)
        {
            sql.Append(query.Ascending ? " AND (s.stored, s.seq) > (@as, @aseq)" : " AND (s.stored, s.seq) < (@as, @aseq)");
            command.Parameters.AddWithValue("as", after.Stored.UtcDateTime);
            command.Parameters.AddWithValue("aseq", after.Sequence);
        }
        for (var i = 0; i < query.OwnKeys.Count; i++)
        {
            sql.Append($" AND EXISTS (SELECT 1 FROM statement_index m{i} WHERE m{i}.tenant_id = @t AND m{i}.key = @own{i} AND m{i}.seq = s.seq AND m{i}.src = s.seq)");
            command.Parameters.AddWithValue($"own{i}", query.OwnKeys[i]);
        }
        if (query.Organisation is { } organisation)
        {
            // The statement's own agent keys (not those of a StatementRef target) against the employer's people.
            sql.Append($" AND EXISTS (SELECT 1 FROM unnest(s.keys) AS k(key) JOIN person_agents pa ON pa.tenant_id = @t AND pa.agent_key = substr(k.key, {StatementIndex.Agent.Length + 1})"
                + " JOIN people p ON p.tenant_id = @t AND p.id = pa.person_id"
                + $" WHERE k.key LIKE '{StatementIndex.Agent}%' AND p.organisation_id = @org)");
            command.Parameters.AddWithValue("org", organisation);
        }
        if (query.Keys.Count > 0)
        {
            // All keys must come from one source: the statement itself or one statement of its StatementRef chain.
            sql.Append(" AND s.seq IN (SELECT i0.seq FROM statement_index i0");
            for (var i = 1; i < query.Keys.Count; i++)
                sql.Append($" JOIN statement_index i{i} ON i{i}.tenant_id = i0.tenant_id AND i{i}.key = @k{i} AND i{i}.seq = i0.seq AND i{i}.src = i0.src");
            sql.Append(" WHERE i0.tenant_id = @t AND i0.key = @k0)");
            for (var i = 0; i < query.Keys.Count; i++) command.Parameters.AddWithValue($"k{i}", query.Keys[i]);
        }
        sql.Append(query.Ascending ? " ORDER BY s.stored, s.seq" : " ORDER BY s.stored DESC, s.seq DESC");
        sql.Append(" LIMIT @limit");
        command.Parameters.AddWithValue("limit", query.Limit);
        command.CommandText = sql.ToString();

        var result = new List<StoredStatement>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct)) result.Add(Read(reader));
        return result;
    }

    /// <summary>The advisory lock class of a tenant's competence framework (the tenant id is the lock's object id).</summary>
    internal const int FrameworkLock = 4711021;

    /// <inheritdoc />
    protected override async Task<long> FrameworkVersionAsync(DbConnection c, DbTransaction t, long tenantId, CancellationToken ct)
    {
        // The lock comes first so that the version read after it is the newest committed one.
        await using var command = Command(c, t, $"""
            SELECT pg_advisory_xact_lock_shared({FrameworkLock}, @lock);
            SELECT version FROM frameworks WHERE tenant_id = @t;
            """);
        command.Parameters.AddWithValue("t", tenantId);
        command.Parameters.AddWithValue("lock", LockId(tenantId));
        await using var reader = await command.ExecuteReaderAsync(ct);
        await reader.NextResultAsync(ct);
        return await reader.ReadAsync(ct) ? reader.GetInt64(0) : 0;
    }

    /// <summary>The object id of a tenant's advisory locks (tenant ids beyond 2^31 share ids, which only makes them wait for each other).</summary>
    internal static int LockId(long tenantId) => (int)(tenantId % int.MaxValue);

    /// <inheritdoc />
    protected override Task<string?> FrameworkDocumentAsync(DbConnection c, DbTransaction t, long tenantId, CancellationToken ct) =>
        PostgresCompetenceStore.DocumentAsync(c, t, tenantId, ct);

    /// <inheritdoc />
    protected override async Task InsertEvidenceAsync(DbConnection c, DbTransaction t, long tenantId, IReadOnlyList<EvidenceRow> rows, CancellationToken ct)
    {
        await using var command = Command(c, t, PostgresCompetenceStore.InsertEvidenceSql);
        PostgresCompetenceStore.AddEvidenceParameters(command, tenantId, [.. rows.Select(r => (r.StatementId, r.Recorded, r.Found))]);
        await command.ExecuteNonQueryAsync(ct);
    }

    /// <inheritdoc />
    protected override async Task InsertSignoffsAsync(DbConnection c, DbTransaction t, long tenantId, IReadOnlyList<SignoffRow> rows, CancellationToken ct)
    {
        await using var command = Command(c, t, PostgresCompetenceStore.InsertSignoffsSql);
        PostgresCompetenceStore.AddSignoffParameters(command, tenantId, [.. rows.Select(r => (r.StatementId, r.Recorded, r.Signoff))]);
        await command.ExecuteNonQueryAsync(ct);
    }

    /// <inheritdoc />
    protected override async Task RetractAsync(DbConnection c, DbTransaction t, long tenantId, Guid[] statementIds, DateTimeOffset at, CancellationToken ct)
    {
        await using var command = Command(c, t, PostgresCompetenceStore.RetractSql);
        command.Parameters.AddWithValue("t", tenantId);
        command.Parameters.AddWithValue("ids", statementIds);
        command.Parameters.AddWithValue("at", at.UtcDateTime);
        await command.ExecuteNonQueryAsync(ct);
    }

    private static StoredStatement Read(DbDataReader reader) =>
        new(new StatementPosition(new DateTimeOffset(reader.GetDateTime(1), TimeSpan.Zero), reader.GetInt64(0)), reader.GetString(2), reader.GetBoolean(3));

    private static NpgsqlCommand Command(DbConnection c, DbTransaction t, string sql) =>
        new(sql, (NpgsqlConnection)c, (NpgsqlTransaction)t);
}
