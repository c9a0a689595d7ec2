using Microsoft.AspNetCore.Diagnostics;

namespace Lrs.Api.Xapi;

public static class XapiErrors
{
    /// <summary>
    /// Turns what escapes a handler into a JSON error: 413 for a body over the size limit, 400 for a malformed
    /// request Kestrel rejected, 500 otherwise (logged, without internals in the body).
    /// </summary>
    public static IApplicationBuilder UseXapiErrors(this IApplicationBuilder app) =>
        app.UseExceptionHandler(new ExceptionHandlerOptions
        {
            // A client's malformed request is answered, not an incident: only what ends in 500 is logged as an error.
            SuppressDiagnosticsCallback = context => context.Exception is BadHttpRequestException,
            ExceptionHandler = async context =>
        {
            var exception = context.Features.Get<IExceptionHandlerFeature>()?.Error;
            var (status, message) = exception switch
            {
                BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge } => (413, "The request body is larger than this LRS accepts."),
                BadHttpRequestException bad => (bad.StatusCode, "The request is malformed: " + bad.Message),
                _ => (500, "The LRS failed to process the request; nothing of it was stored."),
            };
            await WriteAsync(context, status, status == 500 ? "Internal error" : status == 413 ? "Request too large" : "Malformed request", message);
        },
        });

    /// <summary>
    /// An error answered outside an endpoint (authentication, rate limit, body size, what escapes a handler): the API's own
    /// endpoints answer in ProblemDetails (RFC 9457), xAPI resources in the xAPI error body.
    /// </summary>
    public static async Task WriteAsync(HttpContext context, int status, string title, string message)
    {
        context.Response.StatusCode = status;
        if (context.Request.Path.StartsWithSegments("/api"))
            await TypedResults.Problem(statusCode: status, title: title, detail: message).ExecuteAsync(context);
        else
            await context.Response.WriteAsJsonAsync(new XapiError(message), XapiJson.Default.XapiError);
    }

    /// <summary>
    /// Under <c>/api</c>, the errors routing answers itself with an empty body (no such route, a method the route does not
    /// take, a body of a media type the endpoint does not take) get a ProblemDetails body that says so.
    /// </summary>
    public static IApplicationBuilder UseApiProblemStatusPages(this IApplicationBuilder app) =>
        app.UseStatusCodePages(async context =>
        {
            var http = context.HttpContext;
            if (!http.Request.Path.StartsWithSegments("/api")) return;
            var (title, detail) = http.Response.StatusCode switch
            {
                StatusCodes.Status404NotFound => ("Not found", $"There is no API endpoint at {http.Request.Path}."),
                StatusCodes.Status405MethodNotAllowed => ("Method not allowed", $"{http.Request.Method} is not allowed on {http.Request.Path}."),
                StatusCodes.Status415UnsupportedMediaType => ("Unsupported media type",
                    $"This endpoint does not take a body of type '{http.Request.ContentType}'; the OpenAPI document (/openapi/v1.json) names the types it takes."),
                _ => (null, null),
            };
            if (title is null) return;
            await TypedResults.Problem(statusCode: http.Response.StatusCode, title: title, detail: detail).ExecuteAsync(http);
        });
}
