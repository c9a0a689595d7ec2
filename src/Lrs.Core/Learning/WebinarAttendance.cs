using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using CsvHelper;
using Lrs.Core.Xapi;

namespace Lrs.Core.Learning;

/// <summary>One row of an attendance report: one stay of one participant (a participant who rejoined has several).</summary>
/// <param name="Row">The line of the file the row is on (the header is a line too).</param>
/// <param name="Name">The participant's display name.</param>
/// <param name="Email">Their e-mail address (or Teams UPN).</param>
/// <param name="EmployeeId">Their employee id.</param>
/// <param name="Joined">When they joined.</param>
/// <param name="Duration">How long they stayed.</param>
public sealed record AttendanceRow(int Row, string? Name, string? Email, string? EmployeeId, DateTimeOffset Joined, TimeSpan Duration);

/// <summary>
/// Reads webinar attendance reports as the common platforms export them (CSV, comma, semicolon or tab separated, UTF-8 or
/// UTF-16 with a byte order mark), recognising their header names: Zoom (<c>Name (Original Name)</c>, <c>User Email</c>, <c>Join Time</c>,
/// <c>Leave Time</c>, <c>Duration (Minutes)</c>), Teams (<c>Full Name</c>, <c>Email</c> or <c>Participant ID (UPN)</c>,
/// <c>Join Time</c>, <c>Leave Time</c>, <c>Duration</c>) and a plain
/// <c>name,email,employeeId,joinTime,leaveTime,durationMinutes</c>. Lines before the header (a report's summary section)
/// are skipped; the table ends at the first empty line.
/// </summary>
public static partial class WebinarAttendance
{
    /// <summary>The most rows one report may have.</summary>
    public const int MaxRows = 20_000;

    /// <summary>The longest field (a name, an address, a time) in characters.</summary>
    public const int MaxFieldLength = 1_000;

    private enum Column { Name, Email, EmployeeId, Join, Leave, DurationMinutes, Duration }

    // Header names with case, spaces and punctuation removed.
    private static readonly Dictionary<string, Column> Headers = new(StringComparer.Ordinal)
    {
        ["name"] = Column.Name, ["nameoriginalname"] = Column.Name, ["fullname"] = Column.Name, ["participant"] = Column.Name,
        ["participantname"] = Column.Name, ["displayname"] = Column.Name, ["namn"] = Column.Name,
        ["email"] = Column.Email, ["useremail"] = Column.Email, ["emailaddress"] = Column.Email, ["participantidupn"] = Column.Email,
        ["upn"] = Column.Email, ["epost"] = Column.Email,
        ["employeeid"] = Column.EmployeeId, ["employeenumber"] = Column.EmployeeId, ["personid"] = Column.EmployeeId,
        ["anstallningsnummer"] = Column.EmployeeId,
        ["jointime"] = Column.Join, ["firstjoin"] = Column.Join, ["firstjointime"] = Column.Join,
        ["leavetime"] = Column.Leave, ["lastleave"] = Column.Leave, ["lastleavetime"] = Column.Leave,
        ["durationminutes"] = Column.DurationMinutes, ["timeinsessionminutes"] = Column.DurationMinutes,
        ["duration"] = Column.Duration, ["inmeetingduration"] = Column.Duration, ["attendanceduration"] = Column.Duration,
    };

    private static readonly string[] TimeFormats =
    [
        "yyyy-MM-dd HH:mm:ss", "yyyy-MM-dd HH:mm", "yyyy-MM-ddTHH:mm:ss", "yyyy-MM-ddTHH:mm",
        "M/d/yyyy h:mm:ss tt", "M/d/yyyy h:mm tt", "M/d/yyyy H:mm:ss", "M/d/yyyy H:mm",
        "M/d/yy, h:mm:ss tt", "M/d/yy h:mm:ss tt", "M/d/yy, H:mm:ss", "M/d/yyyy, h:mm:ss tt",
    ];

    /// <summary>
    /// Reads a report. Times without an offset are taken at <paramref name="offset"/> (the webinar's). Each row needs an
    /// e-mail address or an employee id, a join time, and a duration or a leave time (the duration wins when both are
    /// given). Rows are returned only when no row is bad; every bad row is reported with its line.
    /// </summary>
    public static (IReadOnlyList<AttendanceRow> Rows, IReadOnlyList<ValidationError> Errors) Read(Stream report, TimeSpan offset)
    {
        var errors = new List<ValidationError>();
        var rows = new List<AttendanceRow>();
        if (EncodingProblem(report) is { } encoding) return ([], [encoding]);
        // The header is found here rather than by the reader, since reports may start with a summary section.
        var options = new CsvReaderOptions { HasHeader = false, SkipEmptyLines = false, TrackLineNumbers = true, TrimWhitespace = true };
        Dictionary<Column, List<int>>? columns = null;
        using var csv = CsvReader.Create(report, options, true);
        try
        {
            while (csv.Read())
            {
                var fields = new string[csv.FieldCount];
                for (var i = 0; i < fields.Length; i++) fields[i] = csv.GetString(i) ?? "";
                var line = (int)csv.LineNumber;
                if (fields.Any(f => f.Length > MaxFieldLength))
                {
                    errors.Add(new($"row {line}", $"has a field longer than {MaxFieldLength} characters"));
                    break;
                }
                var empty = fields.All(string.IsNullOrWhiteSpace);
                if (columns is null)
                {
                    if (!empty) columns = HeaderOf(fields);
                    continue;
                }
                if (empty) break;
                if (rows.Count + errors.Count >= MaxRows)
                {
                    errors.Add(new($"row {line}", $"the report has more than {MaxRows} rows"));
                    break;
                }
                if (ReadRow(fields, columns, line, offset, errors) is { } row) rows.Add(row);
            }
        }
        catch (CsvFormatException e)
        {
            errors.Add(new($"row {e.LineNumber}", "is not CSV: " + e.Message.Split('\n')[0]));
        }
        if (columns is not null && rows.Count == 0 && errors.Count == 0)
            // More likely an export that failed than a webinar no one attended: it does not remove everyone's attendance.
            errors.Add(new("rows", "the report has a header but no rows"));
        if (columns is null)
            errors.Add(new("header", "no header found: expected columns such as name, email or employeeId, joinTime, leaveTime, durationMinutes " +
                "(or a Zoom or Teams attendance report)"));
        return (errors.Count == 0 ? rows : [], errors);
    }

    // UTF-8 (with or without a byte order mark), or UTF-16 with one: anything else (Latin-1, say) would be read as
    // replacement characters, so it is refused with the line of the first bad byte. The report is left at its start.
    private static ValidationError? EncodingProblem(Stream report)
    {
        using var bytes = new MemoryStream();
        report.CopyTo(bytes);
        report.Position = 0;
        var content = bytes.GetBuffer().AsSpan(0, (int)bytes.Length);
        Encoding encoding = content is [0xFF, 0xFE, ..] ? new UnicodeEncoding(false, true, true)
            : content is [0xFE, 0xFF, ..] ? new UnicodeEncoding(true, true, true)
            : new UTF8Encoding(false, true);
        try
        {
            encoding.GetCharCount(content);
            return null;
        }
        catch (DecoderFallbackException e)
        {
            var line = 1 + content[..Math.Clamp(e.Index, 0, content.Length)].Count((byte)'\n');
            return encoding is UnicodeEncoding
                ? new($"row {line}", "is not UTF-16 text, though the report starts with a UTF-16 byte order mark")
                : new($"row {line}", "is not UTF-8 text: save the report as UTF-8 (or UTF-16 with a byte order mark)");
        }
    }

    /// <summary>Whether <paramref name="present"/> is at least <paramref name="minimumShare"/> of the webinar's length.</summary>
    public static bool CountsAsAttended(TimeSpan present, DateTimeOffset start, DateTimeOffset end, double minimumShare) =>
        present.TotalSeconds >= minimumShare * (end - start).TotalSeconds;

    private static Dictionary<Column, List<int>>? HeaderOf(string[] fields)
    {
        var columns = new Dictionary<Column, List<int>>();
        for (var i = 0; i < fields.Length; i++)
        {
            var key = new string([.. fields[i].Trim('\uFEFF').Where(char.IsLetterOrDigit).Select(char.ToLowerInvariant)]);
            key = key.Replace("ä", "a", StringComparison.Ordinal).Replace("å", "a", StringComparison.Ordinal);
            // Teams has both Email and Participant ID (UPN): a row takes the first of them that is filled in.
            if (!Headers.TryGetValue(key, out var column)) continue;
            if (!columns.TryGetValue(column, out var indexes)) columns[column] = indexes = [];
            indexes.Add(i);
        }
        var identifies = columns.ContainsKey(Column.Email) || columns.ContainsKey(Column.EmployeeId);
        var times = columns.ContainsKey(Column.Join) && (columns.ContainsKey(Column.Leave) || columns.ContainsKey(Column.Duration) || columns.ContainsKey(Column.DurationMinutes));
        return identifies && times ? columns : null;
    }

    private static AttendanceRow? ReadRow(string[] fields, Dictionary<Column, List<int>> columns, int line, TimeSpan offset, List<ValidationError> errors)
    {
        string? Field(Column c) => columns.TryGetValue(c, out var indexes)
            ? indexes.Where(i => i < fields.Length && !string.IsNullOrWhiteSpace(fields[i])).Select(i => fields[i].Trim()).FirstOrDefault()
            : null;
        var problems = new List<string>();
        var name = Field(Column.Name);
        var email = Field(Column.Email);
        var employee = Field(Column.EmployeeId);
        if (email is not null && !email.Contains('@', StringComparison.Ordinal))
        {
            // Teams puts the UPN there; anything else without an @ is no address.
            problems.Add($"e-mail '{email}' is no address");
            email = null;
        }
        if (email is null && employee is null && problems.Count == 0) problems.Add("has neither an e-mail address nor an employee id");

        DateTimeOffset? joined = null, left = null;
        if (Field(Column.Join) is { } joinText)
        {
            if (ParseTime(joinText, offset) is { } j) joined = j;
            else problems.Add($"join time '{joinText}' is not a date and time");
        }
        else problems.Add("has no join time");
        if (Field(Column.Leave) is { } leaveText)
        {
            if (ParseTime(leaveText, offset) is { } l) left = l;
            else problems.Add($"leave time '{leaveText}' is not a date and time");
        }
        TimeSpan? duration = null;
        if (Field(Column.DurationMinutes) is { } minutesText)
        {
            if (double.TryParse(minutesText.Replace(',', '.'), NumberStyles.Float, CultureInfo.InvariantCulture, out var minutes) && minutes >= 0 && minutes < 100_000)
                duration = TimeSpan.FromMinutes(minutes);
            else problems.Add($"duration '{minutesText}' is not a number of minutes");
        }
        else if (Field(Column.Duration) is { } durationText)
        {
            if (ParseDuration(durationText) is { } d) duration = d;
            else problems.Add($"duration '{durationText}' is not a duration (minutes, h:mm:ss or 1h 5m 3s)");
        }
        if (joined is { } from && left is { } to && to < from) problems.Add("leaves before joining");
        if (duration is null && left is not null && joined is not null) duration = left.Value - joined.Value;
        if (duration is null && problems.Count == 0) problems.Add("has neither a duration nor a leave time");

        if (problems.Count > 0)
        {
            var who = (name ?? email ?? employee) is { } named ? $"({named}) " : "";
            errors.Add(new($"row {line}", who + string.Join("; ", problems)));
            return null;
        }
        return new AttendanceRow(line, name, email?.ToLowerInvariant(), employee, joined!.Value, duration!.Value);
    }

    private static DateTimeOffset? ParseTime(string text, TimeSpan offset)
    {
        if (XapiTimestamp.TryParse(text, XapiVersion.V200, out var exact)) return exact;
        if (DateTime.TryParseExact(text, TimeFormats, CultureInfo.InvariantCulture, DateTimeStyles.AllowWhiteSpaces, out var local))
            return new DateTimeOffset(DateTime.SpecifyKind(local, DateTimeKind.Unspecified), offset);
        return null;
    }

    private static TimeSpan? ParseDuration(string text)
    {
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var minutes) && minutes >= 0) return TimeSpan.FromMinutes(minutes);
        if (Clock().Match(text) is { Success: true } clock)
        {
            var parts = text.Split(':').Select(p => int.Parse(p, CultureInfo.InvariantCulture)).ToArray();
            return parts.Length == 3 ? new TimeSpan(parts[0], parts[1], parts[2]) : new TimeSpan(0, parts[0], parts[1]);
        }
        if (Units().Match(text) is { Success: true } units && units.Length > 0)
        {
            int Part(string g) => units.Groups[g].Success ? int.Parse(units.Groups[g].Value, CultureInfo.InvariantCulture) : 0;
            return new TimeSpan(Part("h"), Part("m"), Part("s"));
        }
        return null;
    }

    [GeneratedRegex(@"^\d{1,3}:\d{2}(:\d{2})?$")]
    private static partial Regex Clock();

    [GeneratedRegex(@"^\s*(?:(?<h>\d+)\s*(?:h|hr|hrs|hours?|tim)\s*)?(?:(?<m>\d+)\s*(?:m|min|mins|minutes?)\s*)?(?:(?<s>\d+)\s*(?:s|sec|secs|seconds?|sek)\s*)?$", RegexOptions.IgnoreCase)]
    private static partial Regex Units();
}
