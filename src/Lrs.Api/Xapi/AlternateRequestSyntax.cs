using System.Text;
using Lrs.Core.Xapi;
using Microsoft.AspNetCore.Http.Extensions;
using Microsoft.Extensions.Primitives;

namespace Lrs.Api.Xapi;

/// <summary>
/// The 1.0.3 alternate request syntax (Communication 1.3): a POST with only <c>?method=</c> in its query and
/// a form body carrying the headers, the resource parameters and the <c>content</c>. It is turned into the
/// request it stands for before routing and authentication, so every resource serves it unchanged.
/// xAPI 2.0 removed it: there it is rejected.
/// </summary>
public static class AlternateRequestSyntax
{
    private static readonly string[] HeaderParameters =
        ["Authorization", XapiVersions.Header, "Content-Type", "Content-Length", "If-Match", "If-None-Match"];

    private static readonly HashSet<string> Methods = ["GET", "HEAD", "PUT", "POST", "DELETE"];

    public static IApplicationBuilder UseAlternateRequestSyntax(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        var request = context.Request;
        if (!request.Path.StartsWithSegments("/xapi") || !request.Query.TryGetValue("method", out var methodValues))
        {
            await next(context);
            return;
        }
        if (await RewriteAsync(context, methodValues) is { } error)
        {
            await error.ExecuteAsync(context);
            return;
        }
        await next(context);
    });

    private static async Task<IResult?> RewriteAsync(HttpContext context, StringValues methodValues)
    {
        var request = context.Request;
        IResult Reject(string message) => XapiProtocol.Error(StatusCodes.Status400BadRequest, message);

        if (XapiVersions.Parse(request.Headers[XapiVersions.Header]) == XapiVersion.V200)
            return Reject("xAPI 2.0 has no alternate request syntax: send the request with its own method and headers.");
        if (!HttpMethods.IsPost(request.Method))
            return Reject("The alternate request syntax is a POST with ?method= in the query.");
        if (request.Query.Count != 1 || methodValues.Count != 1 || !Methods.Contains(methodValues[0] ?? ""))
            return Reject("The alternate request syntax takes only ?method=GET|PUT|POST|DELETE in the query; everything else goes in the form body.");
        if (!request.HasFormContentType || !XapiProtocol.HasMediaType(request, "application/x-www-form-urlencoded"))
            return Reject("The alternate request syntax sends an application/x-www-form-urlencoded body.");

        IFormCollection form;
        try
        {
            form = await request.ReadFormAsync(context.RequestAborted);
        }
        catch (InvalidDataException e)
        {
            return Reject("The form body is malformed: " + e.Message);
        }

        var query = new QueryBuilder();
        foreach (var (name, values) in form)
        {
            if (name == "content" || HeaderParameters.Contains(name, StringComparer.OrdinalIgnoreCase)) continue;
            foreach (var value in values) query.Add(name, value ?? "");
        }
        foreach (var name in HeaderParameters)
            if (form.TryGetValue(name, out var value)) request.Headers[name] = value;

        if (XapiVersions.Parse(request.Headers[XapiVersions.Header]) == XapiVersion.V200)
            return Reject("xAPI 2.0 has no alternate request syntax: send the request with its own method and headers.");

        var content = Encoding.UTF8.GetBytes(form.TryGetValue("content", out var c) ? c.ToString() : "");
        request.Method = methodValues[0]!;
        request.QueryString = query.ToQueryString();
        request.Body = new MemoryStream(content);
        request.ContentLength = content.Length;
        request.Headers.ContentType = form.TryGetValue("Content-Type", out var type) ? type : (StringValues)"application/json";
        if (content.Length == 0) request.Headers.ContentType = StringValues.Empty;
        return null;
    }
}
