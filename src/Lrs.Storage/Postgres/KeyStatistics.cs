using System.Data.Common;
using System.Diagnostics;

namespace Lrs.Storage.Postgres;

/// <summary>
/// What PostgreSQL's statistics of <c>statements.key_hashes</c> say of how many statements carry a key, as the planner reads
/// them: the most common hashes with the share of rows holding each, the least share among them, and the table's rows. A node
/// keeps one copy and reads it again, on the connection of a query that needs it, once it is <paramref name="maxAge"/> old.
/// Keys on fewer than <paramref name="rareBelow"/> statements by that count are rare.
/// </summary>
/// <remarks>
/// A statement query whose key is rare reads that key's statements whole and sorts them (<see cref="StatementStore"/>), which
/// pays only while the planner, from the same statistics, finds them by the GIN index: so the estimate is the planner's own
/// (<c>array_selfuncs.c</c>). A hash among the most common is on its share of the rows; any other on half the least share among
/// them, at most 0.5 %; with no list of common hashes, on 0.5 %.
/// </remarks>
public sealed class KeyStatistics(TimeSpan maxAge, int rareBelow)
{
    private sealed record Snapshot(double Rows, Dictionary<long, float> Common, double Other, long ReadAt);

    // The planner's share of rows for an element of an array it has no figure for (DEFAULT_CONTAIN_SEL).
    private const double DefaultShare = 0.005;

    private Snapshot? _snapshot;
    private int _reading;

    /// <summary>Reads the statistics on <paramref name="connection"/> when they are due, unless another query is reading them.</summary>
    public async Task RefreshAsync(DbConnection connection, CancellationToken ct)
    {
        if (_snapshot is { } known && Stopwatch.GetElapsedTime(known.ReadAt) < maxAge) return;
        if (Interlocked.Exchange(ref _reading, 1) == 1) return;
        try
        {
            await using var command = connection.CreateCommand();
            // reltuples is -1 until the table is first vacuumed or analysed; most_common_elem_freqs holds the share of each
            // element, then the least and the greatest of them, then the share of rows without any.
            command.CommandText = """
                SELECT c.reltuples::float8, s.most_common_elems::text::bigint[], s.most_common_elem_freqs
                FROM pg_class c LEFT JOIN pg_stats s ON s.schemaname = c.relnamespace::regnamespace::text AND s.tablename = c.relname AND s.attname = 'key_hashes'
                WHERE c.oid = 'statements'::regclass
                """;
            await using var reader = await command.ExecuteReaderAsync(ct);
            if (!await reader.ReadAsync(ct)) return;
            var rows = reader.GetDouble(0);
            var hashes = reader.IsDBNull(1) ? [] : reader.GetFieldValue<long[]>(1);
            var shares = reader.IsDBNull(2) ? [] : reader.GetFieldValue<float[]>(2);
            var common = new Dictionary<long, float>(hashes.Length);
            for (var i = 0; i < hashes.Length && i < shares.Length; i++) common[hashes[i]] = shares[i];
            var other = hashes.Length > 0 && shares.Length > hashes.Length ? Math.Min(DefaultShare, shares[hashes.Length] / 2d) : DefaultShare;
            _snapshot = new Snapshot(rows, common, other, Stopwatch.GetTimestamp());
        }
        finally
        {
            Volatile.Write(ref _reading, 0);
        }
    }

    /// <summary>Whether the statistics put the keys of tenant <paramref name="tenantId"/>, together, on fewer statements than the bound.</summary>
    public bool AreRare(IEnumerable<string> keys, long tenantId) => Statements(keys, tenantId) < rareBelow;

    // How many statements the statistics put the keys' hashes on, together; infinity while nothing is known (never read, or the
    // table never analysed).
    private double Statements(IEnumerable<string> keys, long tenantId)
    {
        if (_snapshot is not { Rows: >= 0 } known) return double.PositiveInfinity;
        var shares = 0d;
        foreach (var key in keys)
            shares += known.Common.TryGetValue(TextHash.Extended(key, tenantId), out var share) ? share : known.Other;
        return shares * known.Rows;
    }
}
