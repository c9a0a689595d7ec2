using Microsoft.OpenApi;

namespace Lrs.Api.Hosting;

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
                    Description = "A learning record store: xAPI 1.0.3 and 2.0.0 (chosen per request by X-Experience-API-Version) under /xapi.",
                };
                document.Servers = [];
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
