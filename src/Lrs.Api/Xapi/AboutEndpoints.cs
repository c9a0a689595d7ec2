using System.Text.Json.Nodes;
using Lrs.Core.Xapi;

namespace Lrs.Api.Xapi;

public static class AboutEndpoints
{
    public static IEndpointRouteBuilder MapAbout(this IEndpointRouteBuilder routes)
    {
        routes.MapMethods("/xapi/about", ["GET", "HEAD"], GetAbout)
            .WithName("GetAbout")
            .WithTags("xAPI")
            .WithSummary("The xAPI versions this LRS serves")
            .WithDescription("Unauthenticated. Lists `1.0.3` and `2.0.0`; either is chosen per request with the `X-Experience-API-Version` header.")
            .AllowAnonymous();
        return routes;
    }

    /// <summary>The About resource (Communication 2.8).</summary>
    public static IResult GetAbout(HttpRequest request)
    {
        if (request.Query.Count > 0) return XapiProtocol.Error(StatusCodes.Status400BadRequest, "The About resource takes no query parameters.");
        var about = new JsonObject
        {
            ["version"] = new JsonArray([.. XapiVersions.Supported.Select(v => (JsonNode)v)]),
        };
        return TypedResults.Text(about.ToJsonString(), "application/json");
    }
}
