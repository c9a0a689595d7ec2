using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Lrs.Core.Xapi;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Primitives;

namespace Lrs.Api.Xapi;

/// <summary>The JSON body of every xAPI error: a message, and for invalid statements every broken rule.</summary>
/// <param name="Message">What went wrong, for a person.</param>
/// <param name="Errors">Each broken rule with its JSON path, when statements were rejected.</param>
public sealed record XapiError(
    [property: JsonPropertyName("message")] string Message,
    [property: JsonPropertyName("errors"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<ValidationError>? Errors = null);

[JsonSerializable(typeof(XapiError))]
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
internal sealed partial class XapiJson : JsonSerializerContext;

/// <summary>The rules every xAPI request shares, written once.</summary>
public static class XapiProtocol
{
    private const string VersionItem = "xapi-version";

    /// <summary>
    /// Every response carries <c>X-Experience-API-Version</c>, errors included: the version the request asked
    /// for, or the newest of the major version it named, or the newest served.
    /// </summary>
    public static IApplicationBuilder UseXapiVersionHeader(this IApplicationBuilder app) => app.Use((context, next) =>
    {
        context.Response.OnStarting(static state =>
        {
            var http = (HttpContext)state;
            string? requested = http.Request.Headers[XapiVersions.Header];
            http.Response.Headers[XapiVersions.Header] = XapiVersions.Parse(requested)?.ToHeader()
                ?? (requested?.TrimStart().StartsWith('1') == true ? "1.0.3" : "2.0.0");
            return Task.CompletedTask;
        }, context);
        return next(context);
    });

    /// <summary>Rejects a request without a served version with 400 and records the version for handlers.</summary>
    public static TBuilder RequireXapiVersion<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.AddEndpointFilter(static async (context, next) =>
        {
            var http = context.HttpContext;
            if (XapiVersions.Parse(http.Request.Headers[XapiVersions.Header]) is not { } version)
                return Error(StatusCodes.Status400BadRequest,
                    $"The {XapiVersions.Header} header is missing or names a version this LRS does not serve (1.0.3 and 2.0.0 are served).");
            http.Items[VersionItem] = version;
            return await next(context);
        });

    /// <summary>The version of this request (set by <see cref="RequireXapiVersion{TBuilder}"/>).</summary>
    public static XapiVersion XapiVersion(this HttpContext context) =>
        context.Items[VersionItem] is XapiVersion v ? v : Core.Xapi.XapiVersion.V200;

    /// <summary>An xAPI error response.</summary>
    public static JsonHttpResult<XapiError> Error(int status, string message, IReadOnlyList<ValidationError>? errors = null) =>
        TypedResults.Json(new XapiError(message, errors), XapiJson.Default.XapiError, statusCode: status);

    /// <summary>A 400 naming the first query parameter that is not one of <paramref name="allowed"/> (names are case-sensitive).</summary>
    public static string? UnknownParameter(IQueryCollection query, IReadOnlySet<string> allowed)
    {
        foreach (var (name, _) in query)
            if (!allowed.Contains(name))
                return $"Unknown query parameter '{name}' (parameter names are case-sensitive).";
        return null;
    }

    /// <summary>The single value of a query parameter; an error when it is repeated.</summary>
    public static bool TrySingle(IQueryCollection query, string name, out string? value, out string? error)
    {
        error = null;
        value = null;
        if (!query.TryGetValue(name, out StringValues values)) return true;
        if (values.Count != 1)
        {
            error = $"Query parameter '{name}' is given more than once.";
            return false;
        }
        value = values[0];
        return true;
    }

    public static readonly JsonDocumentOptions DocumentOptions = new() { MaxDepth = 64, AllowDuplicateProperties = false };

    /// <summary>Parses a JSON body; null with a message when it is not JSON.</summary>
    public static async Task<(JsonNode? Node, string? Error)> ReadJsonAsync(HttpRequest request, CancellationToken ct)
    {
        try
        {
            var node = await JsonNode.ParseAsync(request.Body, documentOptions: DocumentOptions, cancellationToken: ct);
            return node is null ? (null, "The body is JSON null.") : (node, null);
        }
        catch (JsonException e)
        {
            return (null, $"The body is not valid JSON: {e.Message}");
        }
    }

    /// <summary>Whether the request's content type is <paramref name="mediaType"/> (parameters ignored).</summary>
    public static bool HasMediaType(HttpRequest request, string mediaType) =>
        Microsoft.Net.Http.Headers.MediaTypeHeaderValue.TryParse(request.ContentType, out var value)
        && string.Equals(value.MediaType.Value, mediaType, StringComparison.OrdinalIgnoreCase);
}
