using System.Collections.Concurrent;
using System.Globalization;

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

    private static readonly ConcurrentDictionary<(string Parent, string Key), string> Children = new();
    private static readonly ConcurrentDictionary<(string Parent, int Index), string> Items = new();

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
