namespace Lrs.Core.Xapi;

/// <summary>The xAPI versions this LRS serves, chosen per request by <c>X-Experience-API-Version</c>.</summary>
public enum XapiVersion
{
    /// <summary>xAPI 1.0.3 (any 1.0.x header is served as 1.0.3).</summary>
    V103,
    /// <summary>xAPI 2.0 (IEEE 9274.1.1); header <c>2.0.0</c> or <c>2.0</c>.</summary>
    V200,
}

/// <summary>Parsing and printing of version header values.</summary>
public static class XapiVersions
{
    /// <summary>The header every xAPI request and response carries.</summary>
    public const string Header = "X-Experience-API-Version";

    /// <summary>The versions listed by the About resource.</summary>
    public static readonly IReadOnlyList<string> Supported = ["1.0.3", "2.0.0"];

    /// <summary>Reads a request header value; null when the version is missing or not served.</summary>
    public static XapiVersion? Parse(string? header)
    {
        if (string.IsNullOrWhiteSpace(header)) return null;
        var v = header.Trim();
        // 1.0.0 to 1.0.3 are patch versions of one specification; 1.0.x is answered as 1.0.3.
        if (v is "1.0" || (v.StartsWith("1.0.", StringComparison.Ordinal) && v.Length > 4 && v[4..].All(char.IsAsciiDigit)))
            return XapiVersion.V103;
        if (v is "2.0" || (v.StartsWith("2.0.", StringComparison.Ordinal) && v.Length > 4 && v[4..].All(char.IsAsciiDigit)))
            return XapiVersion.V200;
        return null;
    }

    /// <summary>The value written back in the response header.</summary>
    public static string ToHeader(this XapiVersion version) => version == XapiVersion.V200 ? "2.0.0" : "1.0.3";
}
