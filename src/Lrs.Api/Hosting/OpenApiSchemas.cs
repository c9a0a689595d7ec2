using Microsoft.OpenApi;
using Microsoft.OpenApi.Reader;

namespace Lrs.Api.Hosting;

/// <summary>
/// The schemas the generator cannot see: the xAPI objects and the /api bodies that handlers read by hand
/// (OpenApiSchemas.json, an OpenAPI fragment), and which operation, and which property typed as a JSON object,
/// takes which of them.
/// </summary>
internal static class OpenApiSchemas
{
    /// <summary>Request and success-response schema of the operations whose bodies are read or written by hand.</summary>
    private static readonly Dictionary<string, (string? Request, string? Status, string? Response)> ByOperation = new()
    {
        ["GetAbout"] = (null, "200", "About"),
        ["PutStatement"] = ("Statement", null, null),
        ["PostStatements"] = ("Statements", "200", "StatementIds"),
        ["GetStatements"] = (null, "200", "StatementQueryResult"),
        ["GetActivity"] = (null, "200", "Activity"),
        ["GetPerson"] = (null, "200", "Person"),
        ["GetState"] = (null, "200", "DocumentOrIds"),
        ["GetActivityProfile"] = (null, "200", "DocumentOrIds"),
        ["GetAgentProfile"] = (null, "200", "DocumentOrIds"),
        ["ExportFramework"] = (null, "200", "Framework"),
        ["ImportFramework"] = ("Framework", null, null),
        ["GetFrameworkItem"] = (null, "200", "FrameworkItem"),
        ["PutFrameworkItem"] = ("FrameworkItem", null, null),
        ["AnswerReflectionTask"] = ("AnswersInput", null, null),
        ["RecordGroupReflection"] = ("GroupReflectionInput", null, null),
        ["PutSession"] = ("SessionInput", null, null),
    };

    /// <summary>Properties of generated schemas that are JSON objects in code, and what they hold.</summary>
    private static readonly (string Schema, string Property, string Holds)[] JsonObjectProperties =
    [
        ("AttendeeView", "agent", "Agent"),
        ("CredentialView", "actor", "Agent"),
        ("IssuedCredential", "actor", "Agent"),
        ("GroupReflectionView", "facilitator", "Agent"),
        ("ParticipantView", "agent", "Agent"),
        ("PersonInput", "agents", "Agent"),
        ("PersonView", "agents", "Agent"),
        ("TaskView", "agent", "Agent"),
        ("TrainingView", "name", "LanguageMap"),
        ("SessionView", "definition", "TrainingDefinition"),
        ("WebinarBody", "activity", "TrainingActivity"),
        ("WebinarBody", "presenters", "NamedPerson"),
    ];

    private static readonly Lazy<IDictionary<string, IOpenApiSchema>> Fragment = new(() =>
    {
        using var stream = typeof(OpenApiSchemas).Assembly.GetManifestResourceStream("Lrs.Api.OpenApiSchemas.json")
            ?? throw new InvalidOperationException("The resource Lrs.Api.OpenApiSchemas.json is not embedded.");
        using var reader = new StreamReader(stream);
        var read = OpenApiModelFactory.Parse(reader.ReadToEnd(), "json", new OpenApiReaderSettings());
        if (read.Diagnostic?.Errors is { Count: > 0 } errors)
            throw new InvalidOperationException("OpenApiSchemas.json: " + string.Join("; ", errors.Select(e => e.Message)));
        return read.Document!.Components!.Schemas!;
    });

    /// <summary>Adds the hand-written schemas to the document and types the JSON-object properties of generated ones.</summary>
    public static void AddTo(OpenApiDocument document)
    {
        document.Components ??= new OpenApiComponents();
        document.Components.Schemas ??= new Dictionary<string, IOpenApiSchema>();
        var schemas = document.Components.Schemas;
        foreach (var (name, schema) in Fragment.Value) schemas[name] = schema;

        foreach (var (schemaName, property, holds) in JsonObjectProperties)
        {
            if (!schemas.TryGetValue(schemaName, out var s) || s is not OpenApiSchema { Properties: { } properties }
                || !properties.TryGetValue(property, out var generated)) continue;
            IOpenApiSchema typed = new OpenApiSchemaReference(holds, document);
            if (generated.Type?.HasFlag(JsonSchemaType.Array) == true)
                typed = new OpenApiSchema { Type = generated.Type, Items = typed, Description = generated.Description };
            else if (generated.OneOf?.Any(o => o.Type == JsonSchemaType.Null) == true)
                typed = new OpenApiSchema { OneOf = [new OpenApiSchema { Type = JsonSchemaType.Null }, typed], Description = generated.Description };
            properties[property] = typed;
        }
        // What remains a JSON object in code (a participant's detail) is any object, not one without properties.
        if (schemas.TryGetValue("JsonObject", out var any) && any is OpenApiSchema open)
        {
            open.AdditionalProperties = new OpenApiSchema();
            open.Description ??= "Any JSON object.";
        }
    }

    /// <summary>Sets the request and success-response schema of an operation whose body a handler reads or writes by hand.</summary>
    public static void Describe(string operationName, OpenApiOperation operation, OpenApiDocument document)
    {
        if (!ByOperation.TryGetValue(operationName, out var types)) return;
        if (types.Request is { } request && operation.RequestBody is OpenApiRequestBody { Content: { } content } && content.TryGetValue("application/json", out var body))
            body.Schema = new OpenApiSchemaReference(request, document);
        if (types.Status is { } status && types.Response is { } response)
        {
            operation.Responses ??= new OpenApiResponses();
            if (!operation.Responses.TryGetValue(status, out var r) || r is not OpenApiResponse answer)
                operation.Responses[status] = answer = new OpenApiResponse { Description = "OK" };
            answer.Content ??= new Dictionary<string, OpenApiMediaType>();
            if (!answer.Content.TryGetValue("application/json", out var media)) answer.Content["application/json"] = media = new OpenApiMediaType();
            media.Schema = new OpenApiSchemaReference(response, document);
        }
    }
}
