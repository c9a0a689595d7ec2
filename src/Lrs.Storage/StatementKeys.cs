using Lrs.Core.Xapi;

namespace Lrs.Storage;

/// <summary>
/// How the stores find statements by their index keys (<see cref="Lrs.Core.Xapi.StatementIndex"/>), per dialect. A
/// statement carries its own keys (the <c>keys</c> column) and those it inherited along its StatementRef chain, each tagged
/// with the statement it came from (rows of <c>statement_index</c> whose <c>src</c> is not the statement).
/// </summary>
/// <remarks>
/// SQLite writes every key, own and inherited, as a row of <c>statement_index</c>. PostgreSQL writes only the inherited
/// ones there; the row's <c>key_hashes</c> holds a 64-bit hash of every key it carries (<c>hashtextextended(key, tenant)</c>)
/// under one GIN index, a fraction of the B-tree insertions of a row per key. A hash only finds candidates: the SQL here
/// always checks the keys themselves, so a collision never matches a statement it should not. The object activity's key (a
/// statement carries at most one, own or inherited) is hashed once more into <c>object_hash</c>, whose index orders each
/// activity's statements by <c>stored</c>.
/// </remarks>
internal static class StatementKeys
{
    /// <summary>
    /// A PostgreSQL array of the keys' hashes for <c>key_hashes &amp;&amp;</c>, one parameter per key (<paramref name="names"/>),
    /// so that the planner folds it into a constant and estimates it from the column's statistics.
    /// </summary>
    public static string HashesOf(IEnumerable<string> names) =>
        "ARRAY[" + string.Join(", ", names.Select(n => $"hashtextextended(@{n}, @t)")) + "]::bigint[]";

    /// <summary>A PostgreSQL array of the hashes of the keys in <paramref name="array"/> (a <c>text[]</c> expression) for tenant <c>@t</c>.</summary>
    public static string HashesOfArray(string array) => $"ARRAY(SELECT hashtextextended(h.key, @t) FROM unnest({array}) AS h(key))";

    /// <summary>
    /// Whether statement <paramref name="alias"/> of tenant <c>@t</c> carries, as its own or inherited, any of the keys in list
    /// parameter <paramref name="list"/> (see <see cref="Dialect.List"/>).
    /// </summary>
    public static string CarriesAny(Dialect db, string alias, string list) => db.Sql(
        sqlite: $"{alias}.seq IN (SELECT i.seq FROM statement_index i WHERE i.tenant_id = @t AND i.key{db.In(list)})",
        postgres: $"{alias}.key_hashes && {HashesOfArray("@" + list)}"
            + $" AND ({alias}.keys && @{list}::text[] OR EXISTS (SELECT 1 FROM statement_index i WHERE i.tenant_id = @t AND i.seq = {alias}.seq AND i.key{db.In(list)}))");

    /// <summary>
    /// PostgreSQL: sets <c>key_hashes</c> and <c>object_hash</c> of the statements of tenant <c>@t</c> whose seq is in <c>@seqs</c>
    /// from their own keys and the keys they inherited, after either changed.
    /// </summary>
    public static readonly string RefreshHashesSql = $"""
        UPDATE statements s SET key_hashes = ARRAY(
            SELECT hashtextextended(k, s.tenant_id) FROM unnest(s.keys) AS k
            UNION SELECT hashtextextended(i.key, s.tenant_id) FROM statement_index i WHERE i.tenant_id = s.tenant_id AND i.seq = s.seq),
          object_hash = (
            SELECT hashtextextended(k.key, s.tenant_id)
            FROM (SELECT unnest(s.keys) UNION ALL SELECT i.key FROM statement_index i WHERE i.tenant_id = s.tenant_id AND i.seq = s.seq) AS k(key)
            WHERE left(k.key, {StatementIndex.Activity.Length}) = '{StatementIndex.Activity}' LIMIT 1)
        WHERE s.tenant_id = @t AND s.seq = ANY(@seqs)
        """;

    /// <summary>
    /// PostgreSQL: the condition on <c>object_hash</c> of statement <c>s</c> that a query for key <paramref name="key"/> (parameter
    /// <paramref name="name"/>) adds, or null. A statement carries at most one object activity key, own or inherited, and its hash
    /// orders that activity's statements by <c>stored</c> in an index of their own: a query for an activity reads only those.
    /// </summary>
    public static string? ObjectCondition(string key, string name) =>
        IsObject(key) ? $" AND s.object_hash = hashtextextended(@{name}, @t)" : null;

    /// <summary>The object activity key among a statement's own <paramref name="keys"/>, or null.</summary>
    public static string? ObjectKey(IReadOnlyList<string> keys)
    {
        foreach (var key in keys)
            if (IsObject(key)) return key;
        return null;
    }

    // An object activity key; a related activity's (or|) is not one.
    public static bool IsObject(string key) => key.StartsWith(StatementIndex.Activity, StringComparison.Ordinal);
}
