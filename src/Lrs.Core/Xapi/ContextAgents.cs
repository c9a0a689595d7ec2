using System.Text.Json;

namespace Lrs.Core.Xapi;

/// <summary>
/// The agents and groups a statement's context names, in one order: the instructor, the team, then each context agent's agent
/// and each context group's group (xAPI 2.0). Whatever reads a context's agents, for index keys or for names, meets them so.
/// </summary>
public static class ContextAgents
{
    /// <summary>The agents and groups of <paramref name="context"/> as sent (a group's members are the caller's); none when there is no context.</summary>
    public static Agents Of(JsonElement context) => new(context);

    /// <summary>The agents and groups of a context, for <c>foreach</c>, without allocating.</summary>
    public struct Agents
    {
        private readonly JsonElement _context;
        // What comes next: the instructor, the team, the context agents, the context groups, or nothing.
        private Step _next;
        // Within the context agents or groups: their items, and the member each holds its agent or group in.
        private JsonElement.ArrayEnumerator _items;
        private bool _inList;
        private bool _groups;
        private JsonElement _current;

        private enum Step { Instructor, Team, ContextAgents, ContextGroups, Done }

        internal Agents(JsonElement context)
        {
            _context = context;
            _next = context.ValueKind == JsonValueKind.Object ? Step.Instructor : Step.Done;
        }

        /// <summary>The enumerator.</summary>
        public readonly Agents GetEnumerator() => this;

        /// <summary>Moves to the next agent or group.</summary>
        public bool MoveNext()
        {
            while (true)
            {
                if (_inList)
                {
                    while (_items.MoveNext())
                        if (_items.Current.ValueKind == JsonValueKind.Object && _items.Current.TryGetProperty(_groups ? "group"u8 : "agent"u8, out _current))
                            return true;
                    _inList = false;
                }
                var step = _next++;
                switch (step)
                {
                    case Step.Instructor:
                        if (_context.TryGetProperty("instructor"u8, out _current)) return true;
                        break;
                    case Step.Team:
                        if (_context.TryGetProperty("team"u8, out _current)) return true;
                        break;
                    case Step.ContextAgents or Step.ContextGroups:
                        _groups = step == Step.ContextGroups;
                        if (_context.TryGetProperty(_groups ? "contextGroups"u8 : "contextAgents"u8, out var list) && list.ValueKind == JsonValueKind.Array)
                            (_items, _inList) = (list.EnumerateArray(), true);
                        break;
                    default:
                        _next = Step.Done;
                        return false;
                }
            }
        }

        /// <summary>The current agent or group.</summary>
        public readonly JsonElement Current => _current;
    }
}
