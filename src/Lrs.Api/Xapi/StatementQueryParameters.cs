using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Lrs.Core.Xapi;

namespace Lrs.Api.Xapi;

/// <summary>
/// The parameters of a statement query (Communication 2.1.3: GET /xapi/statements without statementId,
/// voidedStatementId or more), parsed and checked. <see cref="Parse"/> answers the first mistake in a fixed order:
/// an unknown parameter; related_agents, related_activities, ascending, attachments; agent, verb, activity,
/// registration, since, until, limit, format.
/// </summary>
public sealed record StatementQueryParameters
{
    public static readonly IReadOnlySet<string> Names = new HashSet<string>
    {
        "agent", "verb", "activity", "registration", "related_activities", "related_agents",
        "since", "until", "limit", "format", "attachments", "ascending",
    };

    /// <summary>The agent's index key (<see cref="AgentKey"/>), if an agent was given.</summary>
    public string? Agent { get; init; }
    public bool RelatedAgents { get; init; }
    public string? Verb { get; init; }
    public string? Activity { get; init; }
    public bool RelatedActivities { get; init; }
    public Guid? Registration { get; init; }
    public DateTimeOffset? Since { get; init; }
    public DateTimeOffset? Until { get; init; }
    /// <summary>The page size: the one asked for, or the LRS's largest when 0, above it, or not given.</summary>
    public int Limit { get; init; }
    /// <summary><c>exact</c>, <c>ids</c> or <c>canonical</c>.</summary>
    public string Format { get; init; } = "exact";
    public bool Attachments { get; init; }
    public bool Ascending { get; init; }

    /// <summary>The index keys a statement must carry to match (<see cref="StatementIndex"/>).</summary>
    public IReadOnlyList<string> IndexKeys =>
    [
        .. Agent is null ? [] : new[] { (RelatedAgents ? StatementIndex.RelatedAgent : StatementIndex.Agent) + Agent },
        .. Verb is null ? [] : new[] { StatementIndex.Verb + Verb },
        .. Activity is null ? [] : new[] { (RelatedActivities ? StatementIndex.RelatedActivity : StatementIndex.Activity) + Activity },
        .. Registration is not { } registration ? [] : new[] { StatementIndex.Registration + registration.ToString("D") },
    ];

    public static (StatementQueryParameters? Parameters, StatementQueryError? Error) Parse(IQueryCollection query, XapiVersion version, int maxPageSize)
    {
        if (XapiProtocol.UnknownParameter(query, Names) is { } unknown) return Fail(unknown);
        // The booleans first: related_agents and related_activities say what agent and activity mean.
        var boolErrors = new[]
        {
            Bool(query, "related_agents", out var relatedAgents), Bool(query, "related_activities", out var relatedActivities),
            Bool(query, "ascending", out var ascending), Bool(query, "attachments", out var attachments),
        };
        if (boolErrors.FirstOrDefault(e => e is not null) is { } boolError) return Fail(boolError);
        var parameters = new StatementQueryParameters
        {
            RelatedAgents = relatedAgents, RelatedActivities = relatedActivities, Ascending = ascending, Attachments = attachments, Limit = maxPageSize,
        };

        if (!XapiProtocol.TrySingle(query, "agent", out var agentText, out var error)) return Fail(error!);
        if (agentText is not null)
        {
            JsonNode? agent;
            try { agent = JsonNode.Parse(agentText, documentOptions: XapiProtocol.DocumentOptions); }
            catch (JsonException) { return Fail("agent is not JSON."); }
            var problems = StatementValidator.ValidateAgentParameter(agent, version);
            if (problems.Count > 0 || AgentKey.Of(agent) is not { } agentKey)
                return (null, new StatementQueryError("agent is not an Agent or Identified Group with one identifier.", problems));
            parameters = parameters with { Agent = agentKey };
        }

        if (!XapiProtocol.TrySingle(query, "verb", out var verb, out error)) return Fail(error!);
        if (verb is not null && !Iri.IsAbsolute(verb)) return Fail("verb is not an IRI.");
        if (!XapiProtocol.TrySingle(query, "activity", out var activity, out error)) return Fail(error!);
        if (activity is not null && !Iri.IsAbsolute(activity)) return Fail("activity is not an IRI.");
        parameters = parameters with { Verb = verb, Activity = activity };

        if (!XapiProtocol.TrySingle(query, "registration", out var registrationText, out error)) return Fail(error!);
        if (registrationText is not null)
        {
            if (!Guid.TryParse(registrationText, out var registration)) return Fail("registration is not a UUID.");
            parameters = parameters with { Registration = registration };
        }

        foreach (var name in (string[])["since", "until"])
        {
            if (!XapiProtocol.TrySingle(query, name, out var text, out error)) return Fail(error!);
            if (text is null) continue;
            if (!XapiTimestamp.TryParse(text, version, out var time)) return Fail($"{name} is not a timestamp.");
            parameters = name == "since" ? parameters with { Since = time } : parameters with { Until = time };
        }

        if (!XapiProtocol.TrySingle(query, "limit", out var limitText, out error)) return Fail(error!);
        if (limitText is not null)
        {
            if (!int.TryParse(limitText, NumberStyles.None, CultureInfo.InvariantCulture, out var limit)) return Fail("limit is not a non-negative integer.");
            if (limit > 0 && limit <= maxPageSize) parameters = parameters with { Limit = limit };
        }

        if (!XapiProtocol.TrySingle(query, "format", out var format, out error)) return Fail(error!);
        if (format is not null)
        {
            if (format is not ("exact" or "ids" or "canonical")) return Fail("format is one of exact, ids, canonical.");
            parameters = parameters with { Format = format };
        }
        return (parameters, null);
    }

    /// <summary>A parameter that is <c>true</c> or <c>false</c> (false when not given); an error when it is anything else or repeated.</summary>
    public static string? Bool(IQueryCollection query, string name, out bool value)
    {
        value = false;
        if (!XapiProtocol.TrySingle(query, name, out var text, out var error)) return error;
        if (text is null or "false") return null;
        value = text == "true";
        return value ? null : $"{name} is true or false.";
    }

    private static (StatementQueryParameters?, StatementQueryError?) Fail(string message) => (null, new StatementQueryError(message, []));
}

/// <summary>Why a statement query is refused (400): a message, and for an agent that is not one, what is wrong with it.</summary>
public sealed record StatementQueryError(string Message, IReadOnlyList<ValidationError> Errors);
