using System.Data.Common;

namespace Lrs.Storage;

/// <summary>
/// Keeps each distinct string once over one read whose rows repeat the same few values many times (IRIs, verbs, agent keys,
/// competence ids): what the read returns then holds one copy of each instead of one per row.
/// </summary>
internal sealed class StringPool
{
    private readonly Dictionary<string, string> _known = new(StringComparer.Ordinal);

    /// <summary>The copy of <paramref name="value"/> kept first.</summary>
    public string Once(string value) => _known.TryGetValue(value, out var known) ? known : _known[value] = value;

    /// <summary>The text in column <paramref name="i"/> of the current row, kept once; null for NULL.</summary>
    public string? Text(DbDataReader r, int i) => r.IsDBNull(i) ? null : Once(r.GetString(i));
}
