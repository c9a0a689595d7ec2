using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;

namespace Lrs.Api.Tests.Infrastructure;

/// <summary>
/// <c>GET /test/claims</c>: authenticates the request with the LRS's own default scheme and answers the
/// principal's claims as a JSON object (type → values), so tests can see what a credential becomes before
/// the endpoints that act on a claim exist. Only test hosts have it.
/// </summary>
public sealed class ClaimsProbe : IStartupFilter
{
    public const string Path = "/test/claims";

    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        app.Use(async (context, nextMiddleware) =>
        {
            if (context.Request.Path != Path)
            {
                await nextMiddleware(context);
                return;
            }
            var result = await context.AuthenticateAsync();
            if (!result.Succeeded)
            {
                context.Response.StatusCode = StatusCodes.Status401Unauthorized;
                return;
            }
            var claims = new JsonObject();
            foreach (var group in result.Principal.Claims.GroupBy(c => c.Type))
                claims[group.Key] = new JsonArray([.. group.Select(c => (JsonNode)c.Value)]);
            await context.Response.WriteAsync(claims.ToJsonString());
        });
        next(app);
    };
}
