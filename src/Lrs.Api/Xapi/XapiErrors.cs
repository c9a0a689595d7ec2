using System.Globalization;
using Lrs.Api.Hosting;
using Lrs.Core.Storage;
using Microsoft.AspNetCore.Diagnostics;

namespace Lrs.Api.Xapi;

public static class XapiErrors
{
    /// <summary>
    /// Turns what escapes a handler into a JSON error: 413 for a body over the size limit, 400 for a malformed
    /// request Kestrel rejected, 503 with Retry-After while the database is unreachable (logged once per outage by
    /// <see cref="StoreOutage"/>), 500 otherwise (logged, without internals in the body).
    /// </summary>
    public static IApplicationBuilder UseXapiErrors(this IApplicationBuilder app) =>
        app.UseExceptionHandler(new ExceptionHandlerOptions
        {
            // A client's malformed request is answered, not an incident: only what ends in 500 is logged as an error.
            SuppressDiagnosticsCallback = context => context.Exception is BadHttpRequestException
                || context.HttpContext.RequestServices.GetRequiredService<StoreOutage>().Explains(context.Exception),
            ExceptionHandler = async context =>
        {
            var exception = context.Features.Get<IExceptionHandlerFeature>()?.Error;
            var outage = context.RequestServices.GetRequiredService<StoreOutage>();
            var (status, message) = exception switch
            {
                BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge } => (413, "The request body is larger than this LRS accepts."),
                BadHttpRequestException bad => (bad.StatusCode, "The request is malformed: " + bad.Message),
                not null when outage.Explains(exception) => (503, Unavailable(exception)),
                _ => (500, "The LRS failed to process the request."),
            };
            if (status == 503)
            {
                outage.Report(exception!);
                context.Response.Headers.RetryAfter = StoreOutage.RetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
            }
            await WriteAsync(context, status, status switch
            {
                500 => "Internal error",
                503 => "Database unavailable",
                413 => "Request too large",
                _ => "Malformed request",
            }, message);
        },
        });

    // Says only what the LRS knows: whether the request was stored is known for statements (not stored, or unknown when the
    // commit broke); for anything else the LRS cannot tell from here where the connection failed.
    private static string Unavailable(Exception exception) => exception switch
    {
        StoreUnavailableException { OutcomeUnknown: true } =>
            "The connection to the database broke while the statements were being committed, so whether they were stored is unknown "
            + $"(all of them or none). Sending them again with the same statement ids is safe: a statement stored already is accepted again, not a conflict. Try again in {StoreOutage.RetryAfterSeconds} s.",
        StoreUnavailableException =>
            $"The LRS cannot reach its database; nothing of this request was stored. Try again in {StoreOutage.RetryAfterSeconds} s.",
        _ => $"The LRS cannot reach its database. Try again in {StoreOutage.RetryAfterSeconds} s.",
    };

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
