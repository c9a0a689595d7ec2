using Lrs.Core.Competence;

namespace Lrs.Core.Tests;

public sealed class IsoDurationTests
{
    [Theory]
    [InlineData("P1Y", 1, 0, 0, 0, 0, 0, 0)]
    [InlineData("P18M", 0, 18, 0, 0, 0, 0, 0)]
    [InlineData("P2W", 0, 0, 2, 0, 0, 0, 0)]
    [InlineData("P1Y2M3W4DT5H6M7.5S", 1, 2, 3, 4, 5, 6, 7.5)]
    [InlineData("PT36H", 0, 0, 0, 0, 36, 0, 0)]
    [InlineData("PT0,25S", 0, 0, 0, 0, 0, 0, 0.25)]
    [InlineData("P1DT12H", 0, 0, 0, 1, 12, 0, 0)]
    [InlineData("PT90M", 0, 0, 0, 0, 0, 90, 0)]
    public void Durations_of_the_accepted_form_are_read_part_by_part(
        string text, int years, int months, int weeks, int days, int hours, int minutes, double seconds)
    {
        IsoDuration.TryParse(text, out var value).Should().BeTrue();
        value.Should().Be(new IsoDuration.Value(years, months, weeks, days, hours, minutes, (decimal)seconds));
    }

    [Theory]
    [InlineData("")]
    [InlineData(null)]
    [InlineData("P")]
    [InlineData("PT")]
    [InlineData("P1DT")]
    [InlineData("1Y")]
    [InlineData("p1y")]
    [InlineData("P-1Y")]
    [InlineData("-P1Y")]
    [InlineData("P1.5Y")]
    [InlineData("PT1.5M")]
    [InlineData("P1M1Y")]
    [InlineData("P1Y1Y")]
    [InlineData("P1H")]
    [InlineData("PT1D")]
    [InlineData("P1Y ")]
    [InlineData("P1")]
    [InlineData("PT1.S")]
    [InlineData("P1234567890Y")]
    [InlineData("P1YT1H1H")]
    [InlineData("P1YTT1H")]
    public void Anything_else_is_refused(string? text)
    {
        IsoDuration.TryParse(text, out _).Should().BeFalse();
        IsoDuration.IsValid(text).Should().BeFalse();
    }

    [Theory]
    [InlineData("2025-01-31T10:00:00Z", "P1M", "2025-02-28T10:00:00Z")]
    [InlineData("2024-01-31T10:00:00Z", "P1M", "2024-02-29T10:00:00Z")]
    [InlineData("2024-02-29T10:00:00Z", "P1Y", "2025-02-28T10:00:00Z")]
    [InlineData("2024-02-29T10:00:00Z", "P4Y", "2028-02-29T10:00:00Z")]
    [InlineData("2023-01-31T00:00:00Z", "P1Y1M", "2024-02-29T00:00:00Z")]
    [InlineData("2025-03-15T08:00:00Z", "P18M", "2026-09-15T08:00:00Z")]
    [InlineData("2025-03-15T08:00:00Z", "P2W", "2025-03-29T08:00:00Z")]
    [InlineData("2025-03-15T08:00:00Z", "PT36H", "2025-03-16T20:00:00Z")]
    [InlineData("2025-03-15T08:00:00Z", "P1DT0.5S", "2025-03-16T08:00:00.5Z")]
    [InlineData("2025-12-31T23:30:00Z", "PT45M", "2026-01-01T00:15:00Z")]
    public void Durations_are_added_on_the_calendar(string start, string duration, string expected)
    {
        IsoDuration.AddTo(DateTimeOffset.Parse(start), duration).Should().Be(DateTimeOffset.Parse(expected));
    }

    [Fact]
    public void The_calendar_is_that_of_the_start_offset()
    {
        // 31 January 23:30 in Stockholm is already 31 January UTC, but a month later must be the last of February locally.
        var start = new DateTimeOffset(2025, 1, 31, 23, 30, 0, TimeSpan.FromHours(1));
        var end = IsoDuration.AddTo(start, "P1M");
        end.Should().Be(new DateTimeOffset(2025, 2, 28, 23, 30, 0, TimeSpan.FromHours(1)));
        end.Offset.Should().Be(TimeSpan.FromHours(1));
    }

    [Fact]
    public void A_result_beyond_the_representable_is_the_largest_time_instead_of_an_error()
    {
        IsoDuration.AddTo(new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero), "P999999999Y")
            .Should().Be(DateTimeOffset.MaxValue);
    }

    [Fact]
    public void Adding_a_text_that_is_no_duration_throws_a_format_error()
    {
        var act = () => IsoDuration.AddTo(DateTimeOffset.UnixEpoch, "one year");
        act.Should().Throw<FormatException>().WithMessage("*one year*");
    }
}
