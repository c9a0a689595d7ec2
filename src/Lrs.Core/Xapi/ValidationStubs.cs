// TEMPORARY: replaced by the Validation folder when it lands.
using System.Globalization;
using System.Text.Json.Nodes;

namespace Lrs.Core.Xapi;

/// <summary>stub</summary>
public static class StatementValidator
{
    /// <summary>stub</summary>
    public static IReadOnlyList<ValidationError> Validate(JsonNode? statement, XapiVersion version) =>
        statement is JsonObject o && o["actor"] is not null && o["verb"] is not null && o["object"] is not null ? [] : [new("$", "bad")];
    /// <summary>stub</summary>
    public static IReadOnlyList<ValidationError> ValidateAgentParameter(JsonNode? agent, XapiVersion version) => [];
}
/// <summary>stub</summary>
public static class StatementComparer
{
    /// <summary>stub</summary>
    public static bool AreEquivalent(JsonNode stored, JsonNode incoming) => true;
}
/// <summary>stub</summary>
public static class XapiTimestamp
{
    /// <summary>stub</summary>
    public static bool TryParse(string? text, XapiVersion version, out DateTimeOffset value) =>
        DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out value);
    /// <summary>stub</summary>
    public static string ToUtcString(DateTimeOffset value) => value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture);
}
/// <summary>stub</summary>
public static class Iri
{
    /// <summary>stub</summary>
    public static bool IsAbsolute(string s) => Uri.TryCreate(s, UriKind.Absolute, out _);
}
/// <summary>stub</summary>
public static class LanguageTag
{
    /// <summary>stub</summary>
    public static bool IsValid(string s) => s.Length > 0;
}
