using System.Text.Json.Nodes;
using Lrs.Core.Xapi;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Lrs.Api.Hosting;

/// <summary>
/// The OpenAPI document: endpoint metadata plus what handlers read by hand (query parameters, bodies),
/// the xAPI version header, HTTP Basic or a bearer token, and an example for every request and response body.
/// </summary>
public static class OpenApiSetup
{
    public const string DocumentPath = "/openapi/v1.json";

    public static IServiceCollection AddLrsOpenApi(this IServiceCollection services) =>
        services.AddOpenApi("v1", options =>
        {
            options.AddDocumentTransformer((document, _, _) =>
            {
                document.Info = new OpenApiInfo
                {
                    Title = "LrsApi",
                    Version = "v1",
                    Description = "A learning record store: xAPI 1.0.3 and 2.0.0 under /xapi, chosen per request by the X-Experience-API-Version header.",
                };
                document.Info.Contact = new OpenApiContact { Name = "The operator of this LRS" };
                document.Info.License = new OpenApiLicense { Name = "Proprietary", Identifier = "LicenseRef-Proprietary" };
                // Relative: the LRS that serves this document; generated clients take their base address at run time.
                document.Servers = [new OpenApiServer { Url = "/", Description = "The LRS serving this document." }];
                OpenApiSchemas.AddTo(document);
                foreach (var tag in document.Tags ?? Enumerable.Empty<OpenApiTag>())
                    tag.Description = TagDescriptions.TryGetValue(tag.Name ?? "", out var text) ? text : tag.Name;
                document.Components ??= new OpenApiComponents();
                document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
                document.Components.SecuritySchemes["basic"] = new OpenApiSecurityScheme
                {
                    Type = SecuritySchemeType.Http,
                    Scheme = "basic",
                    Description = "Key and secret of a credential of this LRS.",
                };
                document.Components.SecuritySchemes["bearer"] = new OpenApiSecurityScheme
                {
                    Type = SecuritySchemeType.Http,
                    Scheme = "bearer",
                    BearerFormat = "JWT",
                    Description = "An OAuth2 access token of Entra ID (an Entra tenant in Lrs:Entra:Tenants) or of the OIDC issuer set in Lrs:Oidc, when configured.",
                };
                return Task.CompletedTask;
            });
            // A property left out when null ([JsonIgnore(WhenWritingNull)]) is not required, whatever the constructor says.
            options.AddSchemaTransformer((schema, context, _) =>
            {
                if (schema.Required is { Count: > 0 } required)
                    foreach (var property in context.JsonTypeInfo.Properties)
                        if (MayBeAbsent(property, schema)) required.Remove(property.Name);
                return Task.CompletedTask;
            });
            options.AddOperationTransformer((operation, context, _) =>
            {
                var path = "/" + (context.Description.RelativePath ?? "");
                // GET and HEAD share one endpoint (and name); an operation id is unique per operation.
                if (context.Description.HttpMethod == HttpMethods.Head && operation.OperationId is { } getId)
                    operation.OperationId = "Head" + (getId.StartsWith("Get", StringComparison.Ordinal) ? getId[3..] : getId);
                var anonymous = context.Description.ActionDescriptor.EndpointMetadata.OfType<Microsoft.AspNetCore.Authorization.IAllowAnonymous>().Any();
                if (anonymous)
                    operation.Security = [];
                else if (path.StartsWith("/xapi/", StringComparison.Ordinal))
                {
                    operation.Parameters ??= [];
                    operation.Parameters.Add(new OpenApiParameter
                    {
                        Name = XapiVersions.Header,
                        In = ParameterLocation.Header,
                        Required = true,
                        Description = "The xAPI version of the request: 1.0.3 (or 1.0.x) or 2.0.0.",
                        Schema = new OpenApiSchema { Type = JsonSchemaType.String, Enum = [JsonValue.Create("1.0.3"), JsonValue.Create("2.0.0")] },
                        Example = JsonValue.Create("2.0.0"),
                    });
                    operation.Security =
                    [
                        new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference("basic", context.Document)] = [] },
                        new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference("bearer", context.Document)] = [] },
                    ];
                }
                else if (path.StartsWith("/api/", StringComparison.Ordinal))
                    operation.Security = [new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference("basic", context.Document)] = [] }];
                DeclareCommonErrors(operation, context.Document!, anonymous, path.StartsWith("/api/", StringComparison.Ordinal));
                var name = context.Description.ActionDescriptor.EndpointMetadata.OfType<IEndpointNameMetadata>().FirstOrDefault()?.EndpointName;
                if (name is not null && OpenApiExamples.ByOperation.TryGetValue(name, out var describe)) describe(operation);
                if (name is not null) OpenApiSchemas.Describe(name, operation, context.Document!);
                return Task.CompletedTask;
            });
        });

    /// <summary>
    /// A property left out when null ([JsonIgnore(WhenWritingNull)]), or one that may be null, need not be sent:
    /// the generator would call every constructor parameter required.
    /// </summary>
    private static bool MayBeAbsent(System.Text.Json.Serialization.Metadata.JsonPropertyInfo property, OpenApiSchema schema)
    {
        if (property.AttributeProvider?.GetCustomAttributes(typeof(System.Text.Json.Serialization.JsonIgnoreAttribute), true)
                .OfType<System.Text.Json.Serialization.JsonIgnoreAttribute>().Any(a => a.Condition != System.Text.Json.Serialization.JsonIgnoreCondition.Never) == true)
            return true;
        if (Nullable.GetUnderlyingType(property.PropertyType) is not null) return true;
        return schema.Properties?.TryGetValue(property.Name, out var p) == true && p is OpenApiSchema { Type: { } type } && type.HasFlag(JsonSchemaType.Null);
    }

    /// <summary>
    /// The failures any operation can meet, declared on every operation: 429 when a credential's rate is spent (a credential
    /// may be sent to a public operation too), 401 where a credential is required.
    /// </summary>
    private static void DeclareCommonErrors(OpenApiOperation operation, OpenApiDocument document, bool anonymous, bool api)
    {
        operation.Responses ??= new OpenApiResponses();
        // The API's own endpoints answer every error in ProblemDetails; xAPI resources keep the xAPI error body.
        var error = new Dictionary<string, OpenApiMediaType>
        {
            [api ? "application/problem+json" : "application/json"] = new() { Schema = new OpenApiSchemaReference(api ? "ProblemDetails" : "XapiError", document) },
        };
        if (!anonymous)
            operation.Responses.TryAdd("401", new OpenApiResponse
            {
                Description = "No credential, or one this LRS does not accept (`WWW-Authenticate` names the scheme).",
                Content = error,
            });
        operation.Responses.TryAdd("429", new OpenApiResponse
        {
            Description = "Too many requests for this credential, or too many failed logins from this address; `Retry-After` says when to try again.",
            Content = error,
        });
    }

    private static readonly Dictionary<string, string> TagDescriptions = new()
    {
        ["xAPI"] = "The xAPI 1.0.3 and 2.0.0 resources (statements, documents, activities, agents, about) with xAPI errors, and the xAPI Profile.",
        ["Admin"] = "Tenants, credentials, the audit log, evidence rebuilds and webhook subscriptions: scope `admin` (tenants: an operator credential).",
        ["People"] = "Employees with their organisation, units, roles and xAPI agents, upserted in bulk by HR systems.",
        ["Organisations"] = "Employers (organisations) and their units.",
        ["Competence framework"] = "Competences, alignment rules, role requirements and duties: which statements are evidence of what.",
        ["Competence profiles"] = "Computed from evidence: a person's profile, a unit's gaps, expiring competences.",
        ["Reflection"] = "Reflection tasks and their answers, and group reflection at a unit's workplace meeting.",
        ["Sessions and webinars"] = "On-site sessions and webinars: their attendance becomes xAPI statements.",
        ["Events"] = "What changed, for other systems to follow: the events webhooks deliver, pulled in order with a cursor.",
    };

    public static WebApplication MapLrsOpenApi(this WebApplication app)
    {
        app.MapOpenApi("/openapi/{documentName}.json").AllowAnonymous();
        app.UseSwaggerUI(options =>
        {
            options.SwaggerEndpoint(DocumentPath, "LrsApi v1");
            options.RoutePrefix = "swagger";
        });
        return app;
    }
}
