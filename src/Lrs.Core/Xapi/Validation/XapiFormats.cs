using System.Text.RegularExpressions;

namespace Lrs.Core.Xapi;

/// <summary>Small format checks for xAPI value types that have no public use outside validation.</summary>
internal static partial class XapiFormats
{
    /// <summary>UUID in the standard 8-4-4-4-12 hex form, either case. Version and variant bits are not judged,
    /// because the conformance suite and real clients send all kinds.</summary>
    public static bool IsUuid(ReadOnlySpan<char> s)
    {
        if (s.Length != 36) return false;
        for (int i = 0; i < 36; i++)
        {
            char c = s[i];
            if (i is 8 or 13 or 18 or 23) { if (c != '-') return false; }
            else if (!char.IsAsciiHexDigit(c)) return false;
        }
        return true;
    }

    /// <summary>40 hex digits: a SHA-1 of a mailto IRI.</summary>
    public static bool IsSha1Hex(ReadOnlySpan<char> s)
    {
        if (s.Length != 40) return false;
        foreach (char c in s) if (!char.IsAsciiHexDigit(c)) return false;
        return true;
    }

    /// <summary>A <c>mailto:</c> IRI naming exactly one address (no query part, no list).</summary>
    public static bool IsMailto(ReadOnlySpan<char> s) => s.Length <= 2048 && Mailto().IsMatch(s);

    /// <summary>ISO 8601:2004 section 4.4.3.2 duration (the alternative 4.4.3.3 form is not allowed).</summary>
    public static bool IsDuration(ReadOnlySpan<char> s) => s.Length <= 256 && Duration().IsMatch(s);

    // The scheme is case-insensitive (RFC 3986); the local part may carry UTF-8 (RFC 6532), so it is only
    // kept free of separators; the domain is dot-separated labels (IDN allowed) or an address literal.
    [GeneratedRegex(@"^(?i:mailto):[^\s@<>()\[\],;:""?&=]+@(?:[\p{L}\p{N}](?:[\p{L}\p{N}-]*[\p{L}\p{N}])?(?:\.[\p{L}\p{N}](?:[\p{L}\p{N}-]*[\p{L}\p{N}])?)*|\[[0-9A-Fa-f:.]+\])$",
        RegexOptions.CultureInvariant)]
    private static partial Regex Mailto();

    // PnYnMnDTnHnMnS with every part optional but at least one present, T only when a time part follows,
    // and a decimal fraction allowed (ISO 8601 allows it on the lowest-order component; we accept it on any, as
    // most LRSs do). PnW stands alone.
    [GeneratedRegex(@"^P(?:(?=\d)(?:\d+(?:[.,]\d+)?Y)?(?:\d+(?:[.,]\d+)?M)?(?:\d+(?:[.,]\d+)?D)?(?:T(?=\d)(?:\d+(?:[.,]\d+)?H)?(?:\d+(?:[.,]\d+)?M)?(?:\d+(?:[.,]\d+)?S)?)?|T(?=\d)(?:\d+(?:[.,]\d+)?H)?(?:\d+(?:[.,]\d+)?M)?(?:\d+(?:[.,]\d+)?S)?|\d+(?:[.,]\d+)?W)$",
        RegexOptions.CultureInvariant)]
    private static partial Regex Duration();
}
