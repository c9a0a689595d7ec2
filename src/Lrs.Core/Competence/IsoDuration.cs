using System.Globalization;

namespace Lrs.Core.Competence;

/// <summary>
/// ISO 8601 durations of the form <c>PnYnMnWnDTnHnMnS</c> (each part optional, at least one present, no sign, a
/// fraction only on the seconds), added to a point in time the calendar way: <c>P1M</c> from 31 January is the last
/// day of February, <c>P1Y</c> from 29 February is 28 February of the next year.
/// </summary>
public static class IsoDuration
{
    /// <summary>A parsed duration, part by part (parts are not carried over: <c>PT36H</c> stays 36 hours).</summary>
    /// <param name="Years">Years.</param>
    /// <param name="Months">Months.</param>
    /// <param name="Weeks">Weeks.</param>
    /// <param name="Days">Days.</param>
    /// <param name="Hours">Hours.</param>
    /// <param name="Minutes">Minutes.</param>
    /// <param name="Seconds">Seconds, possibly with a fraction.</param>
    public readonly record struct Value(int Years, int Months, int Weeks, int Days, int Hours, int Minutes, decimal Seconds);

    // Nine digits always fit an int and are far beyond any validity period anyone means.
    private const int MaxDigits = 9;

    /// <summary>Parses <paramref name="text"/>; false when it is not a duration of the accepted form.</summary>
    public static bool TryParse(string? text, out Value value)
    {
        value = default;
        if (string.IsNullOrEmpty(text) || text[0] != 'P') return false;
        int years = 0, months = 0, weeks = 0, days = 0, hours = 0, minutes = 0;
        decimal seconds = 0;
        var s = text.AsSpan();
        int p = 1;
        bool inTime = false, any = false, anyAfterT = false;
        // Designators in the order they may appear; each at most once.
        ReadOnlySpan<char> dateOrder = "YMWD";
        ReadOnlySpan<char> timeOrder = "HMS";
        int next = 0;
        while (p < s.Length)
        {
            if (s[p] == 'T')
            {
                if (inTime) return false;
                inTime = true;
                next = 0;
                p++;
                continue;
            }
            int start = p;
            while (p < s.Length && char.IsAsciiDigit(s[p])) p++;
            int intEnd = p;
            if (intEnd == start || intEnd - start > MaxDigits) return false;
            int fractionStart = -1;
            if (p < s.Length && s[p] is '.' or ',')
            {
                p++;
                fractionStart = p;
                while (p < s.Length && char.IsAsciiDigit(s[p])) p++;
                if (p == fractionStart || p - fractionStart > MaxDigits) return false;
            }
            if (p >= s.Length) return false;
            char designator = s[p++];
            var order = inTime ? timeOrder : dateOrder;
            int at = order[next..].IndexOf(designator);
            if (at < 0) return false;
            next += at + 1;
            if (fractionStart >= 0 && !(inTime && designator == 'S')) return false;
            int whole = int.Parse(s[start..intEnd], NumberStyles.None, CultureInfo.InvariantCulture);
            switch (inTime, designator)
            {
                case (false, 'Y'): years = whole; break;
                case (false, 'M'): months = whole; break;
                case (false, 'W'): weeks = whole; break;
                case (false, 'D'): days = whole; break;
                case (true, 'H'): hours = whole; break;
                case (true, 'M'): minutes = whole; break;
                default:
                    seconds = whole;
                    if (fractionStart >= 0)
                    {
                        var fraction = s[fractionStart..(p - 1)];
                        seconds += decimal.Parse(fraction, NumberStyles.None, CultureInfo.InvariantCulture)
                            / Pow10(fraction.Length);
                    }
                    break;
            }
            any = true;
            if (inTime) anyAfterT = true;
        }
        // "P" alone and a "T" with nothing after it describe no duration.
        if (!any || (inTime && !anyAfterT)) return false;
        value = new Value(years, months, weeks, days, hours, minutes, seconds);
        return true;
    }

    /// <summary>Whether <paramref name="text"/> is a duration <see cref="TryParse"/> accepts.</summary>
    public static bool IsValid(string? text) => TryParse(text, out _);

    /// <summary>
    /// <paramref name="start"/> plus <paramref name="duration"/>: years and months first, on the calendar (a day that
    /// the target month lacks becomes its last day), then weeks and days, then the time parts. A result beyond
    /// <see cref="DateTimeOffset.MaxValue"/> is <see cref="DateTimeOffset.MaxValue"/>.
    /// </summary>
    /// <exception cref="FormatException"><paramref name="duration"/> is not a duration <see cref="TryParse"/> accepts.</exception>
    public static DateTimeOffset AddTo(DateTimeOffset start, string duration) =>
        TryParse(duration, out var value)
            ? AddTo(start, value)
            : throw new FormatException($"'{duration}' is not an ISO 8601 duration of the form PnYnMnWnDTnHnMnS.");

    /// <summary>
    /// <paramref name="start"/> plus <paramref name="duration"/>, the way <see cref="AddTo(DateTimeOffset, string)"/>
    /// describes. The calendar is that of <paramref name="start"/>'s own offset.
    /// </summary>
    public static DateTimeOffset AddTo(DateTimeOffset start, Value duration)
    {
        // Expiry dates are computed while statements are stored: an absurd validity must not fail the write.
        try
        {
            long totalMonths = duration.Years * 12L + duration.Months;
            long totalDays = duration.Weeks * 7L + duration.Days;
            var result = start;
            if (totalMonths > 0) result = result.AddMonths(checked((int)totalMonths));
            if (totalDays > 0) result = result.AddDays(totalDays);
            var time = TimeSpan.FromHours(duration.Hours) + TimeSpan.FromMinutes(duration.Minutes)
                + TimeSpan.FromTicks(decimal.ToInt64(duration.Seconds * TimeSpan.TicksPerSecond));
            return result + time;
        }
        catch (Exception ex) when (ex is ArgumentOutOfRangeException or OverflowException or ArgumentException)
        {
            return DateTimeOffset.MaxValue;
        }
    }

    /// <summary>
    /// <paramref name="end"/> minus <paramref name="duration"/>, the reverse of <see cref="AddTo(DateTimeOffset, Value)"/>: the time
    /// parts first, then weeks and days, then years and months on the calendar. Before <see cref="DateTimeOffset.MinValue"/> it is
    /// <see cref="DateTimeOffset.MinValue"/>.
    /// </summary>
    public static DateTimeOffset SubtractFrom(DateTimeOffset end, Value duration)
    {
        try
        {
            var result = end - (TimeSpan.FromHours(duration.Hours) + TimeSpan.FromMinutes(duration.Minutes)
                + TimeSpan.FromTicks(decimal.ToInt64(duration.Seconds * TimeSpan.TicksPerSecond)));
            long totalDays = duration.Weeks * 7L + duration.Days;
            long totalMonths = duration.Years * 12L + duration.Months;
            if (totalDays > 0) result = result.AddDays(-totalDays);
            if (totalMonths > 0) result = result.AddMonths(-checked((int)totalMonths));
            return result;
        }
        catch (Exception ex) when (ex is ArgumentOutOfRangeException or OverflowException or ArgumentException)
        {
            return DateTimeOffset.MinValue;
        }
    }

    private static decimal Pow10(int n)
    {
        decimal result = 1;
        for (var i = 0; i < n; i++) result *= 10;
        return result;
    }
}
