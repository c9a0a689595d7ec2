using System.Text.Json;

namespace Lrs.Core.Xapi;

/// <summary>
/// The context activities of a statement in the order the prepared statement holds them. Preparation returns every list as an
/// array (Data 2.4.6.2): a list sent as a single activity becomes an array and moves after the lists sent as arrays, which keep
/// their order. Whatever reads a statement's context activities, prepared or as sent, meets them in this one order.
/// </summary>
public static class ContextActivities
{
    /// <summary>The lists (<c>parent</c>, <c>grouping</c>, …) of a <c>contextActivities</c> object, in the prepared order.</summary>
    public static Lists ListsOf(JsonElement contextActivities) => new(contextActivities);

    /// <summary>
    /// Whether a <c>contextActivities</c> object has a list sent as a single activity: one without is stored as it was sent,
    /// its lists in their order (<see cref="ListsOf"/> puts the arrays first).
    /// </summary>
    public static bool HasSingle(JsonElement contextActivities)
    {
        foreach (var list in contextActivities.EnumerateObject())
            if (list.Value.ValueKind == JsonValueKind.Object) return true;
        return false;
    }

    /// <summary>The activities of a context (each item of every list), in the prepared order; none when there is no context.</summary>
    public static Activities Of(JsonElement context) =>
        new(context.ValueKind == JsonValueKind.Object && context.TryGetProperty("contextActivities"u8, out var lists) ? lists : default);

    /// <summary>The lists of a <c>contextActivities</c> object, for <c>foreach</c>: arrays first, then single activities.</summary>
    public struct Lists
    {
        private readonly JsonElement _object;
        private JsonElement.ObjectEnumerator _members;
        private bool _singles;

        internal Lists(JsonElement contextActivities)
        {
            _object = contextActivities;
            if (contextActivities.ValueKind == JsonValueKind.Object) _members = contextActivities.EnumerateObject();
        }

        /// <summary>The enumerator.</summary>
        public readonly Lists GetEnumerator() => this;

        /// <summary>Moves to the next list.</summary>
        public bool MoveNext()
        {
            if (_object.ValueKind != JsonValueKind.Object) return false;
            while (true)
            {
                while (_members.MoveNext())
                    if ((_members.Current.Value.ValueKind == JsonValueKind.Object) == _singles) return true;
                if (_singles) return false;
                _singles = true;
                _members = _object.EnumerateObject();
            }
        }

        /// <summary>The current list: its name and its array, or its single activity.</summary>
        public readonly JsonProperty Current => _members.Current;
    }

    /// <summary>The activities of a <c>contextActivities</c> object, for <c>foreach</c>.</summary>
    public struct Activities
    {
        private Lists _lists;
        private JsonElement.ArrayEnumerator _items;
        private bool _inArray;
        private JsonElement _current;

        internal Activities(JsonElement contextActivities) => _lists = new(contextActivities);

        /// <summary>The enumerator.</summary>
        public readonly Activities GetEnumerator() => this;

        /// <summary>Moves to the next activity.</summary>
        public bool MoveNext()
        {
            while (true)
            {
                if (_inArray)
                {
                    if (_items.MoveNext())
                    {
                        _current = _items.Current;
                        return true;
                    }
                    _inArray = false;
                }
                if (!_lists.MoveNext()) return false;
                var list = _lists.Current.Value;
                if (list.ValueKind != JsonValueKind.Array)
                {
                    _current = list;
                    return true;
                }
                (_items, _inArray) = (list.EnumerateArray(), true);
            }
        }

        /// <summary>The current activity.</summary>
        public readonly JsonElement Current => _current;
    }
}
