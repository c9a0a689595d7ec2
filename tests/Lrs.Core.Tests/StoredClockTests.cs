using Lrs.Core.Xapi;

namespace Lrs.Core.Tests;

public sealed class StoredClockTests
{
    private sealed class ManualTime(DateTimeOffset start) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = start;
        public override DateTimeOffset GetUtcNow() => Now;
    }

    private static readonly DateTimeOffset T0 = new(2026, 11, 23, 8, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Consistent_through_stays_before_a_write_still_in_flight()
    {
        var time = new ManualTime(T0);
        var clock = new StoredClock(time);
        using var pending = clock.Begin();

        time.Now = T0.AddSeconds(5);
        clock.ConsistentThrough().Should().BeBefore(pending.Stored, "a statement stored at that time could still commit");

        pending.Dispose();
        clock.ConsistentThrough().Should().Be(time.Now.AddTicks(-TimeSpan.TicksPerMicrosecond));
    }

    [Fact]
    public void A_write_begun_after_a_bound_was_given_is_stored_after_it()
    {
        var time = new ManualTime(T0);
        var clock = new StoredClock(time);
        var bound = clock.ConsistentThrough();
        using var later = clock.Begin();
        later.Stored.Should().BeAfter(bound);
    }

    [Fact]
    public void Stored_times_never_go_backwards_when_the_wall_clock_does()
    {
        var time = new ManualTime(T0);
        var clock = new StoredClock(time);
        DateTimeOffset first;
        using (var a = clock.Begin()) first = a.Stored;
        time.Now = T0.AddSeconds(-30);
        using var b = clock.Begin();
        b.Stored.Should().BeOnOrAfter(first);
    }

    [Fact]
    public void Stored_times_are_whole_microseconds()
    {
        var clock = new StoredClock(new ManualTime(T0.AddTicks(1234567)));
        using var pending = clock.Begin();
        (pending.Stored.UtcTicks % TimeSpan.TicksPerMicrosecond).Should().Be(0);
    }

    [Fact]
    public void The_bound_waits_for_the_oldest_of_several_writes_in_flight()
    {
        var time = new ManualTime(T0);
        var clock = new StoredClock(time);
        var first = clock.Begin();
        time.Now = T0.AddSeconds(1);
        var second = clock.Begin();

        second.Dispose();
        clock.ConsistentThrough().Should().BeBefore(first.Stored);
        first.Dispose();
        clock.ConsistentThrough().Should().BeAfter(second.Stored.AddTicks(-TimeSpan.TicksPerMicrosecond * 2));
    }
}

public sealed class StatementCursorTests
{
    [Fact]
    public void A_cursor_survives_its_round_trip()
    {
        var cursor = new StatementCursor { Keys = ["v|http://adlnet.gov/expapi/verbs/passed"], Since = 5, Until = 99, Ascending = true, Limit = 10, PositionStored = 42, PositionSequence = 7, Format = "ids", Attachments = true };
        StatementCursor.TryDecode(cursor.Encode()).Should().BeEquivalentTo(cursor);
    }

    [Theory]
    [InlineData("")]
    [InlineData("not-base64!!")]
    [InlineData("e30")]
    [InlineData("eyJsIjowfQ")]
    public void Text_that_is_not_a_cursor_is_refused(string text) =>
        StatementCursor.TryDecode(text).Should().BeNull();
}
