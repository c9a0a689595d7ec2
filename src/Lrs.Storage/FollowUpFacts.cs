using System.Data.Common;
using Lrs.Core.FollowUp;

namespace Lrs.Storage;

/// <summary>
/// The table <c>follow_up_facts</c>: what follow-up reads of each statement that concerns it (<see cref="StatementFact.Concerns"/>),
/// one narrow row per non-voided statement, keyed by the statement's <c>seq</c>. Written in the statement's transaction,
/// removed in the transaction that voids, erases or expires the statement, so that a follow-up reads a period's rows by verb
/// and time, exactly as the statements stand, without parsing their bodies.
/// </summary>
internal sealed class FollowUpFacts(Dialect db)
{
    // Context activity IRIs travel in one column; an IRI cannot hold this control character.
    private const char Separator = '\u001f';

    private const string Columns = "id, verb, at, agent_key, activity, activity_type, ref_target, scaled, duration_ticks, session, context_activities, unit, category";

    /// <summary>The facts of a statement being stored, or null when follow-up does not read it.</summary>
    public static StatementFact? Of(string verb, Guid? refTarget, bool isVoiding, string json) =>
        StatementFact.Concerns(verb, refTarget, isVoiding) ? StatementFact.Read(json) : null;

    // The columns of a fact as travelling rows (all but seq, which the statement's row gives).
    private static Column<T>[] FactColumns<T>(Func<T, StatementFact> fact) =>
    [
        new("id", ColumnType.Uuid, r => fact(r).Id), new("verb", ColumnType.Text, r => fact(r).Verb),
        new("at", ColumnType.Time, r => fact(r).Timestamp), new("agent_key", ColumnType.Text, r => fact(r).ActorKey),
        new("activity", ColumnType.Text, r => fact(r).ActivityId), new("activity_type", ColumnType.Text, r => fact(r).ActivityType),
        new("ref_target", ColumnType.Uuid, r => fact(r).RefTarget), new("scaled", ColumnType.Double, r => fact(r).Scaled),
        new("duration_ticks", ColumnType.Long, r => fact(r).Duration?.Ticks), new("session", ColumnType.Text, r => fact(r).SessionId),
        new("context_activities", ColumnType.Text, r => string.Join(Separator, fact(r).ContextActivities)),
        new("unit", ColumnType.Text, r => fact(r).Unit), new("category", ColumnType.Text, r => fact(r).Category),
    ];

    private static readonly Column<(long Seq, StatementFact Fact)>[] SeqAndFact =
        [new("seq", ColumnType.Long, r => r.Seq), .. FactColumns<(long Seq, StatementFact Fact)>(r => r.Fact)];

    private static readonly Column<StatementFact>[] Facts = FactColumns<StatementFact>(f => f);

    // The fact columns of a table or rows named alias.
    private static string ColumnsOf(string alias) => string.Join(", ", Columns.Split(", ").Select(c => $"{alias}.{c}"));

    private static readonly string Selected = ColumnsOf("r");

    /// <summary>Inserts the facts of stored statements (by their <c>seq</c>) in the command's transaction.</summary>
    public Task InsertAsync(DbCommand command, long tenantId, IReadOnlyList<(long Seq, StatementFact Fact)> rows, CancellationToken ct)
    {
        command.Parameters.Clear();
        command.With("t", tenantId);
        return db.ForEachRowAsync(command, $"""
            INSERT INTO follow_up_facts (tenant_id, seq, {Columns})
            SELECT @t, r.seq, {Selected} FROM {"{rows}"} WHERE true
            """, rows, ct, SeqAndFact);
    }

    /// <summary>
    /// PostgreSQL: an <c>INSERT</c> of the facts of the statements among <paramref name="facts"/> that the query <paramref name="inserted"/>
    /// (columns <c>seq</c> and <c>id</c>: the rows a statement's insert returned) holds, for a data-modifying <c>WITH</c> of the
    /// same command; adds its parameters (<c>@f_…</c>, and <c>@t</c> is the tenant) to <paramref name="command"/>.
    /// </summary>
    public static string InsertOfInsertedSql(DbCommand command, string inserted, IReadOnlyList<StatementFact> facts) => $"""
        INSERT INTO follow_up_facts (tenant_id, seq, {Columns})
        SELECT @t, i.seq, {Selected} FROM {Postgres.PostgresDialect.Unnest(command, "f_", facts, Facts)} JOIN {inserted} i ON i.id = r.id
        """;

    /// <summary>
    /// Fills the table from the statements stored before it existed: a data step of the migration that creates it, run in its
    /// transaction, a few thousand statements at a time.
    /// </summary>
    public async Task BackfillAsync(DbTransaction transaction, CancellationToken ct)
    {
        var connection = transaction.Connection!;
        var tenants = new List<long>();
        await using (var command = Dialect.Command(connection, transaction, "SELECT id FROM tenants"))
            tenants.AddRange(await command.ListAsync(r => r.GetInt64(0), ct));
        var verbs = db.List(FollowUpFigures.TrainingVerbs.Append(FollowUpFigures.ReportedVerb));
        foreach (var tenant in tenants)
            for (long after = long.MinValue; ;)
            {
                var rows = new List<(long Seq, StatementFact Fact)>();
                await using (var read = Dialect.Command(connection, transaction, $"""
                    SELECT seq, verb, ref_target, is_voiding, body FROM statements
                    WHERE tenant_id = @t AND seq > @after AND NOT voided AND (verb{db.In("verbs")} OR ref_target IS NOT NULL AND NOT is_voiding)
                    ORDER BY seq LIMIT 5000
                    """, ("t", tenant), ("after", after), ("verbs", verbs)))
                await using (var r = await read.ExecuteReaderAsync(ct))
                    while (await r.ReadAsync(ct))
                    {
                        after = r.GetInt64(0);
                        if (Of(r.GetString(1), db.UuidOrNull(r, 2), r.GetBoolean(3), r.GetString(4)) is { } fact) rows.Add((after, fact));
                    }
                if (rows.Count == 0) break;
                await using var insert = Dialect.Command(connection, transaction, "");
                await InsertAsync(insert, tenant, rows, ct);
            }
    }

    /// <summary>
    /// The facts of the tenant's statements of <paramref name="verbs"/>, in the period when given, and only the trainings of
    /// <paramref name="centre"/> when given (<see cref="LearningCentre.Covers"/>), and of the <paramref name="actors"/> (agent keys) when given.
    /// </summary>
    public async Task<IReadOnlyList<StatementFact>> ReadAsync(long tenantId, IReadOnlyCollection<string> verbs, DateTimeOffset? from, DateTimeOffset? to,
        LearningCentre? centre, IReadOnlyCollection<string>? actors, FactParts parts, CancellationToken ct)
    {
        if (actors is { Count: 0 }) return [];
        // PostgreSQL looks each row's actor up in a hash of the list (a hashed subplan) rather than comparing it with every key.
        var ofActors = actors is null ? "" : db.Sql($" AND agent_key{db.In("actors")}", " AND agent_key IN (SELECT unnest(@actors))");
        // LearningCentre.Covers, clause by clause: the activity is one of its own, begins with one of its prefixes, or the centre is
        // a context activity (the column holds them between separators, so the centre's IRI is looked for between two).
        var prefixes = centre?.ActivityPrefixes ?? [];
        var covers = centre is null ? "" : $"""
             AND (activity{db.In("activities")}{string.Concat(prefixes.Select((_, i) => db.Sql($" OR substr(activity, 1, length(@prefix{i})) = @prefix{i}", $" OR starts_with(activity, @prefix{i})")))}
                OR {db.Sql("instr(char(31) || context_activities || char(31), @context) > 0", "strpos(chr(31) || context_activities || chr(31), @context) > 0")})
            """;
        // What is not asked for is not sent: a year of a centre's trainings is over a hundred thousand rows.
        string Part(FactParts part, string columns, string empty) => parts.HasFlag(part) ? columns : empty;
        var reader = new Reader(db) { OfCentre = centre is not null };
        return await db.QueryAsync($"""
            SELECT id, verb, at, agent_key, activity, {Part(FactParts.Definition, "activity_type", "NULL")}, {Part(FactParts.Reference, "ref_target", "NULL")},
                {Part(FactParts.Result, "scaled, duration_ticks", "NULL, NULL")}, {Part(FactParts.Session, "session", "NULL")},
                {Part(FactParts.Definition, "context_activities", "''")}, {Part(FactParts.Report, "unit, category", "NULL, NULL")}
            FROM follow_up_facts
            WHERE tenant_id = @t AND verb{db.In("verbs")}{(from is null ? "" : " AND at >= @from")}{(to is null ? "" : " AND at < @to")}{covers}{ofActors}
            """, reader.Read, ct, [("t", tenantId), ("verbs", db.List(verbs)), ("from", db.Time(from)), ("to", db.Time(to)),
            ("actors", actors is null ? null : db.List(actors)),
            ("activities", db.List(centre?.Activities ?? [])), ("context", centre is null ? null : Separator + centre.Iri + Separator),
            .. prefixes.Select((p, i) => ($"prefix{i}", (object?)p))]);
    }

    /// <summary>The facts of the tenant's statements among <paramref name="ids"/>.</summary>
    // Each id is looked up on its own (a nested loop over the ids): a few thousand random ids would otherwise have PostgreSQL
    // hash them and scan the whole table for them.
    public async Task<IReadOnlyList<StatementFact>> ReadByIdAsync(long tenantId, IReadOnlyCollection<Guid> ids, CancellationToken ct) =>
        ids.Count == 0 ? [] : await db.QueryAsync($"""
            SELECT {ColumnsOf("f")}
            FROM {db.Sql("json_each(@ids) i JOIN statements s ON s.id = i.value", "unnest(@ids) i(id) JOIN statements s ON s.id = i.id")}
                JOIN follow_up_facts f ON f.tenant_id = s.tenant_id AND f.seq = s.seq
            WHERE s.tenant_id = @t
            """, new Reader(db).Read, ct, ("t", tenantId), ("ids", db.List(ids.Distinct())));

    // Reads rows of Columns. The same IRIs, verbs and durations come back on many rows: each distinct one is kept once.
    private sealed class Reader(Dialect db)
    {
        private readonly StringPool _strings = new();
        private readonly Dictionary<string, IReadOnlyList<string>> _contexts = new(StringComparer.Ordinal);

        // Whether the rows were read by a centre's filter.
        public bool OfCentre { get; init; }

        public StatementFact Read(DbDataReader r) => new(db.Uuid(r, 0), _strings.Text(r, 1)!, r.StringOrNull(3), _strings.Text(r, 4), _strings.Text(r, 5),
            db.UuidOrNull(r, 6), db.Time(r, 2), r.IsDBNull(7) ? null : r.GetDouble(7), r.IsDBNull(8) ? null : TimeSpan.FromTicks(r.GetInt64(8)),
            _strings.Text(r, 9), Context(r.GetString(10)), _strings.Text(r, 11), _strings.Text(r, 12)) { OfCentre = OfCentre };

        private IReadOnlyList<string> Context(string joined)
        {
            if (joined.Length == 0) return [];
            if (!_contexts.TryGetValue(joined, out var list))
                _contexts[joined] = list = [.. joined.Split(Separator).Select(_strings.Once)];
            return list;
        }
    }
}
