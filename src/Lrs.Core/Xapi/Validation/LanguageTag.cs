using System.Text.RegularExpressions;

namespace Lrs.Core.Xapi;

/// <summary>RFC 5646 (BCP 47) language tag syntax check, used for language map keys and the <c>language</c> property.</summary>
public static partial class LanguageTag
{
    /// <summary>
    /// True when <paramref name="tag"/> is a well-formed RFC 5646 language tag (syntax only: subtags are not looked up
    /// in the IANA registry, which the xAPI spec explicitly allows — it only demands the token-length sequence be valid).
    /// Matching is case-insensitive, as tags are.
    /// </summary>
    public static bool IsValid(string? tag) => tag is not null && IsValid(tag.AsSpan());

    /// <summary>The check of <see cref="IsValid(string?)"/> on text that need not be a string.</summary>
    public static bool IsValid(ReadOnlySpan<char> tag)
    {
        // The longest registered tags are far below this; the cap keeps a hostile key from costing anything.
        if (tag.IsEmpty || tag.Length > 256) return false;
        // The shapes of nearly every tag sent, a language ("sv") or a language and a region ("sv-SE"), match without the regex.
        if (tag.Length is 2 or 5 && char.IsAsciiLetter(tag[0]) && char.IsAsciiLetter(tag[1])
            && (tag.Length == 2 || tag[2] == '-' && char.IsAsciiLetter(tag[3]) && char.IsAsciiLetter(tag[4])))
            return true;
        return Rfc5646().IsMatch(tag);
    }

    // The ABNF of RFC 5646 section 2.1, transcribed: langtag / privateuse / grandfathered.
    [GeneratedRegex(
        """
        ^(?:
          (?:[a-z]{2,3}(?:-[a-z]{3}){0,3}|[a-z]{4}|[a-z]{5,8})
          (?:-[a-z]{4})?
          (?:-(?:[a-z]{2}|[0-9]{3}))?
          (?:-(?:[a-z0-9]{5,8}|[0-9][a-z0-9]{3}))*
          (?:-[0-9a-wy-z](?:-[a-z0-9]{2,8})+)*
          (?:-x(?:-[a-z0-9]{1,8})+)?
        | x(?:-[a-z0-9]{1,8})+
        | en-GB-oed|i-ami|i-bnn|i-default|i-enochian|i-hak|i-klingon|i-lux|i-mingo|i-navajo|i-pwn|i-tao|i-tay|i-tsu
        | sgn-BE-FR|sgn-BE-NL|sgn-CH-DE
        | art-lojban|cel-gaulish|no-bok|no-nyn|zh-guoyu|zh-hakka|zh-min|zh-min-nan|zh-xiang
        )$
        """,
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant | RegexOptions.IgnorePatternWhitespace | RegexOptions.ExplicitCapture)]
    private static partial Regex Rfc5646();
}
