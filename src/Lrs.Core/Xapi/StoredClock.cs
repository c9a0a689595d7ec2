namespace Lrs.Core.Xapi;

/// <summary>
/// Hands out <c>stored</c> times and knows which of them may still be uncommitted, so that
/// <c>X-Experience-API-Consistent-Through</c> never claims a time before which a write could still appear.
/// </summary>
/// <remarks>
/// Stored times never go backwards and are truncated to microseconds (what both stores keep). A write
/// holds its time from <see cref="Begin"/> until it has committed or failed; the consistency bound is one
/// microsecond before the oldest such time, or now when nothing is in flight. That is exact for the writes of this
/// process. Several nodes on one database each publish their own bound and take in the others'
/// (<see cref="OthersConsistentThrough"/>): a node's bound stays true once given, since its later writes get later
/// times, so the smallest bound any node gave holds for the statements of all of them.
/// </remarks>
public sealed class StoredClock(TimeProvider time)
{
    private readonly Lock _lock = new();
    private readonly SortedDictionary<long, int> _inFlight = [];
    private long _last;
    private long _othersThrough = long.MaxValue;

    /// <summary>Assigns a stored time to a write; dispose the result once the write committed or failed.</summary>
    public PendingWrite Begin()
    {
        lock (_lock)
        {
            var ticks = Math.Max(XapiTimestamp.ToMicroseconds(time.GetUtcNow()).UtcTicks, _last);
            _last = ticks;
            _inFlight[ticks] = _inFlight.GetValueOrDefault(ticks) + 1;
            return new PendingWrite(this, new DateTimeOffset(ticks, TimeSpan.Zero));
        }
    }

    /// <summary>Every statement stored at or before this time, by this node or another that published its bound, is visible to reads.</summary>
    public DateTimeOffset ConsistentThrough()
    {
        var own = OwnConsistentThrough();
        var others = Interlocked.Read(ref _othersThrough);
        return others < own.UtcTicks ? new DateTimeOffset(others, TimeSpan.Zero) : own;
    }

    /// <summary>Every statement this node stored at or before this time is visible to reads; its later ones are stored after it.</summary>
    public DateTimeOffset OwnConsistentThrough()
    {
        lock (_lock)
        {
            var ticks = _inFlight.Count > 0 ? _inFlight.First().Key : Math.Max(XapiTimestamp.ToMicroseconds(time.GetUtcNow()).UtcTicks, _last);
            return new DateTimeOffset(ticks - TimeSpan.TicksPerMicrosecond, TimeSpan.Zero);
        }
    }

    /// <summary>The smallest bound the other nodes on this database published (null: there are none).</summary>
    public void OthersConsistentThrough(DateTimeOffset? through) =>
        Interlocked.Exchange(ref _othersThrough, through?.UtcTicks ?? long.MaxValue);

    private void End(DateTimeOffset stored)
    {
        lock (_lock)
        {
            var ticks = stored.UtcTicks;
            if (_inFlight[ticks] == 1) _inFlight.Remove(ticks);
            else _inFlight[ticks]--;
        }
    }

    /// <summary>A write in flight with its stored time.</summary>
    public sealed class PendingWrite : IDisposable
    {
        private readonly StoredClock _clock;
        private int _ended;

        internal PendingWrite(StoredClock clock, DateTimeOffset stored)
        {
            _clock = clock;
            Stored = stored;
        }

        /// <summary>The stored time of this write.</summary>
        public DateTimeOffset Stored { get; }

        /// <inheritdoc />
        public void Dispose()
        {
            if (Interlocked.Exchange(ref _ended, 1) == 0) _clock.End(Stored);
        }
    }
}
