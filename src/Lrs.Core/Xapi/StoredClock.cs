namespace Lrs.Core.Xapi;

/// <summary>
/// Hands out <c>stored</c> times and knows which of them may still be uncommitted, so that
/// <c>X-Experience-API-Consistent-Through</c> never claims a time before which a write could still appear.
/// </summary>
/// <remarks>
/// Stored times never go backwards and are truncated to microseconds (what both stores keep). A write
/// holds its time from <see cref="Begin"/> until it has committed or failed; the consistency bound is one
/// microsecond before the oldest such time, or now when nothing is in flight. The bound is exact for the
/// writes of this process; nodes behind a load balancer each answer for their own writes.
/// </remarks>
public sealed class StoredClock(TimeProvider time)
{
    private readonly Lock _lock = new();
    private readonly SortedDictionary<long, int> _inFlight = [];
    private long _last;

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

    /// <summary>Every statement stored at or before this time is visible to reads.</summary>
    public DateTimeOffset ConsistentThrough()
    {
        lock (_lock)
        {
            var ticks = _inFlight.Count > 0 ? _inFlight.First().Key : Math.Max(XapiTimestamp.ToMicroseconds(time.GetUtcNow()).UtcTicks, _last);
            return new DateTimeOffset(ticks - TimeSpan.TicksPerMicrosecond, TimeSpan.Zero);
        }
    }

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
