using System.Data.Common;
using System.Text;
using Lrs.Core.Competence;
using Microsoft.Data.Sqlite;
using static Lrs.Storage.Sqlite.SqliteStatementStore;

namespace Lrs.Storage.Sqlite;

/// <summary>Competence framework and evidence in SQLite.</summary>
public sealed class SqliteCompetenceStore(SqliteDatabase database, FrameworkCache frameworks, TimeProvider time) : RelationalCompetenceStore(frameworks, time)
{
    /// <summary>Inserts or replaces evidence rows (clearing a retraction); disposes <paramref name="command"/>.</summary>
    internal static async Task UpsertEvidenceAsync(SqliteCommand command, long tenantId, IReadOnlyList<(Guid StatementId, DateTimeOffset Recorded, EvidenceFound Found)> rows, CancellationToken ct)
    {
        await using var _ = command;
        command.CommandText = """
            INSERT INTO evidence (tenant_id, statement_id, competence_id, agent_key, rule_id, achieved_at, expires_at, needs_signoff, assessor, recorded)
            VALUES ($t, $id, $competence, $agent, $rule, $achieved, $expires, $signoff, $assessor, $recorded)
            ON CONFLICT (tenant_id, statement_id, competence_id, agent_key) DO UPDATE SET
                rule_id = excluded.rule_id, achieved_at = excluded.achieved_at, expires_at = excluded.expires_at,
                needs_signoff = excluded.needs_signoff, assessor = excluded.assessor, recorded = excluded.recorded, retracted = NULL
            """;
        command.Parameters.AddWithValue("$t", tenantId);
        var pId = command.Parameters.Add("$id", SqliteType.Text);
        var pCompetence = command.Parameters.Add("$competence", SqliteType.Text);
        var pAgent = command.Parameters.Add("$agent", SqliteType.Text);
        var pRule = command.Parameters.Add("$rule", SqliteType.Text);
        var pAchieved = command.Parameters.Add("$achieved", SqliteType.Integer);
        var pExpires = command.Parameters.Add("$expires", SqliteType.Integer);
        var pSignoff = command.Parameters.Add("$signoff", SqliteType.Integer);
        var pAssessor = command.Parameters.Add("$assessor", SqliteType.Text);
        var pRecorded = command.Parameters.Add("$recorded", SqliteType.Integer);
        foreach (var (statementId, recorded, found) in rows)
        {
            pId.Value = Id(statementId);
            pCompetence.Value = found.CompetenceId;
            pAgent.Value = found.AgentKey;
            pRule.Value = found.RuleId;
            pAchieved.Value = Micros(found.AchievedAt);
            pExpires.Value = found.ExpiresAt is { } e ? Micros(e) : DBNull.Value;
            pSignoff.Value = found.NeedsSignoff ? 1 : 0;
            pAssessor.Value = (object?)found.AssessorJson ?? DBNull.Value;
            pRecorded.Value = Micros(recorded);
            await command.ExecuteNonQueryAsync(ct);
        }
    }

    /// <summary>Inserts or replaces sign-off rows (clearing a retraction); disposes <paramref name="command"/>.</summary>
    internal static async Task UpsertSignoffsAsync(SqliteCommand command, long tenantId, IReadOnlyList<(Guid StatementId, DateTimeOffset Recorded, Signoff Signoff)> rows, CancellationToken ct)
    {
        await using var _ = command;
        command.CommandText = """
            INSERT INTO signoffs (tenant_id, statement_id, target_id, signer_key, signed_at, recorded)
            VALUES ($t, $id, $target, $signer, $signed, $recorded)
            ON CONFLICT (tenant_id, statement_id) DO UPDATE SET
                target_id = excluded.target_id, signer_key = excluded.signer_key, signed_at = excluded.signed_at,
                recorded = excluded.recorded, retracted = NULL
            """;
        command.Parameters.AddWithValue("$t", tenantId);
        var pId = command.Parameters.Add("$id", SqliteType.Text);
        var pTarget = command.Parameters.Add("$target", SqliteType.Text);
        var pSigner = command.Parameters.Add("$signer", SqliteType.Text);
        var pSigned = command.Parameters.Add("$signed", SqliteType.Integer);
        var pRecorded = command.Parameters.Add("$recorded", SqliteType.Integer);
        foreach (var (statementId, recorded, signoff) in rows)
        {
            pId.Value = Id(statementId);
            pTarget.Value = Id(signoff.TargetStatementId);
            pSigner.Value = signoff.SignerKey;
            pSigned.Value = Micros(signoff.SignedAt);
            pRecorded.Value = Micros(recorded);
            await command.ExecuteNonQueryAsync(ct);
        }
    }

    /// <inheritdoc />
    public override async Task<IReadOnlyList<EvidenceRecord>> EvidenceAsync(long tenantId, IReadOnlyCollection<string> agentKeys, CancellationToken ct)
    {
        if (agentKeys.Count == 0) return [];
        await using var connection = await database.OpenAsync(ct);
        await using var command = Command(connection, null, "");
        // A sign-off counts only when someone other than the learner gave it; the earliest one decides.
        var sql = new StringBuilder("""
            SELECT e.competence_id, e.statement_id, e.agent_key, e.achieved_at, e.expires_at, e.needs_signoff, e.assessor,
                CASE WHEN e.needs_signoff = 1 THEN (SELECT s.signed_at FROM signoffs s
                    WHERE s.tenant_id = e.tenant_id AND s.target_id = e.statement_id AND s.retracted IS NULL AND s.signer_key <> e.agent_key
                    ORDER BY s.signed_at, s.statement_id LIMIT 1) END,
                CASE WHEN e.needs_signoff = 1 THEN (SELECT s.statement_id FROM signoffs s
                    WHERE s.tenant_id = e.tenant_id AND s.target_id = e.statement_id AND s.retracted IS NULL AND s.signer_key <> e.agent_key
                    ORDER BY s.signed_at, s.statement_id LIMIT 1) END
            FROM evidence e
            WHERE e.tenant_id = $t AND e.retracted IS NULL AND e.agent_key IN (
            """);
        var i = 0;
        foreach (var key in agentKeys)
        {
            sql.Append(i == 0 ? "$k0" : $", $k{i}");
            command.Parameters.AddWithValue($"$k{i++}", key);
        }
        command.CommandText = sql.Append(')').ToString();
        command.Parameters.AddWithValue("$t", tenantId);
        var result = new List<EvidenceRecord>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
            result.Add(new EvidenceRecord(reader.GetString(0), Guid.Parse(reader.GetString(1)), reader.GetString(2), FromMicros(reader.GetInt64(3)),
                Time(reader, 4), reader.GetInt64(5) == 1, Time(reader, 7), reader.IsDBNull(8) ? null : Guid.Parse(reader.GetString(8)),
                reader.IsDBNull(6) ? null : reader.GetString(6)));
        return result;
    }

    /// <inheritdoc />
    public override async Task<IReadOnlySet<string>> AgentsChangedSinceAsync(long tenantId, DateTimeOffset since, DateTimeOffset now, TimeSpan expiringWindow, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        await using var command = Command(connection, null, """
            SELECT agent_key FROM evidence WHERE tenant_id = $t AND recorded > $since
            UNION SELECT agent_key FROM evidence WHERE tenant_id = $t AND retracted > $since
            UNION SELECT agent_key FROM evidence WHERE tenant_id = $t AND expires_at > $since AND expires_at <= $now
            UNION SELECT agent_key FROM evidence WHERE tenant_id = $t AND expires_at > $since_w AND expires_at <= $now_w
            UNION SELECT e.agent_key FROM signoffs so JOIN evidence e ON e.tenant_id = so.tenant_id AND e.statement_id = so.target_id
                WHERE so.tenant_id = $t AND (so.recorded > $since OR so.retracted > $since)
            """);
        command.Parameters.AddWithValue("$t", tenantId);
        command.Parameters.AddWithValue("$since", Micros(since));
        command.Parameters.AddWithValue("$now", Micros(now));
        command.Parameters.AddWithValue("$since_w", Micros(since + expiringWindow));
        command.Parameters.AddWithValue("$now_w", Micros(now + expiringWindow));
        return await KeysAsync(command, ct);
    }

    /// <inheritdoc />
    public override async Task<IReadOnlySet<string>> AgentsWithEvidenceExpiringAsync(long tenantId, DateTimeOffset from, DateTimeOffset until, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        await using var command = Command(connection, null,
            "SELECT DISTINCT agent_key FROM evidence WHERE tenant_id = $t AND expires_at > $from AND expires_at <= $until AND retracted IS NULL");
        command.Parameters.AddWithValue("$t", tenantId);
        command.Parameters.AddWithValue("$from", Micros(from));
        command.Parameters.AddWithValue("$until", Micros(until));
        return await KeysAsync(command, ct);
    }

    private static async Task<IReadOnlySet<string>> KeysAsync(SqliteCommand command, CancellationToken ct)
    {
        var keys = new HashSet<string>(StringComparer.Ordinal);
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct)) keys.Add(reader.GetString(0));
        return keys;
    }

    private static DateTimeOffset? Time(DbDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : FromMicros(reader.GetInt64(ordinal));

    /// <inheritdoc />
    protected override async Task<(long Version, DateTimeOffset? Updated)> FrameworkStampAsync(long tenantId, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        await using var command = Command(connection, null, "SELECT version, updated FROM frameworks WHERE tenant_id = $t");
        command.Parameters.AddWithValue("$t", tenantId);
        await using var reader = await command.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct) ? (reader.GetInt64(0), Time(reader, 1)) : (0, null);
    }

    /// <inheritdoc />
    protected override async Task<(long Version, string? Document, DateTimeOffset? Updated)> FrameworkRowAsync(long tenantId, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        await using var command = Command(connection, null, "SELECT version, document, updated FROM frameworks WHERE tenant_id = $t");
        command.Parameters.AddWithValue("$t", tenantId);
        await using var reader = await command.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct) ? (reader.GetInt64(0), reader.GetString(1), Time(reader, 2)) : (0, null, null);
    }

    /// <inheritdoc />
    protected override Task<long> FrameworkVersionAsync(DbConnection c, DbTransaction t, long tenantId, CancellationToken ct) => VersionAsync(c, t, tenantId, ct);

    /// <inheritdoc />
    protected override Task<string?> FrameworkDocumentAsync(DbConnection c, DbTransaction t, long tenantId, CancellationToken ct) => DocumentAsync(c, t, tenantId, ct);

    /// <summary>The tenant's framework version inside a transaction (0 when none).</summary>
    internal static async Task<long> VersionAsync(DbConnection c, DbTransaction t, long tenantId, CancellationToken ct)
    {
        await using var command = Command(c, t, "SELECT version FROM frameworks WHERE tenant_id = $t");
        command.Parameters.AddWithValue("$t", tenantId);
        return await command.ExecuteScalarAsync(ct) is long version ? version : 0;
    }

    /// <summary>The tenant's framework document inside a transaction (null when none).</summary>
    internal static async Task<string?> DocumentAsync(DbConnection c, DbTransaction t, long tenantId, CancellationToken ct)
    {
        await using var command = Command(c, t, "SELECT document FROM frameworks WHERE tenant_id = $t");
        command.Parameters.AddWithValue("$t", tenantId);
        return await command.ExecuteScalarAsync(ct) as string;
    }

    /// <inheritdoc />
    protected override async Task<long> ChunkEndAsync(DbConnection c, DbTransaction t, long tenantId, long from, long maxSeq, CancellationToken ct)
    {
        await using var command = Command(c, t, $"SELECT seq FROM statements WHERE tenant_id = $t AND seq >= $from ORDER BY seq LIMIT 1 OFFSET {RebuildChunk}");
        command.Parameters.AddWithValue("$t", tenantId);
        command.Parameters.AddWithValue("$from", from);
        return await command.ExecuteScalarAsync(ct) is long end ? end : maxSeq + 1;
    }

    /// <inheritdoc />
    protected override async Task<WriteLease> BeginExclusiveAsync(long tenantId, CancellationToken ct)
    {
        // The one writer of SQLite excludes statement batches already.
        var writer = await database.LockWriterAsync(ct);
        try
        {
            var connection = await database.OpenAsync(ct);
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
    protected override async Task<long> WriteFrameworkAsync(DbConnection c, DbTransaction t, long tenantId, string document, DateTimeOffset now, CancellationToken ct)
    {
        await using var command = Command(c, t, """
            INSERT INTO frameworks (tenant_id, version, document, updated) VALUES ($t, 1, $document, $now)
            ON CONFLICT (tenant_id) DO UPDATE SET version = frameworks.version + 1, document = excluded.document, updated = excluded.updated
            RETURNING version
            """);
        command.Parameters.AddWithValue("$t", tenantId);
        command.Parameters.AddWithValue("$document", document);
        command.Parameters.AddWithValue("$now", Micros(now));
        return (long)(await command.ExecuteScalarAsync(ct))!;
    }

    /// <inheritdoc />
    protected override async Task<long> MaxSeqAsync(long tenantId, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        await using var command = Command(connection, null, "SELECT COALESCE(max(seq), 0) FROM statements WHERE tenant_id = $t");
        command.Parameters.AddWithValue("$t", tenantId);
        return (long)(await command.ExecuteScalarAsync(ct))!;
    }

    /// <inheritdoc />
    protected override async Task<IReadOnlyList<Candidate>> CandidatesAsync(DbConnection c, DbTransaction t, long tenantId, long from, long to, string[] verbs, CancellationToken ct)
    {
        if (verbs.Length == 0) return [];
        await using var command = Command(c, t, "");
        var sql = new StringBuilder("SELECT id, stored, body FROM statements WHERE tenant_id = $t AND seq >= $from AND seq < $to AND voided = 0 AND is_voiding = 0 AND verb IN (");
        for (var i = 0; i < verbs.Length; i++)
        {
            sql.Append(i == 0 ? "$v0" : $", $v{i}");
            command.Parameters.AddWithValue($"$v{i}", verbs[i]);
        }
        command.CommandText = sql.Append(") ORDER BY seq").ToString();
        command.Parameters.AddWithValue("$t", tenantId);
        command.Parameters.AddWithValue("$from", from);
        command.Parameters.AddWithValue("$to", to);
        var result = new List<Candidate>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct)) result.Add(new Candidate(Guid.Parse(reader.GetString(0)), FromMicros(reader.GetInt64(1)), reader.GetString(2)));
        return result;
    }

    /// <inheritdoc />
    protected override async Task<IReadOnlyList<EvidenceRow>> ExistingEvidenceAsync(DbConnection c, DbTransaction t, long tenantId, long from, long to, CancellationToken ct)
    {
        await using var command = Command(c, t, """
            SELECT e.statement_id, e.competence_id, e.agent_key, e.rule_id, e.achieved_at, e.expires_at, e.needs_signoff, e.assessor
            FROM statements s JOIN evidence e ON e.tenant_id = s.tenant_id AND e.statement_id = s.id
            WHERE s.tenant_id = $t AND s.seq >= $from AND s.seq < $to AND e.retracted IS NULL
            """);
        command.Parameters.AddWithValue("$t", tenantId);
        command.Parameters.AddWithValue("$from", from);
        command.Parameters.AddWithValue("$to", to);
        var result = new List<EvidenceRow>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
            result.Add(new EvidenceRow(Guid.Parse(reader.GetString(0)), reader.GetString(1), reader.GetString(2), reader.GetString(3), FromMicros(reader.GetInt64(4)),
                Time(reader, 5), reader.GetInt64(6) == 1, reader.IsDBNull(7) ? null : reader.GetString(7)));
        return result;
    }

    /// <inheritdoc />
    protected override async Task<IReadOnlyList<SignoffRow>> ExistingSignoffsAsync(DbConnection c, DbTransaction t, long tenantId, long from, long to, CancellationToken ct)
    {
        await using var command = Command(c, t, """
            SELECT so.statement_id, so.target_id, so.signer_key, so.signed_at
            FROM statements s JOIN signoffs so ON so.tenant_id = s.tenant_id AND so.statement_id = s.id
            WHERE s.tenant_id = $t AND s.seq >= $from AND s.seq < $to AND so.retracted IS NULL
            """);
        command.Parameters.AddWithValue("$t", tenantId);
        command.Parameters.AddWithValue("$from", from);
        command.Parameters.AddWithValue("$to", to);
        var result = new List<SignoffRow>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
            result.Add(new SignoffRow(Guid.Parse(reader.GetString(0)), Guid.Parse(reader.GetString(1)), reader.GetString(2), FromMicros(reader.GetInt64(3))));
        return result;
    }

    /// <inheritdoc />
    protected override Task UpsertEvidenceAsync(DbConnection c, DbTransaction t, long tenantId, IReadOnlyList<EvidenceRow> rows, DateTimeOffset now, CancellationToken ct) =>
        UpsertEvidenceAsync(Command(c, t, ""), tenantId, [.. rows.Select(r => (r.StatementId, now,
            new EvidenceFound(r.CompetenceId, r.RuleId, r.AgentKey, r.AchievedAt, r.ExpiresAt, r.NeedsSignoff, r.AssessorJson)))], ct);

    /// <inheritdoc />
    protected override async Task RetractEvidenceAsync(DbConnection c, DbTransaction t, long tenantId, IReadOnlyList<EvidenceRow> rows, DateTimeOffset now, CancellationToken ct)
    {
        await using var command = Command(c, t, "UPDATE evidence SET retracted = $now WHERE tenant_id = $t AND statement_id = $id AND competence_id = $competence AND agent_key = $agent");
        command.Parameters.AddWithValue("$t", tenantId);
        command.Parameters.AddWithValue("$now", Micros(now));
        var pId = command.Parameters.Add("$id", SqliteType.Text);
        var pCompetence = command.Parameters.Add("$competence", SqliteType.Text);
        var pAgent = command.Parameters.Add("$agent", SqliteType.Text);
        foreach (var row in rows)
        {
            (pId.Value, pCompetence.Value, pAgent.Value) = (Id(row.StatementId), row.CompetenceId, row.AgentKey);
            await command.ExecuteNonQueryAsync(ct);
        }
    }

    /// <inheritdoc />
    protected override Task UpsertSignoffsAsync(DbConnection c, DbTransaction t, long tenantId, IReadOnlyList<SignoffRow> rows, DateTimeOffset now, CancellationToken ct) =>
        UpsertSignoffsAsync(Command(c, t, ""), tenantId, [.. rows.Select(r => (r.StatementId, now, new Signoff(r.TargetId, r.SignerKey, r.SignedAt)))], ct);

    /// <inheritdoc />
    protected override async Task RetractSignoffsAsync(DbConnection c, DbTransaction t, long tenantId, IReadOnlyList<SignoffRow> rows, DateTimeOffset now, CancellationToken ct)
    {
        await using var command = Command(c, t, "UPDATE signoffs SET retracted = $now WHERE tenant_id = $t AND statement_id = $id");
        command.Parameters.AddWithValue("$t", tenantId);
        command.Parameters.AddWithValue("$now", Micros(now));
        var pId = command.Parameters.Add("$id", SqliteType.Text);
        foreach (var row in rows)
        {
            pId.Value = Id(row.StatementId);
            await command.ExecuteNonQueryAsync(ct);
        }
    }
}
