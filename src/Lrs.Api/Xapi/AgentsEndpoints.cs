using System.Text.Json;
using System.Text.Json.Nodes;
using Lrs.Api.Auth;
using Lrs.Core.Storage;
using Lrs.Core.Xapi;

namespace Lrs.Api.Xapi;

/// <summary>The Agents resource (Communication 2.4): the Person behind an agent.</summary>
public static class AgentsEndpoints
{
    public static IEndpointRouteBuilder MapAgents(this IEndpointRouteBuilder routes)
    {
        routes.MapMethods("/xapi/agents", ["GET", "HEAD"], GetPerson)
            .WithName("GetPerson")
            .WithTags("xAPI")
            .WithSummary("The Person object of an agent")
            .WithDescription("Every name and identifier the LRS knows for the agent given as JSON in `agent`, as arrays. An agent the LRS has not seen is answered with the identifier asked for; so is, for a credential restricted to one organisation, a person of another, and for a credential bound to one actor, any other agent.")
            .RequireAuthorization()
            .RequireScope(Scopes.StatementsRead, Scopes.Profile)
            .RequireXapiVersion()
            .Produces(StatusCodes.Status200OK, contentType: "application/json")
            .Produces<XapiError>(StatusCodes.Status400BadRequest);
        return routes;
    }

    public static async Task<IResult> GetPerson(HttpContext http, IKnowledgeStore knowledge, IPeopleStore people, CancellationToken ct)
    {
        if (XapiProtocol.OnlyParameter(http.Request.Query, "agent", out var agentText) is { } error) return error;

        JsonNode? agent;
        try { agent = JsonNode.Parse(agentText, documentOptions: XapiProtocol.DocumentOptions); }
        catch (JsonException) { return XapiProtocol.Error(StatusCodes.Status400BadRequest, "agent is not JSON."); }
        var errors = StatementValidator.ValidateAgentParameter(agent, http.XapiVersion());
        if (errors.Count > 0 || agent?["objectType"]?.GetValue<string>() is not (null or "Agent") || AgentKey.Of(agent) is not { } key)
            return XapiProtocol.Error(StatusCodes.Status400BadRequest, "agent is not an Agent with exactly one identifier.", errors.Count > 0 ? errors : null);

        // Another employer's person (under bindings: anyone but the bound actor) is answered as an agent the LRS has not seen.
        var names = await EmployerScope.MaySeeAgentAsync(http.User, people, key, ct)
            ? (await knowledge.AgentNamesAsync(http.User.TenantId(), key, ct)).ToList()
            : [];
        if (agent?["name"] is JsonValue given && given.TryGetValue(out string? name) && !names.Contains(name)) names.Insert(0, name);
        return TypedResults.Text(AgentNames.Person(key, names).ToJsonString(), "application/json");
    }
}
