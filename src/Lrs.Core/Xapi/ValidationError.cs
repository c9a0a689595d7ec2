namespace Lrs.Core.Xapi;

/// <summary>One broken rule of a statement: where (a JSON path such as <c>$.actor.mbox</c>) and what.</summary>
public sealed record ValidationError(string Path, string Message)
{
    /// <inheritdoc />
    public override string ToString() => $"{Path}: {Message}";
}
