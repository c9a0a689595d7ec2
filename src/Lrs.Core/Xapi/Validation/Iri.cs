using System.Buffers;

namespace Lrs.Core.Xapi;

/// <summary>Best-effort IRI syntax checks (RFC 3987), as the xAPI spec permits for IRI and IRL values.</summary>
public static class Iri
{
    /// <summary>
    /// True when <paramref name="value"/> is an absolute IRI: a scheme (<c>ALPHA *(ALPHA / DIGIT / "+" / "-" / ".")</c>),
    /// a colon and a non-empty remainder without whitespace, control characters or characters RFC 3987 excludes
    /// (<c>&lt; &gt; " { } | \ ^ `</c>), and every <c>%</c> followed by two hex digits.
    /// </summary>
    public static bool IsAbsolute(string? value) => value is not null && IsAbsolute(value.AsSpan());

    // What an IRI's remainder cannot hold (control characters, space, DEL and RFC 3987's exclusions), and %, which must
    // begin an escape. C1 controls (U+0080 to U+009F) are searched for apart, so that this set stays ASCII.
    private static readonly SearchValues<char> Excluded =
        SearchValues.Create(string.Concat(Enumerable.Range(0, ' ' + 1).Select(c => (char)c)) + "\u007f<>\"{}|\\^`%");

    /// <summary>The check of <see cref="IsAbsolute(string?)"/> on text that need not be a string.</summary>
    public static bool IsAbsolute(ReadOnlySpan<char> value)
    {
        if (value.IsEmpty) return false;
        if (!char.IsAsciiLetter(value[0])) return false;

        int colon = -1;
        for (int i = 1; i < value.Length; i++)
        {
            char c = value[i];
            if (c == ':') { colon = i; break; }
            if (!(char.IsAsciiLetterOrDigit(c) || c is '+' or '-' or '.')) return false;
        }
        // A scheme and something after it: "urn:" or "http:" alone identify nothing.
        if (colon < 0 || colon == value.Length - 1) return false;

        var remainder = value[(colon + 1)..];
        if (remainder.IndexOfAnyInRange('\u0080', '\u009f') >= 0) return false;
        // Searched for, not stepped through: the excluded characters end the check, a % is checked and passed.
        for (int i = remainder.IndexOfAny(Excluded); i >= 0; i = remainder.IndexOfAny(Excluded))
        {
            if (remainder[i] != '%' || i + 2 >= remainder.Length || !char.IsAsciiHexDigit(remainder[i + 1]) || !char.IsAsciiHexDigit(remainder[i + 2]))
                return false;
            remainder = remainder[(i + 3)..];
        }

        // "http://" with no host: hierarchical IRIs with an authority need a host.
        int rest = colon + 1;
        if (value.Length - rest >= 2 && value[rest] == '/' && value[rest + 1] == '/')
        {
            int hostStart = rest + 2;
            if (hostStart >= value.Length || value[hostStart] is '/' or '?' or '#')
            {
                // "file:///path" legitimately has an empty host.
                return value[..colon].Equals("file", StringComparison.OrdinalIgnoreCase);
            }
        }
        return true;
    }
}
