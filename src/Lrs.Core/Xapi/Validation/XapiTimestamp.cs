using System.Globalization;

namespace Lrs.Core.Xapi;

/// <summary>Reading and writing xAPI Timestamps (the <c>timestamp</c> and <c>stored</c> properties, <c>since</c>/<c>until</c>).</summary>
public static class XapiTimestamp
{
    /// <summary>
    /// Parses a timestamp by the rules of <paramref name="version"/>.
    /// <list type="bullet">
    /// <item>Both: a full date and time to at least the minute, <c>T</c> separator, optional fraction of any length
    /// (kept to 100 ns), and no "negative zero" offset (<c>-00</c>, <c>-0000</c>, <c>-00:00</c>), which ISO 8601 forbids
    /// and RFC 3339 reserves for "unknown offset"; the ADL suites reject it under both versions.</item>
    /// <item>1.0.3 (ISO 8601): extended (<c>2008-09-15T15:53:00Z</c>) or basic (<c>20080915T155300Z</c>) format,
    /// offset <c>Z</c>, <c>±hh:mm</c>, <c>±hhmm</c> or <c>±hh</c>, or no offset at all (read as UTC).</item>
    /// <item>2.0 (RFC 3339): extended format with seconds, offset <c>Z</c> or <c>±hh:mm</c> required; <c>t</c>/<c>z</c>
    /// may be lower case.</item>
    /// </list>
    /// A leap second (<c>:60</c>) cannot be represented and is rejected.
    /// </summary>
    public static bool TryParse(string? text, XapiVersion version, out DateTimeOffset value)
    {
        value = default;
        return text is not null && TryParse(text.AsSpan(), version, out value);
    }

    /// <summary>
    /// Parses a timestamp held in <paramref name="s"/> by the same rules as <see cref="TryParse(string?, XapiVersion, out DateTimeOffset)"/>,
    /// so that validation can read one without making a string of it.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<char> s, XapiVersion version, out DateTimeOffset value)
    {
        value = default;
        if (s.Length < 10 || s.Length > 64) return false;
        bool rfc = version == XapiVersion.V200;
        int p = 0;

        // Date: YYYY-MM-DD, or YYYYMMDD (basic, 1.0.3 only). Whichever form the date uses, the time must use too.
        if (!Digits(s, ref p, 4, out int year)) return false;
        bool extended = p < s.Length && s[p] == '-';
        if (!extended && rfc) return false;
        if (extended) p++;
        if (!Digits(s, ref p, 2, out int month)) return false;
        if (extended) { if (p >= s.Length || s[p] != '-') return false; p++; }
        if (!Digits(s, ref p, 2, out int day)) return false;

        // A bare date is a valid ISO 8601 date but not a point in time a statement can carry.
        if (p >= s.Length) return false;
        if (s[p] == 'T' || (rfc && s[p] == 't')) p++; else return false;

        if (!Digits(s, ref p, 2, out int hour)) return false;
        if (extended) { if (p >= s.Length || s[p] != ':') return false; p++; }
        if (!Digits(s, ref p, 2, out int minute)) return false;

        int second = 0;
        long fractionTicks = 0;
        bool hasSeconds = false;
        if (p < s.Length && (extended ? s[p] == ':' : char.IsAsciiDigit(s[p])))
        {
            if (extended) p++;
            if (!Digits(s, ref p, 2, out second)) return false;
            hasSeconds = true;
            if (p < s.Length && (s[p] == '.' || (!rfc && s[p] == ',')))
            {
                p++;
                int start = p;
                long scale = TimeSpan.TicksPerSecond;
                while (p < s.Length && char.IsAsciiDigit(s[p]))
                {
                    // Digits past the 7th (100 ns) are accepted but cannot be kept.
                    if (scale > 1) { scale /= 10; fractionTicks += (s[p] - '0') * scale; }
                    p++;
                }
                if (p == start) return false;
            }
        }
        if (rfc && !hasSeconds) return false;

        TimeSpan offset;
        if (p == s.Length)
        {
            // ISO 8601 local time without offset: taken as UTC (the LRS has no better guess). RFC 3339 requires an offset.
            if (rfc) return false;
            offset = TimeSpan.Zero;
        }
        else if (s[p] == 'Z' || (rfc && s[p] == 'z'))
        {
            if (p + 1 != s.Length) return false;
            offset = TimeSpan.Zero;
        }
        else if (s[p] is '+' or '-')
        {
            bool negative = s[p] == '-';
            p++;
            if (!Digits(s, ref p, 2, out int oh)) return false;
            int om = 0;
            if (p < s.Length)
            {
                bool colon = s[p] == ':';
                // RFC 3339 only has ±hh:mm; ISO 8601 basic uses ±hhmm, extended ±hh:mm.
                if (colon) p++;
                else if (rfc) return false;
                if (!Digits(s, ref p, 2, out om)) return false;
            }
            else if (rfc) return false;
            if (p != s.Length) return false;
            if (oh > 14 || om > 59) return false;
            if (negative && oh == 0 && om == 0) return false;
            offset = new TimeSpan(negative ? -oh : oh, negative ? -om : om, 0);
        }
        else return false;

        if (month is < 1 or > 12 || day < 1 || year < 1 || day > DateTime.DaysInMonth(year, month)) return false;
        if (minute > 59 || second > 59) return false;
        bool endOfDay = false;
        if (hour == 24)
        {
            // ISO 8601 allows 24:00:00 as the end of a day; RFC 3339 does not.
            if (rfc || minute != 0 || second != 0 || fractionTicks != 0) return false;
            endOfDay = true;
            hour = 0;
        }
        else if (hour > 23) return false;

        try
        {
            var local = new DateTime(year, month, day, hour, minute, second, DateTimeKind.Unspecified).AddTicks(fractionTicks);
            if (endOfDay) local = local.AddDays(1);
            value = new DateTimeOffset(local, offset);
            // Reject values whose UTC instant falls outside what DateTimeOffset can hold.
            _ = value.UtcDateTime;
            return true;
        }
        catch (ArgumentOutOfRangeException)
        {
            value = default;
            return false;
        }
    }

    /// <summary>The instant as both stores keep it (and as <c>stored</c> is given): UTC, truncated to whole microseconds.</summary>
    public static DateTimeOffset ToMicroseconds(DateTimeOffset value) =>
        new(value.UtcTicks - value.UtcTicks % TimeSpan.TicksPerMicrosecond, TimeSpan.Zero);

    /// <summary>
    /// The form the LRS writes: UTC, <c>yyyy-MM-ddTHH:mm:ss.fff</c> followed by up to four more fraction digits when
    /// the value has them (trailing zeros beyond the third trimmed), then <c>Z</c>.
    /// </summary>
    public static string ToUtcString(DateTimeOffset value)
    {
        var utc = value.UtcDateTime;
        Span<char> buffer = stackalloc char[28];
        // "yyyy-MM-ddTHH:mm:ss." is 20 chars, then 7 fraction digits, then Z.
        utc.TryFormat(buffer, out int written, "yyyy-MM-dd'T'HH:mm:ss.fffffff", CultureInfo.InvariantCulture);
        int end = written;
        int minEnd = written - 4; // keep at least the milliseconds
        while (end > minEnd && buffer[end - 1] == '0') end--;
        buffer[end++] = 'Z';
        return new string(buffer[..end]);
    }

    private static bool Digits(ReadOnlySpan<char> s, ref int p, int count, out int value)
    {
        value = 0;
        if (p + count > s.Length) return false;
        for (int i = 0; i < count; i++)
        {
            char c = s[p + i];
            if (!char.IsAsciiDigit(c)) return false;
            value = value * 10 + (c - '0');
        }
        p += count;
        return true;
    }
}
