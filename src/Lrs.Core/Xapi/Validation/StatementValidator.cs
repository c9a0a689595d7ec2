using System.Text.Json;
using System.Text.Json.Nodes;

namespace Lrs.Core.Xapi;

/// <summary>
/// Checks xAPI Statements against the Data part of the specification (1.0.3 or 2.0), reporting every broken rule.
/// </summary>
/// <remarks>
/// It judges one Statement on its own: it does not know whether ids exist, whether attachments arrived in a
/// multipart body (the JSON-only "fileUrl required" rule belongs to the HTTP layer), or who sent the request.
/// </remarks>
public static class StatementValidator
{
    /// <summary>
    /// Validates one Statement object (not an array). Returns every error found; an empty list means valid.
    /// Never throws on any JSON input.
    /// </summary>
    public static IReadOnlyList<ValidationError> Validate(JsonNode? statement, XapiVersion version)
    {
        var walker = new StatementWalker(version);
        try
        {
            walker.Statement(statement, "$", isSubStatement: false);
        }
        catch (Exception ex) when (ex is InvalidOperationException or ArgumentException or JsonException or FormatException)
        {
            // A JsonObject parsed from text with a repeated key fails when first enumerated. The spec leaves repeated
            // properties undefined; refusing the statement is the safe reading.
            walker.Add("$", "the statement could not be read (repeated property?)");
        }
        return walker.Result;
    }

    /// <summary>
    /// Validates the <c>agent</c> query parameter of the Statement, State and Agent Profile resources: an Agent, or an
    /// Identified Group, with exactly one Inverse Functional Identifier.
    /// </summary>
    public static IReadOnlyList<ValidationError> ValidateAgentParameter(JsonNode? agent, XapiVersion version)
    {
        var walker = new StatementWalker(version);
        try
        {
            walker.AgentParameter(agent, "$");
        }
        catch (Exception ex) when (ex is InvalidOperationException or ArgumentException or JsonException or FormatException)
        {
            walker.Add("$", "the agent could not be read (repeated property?)");
        }
        return walker.Result;
    }
}
