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
            context.Response.StatusCode = status;
            // The API's own endpoints answer in ProblemDetails, xAPI resources in the xAPI error body.
            if (context.Request.Path.StartsWithSegments("/api"))
                await TypedResults.Problem(statusCode: status, title: status == 500 ? "Internal error" : "Malformed request", detail: message).ExecuteAsync(context);
            else
                await context.Response.WriteAsJsonAsync(new XapiError(message), XapiJson.Default.XapiError);
        },
        });
}
