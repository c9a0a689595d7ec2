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

/// <summary>A statement as read from the store.</summary>
/// <param name="Position">Where it sits in the query order.</param>
/// <param name="Json">The statement JSON as stored.</param>
/// <param name="Voided">Whether a voiding statement targets it.</param>
public sealed record StoredStatement(StatementPosition Position, string Json, bool Voided);
