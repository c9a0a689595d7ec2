using System.Security.Cryptography;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Net.Http.Headers;

namespace Lrs.Api.Xapi;

/// <summary>
/// The project's xAPI Profile (JSON-LD): the verbs, activity types and extensions LrsApi writes or recognises, for
/// tools that validate statements against it. The document is <c>xapi-profile/lrsapi.jsonld</c> of the repository,
/// built into the executable; it is public vocabulary, the same for every tenant, so it needs no credential.
/// </summary>
public static class XapiProfileEndpoints
{
    public const string Path = "/api/xapi-profile";
    public const string ContentType = "application/ld+json";

    /// <summary>The profile's bytes, exactly as committed.</summary>
    public static ReadOnlyMemory<byte> Document => Loaded.Value.Bytes;

    /// <summary>The quoted strong ETag of <see cref="Document"/>: a hash of its bytes.</summary>
    public static string ETag => Loaded.Value.ETag;

    private static readonly Lazy<(byte[] Bytes, string ETag)> Loaded = new(() =>
    {
        using var stream = typeof(XapiProfileEndpoints).Assembly.GetManifestResourceStream("Lrs.Api.lrsapi.jsonld")
            ?? throw new InvalidOperationException("The xAPI profile resource Lrs.Api.lrsapi.jsonld is not embedded.");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        var bytes = copy.ToArray();
        return (bytes, $"\"{Convert.ToHexStringLower(SHA256.HashData(bytes))[..32]}\"");
    });

    public static IEndpointRouteBuilder MapXapiProfile(this IEndpointRouteBuilder routes)
    {
        routes.MapMethods(Path, ["GET", "HEAD"], GetXapiProfile)
            .WithName("GetXapiProfile")
            .WithTags("xAPI")
            .WithSummary("The xAPI Profile of the verbs, activity types and extensions LrsApi uses")
            .WithDescription("Unauthenticated. An xAPI Profile (JSON-LD, xAPI Profiles 1.0), profile IRI `https://lrsapi.se/xapi/profile`: " +
                "the extensions LrsApi defines under `https://lrsapi.se/xapi/` and Statement Templates for the statements it writes " +
                "(reflection answers, group reflection at workplace meetings) and recognises as evidence (e-learning, cmi5, on-site sessions, " +
                "practical demonstrations and their sign-off, webinars and recordings). The same for every tenant. A strong `ETag`; " +
                "`If-None-Match` with it answers 304.")
            .Produces(StatusCodes.Status200OK, contentType: ContentType)
            .Produces(StatusCodes.Status304NotModified)
            .AllowAnonymous();
        return routes;
    }

    // This handler's doc comment would become the operation's summary, so its notes stay plain comments: GET and HEAD
    // answer the document, or 304 when If-None-Match names its ETag (the file result checks that).
    public static FileContentHttpResult GetXapiProfile(HttpResponse response)
    {
        // A new version of the server may carry a new profile: caches revalidate with the ETag after an hour.
        response.Headers.CacheControl = "public, max-age=3600";
        return TypedResults.Bytes(Document, ContentType, entityTag: EntityTagHeaderValue.Parse(ETag));
    }
}
