using System.Text.Json.Nodes;

namespace Lrs.Core.Xapi;

/// <summary>
/// <c>foreach</c> over the members of a <see cref="JsonObject"/> or the items of a <see cref="JsonArray"/> without
/// allocating: their own enumerators are boxed, one allocation per loop, and ingest walks every object of every statement
/// several times. The node must not change during the loop.
/// </summary>
public static class JsonWalk
{
    /// <summary>The members of <paramref name="obj"/>, in order.</summary>
    public static Members MembersOf(this JsonObject obj) => new(obj);

    /// <summary>The items of <paramref name="array"/>, in order.</summary>
    public static Items ItemsOf(this JsonArray array) => new(array);

    /// <summary>The members of an object, for <c>foreach</c>.</summary>
    public readonly struct Members(JsonObject obj)
    {
        /// <summary>The enumerator.</summary>
        public MemberEnumerator GetEnumerator() => new(obj);
    }

    /// <summary>Walks the members of an object by position.</summary>
    public struct MemberEnumerator(JsonObject obj)
    {
        private int _index = -1;

        /// <summary>Moves to the next member.</summary>
        public bool MoveNext() => ++_index < obj.Count;

        /// <summary>The current member.</summary>
        public readonly KeyValuePair<string, JsonNode?> Current => obj.GetAt(_index);
    }

    /// <summary>The items of an array, for <c>foreach</c>.</summary>
    public readonly struct Items(JsonArray array)
    {
        /// <summary>The enumerator.</summary>
        public ItemEnumerator GetEnumerator() => new(array);
    }

    /// <summary>Walks the items of an array by position.</summary>
    public struct ItemEnumerator(JsonArray array)
    {
        private int _index = -1;

        /// <summary>Moves to the next item.</summary>
        public bool MoveNext() => ++_index < array.Count;

        /// <summary>The current item.</summary>
        public readonly JsonNode? Current => array[_index];
    }
}
