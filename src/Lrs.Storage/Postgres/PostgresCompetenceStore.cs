using System.Data.Common;
using Lrs.Core.Competence;
using Npgsql;
using NpgsqlTypes;

namespace Lrs.Storage.Postgres;

/// <summary>Competence framework and evidence in PostgreSQL.</summary>
public sealed class PostgresCompetenceStore(PostgresDatabase database, FrameworkCache frameworks, TimeProvider time) : RelationalCompetenceStore(frameworks, time)
{
    internal const string InsertEvidenceSql = """
        INSERT INTO evidence (tenant_id, statement_id, competence_id, agent_key, rule_id, achieved_at, expires_at, needs_signoff, assessor, recorded)
        SELECT @t, u.* FROM unnest(@ids, @competences, @agents, @rules, @achieved, @expires, @signoff, @assessors, @recorded)
            AS u(id, competence, agent, rule, achieved, expires, signoff, assessor, recorded)
        ON CONFLICT (tenant_id, statement_id, competence_id, agent_key) DO UPDATE SET
            rule_id = excluded.rule_id, achieved_at = excluded.achieved_at, expires_at = excluded.expires_at,
            needs_signoff = excluded.needs_signoff, assessor = excluded.assessor, recorded = excluded.recorded, retracted = NULL
        """;

    internal const string InsertSignoffsSql = """
        INSERT INTO signoffs (tenant_id, statement_id, target_id, signer_key, signed_at, recorded)
        SELECT @t, u.* FROM unnest(@ids, @targets, @signers, @signed, @recorded) AS u(id, target, signer, signed, recorded)
        ON CONFLICT (tenant_id, statement_id) DO UPDATE SET
            target_id = excluded.target_id, signer_key = excluded.signer_key, signed_at = excluded.signed_at,
            recorded = excluded.recorded, retracted = NULL
        """;

    internal const string RetractSql = """
        UPDATE evidence SET retracted = @at WHERE tenant_id = @t AND statement_id = ANY(@ids) AND retracted IS NULL;
        UPDATE signoffs SET retracted = @at WHERE tenant_id = @t AND statement_id = ANY(@ids) AND retracted IS NULL;
        """;

    internal static void AddEvidenceParameters(NpgsqlCommand command, long tenantId, IReadOnlyList<(Guid StatementId, DateTimeOffset Recorded, EvidenceFound Found)> rows)
    {
        command.Parameters.AddWithValue("t", tenantId);
        command.Parameters.AddWithValue("ids", rows.Select(r => r.StatementId).ToArray());
        command.Parameters.AddWithValue("competences", rows.Select(r => r.Found.CompetenceId).ToArray());
        command.Parameters.AddWithValue("agents", rows.Select(r => r.Found.AgentKey).ToArray());
        command.Parameters.AddWithValue("rules", rows.Select(r => r.Found.RuleId).ToArray());
        command.Parameters.Add(Times("achieved", rows.Select(r => (DateTimeOffset?)r.Found.AchievedAt)));
        command.Parameters.Add(Times("expires", rows.Select(r => r.Found.ExpiresAt)));
        command.Parameters.AddWithValue("signoff", rows.Select(r => r.Found.NeedsSignoff).ToArray());
        command.Parameters.Add(new NpgsqlParameter<string?[]>("assessors", NpgsqlDbType.Array | NpgsqlDbType.Text) { TypedValue = [.. rows.Select(r => r.Found.AssessorJson)] });
        command.Parameters.Add(Times("recorded", rows.Select(r => (DateTimeOffset?)r.Recorded)));
    }

    internal static void AddSignoffParameters(NpgsqlCommand command, long tenantId, IReadOnlyList<(Guid StatementId, DateTimeOffset Recorded, Signoff Signoff)> rows)
    {
        command.Parameters.AddWithValue("t", tenantId);
        command.Parameters.AddWithValue("ids", rows.Select(r => r.StatementId).ToArray());
        command.Parameters.AddWithValue("targets", rows.Select(r => r.Signoff.TargetStatementId).ToArray());
        command.Parameters.AddWithValue("signers", rows.Select(r => r.Signoff.SignerKey).ToArray());
        command.Parameters.Add(Times("signed", rows.Select(r => (DateTimeOffset?)r.Signoff.SignedAt)));
        command.Parameters.Add(Times("recorded", rows.Select(r => (DateTimeOffset?)r.Recorded)));
    }

    private static NpgsqlParameter<DateTime?[]> Times(string name, IEnumerable<DateTimeOffset?> times) =>
        new(name, NpgsqlDbType.Array | NpgsqlDbType.TimestampTz) { TypedValue = [.. times.Select(t => t?.UtcDateTime)] };

    /// <inheritdoc />
    public override async Task<IReadOnlyList<EvidenceRecord>> EvidenceAsync(long tenantId, IReadOnlyCollection<string> agentKeys, CancellationToken ct)
    {
        // A sign-off counts only when someone other than the learner gave it; the earliest one decides.
        // e.needs_signoff inside the lateral subquery, not in ON: there it is a one-time filter that skips the sign-off
        // lookup for the three quarters of evidence that needs none; in ON the lookup ran for every row and was discarded.
        await using var command = database.DataSource.CreateCommand("""
            SELECT e.competence_id, e.statement_id, e.agent_key, e.achieved_at, e.expires_at, e.needs_signoff, e.assessor, so.signed_at, so.statement_id
            FROM evidence e
            LEFT JOIN LATERAL (
                SELECT s.signed_at, s.statement_id FROM signoffs s
                WHERE e.needs_signoff AND s.tenant_id = e.tenant_id AND s.target_id = e.statement_id AND s.retracted IS NULL AND s.signer_key <> e.agent_key
                ORDER BY s.signed_at, s.statement_id LIMIT 1) so ON true
            WHERE e.tenant_id = @t AND e.agent_key = ANY(@keys) AND e.retracted IS NULL
            """);
        command.Parameters.AddWithValue("t", tenantId);
        command.Parameters.AddWithValue("keys", agentKeys.ToArray());
        var result = new List<EvidenceRecord>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
            result.Add(new EvidenceRecord(reader.GetString(0), reader.GetGuid(1), reader.GetString(2), Time(reader, 3)!.Value, Time(reader, 4),
                reader.GetBoolean(5), Time(reader, 7), reader.IsDBNull(8) ? null : reader.GetGuid(8), reader.IsDBNull(6) ? null : reader.GetString(6)));
        return result;
    }

    /// <inheritdoc />
    public override async Task<IReadOnlySet<string>> AgentsChangedSinceAsync(long tenantId, DateTimeOffset since, DateTimeOffset now, TimeSpan expiringWindow, CancellationToken ct)
    {
        await using var command = database.DataSource.CreateCommand("""
            SELECT agent_key FROM evidence WHERE tenant_id = @t AND recorded > @since
            UNION SELECT agent_key FROM evidence WHERE tenant_id = @t AND retracted > @since
            UNION SELECT agent_key FROM evidence WHERE tenant_id = @t AND expires_at > @since AND expires_at <= @now
            UNION SELECT agent_key FROM evidence WHERE tenant_id = @t AND expires_at > @since_w AND expires_at <= @now_w
            UNION SELECT e.agent_key FROM signoffs so JOIN evidence e ON e.tenant_id = so.tenant_id AND e.statement_id = so.target_id
                WHERE so.tenant_id = @t AND (so.recorded > @since OR so.retracted > @since)
            """);
        command.Parameters.AddWithValue("t", tenantId);
        command.Parameters.AddWithValue("since", since.UtcDateTime);
        command.Parameters.AddWithValue("now", now.UtcDateTime);
        command.Parameters.AddWithValue("since_w", (since + expiringWindow).UtcDateTime);
        command.Parameters.AddWithValue("now_w", (now + expiringWindow).UtcDateTime);
        return await KeysAsync(command, ct);
    }

    /// <inheritdoc />
    public override async Task<IReadOnlySet<string>> AgentsWithEvidenceExpiringAsync(long tenantId, DateTimeOffset from, DateTimeOffset until, CancellationToken ct)
    {
        await using var command = database.DataSource.CreateCommand(
            "SELECT DISTINCT agent_key FROM evidence WHERE tenant_id = @t AND expires_at > @from AND expires_at <= @until AND retracted IS NULL");
        command.Parameters.AddWithValue("t", tenantId);
        command.Parameters.AddWithValue("from", from.UtcDateTime);
        command.Parameters.AddWithValue("until", until.UtcDateTime);
        return await KeysAsync(command, ct);
    }

    private static async Task<IReadOnlySet<string>> KeysAsync(NpgsqlCommand command, CancellationToken ct)
    {
        var keys = new HashSet<string>(StringComparer.Ordinal);
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct)) keys.Add(reader.GetString(0));
        return keys;
    }

    private static DateTimeOffset? Time(DbDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : new DateTimeOffset(reader.GetDateTime(ordinal), TimeSpan.Zero);

    /// <inheritdoc />
    protected override async Task<(long Version, DateTimeOffset? Updated)> FrameworkStampAsync(long tenantId, CancellationToken ct)
    {
        await using var command = database.DataSource.CreateCommand("SELECT version, updated FROM frameworks WHERE tenant_id = @t");
        command.Parameters.AddWithValue("t", tenantId);
        await using var reader = await command.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct) ? (reader.GetInt64(0), Time(reader, 1)) : (0, null);
    }

    /// <inheritdoc />
    protected override async Task<(long Version, string? Document, DateTimeOffset? Updated)> FrameworkRowAsync(long tenantId, CancellationToken ct)
    {
        await using var command = database.DataSource.CreateCommand("SELECT version, document::text, updated FROM frameworks WHERE tenant_id = @t");
        command.Parameters.AddWithValue("t", tenantId);
        await using var reader = await command.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct) ? (reader.GetInt64(0), reader.GetString(1), Time(reader, 2)) : (0, null, null);
    }

    /// <inheritdoc />
    protected override async Task<long> FrameworkVersionAsync(DbConnection c, DbTransaction t, long tenantId, CancellationToken ct)
    {
        await using var command = Command(c, t, "SELECT version FROM frameworks WHERE tenant_id = @t");
        command.Parameters.AddWithValue("t", tenantId);
        return await command.ExecuteScalarAsync(ct) is long version ? version : 0;
    }

    /// <inheritdoc />
    protected override Task<string?> FrameworkDocumentAsync(DbConnection c, DbTransaction t, long tenantId, CancellationToken ct) => DocumentAsync(c, t, tenantId, ct);

    /// <summary>The tenant's framework document inside a transaction (null when none).</summary>
    internal static async Task<string?> DocumentAsync(DbConnection c, DbTransaction t, long tenantId, CancellationToken ct)
    {
        await using var command = Command(c, t, "SELECT document::text FROM frameworks WHERE tenant_id = @t");
        command.Parameters.AddWithValue("t", tenantId);
        return await command.ExecuteScalarAsync(ct) as string;
    }

    /// <inheritdoc />
    protected override async Task<long> ChunkEndAsync(DbConnection c, DbTransaction t, long tenantId, long from, long maxSeq, CancellationToken ct)
    {
        await using var command = Command(c, t, $"SELECT seq FROM statements WHERE tenant_id = @t AND seq >= @from ORDER BY seq OFFSET {RebuildChunk} LIMIT 1");
        command.Parameters.AddWithValue("t", tenantId);
        command.Parameters.AddWithValue("from", from);
        return await command.ExecuteScalarAsync(ct) is long end ? end : maxSeq + 1;
    }

    /// <inheritdoc />
    protected override async Task<WriteLease> BeginExclusiveAsync(long tenantId, CancellationToken ct)
    {
        var connection = await database.DataSource.OpenConnectionAsync(ct);
        try
        {
            var transaction = await connection.BeginTransactionAsync(ct);
            await using var command = new NpgsqlCommand($"SELECT pg_advisory_xact_lock({PostgresStatementStore.FrameworkLock}, @lock)", connection, transaction);
            command.Parameters.AddWithValue("lock", PostgresStatementStore.LockId(tenantId));
            await command.ExecuteNonQueryAsync(ct);
            return new WriteLease(connection, transaction, null);
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    /// <inheritdoc />
    protected override async Task<long> WriteFrameworkAsync(DbConnection c, DbTransaction t, long tenantId, string document, DateTimeOffset now, CancellationToken ct)
    {
        await using var command = Command(c, t, """
            INSERT INTO frameworks (tenant_id, version, document, updated) VALUES (@t, 1, @document::jsonb, @now)
            ON CONFLICT (tenant_id) DO UPDATE SET version = frameworks.version + 1, document = excluded.document, updated = excluded.updated
            RETURNING version
            """);
        command.Parameters.AddWithValue("t", tenantId);
        command.Parameters.AddWithValue("document", document);
        command.Parameters.AddWithValue("now", now.UtcDateTime);
        return (long)(await command.ExecuteScalarAsync(ct))!;
    }

    /// <inheritdoc />
    protected override async Task<long> MaxSeqAsync(long tenantId, CancellationToken ct)
    {
        await using var command = database.DataSource.CreateCommand("SELECT COALESCE(max(seq), 0) FROM statements WHERE tenant_id = @t");
        command.Parameters.AddWithValue("t", tenantId);
        return (long)(await command.ExecuteScalarAsync(ct))!;
    }

    /// <inheritdoc />
    protected override async Task<IReadOnlyList<Candidate>> CandidatesAsync(DbConnection c, DbTransaction t, long tenantId, long from, long to, string[] verbs, CancellationToken ct)
    {
        await using var command = Command(c, t, """
            SELECT id, stored, body::text FROM statements
            WHERE tenant_id = @t AND seq >= @from AND seq < @to AND NOT voided AND NOT is_voiding AND verb = ANY(@verbs)
            ORDER BY seq
            """);
        command.Parameters.AddWithValue("t", tenantId);
        command.Parameters.AddWithValue("from", from);
        command.Parameters.AddWithValue("to", to);
        command.Parameters.AddWithValue("verbs", verbs);
        var result = new List<Candidate>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct)) result.Add(new Candidate(reader.GetGuid(0), Time(reader, 1)!.Value, reader.GetString(2)));
        return result;
    }

    /// <inheritdoc />
    protected override async Task<IReadOnlyList<EvidenceRow>> ExistingEvidenceAsync(DbConnection c, DbTransaction t, long tenantId, long from, long to, CancellationToken ct)
    {
        await using var command = Command(c, t, """
            SELECT e.statement_id, e.competence_id, e.agent_key, e.rule_id, e.achieved_at, e.expires_at, e.needs_signoff, e.assessor
            FROM evidence e JOIN statements s ON s.tenant_id = e.tenant_id AND s.id = e.statement_id
            WHERE e.tenant_id = @t AND s.seq >= @from AND s.seq < @to AND e.retracted IS NULL
            """);
        command.Parameters.AddWithValue("t", tenantId);
        command.Parameters.AddWithValue("from", from);
        command.Parameters.AddWithValue("to", to);
        var result = new List<EvidenceRow>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
            result.Add(new EvidenceRow(reader.GetGuid(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), Time(reader, 4)!.Value, Time(reader, 5),
                reader.GetBoolean(6), reader.IsDBNull(7) ? null : reader.GetString(7)));
        return result;
    }

    /// <inheritdoc />
    protected override async Task<IReadOnlyList<SignoffRow>> ExistingSignoffsAsync(DbConnection c, DbTransaction t, long tenantId, long from, long to, CancellationToken ct)
    {
        await using var command = Command(c, t, """
            SELECT so.statement_id, so.target_id, so.signer_key, so.signed_at
            FROM signoffs so JOIN statements s ON s.tenant_id = so.tenant_id AND s.id = so.statement_id
            WHERE so.tenant_id = @t AND s.seq >= @from AND s.seq < @to AND so.retracted IS NULL
            """);
        command.Parameters.AddWithValue("t", tenantId);
        command.Parameters.AddWithValue("from", from);
        command.Parameters.AddWithValue("to", to);
        var result = new List<SignoffRow>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct)) result.Add(new SignoffRow(reader.GetGuid(0), reader.GetGuid(1), reader.GetString(2), Time(reader, 3)!.Value));
        return result;
    }

    /// <inheritdoc />
    protected override async Task UpsertEvidenceAsync(DbConnection c, DbTransaction t, long tenantId, IReadOnlyList<EvidenceRow> rows, DateTimeOffset now, CancellationToken ct)
    {
        await using var command = Command(c, t, InsertEvidenceSql);
        AddEvidenceParameters(command, tenantId, [.. rows.Select(r => (r.StatementId, now,
            new EvidenceFound(r.CompetenceId, r.RuleId, r.AgentKey, r.AchievedAt, r.ExpiresAt, r.NeedsSignoff, r.AssessorJson)))]);
        await command.ExecuteNonQueryAsync(ct);
    }

    /// <inheritdoc />
    protected override async Task RetractEvidenceAsync(DbConnection c, DbTransaction t, long tenantId, IReadOnlyList<EvidenceRow> rows, DateTimeOffset now, CancellationToken ct)
    {
        await using var command = Command(c, t, """
            UPDATE evidence e SET retracted = @now
            FROM unnest(@ids, @competences, @agents) AS r(id, competence, agent)
            WHERE e.tenant_id = @t AND e.statement_id = r.id AND e.competence_id = r.competence AND e.agent_key = r.agent
            """);
        command.Parameters.AddWithValue("t", tenantId);
        command.Parameters.AddWithValue("now", now.UtcDateTime);
        command.Parameters.AddWithValue("ids", rows.Select(r => r.StatementId).ToArray());
        command.Parameters.AddWithValue("competences", rows.Select(r => r.CompetenceId).ToArray());
        command.Parameters.AddWithValue("agents", rows.Select(r => r.AgentKey).ToArray());
        await command.ExecuteNonQueryAsync(ct);
    }

    /// <inheritdoc />
    protected override async Task UpsertSignoffsAsync(DbConnection c, DbTransaction t, long tenantId, IReadOnlyList<SignoffRow> rows, DateTimeOffset now, CancellationToken ct)
    {
        await using var command = Command(c, t, InsertSignoffsSql);
        AddSignoffParameters(command, tenantId, [.. rows.Select(r => (r.StatementId, now, new Signoff(r.TargetId, r.SignerKey, r.SignedAt)))]);
        await command.ExecuteNonQueryAsync(ct);
    }

    /// <inheritdoc />
    protected override async Task RetractSignoffsAsync(DbConnection c, DbTransaction t, long tenantId, IReadOnlyList<SignoffRow> rows, DateTimeOffset now, CancellationToken ct)
    {
        await using var command = Command(c, t, "UPDATE signoffs SET retracted = @now WHERE tenant_id = @t AND statement_id = ANY(@ids)");
        command.Parameters.AddWithValue("t", tenantId);
        command.Parameters.AddWithValue("now", now.UtcDateTime);
        command.Parameters.AddWithValue("ids", rows.Select(r => r.StatementId).ToArray());
        await command.ExecuteNonQueryAsync(ct);
    }

    private static NpgsqlCommand Command(DbConnection c, DbTransaction t, string sql) => new(sql, (NpgsqlConnection)c, (NpgsqlTransaction)t);
}
