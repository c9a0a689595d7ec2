namespace Lrs.Core.Storage;

/// <summary>
/// A write could not be carried out because the database was unreachable. When <see cref="OutcomeUnknown"/> is false the
/// connection failed before the commit and nothing was stored; when true it broke during the commit, so the write may
/// have been stored completely or not at all, and the LRS cannot tell which.
/// </summary>
public sealed class StoreUnavailableException(bool outcomeUnknown, Exception inner)
    : Exception(outcomeUnknown ? "The connection to the database broke during the commit." : "The database is unreachable.", inner)
{
    /// <summary>Whether the connection broke during the commit (the write may have been stored).</summary>
    public bool OutcomeUnknown { get; } = outcomeUnknown;
}
