namespace Lrs.Core.Xapi;

/// <summary>The filters and page position of a statement query, as the store executes it.</summary>
public sealed record StatementQuery
{
    /// <summary>Index keys that must all match with one source (the statement or one StatementRef target).</summary>
    public IReadOnlyList<string> Keys { get; init; } = [];
    /// <summary>
    /// Keys the statement must carry itself, not through a StatementRef target: the authority of
    /// <c>statements/read/mine</c>, a credential's bound actor and registration. Set from the caller on every
    /// page, never from a cursor.
    /// </summary>
    public IReadOnlyList<string> OwnKeys { get; init; } = [];
    /// <summary>
    /// An employer (organisation id) the caller is restricted to: only statements whose actor or object agent
    /// (or a member of such a group) is an agent of one of its people. Set from the caller, never from a cursor.
    /// </summary>
    public string? Organisation { get; init; }
    /// <summary>Exclusive lower bound on <c>stored</c>.</summary>
    public DateTimeOffset? Since { get; init; }
    /// <summary>Inclusive upper bound on <c>stored</c>: the smaller of <c>until</c> and the consistency bound of the first page.</summary>
    public DateTimeOffset? Until { get; init; }
    /// <summary>Oldest first when true; newest first otherwise.</summary>
    public bool Ascending { get; init; }
    /// <summary>Maximum number of statements returned.</summary>
    public int Limit { get; init; }
    /// <summary>Keyset position: the last statement of the previous page.</summary>
    public StatementPosition? After { get; init; }
}

/// <summary>A position in the (stored, sequence) order of statements.</summary>
/// <param name="Stored">The statement's stored time.</param>
/// <param name="Sequence">The store's insertion sequence, which orders statements stored in the same microsecond.</param>
public readonly record struct StatementPosition(DateTimeOffset Stored, long Sequence);

/// <summary>
/// A statement as read from the store: where it sits in the query order, its JSON as stored, and whether a voiding statement
/// targets it. The stores give the stored text as UTF-8, which a page of statements writes out as it came in; its string is
/// made only when something asks for it.
/// </summary>
/// <param name="position">Where it sits in the query order.</param>
/// <param name="utf8">The stored text.</param>
/// <param name="voided">Whether a voiding statement targets it.</param>
public sealed class StoredStatement(StatementPosition position, byte[] utf8, bool voided)
{
    private string? _json;

    /// <summary>Where it sits in the query order.</summary>
    public StatementPosition Position { get; } = position;

    /// <summary>Whether a voiding statement targets it.</summary>
    public bool Voided { get; } = voided;

    /// <summary>The statement JSON as stored.</summary>
    public string Json => _json ??= System.Text.Encoding.UTF8.GetString(Utf8Json);

    /// <summary>The statement JSON as stored, in UTF-8. Read it, never change it.</summary>
    public byte[] Utf8Json { get; } = utf8;
}
