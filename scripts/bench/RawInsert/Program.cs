// Raw insert rates into the LRS's own schema, without HTTP or validation: the yardstick for the HTTP ingest
// numbers of scripts/bench/run.sh. Rows are the benchmark's statements, prepared exactly as the LRS prepares
// them (StatementPreparer: stored, authority, id, index keys), then inserted directly.
//
//   RawInsert --store postgres|sqlite --conn CONNECTION --data single.jsonl
//             [--seconds 15] [--single-seconds 5] [--modes batch,single,store,pipeline] [--pool 20000]
//
// PostgreSQL: CONNECTION names a cluster (any database); fresh databases bench_raw and bench_store are
// (re)created in it. SQLite: CONNECTION is "Data Source=DIR/x.db"; fresh files raw.db and store.db are made
// in DIR. Modes (one JSON line each on stdout):
//   batch    multi-row INSERT of 100 statements (one VALUES list; PostgreSQL: their keys and the keys' hashes in the row, as
//            the LRS writes them) per transaction, one client
//            (SQLite: 100 prepared single-row INSERTs per transaction, WAL, synchronous=FULL, as the LRS)
//   single   one statement (+ its index rows) per transaction
//   store    the LRS's own IStatementStore.StoreAsync with batches of 100 (no HTTP, no validation)
//   pipeline in-process CPU cost per statement of parse + validate + prepare (no database)
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Lrs.Core.Xapi;
using Lrs.Storage;
using Lrs.Storage.Postgres;
using Lrs.Storage.Sqlite;
using Microsoft.Data.Sqlite;
using Npgsql;
using NpgsqlTypes;

var options = ParseArgs(args);
var store = options.GetValueOrDefault("store") ?? throw new ArgumentException("--store postgres|sqlite");
var conn = options.GetValueOrDefault("conn") ?? throw new ArgumentException("--conn CONNECTION");
var data = options.GetValueOrDefault("data") ?? throw new ArgumentException("--data FILE");
var seconds = double.Parse(options.GetValueOrDefault("seconds") ?? "15", CultureInfo.InvariantCulture);
var singleSeconds = double.Parse(options.GetValueOrDefault("single-seconds") ?? "5", CultureInfo.InvariantCulture);
var poolSize = int.Parse(options.GetValueOrDefault("pool") ?? "20000", CultureInfo.InvariantCulture);
var modes = (options.GetValueOrDefault("modes") ?? "batch,single,store,pipeline").Split(',', StringSplitOptions.RemoveEmptyEntries);
const int BatchSize = 100;
const long TenantId = 1;

var lines = File.ReadLines(data).Where(l => l.Length > 0).Take(poolSize).ToArray();
var authority = new JsonObject
{
    ["objectType"] = "Agent",
    ["name"] = "bootstrap",
    ["account"] = new JsonObject { ["homePage"] = "https://lrs.example.se", ["name"] = "bench" },
};
var storedBase = DateTimeOffset.UtcNow;
var pool = new PreparedStatement[lines.Length];
for (var i = 0; i < lines.Length; i++)
    pool[i] = StatementPreparer.Prepare((JsonObject)JsonNode.Parse(lines[i])!, XapiVersion.V103, storedBase.AddTicks(i * 10L), authority);
var meanKeys = pool.Average(p => p.Keys.Count);
var meanBytes = pool.Average(p => p.Utf8Json.Length);
Console.Error.WriteLine($"pool: {pool.Length} prepared statements, mean {meanBytes:F0} bytes stored JSON, mean {meanKeys:F1} index keys");

// Every use of a pooled row gets a fresh id and stored time (only the id is unique in the schema); the body is the same.
var next = 0;
var clockTicks = DateTimeOffset.UtcNow.UtcTicks;
PreparedStatement Fresh()
{
    var p = pool[next++ % pool.Length];
    clockTicks += 10;
    var stored = new DateTimeOffset(clockTicks, TimeSpan.Zero);
    var id = Guid.CreateVersion7(stored);
    // The stored text begins {"id":"<36 characters>, all ASCII: 43 bytes.
    return p with { Id = id, Stored = stored, Utf8Json = [.. Encoding.UTF8.GetBytes("{\"id\":\"" + id.ToString("D")), .. p.Utf8Json.AsSpan(43)] };
}
PreparedStatement[] FreshBatch(int n)
{
    var batch = new PreparedStatement[n];
    for (var i = 0; i < n; i++) batch[i] = Fresh();
    return batch;
}

NpgsqlDataSource? pgSource = null;
string? pgSourceConn = null;
var pgStatementSql = new Dictionary<int, string>();

foreach (var mode in modes)
{
    switch (store, mode)
    {
        case (_, "pipeline"): Pipeline(); break;
        case ("postgres", "batch"): await Timed("raw-batch100", seconds, BatchSize, await PgFresh("bench_raw"), PgInsertBatch); break;
        case ("postgres", "single"): await Timed("raw-single", singleSeconds, 1, await PgFresh("bench_raw", keep: modes.Contains("batch")), PgInsertBatch); break;
        case ("postgres", "store"):
        {
            var db = new PostgresDatabase(await PgFresh("bench_store"));
            await db.EnsureSchemaAsync(CancellationToken.None);
            var lrsStore = new StatementStore(new PostgresDialect(db), new FrameworkCache(), TimeSpan.FromDays(60));
            await Timed("lrs-store-batch100", seconds, BatchSize, "", async (_, batch) =>
                await lrsStore.StoreAsync(TenantId, batch, [], CancellationToken.None));
            await db.DisposeAsync();
            break;
        }
        case ("sqlite", "batch"): await Timed("raw-batch100", seconds, BatchSize, await SqliteFresh("raw.db"), SqliteInsertBatch); break;
        case ("sqlite", "single"): await Timed("raw-single", singleSeconds, 1, await SqliteFresh("raw.db", keep: modes.Contains("batch")), SqliteInsertBatch); break;
        case ("sqlite", "store"):
        {
            var db = new SqliteDatabase(await SqliteFresh("store.db"));
            var lrsStore = new StatementStore(new SqliteDialect(db), new FrameworkCache(), TimeSpan.FromDays(60));
            await Timed("lrs-store-batch100", seconds, BatchSize, "", async (_, batch) =>
                await lrsStore.StoreAsync(TenantId, batch, [], CancellationToken.None));
            break;
        }
        default: throw new ArgumentException($"unknown store/mode {store}/{mode}");
    }
}
NpgsqlConnection.ClearAllPools();
SqliteConnection.ClearAllPools();
return 0;

async Task Timed(string label, double secs, int perTx, string target, Func<string, PreparedStatement[], Task> insert)
{
    // Warm-up (connection, plan caches, JIT) outside the measurement.
    for (var i = 0; i < 3; i++) await insert(target, FreshBatch(perTx));
    long n = 0, tx = 0;
    var latencies = new List<double>();
    var sw = Stopwatch.StartNew();
    while (sw.Elapsed.TotalSeconds < secs)
    {
        var batch = FreshBatch(perTx);
        var t0 = sw.Elapsed.TotalMilliseconds;
        await insert(target, batch);
        latencies.Add(sw.Elapsed.TotalMilliseconds - t0);
        n += batch.Length;
        tx++;
    }
    var elapsed = sw.Elapsed.TotalSeconds;
    latencies.Sort();
    double P(double q) => latencies[Math.Min(latencies.Count - 1, (int)(q * latencies.Count))];
    Console.WriteLine(JsonSerializer.Serialize(new Dictionary<string, object>
    {
        ["label"] = label, ["store"] = store, ["statements"] = n, ["transactions"] = tx, ["seconds"] = Math.Round(elapsed, 2),
        ["stmts_per_s"] = Math.Round(n / elapsed, 1), ["tx_ms_p50"] = Math.Round(P(0.5), 2), ["tx_ms_p99"] = Math.Round(P(0.99), 2),
        ["mean_index_keys"] = Math.Round(meanKeys, 1), ["mean_body_bytes"] = Math.Round(meanBytes),
    }));
}

void Pipeline()
{
    // What the LRS does per statement between the socket and the store, single-threaded: parse, validate, prepare.
    var utf8 = lines.Select(Encoding.UTF8.GetBytes).ToArray();
    var docOptions = new JsonDocumentOptions { MaxDepth = 64, AllowDuplicateProperties = false };
    var prepared = new PreparedAuthority((JsonObject)JsonNode.Parse(authority.ToJsonString())!);
    double parse = 0, validate = 0, prepare = 0;
    var n = 0;
    for (var round = 0; round < 2; round++) // round 0 warms up the JIT
    {
        parse = validate = prepare = 0; n = 0;
        var sw = new Stopwatch();
        var stored = DateTimeOffset.UtcNow;
        foreach (var bytes in utf8)
        {
            sw.Restart();
            using var document = JsonText.ParseDocument(bytes, docOptions);
            var t1 = sw.Elapsed.TotalMicroseconds;
            var errors = StatementValidator.Validate(document.RootElement, XapiVersion.V103);
            var t2 = sw.Elapsed.TotalMicroseconds;
            if (errors.Count > 0) throw new InvalidOperationException($"invalid benchmark statement: {errors[0]}");
            StatementPreparer.Prepare(document.RootElement, XapiVersion.V103, stored, prepared);
            var t3 = sw.Elapsed.TotalMicroseconds;
            parse += t1; validate += t2 - t1; prepare += t3 - t2; n++;
        }
    }
    Console.WriteLine(JsonSerializer.Serialize(new Dictionary<string, object>
    {
        ["label"] = "pipeline-cpu", ["store"] = store, ["statements"] = n,
        ["us_parse"] = Math.Round(parse / n, 1), ["us_validate"] = Math.Round(validate / n, 1), ["us_prepare"] = Math.Round(prepare / n, 1),
        ["us_total"] = Math.Round((parse + validate + prepare) / n, 1),
        ["stmts_per_s_one_core"] = Math.Round(n / ((parse + validate + prepare) / 1e6)),
    }));
}

// ---- PostgreSQL ----

// keep: continue in the database an earlier mode of this run filled (single-row after batch, as one growing table).
async Task<string> PgFresh(string database, bool keep = false)
{
    var admin = new NpgsqlConnectionStringBuilder(conn);
    var target = new NpgsqlConnectionStringBuilder(conn) { Database = database, MaxAutoPrepare = 64 };
    if (keep) return target.ConnectionString;
    await using (var c = new NpgsqlConnection(admin.ConnectionString))
    {
        await c.OpenAsync();
        // Only databases this program creates are ever dropped.
        await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS {database} WITH (FORCE)", c);
        await drop.ExecuteNonQueryAsync();
        await using var create = new NpgsqlCommand($"CREATE DATABASE {database}", c);
        await create.ExecuteNonQueryAsync();
    }
    if (database == "bench_raw")
    {
        // The LRS's own schema, created by its own code.
        await using var db = new PostgresDatabase(target.ConnectionString);
        await db.EnsureSchemaAsync(CancellationToken.None);
    }
    return target.ConnectionString;
}

async Task PgInsertBatch(string connectionString, PreparedStatement[] batch)
{
    if (pgSourceConn != connectionString)
    {
        if (pgSource is not null) await pgSource.DisposeAsync();
        pgSource = NpgsqlDataSource.Create(connectionString);
        pgSourceConn = connectionString;
    }
    await using var c = await pgSource!.OpenConnectionAsync();
    await using var tx = await c.BeginTransactionAsync();
    var n = batch.Length;
    if (!pgStatementSql.TryGetValue(n, out var sql))
    {
        // A statement's own keys live in the row, with their hashes under the GIN index (schema 9): no statement_index rows.
        var sb = new StringBuilder("INSERT INTO statements (tenant_id, id, stored, verb, registration, ref_target, is_voiding, keys, key_hashes, body) VALUES ");
        for (var i = 0; i < n; i++)
        {
            var b = i * 8;
            sb.Append(i == 0 ? "" : ", ").Append(CultureInfo.InvariantCulture,
                $"($1, ${b + 2}, ${b + 3}, ${b + 4}, ${b + 5}, ${b + 6}, ${b + 7}, ${b + 8}, ARRAY(SELECT hashtextextended(h, $1) FROM unnest(${b + 8}::text[]) AS h), ${b + 9})");
        }
        pgStatementSql[n] = sql = sb.Append(" RETURNING seq").ToString();
    }
    var seqs = new long[n];
    await using (var insert = new NpgsqlCommand(sql, c, tx))
    {
        insert.Parameters.Add(new NpgsqlParameter<long> { TypedValue = TenantId });
        foreach (var s in batch)
        {
            insert.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = s.Id });
            insert.Parameters.Add(new NpgsqlParameter<DateTime> { TypedValue = s.Stored.UtcDateTime, NpgsqlDbType = NpgsqlDbType.TimestampTz });
            insert.Parameters.Add(new NpgsqlParameter<string> { TypedValue = s.Verb });
            insert.Parameters.Add(new NpgsqlParameter { Value = s.Registration is { } r ? r : DBNull.Value, NpgsqlDbType = NpgsqlDbType.Uuid });
            insert.Parameters.Add(new NpgsqlParameter { Value = s.RefTarget is { } rt ? rt : DBNull.Value, NpgsqlDbType = NpgsqlDbType.Uuid });
            insert.Parameters.Add(new NpgsqlParameter<bool> { TypedValue = s.IsVoiding });
            insert.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = [.. s.Keys] });
            insert.Parameters.Add(new NpgsqlParameter<byte[]> { TypedValue = s.Utf8Json, NpgsqlDbType = NpgsqlDbType.Text });
        }
        // Multi-row VALUES keep their order in RETURNING in practice; seq is an identity, so the order is also ascending.
        await using var reader = await insert.ExecuteReaderAsync();
        var i = 0;
        while (await reader.ReadAsync()) seqs[i++] = reader.GetInt64(0);
    }
    await tx.CommitAsync();
}

// ---- SQLite ----

async Task<string> SqliteFresh(string file, bool keep = false)
{
    var dir = Path.GetDirectoryName(Path.GetFullPath(new SqliteConnectionStringBuilder(conn).DataSource))!;
    var path = Path.Combine(dir, file);
    if (!keep)
    {
        SqliteConnection.ClearAllPools();
        foreach (var f in new[] { path, path + "-wal", path + "-shm" }) File.Delete(f);
    }
    var cs = new SqliteConnectionStringBuilder { DataSource = path }.ToString();
    await new SqliteDatabase(cs).EnsureSchemaAsync(CancellationToken.None); // the LRS's schema and WAL mode
    return cs;
}

async Task SqliteInsertBatch(string connectionString, PreparedStatement[] batch)
{
    // The LRS's per-connection settings (busy_timeout, synchronous=FULL) via its own SqliteDatabase.
    await using var c = await new SqliteDatabase(connectionString).OpenAsync(CancellationToken.None);
    await using var tx = (SqliteTransaction)await c.BeginTransactionAsync(System.Data.IsolationLevel.Serializable);
    await using var insert = c.CreateCommand();
    insert.Transaction = tx;
    insert.CommandText = """
        INSERT INTO statements (tenant_id, id, stored, verb, registration, ref_target, is_voiding, voided, keys, body)
        VALUES ($t, $id, $stored, $verb, $reg, $ref, $voiding, 0, $keys, $body) RETURNING seq
        """;
    insert.Parameters.AddWithValue("$t", TenantId);
    var pId = insert.Parameters.Add("$id", SqliteType.Text);
    var pStored = insert.Parameters.Add("$stored", SqliteType.Integer);
    var pVerb = insert.Parameters.Add("$verb", SqliteType.Text);
    var pReg = insert.Parameters.Add("$reg", SqliteType.Text);
    var pRef = insert.Parameters.Add("$ref", SqliteType.Text);
    var pVoiding = insert.Parameters.Add("$voiding", SqliteType.Integer);
    var pKeys = insert.Parameters.Add("$keys", SqliteType.Text);
    var pBody = insert.Parameters.Add("$body", SqliteType.Text);
    insert.Prepare();
    await using var index = c.CreateCommand();
    index.Transaction = tx;
    index.CommandText = "INSERT INTO statement_index (tenant_id, key, seq, src) VALUES ($t, $key, $seq, $seq)";
    index.Parameters.AddWithValue("$t", TenantId);
    var pKey = index.Parameters.Add("$key", SqliteType.Text);
    var pSeq = index.Parameters.Add("$seq", SqliteType.Integer);
    index.Prepare();
    foreach (var s in batch)
    {
        pId.Value = s.Id.ToString("D");
        pStored.Value = (s.Stored.UtcTicks - DateTime.UnixEpoch.Ticks) / 10;
        pVerb.Value = s.Verb;
        pReg.Value = s.Registration is { } r ? r.ToString("D") : DBNull.Value;
        pRef.Value = s.RefTarget is { } rt ? rt.ToString("D") : DBNull.Value;
        pVoiding.Value = s.IsVoiding ? 1 : 0;
        pKeys.Value = string.Join('\u001f', s.Keys);
        pBody.Value = Encoding.UTF8.GetString(s.Utf8Json);
        pSeq.Value = (long)insert.ExecuteScalar()!;
        foreach (var key in s.Keys)
        {
            pKey.Value = key;
            index.ExecuteNonQuery();
        }
    }
    await tx.CommitAsync();
}

static Dictionary<string, string> ParseArgs(string[] args)
{
    var result = new Dictionary<string, string>();
    for (var i = 0; i + 1 < args.Length; i += 2)
    {
        if (!args[i].StartsWith("--", StringComparison.Ordinal)) throw new ArgumentException($"unexpected argument {args[i]}");
        result[args[i][2..]] = args[i + 1];
    }
    return result;
}
