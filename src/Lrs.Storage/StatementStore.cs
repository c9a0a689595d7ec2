using System.Data.Common;
using System.Text;
using Lrs.Core.Reflection;
using Lrs.Core.Storage;
using Lrs.Core.Xapi;
using Npgsql;
using NpgsqlTypes;

namespace Lrs.Storage;

/// <summary>
/// Statements. PostgreSQL writes set-based, a handful of round trips per batch whatever its size; SQLite, in process,
/// runs prepared statements per row.
/// </summary>
public sealed class StatementStore(Dialect db, FrameworkCache frameworks) : RelationalStatementStore(frameworks, new ReflectionStore(db))
{
    // Keys never contain this control character (IRIs and IFIs cannot), so it separates them in SQLite's keys column.
    private const char KeySeparator = '\u001f';

    private readonly EvidenceTables _evidence = new(db);

    /// <inheritdoc />
    protected override Task<WriteLease> BeginWriteAsync(CancellationToken ct) => db.BeginWriteAsync(null, ct);

    /// <inheritdoc />
    protected override bool IsTransient(Exception exception) => db.IsTransient(exception);

    /// <inheritdoc />
    protected override async Task<Dictionary<Guid, string>> ExistingBodiesAsync(DbConnection c, DbTransaction t, long tenantId, Guid[] ids, CancellationToken ct)
    {
        await using var command = Dialect.Command(c, t, $"SELECT id, body{db.AsText} FROM statements WHERE tenant_id = @t AND id{db.In("ids")}", ("t", tenantId), ("ids", db.List(ids)));
        return (await command.ListAsync(r => (Id: db.Uuid(r, 0), Body: r.GetString(1)), ct)).ToDictionary(x => x.Id, x => x.Body);
    }

    /// <inheritdoc />
    protected override Task<long[]> InsertStatementsAsync(DbConnection c, DbTransaction t, long tenantId, IReadOnlyList<PreparedStatement> statements, CancellationToken ct) =>
        db.IsPostgres ? InsertSetBasedAsync(c, t, tenantId, statements, ct) : InsertRowByRowAsync(c, t, tenantId, statements, ct);

    // PostgreSQL: one statement inserts the rows and their index keys; the keys travel as one separated text per row.
    private static async Task<long[]> InsertSetBasedAsync(DbConnection c, DbTransaction t, long tenantId, IReadOnlyList<PreparedStatement> statements, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand("""
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
            """, (NpgsqlConnection)c, (NpgsqlTransaction)t);
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
            (ids[i], stored[i], verbs[i], regs[i], refs[i]) = (s.Id, s.Stored.UtcDateTime, s.Verb, s.Registration, s.RefTarget);
            (voiding[i], keys[i], bodies[i]) = (s.IsVoiding, string.Join(KeySeparator, s.Keys), s.Json);
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

    // SQLite: prepared statements per row and per key, in process.
    private async Task<long[]> InsertRowByRowAsync(DbConnection c, DbTransaction t, long tenantId, IReadOnlyList<PreparedStatement> statements, CancellationToken ct)
    {
        await using var insert = Dialect.Command(c, t, """
            INSERT INTO statements (tenant_id, id, stored, verb, registration, ref_target, is_voiding, voided, keys, body)
            VALUES (@t, @id, @stored, @verb, @reg, @ref, @voiding, 0, @keys, @body) RETURNING seq
            """, ("t", tenantId));
        var p = new[] { "id", "stored", "verb", "reg", "ref", "voiding", "keys", "body" }.Select(name => insert.With(name, null).Parameters[^1]).ToArray();
        await insert.PrepareAsync(ct);
        await using var index = Dialect.Command(c, t, "INSERT OR IGNORE INTO statement_index (tenant_id, key, seq, src) VALUES (@t, @key, @seq, @seq)", ("t", tenantId));
        var (pKey, pSeq) = (index.With("key", null).Parameters[^1], index.With("seq", null).Parameters[^1]);
        await index.PrepareAsync(ct);

        var seqs = new long[statements.Count];
        for (var i = 0; i < statements.Count; i++)
        {
            var s = statements[i];
            (p[0].Value, p[1].Value, p[2].Value) = (db.Uuid(s.Id), db.Time(s.Stored), s.Verb);
            (p[3].Value, p[4].Value) = (s.Registration is { } r ? db.Uuid(r) : DBNull.Value, s.RefTarget is { } rt ? db.Uuid(rt) : DBNull.Value);
            (p[5].Value, p[6].Value, p[7].Value) = (s.IsVoiding ? 1 : 0, string.Join(KeySeparator, s.Keys), s.Json);
            seqs[i] = (long)(await insert.ExecuteScalarAsync(ct))!;
            pSeq.Value = seqs[i];
            foreach (var key in s.Keys)
            {
                pKey.Value = key;
                await index.ExecuteNonQueryAsync(ct);
            }
        }
        return seqs;
    }

    /// <inheritdoc />
    protected override async Task MarkVoidedAsync(DbConnection c, DbTransaction t, long tenantId, Guid[] ids, CancellationToken ct)
    {
        await using var command = Dialect.Command(c, t, $"UPDATE statements SET voided = true WHERE tenant_id = @t AND id{db.In("ids")} AND NOT is_voiding AND NOT voided",
            ("t", tenantId), ("ids", db.List(ids)));
        await command.ExecuteNonQueryAsync(ct);
    }

    /// <inheritdoc />
    protected override async Task<List<Referrer>> ReferrersAsync(DbConnection c, DbTransaction t, long tenantId, Guid[] targets, CancellationToken ct)
    {
        await using var command = Dialect.Command(c, t, $"SELECT ref_target, seq, id, is_voiding FROM statements WHERE tenant_id = @t AND ref_target{db.In("targets")}",
            ("t", tenantId), ("targets", db.List(targets)));
        return await command.ListAsync(r => new Referrer(db.Uuid(r, 0), r.GetInt64(1), db.Uuid(r, 2), r.GetBoolean(3)), ct);
    }

    /// <inheritdoc />
    protected override async Task<RowInfo?> RowByIdAsync(DbConnection c, DbTransaction t, long tenantId, Guid id, CancellationToken ct)
    {
        await using var command = Dialect.Command(c, t, "SELECT seq, keys, ref_target, is_voiding FROM statements WHERE tenant_id = @t AND id = @id", ("t", tenantId), ("id", db.Uuid(id)));
        return (await command.ListAsync(r => new RowInfo(r.GetInt64(0), id,
            db.IsPostgres ? r.GetFieldValue<string[]>(1) : r.GetString(1).Split(KeySeparator, StringSplitOptions.RemoveEmptyEntries),
            db.UuidOrNull(r, 2), r.GetBoolean(3)), ct)).FirstOrDefault();
    }

    /// <inheritdoc />
    protected override async Task InsertInheritedKeysAsync(DbConnection c, DbTransaction t, long tenantId, long seq, IReadOnlyList<(string Key, long Src)> keys, CancellationToken ct)
    {
        await using var command = Dialect.Command(c, t, "", ("t", tenantId), ("seq", seq));
        await db.ForEachRowAsync(command, "INSERT INTO statement_index (tenant_id, key, seq, src) SELECT @t, r.key, @seq, r.src FROM {rows} WHERE true ON CONFLICT DO NOTHING",
            keys, ct, new("key", ColumnType.Text, k => k.Key), new("src", ColumnType.Long, k => k.Src));
    }

    /// <inheritdoc />
    protected override async Task<Dictionary<string, string>> LockDefinitionsAsync(DbConnection c, DbTransaction t, long tenantId, string[] iris, CancellationToken ct)
    {
        await using var command = Dialect.Command(c, t, db.Sql(
            // The transaction already holds SQLite's one write lock.
            sqlite: "SELECT iri, definition FROM activities WHERE tenant_id = @t AND iri IN (SELECT value FROM json_each(@iris))",
            // Placeholder rows first: a concurrent batch defining the same new activity then waits on the row instead of
            // overwriting this one's merge. Rows are locked in IRI order to avoid deadlocks.
            postgres: """
                INSERT INTO activities (tenant_id, iri, definition)
                SELECT @t, i, '{}'::jsonb FROM unnest(@iris) AS i ORDER BY i
                ON CONFLICT DO NOTHING;
                SELECT iri, definition::text FROM activities WHERE tenant_id = @t AND iri = ANY(@iris) ORDER BY iri FOR UPDATE;
                """), ("t", tenantId), ("iris", db.List(iris)));
        return (await command.ListAsync(r => (Iri: r.GetString(0), Json: r.GetString(1)), ct)).ToDictionary(x => x.Iri, x => x.Json, StringComparer.Ordinal);
    }

    /// <inheritdoc />
    protected override async Task WriteDefinitionsAsync(DbConnection c, DbTransaction t, long tenantId, IReadOnlyList<(string Iri, string Json)> definitions, CancellationToken ct)
    {
        await using var command = Dialect.Command(c, t, "", ("t", tenantId));
        await db.ForEachRowAsync(command, """
            INSERT INTO activities (tenant_id, iri, definition) SELECT @t, r.iri, r.definition FROM {rows} WHERE true
            ON CONFLICT (tenant_id, iri) DO UPDATE SET definition = excluded.definition
            """, definitions, ct, new("iri", ColumnType.Text, d => d.Iri), new("definition", ColumnType.Json, d => d.Json));
    }

    /// <inheritdoc />
    protected override async Task InsertAgentNamesAsync(DbConnection c, DbTransaction t, long tenantId, IReadOnlyList<(string Key, string Name)> names, CancellationToken ct)
    {
        await using var command = Dialect.Command(c, t, "", ("t", tenantId));
        await db.ForEachRowAsync(command, """
            INSERT INTO agent_names (tenant_id, agent_key, name) SELECT @t, r.key, r.name FROM {rows} WHERE true ORDER BY r.key, r.name
            ON CONFLICT DO NOTHING
            """, names, ct, new("key", ColumnType.Text, n => n.Key), new("name", ColumnType.Text, n => n.Name));
    }

    /// <inheritdoc />
    protected override async Task InsertAttachmentsAsync(DbConnection c, DbTransaction t, long tenantId, IReadOnlyCollection<AttachmentContent> attachments, CancellationToken ct)
    {
        foreach (var a in attachments)
        {
            await using var command = Dialect.Command(c, t, """
                INSERT INTO attachments (tenant_id, sha2, content_type, length, content) VALUES (@t, @sha2, @type, @length, @content)
                ON CONFLICT DO NOTHING
                """, ("t", tenantId), ("sha2", a.Sha2), ("type", a.ContentType), ("length", a.Content.LongLength), ("content", a.Content));
            await command.ExecuteNonQueryAsync(ct);
        }
    }

    /// <inheritdoc />
    public override async Task<AttachmentContent?> GetAttachmentAsync(long tenantId, string sha2, CancellationToken ct) =>
        (await db.QueryAsync("SELECT content_type, content FROM attachments WHERE tenant_id = @t AND sha2 = @sha2",
            r => new AttachmentContent(sha2, r.GetString(0), (byte[])r.GetValue(1)), ct, ("t", tenantId), ("sha2", sha2))).FirstOrDefault();

    /// <inheritdoc />
    public override async Task<StoredStatement?> GetAsync(long tenantId, Guid id, CancellationToken ct) =>
        (await db.QueryAsync($"SELECT seq, stored, body{db.AsText}, voided FROM statements WHERE tenant_id = @t AND id = @id", Read, ct,
            ("t", tenantId), ("id", db.Uuid(id)))).FirstOrDefault();

    /// <inheritdoc />
    public override async Task<IReadOnlyList<StoredStatement>> QueryAsync(long tenantId, StatementQuery query, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        await using var command = Dialect.Command(connection, null, "", ("t", tenantId));
        var sql = new StringBuilder($"SELECT s.seq, s.stored, s.body{db.AsText}, s.voided FROM statements s WHERE s.tenant_id = @t AND NOT s.voided");
        if (query.Since is { } since)
        {
            sql.Append(" AND s.stored > @since");
            command.With("since", db.Time(since));
        }
        if (query.Until is { } until)
        {
            sql.Append(" AND s.stored <= @until");
            command.With("until", db.Time(until));
        }
        if (query.After is { } after)
        {
            sql.Append(query.Ascending ? " AND (s.stored, s.seq) > (@as, @aseq)" : " AND (s.stored, s.seq) < (@as, @aseq)");
            command.With("as", db.Time(after.Stored)).With("aseq", after.Sequence);
        }
        for (var i = 0; i < query.OwnKeys.Count; i++)
        {
            sql.Append($" AND EXISTS (SELECT 1 FROM statement_index m{i} WHERE m{i}.tenant_id = @t AND m{i}.key = @own{i} AND m{i}.seq = s.seq AND m{i}.src = s.seq)");
            command.With($"own{i}", query.OwnKeys[i]);
        }
        if (query.Organisation is { } organisation)
        {
            // The statement's own agent keys (not those of a StatementRef target) against the employer's people.
            sql.Append(db.Sql(
                sqlite: " AND EXISTS (SELECT 1 FROM people p JOIN person_agents pa ON pa.tenant_id = p.tenant_id AND pa.person_id = p.id"
                    + $" WHERE p.tenant_id = @t AND p.organisation_id = @org AND instr(char(31) || s.keys || char(31), char(31) || '{StatementIndex.Agent}' || pa.agent_key || char(31)) > 0)",
                postgres: $" AND EXISTS (SELECT 1 FROM unnest(s.keys) AS k(key) JOIN person_agents pa ON pa.tenant_id = @t AND pa.agent_key = substr(k.key, {StatementIndex.Agent.Length + 1})"
                    + " JOIN people p ON p.tenant_id = @t AND p.id = pa.person_id"
                    + $" WHERE k.key LIKE '{StatementIndex.Agent}%' AND p.organisation_id = @org)"));
            command.With("org", organisation);
        }
        if (query.Keys.Count > 0)
        {
            // All keys must come from one source: the statement itself or one statement of its StatementRef chain.
            sql.Append(" AND s.seq IN (SELECT i0.seq FROM statement_index i0");
            for (var i = 1; i < query.Keys.Count; i++)
                sql.Append($" JOIN statement_index i{i} ON i{i}.tenant_id = i0.tenant_id AND i{i}.key = @k{i} AND i{i}.seq = i0.seq AND i{i}.src = i0.src");
            sql.Append(" WHERE i0.tenant_id = @t AND i0.key = @k0)");
            for (var i = 0; i < query.Keys.Count; i++) command.With($"k{i}", query.Keys[i]);
        }
        sql.Append(query.Ascending ? " ORDER BY s.stored, s.seq" : " ORDER BY s.stored DESC, s.seq DESC");
        command.CommandText = sql.Append(" LIMIT @limit").ToString();
        command.With("limit", query.Limit);
        return await command.ListAsync(Read, ct);
    }

    /// <inheritdoc />
    protected override Task<long> FrameworkVersionAsync(DbConnection c, DbTransaction t, long tenantId, CancellationToken ct) =>
        _evidence.VersionAsync(c, t, tenantId, shareLock: true, ct);

    /// <inheritdoc />
    protected override Task<string?> FrameworkDocumentAsync(DbConnection c, DbTransaction t, long tenantId, CancellationToken ct) => _evidence.DocumentAsync(c, t, tenantId, ct);

    /// <inheritdoc />
    protected override Task InsertEvidenceAsync(DbConnection c, DbTransaction t, long tenantId, IReadOnlyList<EvidenceRow> rows, CancellationToken ct) =>
        _evidence.UpsertEvidenceAsync(c, t, tenantId, [.. rows.Select(r => (r.StatementId, r.Recorded, r.Found))], ct);

    /// <inheritdoc />
    protected override Task InsertSignoffsAsync(DbConnection c, DbTransaction t, long tenantId, IReadOnlyList<SignoffRow> rows, CancellationToken ct) =>
        _evidence.UpsertSignoffsAsync(c, t, tenantId, [.. rows.Select(r => (r.StatementId, r.Recorded, r.Signoff))], ct);

    /// <inheritdoc />
    protected override Task RetractAsync(DbConnection c, DbTransaction t, long tenantId, Guid[] statementIds, DateTimeOffset at, CancellationToken ct) =>
        _evidence.RetractAsync(c, t, tenantId, statementIds, at, ct);

    private StoredStatement Read(DbDataReader r) => new(new StatementPosition(db.Time(r, 1), r.GetInt64(0)), r.GetString(2), r.GetBoolean(3));
}
