using Lrs.Api.Auth;
using Lrs.Core.Storage;
using Lrs.Core.Xapi;

namespace Lrs.Api.Xapi;

/// <summary>The Activities resource (Communication 2.5): the canonical definition of one activity.</summary>
public static class ActivitiesEndpoints
{
    public static IEndpointRouteBuilder MapActivities(this IEndpointRouteBuilder routes)
    {
        routes.MapMethods("/xapi/activities", ["GET", "HEAD"], GetActivity)
            .WithName("GetActivity")
            .WithTags("xAPI")
            .WithSummary("The canonical definition of an activity")
            .WithDescription("Everything statements said about the activity, merged: language maps and extensions gain entries, other properties take the latest value. An activity the LRS has not seen is answered with its id alone.")
            .RequireAuthorization()
            .RequireScope(Scopes.StatementsRead, Scopes.StatementsReadMine, Scopes.State, Scopes.Profile)
            .RequireXapiVersion()
            .Produces(StatusCodes.Status200OK, contentType: "application/json")
            .Produces<XapiError>(StatusCodes.Status400BadRequest);
        return routes;
    }

    public static async Task<IResult> GetActivity(HttpContext http, IKnowledgeStore knowledge, CancellationToken ct)
    {
        if (XapiProtocol.OnlyParameter(http.Request.Query, "activityId", out var id) is { } error) return error;
        if (!Iri.IsAbsolute(id)) return XapiProtocol.Error(StatusCodes.Status400BadRequest, "activityId is not an IRI.");

        var definitions = await knowledge.ActivityDefinitionsAsync(http.User.TenantId(), [id], ct);
        var activity = ActivityDefinitions.ActivityObject(id, definitions.GetValueOrDefault(id));
        return TypedResults.Text(activity.ToJsonString(), "application/json");
    }
}
