using Lrs.Core.Xapi;

namespace Lrs.Core.Tests;

public class XapiTimestampTests
{
    [Theory]
    [InlineData("2024-03-01T09:15:00Z")]
    [InlineData("2024-03-01T09:15:00.123Z")]
    [InlineData("2024-03-01T10:15:00.1234567+01:00")]
    [InlineData("2008-09-15T15:53:00.601+00:00")]
    [InlineData("2024-02-29T23:59:59-05:30")]
    [InlineData("2024-03-01T09:15:00.123456789Z")]
    public void Timestamps_valid_under_both_versions_are_accepted(string text)
    {
        XapiTimestamp.TryParse(text, XapiVersion.V103, out _).Should().BeTrue();
        XapiTimestamp.TryParse(text, XapiVersion.V200, out _).Should().BeTrue();
    }

    [Theory]
    [InlineData("2024-03-01T10:15:00+0100")]
    [InlineData("2024-03-01T10:15:00+01")]
    [InlineData("2024-03-01T09:15:00")]
    [InlineData("20240301T091500Z")]
    [InlineData("2024-03-01T09:15Z")]
    [InlineData("2024-03-01T24:00:00Z")]
    public void ISO_8601_forms_outside_RFC_3339_are_accepted_only_under_1_0_3(string text)
    {
        XapiTimestamp.TryParse(text, XapiVersion.V103, out _).Should().BeTrue();
        XapiTimestamp.TryParse(text, XapiVersion.V200, out _).Should().BeFalse();
    }

    [Fact]
    public void Lower_case_t_and_z_are_accepted_only_under_2_0()
    {
        XapiTimestamp.TryParse("2024-03-01t09:15:00z", XapiVersion.V200, out _).Should().BeTrue();
        XapiTimestamp.TryParse("2024-03-01t09:15:00z", XapiVersion.V103, out _).Should().BeFalse();
    }

    [Theory]
    [InlineData("2008-09-15T15:53:00.601-00")]
    [InlineData("2008-09-15T15:53:00.601-0000")]
    [InlineData("2008-09-15T15:53:00.601-00:00")]
    [InlineData("should fail")]
    [InlineData("01/011/2015")]
    [InlineData("2024-03-01")]
    [InlineData("2024-13-01T00:00:00Z")]
    [InlineData("2023-02-29T00:00:00Z")]
    [InlineData("2024-03-01T25:00:00Z")]
    [InlineData("2024-03-01T09:60:00Z")]
    [InlineData("2024-03-01T09:15:60Z")]
    [InlineData("2024-03-01T09:15:00.Z")]
    [InlineData("2024-03-01T09:15:00+15:00")]
    [InlineData("2024-03-01T09:15:00Z ")]
    [InlineData("2024-03-01 09:15:00Z")]
    [InlineData("2024-0301T09:15:00Z")]
    [InlineData("")]
    [InlineData(null)]
    public void Invalid_timestamps_are_rejected_under_both_versions(string? text)
    {
        XapiTimestamp.TryParse(text, XapiVersion.V103, out _).Should().BeFalse();
        XapiTimestamp.TryParse(text, XapiVersion.V200, out _).Should().BeFalse();
    }

    [Fact]
    public void Offsets_are_applied_to_the_instant()
    {
        XapiTimestamp.TryParse("2023-05-04T12:00:00-05:00", XapiVersion.V200, out var value).Should().BeTrue();
        value.UtcDateTime.Should().Be(new DateTime(2023, 5, 4, 17, 0, 0, DateTimeKind.Utc));
    }

    [Fact]
    public void Fractions_beyond_100_nanoseconds_are_truncated()
    {
        XapiTimestamp.TryParse("2024-03-01T09:15:00.123456789Z", XapiVersion.V200, out var value).Should().BeTrue();
        (value.UtcTicks % TimeSpan.TicksPerSecond).Should().Be(1234567);
    }

    [Theory]
    [InlineData("2023-05-04T12:00:00-05:00", "2023-05-04T17:00:00.000Z")]
    [InlineData("2024-03-01T09:15:00.5Z", "2024-03-01T09:15:00.500Z")]
    [InlineData("2024-03-01T09:15:00.1234Z", "2024-03-01T09:15:00.1234Z")]
    [InlineData("2024-03-01T09:15:00.1234500Z", "2024-03-01T09:15:00.12345Z")]
    [InlineData("2024-03-01T00:15:00.1234567+01:00", "2024-02-29T23:15:00.1234567Z")]
    public void UTC_form_has_three_to_seven_fraction_digits(string input, string expected)
    {
        XapiTimestamp.TryParse(input, XapiVersion.V103, out var value).Should().BeTrue();
        XapiTimestamp.ToUtcString(value).Should().Be(expected);
    }

    [Fact]
    public void UTC_form_round_trips_under_2_0()
    {
        var now = DateTimeOffset.UtcNow;
        XapiTimestamp.TryParse(XapiTimestamp.ToUtcString(now), XapiVersion.V200, out var back).Should().BeTrue();
        back.Should().Be(now);
    }
}
