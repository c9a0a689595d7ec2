using System.Collections.Concurrent;
using System.Globalization;
using System.Runtime.CompilerServices;

namespace Lrs.Core.Xapi;

/// <summary>
/// The JSON paths the validation walk names each member by. A walk names every member it visits, but a path is read only
/// when something there is wrong; the paths of statements recur (<c>$.actor.mbox</c>, <c>$.context.contextActivities.parent[0].id</c>),
/// so each is made once and shared, and a valid statement is walked without making any.
/// </summary>
internal static class JsonPaths
{
    // Bounds what the shared paths can hold whatever the input: a path made from a long member name is made, not kept.
    private const int Limit = 8192;
    private const int LongestKept = 160;
    private const int HighestIndexKept = 64;

    // Keyed by the parent's identity: a parent path is itself one of those kept (or "$"), and a member name one of the walk's own
    // names, so that a lookup hashes two references instead of two texts. A path made again rather than kept is not found,
    // and is made again.
    private static readonly ConcurrentDictionary<(string Parent, string Key), string> Children = new(ByReference.Instance);
    private static readonly ConcurrentDictionary<(string Parent, int Index), string> Items = new(ByReference.Instance);

    private sealed class ByReference : IEqualityComparer<(string, string)>, IEqualityComparer<(string, int)>
    {
        public static readonly ByReference Instance = new();

        public bool Equals((string, string) a, (string, string) b) => ReferenceEquals(a.Item1, b.Item1) && ReferenceEquals(a.Item2, b.Item2);

        public int GetHashCode((string, string) k) => HashCode.Combine(RuntimeHelpers.GetHashCode(k.Item1), RuntimeHelpers.GetHashCode(k.Item2));

        public bool Equals((string, int) a, (string, int) b) => ReferenceEquals(a.Item1, b.Item1) && a.Item2 == b.Item2;

        public int GetHashCode((string, int) k) => HashCode.Combine(RuntimeHelpers.GetHashCode(k.Item1), k.Item2);
    }

    /// <summary>The path of member <paramref name="key"/> of the object at <paramref name="parent"/>.</summary>
    public static string Child(string parent, string key)
    {
        if (Children.TryGetValue((parent, key), out var known)) return known;
        var path = string.Concat(parent, ".", key);
        if (path.Length <= LongestKept && Children.Count < Limit) Children.TryAdd((parent, key), path);
        return path;
    }

    /// <summary>The path of item <paramref name="index"/> of the array at <paramref name="parent"/>.</summary>
    public static string Index(string parent, int index)
    {
        if (Items.TryGetValue((parent, index), out var known)) return known;
        var path = string.Concat(parent, "[", index.ToString(CultureInfo.InvariantCulture), "]");
        if (index <= HighestIndexKept && path.Length <= LongestKept && Items.Count < Limit) Items.TryAdd((parent, index), path);
        return path;
    }
}
