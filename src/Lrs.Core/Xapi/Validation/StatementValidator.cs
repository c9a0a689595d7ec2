using System.Buffers;
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
    private const string UnreadableStatement = "the statement could not be read (repeated property?)";
    private const string UnreadableAgent = "the agent could not be read (repeated property?)";

    // A tree is written out and read back as a document. Repeated properties are refused there, as they are where the
    // LRS parses a request; the depth is what a writer allows, so that any tree that can be written can be read.
    private static readonly JsonDocumentOptions TreeOptions = new() { AllowDuplicateProperties = false, MaxDepth = 1000 };

    /// <summary>
    /// Validates one Statement object (not an array). Returns every error found; an empty list means valid.
    /// Never throws on any JSON input.
    /// </summary>
    /// <remarks>
    /// The statement is read where it lies in its document; parse it with repeated properties refused
    /// (<see cref="JsonDocumentOptions.AllowDuplicateProperties"/>), since only the last of a repeated name is looked at.
    /// </remarks>
    public static IReadOnlyList<ValidationError> Validate(JsonElement statement, XapiVersion version)
    {
        var walker = new StatementWalker(version);
        try
        {
            walker.Statement(statement, "$", isSubStatement: false);
        }
        catch (InvalidOperationException)
        {
            // Text that is not UTF-8, or an escaped lone surrogate, fails where it is first read as a string.
            walker.Add("$", UnreadableStatement);
        }
        return walker.Result;
    }

    /// <summary>
    /// Validates one Statement object (not an array) given as a tree. Returns every error found; an empty list means valid.
    /// Never throws on any JSON input.
    /// </summary>
    public static IReadOnlyList<ValidationError> Validate(JsonNode? statement, XapiVersion version)
    {
        // A JsonObject parsed from text with a repeated key fails when first read. The spec leaves repeated properties
        // undefined; refusing the statement is the safe reading.
        if (!TryRead(statement, out var document)) return [new ValidationError("$", UnreadableStatement)];
        using (document) return Validate(document.RootElement, version);
    }

    /// <summary>
    /// Validates the <c>agent</c> query parameter of the Statement, State and Agent Profile resources: an Agent, or an
    /// Identified Group, with exactly one Inverse Functional Identifier.
    /// </summary>
    public static IReadOnlyList<ValidationError> ValidateAgentParameter(JsonElement agent, XapiVersion version)
    {
        var walker = new StatementWalker(version);
        try
        {
            walker.AgentParameter(agent, "$");
        }
        catch (InvalidOperationException)
        {
            walker.Add("$", UnreadableAgent);
        }
        return walker.Result;
    }

    /// <summary>
    /// Validates the <c>agent</c> query parameter given as a tree: an Agent, or an Identified Group, with exactly one
    /// Inverse Functional Identifier.
    /// </summary>
    public static IReadOnlyList<ValidationError> ValidateAgentParameter(JsonNode? agent, XapiVersion version)
    {
        if (!TryRead(agent, out var document)) return [new ValidationError("$", UnreadableAgent)];
        using (document) return ValidateAgentParameter(document.RootElement, version);
    }

    /// <summary>The tree as a document (JSON null for no tree), or false when it cannot be written or has a repeated property.</summary>
    private static bool TryRead(JsonNode? node, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out JsonDocument? document)
    {
        document = null;
        var buffer = new ArrayBufferWriter<byte>();
        try
        {
            using (var writer = new Utf8JsonWriter(buffer))
            {
                if (node is null) writer.WriteNullValue();
                else node.WriteTo(writer);
            }
            document = JsonDocument.Parse(buffer.WrittenMemory, TreeOptions);
            return true;
        }
        catch (Exception ex) when (ex is InvalidOperationException or ArgumentException or JsonException or FormatException)
        {
            return false;
        }
    }
}
