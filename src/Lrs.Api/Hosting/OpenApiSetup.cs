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
                document.Servers = [];
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
            options.AddOperationTransformer((operation, context, _) =>
            {
                var path = "/" + (context.Description.RelativePath ?? "");
                if (path.StartsWith("/xapi/", StringComparison.Ordinal) && path != "/xapi/about")
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
                else if (path.StartsWith("/api/", StringComparison.Ordinal)
                    && !context.Description.ActionDescriptor.EndpointMetadata.OfType<Microsoft.AspNetCore.Authorization.IAllowAnonymous>().Any())
                    operation.Security = [new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference("basic", context.Document)] = [] }];
                var name = context.Description.ActionDescriptor.EndpointMetadata.OfType<IEndpointNameMetadata>().FirstOrDefault()?.EndpointName;
                if (name is not null && OpenApiExamples.ByOperation.TryGetValue(name, out var describe)) describe(operation);
                return Task.CompletedTask;
            });
        });

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
