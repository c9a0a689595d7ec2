using System.Buffers;
using System.Collections.Concurrent;
using System.Text.Json;
using Lrs.Api.Auth;
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

/// <summary>
/// The version each credential last spoke. A request that names no version is answered in it, so a client
/// that forgot the header gets its error in the dialect it parses; a credential not seen yet gets 2.0.0.
/// </summary>
public sealed class CredentialVersions
{
    private readonly ConcurrentDictionary<string, XapiVersion> _last = new(StringComparer.Ordinal);

    public void Remember(string credential, XapiVersion version) => _last[credential] = version;

    public XapiVersion? LastOf(string credential) => _last.TryGetValue(credential, out var v) ? v : null;
}

/// <summary>The rules every xAPI request shares, written once.</summary>
public static class XapiProtocol
{
    private const string VersionItem = "xapi-version";

    /// <summary>
    /// Every response carries <c>X-Experience-API-Version</c>, errors included: the version the request asked
    /// for; else the newest of the major version it named; else the version its credential last used; else 2.0.0.
    /// </summary>
    public static IApplicationBuilder UseXapiVersionHeader(this IApplicationBuilder app) => app.Use((context, next) =>
    {
        context.Response.OnStarting(static state =>
        {
            var http = (HttpContext)state;
            string? requested = http.Request.Headers[XapiVersions.Header];
            var credential = http.User.FindFirst(LrsClaims.Credential)?.Value;
            var lastVersions = http.RequestServices.GetRequiredService<CredentialVersions>();
            string header;
            if (XapiVersions.Parse(requested) is { } version)
            {
                header = version.ToHeader();
                if (credential is not null) lastVersions.Remember(credential, version);
            }
            else if (requested?.TrimStart() is { Length: > 0 } named && (named[0] == '1' || named[0] == '2'))
                header = named[0] == '1' ? "1.0.3" : "2.0.0";
            else
                header = ((credential is null ? null : lastVersions.LastOf(credential)) ?? Core.Xapi.XapiVersion.V200).ToHeader();
            http.Response.Headers[XapiVersions.Header] = header;
            return Task.CompletedTask;
        }, context);
        return next(context);
    });

    /// <summary>HEAD answers the headers of the GET without its body (Communication 1.1), whatever the server.</summary>
    public static IApplicationBuilder UseHeadWithoutBody(this IApplicationBuilder app) => app.Use((context, next) =>
    {
        if (HttpMethods.IsHead(context.Request.Method)) context.Response.Body = Stream.Null;
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

    /// <summary>
    /// For resources that take exactly one parameter: its value, or a 400 when it is missing, repeated, or
    /// comes with any other parameter.
    /// </summary>
    public static IResult? OnlyParameter(IQueryCollection query, string name, out string value)
    {
        value = "";
        if (UnknownParameter(query, new HashSet<string>(StringComparer.Ordinal) { name }) is { } unknown) return Error(StatusCodes.Status400BadRequest, unknown);
        if (!TrySingle(query, name, out var single, out var repeated)) return Error(StatusCodes.Status400BadRequest, repeated!);
        if (single is null) return Error(StatusCodes.Status400BadRequest, $"The {name} parameter is required.");
        value = single;
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
        var (node, error) = await ReadJsonAsync(request.Body, DocumentOptions, maxStringBytes: null, ct, request.ContentLength);
        return error is not null ? (null, $"The body is not valid JSON: {error}")
            : node is null ? (null, "The body is JSON null.") : (node, null);
    }

    /// <summary>
    /// The one way a request body becomes JSON, under /xapi and /api alike: read whole (the body limit bounds it), and
    /// every name and string checked as text at once (<see cref="JsonText"/>), so no handler meets bad text later.
    /// A null node without an error is the JSON literal null.
    /// </summary>
    public static async Task<(JsonNode? Node, string? Error)> ReadJsonAsync(Stream body, JsonDocumentOptions options, int? maxStringBytes, CancellationToken ct,
        long? length = null)
    {
        var (buffer, count, rented) = await ReadWholeAsync(body, length, ct);
        try
        {
            // The nodes copy what they keep: the buffer is free again once they are made.
            return (JsonText.Parse(buffer.AsMemory(0, count), options, maxStringBytes), null);
        }
        catch (JsonException e)
        {
            return (null, e.Message);
        }
        finally
        {
            if (rented) ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>
    /// Statements as sent: the body read whole, checked as <see cref="ReadJsonAsync(Stream, JsonDocumentOptions, int?, CancellationToken, long?)"/>
    /// checks it, and parsed into a document over its own bytes, which the caller disposes.
    /// </summary>
    public static async Task<(JsonBody? Body, string? Error)> ReadJsonBodyAsync(Stream body, CancellationToken ct, long? length = null)
    {
        var (buffer, count, rented) = await ReadWholeAsync(body, length, ct);
        try
        {
            return (JsonBody.Parse(buffer, count, rented, DocumentOptions), null);
        }
        catch (JsonException e)
        {
            return (null, e.Message);
        }
    }

    // A body of declared length is read into a pooled array (rented: the caller gives it back); a copy into a MemoryStream
    // would double its buffer until the body fits.
    private static async Task<(byte[] Buffer, int Length, bool Rented)> ReadWholeAsync(Stream body, long? length, CancellationToken ct)
    {
        if (length is > 0 and <= int.MaxValue)
        {
            var rented = ArrayPool<byte>.Shared.Rent((int)length);
            try
            {
                await body.ReadExactlyAsync(rented.AsMemory(0, (int)length), ct);
                return (rented, (int)length, true);
            }
            catch
            {
                ArrayPool<byte>.Shared.Return(rented);
                throw;
            }
        }
        var buffer = new MemoryStream();
        await body.CopyToAsync(buffer, ct);
        return (buffer.GetBuffer(), (int)buffer.Length, false);
    }

    /// <summary>Whether the request's content type is <paramref name="mediaType"/> (parameters ignored).</summary>
    public static bool HasMediaType(HttpRequest request, string mediaType) =>
        Microsoft.Net.Http.Headers.MediaTypeHeaderValue.TryParse(request.ContentType, out var value)
        && string.Equals(value.MediaType.Value, mediaType, StringComparison.OrdinalIgnoreCase);
}
